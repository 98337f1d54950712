/**
 * The adapter over HTTP: it speaks only the contract of DESIGN.md ("Simulator"), so it tests any
 * implementation of it, not only `xcm serve`. It plays the apps' clients: it keeps each app's
 * client credentials from `PUT /sim/apps`, exchanges every authorisation code a consent gives for
 * tokens, finds a connection's id with `GET /connections` before `DELETE /connections/{id}`, and
 * revokes with the refresh token. Every answer is checked against the contract's statuses and
 * shapes; one outside them is a {@link ContractError}.
 * @module
 */
import type { AppChanges } from '../model/platform/transitions.ts';
import type { TenantKind, Tier } from '../model/types.ts';
import {
  type Adapter,
  type AppView,
  type ConnectionView,
  type ConsentAnswer,
  ContractError,
  type Observation,
  type TenantView,
  type TokenView,
} from './adapter.ts';
import { type Answer, appView, isObject, refusal, tenantView } from './contract-shapes.ts';

interface Tokens {
  access: string;
  refresh: string;
}

/** Options of the HTTP adapter. */
export interface HttpAdapterOptions {
  /** The Bearer token `/sim/` requires, when the implementation asks for one. */
  adminToken?: string | undefined;
}

const key = (app: string, user: string) => `${app}\u0000${user}`;
const seg = encodeURIComponent;

/** The adapter of one implementation at `url`. */
export class HttpAdapter implements Adapter {
  private readonly base: string;
  private readonly credentials = new Map<string, { clientId: string; clientSecret: string }>();
  private readonly tenantIds = new Map<string, string>();
  private readonly tokens = new Map<string, Tokens>();

  constructor(
    url: string,
    private readonly options: HttpAdapterOptions = {},
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  /** One request; the network failing is a contract error too (the URL does not answer). */
  private async send(
    method: string,
    path: string,
    init: { json?: unknown; form?: Record<string, string>; auth?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const auth =
      init.auth ?? (path.startsWith('/sim/') && this.options.adminToken !== undefined ? `Bearer ${this.options.adminToken}` : undefined);
    if (auth !== undefined) headers.authorization = auth;
    const request = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ContractError(`no answer from ${this.base} (${cause?.code ?? cause?.message ?? (error as Error).message})`, request);
    }
    const text = await response.text();
    if (text === '') return { status: response.status, body: undefined };
    if (!(response.headers.get('content-type') ?? '').includes('json')) return { status: response.status, body: text };
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      throw new ContractError(`answered ${response.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`, request);
    }
  }

  /** The answer, or a contract error when its status is not one of `allowed`. */
  private async expect(
    allowed: readonly number[],
    method: string,
    path: string,
    init?: Parameters<HttpAdapter['send']>[2],
  ): Promise<Answer> {
    const answer = await this.send(method, path, init);
    if (!allowed.includes(answer.status)) {
      const said = isObject(answer.body) && typeof answer.body.message === 'string' ? `: ${answer.body.message.slice(0, 200)}` : '';
      throw new ContractError(`answered ${answer.status}, expected ${allowed.join(' or ')}${said}`, `${method} ${path}`);
    }
    return answer;
  }

  private basic(app: string): string {
    const c = this.credentials.get(app);
    if (c === undefined)
      throw new ContractError(`no client credentials for app ${JSON.stringify(app)} (PUT /sim/apps gave none)`, 'PUT /sim/apps');
    return `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
  }

  async reset(): Promise<void> {
    await this.expect([204], 'POST', '/sim/reset');
    this.credentials.clear();
    this.tenantIds.clear();
    this.tokens.clear();
  }

  async clock(at: string): Promise<void> {
    await this.expect([200], 'POST', '/sim/clock', { json: { at } });
  }

  async app(name: string, changes: AppChanges): Promise<string> {
    const path = `/sim/apps/${seg(name)}`;
    const answer = await this.expect([200, 201, 409], 'PUT', path, { json: changes });
    if (answer.status === 409) return refusal(answer, `PUT ${path}`);
    const body = appView(answer.body, `PUT ${path}`);
    this.credentials.set(name, { clientId: body.clientId, clientSecret: body.clientSecret });
    return 'ok';
  }

  async tenant(name: string, kind: TenantKind): Promise<string> {
    const path = `/sim/tenants/${seg(name)}`;
    const answer = await this.expect([200, 201], 'PUT', path, { json: { kind } });
    this.tenantIds.set(name, tenantView(answer.body, `PUT ${path}`).tenantId);
    return 'ok';
  }

  async connect(app: string, user: string, tenants: readonly string[]): Promise<ConsentAnswer> {
    const request = 'POST /sim/consent';
    const answer = await this.expect([200], 'POST', '/sim/consent', { json: { app, user, tenants } });
    const body = answer.body;
    if (
      !isObject(body) ||
      !isObject(body.outcomes) ||
      typeof body.authEventId !== 'string' ||
      !(body.code === null || typeof body.code === 'string')
    )
      throw new ContractError(`expected {authEventId, outcomes, code}, got ${JSON.stringify(body)?.slice(0, 200)}`, request);
    const outcomes: Record<string, string> = {};
    for (const t of tenants) {
      const outcome = body.outcomes[t];
      if (typeof outcome !== 'string') throw new ContractError(`no outcome for tenant ${JSON.stringify(t)}`, request);
      outcomes[t] = outcome;
    }
    if (typeof body.code === 'string') {
      const exchanged = await this.expect([200], 'POST', '/connect/token', {
        form: { grant_type: 'authorization_code', code: body.code },
        auth: this.basic(app),
      });
      const t = exchanged.body;
      if (!isObject(t) || typeof t.access_token !== 'string' || typeof t.refresh_token !== 'string')
        throw new ContractError(
          `expected {access_token, refresh_token, ...}, got ${JSON.stringify(t)?.slice(0, 200)}`,
          'POST /connect/token',
        );
      this.tokens.set(key(app, user), { access: t.access_token, refresh: t.refresh_token });
    }
    return { authEventId: body.code === null ? null : body.authEventId, outcomes };
  }

  /** `GET /connections` with a user's token of an app: the list, or null when the token is refused (401). */
  private async list(tokens: Tokens): Promise<TokenView['connections']> {
    const answer = await this.expect([200, 401], 'GET', '/connections', { auth: `Bearer ${tokens.access}` });
    if (answer.status === 401) return null;
    if (!Array.isArray(answer.body))
      throw new ContractError(`expected an array, got ${JSON.stringify(answer.body)?.slice(0, 200)}`, 'GET /connections');
    return answer.body.map((c) => {
      if (!isObject(c) || typeof c.id !== 'string' || typeof c.authEventId !== 'string' || typeof c.tenantId !== 'string')
        throw new ContractError(`expected {id, authEventId, tenantId, ...}, got ${JSON.stringify(c)?.slice(0, 200)}`, 'GET /connections');
      return {
        id: c.id,
        authEventId: c.authEventId,
        tenantId: c.tenantId,
        tenantName: String(c.tenantName),
        tenantType: String(c.tenantType),
      };
    });
  }

  async disconnect(app: string, user: string, tenant: string): Promise<string> {
    const tokens = this.tokens.get(key(app, user));
    const tenantId = this.tenantIds.get(tenant);
    if (tokens === undefined || tenantId === undefined) return 'not-connected';
    const found = (await this.list(tokens))?.find((c) => c.tenantId === tenantId);
    if (found === undefined) return 'not-connected';
    const answer = await this.expect([204, 404], 'DELETE', `/connections/${seg(found.id)}`, { auth: `Bearer ${tokens.access}` });
    return answer.status === 204 ? 'disconnected' : 'not-connected';
  }

  async revoke(app: string, user: string): Promise<string> {
    const tokens = this.tokens.get(key(app, user));
    // Without a token there is nothing a client could revoke: nothing is held.
    if (tokens === undefined) return 'revoked';
    await this.expect([200], 'POST', '/connect/revocation', { form: { token: tokens.refresh }, auth: this.basic(app) });
    this.tokens.delete(key(app, user));
    return 'revoked';
  }

  async certify(app: string): Promise<string> {
    const path = `/sim/apps/${seg(app)}/certify`;
    const answer = await this.expect([200, 409], 'POST', path);
    return answer.status === 409 ? refusal(answer, `POST ${path}`) : 'ok';
  }

  async tier(app: string, tier: Tier): Promise<string> {
    const path = `/sim/apps/${seg(app)}/tier`;
    const answer = await this.expect([200, 409], 'POST', path, { json: { tier } });
    return answer.status === 409 ? refusal(answer, `POST ${path}`) : 'ok';
  }

  async observe(): Promise<Observation> {
    const request = 'GET /sim/state';
    const { body } = await this.expect([200], 'GET', '/sim/state');
    if (!isObject(body) || !Array.isArray(body.apps) || !Array.isArray(body.tenants) || !Array.isArray(body.connections))
      throw new ContractError(`expected {clock, apps, tenants, connections}, got ${JSON.stringify(body)?.slice(0, 200)}`, request);
    const apps: AppView[] = body.apps.map((a) => appView(a, request));
    const tenants: TenantView[] = body.tenants.map((t) => tenantView(t, request));
    const connections: ConnectionView[] = body.connections.map((c) => {
      if (!isObject(c) || !['id', 'app', 'tenant', 'user', 'authEventId'].every((k) => typeof c[k] === 'string'))
        throw new ContractError(
          `expected a connection {id, app, tenant, user, authEventId, ...}, got ${JSON.stringify(c)?.slice(0, 200)}`,
          request,
        );
      return {
        id: c.id as string,
        app: c.app as string,
        tenant: c.tenant as string,
        user: c.user as string,
        authEventId: c.authEventId as string,
      };
    });
    const views: TokenView[] = [];
    for (const [k, tokens] of this.tokens) {
      const [app = '', user = ''] = k.split('\u0000');
      views.push({ app, user, connections: await this.list(tokens) });
    }
    return { apps, tenants, connections, views };
  }
}

/** The adapter of the implementation at `url` (`xcm serve`'s, or any other speaking its contract). */
export function httpAdapter(url: string, options: HttpAdapterOptions = {}): Adapter {
  return new HttpAdapter(url, options);
}
