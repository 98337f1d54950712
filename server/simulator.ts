/**
 * The simulator's state and operations, without HTTP: every decision is the model's (a `Driver`
 * over the compiled machine, with the policy or timeline `xcm check` would use); this file adds
 * only what the platform has beyond the rules: UUIDs for tenants, connections and consents, client
 * credentials, single-use codes, tokens and the clock. It restates no rule: an outcome is read
 * from the driver's report, a connection from the model's world.
 *
 * Concurrency: Node runs this code on one thread, and every operation below is one synchronous
 * call with no `await` in it; a deciding operation reads the model's state, decides and writes as
 * one unit (`store.atomically`: a savepoint of the store's group transaction). So no other request
 * runs between reading the state and writing, and two consents at once are decided one after the
 * other, as the model would. The group commits on the next turn of the event loop, and the HTTP
 * layer answers only once it has (`store.durable()`): one fsync serves every request of a turn.
 * @module
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import { Driver } from '../model/engine/driver.ts';
import { compiledEngineFrom, type Engine, type Model } from '../model/engine/step.ts';
import { InputError } from '../model/errors.ts';
import { instantOf, isoInstant } from '../model/io/instant.ts';
import { parseTraceLine } from '../model/io/trace-parse.ts';
import { observedValue, traceLine } from '../model/io/trace-line.ts';
import { explain, type RuleName } from '../model/oracle/explain.ts';
import { makeDriver } from '../model/oracle/oracle.ts';
import type { PolicyChooser } from '../model/platform/timeline.ts';
import type { Outcome, TraceEvent } from '../model/types.ts';
import { allConnections, appRecord, connectionOf, currentAuthEventId, tenantRecord, type LiveConnection } from '../model/world/world.ts';
import type { Store } from './store.ts';

/** A refusal the client caused: the HTTP status and the contract's error body. */
export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** An answer: a status and a JSON body (none for 204), or NDJSON text, or an HTML page, or a redirect. */
export interface Reply {
  status: number;
  body?: unknown;
  ndjson?: Iterable<string>;
  html?: string;
  /** The `Location` of a redirect. */
  location?: string;
}

/** How long an access token works, in seconds (Xero's 30 minutes). */
export const ACCESS_TOKEN_SECONDS = 1800;
export const SCOPE = 'openid profile email accounting.transactions accounting.settings offline_access';

export interface SimulatorOptions {
  /** `--policy`: a built-in id, `xero` (the default) or a policy file. */
  policy?: string | undefined;
  /** `--set key=value` overrides. */
  set?: readonly string[] | undefined;
  /** The wall clock (tests pass their own). */
  now?: () => number;
  /** The model that decides (a deliberately broken one in the conformance tests); the model itself by default. */
  model?: Model | undefined;
}

const APP_FIELDS = ['certified', 'tier', 'custom', 'auth', 'registered'] as const;

/** A JSON body as an object with only these keys, or a 400 naming the first other key. */
function fields(body: unknown, allowed: readonly string[], what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new SimError(400, 'invalid_request', `expected a JSON object`);
  for (const key of Object.keys(body))
    if (!allowed.includes(key))
      throw new SimError(400, 'invalid_request', `not a field of ${what} (fields: ${allowed.join(', ') || 'none'})`, key);
  return body as Record<string, unknown>;
}

/** A trace event from request fields, checked by the trace's own parser (names, kinds, instants). */
function eventOf(record: Record<string, unknown>): TraceEvent {
  try {
    return parseTraceLine(JSON.stringify(record), 'request', 1) as TraceEvent;
  } catch (error) {
    if (error instanceof InputError)
      throw new SimError(
        400,
        'invalid_request',
        error.hint === undefined ? error.problem : `${error.problem} (${error.hint})`,
        error.where.field,
      );
    throw error;
  }
}

/** Bytes from the system's random source, taken a few kilobytes at a time (one call, not one per secret). */
const pool = Buffer.alloc(4096);
let pooled = 0;
function secret(bytes: number): string {
  if (pooled < bytes) {
    randomFillSync(pool);
    pooled = pool.length;
  }
  const text = pool.toString('base64url', pool.length - pooled, pool.length - pooled + bytes);
  pooled -= bytes;
  return text;
}

/** The model's decision for one tenant of a consent, with its rule and explanation (`explain.ts`). */
export interface Verdict {
  tenant: string;
  outcome: Outcome;
  rule: RuleName;
  text: string;
}

/**
 * A throwaway copy of an engine, from its current state on: the compiled machine's pure step, so
 * stepping the copy leaves the original (and the store, and the trace) as they are.
 */
function forkOf(engine: Engine): Engine {
  return compiledEngineFrom({ regime: engine.regime, context: engine.context });
}

/**
 * What the simulator added to one decided event, kept in the event's row beside its trace line
 * (the store's `added`) and replayed with it: the UUID of an authEventId answered for the first
 * time, each connection made or renewed (its model id, UUID, creation and update times), and the
 * authorisation code issued.
 */
interface Added {
  authEvent?: [modelId: string, id: string];
  connections?: [modelId: string, id: string, created: string, updated: string][];
  code?: [code: string, app: string, user: string];
}

/** A connection's platform side: its UUID and dates. */
interface ConnectionIds {
  id: string;
  created: string;
  updated: string;
}

/** An authorisation code's grant, and whether it was exchanged (or its grant revoked). */
interface Code {
  app: string;
  user: string;
  used: boolean;
}

const grantKey = (app: string, user: string) => JSON.stringify([app, user]);

export class Simulator {
  private driver!: Driver;
  /** The UUID of each authEventId, by model id (rebuilt from the store with the model's state). */
  private authEvents = new Map<string, string>();
  /** The UUID and dates of each connection, by model id. */
  private connectionIds = new Map<string, ConnectionIds>();
  /** Every authorisation code issued, and the codes of each (app, user). */
  private codes = new Map<string, Code>();
  private codesOfGrant = new Map<string, string[]>();
  private choose!: PolicyChooser;
  private clockMs: number | null = null;
  /** The latest `at` the trace holds: the clock may not go back before it (the trace stays in time order). */
  private lastAtMs: number | null = null;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly options: SimulatorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    // Fail on a bad --policy or --set before anything is served.
    this.rebuild();
  }

  /**
   * Rebuild the model's state from the stored trace: each line replayed through a new driver,
   * following its `observed` outcome, so the state is the one the simulator answered from even if
   * a later version of the model (or another `--policy`) would decide a line differently.
   */
  rebuild(): void {
    const made = makeDriver({
      policy: this.options.policy,
      set: this.options.set ?? [],
      ...(this.options.model === undefined ? {} : { model: this.options.model }),
    });
    this.driver = made.driver;
    this.choose = made.choose;
    const clock = this.store.s.meta.get('clock')?.value ?? null;
    this.clockMs = clock === null ? null : instantOf(clock);
    this.lastAtMs = null;
    this.authEvents = new Map();
    this.connectionIds = new Map();
    this.codes = new Map();
    this.codesOfGrant = new Map();
    for (const row of this.store.s.legacyAuthEvents.iterate()) this.authEvents.set(row.model_id, row.id);
    for (const row of this.store.s.legacyConnections.iterate())
      this.connectionIds.set(row.model_id, { id: row.id, created: row.created, updated: row.updated });
    let n = 0;
    for (const { line, added } of this.store.s.replay.iterate()) {
      const event = parseTraceLine(line, 'database', ++n);
      if (added !== null) this.adopt(JSON.parse(added) as Added);
      if (event === null) continue;
      if (event.at !== undefined) this.lastAtMs = instantOf(event.at);
      this.driver.apply(event, false, true);
    }
    // After the codes issued: which were used (and the unused codes of a database written before `added`).
    for (const row of this.store.s.codes.iterate()) this.addCode(row.code, row.app, row.user, row.used === 1);
  }

  /** Hold what the simulator added to an event (as it decides it, or as it replays the event's row). */
  private adopt(added: Added): void {
    if (added.authEvent !== undefined) this.authEvents.set(added.authEvent[0], added.authEvent[1]);
    for (const [modelId, id, created, updated] of added.connections ?? []) this.connectionIds.set(modelId, { id, created, updated });
    if (added.code !== undefined) this.addCode(added.code[0], added.code[1], added.code[2], false);
  }

  private addCode(code: string, app: string, user: string, used: boolean): void {
    const known = this.codes.get(code);
    if (known !== undefined) {
      known.used ||= used;
      return;
    }
    this.codes.set(code, { app, user, used });
    const key = grantKey(app, user);
    const list = this.codesOfGrant.get(key);
    if (list === undefined) this.codesOfGrant.set(key, [code]);
    else list.push(code);
  }

  /** Mark a code used: in the store (the `codes` table), then here. */
  private useCode(code: string): void {
    const held = this.codes.get(code);
    if (held === undefined || held.used) return;
    this.store.s.useCode.run(code, held.app, held.user);
    held.used = true;
  }

  private get world() {
    return this.driver.engine.context.world;
  }

  /** The platform's time: the clock once set, else the wall clock. */
  private nowIso(): string {
    return isoInstant(this.clockMs ?? this.now());
  }

  /**
   * Decide one event and commit it, with `record` (the simulator's own writes for it) in the same
   * transaction. Synchronous: nothing else runs between the model's reading of its state and the
   * commit. The event carries `at` only once the clock is set: until then the model takes the
   * newest era of the timeline, the one in force at the wall clock (any date after 2026-03-02).
   * On a failed commit the model's state is rebuilt from the store, which kept none of it.
   */
  private decide<T>(
    event: TraceEvent,
    record: (outcomes: Outcome[], explainAt: (i: number) => { rule: RuleName; text: string }, added: Added) => T,
  ): T {
    if (this.clockMs !== null) event.at = isoInstant(this.clockMs);
    try {
      return this.store.atomically(() => {
        const report = this.driver.apply(event, true);
        if (event.at !== undefined) this.lastAtMs = this.clockMs;
        const why = (i: number) => {
          const d = report.decisions[i];
          return d === undefined
            ? { rule: 'declaration' as RuleName, text: '' }
            : explain(d.before, d.event, report.outcomes[i] as Outcome);
        };
        const added: Added = {};
        const result = record(report.outcomes, why, added);
        const kept = Object.keys(added).length === 0 ? null : JSON.stringify(added);
        this.store.s.addEvent.run(traceLine({ ...event, observed: observedValue(event, report.outcomes) }), kept);
        this.adopt(added);
        return result;
      });
    } catch (error) {
      this.rebuild();
      throw error;
    }
  }

  // The outside world, under /sim/.

  appObject(name: string) {
    const app = appRecord(this.world, name);
    const credentials = this.store.s.app.get(name);
    if (app === undefined || credentials === undefined) return null;
    return {
      name,
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      certified: app.certified,
      tier: app.tier,
      custom: app.custom,
      auth: app.auth,
      registered: app.registered,
    };
  }

  private knownApp(name: string): void {
    if (appRecord(this.world, name) === undefined)
      throw new SimError(404, 'not_found', `no app ${JSON.stringify(name)}: PUT /sim/apps/{name} first`);
  }

  /** `PUT /sim/apps/{name}`: the trace's `app` event. */
  putApp(name: string, body: unknown): Reply {
    const given = fields(body ?? {}, APP_FIELDS, 'an app');
    const event = eventOf({ type: 'app', app: name, ...given });
    const existed = appRecord(this.world, name) !== undefined;
    return this.decide(event, ([outcome], why) => {
      // Refused by the lifecycle: recorded in the trace like any decision, answered 409.
      if (outcome === 'rejected:requirements') return { status: 409, body: { error: outcome, message: why(0).text } };
      if (this.store.s.app.get(name) === undefined)
        this.store.s.addApp.run(name, randomUUID().replaceAll('-', '').toUpperCase(), secret(36));
      return { status: existed ? 200 : 201, body: this.appObject(name) };
    });
  }

  /** `POST /sim/apps/{name}/certify`. */
  certify(name: string, body: unknown): Reply {
    fields(body ?? {}, [], 'a certification');
    this.knownApp(name);
    return this.decide(eventOf({ type: 'certify', app: name }), () => ({ status: 200, body: this.appObject(name) }));
  }

  /** `POST /sim/apps/{name}/tier` body `{tier}`. */
  tier(name: string, body: unknown): Reply {
    const given = fields(body, ['tier'], 'a tier change');
    if (given.tier === undefined) throw new SimError(400, 'invalid_request', 'missing', 'tier');
    const event = eventOf({ type: 'tier', app: name, tier: given.tier });
    this.knownApp(name);
    return this.decide(event, ([outcome], why) => {
      if (outcome === 'rejected:requirements') return { status: 409, body: { error: outcome, message: why(0).text } };
      return { status: 200, body: this.appObject(name) };
    });
  }

  tenantObject(name: string) {
    const tenant = tenantRecord(this.world, name);
    const row = this.store.s.tenant.get(name);
    if (tenant === undefined || row === undefined) return null;
    return { name, tenantId: row.tenant_id, tenantType: tenant.kind === 'practice' ? 'PRACTICE' : 'ORGANISATION', kind: tenant.kind };
  }

  /** `PUT /sim/tenants/{name}`: the trace's `tenant` event. */
  putTenant(name: string, body: unknown): Reply {
    const given = fields(body ?? {}, ['kind'], 'a tenant');
    const event = eventOf({ type: 'tenant', tenant: name, ...given });
    const existed = tenantRecord(this.world, name) !== undefined;
    return this.decide(event, () => {
      if (this.store.s.tenant.get(name) === undefined) this.store.s.addTenant.run(name, randomUUID());
      return { status: existed ? 200 : 201, body: this.tenantObject(name) };
    });
  }

  /** `POST /sim/consent`: one consent, decided by the model tenant by tenant. */
  consent(body: unknown): Reply {
    return this.consentWith(body, false).reply;
  }

  /** The same consent (the same decision, commit and trace line), with the model's verdict on each tenant. */
  consentExplained(body: unknown): { reply: Reply; verdicts: Verdict[] } {
    return this.consentWith(body, true);
  }

  private consentWith(body: unknown, explained: boolean): { reply: Reply; verdicts: Verdict[] } {
    const given = fields(body, ['app', 'user', 'tenants'], 'a consent');
    for (const key of ['app', 'user', 'tenants']) if (given[key] === undefined) throw new SimError(400, 'invalid_request', 'missing', key);
    const tenants = given.tenants;
    if (!Array.isArray(tenants) || tenants.length === 0)
      throw new SimError(400, 'invalid_request', 'expected a non-empty array of tenant names', 'tenants');
    if (new Set(tenants).size !== tenants.length) throw new SimError(400, 'invalid_request', 'a tenant is named twice', 'tenants');
    const event = eventOf({ type: 'connect', app: given.app, user: given.user, tenants }) as Extract<TraceEvent, { type: 'connect' }>;
    const user = event.user as string;
    this.knownApp(event.app);
    for (const t of event.tenants)
      if (tenantRecord(this.world, t) === undefined)
        throw new SimError(404, 'not_found', `no tenant ${JSON.stringify(t)}: PUT /sim/tenants/{name} first`, 'tenants');
    // The connections this user held before, to carry a creation date over to a renewed id.
    const before = event.tenants.map((t) => connectionOf(this.world, event.app, t, user));
    return this.decide(event, (outcomes, why, added) => {
      const now = this.nowIso();
      let granted = false;
      const connections: NonNullable<Added['connections']> = [];
      outcomes.forEach((outcome, i) => {
        if (outcome !== 'connected' && outcome !== 'reconnected') return;
        granted = true;
        const made = connectionOf(this.world, event.app, event.tenants[i] as string, user);
        if (made === undefined) return;
        const held = this.connectionIds.get(made.id);
        if (held === undefined) {
          const old = before[i] === undefined ? undefined : this.connectionIds.get((before[i] as { id: string }).id);
          connections.push([made.id, randomUUID(), old?.created ?? now, now]);
        } else {
          connections.push([made.id, held.id, held.created, now]);
        }
      });
      if (connections.length > 0) added.connections = connections;
      const code = granted ? secret(24) : null;
      if (code !== null) added.code = [code, event.app, user];
      const authEvent = currentAuthEventId(this.world);
      let authEventId = this.authEvents.get(authEvent);
      if (authEventId === undefined) {
        authEventId = randomUUID();
        added.authEvent = [authEvent, authEventId];
      }
      const reply = {
        status: 200,
        body: {
          authEventId,
          outcomes: Object.fromEntries(event.tenants.map((t, i) => [t, outcomes[i]])),
          code,
        },
      };
      const verdicts = explained ? event.tenants.map((tenant, i) => ({ tenant, outcome: outcomes[i] as Outcome, ...why(i) })) : [];
      return { reply, verdicts };
    });
  }

  /**
   * What the model would decide now if `user` consented to each of `tenants` alone: each decided on
   * a throwaway copy of the model's state (`forkOf`), through a driver with the same policy choice
   * and the event at the same clock as a real consent, so nothing is committed, stored or traced.
   * The consent screen asks this to show which organisations the limits refuse, and why.
   */
  wouldConsent(app: string, user: string, tenants: readonly string[]): Verdict[] {
    this.knownApp(app);
    return tenants.map((tenant) => {
      const event: TraceEvent = { type: 'connect', app, user, tenants: [tenant] };
      if (this.clockMs !== null) event.at = isoInstant(this.clockMs);
      const report = new Driver(forkOf(this.driver.engine), this.choose).apply(event, true);
      const outcome = report.outcomes[0] as Outcome;
      const d = report.decisions[0];
      return { tenant, outcome, ...(d === undefined ? { rule: 'connect' as RuleName, text: '' } : explain(d.before, d.event, outcome)) };
    });
  }

  /** The app whose client id this is, or null (the consent screen's `client_id`; no secret asked). */
  appOfClientId(clientId: string): string | null {
    return this.store.s.appByClient.get(clientId)?.name ?? null;
  }

  /** Every tenant's name, in the order declared. */
  tenantNames(): string[] {
    return this.store.db
      .prepare<[], { name: string }>('SELECT name FROM tenants ORDER BY rowid')
      .all()
      .map((r) => r.name);
  }

  /** `POST /sim/clock` body `{at}`: the platform's time from now on (it stands still until set again). */
  setClock(body: unknown): Reply {
    const given = fields(body, ['at'], 'a clock');
    if (given.at === undefined) throw new SimError(400, 'invalid_request', 'missing', 'at');
    const at = eventOf({ type: 'tenant', tenant: 'clock', at: given.at }).at as string;
    const ms = instantOf(at);
    if (this.lastAtMs !== null && ms < this.lastAtMs)
      throw new SimError(
        400,
        'invalid_request',
        `the clock cannot go back before the last decided request (${isoInstant(this.lastAtMs)}): the trace would be out of time order; POST /sim/reset to start over`,
        'at',
      );
    this.store.atomically(() => this.store.s.setMeta.run('clock', at));
    this.clockMs = ms;
    return { status: 200, body: { clock: isoInstant(ms) } };
  }

  /** `POST /sim/reset`: everything gone. */
  reset(): Reply {
    this.store.clear();
    this.rebuild();
    return { status: 204 };
  }

  private connectionObject(c: LiveConnection) {
    const row = this.connectionIds.get(c.connection.id);
    return {
      id: row?.id ?? '',
      authEventId: this.authEvents.get(c.connection.authEventId) ?? '',
      createdDateUtc: c.connection.createdDateUtc ?? row?.created ?? null,
      updatedDateUtc: c.connection.updatedDateUtc ?? row?.updated ?? null,
    };
  }

  /** `GET /sim/state`. */
  state(): Reply {
    const apps = [];
    const tenants = [];
    for (const row of this.store.db.prepare<[], { name: string }>('SELECT name FROM apps ORDER BY rowid').iterate())
      apps.push(this.appObject(row.name));
    for (const row of this.store.db.prepare<[], { name: string }>('SELECT name FROM tenants ORDER BY rowid').iterate())
      tenants.push(this.tenantObject(row.name));
    const connections = [...allConnections(this.world)].map((c) => {
      const { id, authEventId, createdDateUtc, updatedDateUtc } = this.connectionObject(c);
      return { id, app: c.app, tenant: c.tenant, user: c.user, authEventId, createdDateUtc, updatedDateUtc };
    });
    return { status: 200, body: { clock: this.nowIso(), apps, tenants, connections } };
  }

  /** `GET /sim/trace`: a scenario header pinning the policy when one was given, then every decided request. */
  trace(): Reply {
    const store = this.store;
    const { policy, set } = this.options;
    function* lines(): Generator<string> {
      if (policy !== undefined || (set !== undefined && set.length > 0)) {
        const header: Record<string, unknown> = { type: 'scenario', title: 'xcm serve trace', story: '', source: 'xcm serve' };
        if (policy !== undefined) header.policy = policy;
        if (set !== undefined && set.length > 0) header.set = set;
        yield `${JSON.stringify(header)}\n`;
      }
      for (const { line } of store.s.events.iterate()) yield `${line}\n`;
    }
    return { status: 200, ndjson: lines() };
  }

  // Xero's own endpoints.

  /** The app whose client credentials these are, or 401 `invalid_client`. */
  client(basic: { id: string; secret: string } | null): string {
    const row = basic === null ? undefined : this.store.s.appByClient.get(basic.id);
    if (row === undefined || basic === null || row.client_secret !== basic.secret)
      throw new SimError(401, 'invalid_client', 'unknown client id or wrong secret (HTTP Basic clientId:clientSecret)');
    return row.name;
  }

  private issue(app: string, user: string): Reply {
    const access = secret(32);
    const refresh = secret(32);
    const now = this.now();
    this.store.s.addToken.run(access, 'access', app, user, now);
    this.store.s.addToken.run(refresh, 'refresh', app, user, now);
    return {
      status: 200,
      body: { access_token: access, refresh_token: refresh, expires_in: ACCESS_TOKEN_SECONDS, token_type: 'Bearer', scope: SCOPE },
    };
  }

  /** A live refresh token of this app, or 400 `invalid_grant`. */
  private refreshGrant(app: string, token: string | null, field: string) {
    const row = token === null ? undefined : this.store.s.token.get(token);
    if (row === undefined || row.kind !== 'refresh' || row.live !== 1 || row.app !== app)
      throw new SimError(400, 'invalid_grant', 'unknown, used or revoked refresh token, or one of another app', field);
    return row;
  }

  /** `POST /connect/token`. */
  token(app: string, form: URLSearchParams): Reply {
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code');
      const row = code === null ? undefined : this.codes.get(code);
      if (code === null || row === undefined || row.used || row.app !== app)
        throw new SimError(400, 'invalid_grant', 'unknown or used authorisation code, or one of another app', 'code');
      return this.store.atomically(() => {
        const reply = this.issue(row.app, row.user);
        this.useCode(code);
        return reply;
      });
    }
    if (grant === 'refresh_token') {
      const token = form.get('refresh_token');
      const row = this.refreshGrant(app, token, 'refresh_token');
      return this.store.atomically(() => {
        // A refresh token works once: the new one replaces it, as Xero rotates them.
        this.store.s.endToken.run(token as string);
        return this.issue(row.app, row.user);
      });
    }
    throw new SimError(400, 'unsupported_grant_type', 'expected grant_type authorization_code or refresh_token', 'grant_type');
  }

  /** `POST /connect/revocation`: that user's connections to that app removed, their tokens ended. */
  revoke(app: string, form: URLSearchParams): Reply {
    const token = form.get('token');
    const row = this.refreshGrant(app, token, 'token');
    return this.decide(eventOf({ type: 'revoke', app, user: row.user }), () => {
      this.store.s.endGrant.run(app, row.user);
      for (const code of this.codesOfGrant.get(grantKey(app, row.user)) ?? []) this.useCode(code);
      return { status: 200 };
    });
  }

  /** The (app, user) of a live access token, or 401. */
  bearer(token: string | null): { app: string; user: string } {
    const row = token === null ? undefined : this.store.s.token.get(token);
    if (row === undefined || row.kind !== 'access' || row.live !== 1 || this.now() - row.issued_ms >= ACCESS_TOKEN_SECONDS * 1000)
      throw new SimError(401, 'invalid_token', 'missing, unknown, expired or revoked access token (Authorization: Bearer ACCESS_TOKEN)');
    return { app: row.app, user: row.user };
  }

  /** The token's user's live connections to the token's app, as the model's world holds them. */
  private ownConnections(grant: { app: string; user: string }): LiveConnection[] {
    return [...allConnections(this.world)].filter((c) => c.app === grant.app && c.user === grant.user);
  }

  /** `GET /connections`. */
  connections(grant: { app: string; user: string }, authEventId: string | null): Reply {
    const list = this.ownConnections(grant)
      .map((c) => {
        const { id, authEventId: event, createdDateUtc, updatedDateUtc } = this.connectionObject(c);
        const tenant = this.tenantObject(c.tenant);
        return {
          id,
          authEventId: event,
          tenantId: tenant?.tenantId ?? '',
          tenantType: tenant?.tenantType ?? 'ORGANISATION',
          tenantName: c.tenant,
          createdDateUtc,
          updatedDateUtc,
        };
      })
      .filter((c) => authEventId === null || c.authEventId === authEventId);
    return { status: 200, body: list };
  }

  /** `DELETE /connections/{id}`: the trace's `disconnect` event. */
  disconnect(grant: { app: string; user: string }, id: string): Reply {
    const target = this.ownConnections(grant).find((c) => this.connectionIds.get(c.connection.id)?.id === id);
    if (target === undefined) throw new SimError(404, 'not_found', `no connection ${JSON.stringify(id)} of this token's user and app`);
    return this.decide(eventOf({ type: 'disconnect', app: grant.app, tenant: target.tenant, user: grant.user }), () => ({ status: 204 }));
  }

  /**
   * For the deliberately broken variant the concurrency test must catch: a function that puts back
   * the model's state as it is now, as a handler that read the state, awaited, then decided would.
   */
  staleRead(): () => void {
    const context = this.driver.engine.context;
    return () => this.driver.engine.adopt(context);
  }
}
