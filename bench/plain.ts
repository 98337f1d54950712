/**
 * The plain hand-written checker: JSON.parse per line, the independent reference implementation
 * (`properties/reference.ts`, Maps and loops, no XState), the policy in force per event chosen as
 * the driver chooses it (the timeline, an event without `at` inheriting the last one), and a
 * comparison with `observed`. No validation beyond what JSON.parse does. The trace generator
 * uses the same stepping to write `observed`.
 * @module
 */
import { builtinPolicy } from '../model/platform/policies.ts';
import type { Policy } from '../model/platform/policy.ts';
import { policyIdAt } from '../model/platform/timeline.ts';
import { defaultApp } from '../model/world/world.ts';
import { readLines } from '../model/io/trace.ts';
import { IMPLICIT_USER, type Outcome, type TenantKind, type Tier } from '../model/types.ts';
import { ReferencePlatform, type RefAppChanges } from '../properties/reference.ts';

/** A trace event as JSON.parse gives it. */
export type RawEvent = Record<string, unknown>;

const policies = new Map<string, Policy>();

function policyById(id: string): Policy {
  let policy = policies.get(id);
  if (policy === undefined) {
    policy = builtinPolicy(id);
    if (policy === undefined) throw new Error(`unknown policy ${id}`);
    policies.set(id, policy);
  }
  return policy;
}

/** The reference platform stepped by raw trace events, under the timeline `xero`. */
export class PlainChecker {
  private readonly ref = new ReferencePlatform(policyById(policyIdAt(null, undefined)));
  /** Each app's `registered` date, the one field of an app the timeline reads. */
  private readonly registered = new Map<string, string | null>();
  private lastAtMs: number | null = null;
  /** How many events each policy decided. */
  readonly eventsByPolicy = new Map<string, number>();

  /** Apply one event; the outcomes in the order of its tenants (one for other events). */
  step(event: RawEvent): Outcome[] {
    const type = event.type as string;
    if (typeof event.at === 'string') this.lastAtMs = Date.parse(event.at);
    const app = event.app as string;
    if (type !== 'app' && type !== 'tenant' && !this.registered.has(app)) this.registered.set(app, null);
    const known =
      type === 'tenant' || !this.registered.has(app) ? undefined : { ...defaultApp(app), registered: this.registered.get(app) ?? null };
    const policyId = policyIdAt(this.lastAtMs, known);
    this.eventsByPolicy.set(policyId, (this.eventsByPolicy.get(policyId) ?? 0) + 1);
    this.ref.setPolicy(policyById(policyId));
    const user = (event.user as string | undefined) ?? IMPLICIT_USER;
    switch (type) {
      case 'app': {
        const changes: RefAppChanges = {};
        for (const key of ['certified', 'tier', 'custom', 'auth', 'registered'] as const) {
          if (event[key] !== undefined) (changes as Record<string, unknown>)[key] = event[key];
        }
        const outcome = this.ref.declareApp(app, changes);
        if (outcome === 'ok') this.registered.set(app, changes.registered ?? this.registered.get(app) ?? null);
        return [outcome];
      }
      case 'tenant':
        return [this.ref.declareTenant(event.tenant as string, (event.kind as TenantKind | undefined) ?? 'organisation')];
      case 'connect':
        return this.ref.connect(app, (event.tenants as string[] | undefined) ?? [event.tenant as string], user);
      case 'disconnect':
        return [this.ref.disconnect(app, event.tenant as string, user)];
      case 'revoke':
        return [this.ref.revoke(app, user)];
      case 'certify':
        return [this.ref.certify(app)];
      case 'tier':
        return [this.ref.tier(app, event.tier as Tier)];
      default:
        throw new Error(`unknown event type ${type}`);
    }
  }
}

/** How many of an event's outcomes differ from its `observed` ones. */
export function disagreements(event: RawEvent, outcomes: readonly Outcome[]): number {
  const observed = event.observed;
  if (observed === undefined) return 0;
  if (typeof observed === 'string') return outcomes[0] === observed ? 0 : 1;
  const tenants = (event.tenants as string[] | undefined) ?? [];
  let differ = 0;
  tenants.forEach((tenant, i) => {
    const seen = (observed as Record<string, Outcome>)[tenant];
    if (seen !== undefined && seen !== outcomes[i]) differ++;
  });
  return differ;
}

/** Check a trace file with the plain checker, up to `limit` events. */
export async function plainCheck(
  file: string,
  limit = Infinity,
): Promise<{ events: number; divergences: number; eventsByPolicy: ReadonlyMap<string, number> }> {
  const checker = new PlainChecker();
  let events = 0;
  let divergences = 0;
  for await (const { text } of readLines(file)) {
    if (text === '') continue;
    if (events >= limit) break;
    const event = JSON.parse(text) as RawEvent;
    events++;
    divergences += disagreements(event, checker.step(event));
  }
  return { events, divergences, eventsByPolicy: checker.eventsByPolicy };
}
