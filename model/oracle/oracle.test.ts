import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types.ts';
import { check, SAMPLE_SIZE } from './oracle.ts';

/** Names a plain record would not hold as ordinary keys, and a plain one to compare with. */
const NAMES = ['a', '__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf', 'undefined'];

const lines = (events: TraceEvent[]) => events.map((event, i) => ({ line: i + 1, event }));

describe('the oracle on apps and tenants of any name', () => {
  it.each(NAMES)('should refuse app %s its 26th tenant, as it refuses app a', async (name) => {
    const events: TraceEvent[] = Array.from({ length: 26 }, (_, i) => ({
      type: 'connect',
      app: name,
      tenants: [i === 0 ? name : `t${i + 1}`],
      observed: i < 25 ? 'connected' : 'rejected:app-limit',
    }));
    const result = await check(lines(events), { policy: 'xero-oauth2-2019' });
    expect(result.divergences).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it.each(NAMES)('should give tenant %s two uncertified apps and refuse a third', async (name) => {
    const events: TraceEvent[] = [
      { type: 'tenant', tenant: name },
      { type: 'connect', app: 'toString', tenants: [name], observed: 'connected' },
      { type: 'connect', app: '__proto__', tenants: [name], observed: 'connected' },
      { type: 'connect', app: 'constructor', tenants: [name], observed: 'rejected:org-limit' },
      { type: 'certify', app: 'constructor', observed: 'ok' },
      { type: 'connect', app: 'constructor', tenants: [name], observed: 'connected' },
    ];
    const result = await check(lines(events), { policy: 'xero-oauth2-2019' });
    expect(result.divergences).toEqual([]);
  });
});

describe('observed outcomes keyed by tenants of any name', () => {
  it('should read an observation of a consent whose tenants are named like built-ins', async () => {
    const file = 'names.jsonl';
    const text =
      '{"type":"connect","app":"a","tenants":["__proto__","toString","b"],"observed":{"__proto__":"connected","toString":"connected","b":"connected"}}\n';
    const { traceLines } = await import('../io/trace.ts');
    const parsed = traceLines(file, text);
    const result = await check(parsed, { policy: 'xero-oauth2-2019', set: ['appCap=2'] });
    expect(result.divergences.map((d) => [d.expected, d.observed])).toEqual([['rejected:app-limit', 'connected']]);
    expect(result.divergences[0]?.explanation).toMatch(/^b: /);
  });
});

describe('divergences streamed, counted and capped', () => {
  const wrong = (n: number): TraceEvent[] =>
    Array.from({ length: n }, (_, i) => ({
      type: 'connect',
      app: 'a',
      tenants: [`t${i}`, `u${i}`],
      observed: { [`t${i}`]: 'rejected', [`u${i}`]: 'connected' },
    }));

  it('should keep every divergence and count outcomes and lines when no callback is given', async () => {
    const result = await check(lines(wrong(30)), { policy: 'xero-oauth2-2019' });
    expect([result.divergences.length, result.outcomes, result.lines, result.stoppedAt]).toEqual([30, 30, 30, null]);
  });

  it('should hand each divergence to onDivergence as found and keep only a sample', async () => {
    const seen: number[] = [];
    const result = await check(lines(wrong(30)), { policy: 'xero-oauth2-2019', set: ['appCap=2'], onDivergence: (d) => seen.push(d.line) });
    // appCap 2: the first consent connects both (one divergence: t0 observed rejected), then every later outcome is refused.
    expect(seen.length).toBe(result.outcomes);
    expect(result.outcomes).toBe(1 + 29);
    expect(result.divergences).toHaveLength(SAMPLE_SIZE);
    expect(result.divergences.map((d) => d.line)).toEqual(seen.slice(0, SAMPLE_SIZE));
    expect(result.events).toBe(30);
  });

  it('should stop after the line on which maxDivergences is reached, saying where', async () => {
    const result = await check(lines(wrong(30)), { policy: 'xero-oauth2-2019', maxDivergences: 5 });
    expect([result.outcomes, result.lines, result.stoppedAt, result.events, result.ok]).toEqual([5, 5, 5, 5, false]);
    const all = await check(lines(wrong(3)), { policy: 'xero-oauth2-2019', maxDivergences: 5 });
    expect(all.stoppedAt).toBeNull();
  });
});
