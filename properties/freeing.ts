/**
 * Freeing the capacity that blocks a connect, as trace events: the recovery property appends
 * these after a refusal and expects the same connect to succeed. Each way of freeing (disconnect,
 * revoke, certification, a tier upgrade) applies where it can; otherwise a disconnect does.
 * @module
 */
import * as rules from '../model/platform/rules.ts';
import type { PlatformContext } from '../model/platform/transitions.ts';
import type { TraceEvent } from '../model/types.ts';
import { appOf, isLinked, linkedApps, linkedTenants, tenantOf, usersOf } from '../model/world/world.ts';
import type { FreeingMethod } from './arbitraries.ts';
import { userField } from './commands.ts';

/** The events that free one limit's capacity, and the method they amount to. */
export interface Freeing {
  limit: 'app cap' | 'organisation limit';
  method: FreeingMethod;
  events: TraceEvent[];
}

type Draft = Omit<Freeing, 'limit'>;

function disconnectAll(c: PlatformContext, app: string, tenant: string): TraceEvent[] {
  return usersOf(c.world, app, tenant).map((user) => ({ type: 'disconnect', app, tenant, ...userField(user) }));
}

/** Revoke each user of `app` on `tenant` (which also removes their other connections to the app). */
function revokeAll(c: PlatformContext, app: string, tenant: string): TraceEvent[] {
  return usersOf(c.world, app, tenant).map((user) => ({ type: 'revoke', app, ...userField(user) }));
}

/** Certification, plus the move to Plus where the tiers decide (Plus needs it). */
function certifyOut(c: PlatformContext, app: string): TraceEvent[] {
  const certify: TraceEvent = { type: 'certify', app };
  return c.policy.tiered ? [certify, { type: 'tier', app, tier: 'plus' }] : [certify];
}

function freeAppCap(c: PlatformContext, appId: string, method: FreeingMethod): Draft {
  const app = appOf(c.world, appId);
  const held = rules.heldTenants(c.world, c.policy, appId);
  if (method === 'certify' && !app.custom && !c.policy.tiered) return { method, events: [{ type: 'certify', app: appId }] };
  if (method === 'tier' && !app.custom && c.policy.tiered) {
    if (rules.tierOf(c.policy, app) === 'starter' && held < c.policy.coreCap)
      return { method, events: [{ type: 'tier', app: appId, tier: 'core' }] };
    const enterprise: TraceEvent = { type: 'tier', app: appId, tier: 'enterprise' };
    return { method, events: app.certified ? [enterprise] : [{ type: 'certify', app: appId }, enterprise] };
  }
  const cap = rules.appCap(c.policy, app) ?? held;
  const counted = linkedTenants(c.world, appId)
    .filter((t) => rules.tenantCountsTowardAppCap(c.policy, tenantOf(c.world, t)))
    .slice(0, held - cap + 1);
  if (method === 'revoke') return { method, events: counted.flatMap((t) => revokeAll(c, appId, t)) };
  return { method: 'disconnect', events: counted.flatMap((t) => disconnectAll(c, appId, t)) };
}

function freeOrgLimit(c: PlatformContext, appId: string, tenant: string, method: FreeingMethod): Draft {
  if (method === 'certify' && !c.policy.tiered) return { method, events: certifyOut(c, appId) };
  if (method === 'tier' && c.policy.tiered) return { method, events: certifyOut(c, appId) };
  const count = rules.uncertifiedAppsOn(c.world, c.policy, tenant);
  const others = linkedApps(c.world)
    .filter((a) => a !== appId && isLinked(c.world, a, tenant) && rules.appCountsTowardOrgLimit(c.policy, appOf(c.world, a)))
    .slice(0, count - c.policy.orgCap + 1);
  if (method === 'revoke') return { method, events: others.flatMap((a) => revokeAll(c, a, tenant)) };
  return { method: 'disconnect', events: others.flatMap((a) => disconnectAll(c, a, tenant)) };
}

/**
 * The events that free every limit blocking `app` from `tenant` in context `c` (null when none
 * blocks), each event stamped `at`.
 */
export function freeingFor(
  c: PlatformContext,
  appId: string,
  tenantId: string,
  method: FreeingMethod,
  at: string | undefined,
): { app: Freeing | null; org: Freeing | null } | null {
  const app = appOf(c.world, appId);
  const tenant = tenantOf(c.world, tenantId);
  const byApp = rules.exceedsAppCap(c.world, c.policy, app, tenant);
  const byOrg = rules.exceedsOrgLimit(c.world, c.policy, app, tenant);
  if (!byApp && !byOrg) return null;
  const stamp = (limit: Freeing['limit'], f: Draft): Freeing => ({
    limit,
    ...f,
    events: f.events.map((e) => (at === undefined ? e : { ...e, at }) as TraceEvent),
  });
  return {
    app: byApp ? stamp('app cap', freeAppCap(c, appId, method)) : null,
    org: byOrg ? stamp('organisation limit', freeOrgLimit(c, appId, tenantId, method)) : null,
  };
}
