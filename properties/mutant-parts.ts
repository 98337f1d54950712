/**
 * The broken guards and actions the mutants of `mutants.ts` are built from. Each replaces one
 * named guard or action of `model/platform/transitions.ts` and differs from it in one plausible way.
 * @module
 */
import * as rules from '../model/platform/rules.ts';
import { actions, guards, type PlatformContext, type PlatformEvent } from '../model/platform/transitions.ts';
import {
  appOf,
  connectionOf,
  connectionSerial,
  isLinked,
  linkedApps,
  linkedTenants,
  tenantOf,
  usersOf,
  withConnection,
  withEmptyLink,
  withoutConnection,
} from '../model/world/world.ts';

type Connect = Extract<PlatformEvent, { type: 'connect' }>;
type Disconnect = Extract<PlatformEvent, { type: 'disconnect' }>;

function parts(c: PlatformContext, e: { app: string; tenant: string }) {
  return { app: appOf(c.world, e.app), tenant: tenantOf(c.world, e.tenant) };
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
  const onTenant = linkedApps(c.world).filter((id) => isLinked(c.world, id, tenant.id));
  const counted = onTenant.filter((id) => {
    const other = appOf(c.world, id);
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
  for (const tenantId of linkedTenants(c.world, app.id)) {
    if (rules.tenantCountsTowardAppCap(c.policy, tenantOf(c.world, tenantId))) connections += usersOf(c.world, app.id, tenantId).length;
  }
  return connections >= cap;
}

/** Disconnect removes the last user's record but leaves the (app, tenant) entry, which still counts. */
export function disconnectLeavesCount(c: PlatformContext, e: Disconnect): PlatformContext {
  const next = actions.removeConnection(c, e);
  return isLinked(next.world, e.app, e.tenant) ? next : { ...next, world: withEmptyLink(next.world, e.app, e.tenant) };
}

/** Disconnect removes every user's connection of the app to the tenant. */
export function disconnectWholeTenant(c: PlatformContext, e: Disconnect): PlatformContext {
  let world = c.world;
  for (const user of usersOf(world, e.app, e.tenant)) world = withoutConnection(world, e.app, e.tenant, user);
  return { ...actions.removeConnection(c, e), world };
}

/** Revoke removes every connection of the app, whoever made it. */
export function revokeEveryone(c: PlatformContext, e: Extract<PlatformEvent, { type: 'revoke' }>): PlatformContext {
  let world = c.world;
  for (const tenant of linkedTenants(world, e.app)) {
    for (const user of usersOf(world, e.app, tenant)) world = withoutConnection(world, e.app, tenant, user);
  }
  return { ...actions.revokeUser(c, e), world };
}

/** A new policy drops each app's connections above its cap under that policy. */
export function enterPolicyTrimming(c: PlatformContext, e: Extract<PlatformEvent, { type: 'policy' }>): PlatformContext {
  const next = actions.enterPolicy(c, e);
  let world = next.world;
  for (const appId of linkedApps(world)) {
    const cap = rules.appCap(next.policy, appOf(world, appId));
    if (cap === null || rules.isOutsideLimits(appOf(world, appId))) continue;
    for (const tenant of linkedTenants(world, appId).slice(cap)) {
      for (const user of usersOf(world, appId, tenant)) world = withoutConnection(world, appId, tenant, user);
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
  const record = connectionOf(next.world, e.app, e.tenant, e.user);
  if (record === undefined) return next;
  const connection = { ...record, id: `c${++processWideSerial}` };
  return { ...next, world: withConnection(next.world, e.app, e.tenant, e.user, connection, connectionSerial(next.world)) };
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
    connectionSerial(next.world),
  );
  return { ...next, world };
}
