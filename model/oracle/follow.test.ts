import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Driver } from '../engine/driver.ts';
import { compiledEngine, recordingEngine, type Engine } from '../engine/step.ts';
import { resolvePolicy } from '../io/load-policy.ts';
import { INVARIANTS } from '../platform/invariants.ts';
import type { PlatformContext, PlatformEvent } from '../platform/transitions.ts';
import { OUTCOMES, type ObservedOutcome, type TraceEvent } from '../types.ts';
import { check, run } from './oracle.ts';

const lines = (events: TraceEvent[]) => events.map((event, i) => ({ line: i + 1, event }));

/** 25 tenants connected, then a 26th observed `connected` (the model refuses it), then its consequences. */
function wrongTwentySixth(): TraceEvent[] {
  const connects: TraceEvent[] = Array.from({ length: 25 }, (_, i) => ({
    type: 'connect',
    app: 'a',
    tenants: [`t${i + 1}`],
    observed: 'connected',
  }));
  return [
    ...connects,
    { type: 'connect', app: 'a', tenants: ['t26'], observed: 'connected' },
    { type: 'disconnect', app: 'a', tenant: 't26', observed: 'disconnected' },
    { type: 'connect', app: 'a', tenants: ['t27'], observed: 'rejected:app-limit' },
  ];
}

describe('following what the platform did', () => {
  it('should report one wrong observation once, at its line, and not its consequences', async () => {
    const result = await check(lines(wrongTwentySixth()), { policy: 'xero-oauth2-2019' });
    expect(result.divergences.map((d) => [d.line, d.expected, d.observed, d.followed])).toEqual([
      [26, 'rejected:app-limit', 'connected', 0],
    ]);
  });

  it('should report the knock-on divergences too when going on from the model (follow: model)', async () => {
    const result = await check(lines(wrongTwentySixth()), { policy: 'xero-oauth2-2019', follow: 'model' });
    expect(result.divergences.map((d) => [d.line, d.expected, d.observed, d.followed])).toEqual([
      [26, 'rejected:app-limit', 'connected', 0],
      [27, 'not-connected', 'disconnected', 0],
    ]);
  });

  it('should judge a later divergence from the observed state and count the divergences it followed', async () => {
    // The platform connected t26; a 27th is then refused by it, which the model (following) expects too;
    // but a 28th observed connected diverges again, after following one.
    const events: TraceEvent[] = [
      ...wrongTwentySixth().slice(0, 26),
      { type: 'connect', app: 'a', tenants: ['t27'], observed: 'rejected:app-limit' },
      { type: 'connect', app: 'a', tenants: ['t28'], observed: 'connected' },
    ];
    const result = await check(lines(events), { policy: 'xero-oauth2-2019' });
    expect(result.divergences.map((d) => [d.line, d.followed])).toEqual([
      [26, 0],
      [28, 1],
    ]);
    expect(result.divergences[1]?.explanation).toContain('holds 26 of 25 tenants');
  });

  it('should follow within one consent: a tenant refused by the platform frees the next', async () => {
    const events: TraceEvent[] = [
      ...Array.from({ length: 24 }, (_, i): TraceEvent => ({ type: 'connect', app: 'a', tenants: [`t${i + 1}`] })),
      { type: 'connect', app: 'a', tenants: ['x', 'y'], observed: { x: 'rejected', y: 'connected' } },
    ];
    const result = await check(lines(events), { policy: 'xero-oauth2-2019' });
    expect(result.divergences.map((d) => [d.line, d.expected, d.observed, d.followed])).toEqual([[25, 'connected', 'rejected', 0]]);
  });

  it('should mark the events of a run that diverge, following the platform', async () => {
    const records = [];
    for await (const r of run(lines(wrongTwentySixth()), { policy: 'xero-oauth2-2019' })) records.push(r);
    expect(records.filter((r) => r.diverges).map((r) => r.line)).toEqual([26]);
  });
});

describe('an observed refusal without its limit', () => {
  it('should match either refusal with "rejected" and diverge from a connection', async () => {
    const events: TraceEvent[] = [
      { type: 'connect', app: 'x', tenants: ['t'], observed: 'connected' },
      { type: 'connect', app: 'y', tenants: ['t'], observed: 'connected' },
      { type: 'connect', app: 'z', tenants: ['t'], observed: 'rejected' },
      { type: 'connect', app: 'a', tenants: ['u'], observed: 'rejected' },
    ];
    const result = await check(lines(events), { policy: 'xero-oauth2-2019', set: ['appCap=1'] });
    expect(result.divergences.map((d) => [d.line, d.expected, d.observed])).toEqual([[4, 'connected', 'rejected']]);
    const capped = await check(lines([...events.slice(0, 3), { type: 'connect', app: 'x', tenants: ['u'], observed: 'rejected' }]), {
      policy: 'xero-oauth2-2019',
      set: ['appCap=1'],
    });
    expect(capped.ok).toBe(true);
  });
});

/** An engine that records every step it decides itself (`send`), not the contexts it adopts. */
function recording(inner: Engine, steps: Array<[PlatformContext, PlatformEvent, PlatformContext]>): Engine {
  return recordingEngine(inner, (before, event, after) => steps.push([before, event, after]));
}

const observedOutcome = fc.constantFrom<ObservedOutcome>(...OUTCOMES, 'rejected');
const event: fc.Arbitrary<TraceEvent> = fc.oneof(
  fc.record({
    type: fc.constant('connect' as const),
    app: fc.constantFrom('a1', 'a2', 'a3'),
    tenants: fc.constantFrom<string[]>(['t1'], ['t2'], ['t3'], ['t1', 't2']),
    user: fc.constantFrom('u1', 'u2'),
    observed: observedOutcome,
  }),
  fc.record({
    type: fc.constant('disconnect' as const),
    app: fc.constantFrom('a1', 'a2', 'a3'),
    tenant: fc.constantFrom('t1', 't2', 't3'),
    user: fc.constantFrom('u1', 'u2'),
    observed: observedOutcome,
  }),
  fc.record({ type: fc.constant('revoke' as const), app: fc.constantFrom('a1', 'a2'), user: fc.constant('u1'), observed: observedOutcome }),
  fc.record({ type: fc.constant('certify' as const), app: fc.constantFrom('a1', 'a2'), observed: observedOutcome }),
);

describe('the invariants while following observations', () => {
  it('should hold on every step the model decides itself, whatever the platform was observed to do', () => {
    const policy = resolvePolicy('xero-oauth2-2019', ['appCap=2', 'orgCap=1']);
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        const steps: Array<[PlatformContext, PlatformEvent, PlatformContext]> = [];
        const driver = new Driver(recording(compiledEngine({ policy }), steps), () => policy);
        for (const e of events) {
          // A consent of two tenants observes an object; a plain outcome stands for the first tenant only.
          const observed = e.type === 'connect' && e.tenants.length > 1 ? { t1: e.observed as ObservedOutcome } : e.observed;
          driver.apply({ ...e, observed } as TraceEvent, false, true);
        }
        for (const [before, machineEvent, after] of steps) {
          for (const invariant of INVARIANTS) expect(invariant.holds(before, machineEvent, after), invariant.name).toBe(true);
        }
      }),
      { numRuns: 200, seed: 20200210 },
    );
  });
});
