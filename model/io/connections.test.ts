import { describe, expect, it } from 'vitest';
import { packagePath } from './files.ts';
import { importConnections, type ConnectionsDump } from './connections.ts';
import { traceLines } from './trace.ts';
import { check } from '../oracle/oracle.ts';
import { status } from '../oracle/status.ts';

const ANA = packagePath('scenarios/fixtures/connections-ana.json');
const BEN = packagePath('scenarios/fixtures/connections-ben.json');

/** A connection as Xero lists it, with the fields a test does not care about filled in. */
function connection(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: `id-${String(fields.tenantId)}`,
    authEventId: 'e-1',
    tenantType: 'ORGANISATION',
    tenantName: `name of ${String(fields.tenantId)}`,
    createdDateUtc: '2024-05-01T00:00:00',
    updatedDateUtc: '2024-05-01T00:00:00',
    ...fields,
  };
}

const one = (connections: unknown, user?: string): ConnectionsDump[] => [{ file: 'c.json', user, connections }];
const eventsOf = (dumps: ConnectionsDump[], options = {}) => importConnections(dumps, { app: 'a', ...options }).lines.map((l) => l.event);

describe('importing the fixture dumps of two users', () => {
  const imported = importConnections(
    [
      { file: ANA, user: 'ana' },
      { file: BEN, user: 'ben' },
    ],
    { app: 'ledger-sync' },
  );
  const body = imported.text.split('\n').slice(1, -1);

  it('should declare the app, then each tenant with its kind and tenantId, in the order they were first connected', () => {
    expect(body.slice(0, 7)).toEqual([
      '{"type":"app","app":"ledger-sync","note":"declared by xcm import as an uncertified OAuth 2.0 app (the connections do not say): add \\"certified\\": true, a \\"tier\\" or \\"custom\\": true if it is one"}',
      '{"type":"tenant","tenant":"Demo Company (NZ)","kind":"demo","note":"tenantId fe79f7dd-b6d4-4a92-ba7b-538af6289c58 (ORGANISATION, a demo company by its name)"}',
      '{"type":"tenant","tenant":"Kiwi Plumbing Ltd","kind":"organisation","note":"tenantId c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e04 (ORGANISATION)"}',
      '{"type":"tenant","tenant":"Hopkins Accounting","kind":"practice","note":"tenantId 6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c05 (PRACTICE)"}',
      '{"type":"tenant","tenant":"Harbour Cafe (9b7c0d44)","kind":"organisation","note":"tenantId 9b7c0d44-3e2f-4a1b-9c8d-7e6f5a4b3c07 (ORGANISATION)"}',
      '{"type":"tenant","tenant":"Harbour Cafe (3f2a9c1e)","kind":"organisation","note":"tenantId 3f2a9c1e-7b6d-4e5f-a1b2-c3d4e5f6a701 (ORGANISATION)"}',
      '{"type":"tenant","tenant":"Demo Company (Global)","kind":"demo","note":"tenantId 0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d10 (ORGANISATION, a demo company by its name)"}',
    ]);
  });

  it('should make one connect per authEventId, merged across the files in time order, each observed connected', () => {
    expect(body.slice(7)).toEqual([
      '{"type":"connect","app":"ledger-sync","tenants":["Demo Company (NZ)","Kiwi Plumbing Ltd"],"user":"ana","at":"2024-03-04T21:15:02.190Z","observed":{"Demo Company (NZ)":"connected","Kiwi Plumbing Ltd":"connected"},"note":"authEventId 8e1f0a2b-6c3d-4e4f-8a5b-6c7d8e9f0a01"}',
      '{"type":"connect","app":"ledger-sync","tenant":"Hopkins Accounting","user":"ana","at":"2024-03-11T03:40:30.500Z","observed":"connected","note":"authEventId 4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d02"}',
      '{"type":"connect","app":"ledger-sync","tenants":["Harbour Cafe (9b7c0d44)","Kiwi Plumbing Ltd"],"user":"ben","at":"2024-04-02T22:05:11.012Z","observed":{"Harbour Cafe (9b7c0d44)":"connected","Kiwi Plumbing Ltd":"connected"},"note":"authEventId 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03"}',
      '{"type":"connect","app":"ledger-sync","tenant":"Harbour Cafe (3f2a9c1e)","user":"ana","at":"2024-04-09T01:00:00.999Z","observed":"connected","note":"authEventId 0d6a8e5c-3b1f-4c2a-9e7d-1f2a3b4c5d01"}',
      '{"type":"connect","app":"ledger-sync","tenant":"Demo Company (Global)","user":"ben","at":"2024-05-20T08:00:00.000Z","observed":"connected","note":"authEventId d4c3b2a1-0f9e-4d8c-a7b6-5a4f3e2d1c04"}',
    ]);
    expect([imported.connections, imported.tenants, imported.consents]).toEqual([7, 6, 5]);
  });

  it('should start with a scenario header naming the files and users', () => {
    const header = JSON.parse(imported.text.split('\n')[0] ?? '') as Record<string, string>;
    expect(header.type).toBe('scenario');
    expect(header.title).toBe(`ledger-sync's connections, imported from ${ANA} (ana) and ${BEN} (ben)`);
    expect(header.story).toContain('7 connections of 2 users to 6 tenants in 5 consents');
  });

  it('should write a trace the trace reader reads back as the same events, which check holds', async () => {
    const read = traceLines('imported.jsonl', imported.text);
    expect(read).toEqual(imported.lines);
    expect(await check(read)).toMatchObject({ ok: true, events: 12 });
  });

  it('should give the app 4 held tenants (two demo companies left out, a tenant of two users counted once)', async () => {
    const result = await status(imported.lines);
    expect(result.policy).toBe('xero-oauth2-2019');
    expect(result.apps).toEqual([
      {
        app: 'ledger-sync',
        certified: false,
        tier: null,
        custom: false,
        auth: 'oauth2',
        held: 4,
        cap: 25,
        headroom: 21,
        users: ['ana', 'ben'],
      },
    ]);
    expect(result.tenants.map((t) => [t.tenant, t.kind, t.slotsUsed, t.slotsFree])).toEqual([
      ['Demo Company (NZ)', 'demo', 1, 1],
      ['Kiwi Plumbing Ltd', 'organisation', 1, 1],
      ['Hopkins Accounting', 'practice', 1, 1],
      ['Harbour Cafe (9b7c0d44)', 'organisation', 1, 1],
      ['Harbour Cafe (3f2a9c1e)', 'organisation', 1, 1],
      ['Demo Company (Global)', 'demo', 1, 1],
    ]);
  });
});

describe('importing: kinds, names, times', () => {
  it('should take a demo company by a pattern given, and no longer by the default one', () => {
    const dump = one([
      connection({ tenantId: 't1', tenantName: 'Demo Company (UK)' }),
      connection({ tenantId: 't2', tenantName: 'Sandbox Ltd' }),
    ]);
    const kinds = (demo?: string) => eventsOf(dump, { demo }).flatMap((e) => (e.type === 'tenant' ? [e.kind] : []));
    expect(kinds()).toEqual(['demo', 'organisation']);
    expect(kinds('^sandbox')).toEqual(['organisation', 'demo']);
  });

  it('should take a tenant of an unknown type as the kind --kind gives it, and never a practice as a demo company', () => {
    const dump = one([
      connection({ tenantId: 't1', tenantType: 'PRACTICEMANAGER', tenantName: 'Hopkins XPM' }),
      connection({ tenantId: 't2', tenantType: 'PRACTICE', tenantName: 'Demo Company Practice' }),
    ]);
    const tenants = eventsOf(dump, { kinds: { PRACTICEMANAGER: 'organisation' } }).filter((e) => e.type === 'tenant');
    expect(tenants.map((e) => [e.type === 'tenant' && e.kind, e.note])).toEqual([
      ['organisation', 'tenantId t1 (PRACTICEMANAGER)'],
      ['practice', 'tenantId t2 (PRACTICE)'],
    ]);
  });

  it('should name a tenant without a tenantName by its tenantId, and tell apart every tenant of a shared name', () => {
    const dump = one([
      connection({ tenantId: 'aaaaaaaa-1', tenantName: 'Acme' }),
      connection({ tenantId: 'aaaaaaaa-2', tenantName: 'Acme' }),
      connection({ tenantId: 'bbbbbbbb-3', tenantName: 'Acme' }),
      connection({ tenantId: 'cccc', tenantName: null }),
    ]);
    const names = eventsOf(dump).flatMap((e) => (e.type === 'tenant' ? [e.tenant] : []));
    expect(names).toEqual(['Acme (aaaaaaaa)', 'Acme (aaaaaaaa-2)', 'Acme (bbbbbbbb)', 'cccc']);
  });

  it('should date a consent by the latest createdDateUtc of its connections, to the millisecond, and read an offset if given', () => {
    const dump = one([
      connection({ tenantId: 't1', authEventId: 'e-2', createdDateUtc: '2024-05-02T10:00:00.0000009' }),
      connection({ tenantId: 't2', authEventId: 'e-1', createdDateUtc: '2024-05-01T23:59:59.9999999' }),
      connection({ tenantId: 't3', authEventId: 'e-2', createdDateUtc: '2024-05-02T10:00:00.0000001' }),
      connection({ tenantId: 't4', authEventId: 'e-3', createdDateUtc: '2024-05-02T22:00:00+12:00' }),
      connection({ tenantId: 't5', authEventId: null, createdDateUtc: '2024-05-02T11:00:00Z' }),
    ]);
    const connects = eventsOf(dump).flatMap((e) => (e.type === 'connect' ? [[e.at, e.tenants.map((t) => t.slice(-2)), e.note]] : []));
    expect(connects).toEqual([
      ['2024-05-01T23:59:59.999Z', ['t2'], 'authEventId e-1'],
      ['2024-05-02T10:00:00.000Z', ['t4'], 'authEventId e-3'],
      ['2024-05-02T10:00:00.000Z', ['t3', 't1'], 'authEventId e-2'],
      ['2024-05-02T11:00:00.000Z', ['t5'], 'no authEventId: a consent of its own'],
    ]);
  });

  it('should keep the consents of two users with one authEventId apart, and give a file without user the implicit one', () => {
    const dumps: ConnectionsDump[] = [
      { file: 'x.json', connections: [connection({ tenantId: 't1' })] },
      { file: 'y.json', user: 'ben', connections: [connection({ tenantId: 't1' })] },
    ];
    const users = eventsOf(dumps).flatMap((e) => (e.type === 'connect' ? [e.user ?? 'the implicit user'] : []));
    expect(users).toEqual(['the implicit user', 'ben']);
  });

  it('should make a trace of the app alone from empty responses', () => {
    const imported = importConnections(one([]), { app: 'idle' });
    expect(imported.lines.map((l) => l.event.type)).toEqual(['app']);
    expect(imported.text.split('\n')).toHaveLength(3);
  });
});

describe('importing bad input', () => {
  const error = (connections: unknown, options = {}) => {
    try {
      importConnections(one(connections), { app: 'a', ...options });
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('should name what it expected when the file is not an array of connections', () => {
    expect(error({ connections: [] })).toBe(
      'c.json: expected a JSON array of connections, got {"connections":[]} (the body of GET /connections: [{"id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"}, ...])',
    );
    expect(error(['x'])).toBe('c.json: field "[0]": expected a connection object, got "x"');
  });

  it('should refuse an unknown tenantType by its element, saying how to place it', () => {
    expect(error([connection({ tenantId: 't1' }), connection({ tenantId: 't2', tenantType: 'FOO' })])).toBe(
      'c.json: field "[1].tenantType": unknown value "FOO" (expected ORGANISATION or PRACTICE; the model does not know how a tenant of another type counts: say which kind it is with --kind FOO=organisation|practice|demo)',
    );
  });

  it('should name a missing or bad field by its element', () => {
    const { tenantId: _t, ...noTenant } = connection({ tenantId: 't1' });
    expect(error([noTenant])).toBe(
      'c.json: field "[0].tenantId": missing (a connection is {"id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"})',
    );
    expect(error([connection({ tenantId: 't1', createdDateUtc: '2024-02-30T00:00:00' })])).toBe(
      'c.json: field "[0].createdDateUtc": not a date and time: "2024-02-30T00:00:00" (Xero writes e.g. "2019-12-07T18:46:19.5165400", in UTC)',
    );
    expect(error([connection({ tenantId: 7 })])).toBe('c.json: field "[0].tenantId": expected a non-empty string, got 7');
    expect(error([connection({ tenantId: 't1', tenantName: 'a\nb' })])).toContain(
      'field "[0].tenantName": a name with the control character U+000A',
    );
  });

  it('should refuse one tenant listed twice for one user, naming both places', () => {
    expect(error([connection({ tenantId: 't1' }), connection({ tenantId: 't1', authEventId: 'e-2' })])).toBe(
      'c.json: field "[1].tenantId": lists tenant "t1" a second time for user "user" (first at c.json [0]) (one connection per user, app and tenant)',
    );
  });

  it('should read a file that is not JSON as a clear error', () => {
    expect(() => importConnections([{ file: packagePath('README.md') }], { app: 'a' })).toThrow(
      /README\.md: malformed JSON: .* \(expected the body of GET \/connections/,
    );
    expect(() => importConnections([{ file: packagePath('no-such.json') }], { app: 'a' })).toThrow(
      'no-such.json: cannot read the connections (ENOENT)',
    );
  });
});
