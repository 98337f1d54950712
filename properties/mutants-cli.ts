/**
 * `npm run mutants [-- --save DIR]`: hunt every mutant with the default property suite and print
 * the table (mutant, the property that caught it, runs needed, shrinks, shrunk length). With
 * `--save DIR`, each counterexample whose outcomes show the mutant is written to DIR as a
 * regression scenario. Exit status 1 when a mutant survives.
 * @module
 */
import { parseArgs } from 'node:util';
import { runBanner } from './config.ts';
import { MUTANTS } from './mutants.ts';
import { catchMutant, mutantTable, saveRegression } from './teeth.ts';

const { values } = parseArgs({ options: { save: { type: 'string' } } });
process.stdout.write(`${runBanner()}\n\n`);
const started = performance.now();
const results = MUTANTS.map((m) => catchMutant(m));
process.stdout.write(`${mutantTable(results)}\n\n`);
for (const r of results) process.stdout.write(`  ${r.mutant.name}: ${r.mutant.description}\n`);
process.stdout.write(
  `\n${results.filter((r) => r.property !== null).length} of ${results.length} mutants caught in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
if (values.save !== undefined) {
  for (const r of results) {
    const file = saveRegression(values.save, r);
    process.stdout.write(file === null ? `not saved (its outcomes equal the model's): ${r.mutant.name}\n` : `saved ${file}\n`);
  }
}
process.exitCode = results.every((r) => r.property !== null) ? 0 : 1;
