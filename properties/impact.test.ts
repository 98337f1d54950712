/**
 * `impact` against an independent count: the reference implementation (`reference.ts`) replays
 * the same generated trace under both policies, and the outcomes that differ must be exactly the
 * changes `impact` lists.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../model/io/load-policy.ts';
import { impact } from '../model/oracle/impact.ts';
import type { Outcome, TraceEvent } from '../model/types.ts';
import { fcParameters } from './config.ts';
import { ReferencePlatform } from './reference.ts';

const APPS = ['uncertified-1', 'uncertified-2', 'certified'];
const TENANTS = Array.from({ length: 28 }, (_, i) => `org-${i + 1}`);
const USERS = ['u1', 'u2'];

const event: fc.Arbitrary<TraceEvent> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      type: fc.constant('connect' as const),
      app: fc.constantFrom(...APPS),
      tenants: fc.uniqueArray(fc.constantFrom(...TENANTS), { minLength: 1, maxLength: 3 }),
      user: fc.constantFrom(...USERS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('disconnect' as const),
      app: fc.constantFrom(...APPS),
      tenant: fc.constantFrom(...TENANTS),
      user: fc.constantFrom(...USERS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('revoke' as const), app: fc.constantFrom(...APPS), user: fc.constantFrom(...USERS) }),
  },
);

/** The trace: the apps and the demo tenant declared, then the generated events. */
function traceOf(events: TraceEvent[]): TraceEvent[] {
  return [{ type: 'app', app: 'certified', certified: true }, { type: 'tenant', tenant: 'org-1', kind: 'demo' }, ...events];
}

/** Each outcome of the trace under one policy, as the reference decides it. */
function referenceOutcomes(trace: TraceEvent[], policyId: string, set: string[]): Outcome[][] {
  const ref = new ReferencePlatform(resolvePolicy(policyId, set));
  return trace.map((e): Outcome[] => {
    const user = 'user' in e && e.user !== undefined ? e.user : 'user';
    if (e.type === 'app') return [ref.declareApp(e.app, { certified: e.certified === true })];
    if (e.type === 'tenant') return [ref.declareTenant(e.tenant, e.kind ?? 'organisation')];
    if (e.type === 'connect') return ref.connect(e.app, e.tenants, user);
    if (e.type === 'disconnect') return [ref.disconnect(e.app, e.tenant, user)];
    if (e.type === 'revoke') return [ref.revoke(e.app, user)];
    throw new Error(`not generated: ${e.type}`);
  });
}

/** The changes the reference finds between appCap 25 and `cap`, and the ones impact lists to appCap 20. */
async function compare(
  events: TraceEvent[],
  cap: number,
): Promise<{ expected: string[]; found: string[]; changed: number; byApp: number }> {
  const trace = traceOf(events);
  const before = referenceOutcomes(trace, 'xero-oauth2-2019', []);
  const after = referenceOutcomes(trace, 'xero-oauth2-2019', [`appCap=${cap}`]);
  const expected: string[] = [];
  trace.forEach((_, i) => {
    (before[i] ?? []).forEach((o, k) => {
      if (o !== after[i]?.[k]) expected.push(`${i + 1}#${k}: ${o} -> ${after[i]?.[k]}`);
    });
  });
  const result = await impact(
    trace.map((e, i) => ({ line: i + 1, event: e })),
    { from: 'xero-oauth2-2019', to: CAP_20 },
  );
  const found = result.lines.map((c) => {
    const e = trace[c.line - 1];
    const k = e?.type === 'connect' ? e.tenants.indexOf(c.tenant ?? '') : 0;
    return `${c.line}#${k}: ${c.from} -> ${c.to}`;
  });
  return { expected, found, changed: result.changed, byApp: result.byApp.reduce((n, a) => n + a.changed, 0) };
}

const CAP_20 = join(mkdtempSync(join(tmpdir(), 'xcm-impact-')), 'cap-20.json');
writeFileSync(CAP_20, JSON.stringify({ id: 'cap-20', extends: 'xero-oauth2-2019', appCap: 20 }));
afterAll(() => rmSync(dirname(CAP_20), { recursive: true, force: true }));

describe('impact, against the reference', () => {
  it('lists exactly the outcomes the reference decides differently under appCap 25 and 20', async () => {
    let changes = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 30, maxLength: 90 }), async (events) => {
        const { expected, found, changed, byApp } = await compare(events, 20);
        expect(found).toEqual(expected);
        expect([changed, byApp]).toEqual([expected.length, expected.length]);
        changes += expected.length;
      }),
      fcParameters(),
    );
    // The generated traces reach the caps: the property compared real changes, not only empty lists.
    expect(changes).toBeGreaterThan(0);
  });

  it('has teeth: the same comparison tells impact to appCap 20 from the reference at appCap 21', async () => {
    const differs = fc.asyncProperty(fc.array(event, { minLength: 30, maxLength: 90 }), async (events) => {
      const { expected, found } = await compare(events, 21);
      expect(found).toEqual(expected);
    });
    await expect(fc.assert(differs, fcParameters())).rejects.toThrow(/Counterexample/);
  });
});
