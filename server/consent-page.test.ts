/**
 * The consent screen in a real browser: Debian's `chromium`, driven by playwright-core (no browser
 * download). CI installs chromium (`.ci/run`); without it these tests fail, they do not skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scenarioHeader } from '../model/io/trace.ts';
import { checkFile } from '../model/oracle/oracle.ts';
import { type Running, serve } from './http.ts';
import { type AppObject, client } from './test-client.ts';

const TMP = mkdtempSync(join(tmpdir(), 'xcm-consent-'));
const ORG_LIMIT = 'This organisation is already connected to the maximum number of allowed uncertified apps.';
const APP_CAP = 'This app has reached its limit of connected organisations.';
const SCRIPT_NAME = '<script>window.pwned = 1</script><b>bold</b>';

/** The system's Chromium, or a failure that says how to install it. */
function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'chromium is not installed: the consent page test needs Debian\'s chromium package (apt-get install -y chromium; .ci/run installs it). Do not run "npx playwright install".',
    );
  }
}

let browser: Browser | undefined;
/** Why there is no browser: each test that needs one fails with it (a missing chromium is a failure, never a skip). */
let noBrowser: unknown;
/** The app's redirect target: another server, which records the URLs it was sent to. */
let target: Server;
let targetUrl: string;
const arrived: string[] = [];

beforeAll(async () => {
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  } catch (error) {
    noBrowser = error;
  }
  target = createServer((req, res) => {
    arrived.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>my app</title><p id="signed-in">back in the app</p>');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const address = target.address();
  targetUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (target === undefined ? resolve() : target.close(() => resolve())));
  rmSync(TMP, { recursive: true, force: true });
});

let running: Running;
let sim: ReturnType<typeof client>;
let app: AppObject;
let page: Page | undefined;

/** A new page in Chromium, or the reason there is none. */
async function openPage(): Promise<Page> {
  if (browser === undefined) throw noBrowser;
  page = await browser.newPage();
  return page;
}

/**
 * An uncertified app allowed 2 organisations (`--set appCap=2`, in 2024), holding `held` through
 * carol; the organisation `full` holds two other uncertified apps (its limit); `open`, `spare` and
 * one named with markup are free.
 */
beforeEach(async () => {
  running = await serve({ port: 0, set: ['appCap=2'] });
  sim = client(running.url);
  await sim.clock('2024-05-01T09:00:00+12:00');
  app = (await sim.putApp('my-app')).body;
  for (const other of ['other-1', 'other-2']) await sim.putApp(other);
  for (const t of ['held', 'full', 'open', 'spare', SCRIPT_NAME]) await sim.putTenant(t);
  for (const other of ['other-1', 'other-2']) expect((await sim.consent(other, 'zoe', ['full'])).body.outcomes.full).toBe('connected');
  expect((await sim.consent('my-app', 'carol', ['held'])).body.outcomes.held).toBe('connected');
  page = undefined;
  arrived.length = 0;
});

afterEach(async () => {
  await page?.close();
  await running?.close();
});

function authorizeUrl(params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: `${targetUrl}/callback`,
    scope: 'openid offline_access accounting.transactions',
    state: 'st-42',
    ...params,
  });
  return `${running.url}/identity/connect/authorize?${query}`;
}

/** The checkbox of one organisation, found by its label's name. */
const box = (page: Page, name: string) =>
  page
    .locator('label.org')
    .filter({ has: page.locator('.name', { hasText: name }) })
    .locator('input');
const reasonOf = (page: Page, name: string) =>
  page
    .locator('label.org')
    .filter({ has: page.locator('.name', { hasText: name }) })
    .locator('.reason');

async function traceHolds(): Promise<boolean> {
  const file = join(TMP, `trace-${Math.random()}.jsonl`);
  const text = (await sim.trace()).text;
  writeFileSync(file, text);
  // The library's checkFile takes the policy as given: pin the trace header's --set, as xcm check does.
  const header = scenarioHeader(text.split('\n')[0] as string, file);
  expect(header?.set).toEqual(['appCap=2']);
  return (await checkFile(file, { set: header?.set ?? [] })).ok;
}

describe('the consent page in Chromium', () => {
  it("should disable the organisation the model refuses, with the platform's words, and connect the one chosen", async () => {
    const page = await openPage();
    await page.goto(authorizeUrl());
    await expect(box(page, 'full').isDisabled()).resolves.toBe(true);
    await expect(reasonOf(page, 'full').textContent()).resolves.toBe(ORG_LIMIT);
    expect(await reasonOf(page, 'full').isVisible()).toBe(true);
    for (const free of ['open', 'spare', 'held']) await expect(box(page, free).isDisabled()).resolves.toBe(false);
    // The model's explanation is on the page too.
    await expect(page.locator('label.org.refused .detail').textContent()).resolves.toContain('one uncertified app too many on full');

    await page.fill('#user', 'alice');
    await box(page, 'open').check();
    await Promise.all([page.waitForURL(`${targetUrl}/callback?**`), page.click('#allow')]);
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe('st-42');
    const code = back.searchParams.get('code') as string;
    expect(code).toMatch(/^[\w-]{20,}$/);
    expect(arrived.filter((u) => u.startsWith('/callback'))).toEqual([`/callback?${back.searchParams}`]);
    await expect(page.locator('#signed-in').textContent()).resolves.toBe('back in the app');

    const tokens = await sim.exchange(app, code);
    expect(tokens.status).toBe(200);
    const connections = await sim.connections(tokens.body.access_token);
    expect(connections.body.map((c) => c.tenantName)).toEqual(['open']);
    // One consent, the same operation as POST /sim/consent, in the trace.
    expect((await sim.trace()).text).toContain('{"type":"connect","app":"my-app","user":"alice","tenant":"open"');
    expect(await traceHolds()).toBe(true);

    // Now at its cap: a new organisation is refused by the app's cap; one it already holds is not.
    await page.goto(authorizeUrl());
    await expect(box(page, 'spare').isDisabled()).resolves.toBe(true);
    await expect(reasonOf(page, 'spare').textContent()).resolves.toBe(APP_CAP);
    await expect(box(page, 'held').isDisabled()).resolves.toBe(false);
  });

  it('should send the user to the connection-limit page when every chosen organisation is refused', async () => {
    const page = await openPage();
    await page.goto(authorizeUrl());
    await expect(box(page, 'spare').isDisabled()).resolves.toBe(false);
    // Meanwhile another user fills the app's last slot: the page the user sees is out of date.
    expect((await sim.consent('my-app', 'dave', ['open'])).body.outcomes.open).toBe('connected');
    await page.fill('#user', 'erin');
    await box(page, 'spare').check();
    await Promise.all([page.waitForURL(`${running.url}/connectionLimit?**`), page.click('#allow')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Connection limit reached');
    await expect(page.locator('li .reason').textContent()).resolves.toBe(APP_CAP);
    await expect(page.locator('li .detail').textContent()).resolves.toContain('spare would be a new tenant past the cap');
    expect(arrived.filter((u) => u.startsWith('/callback'))).toEqual([]);
    const backLink = new URL((await page.locator('#back').getAttribute('href')) as string);
    expect(Object.fromEntries(backLink.searchParams)).toEqual({ error: 'access_denied', state: 'st-42' });
    expect((await sim.state()).body.connections.map((c) => `${c.tenant}/${c.user}`)).toEqual([
      'full/zoe',
      'full/zoe',
      'held/carol',
      'open/dave',
    ]);
    expect((await sim.trace()).text).toMatch(
      /\{"type":"connect","app":"my-app","user":"erin","tenant":"spare",[^\n]*"observed":"rejected:app-limit"\}/,
    );
    expect(await traceHolds()).toBe(true);
  });

  it('should show names as text: markup in a tenant name neither runs nor renders', async () => {
    const page = await openPage();
    await page.goto(authorizeUrl({ login_hint: '"><b>x</b>' }));
    await expect(page.locator('.name', { hasText: 'window.pwned' }).textContent()).resolves.toBe(SCRIPT_NAME);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await expect(page.inputValue('#user')).resolves.toBe('"><b>x</b>');
    await box(page, 'window.pwned').check();
    await Promise.all([page.waitForURL(`${targetUrl}/callback?**`), page.click('#allow')]);
    const tokens = await sim.exchange(app, new URL(page.url()).searchParams.get('code') as string);
    expect((await sim.connections(tokens.body.access_token)).body.map((c) => c.tenantName)).toEqual([SCRIPT_NAME]);
  });
});

describe('the authorisation request and discovery', () => {
  it('should answer a bad authorisation request with 400 naming the field, as JSON or as a page', async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ client_id: 'nope' }, 'invalid_client', 'client_id'],
      [{ client_id: '' }, 'invalid_request', 'client_id'],
      [{ redirect_uri: '' }, 'invalid_request', 'redirect_uri'],
      [{ redirect_uri: '/relative' }, 'invalid_request', 'redirect_uri'],
      [{ redirect_uri: 'javascript:alert(1)' }, 'invalid_request', 'redirect_uri'],
      [{ response_type: 'token' }, 'unsupported_response_type', 'response_type'],
    ];
    for (const [params, error, field] of cases) {
      const url = authorizeUrl(params);
      const json = await fetch(url);
      expect([params, json.status, await json.json()]).toEqual([params, 400, expect.objectContaining({ error, field })]);
      const html = await fetch(url, { headers: { accept: 'text/html' } });
      expect(html.status).toBe(400);
      expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await html.text()).toContain(`<code class="field">${field}</code>`);
    }
    const missing = await fetch(authorizeUrl().replace(/&redirect_uri=[^&]*/, ''));
    expect(await missing.json()).toMatchObject({ error: 'invalid_request', message: 'missing', field: 'redirect_uri' });
    const post = (form: Record<string, string>) =>
      fetch(`${running.url}/identity/connect/authorize`, {
        method: 'POST',
        body: new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: `${targetUrl}/cb`, ...form }),
        redirect: 'manual',
      });
    expect(await (await post({ tenant: 'open' })).json()).toMatchObject({ field: 'user' });
    expect(await (await post({ user: 'alice' })).json()).toMatchObject({ field: 'tenants' });
    expect((await (await post({ user: 'alice', tenant: 'ghost' })).json()) as object).toMatchObject({
      error: 'not_found',
      field: 'tenants',
    });
    const ok = await post({ user: 'alice', tenant: 'open' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toMatch(new RegExp(`^${targetUrl}/cb\\?code=[\\w-]+$`));
    expect((await fetch(`${running.url}/connectionLimit?id=nope`)).status).toBe(404);
  });

  it('should name the endpoints at /.well-known/openid-configuration, and they work', async () => {
    const answer = await fetch(`${running.url}/.well-known/openid-configuration`);
    expect(answer.status).toBe(200);
    const config = (await answer.json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      issuer: running.url,
      authorization_endpoint: `${running.url}/identity/connect/authorize`,
      token_endpoint: `${running.url}/connect/token`,
      revocation_endpoint: `${running.url}/connect/revocation`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    });
    const consent = await fetch(`${config.authorization_endpoint}?${new URL(authorizeUrl()).searchParams}`);
    expect(consent.status).toBe(200);
    expect(consent.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
