/**
 * The reports benchmark: `generateReports` (every report `xcm docs` writes) against replaying the
 * scenario files alone, one of the things it does. Prints the seconds and the ratio; the test
 * suite asserts no time.
 * @module
 */
import { scenarioFiles } from '../scenarios/replay.ts';
import { checkFile } from '../model/oracle/oracle.ts';
import { generateReports, SCENARIOS_DIR } from '../reports/generate.ts';

async function seconds(run: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Print the report-generation figures. */
export async function benchReports(): Promise<void> {
  console.log('reports: generateReports() (paths.md, policies.md, invariants.md), best of 3');
  const replay = async () => {
    for (const file of scenarioFiles(SCENARIOS_DIR)) await checkFile(file);
  };
  await replay();
  generateReports();
  let best = Number.POSITIVE_INFINITY;
  let baseline = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    baseline = Math.min(baseline, await seconds(replay));
    best = Math.min(best, await seconds(() => generateReports()));
  }
  console.log(`  replay every scenario (baseline)  ${baseline.toFixed(3)} s`);
  console.log(`  generate every report             ${best.toFixed(3)} s, ${(best / baseline).toFixed(1)}x the baseline`);
}
