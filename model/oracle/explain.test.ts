import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types.ts';
import { appKind } from './explain.ts';
import { run } from './oracle.ts';
import { resolvePolicy } from '../io/load-policy.ts';
import { defaultApp } from '../world/world.ts';

/** The reasons `run` gives the last event of a trace (one per tenant of its consent). */
async function lastReasons(events: TraceEvent[], policy = 'xero-oauth2-2019', set: string[] = []): Promise<string[]> {
  let reasons: string[] = [];
  for await (const r of run(
    events.map((event, i) => ({ line: i + 1, event })),
    { policy, set },
  ))
    reasons = r.reasons;
  return reasons;
}

const connect = (app: string, tenant: string, user?: string): TraceEvent => ({
  type: 'connect',
  app,
  tenants: [tenant],
  ...(user === undefined ? {} : { user }),
});
const disconnect = (app: string, tenant: string, user: string): TraceEvent => ({ type: 'disconnect', app, tenant, user });

describe('the explanations', () => {
  it('should count only the uncertified apps on the tenant when a certified one is there too and the connect goes through', async () => {
    const reasons = await lastReasons([
      { type: 'app', app: 'stripe-feeds', certified: true },
      connect('stripe-feeds', 't'),
      connect('x', 't'),
      connect('a', 't'),
    ]);
    expect(reasons).toEqual([
      'no limit refuses it: uncertified app a holds 0 of 25 tenants; tenant t has 1 of 2 uncertified apps (x; also connected, taking no slot: stripe-feeds); under xero-oauth2-2019',
    ]);
  });

  it('should list only the apps that take a slot as taking one, the others apart, and say what the user can do', async () => {
    const reasons = await lastReasons([
      { type: 'app', app: 'stripe-feeds', certified: true },
      connect('x', 't'),
      connect('y', 't'),
      connect('stripe-feeds', 't'),
      connect('a', 't'),
    ]);
    expect(reasons).toEqual([
      'a would be one uncertified app too many on t: uncertified app a holds 0 of 25 tenants; tenant t has 2 of 2 uncertified apps (x, y; also connected, taking no slot: stripe-feeds); under xero-oauth2-2019; to connect it: ask the organisation t to disconnect one of its uncertified apps (x, y), or certify a (a certified app takes no slot)',
    ]);
  });

  it('should say a certified app takes no slot', async () => {
    const reasons = await lastReasons([
      { type: 'app', app: 'c', certified: true },
      connect('x', 't'),
      connect('y', 't'),
      connect('c', 't'),
    ]);
    expect(reasons).toEqual([
      'no limit refuses it: certified app c holds 0 tenants (no cap); certified app c takes no uncertified slot on t; under xero-oauth2-2019',
    ]);
  });

  it('should never count the deciding app among the uncertified apps, and say a second user is not counted again', async () => {
    const reasons = await lastReasons([connect('x', 't'), connect('a', 't', 'alice'), connect('a', 't', 'bob')]);
    expect(reasons).toEqual([
      'no limit refuses it: t is already held by another user of a (alice), so it is not counted again and a takes no new slot on it; uncertified app a holds 1 of 25 tenants; tenant t has 1 of 2 uncertified apps besides a (x); under xero-oauth2-2019',
    ]);
  });

  it('should say a re-consent adds no tenant, and name the implicit user as one', async () => {
    expect(await lastReasons([connect('a', 't'), connect('a', 't')])).toEqual([
      'the implicit user already connects a to t: a re-consent adds no tenant; uncertified app a holds 1 of 25 tenants; tenant t has 0 of 2 uncertified apps besides a; under xero-oauth2-2019',
    ]);
  });

  it('should say a demo tenant is not counted toward the cap of an app at its cap', async () => {
    const reasons = await lastReasons(
      [{ type: 'tenant', tenant: 'd', kind: 'demo' }, connect('a', 't1'), connect('a', 'd')],
      'xero-oauth2-2019',
      ['appCap=1'],
    );
    expect(reasons).toEqual([
      "no limit refuses it: demo tenant d is not counted toward a's cap, so the cap does not refuse it; uncertified app a holds 1 of 1 tenant; tenant d has 0 of 2 uncertified apps; under xero-oauth2-2019 with appCap=1",
    ]);
  });

  it('should read counts right and end an app-cap refusal with what to do', async () => {
    expect(await lastReasons([connect('a', 't1'), connect('a', 't2')], 'xero-oauth2-2019', ['appCap=1'])).toEqual([
      "t2 would be a new tenant past the cap: uncertified app a holds 1 of 1 tenant; tenant t2 has 0 of 2 uncertified apps; under xero-oauth2-2019 with appCap=1; to connect it: disconnect one of a's tenants, or certify a",
    ]);
    expect(await lastReasons([connect('a', 't1'), connect('a', 't2')], 'xero-tiers-2026', ['starterCap=1'])).toEqual([
      't2 would be a new tenant past the cap: starter app (tier assumed) a holds 1 of 1 tenant; tenant t2 has 0 of 2 uncertified apps; under xero-tiers-2026 with starterCap=1; to connect it: disconnect one of a\'s tenants, or move a to a higher tier; the trace declares no tier for a, so starter is assumed (assumedTier): if it is on another, declare it, e.g. {"type":"tier","app":"a","tier":"core"}',
    ]);
    const declared = [{ type: 'app' as const, app: 'a', tier: 'starter' as const }, connect('a', 't1'), connect('a', 't2')];
    expect(await lastReasons(declared, 'xero-tiers-2026', ['starterCap=1'])).toEqual([
      "t2 would be a new tenant past the cap: starter app a holds 1 of 1 tenant; tenant t2 has 0 of 2 uncertified apps; under xero-tiers-2026 with starterCap=1; to connect it: disconnect one of a's tenants, or move a to a higher tier",
    ]);
  });

  it('should say a disconnect that frees no slot who still holds it, and one that frees it what it frees', async () => {
    const trace = [connect('a', 't', 'alice'), connect('a', 't', 'bob'), disconnect('a', 't', 'alice')];
    expect(await lastReasons(trace)).toEqual([
      "removes alice's connection of a to t; bob still connects a to t, so t still counts toward a's cap and a still takes one of t's uncertified slots; under xero-oauth2-2019",
    ]);
    expect(await lastReasons([...trace, disconnect('a', 't', 'bob')])).toEqual([
      "removes bob's connection of a to t; t no longer counts toward a's cap (uncertified app a holds 0 of 25 tenants), and a frees its uncertified slot on t; under xero-oauth2-2019",
    ]);
  });

  it('should say a revoke that frees no slot who still holds it, with the connections counted right', async () => {
    const reasons = await lastReasons([
      connect('a', 't1', 'alice'),
      connect('a', 't2', 'alice'),
      connect('a', 't1', 'bob'),
      { type: 'revoke', app: 'a', user: 'alice' },
    ]);
    expect(reasons).toEqual([
      "removes alice's 2 connections to a (t1, t2); other users' stay; bob still connects a to t1, so t1 still counts toward a's cap and a still takes one of t1's uncertified slots; under xero-oauth2-2019",
    ]);
  });

  it("should call a refusal in the bug window a platform fault fixed at the window's end", async () => {
    const reasons = await lastReasons(
      [{ type: 'app', app: 'r', at: '2020-02-09T20:00:00+13:00' }, connect('r', 'o1'), connect('r', 'o2'), connect('r', 'demo-company')],
      'xero',
    );
    expect(reasons).toEqual([
      "r would be one uncertified app too many on demo-company: uncertified app r holds 2 of 25 tenants; the bug compares app r's 2 tenants with the limit of 2; under xero-bug-2020-02; this refusal was a platform fault (the February 2020 bug), fixed at the window's end, 2020-02-10 12:00 NZDT: connect again after it",
    ]);
    const one = await lastReasons(
      [{ type: 'app', app: 'r', at: '2020-02-09T20:00:00+13:00' }, connect('r', 'o1'), connect('r', 'o2')],
      'xero',
    );
    expect(one[0]).toContain("the bug compares app r's 1 tenant with the limit of 2");
  });

  it('should name the kind of an app in one place', () => {
    const oauth2 = resolvePolicy('xero-oauth2-2019');
    const tiers = resolvePolicy('xero-tiers-2026');
    expect(appKind(oauth2, defaultApp('a'))).toBe('uncertified app');
    expect(appKind(oauth2, { ...defaultApp('a'), certified: true })).toBe('certified app');
    expect(appKind(tiers, defaultApp('a'))).toBe('starter app (tier assumed)');
    expect(appKind(tiers, { ...defaultApp('a'), tier: 'core' })).toBe('core app');
    expect(appKind(tiers, { ...defaultApp('a'), certified: true })).toBe('plus app (tier assumed)');
  });
});
