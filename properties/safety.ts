/**
 * Safety: the caps are never exceeded and what counts is counted right. Each property checks one
 * invariant of the registry (`model/platform/invariants.ts`) on every machine step, judged against the
 * policy in force; where the registry's step rule cannot see a miscount (a refusal caused by
 * counting something that must not count), the property also checks the count behind the refusal.
 * @module
 */
import { INVARIANTS, type Invariant } from '../model/platform/invariants.ts';
import * as rules from '../model/platform/rules.ts';
import { appOf } from '../model/world/world.ts';
import type { Step } from './harness.ts';
import { firstBrokenStep, type TraceProperty } from './property.ts';

/** The registry invariant of this name. */
function invariant(name: string): Invariant {
  const found = INVARIANTS.find((i) => i.name === name);
  if (found === undefined) throw new Error(`no invariant ${name} in the registry`);
  return found;
}

/** A check that a step keeps a registry invariant. */
export function keeps(name: string): (s: Step) => string | null {
  const inv = invariant(name);
  return (s) => (inv.holds(s.before, s.event, s.after) ? null : `breaks ${inv.name}: ${inv.rule}`);
}

function both(...checks: Array<(s: Step) => string | null>): (s: Step) => string | null {
  return (s) => checks.reduce<string | null>((found, check) => found ?? check(s), null);
}

const correctPolicy = (s: Step) => s.before.policy.orgLimitReading === 'correct';

/** An app-limit refusal of a new tenant needs the app to hold its cap of counted tenants. */
function appRefusalCounted(s: Step): string | null {
  if (s.event.type !== 'connect' || s.after.outcome !== 'rejected:app-limit') return null;
  const { world, policy } = s.before;
  const app = appOf(world, s.event.app);
  const cap = rules.appCap(policy, app);
  const held = rules.heldTenants(world, policy, app.id);
  return cap !== null && held >= cap
    ? null
    : `refused by the app cap while ${app.id} holds ${held} counted tenants of ${cap ?? 'unlimited'}`;
}

/** An org-limit refusal needs the tenant to have its limit of apps that take a slot. */
function orgRefusalCounted(s: Step): string | null {
  if (s.event.type !== 'connect' || s.after.outcome !== 'rejected:org-limit' || !correctPolicy(s)) return null;
  const count = rules.uncertifiedAppsOn(s.before.world, s.before.policy, s.event.tenant);
  return count >= s.before.policy.orgCap
    ? null
    : `refused by the organisation limit while ${s.event.tenant} has ${count} apps that take a slot (limit ${s.before.policy.orgCap})`;
}

function safety(id: string, name: string, check: (s: Step) => string | null): TraceProperty {
  return { id: `safety/${id}`, family: 'safety', name, verify: (c, model) => firstBrokenStep(c, model, check) };
}

/** The safety properties. */
export const SAFETY: readonly TraceProperty[] = [
  safety('app-cap', 'never lets an app gain a tenant past its cap', keeps('appWithinCap')),
  safety('org-limit', 'never lets a tenant gain an uncertified app past its limit, outside the bug window', (s) =>
    correctPolicy(s) ? keeps('tenantWithinUncertifiedLimit')(s) : null,
  ),
  safety(
    'certified-not-counted',
    "never counts certified apps or custom connections toward an organisation's limit",
    both(keeps('certifiedAppsNeverTakeOrgSlots'), orgRefusalCounted),
  ),
  safety(
    'demo-not-counted',
    "never counts a demo tenant toward an app's cap",
    both(keeps('demoTenantsNeverCountTowardAppCap'), appRefusalCounted),
  ),
  safety('users-once', 'counts several users of one app on one tenant once', keeps('usersOnOneTenantCountOnce')),
  safety('one-auth-event', 'gives the connections made or renewed by one consent its authEventId', keeps('oneConsentSharesOneAuthEvent')),
];
