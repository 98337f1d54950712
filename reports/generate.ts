/**
 * The report generator: every report's text, in memory, and writing them to a folder. Pure
 * functions of the model and the scenario files, so the same tree always gives the same bytes
 * (no dates, no timings); `reports.test.ts` compares them with the committed files.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../model/errors.ts';
import { packagePath } from '../model/io/files.ts';
import { inferReport } from './infer.ts';
import { invariantsReport } from './invariants.ts';
import { pathsReport } from './paths.ts';
import { policiesReport } from './policies.ts';

/** The folder the committed reports live in (this folder). */
export const REPORTS_DIR = packagePath('reports');

/** The scenario folder the invariant dashboard replays. */
export const SCENARIOS_DIR = packagePath('scenarios');

/** Every report: file name → text. */
export function generateReports(scenarioDir: string = SCENARIOS_DIR): Record<string, string> {
  return {
    'paths.md': pathsReport(),
    'policies.md': policiesReport(scenarioDir),
    'invariants.md': invariantsReport(scenarioDir),
    'infer.md': inferReport(scenarioDir),
  };
}

/** Write every report into `outDir` (created if missing); returns the paths written. */
export function writeReports(outDir: string, scenarioDir: string = SCENARIOS_DIR): string[] {
  if (outDir === '') throw new InputError('an empty folder name', { file: 'xcm', field: '--out' });
  const reports = Object.entries(generateReports(scenarioDir));
  try {
    mkdirSync(outDir, { recursive: true });
    return reports.map(([name, text]) => {
      const path = join(outDir, name);
      writeFileSync(path, text);
      return path;
    });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new InputError(
      `cannot write the reports (${code ?? message})`,
      { file: outDir, field: '--out' },
      'give a folder that can be created and written',
    );
  }
}
