/**
 * The platform's guards and actions, as plain named functions of (context, event). The machine in
 * `machine.ts` binds them by name; the compiled stepper in `compiled.ts` calls the same functions
 * in the order the machine's transitions list them. Guards are enabling conditions that call the
 * rules of `rules.ts`; actions return the next context and record the outcome.
 * @module
 */
import { lifecycleStep } from './lifecycle.ts';
import type { Policy } from './policy.ts';
import * as rules from './rules.ts';
import type { App, Outcome, Tier, TenantKind, AuthProtocol } from '../types.ts';
import {
  appOf,
  connectionOf,
  connectionSerial,
  currentAuthEventId,
  withApp,
  withConnection,
  withNewAuthEvent,
  withoutConnection,
  withoutUserOfApp,
  withTenant,
  tenantOf,
  type World,
} from '../world/world.ts';

/** The machine's context: the policy in force, the world, and the outcome of the last event. */
export interface PlatformContext {
  readonly policy: Policy;
  readonly world: World;
  readonly outcome: Outcome | null;
}

/** Changes an `app` event may declare. */
export interface AppChanges {
  certified?: boolean;
  tier?: Tier;
  custom?: boolean;
  auth?: AuthProtocol;
  registered?: string;
}

/** The machine's events: one trace event becomes one or more of these (see `driver.ts`). */
export type PlatformEvent =
  | { type: 'policy'; policy: Policy }
  | { type: 'app'; app: string; changes: AppChanges }
  | { type: 'tenant'; tenant: string; kind: TenantKind }
  | { type: 'consent' }
  | { type: 'connect'; app: string; tenant: string; user: string; at: string | null }
  | { type: 'disconnect'; app: string; tenant: string; user: string }
  | { type: 'revoke'; app: string; user: string }
  | { type: 'certify'; app: string }
  | { type: 'tier'; app: string; tier: Tier };

type Ev<T extends PlatformEvent['type']> = Extract<PlatformEvent, { type: T }>;

/**
 * The app an `app` event declares, or null when its lifecycle refuses the change (a tier whose
 * prerequisites it does not meet, or a certification withdrawn). `certified: true` is the
 * lifecycle's certification, exactly as a `certify` event: the app keeps its tier, declared or
 * not, so the two ways of writing one fact give one app.
 */
export function declaredApp(world: World, event: Ev<'app'>): App | null {
  let app: App | null = appOf(world, event.app);
  const { certified, tier, ...plain } = event.changes;
  app = { ...app, ...plain };
  if (certified === false && app.certified) return null;
  if (certified === true && !app.certified) app = lifecycleStep(app, { type: 'certify' });
  if (app !== null && tier !== undefined) app = lifecycleStep(app, { type: 'tier', tier });
  return app;
}

/**
 * The app's cap refuses the connect, and names the refusal: always under `app-first`; under
 * `org-first` only when the organisation check (`orgRefuses`, the regime's) does not refuse too.
 */
function appLimitRefusesBefore(orgRefuses: typeof rules.exceedsOrgLimit, c: PlatformContext, e: Ev<'connect'>): boolean {
  const app = appOf(c.world, e.app);
  const tenant = tenantOf(c.world, e.tenant);
  if (!rules.exceedsAppCap(c.world, c.policy, app, tenant)) return false;
  return c.policy.checkOrder === 'app-first' || !orgRefuses(c.world, c.policy, app, tenant);
}

/** Guards: each the enabling condition of one transition. */
export const guards = {
  /** The policy now in force is a reading of the 2020 bug. */
  policyIsBuggy: (c: PlatformContext) => c.policy.orgLimitReading !== 'correct',
  /** The policy now in force checks organisations correctly. */
  policyIsCorrect: (c: PlatformContext) => c.policy.orgLimitReading === 'correct',
  /** The app's lifecycle allows the declared change. */
  appChangeAllowed: (c: PlatformContext, e: Ev<'app'>) => declaredApp(c.world, e) !== null,
  /** The app's lifecycle allows the tier (Plus and above need certification). */
  tierAllowed: (c: PlatformContext, e: Ev<'tier'>) => lifecycleStep(appOf(c.world, e.app), { type: 'tier', tier: e.tier }) !== null,
  /** This user already connects this app to this tenant. */
  isReconsent: (c: PlatformContext, e: Ev<'connect'>) => connectionOf(c.world, e.app, e.tenant, e.user) !== undefined,
  /** A re-consent that `reconsentAtCap` refuses. */
  reconsentRefused: (c: PlatformContext, e: Ev<'connect'>) =>
    connectionOf(c.world, e.app, e.tenant, e.user) !== undefined && rules.reconsentRefused(c.world, c.policy, appOf(c.world, e.app)),
  /** OAuth 1.0a apps are outside these limits. */
  isOutsideLimits: (c: PlatformContext, e: Ev<'connect'>) => rules.isOutsideLimits(appOf(c.world, e.app)),
  /** The app's cap refuses this tenant (and names the refusal under `checkOrder`). */
  appLimitRefuses: (c: PlatformContext, e: Ev<'connect'>) => appLimitRefusesBefore(rules.exceedsOrgLimit, c, e),
  /** The tenant's limit of uncertified apps refuses this app. */
  orgLimitRefuses: (c: PlatformContext, e: Ev<'connect'>) =>
    rules.exceedsOrgLimit(c.world, c.policy, appOf(c.world, e.app), tenantOf(c.world, e.tenant)),
  /** In the bug window: the app's cap refuses this tenant, named under `checkOrder` against the bug's organisation check. */
  bugAppLimitRefuses: (c: PlatformContext, e: Ev<'connect'>) => appLimitRefusesBefore(rules.bugExceedsOrgLimit, c, e),
  /** In the bug window: the organisation check, as the bug reading of the policy in force makes it, refuses this app. */
  bugOrgLimitRefuses: (c: PlatformContext, e: Ev<'connect'>) =>
    rules.bugExceedsOrgLimit(c.world, c.policy, appOf(c.world, e.app), tenantOf(c.world, e.tenant)),
  /** This user connects this app to this tenant. */
  hasConnection: (c: PlatformContext, e: Ev<'disconnect'>) => connectionOf(c.world, e.app, e.tenant, e.user) !== undefined,
};

function result(c: PlatformContext, world: World, outcome: Outcome): PlatformContext {
  return { policy: c.policy, world, outcome };
}

function addConnection(c: PlatformContext, e: Ev<'connect'>): PlatformContext {
  const serial = connectionSerial(c.world) + 1;
  const connection = { id: `c${serial}`, authEventId: currentAuthEventId(c.world), createdDateUtc: e.at, updatedDateUtc: e.at };
  return result(c, withConnection(c.world, e.app, e.tenant, e.user, connection, serial), 'connected');
}

function renewConnection(c: PlatformContext, e: Ev<'connect'>): PlatformContext {
  const old = connectionOf(c.world, e.app, e.tenant, e.user);
  if (old === undefined) return result(c, c.world, 'reconnected');
  const keepId = c.policy.reconsentKeepsConnectionId;
  const serial = keepId ? connectionSerial(c.world) : connectionSerial(c.world) + 1;
  const connection = {
    id: keepId ? old.id : `c${serial}`,
    authEventId: c.policy.reconsentTakesNewAuthEvent ? currentAuthEventId(c.world) : old.authEventId,
    createdDateUtc: old.createdDateUtc,
    updatedDateUtc: e.at ?? old.updatedDateUtc,
  };
  return result(c, withConnection(c.world, e.app, e.tenant, e.user, connection, serial), 'reconnected');
}

/** Actions: each returns the next context and records the outcome of the event. */
export const actions = {
  /** The policy in force changes (the timeline moved to another era). */
  enterPolicy: (c: PlatformContext, e: Ev<'policy'>): PlatformContext => ({ ...c, policy: e.policy }),
  /** Declare or change an app, or refuse a change its lifecycle does not allow. */
  declareApp: (c: PlatformContext, e: Ev<'app'>) => {
    const app = declaredApp(c.world, e);
    return app === null ? result(c, c.world, 'rejected:requirements') : result(c, withApp(c.world, app), 'ok');
  },
  /** Declare a tenant of a kind. */
  declareTenant: (c: PlatformContext, e: Ev<'tenant'>) => result(c, withTenant(c.world, { id: e.tenant, kind: e.kind }), 'ok'),
  /** Open a consent: hand out the authEventId its connections will share. */
  beginConsent: (c: PlatformContext) => result(c, withNewAuthEvent(c.world), 'ok'),
  /** Add the (user, app, tenant) connection with a new connection id. */
  addConnection,
  /** Renew an existing connection on re-consent (id and authEventId as the policy says). */
  renewConnection,
  /** Refuse the connect by the app's cap (also a re-consent refused at the cap). */
  refuseAppLimit: (c: PlatformContext) => result(c, c.world, 'rejected:app-limit'),
  /** Refuse the connect: the tenant's limit of uncertified apps. */
  refuseOrgLimit: (c: PlatformContext) => result(c, c.world, 'rejected:org-limit'),
  /** Remove one user's connection of an app to a tenant. */
  removeConnection: (c: PlatformContext, e: Ev<'disconnect'>) =>
    result(c, withoutConnection(c.world, e.app, e.tenant, e.user), 'disconnected'),
  /** Answer a disconnect of a connection that does not exist: `not-connected`, nothing changes. */
  reportNotConnected: (c: PlatformContext) => result(c, c.world, 'not-connected'),
  /** Remove every connection of the user to the app; other users' stay. */
  revokeUser: (c: PlatformContext, e: Ev<'revoke'>) => result(c, withoutUserOfApp(c.world, e.app, e.user), 'revoked'),
  /** Certify the app; its tier and connections stay. */
  certifyApp: (c: PlatformContext, e: Ev<'certify'>) => {
    const app = lifecycleStep(appOf(c.world, e.app), { type: 'certify' }) ?? appOf(c.world, e.app);
    return result(c, withApp(c.world, app), 'ok');
  },
  /** Move the app to another tier; its connections stay. */
  changeTier: (c: PlatformContext, e: Ev<'tier'>) => {
    const app = lifecycleStep(appOf(c.world, e.app), { type: 'tier', tier: e.tier }) ?? appOf(c.world, e.app);
    return result(c, withApp(c.world, app), 'ok');
  },
  /** Refuse a lifecycle change whose prerequisites the app does not meet. */
  refuseRequirements: (c: PlatformContext) => result(c, c.world, 'rejected:requirements'),
};
