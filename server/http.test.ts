import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFile } from '../model/oracle/oracle.ts';
import { type Running, serve } from './http.ts';
import { type AppObject, client } from './test-client.ts';

const TMP = mkdtempSync(join(tmpdir(), 'xcm-serve-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

let running: Running;
let sim: ReturnType<typeof client>;

beforeEach(async () => {
  running = await serve({ port: 0 });
  sim = client(running.url);
  await sim.clock('2024-05-01T09:00:00+12:00');
});
afterEach(() => running.close());

/** An app with a user connected to these tenants, and that user's tokens. */
async function connected(app: string, user: string, tenants: string[]) {
  const made = (await sim.putApp(app)).body as AppObject;
  for (const t of tenants) await sim.putTenant(t);
  const consent = await sim.consent(app, user, tenants);
  const tokens = await sim.exchange(made, consent.body.code as string);
  expect(tokens.status).toBe(200);
  return { app: made, consent: consent.body, tokens: tokens.body };
}

async function traceHolds(): Promise<boolean> {
  const file = join(TMP, `trace-${Math.random()}.jsonl`);
  writeFileSync(file, (await sim.trace()).text);
  return (await checkFile(file)).ok;
}

describe('xcm serve: the /sim/ endpoints', () => {
  it('should answer 201 for a new app and 200 for a change, with its client credentials kept', async () => {
    const first = await sim.putApp('a', { custom: false });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'a', certified: false, tier: null, custom: false, auth: 'oauth2', registered: null });
    const again = await sim.putApp('a', { tier: 'core' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ clientId: first.body.clientId, clientSecret: first.body.clientSecret, tier: 'core' });
  });

  it('should answer 409 rejected:requirements when the lifecycle refuses, and record it in the trace', async () => {
    const refused = await sim.putApp('p', { tier: 'plus' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'rejected:requirements' });
    expect((await sim.state()).body.apps).toEqual([]);
    await sim.putApp('q');
    expect((await sim.request('POST', '/sim/apps/q/tier', { json: { tier: 'plus' } })).status).toBe(409);
    expect((await sim.request('POST', '/sim/apps/q/certify')).body).toMatchObject({ certified: true });
    expect((await sim.request('POST', '/sim/apps/q/tier', { json: { tier: 'plus' } })).body).toMatchObject({ tier: 'plus' });
    expect((await sim.trace()).text).toContain('"observed":"rejected:requirements"');
    expect(await traceHolds()).toBe(true);
  });

  it('should give tenants UUIDs and a tenantType', async () => {
    const org = await sim.putTenant('o');
    expect(org.status).toBe(201);
    expect(org.body).toMatchObject({ name: 'o', tenantType: 'ORGANISATION', kind: 'organisation' });
    expect(org.body.tenantId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await sim.putTenant('o', { kind: 'practice' })).body).toMatchObject({ tenantId: org.body.tenantId, tenantType: 'PRACTICE' });
    expect((await sim.putTenant('o', { kind: 'practice' })).status).toBe(200);
  });

  it('should decide a consent tenant by tenant, refuse at the cap, and give no code when nothing connected', async () => {
    await sim.putApp('a');
    const names = Array.from({ length: 26 }, (_, i) => `t${i}`);
    for (const t of names) await sim.putTenant(t);
    const first = await sim.consent('a', 'u', names.slice(0, 25));
    expect(Object.values(first.body.outcomes).every((o) => o === 'connected')).toBe(true);
    const refused = await sim.consent('a', 'u', ['t25']);
    expect(refused.body).toMatchObject({ outcomes: { t25: 'rejected:app-limit' }, code: null });
    expect((await sim.consent('a', 'u', ['t0'])).body.outcomes).toEqual({ t0: 'reconnected' });
    expect((await sim.state()).body.connections).toHaveLength(25);
    expect(await traceHolds()).toBe(true);
  });

  it('should refuse a consent with 404 for an unknown app or tenant and 400 for empty or repeated tenants', async () => {
    await sim.putApp('a');
    await sim.putTenant('t');
    expect((await sim.consent('nope', 'u', ['t'])).status).toBe(404);
    expect((await sim.consent('a', 'u', ['nope'])).body).toMatchObject({ error: 'not_found', field: 'tenants' });
    expect((await sim.consent('a', 'u', [])).status).toBe(400);
    expect((await sim.consent('a', 'u', ['t', 't'])).body).toMatchObject({ error: 'invalid_request', field: 'tenants' });
  });

  it('should move the clock forward only, and pick the policy by it', async () => {
    await sim.putApp('a');
    await sim.putTenant('t');
    expect((await sim.clock('2023-01-01T00:00:00Z')).body).toMatchObject({ error: 'invalid_request', field: 'at' });
    expect((await sim.clock('2026-05-01T00:00:00+12:00')).body).toEqual({ clock: '2026-04-30T12:00:00.000Z' });
    for (let i = 0; i < 6; i++) await sim.putTenant(`s${i}`);
    const consent = await sim.consent('a', 'u', ['s0', 's1', 's2', 's3', 's4', 's5']);
    expect(consent.body.outcomes.s5).toBe('rejected:app-limit');
    expect((await sim.clock('2026-13-01T00:00:00Z')).body).toMatchObject({ error: 'invalid_request', field: 'at' });
    expect(await traceHolds()).toBe(true);
  });

  it('should forget everything on reset', async () => {
    await connected('a', 'u', ['t']);
    expect((await sim.request('POST', '/sim/reset')).status).toBe(204);
    const state = (await sim.state()).body;
    expect(state).toMatchObject({ apps: [], tenants: [], connections: [] });
    expect((await sim.trace()).text).toBe('');
  });

  it('should list the state with names and connection UUIDs that are never the tenant id', async () => {
    const { consent } = await connected('a', 'u', ['t1', 't2']);
    const state = (await sim.state()).body;
    expect(state.clock).toBe('2024-04-30T21:00:00.000Z');
    expect(state.connections.map((c) => [c.app, c.tenant, c.user, c.authEventId])).toEqual([
      ['a', 't1', 'u', consent.authEventId],
      ['a', 't2', 'u', consent.authEventId],
    ]);
    const tenantIds = state.tenants.map((t) => t.tenantId);
    for (const c of state.connections) expect(tenantIds).not.toContain(c.id);
  });

  it('should serve the trace as NDJSON', async () => {
    await connected('a', 'u', ['t']);
    const trace = await sim.trace();
    expect(trace.headers.get('content-type')).toBe('application/x-ndjson');
    expect(
      trace.text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).type),
    ).toEqual(['app', 'tenant', 'connect']);
    expect(trace.text).toContain('"at":"2024-04-30T21:00:00.000Z"');
  });
});

describe("xcm serve: Xero's endpoints", () => {
  it('should exchange a code once, then refresh once, then list the connections', async () => {
    const { app, consent, tokens } = await connected('a', 'u', ['t']);
    expect(tokens).toMatchObject({ expires_in: 1800, token_type: 'Bearer' });
    expect(typeof tokens.scope).toBe('string');
    expect((await sim.exchange(app, consent.code as string)).body).toMatchObject({ error: 'invalid_grant' });
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token };
    const renewed = await sim.request<{ access_token: string }>('POST', '/connect/token', { form: refresh, auth: sim.basic(app) });
    expect(renewed.status).toBe(200);
    expect((await sim.request('POST', '/connect/token', { form: refresh, auth: sim.basic(app) })).status).toBe(400);
    const list = await sim.connections(renewed.body.access_token);
    expect(list.body).toEqual([
      expect.objectContaining({
        authEventId: consent.authEventId,
        tenantName: 't',
        tenantType: 'ORGANISATION',
        createdDateUtc: '2024-04-30T21:00:00.000Z',
      }),
    ]);
    expect((await sim.connections(tokens.access_token, `?authEventId=${consent.authEventId}`)).body).toHaveLength(1);
    expect((await sim.connections(tokens.access_token, '?authEventId=other')).body).toEqual([]);
  });

  it('should answer 401 invalid_client for wrong credentials and 400 for a bad grant', async () => {
    const { app, consent } = await connected('a', 'u', ['t']);
    const wrong = { ...app, clientSecret: 'x' };
    expect((await sim.exchange(wrong, consent.code as string)).body).toMatchObject({ error: 'invalid_client' });
    expect((await sim.request('POST', '/connect/token', { form: { grant_type: 'authorization_code', code: 'c' } })).status).toBe(401);
    expect((await sim.exchange(app, 'not-a-code')).body).toMatchObject({ error: 'invalid_grant', field: 'code' });
    expect((await sim.request('POST', '/connect/token', { form: { grant_type: 'password' }, auth: sim.basic(app) })).body).toMatchObject({
      error: 'unsupported_grant_type',
    });
  });

  it("should let a code and a refresh token work only with their own app's credentials", async () => {
    const a = await connected('a', 'u', ['t']);
    const b = (await sim.putApp('b')).body;
    await sim.putTenant('t2');
    const consent = await sim.consent('a', 'v', ['t2']);
    expect((await sim.exchange(b, consent.body.code as string)).body).toMatchObject({ error: 'invalid_grant' });
    const refresh = { grant_type: 'refresh_token', refresh_token: a.tokens.refresh_token };
    expect((await sim.request('POST', '/connect/token', { form: refresh, auth: sim.basic(b) })).status).toBe(400);
    expect((await sim.request('POST', '/connect/revocation', { form: { token: a.tokens.refresh_token }, auth: sim.basic(b) })).status).toBe(
      400,
    );
  });

  it("should show and delete only the token's own user's connections to its own app", async () => {
    const mine = await connected('a', 'u', ['t1']);
    const other = await sim.consent('a', 'v', ['t1']);
    const theirs = await sim.exchange(mine.app, other.body.code as string);
    const b = await connected('b', 'u', ['t1']);
    const own = (await sim.connections(mine.tokens.access_token)).body;
    expect(own).toHaveLength(1);
    const theirId = ((await sim.connections(theirs.body.access_token)).body[0] as { id: string }).id;
    const bId = ((await sim.connections(b.tokens.access_token)).body[0] as { id: string }).id;
    expect(new Set([own[0]?.id, theirId, bId]).size).toBe(3);
    const del = (token: string, id: string) => sim.request('DELETE', `/connections/${id}`, { auth: `Bearer ${token}` });
    expect((await del(mine.tokens.access_token, theirId)).status).toBe(404);
    expect((await del(mine.tokens.access_token, bId)).status).toBe(404);
    expect((await del(mine.tokens.access_token, own[0]?.id as string)).status).toBe(204);
    expect((await del(mine.tokens.access_token, own[0]?.id as string)).status).toBe(404);
    expect((await sim.state()).body.connections.map((c) => `${c.app}/${c.user}`)).toEqual(['a/v', 'b/u']);
    expect((await sim.request('GET', '/connections')).status).toBe(401);
    expect(await traceHolds()).toBe(true);
  });

  it("should revoke: remove that user's connections to that app, and end its tokens", async () => {
    const mine = await connected('a', 'u', ['t1', 't2']);
    await sim.consent('a', 'v', ['t1']);
    const revoked = await sim.request('POST', '/connect/revocation', {
      form: { token: mine.tokens.refresh_token },
      auth: sim.basic(mine.app),
    });
    expect(revoked.status).toBe(200);
    expect((await sim.connections(mine.tokens.access_token)).status).toBe(401);
    const refresh = { grant_type: 'refresh_token', refresh_token: mine.tokens.refresh_token };
    expect((await sim.request('POST', '/connect/token', { form: refresh, auth: sim.basic(mine.app) })).status).toBe(400);
    expect((await sim.state()).body.connections.map((c) => c.user)).toEqual(['v']);
    expect((await sim.trace()).text).toContain('{"type":"revoke","app":"a","user":"u"');
    expect(await traceHolds()).toBe(true);
  });

  it('should expire an access token after 1800 seconds', async () => {
    await running.close();
    let now = Date.UTC(2024, 0, 1);
    running = await serve({ port: 0, now: () => now });
    sim = client(running.url);
    const { tokens } = await connected('a', 'u', ['t']);
    now += 1799_000;
    expect((await sim.connections(tokens.access_token)).status).toBe(200);
    now += 1000;
    expect((await sim.connections(tokens.access_token)).status).toBe(401);
  });
});

describe('xcm serve: a restart on the same database', () => {
  /** Two consents of u (the first code exchanged), one of v revoked; the state, the app and both codes of u. */
  async function history(db: string) {
    await running.close();
    running = await serve({ port: 0, db });
    sim = client(running.url);
    await sim.clock('2024-05-01T09:00:00+12:00');
    const mine = await connected('a', 'u', ['t1']);
    await sim.putTenant('t2');
    const second = (await sim.consent('a', 'u', ['t1', 't2'])).body;
    const theirs = (await sim.consent('a', 'v', ['t2'])).body;
    const tokens = (await sim.exchange(mine.app, theirs.code as string)).body;
    expect(
      (await sim.request('POST', '/connect/revocation', { form: { token: tokens.refresh_token }, auth: sim.basic(mine.app) })).status,
    ).toBe(200);
    return { state: (await sim.state()).body, app: mine.app, used: mine.consent.code as string, unused: second.code as string };
  }

  /** The server restarted on `db`: the same state, the used code refused, the unused one taken once. */
  async function restartHolds(db: string, before: Awaited<ReturnType<typeof history>>) {
    await running.close();
    running = await serve({ port: 0, db });
    sim = client(running.url);
    expect((await sim.state()).body).toEqual(before.state);
    expect((await sim.exchange(before.app, before.used)).status).toBe(400);
    expect((await sim.exchange(before.app, before.unused)).status).toBe(200);
    expect((await sim.exchange(before.app, before.unused)).status).toBe(400);
    expect(await traceHolds()).toBe(true);
  }

  it('should keep the ids of consents and connections, their dates, and which codes were used', async () => {
    const db = join(TMP, `restart-${Math.random()}.db`);
    await restartHolds(db, await history(db));
  });

  it('should read a database written before the events table kept what the simulator added', async () => {
    const db = join(TMP, `legacy-${Math.random()}.db`);
    const before = await history(db);
    await running.close();
    // The same history as such a database holds it: the ids and codes in their own tables, no `added`.
    const file = new Database(db);
    const rows = file.prepare<[], { added: string }>('SELECT added FROM events WHERE added IS NOT NULL ORDER BY seq').all();
    for (const row of rows) {
      const added = JSON.parse(row.added) as { authEvent?: string[]; connections?: string[][]; code?: string[] };
      if (added.authEvent !== undefined) file.prepare('INSERT INTO auth_events (model_id, id) VALUES (?, ?)').run(...added.authEvent);
      for (const c of added.connections ?? [])
        file.prepare('INSERT OR REPLACE INTO connections (model_id, id, created, updated) VALUES (?, ?, ?, ?)').run(...c);
      if (added.code !== undefined) file.prepare('INSERT OR IGNORE INTO codes (code, app, user) VALUES (?, ?, ?)').run(...added.code);
    }
    file.exec('ALTER TABLE events DROP COLUMN added');
    file.close();
    expect(rows.length).toBeGreaterThan(0);
    await restartHolds(db, before);
  });
});

describe('xcm serve: bad input', () => {
  it('should answer each bad request with one error body and keep serving', async () => {
    const cases: Array<[string, string, { raw?: string; json?: unknown }, number, Record<string, unknown>]> = [
      ['PUT', '/sim/apps/a', { raw: '{"certified":' }, 400, { error: 'invalid_request' }],
      ['PUT', '/sim/apps/a', { json: { certified: 'yes' } }, 400, { field: 'certified' }],
      ['PUT', '/sim/apps/a', { json: { colour: 'red' } }, 400, { field: 'colour' }],
      ['PUT', '/sim/apps/a', { raw: '{"tier":"core","tier":"plus"}' }, 400, { field: 'tier' }],
      ['PUT', '/sim/apps/a', { json: [1] }, 400, { error: 'invalid_request' }],
      ['PUT', '/sim/apps/a', { json: { registered: '2025-02-30' } }, 400, { field: 'registered' }],
      [
        'PUT',
        '/sim/tenants/t',
        { json: { kind: 'shop' } },
        400,
        { field: 'kind', message: 'unknown value "shop" (expected one of organisation, practice, demo)' },
      ],
      ['PUT', `/sim/tenants/${encodeURIComponent('bad\nname')}`, {}, 400, { error: 'invalid_request' }],
      ['PUT', '/sim/tenants/%E0%A4%A', {}, 400, { error: 'invalid_request' }],
      ['POST', '/sim/apps/ghost/certify', {}, 404, { error: 'not_found' }],
      ['POST', '/sim/apps/ghost/tier', { json: { tier: 'core' } }, 404, { error: 'not_found' }],
      ['POST', '/sim/apps/ghost/tier', { json: { tier: 'gold' } }, 400, { field: 'tier' }],
      ['POST', '/sim/consent', { json: { app: 'a', user: 7, tenants: ['t'] } }, 400, { field: 'user' }],
      ['POST', '/sim/consent', { json: { app: 'a', tenants: ['t'] } }, 400, { field: 'user' }],
      ['POST', '/sim/clock', { json: { at: 'noon' } }, 400, { field: 'at' }],
      ['GET', '/nowhere', {}, 404, { error: 'not_found' }],
      ['DELETE', '/sim/consent', {}, 405, { error: 'method_not_allowed' }],
      ['POST', '/sim/consent', { raw: 'x'.repeat(1024 * 1024 + 1) }, 413, { error: 'payload_too_large' }],
      ['GET', `/sim/state?${'q'.repeat(9000)}`, {}, 414, { error: 'uri_too_long' }],
      ['GET', '/connections', {}, 401, { error: 'invalid_token' }],
    ];
    for (const [method, path, init, status, body] of cases) {
      const answer = await sim.request(method, path, init);
      expect([method, path.slice(0, 40), answer.status]).toEqual([method, path.slice(0, 40), status]);
      expect(answer.body).toMatchObject(body);
      expect(Object.keys(answer.body as object).every((k) => ['error', 'message', 'field'].includes(k))).toBe(true);
      expect(answer.text).not.toMatch(/at .*\.ts:\d+/);
    }
    expect((await sim.request('DELETE', '/sim/consent')).headers.get('allow')).toBe('POST');
    expect((await sim.putApp('a')).status).toBe(201);
  });

  it('should refuse a host that is not loopback without an admin token, and require the token when given', async () => {
    await expect(serve({ port: 0, host: '0.0.0.0' })).rejects.toThrow(/not a loopback address/);
    const guarded = await serve({ port: 0, adminToken: 'sesame' });
    try {
      expect((await client(guarded.url).putApp('a')).status).toBe(401);
      expect((await client(guarded.url, 'sesame').putApp('a')).status).toBe(201);
      expect((await client(guarded.url, 'wrong').state()).body).toMatchObject({ error: 'unauthorized' });
    } finally {
      await guarded.close();
    }
  });
});
