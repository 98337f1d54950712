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
import { arenaOf, declarations, initialState, type Arena, type Bounds } from './bounds.ts';
import { INVARIANTS } from '../platform/invariants.ts';
import type { Policy } from '../platform/policy.ts';
import { MODEL, type Model } from '../engine/step.ts';
import { BreadthFirst, drain, MAX_STATES, SLICE_MS } from './breadth-first.ts';
import { searchInParallel } from './parallel.ts';
import type { TransitionCounts } from './recalling.ts';
import { StateKeys } from './symmetry.ts';
import type { Outcome, TraceEvent } from '../types.ts';
import { observedValue } from '../io/trace-line.ts';
import { CodeStore, type CodeReads, codeWidth } from './code-reads.ts';
import { expansionOf } from './expansion.ts';

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
  /**
   * Threads that searched: `workers`, or 1 when the search could not be shared (keys that are
   * not whole numbers, or a model or reads given in place of the model's own).
   */
  threads: number;
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
  /**
   * Threads that search together (default 1; at most `MAX_WORKERS`): this one and `workers - 1`
   * worker threads (`parallel.ts`). The states, transitions, depth and completeness found are
   * one thread's; on a violation, the trace is one of the shortest.
   */
  workers?: number;
}

/** The most threads one search runs. */
export const MAX_WORKERS = 64;

/**
 * Default bounds of `xcm explore`: one app more than a tenant's two uncertified slots, and three
 * tenants, so that at scaled caps (`--set appCap=2`) an app fills its cap and a tenant its slots.
 * One user: a second user multiplies the states (4 apps x 4 tenants at caps 2/2 has 1,778 states
 * with one user, and 9,840,772 with two); pass `--users 2` for several users on one tenant.
 */
export const DEFAULT_BOUNDS: Bounds = { apps: 3, tenants: 3, users: 1 };

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

/** The violation a search found: the shortest trace along `path`, breaking `broken`. */
function violationOf(arena: Arena, policy: Policy, model: Model, path: readonly number[], broken: string[]): ExploreResult['violation'] {
  return { invariant: broken[0] ?? '', broken, trace: annotatedTrace(arena, policy, model, path), depth: path.length };
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
  const threads = options.workers ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WORKERS)
    throw new RangeError(`explore: workers must be a whole number from 1 to ${MAX_WORKERS}, got ${threads}`);
  const maxStates = Math.min(options.maxStates ?? MAX_STATES, MAX_STATES);
  const result = (
    outcome: { states: number; depth: number; complete: boolean; counts: TransitionCounts },
    found: { path: readonly number[]; broken: string[] } | undefined,
    searched: number,
  ): ExploreResult => ({
    states: outcome.states,
    transitions: outcome.counts.transitions,
    played: outcome.counts.transitions - outcome.counts.answered - outcome.counts.recalled,
    checks: Object.fromEntries(INVARIANTS.map((inv) => [inv.name, outcome.counts.transitions])),
    violation: found === undefined ? null : violationOf(arena, policy, model, found.path, found.broken),
    symmetryReduced: keys.symmetry,
    complete: found !== undefined || outcome.complete,
    depth: outcome.depth,
    bounds,
    threads: searched,
  });
  // Threads share a search of the model itself whose keys are whole numbers (see `parallel.ts`).
  if (threads > 1 && options.model === undefined && options.reads === undefined && keys.numberKeys()) {
    const steps = searchInParallel(policy, bounds, {
      symmetry: keys.symmetry,
      memo: options.memo ?? true,
      maxStates,
      threads,
      sliceMs: SLICE_MS,
    });
    let lastProgress = Date.now();
    try {
      for (;;) {
        const next = steps.next();
        if (next.done === true) return result(next.value, next.value.found, threads);
        const now = Date.now();
        if (options.onProgress !== undefined && now - lastProgress >= 1000) {
          lastProgress = now;
          options.onProgress(next.value);
        }
        yield next.value;
      }
    } finally {
      // Also when returned early, by a caller that stops between two slices: the workers stop too.
      steps.return(undefined as never);
    }
  }
  const start = initialState(arena, policy, model);
  // The queue holds no state: a state's world is played again from the one it was discovered
  // from when it is needed, so the search keeps a few numbers per state, not a world.
  const search = new BreadthFirst<null, null>(null, null, keys.keyOf(keys.code(start.context.world)));
  const store = new CodeStore(codeWidth(arena.appIds.length, arena.tenantIds.length));
  const { expand, counts } = expansionOf(arena, keys, model, start, search, store, options);
  const { found, complete } = yield* search.steps((_state: null, _code: null, index: number) => expand(index), {
    onProgress: options.onProgress,
    maxStates,
  });
  return result(
    { states: search.states, depth: search.depth, complete, counts },
    found === undefined ? undefined : { path: search.pathTo(found.index, found.move), broken: found.broken },
    1,
  );
}
