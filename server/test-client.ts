/**
 * A small client for the simulator's tests: JSON and form requests over real HTTP (global fetch).
 * Test support: not in the build.
 * @module
 */

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export function client(base: string, adminToken?: string) {
  async function request<T>(
    method: string,
    path: string,
    init: { json?: unknown; raw?: string; form?: Record<string, string>; auth?: string } = {},
  ) {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.raw !== undefined) {
      body = init.raw;
    } else if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const auth = init.auth ?? (path.startsWith('/sim/') && adminToken !== undefined ? `Bearer ${adminToken}` : undefined);
    if (auth !== undefined) headers.authorization = auth;
    const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').startsWith('application/json')) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, text, headers: response.headers } satisfies Answer<T>;
  }
  const basic = (app: { clientId: string; clientSecret: string }) =>
    `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
  return {
    request,
    basic,
    putApp: (name: string, json: unknown = {}) => request<AppObject>('PUT', `/sim/apps/${encodeURIComponent(name)}`, { json }),
    putTenant: (name: string, json: unknown = {}) =>
      request<{ tenantId: string }>('PUT', `/sim/tenants/${encodeURIComponent(name)}`, { json }),
    consent: (app: string, user: string, tenants: string[]) =>
      request<{ authEventId: string; outcomes: Record<string, string>; code: string | null }>('POST', '/sim/consent', {
        json: { app, user, tenants },
      }),
    clock: (at: string) => request('POST', '/sim/clock', { json: { at } }),
    state: () => request<SimState>('GET', '/sim/state'),
    trace: () => request<string>('GET', '/sim/trace'),
    exchange: (app: AppObject, code: string) =>
      request<Tokens>('POST', '/connect/token', { form: { grant_type: 'authorization_code', code }, auth: basic(app) }),
    connections: (accessToken: string, query = '') =>
      request<Array<{ id: string; authEventId: string; tenantId: string; tenantName: string; tenantType: string }>>(
        'GET',
        `/connections${query}`,
        {
          auth: `Bearer ${accessToken}`,
        },
      ),
  };
}

export interface AppObject {
  name: string;
  clientId: string;
  clientSecret: string;
  certified: boolean;
  tier: string | null;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
}

export interface SimState {
  clock: string;
  apps: AppObject[];
  tenants: Array<{ name: string; tenantId: string }>;
  connections: Array<{ id: string; app: string; tenant: string; user: string; authEventId: string }>;
}

/** The trace text as lines for `check`. */
export function traceLinesOf(text: string): Array<{ line: number; text: string }> {
  return text
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l) => l.text !== '');
}

/** A seeded generator (mulberry32), so a failure replays. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
