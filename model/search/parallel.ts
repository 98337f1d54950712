/**
 * The explorer's breadth-first search run by several threads at once: the caller's and
 * `threads - 1` workers (`explore-worker.ts`), on a machine with cores to spare.
 *
 * Every thread expands states as one thread does (`expansion.ts`, the same steps, memo and
 * invariants; each thread its own memo). What they share lives in SharedArrayBuffers: the set of
 * keys seen and the numbers of tuples of lifecycles (`shared-keys.ts`), each state's parent,
 * move and code, the first state of each depth, and a block of control words.
 *
 * The search goes a depth at a time, as one thread's does. The states of a depth are contiguous
 * (states are numbered as discovered, and every state of a depth is discovered while the depth
 * before is expanded), so a thread claims the next run of them by compare-and-swap of one
 * counter, and the thread that finishes the last run of a depth opens the next one: the states
 * discovered meanwhile. No state is expanded before every state of the depth before it, so each
 * is discovered at its shortest depth, the parent pointers give shortest traces, and the states
 * found are exactly one thread's: which states are reachable does not depend on the order.
 *
 * What differs from one thread: which thread discovers a state first, and so the numbering of the
 * states and, when an invariant breaks, which of the shortest traces is reported (one of the same
 * length); with `maxStates`, how far past it the search went before every thread stopped.
 * @module
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { arenaOf, initialState, type Bounds } from './bounds.ts';
import { MODEL } from '../engine/step.ts';
import { INVARIANTS } from '../platform/invariants.ts';
import type { Policy } from '../platform/policy.ts';
import { codeWidth } from './code-reads.ts';
import type { TransitionCounts } from './recalling.ts';
import { SharedKeySet, SharedNumbers } from './shared-keys.ts';
import {
  BROKEN,
  CHUNK,
  CONTROL_WORDS,
  COUNT,
  DEPTH,
  ended,
  fail,
  FAILED,
  FIRST_SLOTS,
  FOUND_COUNT,
  FOUND_INDEX,
  FOUND_MOVE,
  FOUND_NAMES,
  GEN,
  JOINED,
  LEFT,
  LEVEL_END,
  MAX_DEPTHS,
  MAX_LIFE_NUMBERS,
  RUNNING,
  Share,
  type ShareData,
  SLOTS,
  STATE,
  STOPPED,
  type SharedVariant,
} from './share.ts';

export type { SharedVariant } from './share.ts';

/** What a search of several threads found. */
export interface SharedOutcome {
  states: number;
  depth: number;
  complete: boolean;
  counts: TransitionCounts;
  /** The moves to a state, then the move from it that broke `broken`. */
  found: { path: number[]; broken: string[] } | undefined;
}

/**
 * The source a worker runs: the worker module, through tsx when this module is TypeScript (run
 * from source: tests, the benchmark); a failure to load it fails the search.
 */
function workerSource(module?: string): string {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = JSON.stringify(module ?? new URL(fromSource ? './explore-worker.ts' : './explore-worker.js', import.meta.url).href);
  const load = fromSource ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${file}); })` : `import(${file})`;
  return `${load}.catch((error) => {
  const { workerData } = require('node:worker_threads');
  const c = new Int32Array(workerData.control);
  workerData.port.postMessage(String(error && error.stack ? error.stack : error));
  Atomics.store(c, ${STATE}, ${FAILED});
  Atomics.add(c, ${GEN}, 1);
  Atomics.notify(c, ${GEN});
});`;
}

/** The most states a search of several threads holds: each thread may discover every successor of the run of states it expands past `maxStates`. */
function capacityOf(maxStates: number, threads: number, moves: number): number {
  return maxStates + threads * CHUNK * moves + 1;
}

/**
 * Search with `threads` threads: this one and `threads - 1` workers. A generator like the
 * one-thread search: it yields the states found so far every `sliceMs` or so; returning it early
 * stops the workers. Its keys must be whole numbers (`StateKeys.numberKeys`), which also bounds
 * a code to under 60 bytes: the buffers of codes, sized for the most states, take about 1 GB at
 * most (16,000,000 states), of memory the system gives as it is written.
 */
export function* searchInParallel(
  policy: Policy,
  bounds: Bounds,
  options: {
    symmetry: boolean;
    memo: boolean;
    maxStates: number;
    threads: number;
    sliceMs: number;
    variant?: SharedVariant;
    /** The module a worker loads in place of `explore-worker` (a test of a worker that fails). */
    workerModule?: string;
    /**
     * Start only once every worker has started, so that every thread takes part however small the
     * search (the tests); by default this thread starts at once and the workers join as they start.
     */
    together?: boolean;
  },
): Generator<number, SharedOutcome> {
  const arena = arenaOf(bounds, [policy]);
  const { threads, maxStates } = options;
  const capacity = capacityOf(maxStates, threads, arena.moves.length);
  const width = codeWidth(arena.appIds.length, arena.tenantIds.length);
  const data: ShareData = {
    policy,
    bounds,
    symmetry: options.symmetry,
    memo: options.memo,
    maxStates,
    capacity,
    threads,
    control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    levels: new SharedArrayBuffer(MAX_DEPTHS * 4),
    tables: [SharedKeySet.buffer(capacity), SharedKeySet.buffer(capacity)],
    numbers: SharedNumbers.buffer(MAX_LIFE_NUMBERS + threads),
    parents: new SharedArrayBuffer(capacity * 4),
    moves: new SharedArrayBuffer(capacity * 4),
    codes: new SharedArrayBuffer(capacity * width),
    counts: new SharedArrayBuffer(threads * 3 * 8),
    thread: 0,
    variant: options.variant,
  };
  const c = new Int32Array(data.control);
  c[SLOTS] = Math.min(FIRST_SLOTS, SharedKeySet.room(data.tables[0]));
  const share = new Share(data);
  // The start is state 0, the one state of depth 0.
  share.reach(share.keys.keyOf(share.keys.code(initialState(arena, policy, MODEL).context.world)), 0, -1);
  c[LEVEL_END] = 1;
  const channels: MessageChannel[] = [];
  // What a worker that died said, when the event loop turns between two slices (the CLI).
  const reasons: string[] = [];
  const died = (reason: string) => {
    reasons.push(reason);
    fail(c);
  };
  const source = workerSource(options.workerModule);
  for (let thread = 1; thread < threads; thread++) {
    const channel = new MessageChannel();
    channels.push(channel);
    const worker = new Worker(source, { eval: true, workerData: { ...data, thread, port: channel.port2 }, transferList: [channel.port2] });
    worker.unref();
    worker.on('error', (error) => died(error.stack ?? error.message));
    worker.on('exit', (code) => {
      if (code !== 0 && Atomics.load(c, STATE) === RUNNING) died(`it exited with code ${code}`);
    });
  }
  try {
    while (options.together === true && Atomics.load(c, JOINED) < threads - 1 && Atomics.load(c, STATE) === RUNNING) {
      Atomics.wait(c, GEN, Atomics.load(c, GEN), options.sliceMs);
      yield 1;
    }
    for (;;) {
      const status = share.work(Date.now() + options.sliceMs);
      if (status === 'over') break;
      if (status === 'idle') Atomics.wait(c, GEN, share.generation, options.sliceMs);
      yield Atomics.load(c, COUNT);
    }
    // The workers that started leave their counts.
    for (;;) {
      const left = Atomics.load(c, LEFT);
      if (left >= Atomics.load(c, JOINED) || Atomics.load(c, STATE) === FAILED) break;
      Atomics.wait(c, LEFT, left, options.sliceMs);
      yield Atomics.load(c, COUNT);
    }
    const state = Atomics.load(c, STATE);
    if (state === FAILED) {
      const told = channels.map((channel) => receiveMessageOnPort(channel.port1)).find((m) => m !== undefined);
      const reason = told === undefined ? (reasons[0] ?? 'it gave no reason') : String(told.message);
      throw new Error(`explorer: a worker thread failed: ${reason}`);
    }
    const counts = { ...share.expansion.counts };
    const kept = new Float64Array(data.counts);
    for (let thread = 1; thread < threads; thread++) {
      counts.transitions += kept[3 * thread] as number;
      counts.answered += kept[3 * thread + 1] as number;
      counts.recalled += kept[3 * thread + 2] as number;
    }
    const states = Atomics.load(c, COUNT);
    const depth = Atomics.load(c, DEPTH) + (states > Atomics.load(c, LEVEL_END) ? 1 : 0);
    const found =
      state === BROKEN
        ? {
            path: share.pathTo(c[FOUND_INDEX] as number, c[FOUND_MOVE] as number),
            broken: Array.from(c.subarray(FOUND_NAMES, FOUND_NAMES + (c[FOUND_COUNT] as number)), (i) => INVARIANTS[i]?.name ?? ''),
          }
        : undefined;
    return { states, depth, complete: state !== STOPPED, counts, found };
  } finally {
    if (Atomics.load(c, STATE) === RUNNING) ended(c, STOPPED);
    for (const channel of channels) channel.port1.close();
  }
}
