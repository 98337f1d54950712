/**
 * `xcm docs [--out DIR]`: write the reports (default: the committed `reports/` folder, wherever
 * the command runs from).
 * @module
 */
import { relative } from 'node:path';
import { REPORTS_DIR, writeReports } from './generate.ts';

/** Write every report into `outDir`, printing each path written; exit status 0. */
export function docsCommand(outDir: string = REPORTS_DIR): number {
  for (const path of writeReports(outDir)) process.stdout.write(`wrote ${relative(process.cwd(), path) || path}\n`);
  return 0;
}
