/**
 * How hard and with which seed every property runs. One place, two environment variables:
 * - `FC_NUM_RUNS` scales the suite: the number of generated traces each property checks
 *   (default {@link DEFAULT_RUNS}; `npm run test:deep` sets 20 times that);
 * - `FC_SEED` pins the random source (default {@link DEFAULT_SEED}, so a plain `npm test` is the
 *   same run everywhere and any failure reproduces from the printed seed); `FC_PATH` with it
 *   replays one failing case exactly, as a failure prints it.
 * @module
 */
import type { Parameters } from 'fast-check';

/** The seed of a default run: the day the February 2020 bug was fixed. */
export const DEFAULT_SEED = 20200210;

/** Traces per property in a default run. */
export const DEFAULT_RUNS = 150;

function fromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

/** The seed of this run. */
export const SEED = fromEnv('FC_SEED', DEFAULT_SEED);

/** Traces per property in this run. */
export const NUM_RUNS = Math.max(1, fromEnv('FC_NUM_RUNS', DEFAULT_RUNS));

/** How much larger than a default run this one is (1 by default, 20 under `test:deep`). */
const SCALE = NUM_RUNS / DEFAULT_RUNS;

/** A counterexample path to replay (`FC_PATH`, as a failure prints it), if any. */
const PATH = process.env.FC_PATH === undefined || process.env.FC_PATH === '' ? undefined : process.env.FC_PATH;

/** fast-check parameters for one property: this run's seed and run count (and path, when replaying). */
export function fcParameters<T>(): Parameters<T> {
  return PATH === undefined ? { seed: SEED, numRuns: NUM_RUNS } : { seed: SEED, numRuns: NUM_RUNS, path: PATH };
}

/** A test timeout that grows with the run count (the suite's default of 180 s fits a default run on a busy machine). */
export function timeoutMs(defaultMs = 180_000): number {
  return Math.ceil(defaultMs * Math.max(1, SCALE));
}

/** The line every property file prints, so a failure reproduces. */
export function runBanner(): string {
  return `fast-check seed ${SEED}${SEED === DEFAULT_SEED ? ' (default)' : ''}, ${NUM_RUNS} runs per property; reproduce with FC_SEED=${SEED} FC_NUM_RUNS=${NUM_RUNS}`;
}
