/**
 * What the conformance harness drives: an implementation of the connection rules, seen through
 * one async method per trace event kind, plus `observe` (the state it shows) and `reset`. The HTTP
 * adapter (`http-adapter.ts`) is one implementation, over the contract of DESIGN.md ("Simulator");
 * a platform team can write another for an in-process implementation and test it without HTTP.
 * @module
 */
import type { Scheduler } from 'fast-check';
import type { AppChanges } from '../model/platform/transitions.ts';
import type { TenantKind, Tier } from '../model/types.ts';

/** An app as the implementation shows it (`GET /sim/state`'s `apps`). */
export interface AppView {
  name: string;
  certified: boolean;
  tier: Tier | null;
  custom: boolean;
  auth: 'oauth2' | 'oauth1';
  registered: string | null;
}

/** A tenant as the implementation shows it. */
export interface TenantView {
  name: string;
  tenantId: string;
  tenantType: string;
  kind: TenantKind;
}

/** A connection in the implementation's whole state (`GET /sim/state`'s `connections`). */
export interface ConnectionView {
  id: string;
  app: string;
  tenant: string;
  user: string;
  authEventId: string;
}

/** What one user's token of one app shows (`GET /connections`). */
export interface TokenView {
  app: string;
  user: string;
  /** Null when the implementation refused the token (401). */
  connections: Array<{ id: string; authEventId: string; tenantId: string; tenantName: string; tenantType: string }> | null;
}

/** Everything the harness compares with the model after a step. */
export interface Observation {
  apps: AppView[];
  tenants: TenantView[];
  connections: ConnectionView[];
  /** One per (app, user) the adapter holds a live token for. */
  views: TokenView[];
}

/** The answer to one consent. */
export interface ConsentAnswer {
  /** The consent's authEventId (null when nothing was connected). */
  authEventId: string | null;
  /** Per tenant named, the outcome string (`connected`, `rejected:app-limit`, ...). */
  outcomes: Record<string, string>;
}

/**
 * An implementation under test. Every method is one request of the outside world or of a client,
 * answered with the trace's outcome strings (DESIGN.md, "Trace file"). Names are the trace's:
 * the adapter maps them to whatever the implementation uses.
 */
export interface Adapter {
  /** Forget everything (`POST /sim/reset`). */
  reset(): Promise<void>;
  /** The platform's time from now on (`POST /sim/clock`). */
  clock(at: string): Promise<void>;
  /** Declare or change an app: `ok`, or `rejected:requirements` when its lifecycle refuses. */
  app(name: string, changes: AppChanges): Promise<string>;
  /** Declare a tenant: `ok`. */
  tenant(name: string, kind: TenantKind): Promise<string>;
  /** One user's consent of one app for tenants, decided tenant by tenant in order. */
  connect(app: string, user: string, tenants: readonly string[]): Promise<ConsentAnswer>;
  /** Remove that user's connection of the app to the tenant, as a client would: `disconnected` or `not-connected`. */
  disconnect(app: string, user: string, tenant: string): Promise<string>;
  /** Revoke that user's token of the app: `revoked`. */
  revoke(app: string, user: string): Promise<string>;
  /** Certify an app: `ok`. */
  certify(app: string): Promise<string>;
  /** Move an app to a tier: `ok` or `rejected:requirements`. */
  tier(app: string, tier: Tier): Promise<string>;
  /** The state the implementation shows. */
  observe(): Promise<Observation>;
  /**
   * Optional: during a concurrent batch run under fast-check's scheduler, the scheduler (null
   * after it). An in-process implementation wraps its own async steps with it
   * (`scheduler.schedule(...)`, `scheduler.scheduleFunction(...)`) so that fast-check chooses how
   * they interleave, which is how a check-then-act race shows.
   */
  useScheduler?(scheduler: Scheduler | null): void;
}

/** The implementation answered outside the contract (a wrong status, a body of the wrong shape). */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(
    message: string,
    /** The request that got the answer, as `METHOD /path`. */
    readonly request: string,
  ) {
    super(message);
  }
}
