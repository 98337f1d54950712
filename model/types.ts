/**
 * The vocabulary of the model: the events of a trace, the outcomes the platform gives, and the
 * world those events act on. Shapes only; the rules live in `rules.ts` and `machine.ts`.
 *
 * The trace format is the stable contract of the README's "The trace format": JSON Lines, one event per line.
 * @module
 */

/** A 2026 pricing tier. New apps start at `starter`. */
export type Tier = 'starter' | 'core' | 'plus' | 'advanced' | 'enterprise';
/** Every tier, cheapest first. */
export const TIERS: readonly Tier[] = ['starter', 'core', 'plus', 'advanced', 'enterprise'];

/** The kind of a tenant. Demo Company tenants are excluded from an app's count. */
export type TenantKind = 'organisation' | 'practice' | 'demo';
/** Every tenant kind. */
export const TENANT_KINDS: readonly TenantKind[] = ['organisation', 'practice', 'demo'];

/** The authorisation protocol of an app. OAuth 1.0a apps sit outside the OAuth 2.0 limits. */
export type AuthProtocol = 'oauth2' | 'oauth1';
/** Every authorisation protocol. */
export const AUTH_PROTOCOLS: readonly AuthProtocol[] = ['oauth2', 'oauth1'];

/** What the platform does with one event (for a connect, with one tenant of the consent). */
export type Outcome =
  | 'connected'
  | 'reconnected'
  | 'rejected:app-limit'
  | 'rejected:org-limit'
  | 'disconnected'
  | 'not-connected'
  | 'revoked'
  | 'ok'
  | 'rejected:requirements';

/** Every outcome string, as the trace format spells it. */
export const OUTCOMES: readonly Outcome[] = [
  'connected',
  'reconnected',
  'rejected:app-limit',
  'rejected:org-limit',
  'disconnected',
  'not-connected',
  'revoked',
  'ok',
  'rejected:requirements',
];

/**
 * One outcome as a trace may observe it: an outcome, or `rejected` when the platform refused a
 * connect without saying by which limit (it matches `rejected:app-limit` and `rejected:org-limit`).
 */
export type ObservedOutcome = Outcome | 'rejected';

/** The observed outcome that matches either refusal of a connect. */
export const ANY_REFUSAL = 'rejected';

/** What a trace says the platform did with one event: one outcome, or for a connect of several tenants an object tenant → outcome. */
export type Observed = ObservedOutcome | Record<string, ObservedOutcome>;

/** Fields every trace event may carry. */
interface EventBase {
  /** ISO 8601 timestamp with offset; selects the policy in force on the timeline. */
  at?: string;
  /** What the real platform did; compared with the model's outcome by `xcm check`. */
  observed?: Observed;
  /** Free text the trace's author wrote; the model ignores it. */
  note?: string;
}

/** Declare an app, or change its declared attributes. */
export interface AppEvent extends EventBase {
  type: 'app';
  app: string;
  certified?: boolean;
  tier?: Tier;
  /** A custom connection: one tenant, never counted toward an organisation's limit. */
  custom?: boolean;
  auth?: AuthProtocol;
  /** Date the app (its developer) registered, ISO 8601; decides when the 2026 tiers apply. */
  registered?: string;
}

/** Declare a tenant. */
export interface TenantEvent extends EventBase {
  type: 'tenant';
  tenant: string;
  kind?: TenantKind;
}

/** One consent by one user of one app, for one or several tenants. */
export interface ConnectEvent extends EventBase {
  type: 'connect';
  app: string;
  /** The tenants of the consent, in the order the platform considers them. */
  tenants: string[];
  user?: string;
}

/** Remove one user's connection of an app to a tenant (`DELETE /connections/{id}`). */
export interface DisconnectEvent extends EventBase {
  type: 'disconnect';
  app: string;
  tenant: string;
  user?: string;
}

/** Token revocation: remove every connection of that user to that app. */
export interface RevokeEvent extends EventBase {
  type: 'revoke';
  app: string;
  user?: string;
}

/** The app passes certification. */
export interface CertifyEvent extends EventBase {
  type: 'certify';
  app: string;
}

/** The app moves to another 2026 tier. */
export interface TierEvent extends EventBase {
  type: 'tier';
  app: string;
  tier: Tier;
}

/** One event of a trace, after parsing (a connect's `tenant` is folded into `tenants`). */
export type TraceEvent = AppEvent | TenantEvent | ConnectEvent | DisconnectEvent | RevokeEvent | CertifyEvent | TierEvent;

/** The type names a trace may use. */
export const EVENT_TYPES: readonly TraceEvent['type'][] = ['app', 'tenant', 'connect', 'disconnect', 'revoke', 'certify', 'tier'];

/**
 * The fields each event type must and may carry, beyond `type`, `at`, `observed`, `note` and
 * `model` (the trace format's table); any other is bad input.
 */
export const EVENT_FIELDS: Readonly<
  Record<TraceEvent['type'], { readonly required: readonly string[]; readonly optional: readonly string[] }>
> = {
  app: { required: ['app'], optional: ['certified', 'tier', 'custom', 'auth', 'registered'] },
  tenant: { required: ['tenant'], optional: ['kind'] },
  connect: { required: ['app'], optional: ['tenant', 'tenants', 'user'] },
  disconnect: { required: ['app', 'tenant'], optional: ['user'] },
  revoke: { required: ['app'], optional: ['user'] },
  certify: { required: ['app'], optional: [] },
  tier: { required: ['app', 'tier'], optional: [] },
};

/** The outcomes each event type can have (the trace format's table); anything else is bad input. */
export const OUTCOMES_OF: Readonly<Record<TraceEvent['type'], readonly Outcome[]>> = {
  app: ['ok', 'rejected:requirements'],
  tenant: ['ok'],
  connect: ['connected', 'reconnected', 'rejected:app-limit', 'rejected:org-limit'],
  disconnect: ['disconnected', 'not-connected'],
  revoke: ['revoked'],
  certify: ['ok'],
  tier: ['ok', 'rejected:requirements'],
};

/** The user assumed when an event names none (a trace of a single-user integration). */
export const IMPLICIT_USER = 'user';

/** An app as the platform knows it. */
export interface App {
  id: string;
  certified: boolean;
  /**
   * The 2026 tier the app declared (an `app` event's `tier`, or a `tier` event); null when it
   * declared none, and the tiers then assume one (`assumedTier`, `assumedCertifiedTier`).
   */
  tier: Tier | null;
  custom: boolean;
  auth: AuthProtocol;
  registered: string | null;
}

/** A tenant as the platform knows it. */
export interface Tenant {
  id: string;
  kind: TenantKind;
}

/**
 * A connection record of the connections API: one per (user, app, tenant).
 * `id` is the connection id (not the tenant id); `authEventId` is shared by the tenants of one
 * consent.
 */
export interface Connection {
  id: string;
  authEventId: string;
  createdDateUtc: string | null;
  updatedDateUtc: string | null;
}
