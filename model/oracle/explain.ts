/**
 * Why the model decided what it did: the rule behind an outcome and the counts it compared, in a
 * sentence ("app A already holds 25 of 25 tenants under xero-oauth2-2019"). Computed from the
 * context before the decision, with the same rule functions the machine's guards call.
 * @module
 */
import * as rules from '../platform/rules.ts';
import type { PlatformContext, PlatformEvent } from '../platform/transitions.ts';
import type { ObservedOutcome, Outcome } from '../types.ts';
import { appOf, connectionOf, isLinked, linkedApps, linkedTenants, tenantOf } from '../world/world.ts';

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

function capText(cap: number | null): string {
  return cap === null ? 'unlimited' : String(cap);
}

function appCountText(c: PlatformContext, appId: string): string {
  const app = appOf(c.world, appId);
  const cap = rules.appCap(c.policy, app);
  const held = rules.heldTenants(c.world, c.policy, appId);
  const kind = app.custom ? 'custom connection' : c.policy.tiered ? `${app.tier} app` : app.certified ? 'certified app' : 'uncertified app';
  return `${kind} ${appId} holds ${held} of ${capText(cap)} tenants`;
}

function orgCountText(c: PlatformContext, appId: string, tenantId: string): string {
  const app = appOf(c.world, appId);
  const tenant = tenantOf(c.world, tenantId);
  if (!rules.appCountsTowardOrgLimit(c.policy, app)) return `${appId} takes no uncertified slot on ${tenantId}`;
  if (!rules.tenantSubjectToOrgLimit(c.policy, tenant)) return `${tenant.kind} tenant ${tenantId} has no limit of uncertified apps`;
  const { count, refuseAt } = rules.orgCheck(c.world, c.policy, appId, tenantId);
  const others = linkedApps(c.world).filter((a) => a !== appId && isLinked(c.world, a, tenantId));
  const on = others.length === 0 ? 'no other app' : others.join(', ');
  switch (c.policy.orgLimitReading) {
    case 'correct':
      return `tenant ${tenantId} has ${count} of ${c.policy.orgCap} uncertified apps (connected: ${on})`;
    case 'counts-every-app':
      return `the bug counts every app on tenant ${tenantId}: ${count} against the limit of ${refuseAt} (connected: ${on})`;
    case 'refuses-at-limit':
      return `the bug refuses at ${refuseAt} uncertified apps; tenant ${tenantId} has ${count} (connected: ${on})`;
    case 'counts-app-tenants':
      return `the bug compares app ${appId}'s ${count} tenants with the limit of ${refuseAt}`;
  }
}

/** The rule and the sentence behind one decision. */
export function explain(before: PlatformContext, event: PlatformEvent, outcome: Outcome): { rule: RuleName; text: string } {
  const under = `under ${before.policy.id}`;
  switch (event.type) {
    case 'connect': {
      const app = appOf(before.world, event.app);
      if (rules.isOutsideLimits(app))
        return { rule: 'outside-limits', text: `${event.app} is an OAuth 1.0a app, outside the OAuth 2.0 limits` };
      const counts = `${appCountText(before, event.app)}; ${orgCountText(before, event.app, event.tenant)}; ${under}`;
      switch (outcome) {
        case 'reconnected':
          return {
            rule: 'reconsent',
            text: `user ${event.user} already connects ${event.app} to ${event.tenant}: a re-consent adds no tenant; ${counts}`,
          };
        case 'rejected:app-limit':
          return { rule: 'app-cap', text: `${event.tenant} would be a new tenant past the cap: ${counts}` };
        case 'rejected:org-limit':
          return { rule: 'org-limit', text: `${event.app} would be one uncertified app too many on ${event.tenant}: ${counts}` };
        default: {
          const second = isLinked(before.world, event.app, event.tenant)
            ? `${event.tenant} is already held by another user of ${event.app}, so it is not counted again; `
            : '';
          return { rule: 'connect', text: `no limit refuses it: ${second}${counts}` };
        }
      }
    }
    case 'disconnect':
      return {
        rule: 'disconnect',
        text:
          outcome === 'disconnected'
            ? `removes user ${event.user}'s connection of ${event.app} to ${event.tenant}`
            : `user ${event.user} has no connection of ${event.app} to ${event.tenant}`,
      };
    case 'revoke': {
      const held = linkedTenants(before.world, event.app).filter(
        (t) => connectionOf(before.world, event.app, t, event.user) !== undefined,
      ).length;
      return { rule: 'revoke', text: `removes user ${event.user}'s ${held} connection(s) to ${event.app}; other users' stay` };
    }
    case 'certify':
      return { rule: 'lifecycle', text: `${event.app} is certified; its connections stay` };
    case 'tier':
      return {
        rule: 'lifecycle',
        text:
          outcome === 'ok'
            ? `${event.app} moves to ${event.tier}; its connections stay`
            : `${event.tier} needs a certified app (Plus, Advanced and Enterprise must be certified)`,
      };
    case 'app':
      return {
        rule: 'lifecycle',
        text: outcome === 'ok' ? `declares ${event.app}` : `the app's lifecycle refuses this change to ${event.app}`,
      };
    default:
      return { rule: 'declaration', text: `${event.type} event` };
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
