/**
 * What a property of the suite is, and how one runs: a property judges one generated case
 * against a model (the model itself, or a mutant) and returns null or the failure, with the trace
 * that shows it. Properties are values so that the same definition runs in its family's test
 * file against the model and in the mutant test against every deliberately broken variant.
 * @module
 */
import fc from 'fast-check';
import { MODEL, type Model } from '../model/engine/step.ts';
import { caseSpecs, materialize, type Case, type CaseSpec } from './arbitraries.ts';
import { fcParameters } from './config.ts';
import type { Coverage } from './coverage.ts';
import { prefix, replay, type GenTrace, type Step } from './harness.ts';

/** The rule families, one test file each. */
type Family = 'safety' | 'precision' | 'recovery' | 'no-loss' | 'determinism' | 'differential' | 'compiled';

/** A property that does not hold on a case: the trace that shows it, and what went wrong. */
export interface Failure {
  trace: GenTrace;
  message: string;
}

/** A property over generated cases. */
export interface TraceProperty {
  /** `family/short-name`, stable: the mutant table and the counterexample files use it. */
  readonly id: string;
  readonly family: Family;
  /** The rule, as the sentence the test is named after. */
  readonly name: string;
  /** null when the property holds on the case; `coverage` records the boundary classes reached. */
  verify(c: Case, model: Model, coverage?: Coverage): Failure | null;
}

/** The failure at the first step a check rejects; the trace is cut after that step's event. */
export function firstBrokenStep(c: Case, model: Model, check: (s: Step) => string | null): Failure | null {
  for (const s of replay(c.trace, model).steps) {
    const why = check(s);
    if (why !== null)
      return { trace: prefix(c.trace, s.index + 1), message: `event ${s.index + 1} (${s.event.type} ${describe(s)}): ${why}` };
  }
  return null;
}

function describe(s: Step): string {
  const e = s.event as unknown as Record<string, unknown>;
  return ['app', 'tenant', 'user']
    .filter((k) => typeof e[k] === 'string')
    .map((k) => `${k}=${String(e[k])}`)
    .join(' ');
}

/** What running a property showed. */
export interface Hunt {
  failed: boolean;
  /** Runs until the first failure (all runs when it held). */
  runs: number;
  shrinks: number;
  seed: number;
  path: string | null;
  /** The failure on the shrunk case. */
  failure: Failure | null;
  spec: CaseSpec | null;
}

function safeVerify(property: TraceProperty, c: Case, model: Model): Failure | null {
  try {
    return property.verify(c, model);
  } catch (error) {
    return { trace: c.trace, message: `threw ${(error as Error).stack ?? String(error)}` };
  }
}

/** Run a property against a model with this run's seed and run count; shrink any failure. */
export function hunt(property: TraceProperty, model: Model = MODEL, parameters: fc.Parameters<[CaseSpec]> = fcParameters()): Hunt {
  const details = fc.check(
    fc.property(caseSpecs, (spec) => safeVerify(property, materialize(spec), model) === null),
    parameters,
  );
  const spec = details.counterexample?.[0] ?? null;
  const failure = spec === null ? null : safeVerify(property, materialize(spec), model);
  return {
    failed: details.failed,
    runs: details.numRuns,
    shrinks: details.numShrinks,
    seed: details.seed,
    path: details.counterexamplePath,
    failure,
    spec,
  };
}
