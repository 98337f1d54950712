/**
 * The rules: what counts, each cap, and when a connect must be refused. Each is a small pure
 * function of the world and the policy in force; the machine's guards are these functions, and
 * the invariants and explanations call them too. No other file restates a rule.
 * @module
 */
import { tierCap, type PolicyParameters } from './policy.ts';
import type { App, Tenant, Tier } from '../types.ts';
import { appRecord, forEachAppOn, isLinked, linkedDeclaredTenants, linkedTenantCount, type World } from '../world/world.ts';

type P = PolicyParameters;

/**
 * OAuth 1.0a apps sit outside the OAuth 2.0 limits: never counted, never refused by them.
 * Assumption: they had limits of their own and ended in 2021; in the forum thread (community 110074711), removing them
 * freed no slot ("I removed the OAuth1 apps listed but it hasn't helped").
 */
export function isOutsideLimits(app: App): boolean {
  return app.auth === 'oauth1';
}

/**
 * The app's 2026 tier: the one it declared, else the one the policy assumes for an app of its
 * certification (`assumedTier`, `assumedCertifiedTier`; no source says which tier an existing
 * app was given when the tiers began).
 */
export function tierOf(policy: P, app: App): Tier {
  return app.tier ?? (app.certified ? policy.assumedCertifiedTier : policy.assumedTier);
}

/** Whether the app's tier is the policy's assumption rather than one it declared. */
export function tierIsAssumed(app: App): boolean {
  return app.tier === null;
}

/**
 * The cap on the tenants an app may hold (null: unlimited).
 * [DOC] oauth2/limits: "Uncertified apps will be limited to 25 connections"; certified apps have
 * "no connection limit" ([DOC] faq/migration); a custom connection connects one organisation;
 * from 2026 the app's tier decides ([DOC] /pricing).
 */
export function appCap(policy: P, app: App): number | null {
  if (app.custom) return policy.customCap;
  if (policy.tiered) return tierCap(policy, tierOf(policy, app));
  return app.certified ? policy.certifiedCap : policy.appCap;
}

/**
 * Whether a tenant counts toward an app's cap. Demo Company tenants do not:
 * [STAFF] community 144257521: "This count is all connections to your app, excluding Demo orgs".
 */
export function tenantCountsTowardAppCap(policy: P, tenant: Tenant): boolean {
  return tenant.kind !== 'demo' || policy.demoCountsTowardAppCap;
}

/**
 * The tenants an app holds: distinct tenants with at least one live connection, so several users
 * on one tenant count once ([NOTES] limits page: "only one of those connections will count").
 */
export function heldTenants(world: World, policy: P, appId: string): number {
  // Declared tenants only, as `tenantCountsTowardAppCap` of each record would count them.
  const { plain, demo } = linkedDeclaredTenants(world, appId);
  return plain + (tenantCountsTowardAppCap(policy, { id: '', kind: 'demo' }) ? demo : 0);
}

/**
 * Whether an app takes one of an organisation's uncertified slots: an uncertified OAuth 2.0 app
 * does. Certified apps and custom connections never do ([DOC] oauth2/limits, still on the 2026
 * page: "There is no limit on connecting certified apps"; [DOC] faq/custom-integration). Under
 * the 2026 tiers this is the same rule: an uncertified app can hold only Starter or Core
 * (`UNCERTIFIED_TIERS`, inference from [DOC] faq/remote-mcp), and a certified app on Starter or
 * Core is still certified and takes none.
 */
export function appCountsTowardOrgLimit(_policy: P, app: App): boolean {
  return !app.custom && !isOutsideLimits(app) && !app.certified;
}

/** Whether a tenant is subject to the organisation's limit (a demo tenant: `demoSubjectToOrgLimit`). */
export function tenantSubjectToOrgLimit(policy: P, tenant: Tenant): boolean {
  return tenant.kind !== 'demo' || policy.demoSubjectToOrgLimit;
}

/** The uncertified apps connected to a tenant (each app once, whatever its number of users). */
export function uncertifiedAppsOn(world: World, policy: P, tenantId: string): number {
  let count = 0;
  forEachAppOn(world, tenantId, (appId) => {
    const app = appRecord(world, appId);
    if (app !== undefined && appCountsTowardOrgLimit(policy, app)) count++;
  });
  return count;
}

/** Every app connected to a tenant, of any kind (what the `counts-every-app` bug reading counts). */
export function appsOn(world: World, tenantId: string): number {
  let count = 0;
  forEachAppOn(world, tenantId, () => count++);
  return count;
}

/**
 * The number the organisation check compares with `orgCap`, and the threshold it refuses at.
 * Correct: the uncertified apps already on the tenant, refused when they reach the cap (the new
 * app would go past it). The bug readings change what is counted or where it refuses.
 */
export function orgCheck(world: World, policy: P, appId: string, tenantId: string): { count: number; refuseAt: number } {
  switch (policy.orgLimitReading) {
    case 'correct':
      return { count: uncertifiedAppsOn(world, policy, tenantId), refuseAt: policy.orgCap };
    case 'counts-every-app':
      return { count: appsOn(world, tenantId), refuseAt: policy.orgCap };
    case 'refuses-at-limit':
      return { count: uncertifiedAppsOn(world, policy, tenantId), refuseAt: policy.orgCap - 1 };
    case 'counts-app-tenants':
      return { count: linkedTenantCount(world, appId), refuseAt: policy.orgCap };
  }
}

/** Whether the app is at (or above) its cap: it holds at least `appCap` counted tenants. */
export function isAtAppCap(world: World, policy: P, app: App): boolean {
  const cap = appCap(policy, app);
  // The held tenants are some of the linked ones: fewer linked than the cap, and no need to count.
  return cap !== null && linkedTenantCount(world, app.id) >= cap && heldTenants(world, policy, app.id) >= cap;
}

/**
 * A connect would take the app past its cap: it adds a counted tenant (one no user of the app
 * holds yet, not a demo) while the app already holds its cap.
 */
export function exceedsAppCap(world: World, policy: P, app: App, tenant: Tenant): boolean {
  if (isOutsideLimits(app) || isLinked(world, app.id, tenant.id)) return false;
  return tenantCountsTowardAppCap(policy, tenant) && isAtAppCap(world, policy, app);
}

/** Whether the organisation check looks at this connect at all: a slot-taking app new on a tenant with a limit. */
function orgCheckApplies(world: World, policy: P, app: App, tenant: Tenant): boolean {
  return appCountsTowardOrgLimit(policy, app) && tenantSubjectToOrgLimit(policy, tenant) && !isLinked(world, app.id, tenant.id);
}

/**
 * A connect would put the tenant past its limit of uncertified apps: the app takes a slot, is not
 * on the tenant yet, and the tenant already has the maximum. The correct rule, whatever the
 * policy's `orgLimitReading` says; the machine's `normal` regime decides by it.
 */
export function exceedsOrgLimit(world: World, policy: P, app: App, tenant: Tenant): boolean {
  return orgCheckApplies(world, policy, app, tenant) && uncertifiedAppsOn(world, policy, tenant.id) >= policy.orgCap;
}

/**
 * The organisation check as the February 2020 bug made it, in the reading the policy names
 * (`orgLimitReading`, see `orgCheck`); the machine's `bugWindow` regime decides by it. For the
 * reading `correct` it is `exceedsOrgLimit`.
 */
export function bugExceedsOrgLimit(world: World, policy: P, app: App, tenant: Tenant): boolean {
  if (!orgCheckApplies(world, policy, app, tenant)) return false;
  const { count, refuseAt } = orgCheck(world, policy, app.id, tenant.id);
  return count >= refuseAt;
}

/**
 * Re-consent of an existing connection is refused only when `reconsentAtCap` is false and the
 * app is at its cap (RULES.md, open question 6).
 */
export function reconsentRefused(world: World, policy: P, app: App): boolean {
  return !policy.reconsentAtCap && !isOutsideLimits(app) && isAtAppCap(world, policy, app);
}
