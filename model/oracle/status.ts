/**
 * The platform's state after a trace: per app what it holds against its cap, per tenant which apps
 * take its uncertified slots. The trace is replayed through the same driver and engine as `check`
 * (following the observations, as `check` does), and every number is a rule function of
 * `platform/rules.ts` applied to the world the replay leaves, under the policy in force then.
 * Nothing here restates a rule.
 * @module
 */
import { InputError } from '../errors.ts';
import { draftEngine } from '../engine/step.ts';
import { makeDriver, type OracleOptions } from './oracle.ts';
import { instantOf, instantProblem } from '../io/instant.ts';
import type { TraceLine } from '../io/trace.ts';
import { policyLabel, type PolicyParameters } from '../platform/policy.ts';
import {
  appCap,
  appCountsTowardOrgLimit,
  heldTenants,
  isOutsideLimits,
  tenantSubjectToOrgLimit,
  tierOf,
  uncertifiedAppsOn,
} from '../platform/rules.ts';
import type { AuthProtocol, TenantKind, Tier } from '../types.ts';
import { appIds, appOf, forEachAppOn, linkedTenants, tenantIds, tenantOf, usersOf, type World } from '../world/world.ts';

/** One app in a status. */
export interface AppStatus {
  app: string;
  certified: boolean;
  /** The tier the tiers give it (declared or assumed); outside the tiers, the tier it declared, or null. */
  tier: Tier | null;
  custom: boolean;
  auth: AuthProtocol;
  /** The tenants it holds that count toward its cap (`heldTenants`: distinct tenants, demo tenants left out). */
  held: number;
  /** Its cap (`appCap`); null when unlimited, or when the app sits outside the limits (OAuth 1.0a). */
  cap: number | null;
  /** Cap minus held (below 0 when a lowered cap left it above); null when the cap is. */
  headroom: number | null;
  /** The users with a live connection of the app, in the order they first hold one. */
  users: string[];
}

/** One tenant in a status. */
export interface TenantStatus {
  tenant: string;
  kind: TenantKind;
  /** Every app connected to it, of any kind, in the order the apps were declared. */
  apps: string[];
  /** Those of `apps` that take one of its uncertified slots (`appCountsTowardOrgLimit`). */
  slotApps: string[];
  /** The uncertified slots taken (`uncertifiedAppsOn`). */
  slotsUsed: number;
  /** `orgCap` minus the slots used; null when the tenant has no such limit (a demo tenant, if `demoSubjectToOrgLimit` is false). */
  slotsFree: number | null;
}

/** The platform's state after a trace, or after its last event at or before a time. */
export interface StatusResult {
  /** The policy in force at `at` (for an event about no app), as reasons name it. */
  policy: string;
  /** The time of the status: the `at` option, else the time of the last event replayed (null: no time known). */
  at: string | null;
  /** Every app declared (or used, and so declared with defaults), in that order. */
  apps: AppStatus[];
  /** Every tenant declared (or used), in that order. */
  tenants: TenantStatus[];
  /** The line of the last event replayed (null: none); not part of `xcm status --json`. */
  line: number | null;
  /** How many events were replayed; not part of `xcm status --json`. */
  events: number;
  /**
   * The apps judged under another policy than `policy` (on the timeline, an app registered on the
   * tiers before they began for everyone), with that policy; not part of `xcm status --json`.
   */
  appsUnder: Array<{ app: string; policy: string }>;
}

/** Options of `status`. */
export interface StatusOptions extends OracleOptions {
  /** Stop after the last event at or before this instant (ISO 8601 with offset), and judge under the policy in force at it. */
  at?: string | undefined;
}

/**
 * The platform's state after a trace (or after its last event at or before `at`): per app its
 * tenants held against its cap, per tenant its apps and uncertified slots, all under the policy in
 * force then. The trace is replayed as `check` replays it, following its observations.
 * @example
 * ```ts
 * import { status } from 'xero-connection-model';
 * const lines = [
 *   { line: 1, event: { type: 'app' as const, app: 'site-1', at: '2024-05-01T09:00:00+12:00' } },
 *   { line: 2, event: { type: 'tenant' as const, tenant: 'demo', kind: 'demo' as const } },
 *   { line: 3, event: { type: 'connect' as const, app: 'site-1', tenants: ['org-1', 'demo'], user: 'ana' } },
 *   { line: 4, event: { type: 'connect' as const, app: 'site-2', tenants: ['org-1'], at: '2024-05-02T09:00:00+12:00' } },
 * ];
 * const now = await status(lines);
 * console.log(now.policy, now.at); // → xero-oauth2-2019 2024-05-02T09:00:00+12:00
 * const [site1] = now.apps;
 * console.log(site1?.held, site1?.cap, site1?.headroom, site1?.users); // → 1 25 24 [ 'ana' ]
 * const org1 = now.tenants.find((t) => t.tenant === 'org-1');
 * console.log(org1?.slotApps, org1?.slotsUsed, org1?.slotsFree); // → [ 'site-1', 'site-2' ] 2 0
 * const before = await status(lines, { at: '2024-05-01T12:00:00+12:00' });
 * console.log(before.line, before.tenants.find((t) => t.tenant === 'org-1')?.slotsFree); // → 3 1
 * ```
 */
export async function status(lines: AsyncIterable<TraceLine> | Iterable<TraceLine>, options: StatusOptions = {}): Promise<StatusResult> {
  const untilMs = options.at === undefined ? null : instantAt(options.at);
  // The replay looks back at no earlier world: it steps one in place.
  const { driver, choose } = makeDriver(options, undefined, draftEngine);
  const follow = options.follow !== 'model';
  let lastAt: string | null = null;
  let line: number | null = null;
  let events = 0;
  for await (const traceLine of lines) {
    const at = traceLine.event.at;
    // A trace is in time order: the first event after the time ends the replay.
    if (untilMs !== null && at !== undefined && instantOf(at) > untilMs) break;
    driver.apply(traceLine.event, false, follow);
    if (at !== undefined) lastAt = at;
    line = traceLine.line;
    events++;
  }
  const at = options.at ?? lastAt;
  const atMs = at === null ? null : instantOf(at);
  const world = driver.engine.context.world;
  const platform = choose(atMs, undefined);
  const appsUnder: StatusResult['appsUnder'] = [];
  const apps = appIds(world).map((id) => {
    const policy = choose(atMs, appOf(world, id));
    if (policyLabel(policy) !== policyLabel(platform)) appsUnder.push({ app: id, policy: policyLabel(policy) });
    return appStatus(world, policy, id);
  });
  const rank = new Map(appIds(world).map((app, i) => [app, i]));
  const tenants = tenantIds(world).map((id) => tenantStatus(world, platform, id, rank));
  return { policy: policyLabel(platform), at, apps, tenants, line, events, appsUnder };
}

/** The instant of the `at` option, or an `InputError` naming it. */
function instantAt(at: string): number {
  const problem = instantProblem(at);
  if (problem !== null) throw new InputError(problem.problem, { field: 'at' }, problem.hint);
  return instantOf(at);
}

function appStatus(world: World, policy: PolicyParameters, id: string): AppStatus {
  const app = appOf(world, id);
  const held = heldTenants(world, policy, id);
  const cap = isOutsideLimits(app) ? null : appCap(policy, app);
  const users = new Set<string>();
  for (const tenant of linkedTenants(world, id)) for (const user of usersOf(world, id, tenant)) users.add(user);
  return {
    app: id,
    certified: app.certified,
    tier: policy.tiered ? tierOf(policy, app) : app.tier,
    custom: app.custom,
    auth: app.auth,
    held,
    cap,
    headroom: cap === null ? null : cap - held,
    users: [...users],
  };
}

/** One tenant's status; `rank` is each app's place in the order of declaration (the order its apps are listed in). */
function tenantStatus(world: World, policy: PolicyParameters, id: string, rank: ReadonlyMap<string, number>): TenantStatus {
  const apps: string[] = [];
  forEachAppOn(world, id, (app) => apps.push(app));
  apps.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  const slotsUsed = uncertifiedAppsOn(world, policy, id);
  return {
    tenant: id,
    kind: tenantOf(world, id).kind,
    apps,
    slotApps: apps.filter((app) => appCountsTowardOrgLimit(policy, appOf(world, app))),
    slotsUsed,
    slotsFree: tenantSubjectToOrgLimit(policy, tenantOf(world, id)) ? policy.orgCap - slotsUsed : null,
  };
}
