/**
 * The explorer: a breadth-first search over every state the machine can reach within bounds,
 * checking every invariant of the registry on every machine step of every transition. On a
 * violation it returns the shortest trace that reaches it, as trace-file events that replay with
 * `xcm check` and `xcm run`.
 *
 * Why its own search: @xstate/graph queues edges with `Array.shift` and so is quadratic (it did
 * not finish 4 apps x 4 tenants in 15 minutes). This one keeps a flat queue with a head index,
 * compact keys (`symmetry.ts`), and steps the machine's compiled form (`compiled.ts`, proven
 * equal to the machine by a property test). Every state it expands is one the machine produced
 * from the initial state, so every path it reports is a real run.
 *
 * A move is played through the machine (and the invariants) only the first time its steps read
 * what they read from a state; from any later state that holds the same there, what the move did
 * is recalled (`move-memo.ts`, and `recalling.ts`, the expansion that uses it). So the search
 * keeps each state's code, a byte a cell and a lifecycle, and plays a state's world again from its
 * parent only when a move of it is played.
 * `memo: false` plays every move; a property holds the two to each other.
 * @module
 */
import { arenaOf, declarations, initialState, type Arena, type Bounds, type Move } from './bounds.ts';
import type { CompiledState } from '../engine/compiled.ts';
import { brokenInvariants, INVARIANTS, keepsInvariants } from '../platform/invariants.ts';
import type { Policy } from '../platform/policy.ts';
import { MODEL, type Model } from '../engine/step.ts';
import { BreadthFirst, drain } from './breadth-first.ts';
import { StateKeys, type Code } from './symmetry.ts';
import { RecentCodes } from './recent-codes.ts';
import type { PlatformEvent } from '../platform/transitions.ts';
import type { Outcome, TraceEvent } from '../types.ts';
import { sameApps, sameLinks } from '../world/world.ts';
import { observedValue } from '../io/trace-line.ts';
import type { CodeReads } from './code-reads.ts';
import { Recalling, type TransitionCounts } from './recalling.ts';

export type { Bounds } from './bounds.ts';

/** What the explorer found. */
export interface ExploreResult {
  /** Distinct states reached (orbits, with symmetry). */
  states: number;
  /** Transitions covered: one per (state, move). */
  transitions: number;
  /**
   * Transitions played through the machine and the invariants. The others were recalled from a
   * play of the same move that read the same (the memo), or, with symmetry, are renamings of a
   * move played from the same state (a move naming an app, tenant or user interchangeable there
   * with an earlier one), answered by it.
   */
  played: number;
  /** Invariant name → transitions it was checked on (every machine step of each: played, recalled, or answered by a renaming). */
  checks: Record<string, number>;
  /** The first violation, with the shortest trace to it; null when every invariant holds. */
  violation: null | {
    invariant: string;
    /** Every invariant the last step breaks. */
    broken: string[];
    /** Declarations, then the moves, each with the outcome the model gave as `observed`. */
    trace: TraceEvent[];
    /** Moves in the trace (its length without declarations). */
    depth: number;
  };
  /** Whether states were keyed up to renaming of apps, tenants and users of one kind. */
  symmetryReduced: boolean;
  /** False when `maxStates` stopped the search before it was exhaustive. */
  complete: boolean;
  /** Length of the longest shortest path from the start (the search's depth). */
  depth: number;
  /** The bounds searched. */
  bounds: Bounds;
}

/** Options of `explore`. */
export interface ExploreOptions {
  /** Key states up to renaming (default true). */
  symmetry?: boolean;
  /** Called about once a second with the states found so far. */
  onProgress?: (states: number) => void;
  /** Stop after this many states (the result says `complete: false`; default and at most `MAX_STATES`, 16,000,000). */
  maxStates?: number;
  /**
   * Recall a move's effect from an earlier state where its steps read the same (`move-memo.ts`;
   * default true); false plays every move through the machine.
   */
  memo?: boolean;
  /**
   * What tells the memo the positions a move read (default: `CodeReads` of the arena): a
   * deliberately broken variant in the mutant tests.
   */
  reads?: (arena: Arena) => CodeReads;
  /** The model to explore: a deliberately broken variant in the mutant tests (default: the model). */
  model?: Model;
}

/**
 * Default bounds of `xcm explore`: one app more than a tenant's two uncertified slots, and three
 * tenants, so that at scaled caps (`--set appCap=2`) an app fills its cap and a tenant its slots.
 * One user: a second user multiplies the states (4 apps x 4 tenants at caps 2/2 has 1,778 states
 * with one user, and 9,840,772 with two); pass `--users 2` for several users on one tenant.
 */
export const DEFAULT_BOUNDS: Bounds = { apps: 3, tenants: 3, users: 1 };

const CONSENT: PlatformEvent = { type: 'consent' };

/**
 * The app, tenant and user each move of the arena names, as indices into the arena (-1: none, or
 * two tenants), three numbers a move in the order of its moves.
 */
function moveNames(arena: Arena): Int32Array {
  const index = (list: readonly string[], id: string | undefined) => (id === undefined ? -1 : list.indexOf(id));
  const names = arena.moves.map((move) => {
    const named = move.events.filter((e) => e.type !== 'consent');
    const first = named[0];
    if (first === undefined || !('app' in first)) throw new Error('explorer: a move names no app');
    const tenant = named.length === 1 && 'tenant' in first ? index(arena.tenantIds, first.tenant) : -1;
    const user = 'user' in first ? index(arena.userIds, first.user) : -1;
    return [index(arena.appIds, first.app), tenant, user];
  });
  return Int32Array.from(names.flat());
}

/** Replay moves from the start and annotate each with the model's outcome as `observed`. */
function annotatedTrace(arena: Arena, policy: Policy, model: Model, path: readonly number[]): TraceEvent[] {
  let state = initialState(arena, policy, model);
  const moves = path.map((index) => {
    const move = arena.moves[index];
    if (move === undefined) throw new Error(`explorer: no move ${index}`);
    const outcomes: Outcome[] = [];
    for (const event of move.events) {
      state = model.compiled.step(state, event);
      if (event.type !== 'consent') outcomes.push(state.context.outcome ?? 'ok');
    }
    return { ...move.trace, observed: observedValue(move.trace, outcomes) } as TraceEvent;
  });
  return [...declarations(arena, moves), ...moves];
}

/**
 * Explore every reachable state within the bounds, checking every invariant on every step; on a
 * violation, the shortest trace to it.
 * @example
 * ```ts
 * import { explore, resolvePolicy } from 'xero-connection-model';
 * const scaled = explore(resolvePolicy('xero-oauth2-2019', ['appCap=2']), { apps: 3, tenants: 3, users: 1 });
 * console.log(scaled.states, scaled.violation); // → 168 null
 * const bug = explore(resolvePolicy('xero-bug-2020-02/refuses-at-limit'), { apps: 3, tenants: 2, users: 1 });
 * console.log(bug.violation?.invariant, bug.violation?.depth); // → refusalsAreRequired 2
 * ```
 */
export function explore(policy: Policy, bounds: Bounds, options: ExploreOptions = {}): ExploreResult {
  return drain(exploreSteps(policy, bounds, options));
}

/**
 * `explore` as a generator that yields the states found so far every few milliseconds, so that a
 * caller can run it in slices (the CLI, between turns of the event loop) and stop between two.
 */
export function* exploreSteps(policy: Policy, bounds: Bounds, options: ExploreOptions = {}): Generator<number, ExploreResult> {
  const model = options.model ?? MODEL;
  const arena = arenaOf(bounds, [policy]);
  const keys = new StateKeys(arena, options.symmetry ?? true, 1);
  const start = initialState(arena, policy, model);
  // The queue holds no state: a state's world is played again from the one it was discovered
  // from when it is needed (`rebuilt`), so the search keeps a few numbers per state, not a world.
  const search = new BreadthFirst<null, null>(null, null, keys.keyOf(keys.code(start.context.world)));
  const step = model.compiled.step;
  const moves = arena.moves;
  // Under symmetry a key costs more than a look-up of the exact code among the recent ones.
  const recent = new RecentCodes(keys.symmetry, arena.appIds.length, arena.appIds.length * arena.tenantIds.length, arena.userIds.length);
  /** The state a move leads to from `from` (every machine event of it, in order). */
  const played = (from: CompiledState, move: Move): CompiledState => {
    let state = from;
    for (const event of move.events) state = step(state, event);
    return state;
  };
  // The last state rebuilt at each depth: breadth-first order expands the children of one state
  // one after another, so rebuilding a state mostly plays one move from a state rebuilt just before.
  const rebuiltAt: Array<{ index: number; state: CompiledState }> = [{ index: 0, state: start }];
  const rebuilt = (index: number): CompiledState => {
    const depth = search.depthOf(index);
    const known = rebuiltAt[depth];
    if (known !== undefined && known.index === index) return known.state;
    const state = played(rebuilt(search.parentOf(index)), moves[search.moveTo(index)] as Move);
    rebuiltAt[depth] = { index, state };
    return state;
  };
  // Every invariant is checked on every transition, so one count serves them all; some are
  // answered by an earlier move of the same state (symmetry) or recalled (the memo), not played.
  const counts: TransitionCounts = { transitions: 0, answered: 0, recalled: 0 };

  const result = (violation: ExploreResult['violation'], complete: boolean): ExploreResult => ({
    states: search.states,
    transitions: counts.transitions,
    played: counts.transitions - counts.answered - counts.recalled,
    checks: Object.fromEntries(INVARIANTS.map((inv) => [inv.name, counts.transitions])),
    violation,
    symmetryReduced: keys.symmetry,
    complete,
    depth: search.depth,
    bounds,
  });
  const violationAt = (index: number, moveIndex: number, names: string[]): ExploreResult => {
    const path = search.pathTo(index, moveIndex);
    return result(
      { invariant: names[0] ?? '', broken: names, trace: annotatedTrace(arena, policy, model, path), depth: path.length },
      true,
    );
  };
  /** Every invariant each step of a move breaks, once each, in the order found (the move broke one). */
  const brokenInMove = (from: CompiledState, move: Move, afterConsent: CompiledState | null): string[] => {
    const names: string[] = [];
    let state = from;
    for (let i = 0; i < move.events.length; i++) {
      const event = move.events[i] as PlatformEvent;
      if (i === 0 && move.consent && afterConsent !== null) {
        state = afterConsent;
        continue;
      }
      const next = step(state, event);
      names.push(...brokenInvariants(state.context, event, next.context));
      state = next;
    }
    return [...new Set(names)];
  };

  const names = keys.symmetry ? moveNames(arena) : null;
  /**
   * Whether move `m` names an app, tenant or user interchangeable with an earlier one in the
   * state (`same`, its `representatives`): it is then the renaming of an earlier move, reaches a
   * state of the orbit that move reached, and keeps or breaks each invariant as it does (no
   * invariant names an id). It is answered by that move, which comes first in the order of
   * moves, so the first move to break an invariant is always played.
   */
  const renamed = (m: number, same: ReturnType<StateKeys['representatives']> | null): boolean => {
    if (same === null || names === null) return false;
    const app = names[3 * m] as number;
    const tenant = names[3 * m + 1] as number;
    const user = names[3 * m + 2] as number;
    return same.apps[app] !== app || (tenant >= 0 && same.tenants[tenant] !== tenant) || (user >= 0 && same.users[user] !== user);
  };
  // The code of the successor at hand: read once (the recent codes, the key), then dropped.
  const scratch: Code = { life: [], cells: new Array<number>(arena.appIds.length * arena.tenantIds.length).fill(0) };
  const consentIndex = moves.findIndex((m) => m.consent);
  /** Expand a state by playing every move through the machine. */
  const expandPlaying = (head: number): ExploreResult | undefined => {
    const state = rebuilt(head);
    const before = state.context;
    const previous = { world: before.world, code: keys.code(before.world) };
    // Every connect opens with the same consent from this state: play and check it once; it is
    // part of (and counted with) each connect transition below.
    let afterConsent: CompiledState | null = null;
    if (consentIndex >= 0) {
      afterConsent = step(state, CONSENT);
      if (!keepsInvariants(before, CONSENT, afterConsent.context)) {
        counts.transitions++;
        return violationAt(head, consentIndex, brokenInvariants(before, CONSENT, afterConsent.context));
      }
    }
    const world = before.world;
    const same = names === null ? null : keys.representatives(previous.code);
    for (let m = 0; m < moves.length; m++) {
      const move = moves[m] as Move;
      if (renamed(m, same)) {
        counts.transitions++;
        counts.answered++;
        continue;
      }
      const events = move.events;
      let next = state;
      let kept = true;
      for (let i = 0; i < events.length; i++) {
        if (i === 0 && move.consent && afterConsent !== null) {
          next = afterConsent;
          continue;
        }
        const event = events[i] as PlatformEvent;
        const after = step(next, event);
        if (!keepsInvariants(next.context, event, after.context)) kept = false;
        next = after;
      }
      counts.transitions++;
      if (!kept) return violationAt(head, m, brokenInMove(state, move, afterConsent));
      const nextWorld = next.context.world;
      if (sameLinks(world, nextWorld) && sameApps(world, nextWorld)) continue;
      const nextCode = keys.codeInto(nextWorld, previous, scratch);
      if (recent.has(nextCode)) continue;
      recent.add();
      search.discover(null, null, keys.keyOf(nextCode), head, m);
    }
    return undefined;
  };

  const recalling =
    options.memo === false
      ? null
      : new Recalling<ExploreResult>(
          {
            arena,
            keys,
            search,
            recent,
            step,
            counts,
            start,
            rebuilt,
            renamed,
            playing: expandPlaying,
          },
          options.reads?.(arena),
        );
  const expand = (_state: null, _code: null, head: number): ExploreResult | undefined =>
    recalling === null ? expandPlaying(head) : recalling.expand(head);
  const { found, complete } = yield* search.steps(expand, {
    onProgress: options.onProgress,
    ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
  });
  return found ?? result(null, complete);
}
