import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, resolvePolicy } from '../io/load-policy.ts';
import { builtinPolicy } from './policies.ts';
import { type Policy, tierCap } from './policy.ts';
import { ERAS, policyIdAt, TIERS_REGISTRATION_CUTOFF, TIERS_START, timelineChooser } from './timeline.ts';
import { actions, declaredApp, guards, type AppChanges, type PlatformContext } from './transitions.ts';
import { TIERS, type App } from '../types.ts';
import { appOf, defaultApp, EMPTY_WORLD, withApp, type World } from '../world/world.ts';

const ms = (iso: string) => Date.parse(iso);
const registeredOn = (registered: string | null): App => ({ ...defaultApp('a'), registered });
const beforeTiers = ms('2026-01-10T10:00:00+13:00');

describe('the registration cut-off of the 2026 tiers', () => {
  it('puts an app registered at the cut-off instant on the tiers at once, and one registered a millisecond earlier not', () => {
    expect(policyIdAt(beforeTiers, registeredOn(TIERS_REGISTRATION_CUTOFF))).toBe('xero-tiers-2026');
    expect(policyIdAt(beforeTiers, registeredOn(new Date(ms(TIERS_REGISTRATION_CUTOFF) - 1).toISOString()))).toBe('xero-oauth2-2019');
  });

  it('reads a registration date without a time as UTC midnight: 2025-12-04 is on the tiers, 2025-12-03 is not', () => {
    expect(policyIdAt(beforeTiers, registeredOn('2025-12-04'))).toBe('xero-tiers-2026');
    expect(policyIdAt(beforeTiers, registeredOn('2025-12-03'))).toBe('xero-oauth2-2019');
  });

  it('puts an app with no registration date, and an event about no app, on the era of the instant', () => {
    expect(policyIdAt(beforeTiers, registeredOn(null))).toBe('xero-oauth2-2019');
    expect(policyIdAt(beforeTiers, undefined)).toBe('xero-oauth2-2019');
    expect(policyIdAt(ms(TIERS_START) - 1, registeredOn(null))).toBe('xero-oauth2-2019');
    expect(policyIdAt(ms(TIERS_START), undefined)).toBe('xero-tiers-2026');
  });

  it('names a built-in policy in every era', () => {
    for (const era of ERAS) expect(builtinPolicy(era.policyId)?.id).toBe(era.policyId);
  });

  it('falls back to the first era for a time that is not a number', () => {
    expect(policyIdAt(Number.NaN, registeredOn(null))).toBe('xero-oauth2-2019');
  });

  it('passes each era through the adjustment once, and keeps one policy per era', () => {
    const seen: string[] = [];
    const choose = timelineChooser((p) => {
      seen.push(p.id);
      return { ...p, orgCap: 9 };
    });
    const tiers = choose(null, undefined);
    expect(tiers.id).toBe('xero-tiers-2026');
    expect(tiers.orgCap).toBe(9);
    expect(choose(ms(TIERS_START), undefined)).toBe(tiers);
    expect(choose(beforeTiers, undefined).id).toBe('xero-oauth2-2019');
    expect(seen).toEqual(['xero-tiers-2026', 'xero-oauth2-2019']);
    expect(timelineChooser()(beforeTiers, undefined)).toBe(builtinPolicy('xero-oauth2-2019'));
  });
});

const world = (...apps: App[]) => apps.reduce<World>(withApp, EMPTY_WORLD);
const declare = (w: World, changes: AppChanges, app = 'a') => declaredApp(w, { type: 'app', app, changes });
const certifiedAt = (tier: App['tier']): App => ({ ...defaultApp('a'), certified: true, tier });
const lifecycle = (app: App | null) => (app === null ? null : { certified: app.certified, tier: app.tier });

describe('declaring an app', () => {
  it('leaves a new app declared certified without a tier (the tiers assume one), or on the tier it names', () => {
    expect(lifecycle(declare(EMPTY_WORLD, { certified: true }))).toEqual({ certified: true, tier: null });
    expect(lifecycle(declare(EMPTY_WORLD, { certified: true, tier: 'starter' }))).toEqual({ certified: true, tier: 'starter' });
    expect(lifecycle(declare(EMPTY_WORLD, {}))).toEqual({ certified: false, tier: null });
  });

  it('certifies an existing app through an app event on the tier it already has', () => {
    expect(lifecycle(declare(world({ ...defaultApp('a'), tier: 'core' }), { certified: true }))).toEqual({ certified: true, tier: 'core' });
    expect(lifecycle(declare(world(defaultApp('a')), { certified: true }))).toEqual({ certified: true, tier: null });
  });

  it('leaves a certified app as it is when it is declared certified again', () => {
    expect(lifecycle(declare(world(certifiedAt('advanced')), { certified: true }))).toEqual({ certified: true, tier: 'advanced' });
    expect(lifecycle(declare(world(certifiedAt('starter')), { certified: true }))).toEqual({ certified: true, tier: 'starter' });
    expect(lifecycle(declare(world(certifiedAt('core')), { certified: true, tier: 'enterprise' }))).toEqual({
      certified: true,
      tier: 'enterprise',
    });
  });

  it('refuses to withdraw a certification, and accepts declaring an uncertified app uncertified', () => {
    expect(declare(world(certifiedAt('plus')), { certified: false })).toBeNull();
    expect(declare(world(certifiedAt('plus')), { certified: false, tier: 'plus' })).toBeNull();
    expect(lifecycle(declare(world(defaultApp('a')), { certified: false }))).toEqual({ certified: false, tier: null });
    expect(lifecycle(declare(world(defaultApp('a')), { certified: false, tier: 'core' }))).toEqual({ certified: false, tier: 'core' });
  });

  it('refuses a tier an uncertified app may not hold', () => {
    expect(declare(world(defaultApp('a')), { tier: 'plus' })).toBeNull();
    expect(declare(EMPTY_WORLD, { tier: 'enterprise' })).toBeNull();
  });

  it('applies the plain fields and keeps the rest of an existing app', () => {
    const app = declare(world(certifiedAt('advanced')), { custom: true, auth: 'oauth1', registered: '2025-12-10' });
    expect(app).toEqual({ id: 'a', certified: true, tier: 'advanced', custom: true, auth: 'oauth1', registered: '2025-12-10' });
  });

  it('answers rejected:requirements to a withdrawn certification and keeps the app', () => {
    const policy = builtinPolicy('xero-oauth2-2019') as Policy;
    const c: PlatformContext = { policy, world: world(certifiedAt('plus')), outcome: null };
    const event = { type: 'app' as const, app: 'a', changes: { certified: false } };
    expect(guards.appChangeAllowed(c, event)).toBe(false);
    const after = actions.declareApp(c, event);
    expect(after.outcome).toBe('rejected:requirements');
    expect(appOf(after.world, 'a')).toEqual(certifiedAt('plus'));
    const again = actions.declareApp(c, { type: 'app', app: 'a', changes: { certified: true } });
    expect(again.outcome).toBe('ok');
    expect(appOf(again.world, 'a')).toEqual(certifiedAt('plus'));
  });

  it('certifies with a certify event on the same tier, and certifying a certified app changes nothing', () => {
    const policy = builtinPolicy('xero-tiers-2026') as Policy;
    const core: PlatformContext = { policy, world: world({ ...defaultApp('a'), tier: 'core' }), outcome: null };
    expect(appOf(actions.certifyApp(core, { type: 'certify', app: 'a' }).world, 'a')).toEqual(certifiedAt('core'));
    const done: PlatformContext = { policy, world: world(certifiedAt('advanced')), outcome: null };
    const after = actions.certifyApp(done, { type: 'certify', app: 'a' });
    expect(after.outcome).toBe('ok');
    expect(appOf(after.world, 'a')).toEqual(certifiedAt('advanced'));
  });
});

describe('policy parameters from --set and from a file', () => {
  it('accepts every check order and every bug reading from --set', () => {
    expect(resolvePolicy('xero-oauth2-2019', ['checkOrder=org-first']).checkOrder).toBe('org-first');
    expect(resolvePolicy('xero-tiers-2026', ['checkOrder=app-first']).checkOrder).toBe('app-first');
    for (const reading of ['correct', 'counts-every-app', 'refuses-at-limit', 'counts-app-tenants'])
      expect(resolvePolicy('xero-oauth2-2019', [`orgLimitReading=${reading}`]).orgLimitReading).toBe(reading);
    expect(() => resolvePolicy('xero-oauth2-2019', ['checkOrder=tenant-first'])).toThrow(/unknown value/);
  });

  it('accepts a check order and the open assumptions from a policy file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xcm-policy-')), 'p.json');
    const open = {
      checkOrder: 'org-first',
      demoSubjectToOrgLimit: false,
      reconsentAtCap: false,
      certifiedCap: 'unlimited',
      enterpriseCap: 7,
    };
    writeFileSync(file, JSON.stringify({ id: 'p', extends: 'xero-tiers-2026', ...open }));
    const policy = loadPolicyFile(file);
    expect(policy).toMatchObject({ ...open, certifiedCap: null, tiered: true, starterCap: 5 });
  });

  it('reads the cap of each tier from its own parameter', () => {
    const policy = {
      ...(builtinPolicy('xero-tiers-2026') as Policy),
      starterCap: 1,
      coreCap: 2,
      plusCap: 3,
      advancedCap: 4,
      enterpriseCap: 5,
    };
    expect(TIERS.map((tier) => tierCap(policy, tier))).toEqual([1, 2, 3, 4, 5]);
  });
});
