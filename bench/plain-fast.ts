/**
 * The fast plain checker: the rules written out by hand for speed, the yardstick of the oracle
 * benchmark. One JSON.parse per line, Maps and Sets, every count kept as it changes (per app the
 * tenants it holds, demo ones apart; per tenant its apps and how many take an uncertified slot;
 * per app and user the tenants held), so no event walks the live connections. The policy in force
 * comes from the timeline `xero` (an event without `at` inheriting the last one), chosen once per
 * change of era. No validation beyond JSON.parse, no explanations, no following of observations.
 * It shares no code with the model's engine; the benchmark checks that it agrees with the model
 * and with the reference implementation on every trace it runs.
 *
 * Run as a program (`tsx bench/plain-fast.ts TRACE`), it checks the trace and prints, as JSON, its
 * counts, its CPU seconds and its peak RSS.
 * @module
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLineChunks } from '../model/io/trace.ts';
import { builtinPolicy } from '../model/platform/policies.ts';
import type { Policy } from '../model/platform/policy.ts';
import { BUG_WINDOW, TIERS_REGISTRATION_CUTOFF, TIERS_START } from '../model/platform/timeline.ts';
import type { Outcome, TenantKind, Tier } from '../model/types.ts';

interface FastApp {
  certified: boolean;
  tier: Tier | null;
  custom: boolean;
  oauth1: boolean;
  /** Registered on or after the cutoff: on the tiers whatever the time. */
  tiersFromStart: boolean;
  /** Tenant → its users (one user as a string, several as a Set). */
  tenants: Map<string, string | Set<string>>;
  /** User → the tenants they hold (one as a string, several as a Set). */
  users: Map<string, string | Set<string>>;
  /** Linked tenants that are not demo tenants, and those that are. */
  plain: number;
  demo: number;
}

interface FastTenant {
  kind: TenantKind;
  /** The apps linked to the tenant. */
  apps: Set<FastApp>;
  /** How many of them take an uncertified slot. */
  slots: number;
}

const bugStart = Date.parse(BUG_WINDOW.start);
const bugEnd = Date.parse(BUG_WINDOW.end);
const tiersStart = Date.parse(TIERS_START);
const cutoff = Date.parse(TIERS_REGISTRATION_CUTOFF);
const OAUTH2 = builtinPolicy('xero-oauth2-2019') as Policy;
const BUG = builtinPolicy('xero-bug-2020-02') as Policy;
const TIERS = builtinPolicy('xero-tiers-2026') as Policy;

const takesSlot = (a: FastApp) => !a.custom && !a.oauth1 && !a.certified;
const certifiedOnly = (tier: Tier) => tier === 'plus' || tier === 'advanced' || tier === 'enterprise';

function addTo(map: Map<string, string | Set<string>>, key: string, value: string): void {
  const now = map.get(key);
  if (now === undefined) map.set(key, value);
  else if (typeof now === 'string') {
    if (now !== value) map.set(key, new Set([now, value]));
  } else now.add(value);
}

function removeFrom(map: Map<string, string | Set<string>>, key: string, value: string): void {
  const now = map.get(key);
  if (now === value) map.delete(key);
  else if (typeof now === 'object') {
    now.delete(value);
    if (now.size === 1) map.set(key, now.values().next().value as string);
  }
}

const holds = (v: string | Set<string> | undefined, x: string) => v === x || (typeof v === 'object' && v.has(x));

/** The platform by hand, stepped by raw trace events. */
export class FastChecker {
  private readonly apps = new Map<string, FastApp>();
  private readonly tenants = new Map<string, FastTenant>();
  private atMs: number | null = null;
  /** The era's policy for the last `at` (the timeline without an app's registration). */
  private eraPolicy: Policy = TIERS;
  private lastAt = '';

  private app(id: string): FastApp {
    let a = this.apps.get(id);
    if (a === undefined) {
      a = {
        certified: false,
        tier: null,
        custom: false,
        oauth1: false,
        tiersFromStart: false,
        tenants: new Map(),
        users: new Map(),
        plain: 0,
        demo: 0,
      };
      this.apps.set(id, a);
    }
    return a;
  }

  private tenant(id: string): FastTenant {
    let t = this.tenants.get(id);
    if (t === undefined) {
      t = { kind: 'organisation', apps: new Set(), slots: 0 };
      this.tenants.set(id, t);
    }
    return t;
  }

  private policyFor(a: FastApp | undefined): Policy {
    return a?.tiersFromStart === true && this.atMs !== null ? TIERS : this.eraPolicy;
  }

  private setAt(at: string): void {
    if (at === this.lastAt) return;
    this.lastAt = at;
    const ms = Date.parse(at);
    this.atMs = ms;
    this.eraPolicy = ms < bugStart ? OAUTH2 : ms < bugEnd ? BUG : ms < tiersStart ? OAUTH2 : ms >= tiersStart ? TIERS : OAUTH2;
  }

  /** Change what counts an app's links take when its slot-taking changes. */
  private reslot(a: FastApp, before: boolean): void {
    const after = takesSlot(a);
    if (before === after) return;
    for (const id of a.tenants.keys()) (this.tenants.get(id) as FastTenant).slots += after ? 1 : -1;
  }

  private capOf(p: Policy, a: FastApp): number | null {
    if (a.custom) return p.customCap;
    if (!p.tiered) return a.certified ? p.certifiedCap : p.appCap;
    switch (a.tier ?? (a.certified ? p.assumedCertifiedTier : p.assumedTier)) {
      case 'starter':
        return p.starterCap;
      case 'core':
        return p.coreCap;
      case 'plus':
        return p.plusCap;
      case 'advanced':
        return p.advancedCap;
      case 'enterprise':
        return p.enterpriseCap;
    }
  }

  private atCap(p: Policy, a: FastApp): boolean {
    const cap = this.capOf(p, a);
    return cap !== null && a.plain + (p.demoCountsTowardAppCap ? a.demo : 0) >= cap;
  }

  private link(a: FastApp, tenantId: string, t: FastTenant, user: string): void {
    const users = a.tenants.get(tenantId);
    if (users === undefined) {
      a.tenants.set(tenantId, user);
      if (t.kind === 'demo') a.demo++;
      else a.plain++;
      t.apps.add(a);
      if (takesSlot(a)) t.slots++;
    } else if (typeof users === 'string') a.tenants.set(tenantId, new Set([users, user]));
    else users.add(user);
    addTo(a.users, user, tenantId);
  }

  private unlink(a: FastApp, tenantId: string, user: string): void {
    const users = a.tenants.get(tenantId);
    if (users === user) {
      a.tenants.delete(tenantId);
      const t = this.tenants.get(tenantId) as FastTenant;
      if (t.kind === 'demo') a.demo--;
      else a.plain--;
      t.apps.delete(a);
      if (takesSlot(a)) t.slots--;
    } else if (typeof users === 'object') {
      users.delete(user);
      if (users.size === 1) a.tenants.set(tenantId, users.values().next().value as string);
    }
    removeFrom(a.users, user, tenantId);
  }

  private connectOne(p: Policy, a: FastApp, tenantId: string, user: string): Outcome {
    const t = this.tenant(tenantId);
    const users = a.tenants.get(tenantId);
    if (holds(users, user)) return !p.reconsentAtCap && !a.oauth1 && this.atCap(p, a) ? 'rejected:app-limit' : 'reconnected';
    if (a.oauth1) {
      this.link(a, tenantId, t, user);
      return 'connected';
    }
    const linked = users !== undefined;
    const demo = t.kind === 'demo';
    const appRefuses = !linked && (!demo || p.demoCountsTowardAppCap) && this.atCap(p, a);
    let orgRefuses = false;
    if (takesSlot(a) && (!demo || p.demoSubjectToOrgLimit) && !linked) {
      switch (p.orgLimitReading) {
        case 'correct':
          orgRefuses = t.slots >= p.orgCap;
          break;
        case 'counts-every-app':
          orgRefuses = t.apps.size >= p.orgCap;
          break;
        case 'refuses-at-limit':
          orgRefuses = t.slots >= p.orgCap - 1;
          break;
        case 'counts-app-tenants':
          orgRefuses = a.tenants.size >= p.orgCap;
          break;
      }
    }
    if (p.checkOrder === 'org-first' && orgRefuses) return 'rejected:org-limit';
    if (appRefuses) return 'rejected:app-limit';
    if (orgRefuses) return 'rejected:org-limit';
    this.link(a, tenantId, t, user);
    return 'connected';
  }

  /** Apply one event, counting how many of its observed outcomes differ from the rules'. */
  step(e: Record<string, unknown>): number {
    return this.apply(e, null);
  }

  /** Apply one event and give its outcomes (for a connect, one per tenant in order). */
  outcomes(e: Record<string, unknown>): Outcome[] {
    const out: Outcome[] = [];
    this.apply(e, out);
    return out;
  }

  private apply(e: Record<string, unknown>, out: Outcome[] | null): number {
    const at = e.at;
    if (typeof at === 'string') this.setAt(at);
    const observed = e.observed as string | Record<string, string> | undefined;
    const user = (e.user as string | undefined) ?? 'user';
    let outcome: Outcome;
    switch (e.type) {
      case 'connect': {
        const a = this.app(e.app as string);
        const p = this.policyFor(a);
        const tenants = e.tenants as string[] | undefined;
        if (tenants === undefined) {
          outcome = this.connectOne(p, a, e.tenant as string, user);
          break;
        }
        let differ = 0;
        for (const t of tenants) {
          const o = this.connectOne(p, a, t, user);
          out?.push(o);
          const seen = typeof observed === 'object' ? observed[t] : tenants.length === 1 ? observed : undefined;
          if (seen !== undefined && !matches(o, seen)) differ++;
        }
        return differ;
      }
      case 'disconnect': {
        const a = this.app(e.app as string);
        const tenant = e.tenant as string;
        this.tenant(tenant);
        if (holds(a.tenants.get(tenant), user)) {
          this.unlink(a, tenant, user);
          outcome = 'disconnected';
        } else outcome = 'not-connected';
        break;
      }
      case 'revoke': {
        const a = this.app(e.app as string);
        const held = a.users.get(user);
        if (held !== undefined) for (const t of typeof held === 'string' ? [held] : [...held]) this.unlink(a, t, user);
        outcome = 'revoked';
        break;
      }
      case 'tenant': {
        const t = this.tenant(e.tenant as string);
        const kind = (e.kind as TenantKind | undefined) ?? 'organisation';
        if ((kind === 'demo') !== (t.kind === 'demo'))
          for (const a of t.apps) {
            a.demo += kind === 'demo' ? 1 : -1;
            a.plain += kind === 'demo' ? -1 : 1;
          }
        t.kind = kind;
        outcome = 'ok';
        break;
      }
      case 'certify': {
        const a = this.app(e.app as string);
        const before = takesSlot(a);
        a.certified = true;
        this.reslot(a, before);
        outcome = 'ok';
        break;
      }
      case 'tier': {
        const a = this.app(e.app as string);
        const tier = e.tier as Tier;
        if (certifiedOnly(tier) && !a.certified) outcome = 'rejected:requirements';
        else {
          a.tier = tier;
          outcome = 'ok';
        }
        break;
      }
      case 'app': {
        const id = e.app as string;
        const existing = this.apps.get(id);
        const certified = e.certified as boolean | undefined;
        const tier = e.tier as Tier | undefined;
        const wasCertified = existing?.certified ?? false;
        if ((certified === false && wasCertified) || (tier !== undefined && certifiedOnly(tier) && !wasCertified && certified !== true)) {
          outcome = 'rejected:requirements';
          break;
        }
        const a = existing ?? this.app(id);
        const before = takesSlot(a);
        if (e.custom !== undefined) a.custom = e.custom as boolean;
        if (e.auth !== undefined) a.oauth1 = e.auth === 'oauth1';
        if (e.registered !== undefined) a.tiersFromStart = Date.parse(e.registered as string) >= cutoff;
        if (certified === true) a.certified = true;
        if (tier !== undefined) a.tier = tier;
        this.reslot(a, before);
        outcome = 'ok';
        break;
      }
      default:
        throw new Error(`unknown event type ${String(e.type)}`);
    }
    out?.push(outcome);
    if (observed === undefined) return 0;
    if (typeof observed === 'string') return matches(outcome, observed) ? 0 : 1;
    return 0;
  }
}

function matches(outcome: Outcome, observed: string): boolean {
  return observed === outcome || (observed === 'rejected' && (outcome === 'rejected:app-limit' || outcome === 'rejected:org-limit'));
}

/** Check a trace file with the fast plain checker: its events and divergent outcomes. */
export async function fastCheck(file: string): Promise<{ events: number; divergences: number }> {
  const checker = new FastChecker();
  let events = 0;
  let divergences = 0;
  for await (const lines of readLineChunks(file)) {
    for (const text of lines) {
      if (text === '') continue;
      const event = JSON.parse(text) as Record<string, unknown>;
      if (event.type === 'scenario') continue;
      events++;
      divergences += checker.step(event);
    }
  }
  return { events, divergences };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const file = process.argv[2] as string;
  const start = process.cpuUsage();
  const result = await fastCheck(file);
  const cpu = process.cpuUsage(start);
  const usage = process.resourceUsage();
  process.stdout.write(`${JSON.stringify({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: usage.maxRSS / 1024 })}\n`);
}
