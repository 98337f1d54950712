/**
 * The explorer's benchmark: states per second with and without symmetry reduction against a
 * plain hand-written BFS over the same rules and bounds (in this process; MET or MISSED against
 * half its rate without symmetry), the time and peak memory of the larger bounds with symmetry
 * (4 apps x 4 tenants x 2 users, 5 x 5 x 1; each in a process of its own, MET or MISSED against
 * 2 minutes and 4 GB), @xstate/graph's `getShortestPaths` on a bound it can finish, and the state
 * counts. Prints figures and ratios; asserts nothing. Alone: `npm run build && npx tsx bench/explore.ts`.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getShortestPaths } from '@xstate/graph';
import { arenaOf, initialState } from '../model/search/bounds.ts';
import type { Bounds, ExploreResult } from '../model/search/explore.ts';
import { INVARIANTS } from '../model/platform/invariants.ts';
import { builtinPolicy } from '../model/platform/policies.ts';
import type { Policy } from '../model/platform/policy.ts';
import { initialSnapshot, MODEL, step } from '../model/engine/step.ts';
import { StateKeys } from '../model/search/symmetry.ts';
import type { PlatformEvent } from '../model/platform/transitions.ts';
import { defaultTenant } from '../model/world/world.ts';

/**
 * The explorer as built (`dist/`, what `xcm explore` runs; `npm run bench` builds first): its
 * worker threads then start from JavaScript, as they do for a user, not through tsx.
 */
const BUILT = new URL('../dist/model/search/explore.js', import.meta.url);
if (!existsSync(fileURLToPath(BUILT))) {
  console.error('bench: the explorer is measured as built: run npm run build first');
  process.exit(2);
}
const { explore, exploreSteps } = (await import(BUILT.href)) as typeof import('../model/search/explore.ts');

/**
 * BENCHMARK BASELINE, not the model: a plain breadth-first search written by hand for one
 * corner of the rules (uncertified OAuth 2.0 apps that may be certified, organisations, one
 * policy without tiers, the correct organisation check), on a number per state: one bit per
 * (app, tenant, user) connection and one per certified app. Moves as the explorer's: connect,
 * disconnect, revoke, certify. It checks no invariant. `model/search/explore.test.ts` proves it counts
 * the same states as the explorer without symmetry, so both search one space, and counts the
 * orbits of its states (`seen`) to prove the explorer's symmetry reduction exact.
 */
export function plainBfs(
  apps: number,
  tenants: number,
  users: number,
  appCap: number,
  orgCap: number,
): { states: number; transitions: number; seen: ReadonlySet<number> } {
  const connBits = apps * tenants * users;
  if (connBits + apps > 31) throw new Error('plainBfs: the state must fit in 31 bits');
  const full = (1 << users) - 1;
  const seen = new Set<number>([0]);
  const queue: number[] = [0];
  let transitions = 0;
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head] ?? 0;
    for (let a = 0; a < apps; a++) {
      const certified = (s >>> (connBits + a)) & 1;
      let held = 0;
      for (let t = 0; t < tenants; t++) if (((s >>> ((a * tenants + t) * users)) & full) !== 0) held++;
      for (let t = 0; t < tenants; t++) {
        const shift = (a * tenants + t) * users;
        const cell = (s >>> shift) & full;
        let onTenant = 0;
        for (let b = 0; b < apps; b++)
          if (((s >>> ((b * tenants + t) * users)) & full) !== 0 && ((s >>> (connBits + b)) & 1) === 0) onTenant++;
        for (let u = 0; u < users; u++) {
          const bit = 1 << (shift + u);
          const connected = (s & bit) !== 0;
          // connect: a new tenant for an uncertified app must fit both caps
          const allowed = connected || cell !== 0 || certified === 1 || (held < appCap && onTenant < orgCap);
          for (const next of [allowed ? s | bit : s, s & ~bit]) {
            transitions++;
            if (!seen.has(next)) {
              seen.add(next);
              queue.push(next);
            }
          }
        }
      }
      for (let u = 0; u < users; u++) {
        let next = s;
        for (let t = 0; t < tenants; t++) next &= ~(1 << ((a * tenants + t) * users + u));
        transitions++;
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
      const next = s | (1 << (connBits + a));
      transitions++;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return { states: seen.size, transitions, seen };
}

function timed<T>(run: () => T): { value: T; seconds: number } {
  const started = process.hrtime.bigint();
  const value = run();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** `timed` three times: the median run, and the CPU seconds of every thread of this process in it. */
function median3<T>(run: () => T): { value: T; seconds: number; cpu: number } {
  const runs = [0, 1, 2].map(() => {
    const cpu = process.cpuUsage();
    const one = timed(run);
    const used = process.cpuUsage(cpu);
    return { ...one, cpu: (used.user + used.system) / 1e6 };
  });
  return runs.sort((x, y) => x.seconds - y.seconds)[1] as { value: T; seconds: number; cpu: number };
}

const n = (x: number) => Math.round(x).toLocaleString('en');
const peakMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

function scaled(appCap: number, orgCap: number): Policy {
  const base = builtinPolicy('xero-oauth2-2019');
  if (base === undefined) throw new Error('xero-oauth2-2019 is missing');
  return { ...base, appCap, orgCap };
}

/** @xstate/graph on the XState machine itself, keyed by the explorer's compact key (no symmetry). */
function graphStates(policy: Policy, bounds: Bounds): number {
  const arena = arenaOf(bounds, [policy]);
  const keys = new StateKeys(arena, false, 1);
  let snapshot = initialSnapshot({ policy });
  const declared = initialState(arena, policy);
  // Reach the declared state through the machine's own snapshots, as the explorer does.
  for (const id of arena.appIds) snapshot = step(snapshot, { type: 'app', app: id, changes: {} });
  for (const id of arena.tenantIds) snapshot = step(snapshot, { type: 'tenant', tenant: id, kind: defaultTenant(id).kind });
  if (keys.key([keys.code(snapshot.context.world)]) !== keys.key([keys.code(declared.context.world)]))
    throw new Error('bench: start states differ');
  const events = arena.moves.flatMap((m) => m.events.filter((e: PlatformEvent) => e.type !== 'consent'));
  const paths = getShortestPaths(MODEL.machine, {
    fromState: snapshot,
    events,
    serializeState: (s) => String(keys.key([keys.code((s as typeof snapshot).context.world)])),
    limit: 5_000_000,
  });
  return paths.length;
}

/** Explorer and @xstate/graph on one bound: states and seconds of each, explorer with and without symmetry. */
function versusGraph(policy: Policy, bounds: Bounds, label: string): void {
  const plain = timed(() => explore(policy, bounds, { symmetry: false }));
  const reduced = timed(() => explore(policy, bounds));
  const graph = timed(() => graphStates(policy, bounds));
  console.log(
    `  ${label}: @xstate/graph ${n(graph.value)} states in ${graph.seconds.toFixed(2)} s (${n(graph.value / graph.seconds)} states/s);` +
      ` explorer without symmetry ${n(plain.value.states)} states in ${plain.seconds.toFixed(2)} s (${n(plain.value.states / plain.seconds)} states/s, ${(graph.seconds / plain.seconds).toFixed(0)}x faster);` +
      ` with symmetry ${n(reduced.value.states)} states in ${reduced.seconds.toFixed(2)} s (${(graph.seconds / reduced.seconds).toFixed(0)}x faster to the same answer); peak RSS ${peakMb()} MB`,
  );
}

/** The explorer's target without symmetry: this share of the plain BFS's states per second. */
const RATE_TARGET = 0.5;
/** The larger bounds with symmetry: each within this time and peak memory. */
const BIG_SECONDS = 120;
const BIG_MB = 4096;

/** Threads of the searches run with several (`--workers`): two, when the machine has two cores. */
const WORKERS = Math.min(2, availableParallelism());

/** The larger bounds searched with symmetry at caps 2/2, each in a process of its own, with `WORKERS` threads. */
const BIG: Record<string, Bounds> = {
  '4x4x2': { apps: 4, tenants: 4, users: 2 },
  '5x5x1': { apps: 5, tenants: 5, users: 1 },
};

/**
 * Their state counts when exhaustive, pinned here because 4 x 4 x 2 takes minutes (5 x 5 x 1 is
 * pinned in model/search/explore.test.ts too).
 */
const BIG_STATES: Record<string, number> = { '4x4x2': 9_840_772, '5x5x1': 32_965 };

interface BigRun {
  threads: number;
  states: number;
  transitions: number;
  depth: number;
  complete: boolean;
  violation: string | null;
  seconds: number;
  peakMb: number;
}

/** One larger bound in this process (the child's side of `bigRun`): its figures as one JSON line. */
function bigRunHere(name: string): void {
  const bounds = BIG[name];
  if (bounds === undefined) throw new Error(`bench: no bound ${name}`);
  // Stopped after twice the target time, with the states found so far, so the benchmark ends.
  const steps = exploreSteps(scaled(2, 2), bounds, { workers: WORKERS });
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  let states = 0;
  let result: ExploreResult | undefined;
  for (;;) {
    const next = steps.next();
    if (next.done === true) {
      result = next.value;
      break;
    }
    states = next.value;
    if (elapsed() > 2 * BIG_SECONDS) break;
  }
  const figures: BigRun = {
    threads: result?.threads ?? WORKERS,
    states: result?.states ?? states,
    transitions: result?.transitions ?? 0,
    depth: result?.depth ?? 0,
    complete: result?.complete ?? false,
    violation: result?.violation?.invariant ?? null,
    seconds: elapsed(),
    peakMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** One larger bound in a fresh process, so that its peak memory is its own (a heap of 4 GB). */
function bigRun(name: string): BigRun | string {
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=4096', '--import', 'tsx', fileURLToPath(import.meta.url), '--bound', name],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 4 * BIG_SECONDS * 1000,
    },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    return `failed (${child.signal ?? `exit ${child.status}`}): ${child.stderr.trim().split('\n').pop() ?? ''}`;
  return JSON.parse(line) as BigRun;
}

const verdict = (met: boolean) => (met ? 'MET' : 'MISSED');

/** Print the explorer's figures. */
export async function benchExplore(): Promise<void> {
  console.log('explorer: 4 apps x 4 tenants x 1 user, caps 2/2 (appCap=2 orgCap=2), moves connect/disconnect/revoke/certify');
  const policy = scaled(2, 2);
  const big: Bounds = { apps: 4, tenants: 4, users: 1 };

  // Medians of three: the plain BFS takes about a second, which the machine's load moves by a third.
  const plain = median3(() => plainBfs(4, 4, 1, 2, 2));
  const plainRate = plain.value.states / plain.seconds;
  console.log(
    `  plain hand-written BFS (baseline; hand-coded rules, no invariants): ${n(plain.value.states)} states, ${n(plain.value.transitions)} transitions in ${plain.seconds.toFixed(2)} s (median of 3) = ${n(plainRate)} states/s; peak RSS ${peakMb()} MB`,
  );

  const unreduced = median3(() => explore(policy, big, { symmetry: false }));
  const unreducedRate = unreduced.value.states / unreduced.seconds;
  const unreducedRatio = unreducedRate / plainRate;
  console.log(
    `  explorer without symmetry (exhaustive; ${INVARIANTS.length} invariants on each transition; ${n(unreduced.value.states)} states, ${n(unreduced.value.transitions)} transitions, ${n(unreduced.value.played)} played through the machine, the others recalled): ${unreduced.seconds.toFixed(2)} s (median of 3) = ${n(unreducedRate)} states/s = ${unreducedRatio.toFixed(3)}x the plain BFS (target ${RATE_TARGET}x: ${verdict(unreducedRatio >= RATE_TARGET)}); ${((unreduced.seconds * 1e6) / unreduced.value.transitions).toFixed(2)} us per transition; peak RSS ${peakMb()} MB`,
  );
  if (WORKERS > 1) {
    const shared = median3(() => explore(policy, big, { symmetry: false, workers: WORKERS }));
    const sharedRate = shared.value.states / shared.seconds;
    const sharedRatio = sharedRate / plainRate;
    const counted = shared.value.states === unreduced.value.states && shared.value.transitions === unreduced.value.transitions;
    console.log(
      `  the same with ${shared.value.threads} threads (--workers ${WORKERS}; ${counted ? 'the same states and transitions' : 'OTHER STATES OR TRANSITIONS'}): ${shared.seconds.toFixed(2)} s (median of 3) = ${n(sharedRate)} states/s = ${sharedRatio.toFixed(3)}x the plain BFS (target ${RATE_TARGET}x: ${verdict(counted && sharedRatio >= RATE_TARGET)}); CPU ${shared.cpu.toFixed(2)} s in all threads, against ${plain.cpu.toFixed(2)} s for the plain BFS's one`,
    );
  }
  const everyMove = timed(() => explore(policy, big, { symmetry: false, memo: false }));
  console.log(
    `  the same, every move played through the machine (no memo): ${everyMove.seconds.toFixed(2)} s = ${n(everyMove.value.states / everyMove.seconds)} states/s = ${(everyMove.value.states / everyMove.seconds / plainRate).toFixed(3)}x the plain BFS; ${((everyMove.seconds * 1e6) / everyMove.value.transitions).toFixed(2)} us per transition`,
  );

  const reduced = timed(() => explore(policy, big, { symmetry: true }));
  const reducedRate = reduced.value.states / reduced.seconds;
  console.log(
    `  explorer with symmetry (exhaustive): ${n(reduced.value.states)} states, ${n(reduced.value.transitions)} transitions in ${reduced.seconds.toFixed(2)} s = ${n(reducedRate)} states/s = ${(reducedRate / plainRate).toFixed(3)}x the plain BFS's rate;` +
      ` it answers for all ${n(plain.value.states)} states in ${(reduced.seconds / plain.seconds).toFixed(2)}x the plain BFS's time (${n(plain.value.states / reduced.seconds)} states covered/s); peak RSS ${peakMb()} MB`,
  );
  console.log(
    `  state counts: ${n(plain.value.states)} without symmetry (the plain BFS's count; the explorer's equals it on every bound model/search/explore.test.ts compares), ${n(reduced.value.states)} with (${(plain.value.states / reduced.value.states).toFixed(0)}x fewer)`,
  );

  console.log(
    `explorer with symmetry at larger bounds, caps 2/2, each in its own process (target: within ${BIG_SECONDS} s and ${BIG_MB / 1024} GB)`,
  );
  for (const [name, bounds] of Object.entries(BIG)) {
    const run = bigRun(name);
    const label = `${bounds.apps} apps x ${bounds.tenants} tenants x ${bounds.users} user${bounds.users === 1 ? '' : 's'}`;
    if (typeof run === 'string') {
      console.log(`  ${label}: ${run} (${verdict(false)})`);
      continue;
    }
    const pinned = BIG_STATES[name];
    const counted = run.states === pinned ? 'as pinned' : `PINNED ${n(pinned ?? 0)}`;
    const met = run.complete && run.states === pinned && run.seconds <= BIG_SECONDS && run.peakMb <= BIG_MB;
    console.log(
      run.complete
        ? `  ${label}, ${run.threads} thread${run.threads === 1 ? '' : 's'}: ${n(run.states)} states (${counted}), ${n(run.transitions)} transitions, depth ${run.depth}${run.violation === null ? '' : `, violation ${run.violation}`} in ${run.seconds.toFixed(1)} s = ${n(run.states / run.seconds)} states/s; peak RSS ${n(run.peakMb)} MB (${verdict(met)})`
        : `  ${label}, ${run.threads} thread${run.threads === 1 ? '' : 's'}: stopped after ${run.seconds.toFixed(0)} s at ${n(run.states)} states, not exhaustive (${n(run.states / run.seconds)} states/s); peak RSS ${n(run.peakMb)} MB (${verdict(met)})`,
    );
  }

  console.log('explorer vs @xstate/graph getShortestPaths (the XState machine, same moves, same keys), caps 2/2, 1 user');
  versusGraph(policy, { apps: 3, tenants: 3, users: 1 }, '3 apps x 3 tenants');
  versusGraph(policy, { apps: 3, tenants: 4, users: 1 }, '3 apps x 4 tenants (about a minute)');
}

// Alone: `npm run build && npx tsx bench/explore.ts`; `--bound NAME` runs one larger bound (the child of `bigRun`).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--bound');
  if (at >= 0) bigRunHere(process.argv[at + 1] ?? '');
  else await benchExplore();
}
