/**
 * One thread's part of a search several threads run (`parallel.ts` starts them and says how they
 * share it): the control words and buffers they share, the claims of runs of states, the
 * opening of each depth, the set of keys growing between two depths, and a worker's loop.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { arenaOf, initialState, type Bounds } from './bounds.ts';
import { MODEL } from '../engine/step.ts';
import { INVARIANTS } from '../platform/invariants.ts';
import type { Policy } from '../platform/policy.ts';
import { CodeStore, codeWidth } from './code-reads.ts';
import type { SearchTree } from './breadth-first.ts';
import { type Expansion, expansionOf } from './expansion.ts';
import { SharedKeySet, SharedNumbers } from './shared-keys.ts';
import { StateKeys } from './symmetry.ts';

// The control words.
/** Bumped each time a depth is opened or the search ends (what an idle thread waits on). */
export const GEN = 0;
/** States [0, LEVEL_END) are in the depths opened so far; the open depth ends there. */
export const LEVEL_END = 1;
/** The next state to claim (it only grows). */
const NEXT = 2;
/** States expanded so far. */
const DONE = 3;
/** The open depth. */
export const DEPTH = 4;
/** `RUNNING`, or how the search ended. */
export const STATE = 5;
/** Worker threads that started, and that left. */
export const JOINED = 6;
export const LEFT = 7;
/** The set of keys in use: its number (the buffer is `tables[TABLE % 2]`) and its slots. */
const TABLE = 8;
export const SLOTS = 9;
/** States discovered so far: added to by every discovery, so on a cache line of its own (64 bytes on). */
export const COUNT = 16;
/** The move that broke an invariant: its state, its number, how many invariants, and which (by their number in `INVARIANTS`). */
export const FOUND_INDEX = 32;
export const FOUND_MOVE = 33;
export const FOUND_COUNT = 34;
export const FOUND_NAMES = 35;
export const CONTROL_WORDS = FOUND_NAMES + INVARIANTS.length;

export const RUNNING = 0;
const FINISHED = 1;
export const STOPPED = 2;
export const BROKEN = 3;
export const FAILED = 4;

/** States a thread claims at once. */
export const CHUNK = 32;
/** The deepest search several threads run (the first state of each depth is kept). */
export const MAX_DEPTHS = 1 << 16;
/** The most tuples of lifecycles numbered in a search of several threads. */
export const MAX_LIFE_NUMBERS = 1 << 16;
/** The slots of the first set of keys. */
export const FIRST_SLOTS = 1 << 10;
/** How long a thread waits between two looks at the search, in milliseconds. */
const IDLE_MS = 1000;

/**
 * Deliberately broken variants of the shared search, each caught by a test (`parallel.test.ts`):
 * a set of keys that grows empty; a depth opened once its last run is claimed, not expanded; a
 * trace without its first move.
 */
export type SharedVariant = 'grows-empty' | 'opens-on-claim' | 'path-skips-first';

/** What every thread of one search is given. */
export interface ShareData {
  policy: Policy;
  bounds: Bounds;
  symmetry: boolean;
  memo: boolean;
  maxStates: number;
  /** The most states the buffers hold. */
  capacity: number;
  threads: number;
  control: SharedArrayBuffer;
  levels: SharedArrayBuffer;
  /** Two buffers for the set of keys: the one in use, and the one it grows into. */
  tables: [SharedArrayBuffer, SharedArrayBuffer];
  numbers: SharedArrayBuffer;
  parents: SharedArrayBuffer;
  moves: SharedArrayBuffer;
  codes: SharedArrayBuffer;
  /** Each worker's transition counts when it leaves: transitions, answered, recalled. */
  counts: SharedArrayBuffer;
  /** This thread's number: 0 for the caller's. */
  thread: number;
  /** Where a worker sends what went wrong. */
  port?: MessagePort;
  /** A deliberately broken variant (the mutant tests); none by default. */
  variant?: SharedVariant | undefined;
}

/** One thread's part of a search: its expansion, and the search tree they all share. */
export class Share implements SearchTree {
  readonly control: Int32Array;
  private readonly levels: Int32Array;
  private readonly parents: Int32Array;
  private readonly moves: Int32Array;
  private seen: SharedKeySet;
  /** The number of the set of keys in use (`TABLE`). */
  private table = 0;
  readonly keys: StateKeys;
  readonly expansion: Expansion;
  /** The generation read last before finding nothing to claim (what to wait on). */
  generation = 0;

  constructor(private readonly data: ShareData) {
    this.control = new Int32Array(data.control);
    this.levels = new Int32Array(data.levels);
    this.parents = new Int32Array(data.parents);
    this.moves = new Int32Array(data.moves);
    // The set in use (read again at each run claimed, should it have grown meanwhile).
    this.table = Atomics.load(this.control, TABLE);
    this.seen = new SharedKeySet(data.tables[this.table % 2] as SharedArrayBuffer, Atomics.load(this.control, SLOTS));
    const arena = arenaOf(data.bounds, [data.policy]);
    this.keys = new StateKeys(arena, data.symmetry, 1, new SharedNumbers(data.numbers, MAX_LIFE_NUMBERS));
    const start = initialState(arena, data.policy, MODEL);
    const store = new CodeStore(codeWidth(arena.appIds.length, arena.tenantIds.length), new Uint8Array(data.codes));
    this.expansion = expansionOf(arena, this.keys, MODEL, start, this, store, { memo: data.memo });
  }

  parentOf(index: number): number {
    return this.parents[index] as number;
  }

  moveTo(index: number): number {
    return this.moves[index] as number;
  }

  depthOf(index: number): number {
    // The last depth whose first state is at or before `index`.
    let low = 0;
    let high = Atomics.load(this.control, DEPTH);
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.levels[mid] as number) <= index) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  reach(key: number | string, from: number, move: number): number {
    if (typeof key !== 'number')
      throw new Error('explorer: the lifecycles met ran out of numbers in a search of several threads; search with one (--workers 1)');
    if (!this.seen.add(key)) return -1;
    const index = Atomics.add(this.control, COUNT, 1);
    if (index >= this.data.capacity) throw new Error(`explorer: no room for state ${index} in a search of several threads`);
    this.parents[index] = from;
    this.moves[index] = move;
    return index;
  }

  warm(key: number | string): number {
    return typeof key === 'number' ? this.seen.warm(key) : 0;
  }

  /** The moves from the start to state `index`, then `move`. */
  pathTo(index: number, move: number): number[] {
    const path: number[] = [];
    for (let i = index; i > 0; i = this.parents[i] as number) path.push(this.moves[i] as number);
    path.reverse();
    path.push(move);
    return this.data.variant === 'path-skips-first' ? path.slice(1) : path;
  }

  /**
   * Claim and expand runs of states until the clock passes `until` ('busy'), nothing is left to
   * claim until a depth opens ('idle': wait on `generation`), or the search has ended ('over').
   */
  work(until: number): 'over' | 'idle' | 'busy' {
    const c = this.control;
    for (;;) {
      if (Atomics.load(c, STATE) !== RUNNING) return 'over';
      this.generation = Atomics.load(c, GEN);
      const end = Atomics.load(c, LEVEL_END);
      const next = Atomics.load(c, NEXT);
      if (next >= end) return 'idle';
      const to = Math.min(next + CHUNK, end);
      if (Atomics.compareExchange(c, NEXT, next, to) !== next) continue;
      if (this.data.variant === 'opens-on-claim' && to === end) this.open(end);
      // The set of keys grows only between two depths, so it is the same for the whole run.
      const table = Atomics.load(c, TABLE);
      if (table !== this.table) {
        this.table = table;
        this.seen = new SharedKeySet(this.data.tables[table % 2] as SharedArrayBuffer, Atomics.load(c, SLOTS));
      }
      for (let i = next; i < to; i++) {
        const broken = this.expansion.expand(i);
        if (broken !== undefined) {
          this.found(broken.index, broken.move, broken.broken);
          return 'over';
        }
      }
      if (Atomics.load(c, COUNT) >= this.data.maxStates) {
        ended(c, STOPPED);
        return 'over';
      }
      if (Atomics.add(c, DONE, to - next) + (to - next) === end && this.data.variant !== 'opens-on-claim') this.open(end);
      if (Date.now() >= until) return 'busy';
    }
  }

  /** Every state of the open depth is expanded: open the next (the states found meanwhile), or end. */
  private open(end: number): void {
    const c = this.control;
    const count = Atomics.load(c, COUNT);
    if (count === end) {
      ended(c, FINISHED);
      return;
    }
    const depth = Atomics.load(c, DEPTH) + 1;
    if (depth >= MAX_DEPTHS) throw new Error(`explorer: a search of several threads goes at most ${MAX_DEPTHS} moves deep`);
    this.grow(count, count - end, end - (this.levels[depth - 1] as number));
    this.levels[depth] = end;
    Atomics.store(c, DEPTH, depth);
    Atomics.store(c, LEVEL_END, count);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
  }

  /**
   * Between two depths, while no thread adds: grow the set of keys to hold, at half load, the
   * states found and a next depth as many times larger than the last as it was than the one
   * before, twice over (at least twice); the set also works fuller, and only a full one fails.
   */
  private grow(count: number, last: number, before: number): void {
    const c = this.control;
    const slots = Atomics.load(c, SLOTS);
    const growth = Math.max(2, (2 * last) / Math.max(1, before));
    const room = SharedKeySet.room(this.data.tables[0]);
    const wanted = Math.min(room, SharedKeySet.slotsFor(count + last * growth));
    if (wanted <= slots) return;
    const table = Atomics.load(c, TABLE) + 1;
    const grown = new SharedKeySet(this.data.tables[table % 2] as SharedArrayBuffer, wanted);
    if (this.data.variant !== 'grows-empty') this.seen.copyInto(grown);
    this.seen = grown;
    this.table = table;
    Atomics.store(c, SLOTS, wanted);
    Atomics.store(c, TABLE, table);
  }

  /** A move broke an invariant: the first thread to find one ends the search and keeps it. */
  private found(index: number, move: number, broken: readonly string[]): void {
    const c = this.control;
    if (Atomics.compareExchange(c, STATE, RUNNING, BROKEN) !== RUNNING) return;
    c[FOUND_INDEX] = index;
    c[FOUND_MOVE] = move;
    c[FOUND_COUNT] = broken.length;
    broken.forEach((name, i) => {
      c[FOUND_NAMES + i] = INVARIANTS.findIndex((inv) => inv.name === name);
    });
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
  }
}

/** End the search (unless it has ended) and wake every waiting thread. */
export function ended(c: Int32Array, how: number): void {
  Atomics.compareExchange(c, STATE, RUNNING, how);
  Atomics.add(c, GEN, 1);
  Atomics.notify(c, GEN);
}

/** A worker's part: expand states until the search ends, then leave its counts. */
export function runWorker(data: ShareData): void {
  const c = new Int32Array(data.control);
  Atomics.add(c, JOINED, 1);
  let share: Share | undefined;
  try {
    // A worker that starts after the search ended has nothing to do.
    if (Atomics.load(c, STATE) === RUNNING) {
      share = new Share(data);
      while (share.work(Number.POSITIVE_INFINITY) !== 'over') Atomics.wait(c, GEN, share.generation, IDLE_MS);
    }
  } catch (error) {
    failed(c, data.port, error);
  } finally {
    if (share !== undefined) {
      const counts = new Float64Array(data.counts);
      const { transitions, answered, recalled } = share.expansion.counts;
      counts.set([transitions, answered, recalled], 3 * data.thread);
    }
    Atomics.add(c, LEFT, 1);
    Atomics.notify(c, LEFT);
  }
}

/** A worker failed: say why to the caller's thread, and end the search. */
function failed(c: Int32Array, port: MessagePort | undefined, error: unknown): void {
  port?.postMessage(error instanceof Error ? (error.stack ?? error.message) : String(error));
  fail(c);
}

/** Fail the search, whatever its state, and wake every waiting thread. */
export function fail(c: Int32Array): void {
  Atomics.store(c, STATE, FAILED);
  Atomics.add(c, GEN, 1);
  Atomics.notify(c, GEN);
}
