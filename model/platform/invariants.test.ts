import { describe, expect, it } from 'vitest';
import { brokenInvariants, INVARIANTS } from './invariants.ts';
import { builtinPolicy } from './policies.ts';
import type { Policy } from './policy.ts';
import type { PlatformContext, PlatformEvent } from './transitions.ts';
import type { App, Outcome } from '../types.ts';
import {
  currentAuthEventId,
  defaultApp,
  withConnection,
  withNewAuthEvent,
  withoutConnection,
  withoutUserOfApp,
  worldOf,
  type World,
  type WorldSpec,
} from '../world/world.ts';

const oauth2 = builtinPolicy('xero-oauth2-2019') as Policy;
const bug = builtinPolicy('xero-bug-2020-02') as Policy;

const ctx = (world: World, outcome: Outcome | null = null, policy: Policy = oauth2): PlatformContext => ({ policy, world, outcome });
const connect = (app: string, tenant: string, user = 'u1'): PlatformEvent => ({ type: 'connect', app, tenant, user, at: null });
const certified: App = { ...defaultApp('cert'), certified: true, tier: 'plus' };

/** The world with one more connection of the current consent. */
function plus(world: World, app: string, tenant: string, user = 'u1', authEventId = currentAuthEventId(world)): World {
  const serial = 100;
  return withConnection(world, app, tenant, user, { id: `c${serial}`, authEventId, createdDateUtc: null, updatedDateUtc: null }, serial);
}

/** Whether the named invariant holds on the step. */
function holds(name: string, before: PlatformContext, event: PlatformEvent, after: PlatformContext): boolean {
  const invariant = INVARIANTS.find((i) => i.name === name);
  if (invariant === undefined) throw new Error(`no invariant ${name}`);
  return invariant.holds(before, event, after);
}

/** The spec with every app and tenant it or the event names declared (defaults where not given). */
function declared(spec: WorldSpec, event: PlatformEvent): WorldSpec {
  const idOf = (x: string | { id: string }) => (typeof x === 'string' ? x : x.id);
  const apps = [...(spec.apps ?? [])];
  const tenants = [...(spec.tenants ?? [])];
  const named: Array<readonly [string, string, ...string[]]> =
    event.type === 'connect' || event.type === 'disconnect' ? [[event.app, event.tenant]] : [];
  const links: Array<readonly [string, string, ...string[]]> = [...(spec.connections ?? []), ...named, ['', 't2'], ['', 't3']];
  for (const [app, tenant] of links) {
    if (app !== undefined && app !== '' && !apps.some((a) => idOf(a) === app)) apps.push(app);
    if (tenant !== undefined && !tenants.some((t) => idOf(t) === tenant)) tenants.push(tenant);
  }
  return { ...spec, apps, tenants };
}

/** A step from `spec` by `event` that ends in `world` with `outcome`, under `policy`. */
function stepFrom(spec: WorldSpec, event: PlatformEvent, after: (w: World) => World, outcome: Outcome, policy: Policy = oauth2) {
  const world = worldOf(declared(spec, event));
  return [ctx(world, null, policy), event, ctx(after(world), outcome, policy)] as const;
}

describe('the invariants judge single steps', () => {
  it('appWithinCap: a connect may reach the cap, not pass it; a step that adds no counted tenant is never judged', () => {
    const capped = (appCap: number) => ({ ...oauth2, appCap });
    const spec = { connections: [['a', 't1', 'u1']] as const };
    expect(holds('appWithinCap', ...stepFrom(spec, connect('a', 't2'), (w) => plus(w, 'a', 't2'), 'connected', capped(1)))).toBe(false);
    expect(holds('appWithinCap', ...stepFrom(spec, connect('a', 't2'), (w) => plus(w, 'a', 't2'), 'connected', capped(2)))).toBe(true);
    const over = {
      connections: [
        ['a', 't1', 'u1'],
        ['a', 't2', 'u1'],
      ] as const,
    };
    expect(
      holds('appWithinCap', ...stepFrom(over, connect('a', 't1', 'u2'), (w) => plus(w, 'a', 't1', 'u2'), 'connected', capped(1))),
    ).toBe(true);
    const oauth1 = { apps: [{ ...defaultApp('a'), auth: 'oauth1' as const }], ...spec };
    expect(holds('appWithinCap', ...stepFrom(oauth1, connect('a', 't2'), (w) => plus(w, 'a', 't2'), 'connected', capped(1)))).toBe(true);
    const cert = { apps: [certified], connections: [['cert', 't1', 'u1']] as const };
    expect(holds('appWithinCap', ...stepFrom(cert, connect('cert', 't2'), (w) => plus(w, 'cert', 't2'), 'connected', capped(0)))).toBe(
      true,
    );
  });

  it('tenantWithinUncertifiedLimit: a tenant may reach its limit of uncertified apps, not pass it', () => {
    const two = {
      connections: [
        ['u1', 't', 'x'],
        ['u2', 't', 'x'],
      ] as const,
    };
    expect(holds('tenantWithinUncertifiedLimit', ...stepFrom(two, connect('u3', 't'), (w) => plus(w, 'u3', 't'), 'connected'))).toBe(false);
    const one = { connections: [['u1', 't', 'x']] as const };
    expect(holds('tenantWithinUncertifiedLimit', ...stepFrom(one, connect('u2', 't'), (w) => plus(w, 'u2', 't'), 'connected'))).toBe(true);
    const three = {
      connections: [
        ['u1', 't', 'x'],
        ['u2', 't', 'x'],
        ['u3', 't', 'x'],
      ] as const,
    };
    expect(holds('tenantWithinUncertifiedLimit', ...stepFrom(three, connect('u1', 't'), (w) => plus(w, 'u1', 't', 'y'), 'connected'))).toBe(
      true,
    );
  });

  it('certifiedAppsNeverTakeOrgSlots: only an app that takes a slot may be refused by the organisation limit', () => {
    const spec = { apps: [certified, 'a'] };
    expect(holds('certifiedAppsNeverTakeOrgSlots', ...stepFrom(spec, connect('cert', 't'), (w) => w, 'rejected:org-limit'))).toBe(false);
    expect(holds('certifiedAppsNeverTakeOrgSlots', ...stepFrom(spec, connect('a', 't'), (w) => w, 'rejected:org-limit'))).toBe(true);
    expect(holds('certifiedAppsNeverTakeOrgSlots', ...stepFrom(spec, connect('cert', 't'), (w) => w, 'rejected:app-limit'))).toBe(true);
  });

  it('demoTenantsNeverCountTowardAppCap: a new demo tenant is never refused by the cap, unless demo tenants count', () => {
    const spec = { tenants: [{ id: 'd', kind: 'demo' as const }, 'o'] };
    const refused = (event: PlatformEvent, policy: Policy = oauth2) => stepFrom(spec, event, (w) => w, 'rejected:app-limit', policy);
    expect(holds('demoTenantsNeverCountTowardAppCap', ...refused(connect('a', 'd')))).toBe(false);
    expect(holds('demoTenantsNeverCountTowardAppCap', ...refused(connect('a', 'o')))).toBe(true);
    expect(holds('demoTenantsNeverCountTowardAppCap', ...refused(connect('a', 'd'), { ...oauth2, demoCountsTowardAppCap: true }))).toBe(
      true,
    );
    const reconsent = { ...spec, connections: [['a', 'd', 'u1']] as const };
    expect(holds('demoTenantsNeverCountTowardAppCap', ...stepFrom(reconsent, connect('a', 'd'), (w) => w, 'rejected:app-limit'))).toBe(
      true,
    );
    expect(holds('demoTenantsNeverCountTowardAppCap', ...stepFrom(spec, connect('a', 'd'), (w) => w, 'rejected:org-limit'))).toBe(true);
  });

  it('usersOnOneTenantCountOnce: a second user of an app on a tenant it holds is never refused', () => {
    const spec = { connections: [['a', 't', 'u1']] as const };
    for (const outcome of ['rejected:app-limit', 'rejected:org-limit'] as const) {
      expect(holds('usersOnOneTenantCountOnce', ...stepFrom(spec, connect('a', 't', 'u2'), (w) => w, outcome))).toBe(false);
      expect(holds('usersOnOneTenantCountOnce', ...stepFrom(spec, connect('a', 't', 'u1'), (w) => w, outcome))).toBe(true);
      expect(holds('usersOnOneTenantCountOnce', ...stepFrom(spec, connect('a', 't2', 'u2'), (w) => w, outcome))).toBe(true);
    }
    expect(
      holds('usersOnOneTenantCountOnce', ...stepFrom(spec, connect('a', 't', 'u2'), (w) => plus(w, 'a', 't', 'u2'), 'connected')),
    ).toBe(true);
  });

  it('refusalsAreRequired: a refusal must be the one the rules require, judged by the correct organisation check', () => {
    const capOne = { ...oauth2, appCap: 1 };
    const held = { connections: [['a', 't1', 'u1']] as const };
    expect(holds('refusalsAreRequired', ...stepFrom(held, connect('a', 't2'), (w) => w, 'rejected:app-limit', capOne))).toBe(true);
    expect(holds('refusalsAreRequired', ...stepFrom(held, connect('a', 't2'), (w) => w, 'rejected:app-limit'))).toBe(false);
    expect(holds('refusalsAreRequired', ...stepFrom(held, connect('a', 't1'), (w) => w, 'rejected:app-limit', capOne))).toBe(false);
    const strict = { ...capOne, reconsentAtCap: false };
    expect(holds('refusalsAreRequired', ...stepFrom(held, connect('a', 't1'), (w) => w, 'rejected:app-limit', strict))).toBe(true);
    const full = {
      connections: [
        ['u1', 't', 'x'],
        ['u2', 't', 'x'],
      ] as const,
    };
    expect(holds('refusalsAreRequired', ...stepFrom(full, connect('u3', 't'), (w) => w, 'rejected:org-limit'))).toBe(true);
    expect(holds('refusalsAreRequired', ...stepFrom(full, connect('u1', 't', 'x'), (w) => w, 'rejected:org-limit'))).toBe(false);
    const half = { connections: [['u1', 't', 'x']] as const };
    expect(holds('refusalsAreRequired', ...stepFrom(half, connect('u3', 't'), (w) => w, 'rejected:org-limit'))).toBe(false);
    // The bug's reading refuses app `a` (two tenants held) a tenant with one uncertified app: not required.
    const bugSpec = {
      connections: [
        ['a', 't1', 'u1'],
        ['a', 't2', 'u1'],
        ['u1', 't', 'x'],
      ] as const,
    };
    expect(holds('refusalsAreRequired', ...stepFrom(bugSpec, connect('a', 't'), (w) => w, 'rejected:org-limit', bug))).toBe(false);
    expect(holds('refusalsAreRequired', ...stepFrom(half, connect('u3', 't'), (w) => w, 'connected'))).toBe(true);
  });

  it('onlyDisconnectOrRevokeRemoves: a disconnect removes the one named, a revoke only that user of that app, nothing else removes', () => {
    const spec = {
      connections: [
        ['a', 't1', 'u1'],
        ['a', 't2', 'u1'],
        ['a', 't1', 'u2'],
        ['b', 't1', 'u1'],
      ] as const,
    };
    const disconnect: PlatformEvent = { type: 'disconnect', app: 'a', tenant: 't1', user: 'u1' };
    const revoke: PlatformEvent = { type: 'revoke', app: 'a', user: 'u1' };
    const certify: PlatformEvent = { type: 'certify', app: 'a' };
    const drop = (app: string, tenant: string, user: string) => (w: World) => withoutConnection(w, app, tenant, user);
    expect(holds('onlyDisconnectOrRevokeRemoves', ...stepFrom(spec, disconnect, drop('a', 't1', 'u1'), 'disconnected'))).toBe(true);
    expect(holds('onlyDisconnectOrRevokeRemoves', ...stepFrom(spec, disconnect, drop('a', 't1', 'u2'), 'disconnected'))).toBe(false);
    expect(holds('onlyDisconnectOrRevokeRemoves', ...stepFrom(spec, revoke, (w) => withoutUserOfApp(w, 'a', 'u1'), 'revoked'))).toBe(true);
    expect(holds('onlyDisconnectOrRevokeRemoves', ...stepFrom(spec, revoke, drop('a', 't1', 'u2'), 'revoked'))).toBe(false);
    expect(holds('onlyDisconnectOrRevokeRemoves', ...stepFrom(spec, revoke, drop('b', 't1', 'u1'), 'revoked'))).toBe(false);
    expect(holds('onlyDisconnectOrRevokeRemoves', ...stepFrom(spec, certify, (w) => w, 'ok'))).toBe(true);
    expect(holds('onlyDisconnectOrRevokeRemoves', ...stepFrom(spec, certify, drop('a', 't2', 'u1'), 'ok'))).toBe(false);
  });

  it("revokeRemovesExactlyThatUsersConnections: every connection of that user to that app goes, no other's", () => {
    const spec = {
      connections: [
        ['a', 't1', 'u1'],
        ['a', 't2', 'u1'],
        ['a', 't1', 'u2'],
        ['b', 't1', 'u1'],
      ] as const,
    };
    const revoke: PlatformEvent = { type: 'revoke', app: 'a', user: 'u1' };
    const exact = (w: World) => withoutUserOfApp(w, 'a', 'u1');
    expect(holds('revokeRemovesExactlyThatUsersConnections', ...stepFrom(spec, revoke, exact, 'revoked'))).toBe(true);
    expect(
      holds('revokeRemovesExactlyThatUsersConnections', ...stepFrom(spec, revoke, (w) => withoutConnection(w, 'a', 't1', 'u1'), 'revoked')),
    ).toBe(false);
    expect(
      holds(
        'revokeRemovesExactlyThatUsersConnections',
        ...stepFrom(spec, revoke, (w) => withoutConnection(exact(w), 'a', 't1', 'u2'), 'revoked'),
      ),
    ).toBe(false);
    expect(holds('revokeRemovesExactlyThatUsersConnections', ...stepFrom(spec, revoke, (w) => w, 'revoked'))).toBe(false);
    // As many removed as expected, but one of them another user's, and one of that user's left.
    const swapped = (w: World) => withoutConnection(withoutConnection(w, 'a', 't1', 'u1'), 'a', 't1', 'u2');
    expect(holds('revokeRemovesExactlyThatUsersConnections', ...stepFrom(spec, revoke, swapped, 'revoked'))).toBe(false);
    const disconnect: PlatformEvent = { type: 'disconnect', app: 'a', tenant: 't1', user: 'u1' };
    expect(holds('revokeRemovesExactlyThatUsersConnections', ...stepFrom(spec, disconnect, (w) => w, 'not-connected'))).toBe(true);
  });

  it("oneConsentSharesOneAuthEvent: a connection made or renewed carries the consent's authEventId, unless a re-consent keeps the old one", () => {
    const spec = { connections: [['a', 't1', 'u1']] as const };
    const fresh = (w: World) => plus(withNewAuthEvent(w), 'a', 't2');
    const stale = (w: World) => plus(withNewAuthEvent(w), 'a', 't2', 'u1', currentAuthEventId(w));
    expect(holds('oneConsentSharesOneAuthEvent', ...stepFrom(spec, connect('a', 't2'), fresh, 'connected'))).toBe(true);
    expect(holds('oneConsentSharesOneAuthEvent', ...stepFrom(spec, connect('a', 't2'), stale, 'connected'))).toBe(false);
    expect(holds('oneConsentSharesOneAuthEvent', ...stepFrom(spec, connect('a', 't2'), stale, 'reconnected'))).toBe(false);
    const keeps = { ...oauth2, reconsentTakesNewAuthEvent: false };
    expect(holds('oneConsentSharesOneAuthEvent', ...stepFrom(spec, connect('a', 't2'), stale, 'reconnected', keeps))).toBe(true);
    expect(holds('oneConsentSharesOneAuthEvent', ...stepFrom(spec, connect('a', 't3'), stale, 'reconnected', keeps))).toBe(false);
    expect(holds('oneConsentSharesOneAuthEvent', ...stepFrom(spec, connect('a', 't2'), stale, 'connected', keeps))).toBe(false);
    expect(holds('oneConsentSharesOneAuthEvent', ...stepFrom(spec, connect('a', 't2'), stale, 'rejected:app-limit'))).toBe(true);
  });

  it('brokenInvariants names every invariant a step breaks, and none of a step that keeps them', () => {
    const spec = { connections: [['a', 't', 'u1']] as const };
    expect(brokenInvariants(...stepFrom(spec, connect('a', 't', 'u2'), (w) => w, 'rejected:org-limit'))).toEqual([
      'usersOnOneTenantCountOnce',
      'refusalsAreRequired',
    ]);
    expect(brokenInvariants(...stepFrom(spec, connect('a', 't', 'u2'), (w) => plus(w, 'a', 't', 'u2'), 'connected'))).toEqual([]);
  });
});
