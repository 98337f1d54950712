/**
 * Why the model decided what it did: the rule behind an outcome, what decided it (the counts it
 * compared, the apps that take a slot, the exemption that applied), the policy in force, and for
 * a refusal what the user can do. Computed from the context before the decision, with the same
 * rule functions the machine's guards call; no rule is restated here.
 * @module
 */
import { policyLabel, type Policy } from '../platform/policy.ts';
import * as rules from '../platform/rules.ts';
import type { PlatformContext, PlatformEvent } from '../platform/transitions.ts';
import type { App, ObservedOutcome, Outcome } from '../types.ts';
import { bugWindowEnd, count, list, who, whose } from './wording.ts';
import {
  appOf,
  connectionOf,
  forEachAppOn,
  isLinked,
  linkedTenantCount,
  linkedTenants,
  tenantOf,
  tenantRecord,
  usersOf,
  withoutConnection,
} from '../world/world.ts';

/** The rule an outcome is about, for divergence reports. */
export type RuleName =
  | 'app-cap'
  | 'org-limit'
  | 'reconsent'
  | 'outside-limits'
  | 'connect'
  | 'disconnect'
  | 'revoke'
  | 'lifecycle'
  | 'declaration';

/**
 * An app's kind as the explanations name it ("uncertified app", "starter app", "certified app").
 * The one place that says it: under a tiered policy, the app's tier.
 */
export function appKind(policy: Policy, app: App): string {
  if (app.custom) return 'custom connection';
  if (rules.isOutsideLimits(app)) return 'OAuth 1.0a app';
  if (policy.tiered) return `${rules.tierOf(policy, app)} app${rules.tierIsAssumed(app) ? ' (tier assumed)' : ''}`;
  return app.certified ? 'certified app' : 'uncertified app';
}

/** How many tenants the app holds against its cap, and the demo tenants it holds uncounted. */
function appCountText(c: PlatformContext, appId: string): string {
  const app = appOf(c.world, appId);
  const cap = rules.appCap(c.policy, app);
  const held = rules.heldTenants(c.world, c.policy, appId);
  const holds = cap === null ? `holds ${count(held, 'tenant')} (no cap)` : `holds ${held} of ${count(cap, 'tenant')}`;
  // When every linked tenant is held (counted), none is uncounted: no walk of the app's tenants.
  const uncounted =
    held === linkedTenantCount(c.world, appId)
      ? []
      : linkedTenants(c.world, appId).filter((t) => {
          const tenant = tenantRecord(c.world, t);
          return tenant !== undefined && !rules.tenantCountsTowardAppCap(c.policy, tenant);
        });
  const demo = uncounted.length === 0 ? '' : ` (not counting ${count(uncounted.length, 'demo tenant')}: ${uncounted.join(', ')})`;
  return `${appKind(c.policy, app)} ${appId} ${holds}${demo}`;
}

/** The other apps on a tenant: those that take an uncertified slot, and those that take none. */
function appsOnTenant(c: PlatformContext, appId: string, tenantId: string): { slot: string[]; free: string[] } {
  const slot: string[] = [];
  const free: string[] = [];
  forEachAppOn(c.world, tenantId, (other) => {
    if (other === appId) return;
    (rules.appCountsTowardOrgLimit(c.policy, appOf(c.world, other)) ? slot : free).push(other);
  });
  return { slot, free };
}

/** The apps on a tenant in parentheses: the slot-takers, then the others apart. */
function appsText(slot: readonly string[], free: readonly string[]): string {
  const parts = [
    ...(slot.length === 0 ? [] : [slot.join(', ')]),
    ...(free.length === 0 ? [] : [`also connected, taking no slot: ${free.join(', ')}`]),
  ];
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/** The tenant's uncertified apps against its limit (never counting the deciding app), as the policy's organisation check reads them. */
function orgCountText(c: PlatformContext, appId: string, tenantId: string): string {
  const app = appOf(c.world, appId);
  const tenant = tenantOf(c.world, tenantId);
  if (!rules.appCountsTowardOrgLimit(c.policy, app)) return `${appKind(c.policy, app)} ${appId} takes no uncertified slot on ${tenantId}`;
  if (!rules.tenantSubjectToOrgLimit(c.policy, tenant)) return `${tenant.kind} tenant ${tenantId} has no limit of uncertified apps`;
  const { slot, free } = appsOnTenant(c, appId, tenantId);
  const apps = appsText(slot, free);
  const besides = isLinked(c.world, appId, tenantId) ? ` besides ${appId}` : '';
  const { count: n, refuseAt } = rules.orgCheck(c.world, c.policy, appId, tenantId);
  switch (c.policy.orgLimitReading) {
    case 'correct':
      return `tenant ${tenantId} has ${slot.length} of ${count(c.policy.orgCap, 'uncertified app')}${besides}${apps}`;
    case 'counts-every-app':
      return `the bug counts every app on tenant ${tenantId}: ${slot.length + free.length}${besides} against the limit of ${refuseAt}${apps}`;
    case 'refuses-at-limit':
      return `the bug refuses at ${count(refuseAt, 'uncertified app')}; tenant ${tenantId} has ${slot.length}${besides}${apps}`;
    case 'counts-app-tenants':
      return `the bug compares app ${appId}'s ${count(n, 'tenant')} with the limit of ${refuseAt}`;
  }
}

/** What the user can do about a refusal by the app's cap. */
function appCapAdvice(policy: Policy, app: App): string {
  if (app.custom) return `to connect it: disconnect ${app.id}'s tenant (a custom connection connects one organisation)`;
  const more = policy.tiered ? `move ${app.id} to a higher tier` : `certify ${app.id}`;
  const assumed =
    policy.tiered && rules.tierIsAssumed(app)
      ? `; the trace declares no tier for ${app.id}, so ${rules.tierOf(policy, app)} is assumed (${app.certified ? 'assumedCertifiedTier' : 'assumedTier'}): if it is on another, declare it, e.g. {"type":"tier","app":${JSON.stringify(app.id)},"tier":"core"}`
      : '';
  return `to connect it: disconnect one of ${app.id}'s tenants, or ${more}${assumed}`;
}

/** What the user can do about a refusal by the organisation's limit (or the bug window's fault). */
function orgLimitAdvice(c: PlatformContext, appId: string, tenantId: string): string {
  const app = appOf(c.world, appId);
  if (!rules.exceedsOrgLimit(c.world, c.policy, app, tenantOf(c.world, tenantId))) {
    return `this refusal was a platform fault (the February 2020 bug), fixed at the window's end, ${bugWindowEnd()}: connect again after it`;
  }
  const { slot } = appsOnTenant(c, appId, tenantId);
  return `to connect it: ask the organisation ${tenantId} to disconnect one of its uncertified apps (${slot.join(', ')}), or certify ${appId} (a certified app takes no slot)`;
}

/** The exemption that let a connect through where a limit might have refused it, as a clause ending in `; `. */
function connectExemption(c: PlatformContext, e: Extract<PlatformEvent, { type: 'connect' }>): string {
  const app = appOf(c.world, e.app);
  const tenant = tenantOf(c.world, e.tenant);
  if (isLinked(c.world, e.app, e.tenant)) {
    const others = usersOf(c.world, e.app, e.tenant).filter((u) => u !== e.user);
    return `${e.tenant} is already held by another user of ${e.app} (${list(others.map(who))}), so it is not counted again and ${e.app} takes no new slot on it; `;
  }
  if (!rules.tenantCountsTowardAppCap(c.policy, tenant) && rules.isAtAppCap(c.world, c.policy, app)) {
    return `${tenant.kind} tenant ${e.tenant} is not counted toward ${e.app}'s cap, so the cap does not refuse it; `;
  }
  return '';
}

/** What a removed connection frees: whether the tenant still counts toward the app's cap and the app still takes a slot on it. */
function freeingText(c: PlatformContext, appId: string, tenantId: string, leaving: string): string {
  const app = appOf(c.world, appId);
  const tenant = tenantOf(c.world, tenantId);
  const counts = rules.tenantCountsTowardAppCap(c.policy, tenant);
  const slot = rules.appCountsTowardOrgLimit(c.policy, app) && rules.tenantSubjectToOrgLimit(c.policy, tenant);
  const remaining = usersOf(c.world, appId, tenantId).filter((u) => u !== leaving);
  if (remaining.length > 0) {
    const still = `${list(remaining.map(who))} still ${remaining.length === 1 ? 'connects' : 'connect'} ${appId} to ${tenantId}`;
    if (!counts) return `${still}; ${tenant.kind} tenant ${tenantId} never counted toward ${appId}'s cap`;
    return `${still}, so ${tenantId} still counts toward ${appId}'s cap${slot ? ` and ${appId} still takes one of ${tenantId}'s uncertified slots` : ''}`;
  }
  const after: PlatformContext = { ...c, world: withoutConnection(c.world, appId, tenantId, leaving) };
  const cap = counts
    ? `${tenantId} no longer counts toward ${appId}'s cap (${appCountText(after, appId)})`
    : `${tenant.kind} tenant ${tenantId} never counted toward ${appId}'s cap`;
  return `${cap}${slot ? `, and ${appId} frees its uncertified slot on ${tenantId}` : ''}`;
}

/** The rule and the sentence behind one decision. */
export function explain(before: PlatformContext, event: PlatformEvent, outcome: Outcome): { rule: RuleName; text: string } {
  const under = `under ${policyLabel(before.policy)}`;
  switch (event.type) {
    case 'connect': {
      const app = appOf(before.world, event.app);
      if (rules.isOutsideLimits(app))
        return { rule: 'outside-limits', text: `${event.app} is an OAuth 1.0a app, outside the OAuth 2.0 limits; ${under}` };
      const counts = `${appCountText(before, event.app)}; ${orgCountText(before, event.app, event.tenant)}; ${under}`;
      const reconsent = connectionOf(before.world, event.app, event.tenant, event.user) !== undefined;
      switch (outcome) {
        case 'reconnected':
          return {
            rule: 'reconsent',
            text: `${who(event.user)} already connects ${event.app} to ${event.tenant}: a re-consent adds no tenant; ${counts}`,
          };
        case 'rejected:app-limit': {
          const head = reconsent
            ? `${who(event.user)} already connects ${event.app} to ${event.tenant}, but a re-consent is refused while the app is at its cap (reconsentAtCap is false)`
            : `${event.tenant} would be a new tenant past the cap`;
          return { rule: 'app-cap', text: `${head}: ${counts}; ${appCapAdvice(before.policy, app)}` };
        }
        case 'rejected:org-limit':
          return {
            rule: 'org-limit',
            text: `${event.app} would be one uncertified app too many on ${event.tenant}: ${counts}; ${orgLimitAdvice(before, event.app, event.tenant)}`,
          };
        default:
          return { rule: 'connect', text: `no limit refuses it: ${connectExemption(before, event)}${counts}` };
      }
    }
    case 'disconnect':
      return {
        rule: 'disconnect',
        text:
          outcome === 'disconnected'
            ? `removes ${whose(event.user)} connection of ${event.app} to ${event.tenant}; ${freeingText(before, event.app, event.tenant, event.user)}; ${under}`
            : `${who(event.user)} has no connection of ${event.app} to ${event.tenant}, so nothing changes; ${under}`,
      };
    case 'revoke': {
      const tenants = linkedTenants(before.world, event.app).filter(
        (t) => connectionOf(before.world, event.app, t, event.user) !== undefined,
      );
      if (tenants.length === 0)
        return { rule: 'revoke', text: `${who(event.user)} has no connection to ${event.app}, so nothing changes; ${under}` };
      const kept = tenants
        .filter((t) => usersOf(before.world, event.app, t).some((u) => u !== event.user))
        .map((t) => `; ${freeingText(before, event.app, t, event.user)}`)
        .join('');
      return {
        rule: 'revoke',
        text: `removes ${whose(event.user)} ${count(tenants.length, 'connection')} to ${event.app} (${tenants.join(', ')}); other users' stay${kept}; ${under}`,
      };
    }
    case 'certify':
      return { rule: 'lifecycle', text: `${event.app} is certified; its connections stay; ${under}` };
    case 'tier':
      return {
        rule: 'lifecycle',
        text:
          outcome === 'ok'
            ? `${event.app} moves to ${event.tier}; its connections stay; ${under}`
            : `${event.tier} needs a certified app (Plus, Advanced and Enterprise must be certified); ${under}; to move ${event.app} to ${event.tier}: certify it first`,
      };
    case 'app':
      return {
        rule: 'lifecycle',
        text: outcome === 'ok' ? `declares ${event.app}; ${under}` : `the app's lifecycle refuses this change to ${event.app}; ${under}`,
      };
    case 'tenant':
      return { rule: 'declaration', text: `declares ${event.kind} tenant ${event.tenant}; ${under}` };
    default:
      return { rule: 'declaration', text: `${event.type} event; ${under}` };
  }
}

/** The rule a divergence is about: the limit either side names, else the model's own rule. */
export function divergenceRule(modelRule: RuleName, expected: Outcome, observed: ObservedOutcome): RuleName {
  for (const o of [observed, expected]) {
    if (o === 'rejected:app-limit') return 'app-cap';
    if (o === 'rejected:org-limit') return 'org-limit';
  }
  return modelRule;
}
