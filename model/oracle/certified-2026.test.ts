import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types.ts';
import { check, run } from './oracle.ts';

const lines = (events: readonly TraceEvent[]) => events.map((event, i) => ({ line: i + 1, event }));
const connect = (app: string, tenant: string, at?: string): TraceEvent => ({
  type: 'connect',
  app,
  tenants: [tenant],
  ...(at === undefined ? {} : { at }),
});

/** A partner app certified in 2024 (declared one of two ways), 36 organisations, then a new one and a full organisation in 2026. */
function partnerTrace(declare: readonly TraceEvent[]): TraceEvent[] {
  const before = Array.from({ length: 36 }, (_, i) =>
    connect('partner', `customer-${i + 1}`, i === 0 ? '2024-05-01T10:00:00+12:00' : undefined),
  );
  return [
    ...declare,
    ...before,
    connect('crm-sync', 'full-org', '2026-04-01T10:00:00+13:00'),
    connect('timesheets', 'full-org'),
    { ...connect('partner', 'customer-37'), observed: 'connected' },
    { ...connect('partner', 'full-org'), observed: 'connected' },
  ];
}

describe('a certified app crossing into the 2026 tiers', () => {
  const ways: Array<[string, TraceEvent[]]> = [
    [
      'a certify event',
      [
        { type: 'app', app: 'partner', at: '2024-04-01T10:00:00+12:00' },
        { type: 'certify', app: 'partner' },
      ],
    ],
    ['"certified": true', [{ type: 'app', app: 'partner', certified: true, at: '2024-04-01T10:00:00+12:00' }]],
  ];

  it.each(ways)('should keep connecting new organisations and take no organisation slot, declared with %s', async (_way, declare) => {
    const result = await check(lines(partnerTrace(declare)));
    expect(result.divergences).toEqual([]);
  });

  it('should give the same outcomes whichever way the certification is written', async () => {
    const outcomes = async (declare: TraceEvent[]) => {
      const all: unknown[] = [];
      for await (const record of run(lines(partnerTrace(declare)))) all.push(record.outcome);
      return all.slice(-4);
    };
    const [certifyEvent, certifiedFlag] = await Promise.all(ways.map(([, declare]) => outcomes(declare)));
    expect(certifyEvent).toEqual(certifiedFlag);
    expect(certifyEvent).toEqual(['connected', 'connected', 'connected', 'connected']);
  });
});

describe('an uncertified app that declared no tier, crossing into the 2026 tiers', () => {
  const trace: TraceEvent[] = [
    { type: 'app', app: 'legacy', at: '2021-03-01T10:00:00+13:00' },
    ...Array.from({ length: 24 }, (_, i) => connect('legacy', `org-${i + 1}`)),
    { ...connect('legacy', 'org-25', '2026-04-01T10:00:00+13:00'), observed: 'connected' },
  ];

  it('should be refused at Starter, saying the tier is assumed and how to declare the real one', async () => {
    const result = await check(lines(trace));
    expect(result.divergences.map((d) => [d.line, d.expected])).toEqual([[26, 'rejected:app-limit']]);
    expect(result.divergences[0]?.explanation).toContain('starter app (tier assumed) legacy holds 24 of 5 tenants');
    expect(result.divergences[0]?.explanation).toContain(
      'the trace declares no tier for legacy, so starter is assumed (assumedTier): if it is on another, declare it, e.g. {"type":"tier","app":"legacy","tier":"core"}',
    );
  });

  it('should connect under assumedTier=core, and when its trace declares Core', async () => {
    expect((await check(lines(trace), { set: ['assumedTier=core'] })).ok).toBe(true);
    const declared: TraceEvent[] = [...trace.slice(0, -1), { type: 'tier', app: 'legacy', tier: 'core' }, trace.at(-1) as TraceEvent];
    expect((await check(lines(declared))).ok).toBe(true);
  });
});

describe('overrides in the reasons', () => {
  it('should name the --set overrides in force in every reason and in the verdict', async () => {
    const trace = [connect('a', 't1', '2025-01-01T10:00:00+13:00'), { ...connect('a', 't2'), observed: 'connected' as const }];
    const result = await check(lines(trace), { set: ['appCap=1'] });
    expect(result.policy).toBe('xero with appCap=1');
    expect(result.divergences[0]?.explanation).toContain('under xero-oauth2-2019 with appCap=1;');
  });
});
