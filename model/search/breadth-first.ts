/**
 * The breadth-first search the explorer (`explore.ts`) and the policy diff (`diff.ts`) both run:
 * a flat queue with a head index (states are dropped once expanded; parent pointers and moves stay
 * for paths), a set of the keys seen, each state's depth, a stop at a depth or a number of states,
 * and progress about once a second. What a state is, how it is expanded and what ends the search
 * early is the caller's.
 *
 * The search is a generator (`steps`) that yields the number of states found every `SLICE_MS`
 * milliseconds or so: `run` (and so `explore` and `diffPolicies`) drives it to the end at once,
 * and the CLI drives it between turns of the event loop, where a signal handler can stop it.
 * @module
 */

import { KeySet } from './key-set.ts';

/** A state's key in the set of states seen (`StateKeys.key`). */
type Key = number | string;

/**
 * The most states a search holds (and the largest `--max-states`): a JavaScript `Set` holds at
 * most 2^24 (16,777,216) keys, and this leaves room for the expansion that crosses it.
 */
export const MAX_STATES = 16_000_000;

/** How long a search runs between two yields of `BreadthFirst.steps`, in milliseconds. */
export const SLICE_MS = 20;

/** Options of `BreadthFirst.run`. */
interface BreadthFirstOptions {
  /** Expand no state at this depth or deeper (default: no limit). */
  maxDepth?: number;
  /** Stop once this many states are known, after the expansion that reaches it (default and at most `MAX_STATES`). */
  maxStates?: number;
  /** Called about once a second with the states found so far. */
  onProgress?: ((states: number) => void) | undefined;
}

/** Run a search generator (`BreadthFirst.steps`, `exploreSteps`, `diffSteps`) to its end. */
export function drain<R>(steps: Generator<number, R>): R {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/** What an expansion reads and writes of the search it expands for. */
export interface SearchTree {
  /** The state state `index` was discovered from (the start is its own). */
  parentOf(index: number): number;
  /** The move that discovered state `index` (-1 for the start). */
  moveTo(index: number): number;
  /** The depth of state `index`: its shortest path's length. */
  depthOf(index: number): number;
  /** A state reached from state `from` by move `move`: its index when its key was not seen before, else -1. */
  reach(key: number | string, from: number, move: number): number;
  /** Read the place of `key` in the set of keys seen, to have it at hand for `reach`: what is there, as a number. */
  warm(key: number | string): number;
}

/**
 * A breadth-first search from one start state; `S` is a state, `C` its compact code. A search
 * whose start state and code are both null (the explorer's, which keeps its codes itself) keeps
 * no state or code per state: only the parent, move and depth, in typed arrays, which the
 * collector need not walk.
 */
export class BreadthFirst<S, C> implements SearchTree {
  private readonly queue: Array<S | undefined>;
  private readonly codes: Array<C | undefined>;
  private readonly keeps: boolean;
  private parent = new Int32Array(1024);
  private via = new Int32Array(1024).fill(-1, 0, 1);
  private depths = new Int32Array(1024);
  private count = 1;
  private readonly seen = new KeySet();

  constructor(start: S, code: C, key: Key) {
    this.keeps = start !== null || code !== null;
    this.queue = [start];
    this.codes = [code];
    this.seen.add(key);
  }

  /** States discovered so far, the start included. */
  get states(): number {
    return this.count;
  }

  /** The depth of the last state discovered: the longest shortest path from the start. */
  get depth(): number {
    return this.depths[this.count - 1] as number;
  }

  /** A state reached from state `from` by move `move`, queued unless its key was seen; true when queued. */
  discover(state: S, code: C, key: Key, from: number, move: number): boolean {
    if (!this.seen.add(key)) return false;
    if (this.keeps) {
      this.queue.push(state);
      this.codes.push(code);
    }
    if (this.count === this.parent.length) {
      this.parent = grown(this.parent);
      this.via = grown(this.via);
      this.depths = grown(this.depths);
    }
    const at = this.count++;
    this.parent[at] = from;
    this.via[at] = move;
    this.depths[at] = (this.depths[from] as number) + 1;
    return true;
  }

  /** `discover` without a state or code: the index of the state reached when queued, else -1 (a `SearchTree`). */
  reach(key: Key, from: number, move: number): number {
    return this.discover(null as S, null as C, key, from, move) ? this.count - 1 : -1;
  }

  /** `SearchTree.warm`: the key's place in the set of keys seen, read. */
  warm(key: Key): number {
    return this.seen.warm(key);
  }

  /** The state state `index` was discovered from (the start is its own). */
  parentOf(index: number): number {
    return this.parent[index] ?? 0;
  }

  /** The move that discovered state `index` (-1 for the start). */
  moveTo(index: number): number {
    return this.via[index] ?? -1;
  }

  /** The depth of state `index`: its shortest path's length. */
  depthOf(index: number): number {
    return this.depths[index] ?? 0;
  }

  /** The moves from the start to state `index` (by parent pointers), then `move`. */
  pathTo(index: number, move: number): number[] {
    const path: number[] = [];
    for (let i = index; i > 0; i = this.parent[i] ?? 0) path.push(this.via[i] ?? 0);
    path.reverse();
    path.push(move);
    return path;
  }

  /**
   * Expand the states in breadth-first order until `expand` returns an answer (it gets the state,
   * its code and its index, and calls `discover` for the states it reaches) or none is left.
   * `complete` is false when `maxStates` stopped the search.
   */
  run<R>(
    expand: (state: S, code: C, index: number) => R | undefined,
    options: BreadthFirstOptions = {},
  ): { found: R | undefined; complete: boolean } {
    return drain(this.steps(expand, options));
  }

  /** `run` as a generator: it yields the states found so far every `SLICE_MS` milliseconds or so. */
  *steps<R>(
    expand: (state: S, code: C, index: number) => R | undefined,
    options: BreadthFirstOptions = {},
  ): Generator<number, { found: R | undefined; complete: boolean }> {
    const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
    const maxStates = Math.min(options.maxStates ?? MAX_STATES, MAX_STATES);
    const { queue, codes } = this;
    let lastProgress = Date.now();
    let lastYield = lastProgress;
    for (let head = 0; head < this.count; head++) {
      if ((this.depths[head] as number) >= maxDepth) break;
      const state = (this.keeps ? queue[head] : null) as S;
      const code = (this.keeps ? codes[head] : null) as C;
      if (this.keeps) {
        queue[head] = undefined;
        codes[head] = undefined;
      }
      const found = expand(state, code, head);
      if (found !== undefined) return { found, complete: true };
      if (this.count >= maxStates) return { found: undefined, complete: false };
      const now = Date.now();
      if (now - lastYield < SLICE_MS) continue;
      lastYield = now;
      if (options.onProgress !== undefined && now - lastProgress >= 1000) {
        lastProgress = now;
        options.onProgress(this.count);
      }
      yield this.count;
    }
    return { found: undefined, complete: true };
  }
}

/** The array twice as long, with the same first entries. */
function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
