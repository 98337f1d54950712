/**
 * The broken guards and actions the mutants of `mutants.ts` are built from. Each replaces one
 * named guard or action of `model/platform/transitions.ts` and differs from it in one plausible way.
 * @module
 */
import * as rules from '../model/platform/rules.ts';
import { actions, defaultApp, guards, type PlatformContext, type PlatformEvent } from '../model/platform/transitions.ts';
import type { Tenant } from '../model/types.ts';
import { connectionOf, isLinked, linksOf, withConnection, withoutConnection, type World } from '../model/world/world.ts';

type Connect = Extract<PlatformEvent, { type: 'connect' }>;
type Disconnect = Extract<PlatformEvent, { type: 'disconnect' }>;

function parts(c: PlatformContext, e: { app: string; tenant: string }) {
  const app = c.world.apps[e.app] ?? defaultApp(e.app);
  const tenant: Tenant = c.world.tenants[e.tenant] ?? { id: e.tenant, kind: 'organisation' };
  return { app, tenant };
}

/** Never sees a re-consent: every connect is decided as a new one. */
export const neverReconsent = (): boolean => false;

/** The organisation check counts certified apps on the tenant too (custom and OAuth 1.0a stay out). */
export function countsCertifiedApps(c: PlatformContext, e: Connect): boolean {
  const { app, tenant } = parts(c, e);
  if (
    !rules.appCountsTowardOrgLimit(c.policy, app) ||
    !rules.tenantSubjectToOrgLimit(c.policy, tenant) ||
    isLinked(c.world, app.id, tenant.id)
  )
    return false;
  const onTenant = Object.keys(c.world.links).filter((id) => isLinked(c.world, id, tenant.id));
  const counted = onTenant.filter((id) => {
    const other = c.world.apps[id] ?? defaultApp(id);
    return !other.custom && !rules.isOutsideLimits(other);
  });
  return counted.length >= c.policy.orgCap;
}

/** The app cap counts connections (one per user) instead of tenants. */
export function countsConnections(c: PlatformContext, e: Connect): boolean {
  const { app, tenant } = parts(c, e);
  const cap = rules.appCap(c.policy, app);
  if (rules.isOutsideLimits(app) || cap === null || !rules.tenantCountsTowardAppCap(c.policy, tenant)) return false;
  let connections = 0;
  for (const [tenantId, users] of Object.entries(linksOf(c.world, app.id))) {
    const t = c.world.tenants[tenantId] ?? { id: tenantId, kind: 'organisation' as const };
    if (rules.tenantCountsTowardAppCap(c.policy, t)) connections += Object.keys(users).length;
  }
  return connections >= cap;
}

function withEmptyEntry(world: World, app: string, tenant: string): World {
  return { ...world, links: { ...world.links, [app]: { ...linksOf(world, app), [tenant]: {} } } };
}

/** Disconnect removes the last user's record but leaves the (app, tenant) entry, which still counts. */
export function disconnectLeavesCount(c: PlatformContext, e: Disconnect): PlatformContext {
  const next = actions.removeConnection(c, e);
  return isLinked(next.world, e.app, e.tenant) ? next : { ...next, world: withEmptyEntry(next.world, e.app, e.tenant) };
}

/** Disconnect removes every user's connection of the app to the tenant. */
export function disconnectWholeTenant(c: PlatformContext, e: Disconnect): PlatformContext {
  let world = c.world;
  for (const user of Object.keys(linksOf(world, e.app)[e.tenant] ?? {})) world = withoutConnection(world, e.app, e.tenant, user);
  return { ...actions.removeConnection(c, e), world };
}

/** Revoke removes every connection of the app, whoever made it. */
export function revokeEveryone(c: PlatformContext, e: Extract<PlatformEvent, { type: 'revoke' }>): PlatformContext {
  let world = c.world;
  for (const [tenant, users] of Object.entries(linksOf(world, e.app))) {
    for (const user of Object.keys(users)) world = withoutConnection(world, e.app, tenant, user);
  }
  return { ...actions.revokeUser(c, e), world };
}

/** A new policy drops each app's connections above its cap under that policy. */
export function enterPolicyTrimming(c: PlatformContext, e: Extract<PlatformEvent, { type: 'policy' }>): PlatformContext {
  const next = actions.enterPolicy(c, e);
  let world = next.world;
  for (const appId of Object.keys(world.links)) {
    const cap = rules.appCap(next.policy, world.apps[appId] ?? defaultApp(appId));
    if (cap === null || rules.isOutsideLimits(world.apps[appId] ?? defaultApp(appId))) continue;
    for (const [tenant, users] of Object.entries(linksOf(world, appId)).slice(cap)) {
      for (const user of Object.keys(users)) world = withoutConnection(world, appId, tenant, user);
    }
  }
  return { ...next, world };
}

/** A re-consent is decided as a new tenant: refused at the cap or the limit, else a new connection. */
export const reconsentAsNewTenant = {
  isReconsent: neverReconsent,
  appLimitRefuses: (c: PlatformContext, e: Connect): boolean => {
    if (connectionOf(c.world, e.app, e.tenant, e.user) === undefined) return guards.appLimitRefuses(c, e);
    const { app, tenant } = parts(c, e);
    return !rules.isOutsideLimits(app) && rules.tenantCountsTowardAppCap(c.policy, tenant) && rules.isAtAppCap(c.world, c.policy, app);
  },
};

let processWideSerial = 0;

/** Connection ids come from a counter shared by every platform in the process, not the world's. */
export function globalConnectionIds(c: PlatformContext, e: Connect): PlatformContext {
  const next = actions.addConnection(c, e);
  const record = next.world.links[e.app]?.[e.tenant]?.[e.user];
  if (record === undefined) return next;
  const users = { ...linksOf(next.world, e.app)[e.tenant], [e.user]: { ...record, id: `c${++processWideSerial}` } };
  return {
    ...next,
    world: { ...next.world, links: { ...next.world.links, [e.app]: { ...linksOf(next.world, e.app), [e.tenant]: users } } },
  };
}

/** A re-consent keeps the connection's old authEventId, whatever `reconsentTakesNewAuthEvent` says. */
export function reconsentKeepsAuthEvent(c: PlatformContext, e: Connect): PlatformContext {
  const old = connectionOf(c.world, e.app, e.tenant, e.user);
  const next = actions.renewConnection(c, e);
  const renewed = connectionOf(next.world, e.app, e.tenant, e.user);
  if (old === undefined || renewed === undefined) return next;
  const world = withConnection(
    next.world,
    e.app,
    e.tenant,
    e.user,
    { ...renewed, authEventId: old.authEventId },
    next.world.connectionSerial,
  );
  return { ...next, world };
}
