/**
 * The oracle benchmark: `xcm check` on three trace shapes of 1,000,000 events (30 apps x 40
 * tenants of connects and disconnects; the bench trace of `generate.ts`; a platform's day of
 * 10,000 apps and 100,000 tenants), each against the floor any checker pays (reading the lines
 * a chunk at a time, one JSON.parse each) and the fast plain checker (`plain-fast.ts`). Then the
 * cost per event over 10,000, 30,000 and 100,000 apps, and one consent of many tenants.
 *
 * Every time is CPU seconds (user + system), the median of `XCM_BENCH_RUNS` runs (3 unless set):
 * `xcm check` and the plain checker each run in a new process (the built `dist/bin/xcm.js`, its
 * whole process counted, start-up included; the plain checker's checking loop), `checkFile` and
 * the parse floor in this one. Peak RSS is each new process's own. Every checker must find no
 * divergence: the observations are the reference implementation's (the bench trace) or the
 * plain checker's (the others), so this also checks that the three agree. Speed is measured
 * here, never asserted in tests.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from '../model/oracle/oracle.ts';
import { MAX_CONSENT_TENANTS } from '../model/io/trace-quick.ts';
import { readLineChunks } from '../model/io/trace.ts';
import { generateTrace } from './generate.ts';
import { appsTrace, consentTrace, pairsTrace, worldTrace } from './generate-shapes.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = Math.max(1, Number(process.env.XCM_BENCH_RUNS ?? 3));
/** `xcm check` end to end must stay within this factor of the plain checker's CPU. */
const TARGET_PLAIN_RATIO = 1.5;
/** On the large world, `xcm check`'s peak RSS must stay within this factor of the plain checker's. */
const TARGET_RSS_RATIO = 2;

/** CPU seconds and peak RSS (MB) of one measured run, and what it found. */
interface Measure {
  cpu: number;
  rssMb: number | null;
  events: number;
  divergences: number;
}

/** The median of `RUNS` runs, by CPU time. */
async function medianOf(run: () => Promise<Measure> | Measure): Promise<Measure> {
  const all: Measure[] = [];
  for (let i = 0; i < RUNS; i++) all.push(await run());
  all.sort((a, b) => a.cpu - b.cpu);
  return all[Math.floor(all.length / 2)] as Measure;
}

async function inProcess(run: () => Promise<{ events: number; divergences: number }>): Promise<Measure> {
  const start = process.cpuUsage();
  const found = await run();
  const cpu = process.cpuUsage(start);
  return { cpu: (cpu.user + cpu.system) / 1e6, rssMb: null, ...found };
}

/** The floor: the lines a chunk at a time, one JSON.parse each. */
async function parseOnly(file: string): Promise<{ events: number; divergences: number }> {
  let events = 0;
  for await (const lines of readLineChunks(file)) {
    for (const text of lines) {
      if (text === '') continue;
      JSON.parse(text);
      events++;
    }
  }
  return { events, divergences: 0 };
}

/** A preload that writes the process's own CPU time and peak RSS to a file as it exits. */
const RUSAGE_PRELOAD = join(os.tmpdir(), 'xcm-bench-rusage.cjs');
const RUSAGE_OUT = join(os.tmpdir(), `xcm-bench-rusage-${process.pid}.json`);
writeFileSync(
  RUSAGE_PRELOAD,
  "process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.XCM_BENCH_RUSAGE, JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, rssMb: u.maxRSS / 1024 })); });\n",
);

/** `node dist/bin/xcm.js COMMAND FILE --json` in a new process: its whole CPU time and peak RSS. */
function xcm(command: 'check' | 'run', file: string): Measure {
  const child = spawnSync(process.execPath, ['--require', RUSAGE_PRELOAD, join(ROOT, 'dist/bin/xcm.js'), command, file, '--json'], {
    cwd: ROOT,
    env: { ...process.env, XCM_BENCH_RUSAGE: RUSAGE_OUT },
    stdio: ['ignore', command === 'check' ? 'pipe' : 'ignore', 'pipe'],
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (child.status !== 0 && child.status !== 1) throw new Error(`xcm ${command} ${file}: exit ${child.status}: ${child.stderr}`);
  const usage = JSON.parse(readFileSync(RUSAGE_OUT, 'utf8')) as { cpu: number; rssMb: number };
  if (command === 'run') return { ...usage, events: Number.NaN, divergences: child.status === 0 ? 0 : Number.NaN };
  const result = JSON.parse(child.stdout) as { events: number; outcomes: number };
  return { ...usage, events: result.events, divergences: result.outcomes };
}

/** The fast plain checker in a new process: the CPU time of its checking loop and its peak RSS. */
function plain(file: string): Measure {
  const child = spawnSync(process.execPath, [...process.execArgv, join(ROOT, 'bench/plain-fast.ts'), file], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`plain checker ${file}: exit ${child.status}: ${child.stderr}`);
  const out = JSON.parse(child.stdout) as { events: number; divergences: number; cpuSeconds: number; peakRssMb: number };
  return { cpu: out.cpuSeconds, rssMb: out.peakRssMb, events: out.events, divergences: out.divergences };
}

const s = (m: Measure) => `${m.cpu.toFixed(2)} s`.padStart(9);
const mb = (m: Measure) => (m.rssMb === null ? 'n/a' : `${m.rssMb.toFixed(0)} MB`).padStart(8);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** `checkFile` in this process: its CPU time, events and divergent outcomes. */
function checkInProcess(file: string): Promise<Measure> {
  return inProcess(async () => {
    const r = await checkFile(file);
    return { events: r.events, divergences: r.outcomes };
  });
}

/** One shape's row: the measures and the ratios. */
async function shapeRow(label: string, file: string): Promise<{ label: string; ok: boolean; rss: number }> {
  const parse = await medianOf(() => inProcess(() => parseOnly(file)));
  const fast = await medianOf(() => plain(file));
  const cli = await medianOf(() => xcm('check', file));
  const inside = await medianOf(() => checkInProcess(file));
  const agree = fast.divergences === 0 && cli.divergences === 0 && inside.divergences === 0 && fast.events === cli.events;
  const ratio = cli.cpu / fast.cpu;
  const rss = (cli.rssMb ?? Number.NaN) / (fast.rssMb ?? Number.NaN);
  const line = `  ${label.padEnd(9)}${s(parse)}${s(fast)}${s(cli)}${s(inside)}${mb(fast)}${mb(cli)}${`${ratio.toFixed(2)}x`.padStart(8)}${`${(inside.cpu / fast.cpu).toFixed(2)}x`.padStart(8)}${`${rss.toFixed(2)}x`.padStart(8)}  ${agree ? 'agree' : `DISAGREE (divergences: plain ${fast.divergences}, xcm ${cli.divergences}, checkFile ${inside.divergences})`}`;
  console.log(line);
  return { label, ok: ratio <= TARGET_PLAIN_RATIO, rss };
}

/** Run the oracle benchmark and print its section. */
export async function benchOracle(events = 1_000_000): Promise<void> {
  console.log(`== oracle: xcm check (CPU seconds, median of ${RUNS}) ==`);
  const start = process.hrtime.bigint();
  const shapes = [
    { label: '30x40', trace: pairsTrace(events) },
    { label: 'bench', trace: generateTrace(events) },
    { label: 'world', trace: worldTrace(events) },
  ];
  for (const { label, trace } of shapes)
    console.log(`  ${label}: ${trace.file} (${fmt(trace.lines)} lines, ${(trace.bytes / 1e6).toFixed(0)} MB)`);
  console.log(
    `  traces ready in ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s; load average ${os.loadavg()[0]?.toFixed(2)} on ${os.cpus().length} CPUs`,
  );
  console.log(
    `  ${'shape'.padEnd(9)}${'parse'.padStart(9)}${'plain'.padStart(9)}${'xcm'.padStart(9)}${'in-proc'.padStart(9)}${'RSS pl'.padStart(8)}${'RSS xcm'.padStart(8)}${'xcm/pl'.padStart(8)}${'in/pl'.padStart(8)}${'RSS x/p'.padStart(8)}`,
  );
  const rows = [];
  for (const { label, trace } of shapes) rows.push(await shapeRow(label, trace.file));
  const world = rows[2];

  console.log('  per event over the size of the world (100,000 connects and disconnects each; CPU µs per event):');
  const perEvent: string[] = [];
  for (const apps of [10_000, 30_000, 100_000]) {
    const file = appsTrace(apps).file;
    const fast = await medianOf(() => plain(file));
    const cli = await medianOf(() => xcm('check', file));
    const inside = await medianOf(() => checkInProcess(file));
    perEvent.push(
      `${fmt(apps)} apps: plain ${((fast.cpu / fast.events) * 1e6).toFixed(2)}, xcm ${((cli.cpu / cli.events) * 1e6).toFixed(2)}, checkFile ${((inside.cpu / inside.events) * 1e6).toFixed(2)}${fast.divergences + cli.divergences + inside.divergences === 0 ? '' : ' DISAGREE'}`,
    );
  }
  console.log(`    ${perEvent.join('; ')}`);

  console.log(`  one consent of N tenants (xcm check; xcm run --json; at most ${fmt(MAX_CONSENT_TENANTS)} tenants a consent):`);
  for (const tenants of [1_000, 10_000, 100_000]) {
    if (tenants > MAX_CONSENT_TENANTS) {
      console.log(`    ${fmt(tenants).padStart(7)} tenants: refused (more than MAX_CONSENT_TENANTS)`);
      continue;
    }
    const file = consentTrace(tenants).file;
    const checked = await medianOf(() => xcm('check', file));
    const ran = await medianOf(() => xcm('run', file));
    console.log(
      `    ${fmt(tenants).padStart(7)} tenants: check ${checked.cpu.toFixed(2)} s${checked.divergences === 0 ? '' : ' DISAGREE'}, run ${ran.cpu.toFixed(2)} s; peak RSS ${checked.rssMb?.toFixed(0)} MB, ${ran.rssMb?.toFixed(0)} MB`,
    );
  }

  console.log('targets');
  for (const row of rows)
    console.log(`  xcm check within ${TARGET_PLAIN_RATIO}x of the plain checker's CPU, ${row.label}: ${row.ok ? 'MET' : 'MISSED'}`);
  const rssRatio = world?.rss ?? Number.NaN;
  console.log(
    `  peak RSS on the large world within ${TARGET_RSS_RATIO}x of the plain checker's: ${rssRatio <= TARGET_RSS_RATIO ? 'MET' : 'MISSED'} (${rssRatio.toFixed(2)}x)`,
  );
  console.log(`  oracle section took ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(0)} s`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await benchOracle();
