/**
 * One event as a trace says it (README, "The trace format"): the `observed` value of its outcomes,
 * read back into the model's order, and the event written as a trace line. Every writer of a trace
 * (counterexamples, `xcm explore`, `xcm diff`) and every reader of `observed` goes through here.
 * @module
 */
import { ANY_REFUSAL, IMPLICIT_USER, type Observed, type ObservedOutcome, type Outcome, type TraceEvent } from '../types.ts';

/**
 * The model's outcomes of an event (for a connect, one per tenant in the consent's order) as the
 * trace's `observed` value: one outcome, or for a consent of several tenants an object tenant →
 * outcome. A missing outcome is `ok`.
 */
export function observedValue(event: TraceEvent, outcomes: readonly Outcome[]): Observed {
  if (event.type !== 'connect' || event.tenants.length === 1) return outcomes[0] ?? 'ok';
  return Object.fromEntries(event.tenants.map((t, i) => [t, outcomes[i] ?? 'ok']));
}

/** The observed outcome of the event's `i`-th decision (the `i`-th tenant of a consent), if any. */
export function observedAt(event: TraceEvent, i: number): ObservedOutcome | undefined {
  const observed = event.observed;
  if (observed === undefined) return undefined;
  if (typeof observed === 'string') return i === 0 ? observed : undefined;
  if (event.type !== 'connect') return undefined;
  // Own keys only: a tenant named like a built-in (`toString`, `__proto__`) is an ordinary name.
  const tenant = event.tenants[i];
  return tenant !== undefined && Object.hasOwn(observed, tenant) ? observed[tenant] : undefined;
}

/** The observed outcomes of an event, in the order of the model's outcomes (undefined: none). */
export function observedOutcomes(event: TraceEvent): Array<ObservedOutcome | undefined> | undefined {
  if (event.observed === undefined) return undefined;
  if (event.type !== 'connect' || typeof event.observed === 'string') return [observedAt(event, 0)];
  return event.tenants.map((_, i) => observedAt(event, i));
}

/**
 * Whether an observation agrees with the model's outcome: the same outcome, or `rejected` for
 * either refusal of a connect.
 */
export function outcomeMatches(expected: Outcome, observed: ObservedOutcome): boolean {
  return observed === expected || (observed === ANY_REFUSAL && (expected === 'rejected:app-limit' || expected === 'rejected:org-limit'));
}

/** An `observed` value in one line of text: the outcome, or `tenant=outcome` per tenant. */
export function observedText(observed: Observed): string {
  if (typeof observed === 'string') return observed;
  return Object.entries(observed)
    .map(([t, o]) => `${t}=${o}`)
    .join(' ');
}

/**
 * An event as the object of a trace line: `type` first, `tenant` for a one-tenant connect, the
 * implicit user left out, then `at`, `observed` (when the event has one) and `note` (the one given,
 * else the event's own).
 */
export function traceLineObject(event: TraceEvent, note?: string): Record<string, unknown> {
  const { type, at, observed, note: own, ...fields } = event as TraceEvent & Record<string, unknown>;
  const body: Record<string, unknown> = { type };
  const text = note ?? own;
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'tenants' && Array.isArray(value) && value.length === 1) body.tenant = value[0];
    else if (!(key === 'user' && value === IMPLICIT_USER)) body[key] = value;
  }
  if (at !== undefined) body.at = at;
  if (observed !== undefined) body.observed = observed;
  if (text !== undefined) body.note = text;
  return body;
}

/** An event as a trace line (JSON, no newline); see `traceLineObject`. */
export function traceLine(event: TraceEvent, note?: string): string {
  return JSON.stringify(traceLineObject(event, note));
}
