/**
 * An independent reference implementation of the connection limits, written from
 * RULES.md and the policy parameters alone, for differential
 * testing only. It shares no code with the machine in `model/`: plain Maps, no xstate, and it
 * tracks only which (user, app, tenant) connections are live (no connection ids or auth events).
 * @module
 */
import type { Policy } from '../model/platform/policy.ts';
import type { AuthProtocol, Outcome, TenantKind, Tier } from '../model/types.ts';

/** An app as the reference knows it. */
interface RefApp {
  certified: boolean;
  /** The tier it declared; undefined until it declares one (the policy then assumes one). */
  tier: Tier | undefined;
  custom: boolean;
  auth: AuthProtocol;
  registered: string | null;
}

/** One live connection: a user of an app connected to a tenant. */
export interface RefConnection {
  app: string;
  tenant: string;
  user: string;
}

/** The changes an app declaration may carry. */
export interface RefAppChanges {
  certified?: boolean;
  tier?: Tier;
  custom?: boolean;
  auth?: AuthProtocol;
  registered?: string;
}

/** Tiers that only a certified app may be on. */
const CERTIFIED_ONLY_TIERS: readonly Tier[] = ['plus', 'advanced', 'enterprise'];

function defaultApp(): RefApp {
  return { certified: false, tier: undefined, custom: false, auth: 'oauth2', registered: null };
}

/**
 * A straightforward simulation of the platform: apps, tenants and live connections, with every
 * limit read from the current policy. Each method returns the outcome(s) the rules prescribe.
 */
export class ReferencePlatform {
  private policy: Policy;
  private readonly apps = new Map<string, RefApp>();
  private readonly tenants = new Map<string, TenantKind>();
  /** Live connections keyed by `JSON.stringify([user, app, tenant])`. */
  private readonly live = new Map<string, RefConnection>();

  /** Start with no apps, tenants or connections under `policy`. */
  constructor(policy: Policy) {
    this.policy = policy;
  }

  /** Switch the policy in force. Connections are never removed by a policy change. */
  setPolicy(policy: Policy): void {
    this.policy = policy;
  }

  /**
   * Declare an app or change its attributes. Refused as a whole ('rejected:requirements') when it
   * would uncertify a certified app or put an uncertified app on plus or above.
   */
  declareApp(id: string, changes: RefAppChanges): Outcome {
    const existing = this.apps.get(id);
    const app: RefApp = existing ? { ...existing } : defaultApp();
    if (changes.custom !== undefined) app.custom = changes.custom;
    if (changes.auth !== undefined) app.auth = changes.auth;
    if (changes.registered !== undefined) app.registered = changes.registered;
    if (changes.certified === false && app.certified) return 'rejected:requirements';
    if (changes.certified === true) app.certified = true;
    if (changes.tier !== undefined) {
      if (CERTIFIED_ONLY_TIERS.includes(changes.tier) && !app.certified) return 'rejected:requirements';
      app.tier = changes.tier;
    }
    this.apps.set(id, app);
    return 'ok';
  }

  /** Declare a tenant, or change its kind. */
  declareTenant(id: string, kind: TenantKind): Outcome {
    this.tenants.set(id, kind);
    return 'ok';
  }

  /**
   * One consent by `user` of `app` for `tenants`, considered in order; each tenant's decision sees
   * the connections made for earlier tenants of the same consent. One outcome per tenant.
   */
  connect(app: string, tenants: string[], user: string): Outcome[] {
    const a = this.app(app);
    const outcomes: Outcome[] = [];
    for (const tenant of tenants) {
      this.kind(tenant);
      outcomes.push(this.connectOne(app, a, tenant, user));
    }
    return outcomes;
  }

  /** Remove one user's connection of an app to a tenant. */
  disconnect(app: string, tenant: string, user: string): Outcome {
    this.app(app);
    this.kind(tenant);
    return this.live.delete(key(user, app, tenant)) ? 'disconnected' : 'not-connected';
  }

  /** Remove every connection of `user` to `app`; other users and other apps keep theirs. */
  revoke(app: string, user: string): Outcome {
    this.app(app);
    for (const [k, c] of [...this.live]) if (c.app === app && c.user === user) this.live.delete(k);
    return 'revoked';
  }

  /** The app passes certification; its tier is unchanged. */
  certify(app: string): Outcome {
    this.app(app).certified = true;
    return 'ok';
  }

  /** Move the app to another tier; plus and above need certification. */
  tier(app: string, tier: Tier): Outcome {
    const a = this.app(app);
    if (CERTIFIED_ONLY_TIERS.includes(tier) && !a.certified) return 'rejected:requirements';
    a.tier = tier;
    return 'ok';
  }

  /** Every live connection, in no particular order. */
  connections(): Array<{ app: string; tenant: string; user: string }> {
    return [...this.live.values()].map((c) => ({ ...c }));
  }

  private connectOne(appId: string, a: RefApp, tenant: string, user: string): Outcome {
    const p = this.policy;
    const cap = this.capOf(a);
    const held = this.heldCount(appId);

    // 1. Re-consent of a live connection.
    if (this.live.has(key(user, appId, tenant))) {
      const atCap = a.auth !== 'oauth1' && cap !== null && held >= cap;
      return !p.reconsentAtCap && atCap ? 'rejected:app-limit' : 'reconnected';
    }
    // 2. OAuth 1.0a apps sit outside every limit.
    if (a.auth === 'oauth1') return this.add(appId, tenant, user);

    // 3. The two checks.
    const alreadyHeld = this.appTenants(appId).has(tenant);
    const isDemo = this.kind(tenant) === 'demo';
    const countsTowardAppCap = !isDemo || p.demoCountsTowardAppCap;
    const appRefuses = !alreadyHeld && countsTowardAppCap && cap !== null && held >= cap;

    const subjectToOrgLimit = !isDemo || p.demoSubjectToOrgLimit;
    const orgRefuses = this.takesOrgSlot(a) && subjectToOrgLimit && !alreadyHeld && this.orgFull(appId, tenant);

    // 4. Which refusal names the outcome.
    const checks: Array<[boolean, Outcome]> = [
      [appRefuses, 'rejected:app-limit'],
      [orgRefuses, 'rejected:org-limit'],
    ];
    if (p.checkOrder === 'org-first') checks.reverse();
    for (const [refuses, outcome] of checks) if (refuses) return outcome;
    // 5. A new live connection.
    return this.add(appId, tenant, user);
  }

  /** The organisation check's comparison, as the policy's reading counts it. */
  private orgFull(app: string, tenant: string): boolean {
    const p = this.policy;
    switch (p.orgLimitReading) {
      case 'correct':
        return this.appsOn(tenant, true).size >= p.orgCap;
      case 'counts-every-app':
        return this.appsOn(tenant, false).size >= p.orgCap;
      case 'refuses-at-limit':
        return this.appsOn(tenant, true).size >= p.orgCap - 1;
      case 'counts-app-tenants':
        return this.appTenants(app).size >= p.orgCap;
    }
  }

  private add(app: string, tenant: string, user: string): Outcome {
    this.live.set(key(user, app, tenant), { app, tenant, user });
    return 'connected';
  }

  /** The app's cap under the current policy; null is unlimited. */
  private capOf(a: RefApp): number | null {
    const p = this.policy;
    if (a.custom) return p.customCap;
    const byTier: Record<Tier, number | null> = {
      starter: p.starterCap,
      core: p.coreCap,
      plus: p.plusCap,
      advanced: p.advancedCap,
      enterprise: p.enterpriseCap,
    };
    if (p.tiered) return byTier[this.tierOf(a)];
    return a.certified ? p.certifiedCap : p.appCap;
  }

  /** Whether the app takes one of a tenant's slots for uncertified apps. */
  private takesOrgSlot(a: RefApp): boolean {
    if (a.custom || a.auth === 'oauth1') return false;
    if (a.certified) return false;
    return !this.policy.tiered || ['starter', 'core'].includes(this.tierOf(a));
  }

  /** The tier the app is on: the declared one, else the one the policy assumes for its kind. */
  private tierOf(a: RefApp): Tier {
    if (a.tier !== undefined) return a.tier;
    return a.certified ? this.policy.assumedCertifiedTier : this.policy.assumedTier;
  }

  /** Distinct tenants with at least one live connection to the app (any kind, any user). */
  private appTenants(app: string): Set<string> {
    const out = new Set<string>();
    for (const c of this.live.values()) if (c.app === app) out.add(c.tenant);
    return out;
  }

  /** The app's held count: its tenants, without demo tenants unless they count. */
  private heldCount(app: string): number {
    const counted = [...this.appTenants(app)].filter((t) => this.kind(t) !== 'demo' || this.policy.demoCountsTowardAppCap);
    return counted.length;
  }

  /** Distinct apps with a live connection to the tenant; only slot-taking apps if `slotsOnly`. */
  private appsOn(tenant: string, slotsOnly: boolean): Set<string> {
    const out = new Set<string>();
    for (const c of this.live.values()) {
      if (c.tenant === tenant && (!slotsOnly || this.takesOrgSlot(this.app(c.app)))) out.add(c.app);
    }
    return out;
  }

  /** The app, declared with defaults on first use. */
  private app(id: string): RefApp {
    const a = this.apps.get(id) ?? defaultApp();
    this.apps.set(id, a);
    return a;
  }

  /** The tenant's kind, declared as an organisation on first use. */
  private kind(id: string): TenantKind {
    const k = this.tenants.get(id) ?? 'organisation';
    this.tenants.set(id, k);
    return k;
  }
}

function key(user: string, app: string, tenant: string): string {
  return JSON.stringify([user, app, tenant]);
}
