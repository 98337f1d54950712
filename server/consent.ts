/**
 * The consent screen of `xcm serve`, for a browser-driven test of a real app: the authorisation
 * code flow's `GET /identity/connect/authorize` shows a page where the user gives a name and picks
 * organisations; submitting it is one consent, the same operation as `POST /sim/consent` (decided
 * by the model, recorded in the trace), then a redirect to the app's `redirect_uri` with `code` and
 * `state`, or, when no chosen organisation was connected, to the simulator's own connection-limit
 * page (Xero's is `authorize.xero.com/connectionLimit`, RULES.md section 1).
 *
 * Which organisations the page shows refused, and why, is the model's answer
 * (`Simulator.wouldConsent`: each decided on a throwaway copy of the state); this file only words
 * the model's rule as the platform's screen does and escapes everything it writes.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { RuleName } from '../model/oracle/explain.ts';
import { type Reply, SCOPE, SimError, type Simulator, type Verdict } from './simulator.ts';

export const AUTHORIZE_PATH = '/identity/connect/authorize';
export const CONNECTION_LIMIT_PATH = '/connectionLimit';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/**
 * The platform's words for a refusal, by the model's rule. The organisation's limit: the consent
 * screen's message as a user quotes it in thread 110074711 (RULES.md, open question 1: a user's
 * quotation, not Xero's documentation). The app's cap: no source quotes the screen; a user of the
 * same thread says the option "was disabled advising I had reached the limit of connections", and
 * at the cap Xero sends the user to its connectionLimit page: these words are ours.
 */
export function refusalWords(rule: RuleName): string {
  switch (rule) {
    case 'org-limit':
      return 'This organisation is already connected to the maximum number of allowed uncertified apps.';
    case 'app-cap':
      return 'This app has reached its limit of connected organisations.';
    default:
      return 'This organisation cannot be connected.';
  }
}

const refused = (v: Verdict) => v.outcome.startsWith('rejected:');

/** Text as HTML: every character that could open markup or end an attribute, escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1a1a1a}
main{max-width:36rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}fieldset{border:1px solid #ccd;border-radius:6px;padding:.5rem 1rem}
.org{display:block;padding:.4rem 0}.org.refused{color:#777}.reason{display:block;color:#a11;font-size:.9rem;margin-left:1.6rem}
.detail{display:block;color:#555;font-size:.8rem;margin-left:1.6rem}.kind{color:#555;font-size:.85rem}
input[type=text]{font:inherit;padding:.3rem;width:100%;box-sizing:border-box}button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem}
.note{color:#555;font-size:.8rem}.error{color:#a11}`;

/** A whole HTML document: no script, no external asset, one inline stylesheet. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body></html>
`;
}

/** An HTML answer; the page runs no script and loads nothing (the policy says so too). */
function html(status: number, text: string): Reply {
  return { status, html: text };
}

/** An error answer as an HTML page, for a browser: the same status, code, message and field. */
export function errorPage(reply: Reply): Reply {
  const body = (reply.body ?? {}) as { error?: string; message?: string; field?: string };
  const field = body.field === undefined ? '' : `<p>Field: <code class="field">${escapeHtml(body.field)}</code></p>`;
  return html(
    reply.status,
    page(
      `Error: ${body.error ?? reply.status}`,
      `<h1>${escapeHtml(body.error ?? 'error')}</h1><p class="error">${escapeHtml(body.message ?? '')}</p>${field}`,
    ),
  );
}

/** The authorisation request: the app and where to send the user back. */
export interface AuthorizeRequest {
  app: string;
  clientId: string;
  redirectUri: string;
  scope: string | null;
  state: string | null;
  loginHint: string | null;
}

/** One parameter, at most once. */
function single(params: URLSearchParams, field: string): string | null {
  const all = params.getAll(field);
  if (all.length > 1) throw new SimError(400, 'invalid_request', 'given twice', field);
  return all[0] ?? null;
}

/** The authorisation request in a query (the page) or a form (its submission), checked: else a 400 naming the field. */
export function authorizeRequest(sim: Simulator, params: URLSearchParams): AuthorizeRequest {
  const clientId = single(params, 'client_id');
  if (clientId === null || clientId === '') throw new SimError(400, 'invalid_request', 'missing', 'client_id');
  const app = sim.appOfClientId(clientId);
  if (app === null)
    throw new SimError(400, 'invalid_client', 'no app has this client id (PUT /sim/apps/{name} answers with its clientId)', 'client_id');
  const redirectUri = single(params, 'redirect_uri');
  if (redirectUri === null || redirectUri === '') throw new SimError(400, 'invalid_request', 'missing', 'redirect_uri');
  let target: URL | null = null;
  try {
    target = new URL(redirectUri);
  } catch {
    target = null;
  }
  if (target === null || (target.protocol !== 'http:' && target.protocol !== 'https:') || target.hash !== '')
    throw new SimError(400, 'invalid_request', 'expected an absolute http or https URL without a fragment', 'redirect_uri');
  const responseType = single(params, 'response_type');
  if (responseType === null) throw new SimError(400, 'invalid_request', 'missing', 'response_type');
  if (responseType !== 'code')
    throw new SimError(
      400,
      'unsupported_response_type',
      `expected response_type=code (the authorisation code flow), got ${JSON.stringify(responseType.slice(0, 100))}`,
      'response_type',
    );
  return {
    app,
    clientId,
    redirectUri,
    scope: single(params, 'scope'),
    state: single(params, 'state'),
    loginHint: single(params, 'login_hint'),
  };
}

const hidden = (name: string, value: string | null) =>
  value === null ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/**
 * `GET /identity/connect/authorize`: the consent page. Each organisation is shown as the model
 * would decide a consent of it alone, now, by the user `login_hint` names (else by a user who holds
 * no connection yet): refused ones disabled, with the platform's words and the model's explanation.
 */
export function consentPage(sim: Simulator, query: URLSearchParams): Reply {
  const request = authorizeRequest(sim, query);
  const tenants = sim.tenantNames();
  const asUser = request.loginHint ?? `new-user-${randomBytes(6).toString('hex')}`;
  const verdicts = sim.wouldConsent(request.app, asUser, tenants);
  const rows = verdicts.map((v, i) => {
    const kind = (sim.tenantObject(v.tenant) as { kind: string } | null)?.kind ?? 'organisation';
    const kindText = kind === 'organisation' ? '' : ` <span class="kind">(${escapeHtml(kind)})</span>`;
    const id = `tenant-${i}`;
    if (refused(v))
      return `<label class="org refused" for="${id}"><input type="checkbox" id="${id}" name="tenant" value="${escapeHtml(v.tenant)}" disabled aria-describedby="${id}-why"> <span class="name">${escapeHtml(v.tenant)}</span>${kindText}
<span class="reason" id="${id}-why" data-rule="${escapeHtml(v.rule)}">${escapeHtml(refusalWords(v.rule))}</span><span class="detail">${escapeHtml(v.text)}</span></label>`;
    const already = v.outcome === 'reconnected' ? ' <span class="kind">(already connected)</span>' : '';
    return `<label class="org" for="${id}"><input type="checkbox" id="${id}" name="tenant" value="${escapeHtml(v.tenant)}"> <span class="name">${escapeHtml(v.tenant)}</span>${kindText}${already}</label>`;
  });
  const app = escapeHtml(request.app);
  const list = rows.length === 0 ? '<p class="error">No organisations yet: PUT /sim/tenants/{name} first.</p>' : rows.join('\n');
  const scope = request.scope === null ? '' : `<p class="note">Asks for: <code>${escapeHtml(request.scope)}</code></p>`;
  return html(
    200,
    page(
      `${request.app} wants to connect to your organisations`,
      `<h1><span class="app">${app}</span> wants to connect to your organisations</h1>
${scope}
<form method="post" action="${AUTHORIZE_PATH}">
${hidden('response_type', 'code')}${hidden('client_id', request.clientId)}${hidden('redirect_uri', request.redirectUri)}${hidden('scope', request.scope)}${hidden('state', request.state)}
<p><label for="user">Your name (the user who consents)</label><br><input type="text" id="user" name="user" required value="${escapeHtml(request.loginHint ?? '')}"></p>
<fieldset><legend>Organisations to connect</legend>
${list}
</fieldset>
<button type="submit" id="allow">Allow access</button>
</form>
<p class="note">Simulated by xcm serve: which organisations the limits refuse, and why, is the model's decision of a consent of that organisation alone by ${escapeHtml(request.loginHint === null ? 'a user with no connection yet' : request.loginHint)}; choosing several decides them in order, so a later one may still be refused.</p>`,
    ),
  );
}

/** The refusals shown on the connection-limit page, by a random id; the latest 256, in memory. */
export class Refusals {
  private readonly byId = new Map<string, { app: string; request: AuthorizeRequest; verdicts: Verdict[] }>();

  remember(entry: { app: string; request: AuthorizeRequest; verdicts: Verdict[] }): string {
    const id = randomBytes(12).toString('base64url');
    this.byId.set(id, entry);
    if (this.byId.size > 256) this.byId.delete(this.byId.keys().next().value as string);
    return id;
  }

  get(id: string) {
    return this.byId.get(id);
  }
}

/** `redirect_uri` with these parameters added. */
function back(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * `POST /identity/connect/authorize` (the page's form): one consent by `sim.consentExplained`, the
 * code path of `POST /sim/consent`; then 302 to `redirect_uri?code=&state=`, or to the
 * connection-limit page when no organisation was connected or reconnected.
 */
export function submitConsent(sim: Simulator, refusals: Refusals, form: URLSearchParams): Reply {
  const request = authorizeRequest(sim, form);
  const user = single(form, 'user');
  if (user === null || user.trim() === '') throw new SimError(400, 'invalid_request', 'missing: give a name', 'user');
  const tenants = form.getAll('tenant');
  if (tenants.length === 0) throw new SimError(400, 'invalid_request', 'choose at least one organisation', 'tenants');
  const { reply, verdicts } = sim.consentExplained({ app: request.app, user, tenants });
  const code = (reply.body as { code: string | null }).code;
  if (code !== null) return { status: 302, location: back(request.redirectUri, { code, state: request.state }) };
  const id = refusals.remember({ app: request.app, request, verdicts });
  return { status: 302, location: `${CONNECTION_LIMIT_PATH}?id=${id}` };
}

/** `GET /connectionLimit?id=`: why no chosen organisation was connected, in the platform's words and the model's. */
export function connectionLimitPage(refusals: Refusals, query: URLSearchParams): Reply {
  const id = single(query, 'id');
  const entry = id === null ? undefined : refusals.get(id);
  if (entry === undefined)
    throw new SimError(404, 'not_found', 'no such refusal (the latest 256 are kept, in memory, until the server stops)', 'id');
  const rows = entry.verdicts
    .map(
      (v) =>
        `<li><span class="name">${escapeHtml(v.tenant)}</span>: <span class="reason" data-rule="${escapeHtml(v.rule)}">${escapeHtml(refused(v) ? refusalWords(v.rule) : v.outcome)}</span><span class="detail">${escapeHtml(v.text)}</span></li>`,
    )
    .join('\n');
  const denied = back(entry.request.redirectUri, { error: 'access_denied', state: entry.request.state });
  return html(
    200,
    page(
      'Connection limit reached',
      `<h1>Connection limit reached</h1>
<p><span class="app">${escapeHtml(entry.app)}</span> could not be connected to the organisations chosen.</p>
<ul>
${rows}
</ul>
<p><a id="back" href="${escapeHtml(denied)}">Back to ${escapeHtml(entry.app)}</a></p>`,
    ),
  );
}

/** `GET /.well-known/openid-configuration`: where a standard client finds the endpoints. */
export function discovery(base: string): Reply {
  return {
    status: 200,
    body: {
      issuer: base,
      authorization_endpoint: `${base}${AUTHORIZE_PATH}`,
      token_endpoint: `${base}/connect/token`,
      revocation_endpoint: `${base}/connect/revocation`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic'],
      scopes_supported: SCOPE.split(' '),
      subject_types_supported: ['public'],
    },
  };
}
