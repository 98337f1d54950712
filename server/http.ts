/**
 * The simulator over HTTP (DESIGN.md, "Simulator: the HTTP contract"). Node's own `http` module,
 * no framework: the contract is a dozen routes, a dependency would add code to audit for nothing,
 * and owning the request loop gives full control over the limits (1 MiB bodies, 8 KiB URLs) and
 * over every error body, so that bad input is always one `{"error", "message", "field"?}` answer,
 * never a framework's HTML page or stack trace, and the server keeps serving.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../model/errors.ts';
import { duplicateTopLevelKey } from '../model/io/json-text.ts';
import {
  AUTHORIZE_PATH,
  CONNECTION_LIMIT_PATH,
  connectionLimitPage,
  consentPage,
  DISCOVERY_PATH,
  discovery,
  errorPage,
  Refusals,
  submitConsent,
} from './consent.ts';
import type { Model } from '../model/engine/step.ts';
import { type Reply, SimError, Simulator, type SimulatorOptions } from './simulator.ts';
import { openStore, type Store, type Sync } from './store.ts';

/** The largest request body taken. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The longest request target (path and query) taken. */
export const MAX_URL_BYTES = 8 * 1024;

/** A deliberately broken variant, for the tests that must catch it. */
export type Mutant = 'await-between-decide-and-commit' | 'commit-after-response';

export interface ServeOptions {
  port?: number | undefined;
  host?: string | undefined;
  /** The database file; without it, in memory. */
  db?: string | undefined;
  policy?: string | undefined;
  set?: readonly string[] | undefined;
  /** The Bearer token `/sim/` requires (required when `host` is not a loopback address). */
  adminToken?: string | undefined;
  /** `--sync`: `normal` (the default: an answered change survives a crash of the server) or `full` (a power cut too). */
  sync?: Sync | undefined;
  now?: () => number;
  mutant?: Mutant | undefined;
  /**
   * The simulator to serve, made from the store and the options (a deliberately broken variant in
   * the conformance tests, with `model` a broken model); `Simulator` itself by default.
   */
  simulator?: ((store: Store, options: SimulatorOptions) => Simulator) | undefined;
  model?: Model | undefined;
}

/** A running simulator. */
export interface Running {
  readonly url: string;
  readonly simulator: Simulator;
  /** Stop serving, then close the database. */
  close(): Promise<void>;
}

/** Whether a host name or address is loopback only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

type Handler = (sim: Simulator, req: Request) => Reply;

interface Request {
  /** The server's own URL, and the refusals its connection-limit page shows. */
  site: { url: string; refusals: Refusals };
  params: string[];
  body: unknown;
  form: URLSearchParams;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
  /** Whether a handler decides through the model (the broken variant's stale read goes there). */
  decides?: boolean;
  /** Whether the route is a page for a browser (errors then as an HTML page, unless JSON is asked for). */
  page?: boolean;
}

function basic(headers: IncomingMessage['headers']): { id: string; secret: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (m === null) return null;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function bearer(headers: IncomingMessage['headers']): string | null {
  return /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? null;
}

const SEGMENT = '([^/]+)';
const ROUTES: readonly Route[] = [
  { pattern: new RegExp(`^/sim/apps/${SEGMENT}$`), methods: { PUT: (s, r) => s.putApp(r.params[0] as string, r.body) } },
  { pattern: new RegExp(`^/sim/apps/${SEGMENT}/certify$`), methods: { POST: (s, r) => s.certify(r.params[0] as string, r.body) } },
  { pattern: new RegExp(`^/sim/apps/${SEGMENT}/tier$`), methods: { POST: (s, r) => s.tier(r.params[0] as string, r.body) } },
  { pattern: new RegExp(`^/sim/tenants/${SEGMENT}$`), methods: { PUT: (s, r) => s.putTenant(r.params[0] as string, r.body) } },
  { pattern: /^\/sim\/consent$/, methods: { POST: (s, r) => s.consent(r.body) }, decides: true },
  { pattern: /^\/sim\/clock$/, methods: { POST: (s, r) => s.setClock(r.body) } },
  { pattern: /^\/sim\/reset$/, methods: { POST: (s) => s.reset() } },
  { pattern: /^\/sim\/state$/, methods: { GET: (s) => s.state() } },
  { pattern: /^\/sim\/trace$/, methods: { GET: (s) => s.trace() } },
  { pattern: /^\/connect\/token$/, methods: { POST: (s, r) => s.token(s.client(basic(r.headers)), r.form) } },
  { pattern: /^\/connect\/revocation$/, methods: { POST: (s, r) => s.revoke(s.client(basic(r.headers)), r.form) } },
  { pattern: /^\/connections$/, methods: { GET: (s, r) => s.connections(s.bearer(bearer(r.headers)), r.query.get('authEventId')) } },
  {
    pattern: new RegExp(`^/connections/${SEGMENT}$`),
    methods: { DELETE: (s, r) => s.disconnect(s.bearer(bearer(r.headers)), r.params[0] as string) },
  },
  {
    pattern: new RegExp(`^${AUTHORIZE_PATH}$`),
    methods: { GET: (s, r) => consentPage(s, r.query), POST: (s, r) => submitConsent(s, r.site.refusals, r.form) },
    decides: true,
    page: true,
  },
  {
    pattern: new RegExp(`^${CONNECTION_LIMIT_PATH}$`),
    methods: { GET: (_, r) => connectionLimitPage(r.site.refusals, r.query) },
    page: true,
  },
  { pattern: new RegExp(`^${DISCOVERY_PATH.replaceAll('.', '\\.')}$`), methods: { GET: (_, r) => discovery(r.site.url) } },
];

/** Whether an error on this request is answered as an HTML page: a page route, asked by a browser. */
function wantsPage(req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0] as string;
  const route = ROUTES.find((r) => r.pattern.test(path));
  const accept = req.headers.accept ?? '';
  return route?.page === true && accept.includes('text/html');
}

/** The body, at most `MAX_BODY_BYTES` (past it: drained, then 413). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > MAX_BODY_BYTES) reject(new SimError(413, 'payload_too_large', `the body is over ${MAX_BODY_BYTES} bytes`));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once('error', reject);
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function jsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new SimError(400, 'invalid_request', 'the body is not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SimError(400, 'invalid_request', `malformed JSON: ${(error as Error).message.slice(0, 200)}`);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const twice = duplicateTopLevelKey(text);
    if (twice !== null) throw new SimError(400, 'invalid_request', 'given twice', twice.key);
  }
  return value;
}

/** The pages run no script and load nothing: the policy forbids both, as a second guard after escaping. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

function send(res: ServerResponse, reply: Reply): void {
  if (reply.location !== undefined) {
    res.writeHead(reply.status, { location: reply.location, 'content-length': 0, 'cache-control': 'no-store' });
    res.end();
    return;
  }
  if (reply.html !== undefined) {
    res.writeHead(reply.status, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(reply.html),
      'content-security-policy': PAGE_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(reply.html);
    return;
  }
  if (reply.ndjson !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'application/x-ndjson' });
    for (const line of reply.ndjson) res.write(line);
    res.end();
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, { 'content-length': 0 });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorReply(error: unknown): Reply {
  if (error instanceof SimError) {
    return {
      status: error.status,
      body: { error: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) },
    };
  }
  if (error instanceof InputError) {
    return {
      status: 400,
      body: { error: 'invalid_request', message: error.problem, ...(error.where.field === undefined ? {} : { field: error.where.field }) },
    };
  }
  // Not the request's fault: one line on standard error, a plain 500, and serving goes on.
  process.stderr.write(
    `xcm serve: internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`.slice(0, 400),
  );
  return {
    status: 500,
    body: { error: 'server_error', message: 'internal error (a bug: please report it with the request that caused it)' },
  };
}

function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function handle(
  sim: Simulator,
  options: ServeOptions,
  site: Request['site'],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Reply> {
  const target = req.url ?? '/';
  if (Buffer.byteLength(target) > MAX_URL_BYTES) throw new SimError(414, 'uri_too_long', `the URL is over ${MAX_URL_BYTES} bytes`);
  const url = new URL(target, 'http://simulator');
  const route = ROUTES.find((r) => r.pattern.test(url.pathname));
  if (route === undefined) throw new SimError(404, 'not_found', `no such endpoint ${JSON.stringify(url.pathname.slice(0, 100))}`);
  const method = req.method ?? 'GET';
  const handler = route.methods[method];
  if (handler === undefined) {
    res.setHeader('allow', Object.keys(route.methods).join(', '));
    throw new SimError(405, 'method_not_allowed', `${url.pathname} takes ${Object.keys(route.methods).join(', ')}, not ${method}`);
  }
  if (url.pathname.startsWith('/sim/') && options.adminToken !== undefined && !sameSecret(bearer(req.headers), options.adminToken))
    throw new SimError(401, 'unauthorized', '/sim/ needs the admin token (Authorization: Bearer ADMIN_TOKEN)');
  let params: string[];
  try {
    params = (route.pattern.exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
  } catch {
    throw new SimError(400, 'invalid_request', 'a path segment is not valid percent-encoded UTF-8');
  }
  const bytes = await readBody(req);
  const formed = url.pathname.startsWith('/connect/') || url.pathname.startsWith('/identity/');
  const form = formed ? new URLSearchParams(bytes.toString('utf8')) : new URLSearchParams();
  const body = url.pathname.startsWith('/sim/') ? jsonBody(bytes) : undefined;
  if (route.decides === true && options.mutant === 'await-between-decide-and-commit') {
    // The broken variant: read the state, yield to other requests, then decide from what was read.
    const restore = sim.staleRead();
    await sleep(10);
    restore();
  }
  // From here to the response: synchronous. The handler decides and commits before `send`.
  return handler(sim, { site, params, body, form, query: url.searchParams, headers: req.headers });
}

/** Start a simulator; resolves once it listens. */
export async function serve(options: ServeOptions = {}): Promise<Running> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.adminToken === undefined)
    throw new InputError(`${host} is not a loopback address: /sim/ would be open to the network; give --admin-token T`, {
      file: 'xcm',
      field: '--host',
    });
  const store = openStore(options.db ?? ':memory:', {
    commitLate: options.mutant === 'commit-after-response',
    sync: options.sync ?? 'normal',
  });
  let sim: Simulator;
  try {
    const made = {
      policy: options.policy,
      set: options.set,
      model: options.model,
      ...(options.now === undefined ? {} : { now: options.now }),
    };
    sim = options.simulator === undefined ? new Simulator(store, made) : options.simulator(store, made);
  } catch (error) {
    store.close();
    throw error;
  }
  const site = { url: '', refusals: new Refusals() };
  const server: Server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    handle(sim, options, site, req, res)
      .catch((error: unknown) => (wantsPage(req) ? errorPage(errorReply(error)) : errorReply(error)))
      // No answer before what it reports (and everything decided before it) is committed.
      .then((reply) => store.durable().then(() => reply, storeFailed))
      .then((reply) => send(res, reply))
      .catch(() => res.destroy());
  });
  /** A commit that failed (a full disk): nothing of its group was acknowledged; go on from what is stored. */
  const storeFailed = (error: unknown): Reply => {
    sim.rebuild();
    return errorReply(new SimError(503, 'unavailable', `the store could not commit (${(error as Error).message}); nothing was changed`));
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  site.url = `http://${shown}:${port}`;
  return {
    url: site.url,
    simulator: sim,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
