/**
 * One sequential run: each trace event sent to the implementation and stepped through the model,
 * then the outcomes compared, then the state (`compare.ts`). Names the trace uses without
 * declaring them are declared first (`PUT` with no fields: the implementation's defaults), as the
 * model declares them on first use; a change of `at` sets the implementation's clock first.
 * @module
 */
import { Driver } from '../model/engine/driver.ts';
import { compiledEngineFrom, type Engine } from '../model/engine/step.ts';
import { explain } from '../model/oracle/explain.ts';
import { makeDriver } from '../model/oracle/oracle.ts';
import type { PolicyChoice } from '../model/io/load-policy.ts';
import { outcomeMatches } from '../model/io/trace-line.ts';
import type { AppChanges } from '../model/platform/transitions.ts';
import { IMPLICIT_USER, type Observed, type ObservedOutcome, type TraceEvent } from '../model/types.ts';
import { currentAuthEventId, defaultTenant } from '../model/world/world.ts';
import type { Adapter } from './adapter.ts';
import { compareState, newRunIds, type RunIds, type StateDifference } from './compare.ts';

/** Where an implementation parts from the model. */
export interface Failure {
  kind: 'sequential' | 'concurrent';
  /** The events up to and including the diverging one, each with `observed` (what the implementation answered). */
  trace: TraceEvent[];
  /** 1-based position in `trace` of the event where it parts from the model. */
  step: number;
  expected: string;
  observed: string;
  explanation: string;
}

/** The model side of a run: a driver under the policy tested, and which names it has declared. */
export class ModelSide {
  readonly driver: Driver;
  readonly apps = new Set<string>();
  readonly tenants = new Set<string>();
  lastAt: string | null = null;

  constructor(
    readonly choice: PolicyChoice,
    engine?: Engine,
  ) {
    this.driver = engine === undefined ? makeDriver({}, choice).driver : new Driver(engine, choice.choose);
  }

  /** A copy from the current state on: stepping it leaves this one as it is. */
  fork(): ModelSide {
    const { regime, context } = this.driver.engine;
    const copy = new ModelSide(this.choice, compiledEngineFrom({ regime, context }));
    for (const a of this.apps) copy.apps.add(a);
    for (const t of this.tenants) copy.tenants.add(t);
    copy.lastAt = this.lastAt;
    return copy;
  }

  get world() {
    return this.driver.engine.context.world;
  }
}

const userOf = (event: TraceEvent) => ('user' in event && event.user !== undefined ? event.user : IMPLICIT_USER);

function changesOf(event: Extract<TraceEvent, { type: 'app' }>): AppChanges {
  const {
    type: _t,
    app: _a,
    at: _at,
    observed: _o,
    note: _n,
    model: _m,
    ...changes
  } = event as Extract<TraceEvent, { type: 'app' }> & {
    note?: unknown;
    model?: unknown;
  };
  return changes as AppChanges;
}

/**
 * Declare what the event names and the model has not declared yet, and set the clock: the
 * requests a client makes before the event itself.
 */
export async function prepare(adapter: Adapter, side: ModelSide, event: TraceEvent): Promise<void> {
  if (event.at !== undefined && event.at !== side.lastAt) {
    await adapter.clock(event.at);
    side.lastAt = event.at;
  }
  if (event.type !== 'tenant' && event.type !== 'app' && !side.apps.has(event.app)) {
    await adapter.app(event.app, {});
    side.apps.add(event.app);
  }
  const tenants = event.type === 'connect' ? event.tenants : event.type === 'disconnect' ? [event.tenant] : [];
  for (const t of tenants)
    if (!side.tenants.has(t)) {
      await adapter.tenant(t, defaultTenant(t).kind);
      side.tenants.add(t);
    }
}

/** The event sent to the implementation; its answers (one per tenant for a consent) and the consent's authEventId. */
export async function send(adapter: Adapter, event: TraceEvent): Promise<{ outcomes: string[]; authEventId: string | null }> {
  switch (event.type) {
    case 'app':
      return { outcomes: [await adapter.app(event.app, changesOf(event))], authEventId: null };
    case 'tenant':
      return { outcomes: [await adapter.tenant(event.tenant, event.kind ?? defaultTenant(event.tenant).kind)], authEventId: null };
    case 'connect': {
      const answer = await adapter.connect(event.app, userOf(event), event.tenants);
      return { outcomes: event.tenants.map((t) => answer.outcomes[t] ?? ''), authEventId: answer.authEventId };
    }
    case 'disconnect':
      return { outcomes: [await adapter.disconnect(event.app, userOf(event), event.tenant)], authEventId: null };
    case 'revoke':
      return { outcomes: [await adapter.revoke(event.app, userOf(event))], authEventId: null };
    case 'certify':
      return { outcomes: [await adapter.certify(event.app)], authEventId: null };
    case 'tier':
      return { outcomes: [await adapter.tier(event.app, event.tier)], authEventId: null };
  }
}

/** The event with what the implementation answered as `observed` (a map per tenant for a consent of several). */
export function withObserved(event: TraceEvent, outcomes: readonly string[]): TraceEvent {
  const observed: Observed =
    event.type === 'connect' && event.tenants.length > 1
      ? Object.fromEntries(event.tenants.map((t, i) => [t, outcomes[i] as ObservedOutcome]))
      : (outcomes[0] as ObservedOutcome);
  const { observed: _, ...rest } = event;
  return { ...rest, observed } as TraceEvent;
}

/** Step the model through the event after the implementation: the first outcome that differs, with the model's reason. */
export function stepModel(
  side: ModelSide,
  event: TraceEvent,
  outcomes: readonly string[],
): { differs: { expected: string; observed: string; explanation: string } | null } {
  if (event.type !== 'tenant') side.apps.add(event.app);
  if (event.type === 'tenant') side.tenants.add(event.tenant);
  const report = side.driver.apply(event, true);
  for (const [i, expected] of report.outcomes.entries()) {
    const seen = outcomes[i] ?? '';
    if (outcomeMatches(expected, seen as ObservedOutcome)) continue;
    const d = report.decisions[i];
    const why = d === undefined ? '' : explain(d.before, d.event, expected).text;
    const tenant = event.type === 'connect' && event.tenants.length > 1 ? `${event.tenants[i]}: ` : '';
    return { differs: { expected: `${tenant}${expected}`, observed: `${tenant}${seen}`, explanation: `${tenant}${why}` } };
  }
  return { differs: null };
}

/** The difference a consent's authEventId shows, if any: it must map to the model's new auth event. */
export function consentIdDifference(side: ModelSide, ids: RunIds, authEventId: string | null): StateDifference | null {
  if (authEventId === null) return null;
  return ids.authEvents.match(currentAuthEventId(side.world), authEventId, 'consent');
}

/** What a sequential run found: the events sent (with `observed`) and the first failure, if any. */
export interface SequenceResult {
  trace: TraceEvent[];
  failure: Failure | null;
  /** The model after the last event, and the ids mapped so far (what a concurrent batch goes on from). */
  side: ModelSide;
  ids: RunIds;
}

/** The state difference as a failure at the last event of the trace. */
export function stateFailure(kind: Failure['kind'], trace: TraceEvent[], diff: StateDifference): Failure {
  return {
    kind,
    trace,
    step: trace.length,
    expected: diff.expected,
    observed: diff.observed,
    explanation: `the state after this event differs (${diff.check})`,
  };
}

/** Run events against a freshly reset implementation and the model, comparing after every event. */
export async function runSequence(adapter: Adapter, events: readonly TraceEvent[], choice: PolicyChoice): Promise<SequenceResult> {
  await adapter.reset();
  const side = new ModelSide(choice);
  const ids = newRunIds();
  const trace: TraceEvent[] = [];
  for (const event of events) {
    await prepare(adapter, side, event);
    const answer = await send(adapter, event);
    trace.push(withObserved(event, answer.outcomes));
    const { differs } = stepModel(side, event, answer.outcomes);
    if (differs !== null) return { trace, failure: { kind: 'sequential', trace, step: trace.length, ...differs }, side, ids };
    const diff = consentIdDifference(side, ids, answer.authEventId) ?? compareState(side.world, await adapter.observe(), ids);
    if (diff !== null) return { trace, failure: stateFailure('sequential', trace, diff), side, ids };
  }
  return { trace, failure: null, side, ids };
}
