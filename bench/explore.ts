/**
 * The explorer's benchmark: states per second against a plain hand-written BFS over the same
 * rules and bounds (in this process), against @xstate/graph's `getShortestPaths` on a bound it
 * can finish, the state counts with and without symmetry reduction, and peak memory. Prints
 * figures and ratios; asserts nothing.
 * @module
 */
import { getShortestPaths } from '@xstate/graph';
import { arenaOf, initialState } from '../model/search/bounds.ts';
import { explore, type Bounds } from '../model/search/explore.ts';
import { INVARIANTS } from '../model/platform/invariants.ts';
import { builtinPolicy } from '../model/platform/policies.ts';
import type { Policy } from '../model/platform/policy.ts';
import { initialSnapshot, MODEL, step } from '../model/engine/step.ts';
import { StateKeys } from '../model/search/symmetry.ts';
import type { PlatformEvent } from '../model/platform/transitions.ts';
import { defaultTenant } from '../model/world/world.ts';

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

/** Print the explorer's figures. */
export async function benchExplore(): Promise<void> {
  console.log('explorer: 4 apps x 4 tenants x 1 user, caps 2/2 (appCap=2 orgCap=2), moves connect/disconnect/revoke/certify');
  const policy = scaled(2, 2);
  const big: Bounds = { apps: 4, tenants: 4, users: 1 };

  const plain = timed(() => plainBfs(4, 4, 1, 2, 2));
  const plainRate = plain.value.states / plain.seconds;
  console.log(
    `  plain hand-written BFS (baseline; hand-coded rules, no invariants): ${n(plain.value.states)} states, ${n(plain.value.transitions)} transitions in ${plain.seconds.toFixed(2)} s = ${n(plainRate)} states/s; peak RSS ${peakMb()} MB`,
  );

  const sample = 30_000;
  const unreduced = timed(() => explore(policy, big, { symmetry: false, maxStates: sample }));
  const unreducedRate = unreduced.value.states / unreduced.seconds;
  console.log(
    `  explorer without symmetry (machine steps, ${INVARIANTS.length} invariants on each; first ${n(unreduced.value.states)} states, ${n(unreduced.value.transitions)} transitions): ${unreduced.seconds.toFixed(2)} s = ${n(unreducedRate)} states/s = ${(unreducedRate / plainRate).toFixed(3)}x the plain BFS; ${((unreduced.seconds * 1e6) / unreduced.value.transitions).toFixed(1)} us per transition; peak RSS ${peakMb()} MB`,
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

  console.log('explorer vs @xstate/graph getShortestPaths (the XState machine, same moves, same keys), caps 2/2, 1 user');
  versusGraph(policy, { apps: 3, tenants: 3, users: 1 }, '3 apps x 3 tenants');
  versusGraph(policy, { apps: 3, tenants: 4, users: 1 }, '3 apps x 4 tenants (about a minute)');
}
