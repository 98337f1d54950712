/**
 * The conformance benchmark: events per second of `xcm conform` against `xcm serve` (its own
 * child process, the built `dist/bin/xcm.js`; in memory and on SQLite), HTTP round trips and the
 * state read after every event included, beside the same harness over an in-process
 * implementation decided by the model (no HTTP), and the same generator's sequences stepped
 * through the model alone (the floor: what deciding the events costs). Same seed, same runs,
 * no concurrent batches (their timing is the implementation's). Prints figures and ratios;
 * asserts nothing.
 *
 * Alone: `npm run build && npx tsx bench/conform.ts` (`npm run bench` runs it as its own section).
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { capsOf, caseSpecs, materialize } from '../conformance/cases.ts';
import { conform } from '../conformance/conform.ts';
import { httpAdapter } from '../conformance/http-adapter.ts';
import { ModelAdapter } from '../conformance/variants.ts';
import { choosePolicy } from '../model/io/load-policy.ts';
import { makeDriver } from '../model/oracle/oracle.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const XCM = join(ROOT, 'dist/bin/xcm.js');
const SET = ['appCap=3', 'starterCap=3', 'coreCap=4', 'plusCap=5', 'advancedCap=6'];
const RUNS = 100;
const SEED = 1;

function startServe(args: readonly string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [XCM, 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /^listening on (\S+)\n/m.exec(out);
      if (m !== null) resolve({ url: m[1] as string, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`xcm serve exited (${code}) before listening`)));
  });
}

const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};

async function timed(run: () => Promise<number>): Promise<{ events: number; seconds: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const events = await run();
  return { events, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(cpu) };
}

export async function benchConform(): Promise<void> {
  console.log(`xcm conform: ${RUNS} sequential runs, seed ${SEED}, ${SET.join(' ')}, no batches (events/s; CPU of this process)`);
  const rows: Array<[string, { events: number; seconds: number; cpu: number }]> = [];
  const choice = choosePolicy(undefined, SET);
  const caps = capsOf(choice);
  rows.push([
    'the model alone (the same generator)',
    await timed(async () => {
      let events = 0;
      for (const spec of fc.sample(caseSpecs, { seed: SEED, numRuns: RUNS })) {
        const { driver } = makeDriver({}, choice);
        for (const e of materialize(spec, caps)) {
          driver.apply(e);
          events++;
        }
      }
      return events;
    }),
  ]);
  rows.push([
    'conform, in-process model adapter',
    await timed(async () => (await conform(new ModelAdapter({ set: SET }), { runs: RUNS, seed: SEED, set: SET, concurrency: 1 })).events),
  ]);
  const tmp = mkdtempSync(join(os.tmpdir(), 'xcm-bench-conform-'));
  try {
    for (const [label, args] of [
      ['conform over HTTP, xcm serve in memory', []],
      ['conform over HTTP, xcm serve --db', ['--db', join(tmp, 'bench.db')]],
    ] as const) {
      const served = await startServe([...SET.flatMap((s) => ['--set', s]), ...args]);
      try {
        rows.push([
          label,
          await timed(async () => (await conform(httpAdapter(served.url), { runs: RUNS, seed: SEED, set: SET, concurrency: 1 })).events),
        ]);
      } finally {
        served.stop();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const floor = rows[0]?.[1];
  for (const [label, r] of rows) {
    const rate = r.events / r.seconds;
    const ratio = floor === undefined ? '' : `  ${(rate / (floor.events / floor.seconds)).toFixed(4)}x the model alone`;
    console.log(
      `  ${label.padEnd(42)} ${r.events.toLocaleString('en').padStart(7)} events  ${r.seconds.toFixed(2).padStart(6)} s  ${Math.round(rate).toLocaleString('en').padStart(9)} events/s  cpu ${r.cpu.toFixed(2)} s${ratio}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchConform();
