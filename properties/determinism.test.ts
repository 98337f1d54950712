import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../model/oracle/oracle.ts';
import { traceLines } from '../model/io/trace.ts';
import { caseSpecs, materialize } from './arbitraries.ts';
import { runBanner, SEED, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';
import { DETERMINISM } from './determinism.ts';
import { replay } from './harness.ts';
import { mutantByName } from './mutants.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

beforeAll(() => console.info(runBanner()));

/** The outcome of every event as `xcm run --json` prints it. */
function cliOutcomes(file: string, set: readonly string[]): unknown[] {
  const cli = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bin/xcm.ts'), 'run', file, '--json', ...set.flatMap((s) => ['--set', s])],
    {
      encoding: 'utf8',
      cwd: ROOT,
    },
  );
  expect(cli.stderr).toBe('');
  expect(cli.status).toBe(0);
  return cli.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; model: { outcome: unknown } })
    .filter((record) => record.type !== 'scenario')
    .map((record) => record.model.outcome);
}

function shaped(events: readonly { type: string; tenants?: string[] }[], outcomes: readonly string[][]): unknown[] {
  return outcomes.map((o, i) => {
    const tenants = events[i]?.tenants;
    return tenants === undefined || tenants.length === 1 ? o[0] : Object.fromEntries(tenants.map((t, k) => [t, o[k]]));
  });
}

describe('determinism: the model is a function of the trace', () => {
  it.each(DETERMINISM.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());

  it(
    'gives the same outcomes through `xcm run --json` as through the library, on a generated trace',
    async () => {
      const longest = fc
        .sample(caseSpecs, { seed: SEED, numRuns: 40 })
        .map(materialize)
        .reduce((a, b) => (b.trace.events.length > a.trace.events.length ? b : a));
      const file = join(mkdtempSync(join(tmpdir(), 'xcm-determinism-')), 'trace.jsonl');
      writeFileSync(file, `${longest.trace.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
      const library: unknown[] = [];
      for await (const record of run(traceLines(file, readFileSync(file, 'utf8')), { set: longest.trace.set }))
        library.push(record.outcome);
      const cli = cliOutcomes(file, longest.trace.set);
      expect(cli).toEqual(library);
      expect(cli).toEqual(shaped(longest.trace.events as never, replay(longest.trace).outcomes));
    },
    timeoutMs(),
  );

  it(
    'tells the model from a mutant through `xcm run --json`',
    () => {
      const file = join(ROOT, 'scenarios/regressions/app-cap-minus-one.jsonl');
      const content = readFileSync(file, 'utf8');
      const header = JSON.parse(content.split('\n')[0] ?? '{}') as { set?: string[] };
      const trace = { set: header.set ?? [], events: traceLines(file, content).map((l) => l.event) };
      const mutant = mutantByName('app-cap-minus-one');
      if (mutant === undefined) throw new Error('no mutant app-cap-minus-one');
      const cli = cliOutcomes(file, trace.set);
      expect(cli).toEqual(shaped(trace.events as never, replay(trace).outcomes));
      expect(cli).not.toEqual(shaped(trace.events as never, replay(trace, mutant.model).outcomes));
    },
    timeoutMs(),
  );
});
