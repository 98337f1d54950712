import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { file, TMP, xcm } from './cli-harness.ts';

const FIVE = 'scenarios/five-websites-one-organisation.jsonl';
const ANA = 'scenarios/fixtures/connections-ana.json';
const BEN = 'scenarios/fixtures/connections-ben.json';

describe('xcm status', () => {
  it('should print the apps and the tenant of the five websites as two tables', () => {
    expect(xcm('status', FIVE)).toEqual({
      status: 0,
      stderr: '',
      stdout: `status of ${FIVE} after line 22 (at 2020-02-20T10:00:00+13:00), under xero-oauth2-2019

app           certified  tier  custom  auth    held  cap        headroom  users
------------  ---------  ----  ------  ------  ----  ---------  --------  -----
woo-oauth1-a  no         -     no      oauth1  0     unlimited  -         -
woo-oauth1-b  no         -     no      oauth1  0     unlimited  -         -
site-1        no         -     no      oauth2  0     25         25        -
site-2        no         -     no      oauth2  1     25         24        user
site-3        no         -     no      oauth2  1     25         24        user
site-4        no         -     no      oauth2  0     25         25        -
site-5        no         -     no      oauth2  0     25         25        -

tenant    kind          apps           slot apps      slots used  slots free
--------  ------------  -------------  -------------  ----------  ----------
olis-org  organisation  site-2,site-3  site-2,site-3  2           0
`,
    });
  });

  it('should write the contract keys as JSON, an app or tenant per line', () => {
    const result = xcm('status', FIVE, '--at', '2020-02-20T10:00:00+13:00', '--json');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([
      '{"policy":"xero-oauth2-2019","at":"2020-02-20T10:00:00+13:00","apps":[',
      '{"app":"woo-oauth1-a","certified":false,"tier":null,"custom":false,"auth":"oauth1","held":0,"cap":null,"headroom":null,"users":[]},',
    ]);
    const json = JSON.parse(result.stdout) as Record<string, unknown[]>;
    expect(Object.keys(json)).toEqual(['policy', 'at', 'apps', 'tenants']);
    expect(json.tenants).toEqual([
      { tenant: 'olis-org', kind: 'organisation', apps: ['site-2', 'site-3'], slotApps: ['site-2', 'site-3'], slotsUsed: 2, slotsFree: 0 },
    ]);
  });

  it('should cut the trace at --at: before the disconnects, both OAuth 1.0a apps are still on the organisation', () => {
    const result = xcm('status', FIVE, '--at', '2020-02-20T09:59:59+13:00');
    expect(result.stdout.split('\n')[0]).toBe(
      `status of ${FIVE} at 2020-02-20T09:59:59+13:00: after line 11, the last event at or before it, under xero-oauth2-2019`,
    );
    expect(result.stdout).toContain('olis-org  organisation  woo-oauth1-a,woo-oauth1-b  -          0           2\n');
  });

  it('should print an empty trace as no apps and no tenants, and an app with no connections with all its headroom', () => {
    const empty = file('empty.jsonl', []);
    expect(xcm('status', empty).stdout).toBe(
      `status of ${empty}: no events (no time known: the newest era), under xero-tiers-2026\n\napps: none\n\ntenants: none\n`,
    );
    expect(xcm('status', empty, '--json').stdout).toBe('{"policy":"xero-tiers-2026","at":null,"apps":[],"tenants":[]}\n');
    const idle = file('idle.jsonl', [{ type: 'app', app: 'idle', at: '2024-05-01T09:00:00+12:00' }]);
    expect(JSON.parse(xcm('status', idle, '--json').stdout)).toEqual({
      policy: 'xero-oauth2-2019',
      at: '2024-05-01T09:00:00+12:00',
      apps: [{ app: 'idle', certified: false, tier: null, custom: false, auth: 'oauth2', held: 0, cap: 25, headroom: 25, users: [] }],
      tenants: [],
    });
  });

  it('should take --policy and --set, and say which policies a --set changes', () => {
    const result = xcm('status', FIVE, '--set', 'orgCap=3');
    expect(result.stdout.split('\n')[0]).toBe('--set orgCap=3 applies to xero-oauth2-2019, xero-bug-2020-02, xero-tiers-2026');
    expect(result.stdout).toContain('olis-org  organisation  site-2,site-3  site-2,site-3  2           1\n');
    expect(xcm('status', FIVE, '--policy', 'xero-tiers-2026', '--json').stdout).toContain(
      '"tier":"starter","custom":false,"auth":"oauth2","held":1,"cap":5',
    );
  });

  it('should refuse a bad --at, a missing trace and a trace that is a connections dump, with exit 2 and one line', () => {
    expect(xcm('status', FIVE, '--at', '2020-02-20')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'xcm: field "--at": not an ISO 8601 time with offset: "2020-02-20" (e.g. "2020-02-09T18:30:00+13:00")\n',
    });
    expect(xcm('status')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^xcm: missing the trace file \(usage: xcm status TRACE/),
    });
    expect(xcm('status', ANA)).toMatchObject({
      status: 2,
      stderr: `xcm: ${ANA}:1: malformed JSON: Unexpected end of JSON input (a trace is JSON Lines, one event object per line; a GET /connections response (a JSON array) becomes a trace with xcm import)\n`,
    });
  });
});

describe('xcm import', () => {
  it('should turn two users’ connections into a trace that status, check and run read', () => {
    const out = join(TMP, 'ledger-sync.jsonl');
    const imported = xcm('import', ANA, BEN, '--app', 'ledger-sync', '--user', 'ana', '--user', 'ben', '--out', out);
    expect(imported).toEqual({ status: 0, stderr: '', stdout: `trace written to ${out}: 7 connections, 6 tenants, 5 consents\n` });
    expect(readFileSync(out, 'utf8')).toBe(xcm('import', ANA, BEN, '--app', 'ledger-sync', '--user', 'ana', '--user', 'ben').stdout);
    expect(xcm('status', out).stdout).toBe(`status of ${out} after line 13 (at 2024-05-20T08:00:00.000Z), under xero-oauth2-2019

app          certified  tier  custom  auth    held  cap  headroom  users
-----------  ---------  ----  ------  ------  ----  ---  --------  -------
ledger-sync  no         -     no      oauth2  4     25   21        ana,ben

tenant                   kind          apps         slot apps    slots used  slots free
-----------------------  ------------  -----------  -----------  ----------  ----------
Demo Company (NZ)        demo          ledger-sync  ledger-sync  1           1
Kiwi Plumbing Ltd        organisation  ledger-sync  ledger-sync  1           1
Hopkins Accounting       practice      ledger-sync  ledger-sync  1           1
Harbour Cafe (9b7c0d44)  organisation  ledger-sync  ledger-sync  1           1
Harbour Cafe (3f2a9c1e)  organisation  ledger-sync  ledger-sync  1           1
Demo Company (Global)    demo          ledger-sync  ledger-sync  1           1
`);
    expect(xcm('check', out)).toMatchObject({ status: 0, stdout: 'ok: 12 events agree with the model under xero\n' });
    expect(xcm('run', out).stdout.trimEnd().split('\n').at(-1)).toBe('12 events, 14 outcomes, 0 divergences');
  });

  it('should show an uncertified app past its cap as diverging, since the platform connected what the model refuses', () => {
    const rows = Array.from({ length: 26 }, (_, i) => ({
      id: `c${i}`,
      authEventId: `e${i}`,
      tenantId: `t${i}`,
      tenantType: 'ORGANISATION',
      tenantName: `Org ${i + 1}`,
      createdDateUtc: `2024-05-01T00:00:${String(i).padStart(2, '0')}.0000000`,
      updatedDateUtc: `2024-05-01T00:00:${String(i).padStart(2, '0')}.0000000`,
    }));
    const dump = join(TMP, 'twenty-six.json');
    writeFileSync(dump, JSON.stringify(rows));
    const out = join(TMP, 'twenty-six.jsonl');
    expect(xcm('import', dump, '--app', 'big', '--out', out).status).toBe(0);
    expect(xcm('check', out)).toMatchObject({
      status: 1,
      stdout: expect.stringContaining(`${out}:54: expected rejected:app-limit, observed connected [app-cap]`),
    });
    expect(JSON.parse(xcm('status', out, '--json').stdout).apps[0]).toMatchObject({ held: 26, cap: 25, headroom: -1 });
  });

  it('should refuse an unknown tenantType by its element, and take it as the kind --kind gives', () => {
    const dump = join(TMP, 'xpm.json');
    writeFileSync(
      dump,
      JSON.stringify([
        {
          id: 'c1',
          authEventId: 'e1',
          tenantId: 't1',
          tenantType: 'ORGANISATION',
          tenantName: 'Acme',
          createdDateUtc: '2024-05-01T00:00:00',
        },
        {
          id: 'c2',
          authEventId: 'e1',
          tenantId: 't2',
          tenantType: 'PRACTICEMANAGER',
          tenantName: 'Hopkins XPM',
          createdDateUtc: '2024-05-01T00:00:00',
        },
      ]),
    );
    expect(xcm('import', dump, '--app', 'a')).toEqual({
      status: 2,
      stdout: '',
      stderr: `xcm: ${dump}: field "[1].tenantType": unknown value "PRACTICEMANAGER" (expected ORGANISATION or PRACTICE; the model does not know how a tenant of another type counts: say which kind it is with --kind PRACTICEMANAGER=organisation|practice|demo)\n`,
    });
    const mapped = xcm('import', dump, '--app', 'a', '--kind', 'PRACTICEMANAGER=practice');
    expect(mapped.stdout).toContain('{"type":"tenant","tenant":"Hopkins XPM","kind":"practice","note":"tenantId t2 (PRACTICEMANAGER)"}\n');
  });

  it('should refuse what is not a connections dump, and bad options, with exit 2 and one line', () => {
    const object = file('object.json', ['{"connections": []}']);
    expect(xcm('import', object, '--app', 'a').stderr).toBe(
      `xcm: ${object}: expected a JSON array of connections, got {"connections":[]} (the body of GET /connections: [{"id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"}, ...])\n`,
    );
    const cut = file('cut.json', ['[{"id": "c1",']);
    expect(xcm('import', cut, '--app', 'a')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^xcm: .*cut\.json: malformed JSON: /),
    });
    expect(xcm('import', ANA)).toMatchObject({
      status: 2,
      stderr: 'xcm: field "--app": missing (the app whose connections these are: --app NAME)\n',
    });
    expect(xcm('import', ANA, BEN, '--app', 'a', '--user', 'ana')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('xcm: field "--user": 2 files and 1 users (give one --user per file'),
    });
    expect(xcm('import', ANA, '--app', 'a', '--demo', '(')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('xcm: field "--demo": not a regular expression: Invalid regular expression'),
    });
    expect(xcm('import', ANA, '--app', 'a', '--kind', 'FOO=company')).toMatchObject({
      status: 2,
      stderr: 'xcm: field "--kind": expected TYPE=KIND, got "FOO=company" (KIND is one of organisation, practice, demo)\n',
    });
    for (const result of [xcm('import', object, '--app', 'a'), xcm('import', ANA, '--app', 'a', '--demo', '(')]) {
      expect(result.status).toBe(2);
      expect(result.stderr.split('\n')).toHaveLength(2);
      expect(result.stderr).not.toContain('    at ');
    }
  });

  it('should take a --demo pattern in place of the default', () => {
    const result = xcm('import', ANA, '--app', 'a', '--demo', '^Harbour');
    expect(result.stdout).toContain('{"type":"tenant","tenant":"Demo Company (NZ)","kind":"organisation"');
    expect(result.stdout).toContain('{"type":"tenant","tenant":"Harbour Cafe","kind":"demo"');
  });
});
