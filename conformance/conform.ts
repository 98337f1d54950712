/**
 * `conform(adapter, options)`: test an implementation of the connection rules against the model.
 * Sequential runs first (fast-check generates the sequences, `cases.ts`; on the first failure it
 * shrinks the sequence by resetting the implementation and replaying shorter ones), then
 * concurrent batches (`concurrent.ts`), shrunk the same way. The report is the contract of
 * `xcm conform --json`.
 * @module
 */
import fc from 'fast-check';
import { choosePolicy } from '../model/io/load-policy.ts';
import { type Adapter, ContractError } from './adapter.ts';
import { type CaseSpec, capsOf, caseSpecs, materialize } from './cases.ts';
import { type BatchSpec, batchSpecs, runBatch } from './concurrent.ts';
import { type Failure, runSequence } from './sequential.ts';

/** Options of a conformance run. */
export interface ConformOptions {
  /** A built-in policy id, `xero` (the timeline, the default), or a JSON policy file. */
  policy?: string | undefined;
  /** `key=value` overrides applied to every policy used. */
  set?: readonly string[] | undefined;
  /** Sequential runs (default {@link DEFAULT_RUNS}). */
  runs?: number | undefined;
  /** The seed (default: drawn at random, and reported). */
  seed?: number | undefined;
  /** Requests per concurrent batch (default {@link DEFAULT_CONCURRENCY}; 1 runs no batches). */
  concurrency?: number | undefined;
  /** Concurrent batches (default: one per two sequential runs). */
  batches?: number | undefined;
  /** Interleave the batches' calls with fast-check's scheduler (for in-process adapters) instead of sending them at once. */
  scheduler?: boolean | undefined;
  /** What the report names as the implementation (the URL for the HTTP adapter). */
  url?: string | undefined;
  /** Called after each run with the totals so far. */
  onProgress?: ((done: { runs: number; batches: number; events: number }) => void) | undefined;
}

/** The verdict of a conformance run (the contract of `xcm conform --json`). */
export interface ConformReport {
  ok: boolean;
  url: string;
  policy: string;
  seed: number;
  runs: number;
  events: number;
  batches: number;
  /** The first failure, shrunk: the trace up to the step that parts from the model (a batch's whole history for a concurrent one). */
  failure: Failure | null;
}

/** Sequential runs when `runs` is not given. */
export const DEFAULT_RUNS = 100;
/** Requests per concurrent batch when `concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 4;

/** Run the property; on a failure, the shrunk counterexample's failure. */
async function search<T>(
  arbitrary: fc.Arbitrary<T>,
  runs: number,
  seed: number,
  attempt: (value: T, scheduler?: fc.Scheduler) => Promise<Failure | null>,
  withScheduler: boolean,
): Promise<{ failure: Failure | null; runs: number }> {
  let contract: ContractError | null = null;
  // The failure of the last failing case: the shrinker's last failing case is the counterexample it reports.
  let last: Failure | null = null;
  const check = async (value: T, scheduler?: fc.Scheduler) => {
    if (contract !== null) return true;
    try {
      const failure = await attempt(value, scheduler);
      if (failure !== null) last = failure;
      return failure === null;
    } catch (error) {
      if (error instanceof ContractError) {
        contract = error;
        return true;
      }
      throw error;
    }
  };
  const property = withScheduler
    ? fc.asyncProperty(arbitrary, fc.scheduler(), (value, s) => check(value, s))
    : fc.asyncProperty(arbitrary, (value) => check(value));
  const details = await fc.check(property as fc.IAsyncPropertyWithHooks<[T] | [T, fc.Scheduler]>, { seed, numRuns: runs });
  if (contract !== null) throw contract;
  if (!details.failed) return { failure: null, runs: details.numRuns };
  // Failed without a divergence: the property threw (a bug of the harness or of the adapter).
  if (last === null) throw (details as { errorInstance?: unknown }).errorInstance ?? new Error('the property failed');
  const failure: Failure = last;
  return { failure, runs: details.numRuns };
}

/** Test an implementation against the model: sequential runs, then concurrent batches. */
export async function conform(adapter: Adapter, options: ConformOptions = {}): Promise<ConformReport> {
  const choice = choosePolicy(options.policy, options.set ?? []);
  const caps = capsOf(choice);
  const runs = options.runs ?? DEFAULT_RUNS;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const batches = concurrency < 2 ? 0 : (options.batches ?? Math.ceil(runs / 2));
  // Every run counts toward the progress and the events, the shrinking replays included; the report's runs and batches are the generated ones.
  const done = { runs: 0, batches: 0, events: 0 };
  const counted = { runs: 0, batches: 0 };
  const report = (failure: Failure | null): ConformReport => ({
    ok: failure === null,
    url: options.url ?? 'in-process',
    policy: choice.label,
    seed,
    runs: counted.runs,
    events: done.events,
    batches: counted.batches,
    failure,
  });
  const sequential = await search<CaseSpec>(
    caseSpecs,
    runs,
    seed,
    async (spec) => {
      const result = await runSequence(adapter, materialize(spec, caps), choice);
      done.runs++;
      done.events += result.trace.length;
      options.onProgress?.(done);
      return result.failure;
    },
    false,
  );
  counted.runs = sequential.runs;
  if (sequential.failure !== null || batches === 0) return report(sequential.failure);
  const concurrent = await search<BatchSpec>(
    batchSpecs(concurrency),
    batches,
    seed,
    async (spec, scheduler) => {
      const result = await runBatch(adapter, spec, caps, choice, scheduler);
      done.batches++;
      done.events += result.events;
      options.onProgress?.(done);
      return result.failure;
    },
    options.scheduler === true,
  );
  counted.batches = concurrent.runs;
  return report(concurrent.failure);
}
