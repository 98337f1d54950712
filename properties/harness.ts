/**
 * Replaying a generated trace through a model (the model itself or a mutant), the way the oracle
 * does (same driver, same timeline, same `--set` overrides), while recording every machine step:
 * the context before, the machine event and the context after. Properties judge those steps.
 * @module
 */
import { Driver } from '../model/engine/driver.ts';
import { choosePolicy } from '../model/io/load-policy.ts';
import type { Policy } from '../model/platform/policy.ts';
import { compiledEngine, machineEngine, MODEL, recordingEngine, type Model } from '../model/engine/step.ts';
import type { PlatformContext, PlatformEvent } from '../model/platform/transitions.ts';
import type { Outcome, TraceEvent } from '../model/types.ts';

/** A trace as the properties use it: the events and the `--set` overrides of the timeline. */
export interface GenTrace {
  /** `key=value` overrides applied to every policy of the timeline (empty: the real caps). */
  readonly set: readonly string[];
  readonly events: readonly TraceEvent[];
}

/** One machine step of a replay. */
export interface Step {
  /** Index of the trace event the step belongs to. */
  readonly index: number;
  readonly before: PlatformContext;
  readonly event: PlatformEvent;
  readonly after: PlatformContext;
  /** The regime state after the step (`normal` or `bugWindow`). */
  readonly regime: string;
}

/** Everything a replay shows. */
export interface Replay {
  /** Per trace event, the outcomes (one per tenant of a consent). */
  readonly outcomes: readonly Outcome[][];
  /** Per trace event, the policy in force. */
  readonly policies: readonly Policy[];
  readonly steps: readonly Step[];
  /** The context after the last event. */
  readonly context: PlatformContext;
  readonly regime: string;
}

/** Which engine steps the model: the compiled table (the default) or the XState machine. */
type EngineKind = 'compiled' | 'machine';

/** Replay a trace through a model, from an empty world. */
export function replay(trace: GenTrace, model: Model = MODEL, engine: EngineKind = 'compiled'): Replay {
  const choice = choosePolicy(undefined, trace.set);
  const inner = (engine === 'machine' ? machineEngine : compiledEngine)({ policy: choice.choose(null, undefined) }, model);
  const steps: Step[] = [];
  let index = -1;
  const recording = recordingEngine(inner, (before, event, after, regime) => steps.push({ index, before, event, after, regime }));
  const driver = new Driver(recording, choice.choose);
  const outcomes: Outcome[][] = [];
  const policies: Policy[] = [];
  trace.events.forEach((event, i) => {
    index = i;
    const report = driver.apply(event);
    outcomes.push(report.outcomes);
    policies.push(report.policy);
  });
  return { outcomes, policies, steps, context: inner.context, regime: inner.regime };
}

/** The steps that decided a connect, with their outcome. */
export function connectSteps(run: Replay): Array<Step & { event: Extract<PlatformEvent, { type: 'connect' }> }> {
  return run.steps.filter((s): s is Step & { event: Extract<PlatformEvent, { type: 'connect' }> } => s.event.type === 'connect');
}

/** The first `count` events of a trace, as a trace. */
export function prefix(trace: GenTrace, count: number): GenTrace {
  return { set: trace.set, events: trace.events.slice(0, count) };
}

/** The trace with events appended. */
export function extend(trace: GenTrace, events: readonly TraceEvent[]): GenTrace {
  return { set: trace.set, events: [...trace.events, ...events] };
}
