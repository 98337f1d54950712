/**
 * The oracle benchmark: `xcm check` on a generated 1,000,000-event trace, against the floor any
 * checker pays (reading and JSON.parse), the plain hand-written checker, and the XState machine
 * engine. Prints events per second, the ratios, the target and peak memory. Speed is measured
 * here, never asserted in tests.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { check, checkFile } from '../model/oracle/oracle.ts';
import { readLines, readTrace, type TraceLine } from '../model/io/trace.ts';
import { generateTrace } from './generate.ts';
import { plainCheck } from './plain.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/** End to end, `xcm check` must reach this many events per second. */
const TARGET_EVENTS_PER_SECOND = 300_000;
/** `check` in-process must stay within this factor of the parse-only floor. */
const TARGET_PARSE_RATIO = 3;
const MACHINE_PREFIX = 100_000;

/** A timed run: seconds, and what it counted. */
interface Timed<T> {
  seconds: number;
  value: T;
}

async function timed<T>(run: () => Promise<T>): Promise<Timed<T>> {
  const start = process.hrtime.bigint();
  const value = await run();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

/** The fastest of `n` runs, after one warm-up run unless `warmUp` is false. */
async function bestOf<T>(n: number, run: () => Promise<T>, warmUp = true): Promise<Timed<T>> {
  if (warmUp) await run();
  let best: Timed<T> | null = null;
  for (let i = 0; i < n; i++) {
    const t = await timed(run);
    if (best === null || t.seconds < best.seconds) best = t;
  }
  return best as Timed<T>;
}

async function parseOnly(file: string): Promise<number> {
  let events = 0;
  for await (const { text } of readLines(file)) {
    if (text === '') continue;
    JSON.parse(text);
    events++;
  }
  return events;
}

async function* firstEvents(lines: AsyncIterable<TraceLine>, n: number): AsyncGenerator<TraceLine> {
  let seen = 0;
  for await (const line of lines) {
    if (seen++ >= n) return;
    yield line;
  }
}

/** Run `xcm check FILE --json` in a new process; its time and peak RSS (from /proc, when there). */
function cli(
  file: string,
): Promise<{ seconds: number; peakRssMb: number | null; events: number; divergences: number; status: number | null }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, 'dist/bin/xcm.js'), 'check', file, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let peakKb: number | null = null;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm?.[1] !== undefined) peakKb = Math.max(peakKb ?? 0, Number(hwm[1]));
      } catch {
        /* no /proc, or the process is gone */
      }
    }, 25);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const result = JSON.parse(out) as { events: number; divergences: unknown[] };
      resolve({
        seconds,
        peakRssMb: peakKb === null ? null : peakKb / 1024,
        events: result.events,
        divergences: result.divergences.length,
        status,
      });
    });
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (events: number, seconds: number) => events / seconds;
const row = (label: string, seconds: number, events: number, note = '') =>
  `  ${label.padEnd(52)} ${seconds.toFixed(2).padStart(6)} s ${fmt(rate(events, seconds)).padStart(10)} events/s${note === '' ? '' : `  ${note}`}`;

/** Run the oracle benchmark and print its section. */
export async function benchOracle(events = 1_000_000): Promise<void> {
  console.log('== oracle: xcm check ==');
  const generation = await timed(async () => generateTrace(events));
  const trace = generation.value;
  console.log(`trace: ${trace.file}`);
  console.log(
    `  ${fmt(trace.lines)} lines, ${(trace.bytes / 1e6).toFixed(1)} MB, ${trace.reused ? 'reused (same generator and reference sources)' : `generated in ${generation.seconds.toFixed(1)} s`}`,
  );

  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const loadBefore = load();
  const floor = await bestOf(3, () => parseOnly(trace.file));
  // The first of the three check runs is also the warm-up: a separate one would add ten seconds.
  const compiled = await bestOf(3, () => checkFile(trace.file), false);
  const startup = await timed(async () => {
    const tiny = join(os.tmpdir(), 'xcm-bench-one-event.jsonl');
    writeFileSync(tiny, '{"type":"tenant","tenant":"T","observed":"ok"}\n');
    return cli(tiny);
  });
  const runs = [await cli(trace.file), await cli(trace.file)].sort((a, b) => a.seconds - b.seconds);
  const e2e = runs[0] as Awaited<ReturnType<typeof cli>>;
  const plain = await timed(() => plainCheck(trace.file));
  const prefix = () => firstEvents(readTrace(trace.file), MACHINE_PREFIX);
  const machine = await bestOf(1, () => check(prefix(), { engine: 'machine' }));
  const compiledPrefix = await bestOf(3, () => check(prefix()));

  const n = compiled.value.events;
  const policies = [...plain.value.eventsByPolicy].map(([id, count]) => `${id} ${fmt(count)}`).join(', ');
  console.log(`  events by policy (timeline xero): ${policies}`);
  console.log(
    `  divergences: check ${fmt(compiled.value.divergences.length)}, xcm check ${fmt(e2e.divergences)} (exit ${e2e.status}), plain checker ${fmt(plain.value.divergences)}`,
  );
  console.log(
    `  load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()} (on ${os.cpus().length} CPUs; other work on the machine slows every row)`,
  );
  console.log('measure (best of 3, after a warm-up run, unless said)');
  console.log(row('(a) parse only: readLines + JSON.parse', floor.seconds, floor.value));
  console.log(row('(b) checkFile(file) in-process, compiled engine', compiled.seconds, n, 'best of 3, the first cold'));
  console.log(
    row(
      '(c) node dist/bin/xcm.js check FILE --json (new process)',
      e2e.seconds,
      e2e.events,
      `best of 2; includes ${startup.value.seconds.toFixed(2)} s process start (xcm check on a 1-event trace)`,
    ),
  );
  console.log(row('(d) plain checker: JSON.parse + ReferencePlatform', plain.seconds, plain.value.events, 'one run'));
  console.log(
    row(`(e) check, XState machine engine, first ${fmt(MACHINE_PREFIX)}`, machine.seconds, machine.value.events, 'one run after a warm-up'),
  );
  console.log(row(`    check, compiled engine, first ${fmt(MACHINE_PREFIX)}`, compiledPrefix.seconds, compiledPrefix.value.events));
  const parseRatio = compiled.seconds / floor.seconds;
  console.log('ratios');
  console.log(
    `  check / parse only:          ${parseRatio.toFixed(2)}x the time (target: within ${TARGET_PARSE_RATIO}x) ${parseRatio <= TARGET_PARSE_RATIO ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `  check vs plain checker:      ${(plain.seconds / compiled.seconds).toFixed(2)}x faster (${(compiled.seconds / plain.seconds).toFixed(2)}x the time), whole file`,
  );
  console.log(
    `  compiled vs machine engine:  ${(machine.seconds / compiledPrefix.seconds).toFixed(1)}x faster, first ${fmt(MACHINE_PREFIX)} events`,
  );
  const endToEnd = rate(e2e.events, e2e.seconds);
  console.log(
    `target: at least ${fmt(TARGET_EVENTS_PER_SECOND)} events/s end to end (xcm check, process start included): ${fmt(endToEnd)} events/s ${endToEnd >= TARGET_EVENTS_PER_SECOND ? 'MET' : 'MISSED'}`,
  );
  const ownPeak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `peak RSS: xcm check process ${e2e.peakRssMb === null ? 'n/a (no /proc)' : `${e2e.peakRssMb.toFixed(0)} MB`}; this benchmark process ${ownPeak.toFixed(0)} MB`,
  );
}
