/**
 * Which properties of the suite check which invariant. A property checks a registry invariant by
 * calling `keeps('name')` (properties/safety.ts); the properties are closures, so the mapping is
 * read from the property sources: each `keeps('name')` call in a family's file is one property
 * of that family checking that invariant. Runs per property come from `properties/config.ts`,
 * at the default run count (not `FC_NUM_RUNS`), so the report does not depend on the
 * environment.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../model/io/files.ts';
import { DEFAULT_RUNS } from '../properties/config.ts';

/** The folder of the property suite. */
const PROPERTIES_DIR = packagePath('properties');

/** How the suite checks one invariant: properties per family, and traces in a default run. */
export interface PropertyChecks {
  /** Family (the source file's name) → properties of it that check the invariant. */
  families: Record<string, number>;
  /** Properties in all. */
  properties: number;
  /** Generated traces in a default run: properties × runs per property. */
  traces: number;
}

/** The checks of every invariant named in the suite, by invariant name. */
export function propertyChecks(dir: string = PROPERTIES_DIR): Map<string, PropertyChecks> {
  const found = new Map<string, PropertyChecks>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  for (const file of files) {
    const family = file.replace(/\.ts$/, '');
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/\bkeeps\('([A-Za-z]+)'\)/g)) {
      const name = match[1] ?? '';
      const entry = found.get(name) ?? { families: {}, properties: 0, traces: 0 };
      entry.families[family] = (entry.families[family] ?? 0) + 1;
      entry.properties++;
      entry.traces = entry.properties * DEFAULT_RUNS;
      found.set(name, entry);
    }
  }
  return found;
}

/** Traces per property in a default run. */
export const RUNS_PER_PROPERTY = DEFAULT_RUNS;
