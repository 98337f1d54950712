/**
 * The policy diff: the shortest event sequence after which two policies give a different
 * outcome, by a breadth-first search over the product of two machines (one per policy) that take
 * the same moves. The first move on which their outcomes differ ends the search; breadth-first
 * order makes the trace a shortest one within the bounds searched.
 *
 * Exact at real caps: the 20-tenant claim and the 25-tenant cap first differ on a 21st tenant,
 * which a search over 21 tenants finds in seconds only because tenants of one kind are
 * interchangeable (`symmetry.ts`): the product state is "how many tenants hold which apps", not
 * which tenants.
 *
 * Default bounds (when none are given), two searches, the shorter answer wins:
 * 1. the organisation bound: one app more than the larger `orgCap` (at most 4), 2 tenants, 1
 *    user: where the per-organisation limit, certification and tiers meet;
 * 2. the app-cap bound: 1 app, one tenant more than the largest finite cap in force under either
 *    policy (`appCap`, `certifiedCap`, `customCap`, and the tier caps when tiered), at least 2 and
 *    at most 100,001 (Advanced's 10,000 and past: a larger cap is refused, never called
 *    equivalent), 1 user; searched only to depths shorter than the first search's answer. Tenants
 *    of one class (same kind, same connections) are searched as one (`tenant-classes.ts`), so
 *    10,001 tenants cost about what 26 did.
 * One user: no policy parameter makes an outcome depend on which user connects, beyond a
 * re-consent by the same user, which one user covers (and a second user makes the organisation
 * search 30 times larger under the tiers). A difference that needs many tenants and several apps
 * at once, or several users, is outside both searches: pass bounds.
 * @module
 */
import { arenaOf, DIFF_BOUND_LIMITS, declarations, initialState, moveLayout, type Arena, type Bounds, type Move } from './bounds.ts';
import { InputError } from '../errors.ts';
import { inertKeys } from '../platform/policy.ts';
import { LIFE_BITS, lifeCode } from './state-code.ts';
import { TenantClasser, type Classes } from './tenant-classes.ts';
import type { CompiledState } from '../engine/compiled.ts';
import { BreadthFirst, drain, MAX_STATES } from './breadth-first.ts';
import type { Policy } from '../platform/policy.ts';
import { MODEL } from '../engine/step.ts';
import { StateKeys, type Code } from './symmetry.ts';
import type { PlatformEvent } from '../platform/transitions.ts';
import type { Outcome, TraceEvent } from '../types.ts';
import { sameApps, sameLinks } from '../world/world.ts';
import { observedText, observedValue } from '../io/trace-line.ts';

/** What the diff found. */
export interface DiffResult {
  /** True when no sequence within the bounds gives different outcomes (never when not `complete`). */
  equivalent: boolean;
  /**
   * False when `maxStates` stopped the search before it was exhaustive: no difference found means
   * none within the states searched, and a difference found may not be a shortest one.
   */
  complete: boolean;
  /** The bounds of the search that found the trace (when equivalent: the last one searched). */
  bounds: Bounds;
  /** Every bounds searched, in order (when not `complete`, the last is the one `maxStates` stopped). */
  searched: Bounds[];
  /** The shortest distinguishing trace: declarations, then moves; empty when equivalent. */
  trace: TraceEvent[];
  /** Where they differ: the index of the last trace event and each policy's outcome there. */
  difference: { index: number; a: string; b: string } | null;
  /** The ids of the two policies. */
  policies: { a: string; b: string };
  /** Product states visited, over every search. */
  states: number;
}

/** Options of `diffPolicies`. */
export interface DiffOptions {
  /** Key product states up to renaming (default true). */
  symmetry?: boolean;
  /** Called about once a second with the states found so far (of the search under way). */
  onProgress?: (states: number) => void;
  /**
   * Stop once this many product states are known, over every search (the result says
   * `complete: false`; default and at most `MAX_STATES`, 16,000,000, per search).
   */
  maxStates?: number;
}

/**
 * Tenants enough to go one past the largest finite cap of either policy: every cap that is not
 * inert under it (`appCap`, `certifiedCap` and `customCap` outside the tiers; the tier caps and
 * `customCap` under them), at least 2. A cap past the diff's bound (100,000) is refused rather
 * than searched short of it.
 */
function capTenants(a: Policy, b: Policy): number {
  const finite = [a, b].flatMap((p) => {
    const inert = inertKeys(p);
    return CAP_KEYS.filter((key) => !inert.includes(key))
      .map((key) => p[key])
      .filter((c): c is number => c !== null);
  });
  const tenants = Math.max(2, Math.max(0, ...finite) + 1);
  if (tenants > DIFF_BOUND_LIMITS.tenants)
    throw new InputError(
      `a cap of ${(tenants - 1).toLocaleString('en')} needs ${tenants.toLocaleString('en')} tenants, more than the diff searches (${DIFF_BOUND_LIMITS.tenants.toLocaleString('en')})`,
      { field: '--tenants' },
      'give --apps, --tenants and --users to search smaller bounds',
    );
  return tenants;
}

/** The parameters that cap an app's tenants. */
const CAP_KEYS = ['appCap', 'certifiedCap', 'customCap', 'starterCap', 'coreCap', 'plusCap', 'advancedCap', 'enterpriseCap'] as const;

/**
 * The bounds `diffPolicies` searches: with any size given, one search (sizes not given: one app
 * more than the larger `orgCap`, `capTenants` tenants, 1 user); otherwise the two default searches.
 * Kinds, pairs and tier moves given apply to every search.
 */
export function diffBounds(a: Policy, b: Policy, given: Partial<Bounds> = {}): Bounds[] {
  const orgApps = Math.min(4, Math.max(a.orgCap, b.orgCap) + 1);
  const tenants = capTenants(a, b);
  const hasSize = given.apps !== undefined || given.tenants !== undefined || given.users !== undefined;
  if (hasSize) return [{ apps: orgApps, tenants, users: 1, ...given } as Bounds];
  return [
    { apps: orgApps, tenants: 2, users: 1, ...given },
    { apps: 1, tenants, users: 1, ...given },
  ];
}

/** Whether two policies gave one move the same outcomes (the same move: as many outcomes each). */
function sameOutcomes(a: readonly Outcome[], b: readonly Outcome[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A move's outcomes as the diff reports them: its `observed` value in one line of text. */
function outcomeText(move: Move, outcomes: readonly Outcome[]): string {
  return observedText(observedValue(move.trace, outcomes));
}

function playMove(from: CompiledState, afterConsent: CompiledState, move: Move): { state: CompiledState; outcomes: Outcome[] } {
  let state = from;
  const outcomes: Outcome[] = [];
  move.events.forEach((event: PlatformEvent, i) => {
    if (i === 0 && move.consent) {
      state = afterConsent;
      return;
    }
    state = MODEL.compiled.step(state, event);
    outcomes.push(state.context.outcome ?? 'ok');
  });
  return { state, outcomes };
}

interface Found {
  path: number[];
  a: string;
  b: string;
}

/** Limits of one search, and the states the searches before it found. */
interface SearchLimits {
  maxDepth: number;
  maxStates: number;
  before: number;
}

/** Run one product search to its end, yielding the states found so far plus those of the searches before. */
function* productSteps<C>(
  product: BreadthFirst<readonly [CompiledState, CompiledState], C>,
  expand: (state: readonly [CompiledState, CompiledState], code: C, index: number) => Found | undefined,
  limits: SearchLimits,
  options: DiffOptions,
): Generator<number, { found: Found | null; states: number; complete: boolean }> {
  const steps = product.steps(expand, { maxDepth: limits.maxDepth, maxStates: limits.maxStates, onProgress: options.onProgress });
  for (;;) {
    const next = steps.next();
    if (next.done === true) return { found: next.value.found ?? null, states: product.states, complete: next.value.complete };
    yield limits.before + next.value;
  }
}

/**
 * One breadth-first search over the product, to at most `maxDepth` moves and `maxStates` states;
 * it yields the states found so far plus `before` (the states of the searches before it).
 */
function* search(
  arena: Arena,
  a: Policy,
  b: Policy,
  limits: SearchLimits,
  options: DiffOptions,
): Generator<number, { found: Found | null; states: number; complete: boolean }> {
  const keys = new StateKeys(arena, options.symmetry ?? true, 2);
  const start = [initialState(arena, a), initialState(arena, b)] as const;
  const startCodes = [keys.code(start[0].context.world), keys.code(start[1].context.world)] as const;
  const product = new BreadthFirst<readonly [CompiledState, CompiledState], readonly [Code, Code]>(start, startCodes, keys.key(startCodes));
  const consent: PlatformEvent = { type: 'consent' };
  const expand = (
    [sa, sb]: readonly [CompiledState, CompiledState],
    [codeA, codeB]: readonly [Code, Code],
    head: number,
  ): Found | undefined => {
    const ca = MODEL.compiled.step(sa, consent);
    const cb = MODEL.compiled.step(sb, consent);
    for (let m = 0; m < arena.moves.length; m++) {
      const move = arena.moves[m] as Move;
      const na = playMove(sa, ca, move);
      const nb = playMove(sb, cb, move);
      if (!sameOutcomes(na.outcomes, nb.outcomes)) {
        return {
          path: product.pathTo(head, m),
          a: outcomeText(move, na.outcomes),
          b: outcomeText(move, nb.outcomes),
        };
      }
      const wa = na.state.context.world;
      const wb = nb.state.context.world;
      if (
        sameLinks(sa.context.world, wa) &&
        sameApps(sa.context.world, wa) &&
        sameLinks(sb.context.world, wb) &&
        sameApps(sb.context.world, wb)
      )
        continue;
      const next = [
        keys.code(wa, { world: sa.context.world, code: codeA }),
        keys.code(wb, { world: sb.context.world, code: codeB }),
      ] as const;
      product.discover([na.state, nb.state], next, keys.key(next), head, m);
    }
    return undefined;
  };
  return yield* productSteps(product, expand, limits, options);
}

/** A product state's code when tenants are counted by class: each app's two lifecycles, and the classes. */
interface ClassCode {
  lifeA: number[];
  lifeB: number[];
  classes: Classes;
}

/**
 * `search` with tenants counted by class (`tenant-classes.ts`), under symmetry: the same states in
 * the same order, the same answer, and one move per class of tenants (the one `search` meets first)
 * instead of one per tenant.
 */
function* classSearch(
  arena: Arena,
  a: Policy,
  b: Policy,
  limits: SearchLimits,
  options: DiffOptions,
): Generator<number, { found: Found | null; states: number; complete: boolean }> {
  const keys = new StateKeys(arena, true, 2);
  const classer = new TenantClasser(arena);
  const layout = moveLayout(arena);
  const tenantIndex = new Map(arena.tenantIds.map((t, i) => [t, i]));
  const named = arena.moves.map((move) => {
    const t = move.trace;
    const ids = t.type === 'connect' ? t.tenants : t.type === 'disconnect' ? [t.tenant] : [];
    return ids.map((id) => tenantIndex.get(id) ?? -1);
  });
  const life = (code: ClassCode) => code.lifeA.map((l, i) => l * 2 ** LIFE_BITS + (code.lifeB[i] ?? 0));
  const start = [initialState(arena, a), initialState(arena, b)] as const;
  const startCode: ClassCode = {
    lifeA: lifeCode(start[0].context.world, arena.appIds),
    lifeB: lifeCode(start[1].context.world, arena.appIds),
    classes: classer.classes(start[0].context.world, start[1].context.world),
  };
  const product = new BreadthFirst<readonly [CompiledState, CompiledState], ClassCode>(
    start,
    startCode,
    keys.classKey(life(startCode), startCode.classes),
  );
  const consent: PlatformEvent = { type: 'consent' };
  const A = arena.appIds.length;
  const U = arena.userIds.length;
  const pairs = arena.bounds.pairs === true;
  const movesFrom = (classes: Classes): number[] => {
    const list = [...classes.values()].map((c) => ({ least: c.members.next(0), members: c.members }));
    list.sort((x, y) => x.least - y.least);
    const indices: number[] = [];
    for (let app = 0; app < A; app++)
      for (let u = 0; u < U; u++) {
        for (const c of list) indices.push(layout.connect(app, u, c.least));
        if (pairs)
          for (const c1 of list)
            for (const c2 of list) {
              const second = c1 === c2 ? c1.members.next(c1.least + 1) : c2.least;
              if (second >= 0) indices.push(layout.pair(app, u, c1.least, second));
            }
      }
    for (let app = 0; app < A; app++) for (const c of list) for (let u = 0; u < U; u++) indices.push(layout.disconnect(app, c.least, u));
    indices.push(...layout.rest);
    return indices.sort((x, y) => x - y);
  };
  const expand = ([sa, sb]: readonly [CompiledState, CompiledState], code: ClassCode, head: number): Found | undefined => {
    const ca = MODEL.compiled.step(sa, consent);
    const cb = MODEL.compiled.step(sb, consent);
    for (const m of movesFrom(code.classes)) {
      const move = arena.moves[m] as Move;
      const na = playMove(sa, ca, move);
      const nb = playMove(sb, cb, move);
      if (!sameOutcomes(na.outcomes, nb.outcomes)) {
        return { path: product.pathTo(head, m), a: outcomeText(move, na.outcomes), b: outcomeText(move, nb.outcomes) };
      }
      const wa = na.state.context.world;
      const wb = nb.state.context.world;
      const links = sameLinks(sa.context.world, wa) && sameLinks(sb.context.world, wb);
      const apps = sameApps(sa.context.world, wa) && sameApps(sb.context.world, wb);
      if (links && apps) continue;
      const next: ClassCode = {
        lifeA: apps ? code.lifeA : lifeCode(wa, arena.appIds),
        lifeB: apps ? code.lifeB : lifeCode(wb, arena.appIds),
        classes: links ? code.classes : classer.next(code.classes, named[m] ?? [], wa, wb),
      };
      product.discover([na.state, nb.state], next, keys.classKey(life(next), next.classes), head, m);
    }
    return undefined;
  };
  return yield* productSteps(product, expand, limits, options);
}

/**
 * The shortest event sequence after which policies `a` and `b` give different outcomes, within
 * the bounds (the two default searches when none are given; see the module comment).
 * @example
 * ```ts
 * import { diffPolicies, resolvePolicy } from 'xero-connection-model';
 * const result = diffPolicies(resolvePolicy('xero-partner-page-2019'), resolvePolicy('xero-oauth2-2019'));
 * console.log(result.equivalent, result.difference); // → false { index: 20, a: 'rejected:app-limit', b: 'connected' }
 * ```
 */
export function diffPolicies(a: Policy, b: Policy, bounds?: Partial<Bounds>, options: DiffOptions = {}): DiffResult {
  return drain(diffSteps(a, b, bounds, options));
}

/**
 * `diffPolicies` as a generator that yields the product states found so far (over every search)
 * every few milliseconds, so that a caller can run it in slices and stop between two.
 */
export function* diffSteps(a: Policy, b: Policy, bounds?: Partial<Bounds>, options: DiffOptions = {}): Generator<number, DiffResult> {
  const planned = diffBounds(a, b, bounds);
  const arenas = planned.map((bound) => arenaOf(bound, [a, b], DIFF_BOUND_LIMITS));
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const searched: Bounds[] = [];
  let best: { found: Found; arena: Arena } | null = null;
  let states = 0;
  let complete = true;
  for (const arena of arenas) {
    searched.push(arena.bounds);
    const maxDepth: number = best === null ? Number.POSITIVE_INFINITY : best.found.path.length - 1;
    const result: { found: Found | null; states: number; complete: boolean } = yield* (options.symmetry === false ? search : classSearch)(
      arena,
      a,
      b,
      { maxDepth, maxStates: Math.min(maxStates - states, MAX_STATES), before: states },
      options,
    );
    states += result.states;
    if (result.found !== null) best = { found: result.found, arena };
    if (!result.complete) {
      complete = false;
      break;
    }
  }
  const policies = { a: a.id, b: b.id };
  const last = searched[searched.length - 1] as Bounds;
  if (best === null) return { equivalent: complete, complete, bounds: last, searched, trace: [], difference: null, policies, states };
  const { found, arena } = best;
  const moves = found.path.map((m) => (arena.moves[m] as Move).trace);
  const trace = [...declarations(arena, moves), ...moves];
  return {
    equivalent: false,
    complete,
    bounds: arena.bounds,
    searched,
    trace,
    policies,
    states,
    difference: { index: trace.length - 1, a: found.a, b: found.b },
  };
}
