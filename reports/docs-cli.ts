/**
 * `xcm docs [--out DIR]`: write the reports (default: `reports/` in the current folder, which in
 * the project's own clone is the committed `reports/` folder).
 * @module
 */
import { relative } from 'node:path';
import { writeReports } from './generate.ts';

/** Write every report into `outDir`, printing each path written; exit status 0. */
export function docsCommand(outDir = 'reports'): number {
  for (const path of writeReports(outDir)) process.stdout.write(`wrote ${relative(process.cwd(), path) || path}\n`);
  return 0;
}
