import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../io/files.ts';
import { scenarioHeader, traceLines } from '../io/trace.ts';
import { scenarioFiles } from '../../scenarios/replay.ts';
import type { TraceEvent } from '../types.ts';
import { run } from './oracle.ts';
import { status, type StatusOptions } from './status.ts';

const lines = (events: TraceEvent[]) => events.map((event, i) => ({ line: i + 1, event }));

/** A scenario's lines and the policy its header pins. */
function scenario(name: string): { lines: ReturnType<typeof traceLines>; options: StatusOptions } {
  const file = packagePath('scenarios', name);
  const text = readFileSync(file, 'utf8');
  const header = scenarioHeader(text);
  return { lines: traceLines(file, text), options: { policy: header?.policy, set: header?.set ?? [] } };
}

async function statusOf(name: string, extra: StatusOptions = {}) {
  const { lines: l, options } = scenario(name);
  return status(l, { ...options, ...extra });
}

const uncertified = { certified: false, tier: null, custom: false, auth: 'oauth2' } as const;
const organisation = (tenant: string, apps: string[], slotsFree: number) => ({
  tenant,
  kind: 'organisation',
  apps,
  slotApps: apps,
  slotsUsed: apps.length,
  slotsFree,
});

describe('status on the scenarios', () => {
  it('should give the SaaS app of 2024 its 25 of 25, no headroom, and the refused 26th customer no app', async () => {
    const result = await statusOf('saas-app-reaches-25-2024.jsonl');
    expect(result.policy).toBe('xero-oauth2-2019');
    expect(result.at).toBe('2024-07-16T14:00:00+12:00');
    expect(result.line).toBe(28);
    expect(result.apps).toEqual([{ app: 'invoice-sync', ...uncertified, held: 25, cap: 25, headroom: 0, users: ['user'] }]);
    expect(result.tenants).toHaveLength(26);
    expect(result.tenants[0]).toEqual(organisation('acme-ltd', ['invoice-sync'], 1));
    expect(result.tenants[25]).toEqual(organisation('wellington-coffee', [], 2));
  });

  it('should give the five websites two slots used on the organisation, and the OAuth 1.0a apps no cap', async () => {
    const result = await statusOf('five-websites-one-organisation.jsonl');
    expect(result).toEqual({
      policy: 'xero-oauth2-2019',
      at: '2020-02-20T10:00:00+13:00',
      apps: [
        { app: 'woo-oauth1-a', ...uncertified, auth: 'oauth1', held: 0, cap: null, headroom: null, users: [] },
        { app: 'woo-oauth1-b', ...uncertified, auth: 'oauth1', held: 0, cap: null, headroom: null, users: [] },
        { app: 'site-1', ...uncertified, held: 0, cap: 25, headroom: 25, users: [] },
        { app: 'site-2', ...uncertified, held: 1, cap: 25, headroom: 24, users: ['user'] },
        { app: 'site-3', ...uncertified, held: 1, cap: 25, headroom: 24, users: ['user'] },
        { app: 'site-4', ...uncertified, held: 0, cap: 25, headroom: 25, users: [] },
        { app: 'site-5', ...uncertified, held: 0, cap: 25, headroom: 25, users: [] },
      ],
      tenants: [organisation('olis-org', ['site-2', 'site-3'], 0)],
      line: 22,
      events: 21,
      appsUnder: [],
    });
  });

  it('should count the practices toward the accountant app and give the Nelson practice no free slot', async () => {
    const result = await statusOf('accountant-several-practices.jsonl');
    expect(result.apps).toEqual([
      { app: 'practice-insights', ...uncertified, held: 25, cap: 25, headroom: 0, users: ['jo'] },
      { app: 'receipt-scan', ...uncertified, held: 1, cap: 25, headroom: 24, users: ['jo'] },
      { app: 'payroll-bridge', ...uncertified, held: 1, cap: 25, headroom: 24, users: ['jo'] },
    ]);
    const practices = result.tenants.filter((t) => t.kind === 'practice');
    expect(practices.map((t) => [t.tenant, t.slotApps, t.slotsUsed, t.slotsFree])).toEqual([
      ['hopkins-accounting', ['practice-insights'], 1, 1],
      ['hopkins-accounting-nelson', ['receipt-scan', 'payroll-bridge'], 2, 0],
      ['hopkins-accounting-tauranga', ['practice-insights'], 1, 1],
      ['hopkins-payroll-services', ['practice-insights'], 1, 1],
      ['hopkins-tax-advisory', ['practice-insights'], 1, 1],
      ['hopkins-bookkeeping', [], 0, 2],
    ]);
    expect(result.tenants.filter((t) => t.kind === 'organisation')).toHaveLength(21);
  });

  it('should put the app of 2021 below Starter in April 2026 and back in Core once it moves', async () => {
    const before = await statusOf('existing-app-meets-starter-2026.jsonl', { at: '2026-04-14T12:00:00+12:00' });
    expect([before.policy, before.line]).toEqual(['xero-tiers-2026', 28]);
    expect(before.apps).toEqual([
      { app: 'invoice-sync', ...uncertified, tier: 'starter', held: 24, cap: 5, headroom: -19, users: ['user'] },
    ]);
    const after = await statusOf('existing-app-meets-starter-2026.jsonl');
    expect(after.apps).toEqual([{ app: 'invoice-sync', ...uncertified, tier: 'core', held: 25, cap: 50, headroom: 25, users: ['user'] }]);
    const flat = await statusOf('existing-app-meets-starter-2026.jsonl', { at: '2024-12-31T00:00:00+13:00' });
    expect([flat.policy, flat.line, flat.apps[0]?.cap, flat.apps[0]?.headroom]).toEqual(['xero-oauth2-2019', 26, 25, 1]);
  });

  it('should name an app registered on the tiers as judged under them while the platform is not', async () => {
    const result = await statusOf('starter-cap-2026.jsonl', { at: '2026-01-25T00:00:00+13:00' });
    expect(result.policy).toBe('xero-oauth2-2019');
    expect(result.appsUnder).toEqual([{ app: 'new-app', policy: 'xero-tiers-2026' }]);
    expect(result.apps[0]).toMatchObject({ tier: 'core', held: 6, cap: 50, headroom: 44 });
  });
});

describe('status cut by --at', () => {
  const events: TraceEvent[] = [
    { type: 'connect', app: 'a', tenants: ['t1'], at: '2024-01-01T00:00:00Z' },
    { type: 'connect', app: 'a', tenants: ['t2'] },
    { type: 'connect', app: 'b', tenants: ['t1'], at: '2024-02-01T00:00:00Z' },
    { type: 'disconnect', app: 'a', tenant: 't1', at: '2024-03-01T00:00:00Z' },
  ];

  it('should stop after the last event at or before the time, an event without at having the time before it', async () => {
    const mid = await status(lines(events), { at: '2024-01-31T23:59:59Z' });
    expect([mid.line, mid.events, mid.at]).toEqual([2, 2, '2024-01-31T23:59:59Z']);
    expect(mid.apps.map((a) => [a.app, a.held])).toEqual([['a', 2]]);
    expect(mid.tenants.map((t) => [t.tenant, t.slotsUsed])).toEqual([
      ['t1', 1],
      ['t2', 1],
    ]);
    const exactly = await status(lines(events), { at: '2024-02-01T13:00:00+13:00' });
    expect([exactly.line, exactly.tenants[0]?.slotApps]).toEqual([3, ['a', 'b']]);
  });

  it('should replay nothing before the first time, and judge under the policy in force at --at', async () => {
    const none = await status(lines(events), { at: '2023-12-31T00:00:00Z' });
    expect(none).toMatchObject({ line: null, events: 0, apps: [], tenants: [], policy: 'xero-oauth2-2019' });
    const later = await status(lines(events), { at: '2026-06-01T00:00:00+12:00' });
    expect(later.policy).toBe('xero-tiers-2026');
    expect(later.apps.map((a) => [a.app, a.tier, a.held, a.cap, a.headroom])).toEqual([
      ['a', 'starter', 1, 5, 4],
      ['b', 'starter', 1, 5, 4],
    ]);
  });

  it('should refuse an --at that is not an instant with offset', async () => {
    await expect(status(lines(events), { at: '2024-02-01' })).rejects.toThrow('field "at": not an ISO 8601 time with offset: "2024-02-01"');
    await expect(status(lines(events), { at: '2024-02-30T00:00:00Z' })).rejects.toThrow('no such date or time');
  });
});

describe('status at the edges', () => {
  it('should give an empty trace no apps and no tenants, at no time, under the newest era', async () => {
    expect(await status([])).toEqual({ policy: 'xero-tiers-2026', at: null, apps: [], tenants: [], line: null, events: 0, appsUnder: [] });
  });

  it('should list an app declared with no connections with all its headroom, and a tenant with no apps with all its slots', async () => {
    const result = await status(
      lines([
        { type: 'app', app: 'idle', at: '2024-05-01T00:00:00Z' },
        { type: 'tenant', tenant: 'empty-org' },
      ]),
    );
    expect(result.apps).toEqual([{ app: 'idle', ...uncertified, held: 0, cap: 25, headroom: 25, users: [] }]);
    expect(result.tenants).toEqual([organisation('empty-org', [], 2)]);
  });

  it('should give certified apps no cap and no slot, a custom connection a cap of 1, and leave demo tenants out of held', async () => {
    const result = await status(
      lines([
        { type: 'app', app: 'partner', certified: true, at: '2024-05-01T00:00:00Z' },
        { type: 'app', app: 'custom', custom: true },
        { type: 'tenant', tenant: 'demo', kind: 'demo' },
        { type: 'connect', app: 'partner', tenants: ['org', 'demo'], user: 'ana' },
        { type: 'connect', app: 'partner', tenants: ['org'], user: 'ben' },
        { type: 'connect', app: 'custom', tenants: ['org'] },
        { type: 'connect', app: 'uncertified', tenants: ['demo'] },
      ]),
    );
    expect(result.apps.map((a) => [a.app, a.held, a.cap, a.headroom, a.users])).toEqual([
      ['partner', 1, null, null, ['ana', 'ben']],
      ['custom', 1, 1, 0, ['user']],
      ['uncertified', 0, 25, 25, ['user']],
    ]);
    expect(result.tenants.map((t) => [t.tenant, t.apps, t.slotApps, t.slotsUsed, t.slotsFree])).toEqual([
      ['demo', ['partner', 'uncertified'], ['uncertified'], 1, 1],
      ['org', ['partner', 'custom'], [], 0, 2],
    ]);
  });

  it('should take --set into the caps and slots, and give a demo tenant outside the limit no free slots', async () => {
    const result = await status(
      lines([
        { type: 'tenant', tenant: 'demo', kind: 'demo', at: '2024-05-01T00:00:00Z' },
        { type: 'connect', app: 'a', tenants: ['demo', 'org-1', 'org-2', 'org-3'] },
      ]),
      { set: ['appCap=2', 'demoSubjectToOrgLimit=false', 'orgCap=1'] },
    );
    expect(result.policy).toBe('xero-oauth2-2019 with appCap=2, demoSubjectToOrgLimit=false, orgCap=1');
    expect(result.apps.map((a) => [a.held, a.cap, a.headroom])).toEqual([[2, 2, 0]]);
    expect(result.tenants.map((t) => [t.tenant, t.slotsUsed, t.slotsFree])).toEqual([
      ['demo', 1, null],
      ['org-1', 1, 0],
      ['org-2', 1, 0],
      ['org-3', 0, 1],
    ]);
  });

  it("should show the platform's state after a divergence, following the observation as check does, or the model's own", async () => {
    const events: TraceEvent[] = [
      { type: 'connect', app: 'a', tenants: ['t1'], at: '2024-05-01T00:00:00Z', observed: 'connected' },
      { type: 'connect', app: 'a', tenants: ['t2'], observed: 'connected' },
    ];
    const observed = await status(lines(events), { set: ['appCap=1'] });
    expect(observed.apps[0]).toMatchObject({ held: 2, cap: 1, headroom: -1 });
    const own = await status(lines(events), { set: ['appCap=1'], follow: 'model' });
    expect(own.apps[0]).toMatchObject({ held: 1, cap: 1, headroom: 0 });
  });
});

describe('status predicts the next connect', () => {
  /** The outcome of one more connect after the trace, from the model. */
  async function next(l: ReturnType<typeof traceLines>, options: StatusOptions, event: TraceEvent): Promise<string> {
    let last = '';
    for await (const record of run([...l, { line: l.length + 1, event }], options)) last = String(record.outcome);
    return last;
  }

  it.each(scenarioFiles(packagePath('scenarios')).map((f) => [f.slice(packagePath('scenarios').length + 1)]))(
    '%s: an app with no headroom is refused a new tenant, and a tenant with no free slot a new uncertified app',
    async (name) => {
      const { lines: l, options } = scenario(name);
      const result = await status(l, options);
      if (!result.policy.startsWith('xero-oauth2-2019') && !result.policy.startsWith('xero-tiers-2026')) return;
      for (const app of result.apps) {
        const outcome = await next(l, options, { type: 'connect', app: app.app, tenants: ['fresh-tenant'] });
        expect([app.app, outcome]).toEqual([app.app, app.headroom !== null && app.headroom <= 0 ? 'rejected:app-limit' : 'connected']);
      }
      for (const tenant of result.tenants) {
        const outcome = await next(l, options, { type: 'connect', app: 'fresh-app', tenants: [tenant.tenant] });
        expect([tenant.tenant, outcome]).toEqual([
          tenant.tenant,
          tenant.slotsFree !== null && tenant.slotsFree <= 0 ? 'rejected:org-limit' : 'connected',
        ]);
      }
    },
  );
});
