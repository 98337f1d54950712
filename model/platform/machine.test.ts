import { describe, expect, it } from 'vitest';
import { Driver } from '../engine/driver.ts';
import { MODEL_IMPLEMENTATIONS, platformMachine, type PlatformImplementations } from './machine.ts';
import { builtinPolicy } from './policies.ts';
import type { Policy } from './policy.ts';
import * as rules from './rules.ts';
import { createModel, machineEngine, MODEL, type Model } from '../engine/step.ts';
import { timelineChooser } from './timeline.ts';
import type { PlatformContext, PlatformEvent } from './transitions.ts';
import type { Outcome, TraceEvent } from '../types.ts';
import {
  allConnections,
  appOf,
  connectionOf,
  linkedApps,
  usersOf,
  withApp,
  withoutConnection,
  withoutUserOfApp,
  type World,
} from '../world/world.ts';

const oauth2 = builtinPolicy('xero-oauth2-2019') as Policy;
const tiers = builtinPolicy('xero-tiers-2026') as Policy;

type Connect = Extract<PlatformEvent, { type: 'connect' }>;
const { guards, actions } = MODEL_IMPLEMENTATIONS;

function mutant(change: {
  guards?: Partial<PlatformImplementations['guards']>;
  actions?: Partial<PlatformImplementations['actions']>;
}): Model {
  return createModel({ guards: { ...guards, ...change.guards }, actions: { ...actions, ...change.actions } });
}

const asOAuth2 = (c: PlatformContext, app: string): PlatformContext => ({
  ...c,
  world: withApp(c.world, { ...appOf(c.world, app), auth: 'oauth2' }),
});
/** The world without any connection of the app (every user's). */
function dropAppLinks(world: World, app: string): World {
  let w = world;
  for (const c of [...allConnections(world)]) if (c.app === app) w = withoutUserOfApp(w, app, c.user);
  return w;
}

/** Deliberately broken models, one per rule below. */
const MUTANTS = {
  appCapIgnored: mutant({ guards: { appLimitRefuses: () => false } }),
  usersCountedAgain: mutant({
    guards: {
      appLimitRefuses: (c: PlatformContext, e: Connect) => {
        const cap = rules.appCap(c.policy, appOf(c.world, e.app));
        const users = [...allConnections(c.world)].filter((x) => x.app === e.app).length;
        return cap !== null && users >= cap;
      },
    },
  }),
  demoCounted: mutant({
    guards: {
      appLimitRefuses: (c: PlatformContext, e: Connect) =>
        guards.appLimitRefuses({ ...c, policy: { ...c.policy, demoCountsTowardAppCap: true } }, e),
    },
  }),
  orgLimitIgnored: mutant({ guards: { orgLimitRefuses: () => false } }),
  everyAppCounted: mutant({
    guards: {
      orgLimitRefuses: (c: PlatformContext, e: Connect) =>
        guards.bugOrgLimitRefuses({ ...c, policy: { ...c.policy, orgLimitReading: 'counts-every-app' } }, e),
    },
  }),
  certifiedCountedOnCore: mutant({
    guards: {
      // Under the tiers, counts every app on the tenant, so a certified app on Core takes a slot.
      orgLimitRefuses: (c: PlatformContext, e: Connect) =>
        guards.bugOrgLimitRefuses({ ...c, policy: { ...c.policy, orgLimitReading: c.policy.tiered ? 'counts-every-app' : 'correct' } }, e),
    },
  }),
  bugNotModelled: mutant({
    guards: { bugAppLimitRefuses: guards.appLimitRefuses, bugOrgLimitRefuses: guards.orgLimitRefuses },
  }),
  reconsentUnseen: mutant({ guards: { isReconsent: () => false, reconsentRefused: () => false } }),
  oneAuthEventForAll: mutant({ actions: { beginConsent: (c: PlatformContext) => ({ ...c, outcome: 'ok' }) } }),
  oauth1Limited: mutant({
    guards: {
      isOutsideLimits: () => false,
      appLimitRefuses: (c: PlatformContext, e: Connect) => guards.appLimitRefuses(asOAuth2(c, e.app), e),
      orgLimitRefuses: (c: PlatformContext, e: Connect) => guards.orgLimitRefuses(asOAuth2(c, e.app), e),
    },
  }),
  disconnectRemovesTenant: mutant({
    actions: {
      removeConnection: (c: PlatformContext, e: Extract<PlatformEvent, { type: 'disconnect' }>) => {
        let world = c.world;
        for (const user of usersOf(c.world, e.app, e.tenant)) world = withoutConnection(world, e.app, e.tenant, user);
        return { ...c, world, outcome: 'disconnected' };
      },
    },
  }),
  revokeRemovesEveryUser: mutant({
    actions: {
      revokeUser: (c: PlatformContext, e: Extract<PlatformEvent, { type: 'revoke' }>) => ({
        ...c,
        world: dropAppLinks(c.world, e.app),
        outcome: 'revoked',
      }),
    },
  }),
  revokeRemovesOtherApps: mutant({
    actions: {
      revokeUser: (c: PlatformContext, e: Extract<PlatformEvent, { type: 'revoke' }>) => {
        let world = c.world;
        for (const app of linkedApps(c.world)) world = withoutUserOfApp(world, app, e.user);
        return { ...c, world, outcome: 'revoked' };
      },
    },
  }),
  certifyDropsConnections: mutant({
    actions: {
      certifyApp: (c: PlatformContext, e: Extract<PlatformEvent, { type: 'certify' }>) => {
        const after = actions.certifyApp(c, e);
        return { ...after, world: dropAppLinks(after.world, e.app) };
      },
    },
  }),
  tierDropsConnections: mutant({
    actions: {
      changeTier: (c: PlatformContext, e: Extract<PlatformEvent, { type: 'tier' }>) => {
        const after = actions.changeTier(c, e);
        return { ...after, world: dropAppLinks(after.world, e.app) };
      },
    },
  }),
  tierRequirementsIgnored: mutant({ guards: { tierAllowed: () => true } }),
};

const connect = (app: string, tenant: string | string[], user?: string, at?: string): TraceEvent => ({
  type: 'connect',
  app,
  tenants: Array.isArray(tenant) ? tenant : [tenant],
  ...(user === undefined ? {} : { user }),
  ...(at === undefined ? {} : { at }),
});
const fill = (app: string, n: number, prefix = 'org'): TraceEvent[] =>
  Array.from({ length: n }, (_, i) => connect(app, `${prefix}${i + 1}`));

/** Replay events through the XState machine itself; returns the outcomes and the final context. */
function play(events: TraceEvent[], policy: Policy | 'timeline', model: Model) {
  const start = policy === 'timeline' ? oauth2 : policy;
  const driver = new Driver(machineEngine({ policy: start }, model), policy === 'timeline' ? timelineChooser() : () => policy);
  const outcomes: Outcome[][] = events.map((e) => driver.apply(e).outcomes);
  return { outcomes, context: driver.engine.context, last: outcomes.at(-1) };
}

const connectionsOf = (c: PlatformContext) => [...allConnections(c.world)].map((x) => `${x.user}/${x.app}/${x.tenant}`).sort();

interface RuleCase {
  rule: string;
  mutant: keyof typeof MUTANTS;
  observe: (m: Model) => unknown;
  expected: unknown;
}

const CASES: RuleCase[] = [
  {
    rule: 'refuses the 26th tenant of an uncertified app with rejected:app-limit',
    mutant: 'appCapIgnored',
    observe: (m) => play(fill('A', 26), oauth2, m).last,
    expected: ['rejected:app-limit'],
  },
  {
    rule: 'counts several users on one tenant once',
    mutant: 'usersCountedAgain',
    observe: (m) => play([...fill('A', 24), connect('A', 'org1', 'u2'), connect('A', 'org25')], oauth2, m).outcomes.slice(-2),
    expected: [['connected'], ['connected']],
  },
  {
    rule: "does not count demo tenants toward an app's cap",
    mutant: 'demoCounted',
    observe: (m) => play([{ type: 'tenant', tenant: 'demo', kind: 'demo' }, connect('A', 'demo'), ...fill('A', 25)], oauth2, m).last,
    expected: ['connected'],
  },
  {
    rule: 'refuses a third uncertified app on one organisation with rejected:org-limit',
    mutant: 'orgLimitIgnored',
    observe: (m) => play([connect('A', 'T'), connect('B', 'T'), connect('C', 'T')], oauth2, m).last,
    expected: ['rejected:org-limit'],
  },
  {
    rule: 'never counts certified apps or custom connections toward the organisation limit',
    mutant: 'everyAppCounted',
    observe: (m) =>
      play(
        [
          { type: 'app', app: 'S', certified: true },
          { type: 'app', app: 'K', custom: true },
          connect('S', 'T'),
          connect('K', 'T'),
          connect('A', 'T'),
          connect('B', 'T'),
        ],
        oauth2,
        m,
      ).outcomes.slice(-2),
    expected: [['connected'], ['connected']],
  },
  {
    rule: 'never counts a certified app toward an organisation limit under the 2026 tiers, even on Core',
    mutant: 'certifiedCountedOnCore',
    observe: (m) =>
      play([{ type: 'app', app: 'A', certified: true, tier: 'core' }, connect('A', 'T'), connect('B', 'T'), connect('C', 'T')], tiers, m)
        .last,
    expected: ['connected'],
  },
  {
    rule: 'refuses, in the bug window, a demo company to an app already on two tenants, and accepts it the next morning',
    mutant: 'bugNotModelled',
    observe: (m) =>
      play(
        [
          { type: 'tenant', tenant: 'demo', kind: 'demo' },
          connect('A', 'org1', undefined, '2020-02-01T10:00:00+13:00'),
          connect('A', 'org2'),
          connect('A', 'demo', undefined, '2020-02-09T20:00:00+13:00'),
          connect('A', 'demo', undefined, '2020-02-10T13:00:00+13:00'),
        ],
        'timeline',
        m,
      ).outcomes.slice(-2),
    expected: [['rejected:org-limit'], ['connected']],
  },
  {
    rule: 'gives reconnected to a re-consent, even at the cap',
    mutant: 'reconsentUnseen',
    observe: (m) => play([...fill('A', 25), connect('A', 'org3')], oauth2, m).last,
    expected: ['reconnected'],
  },
  {
    rule: 'shares one authEventId across the tenants of one consent, and no other',
    mutant: 'oneAuthEventForAll',
    observe: (m) => {
      const { context } = play([connect('A', ['t1', 't2']), connect('A', 't3')], oauth2, m);
      const ids = ['t1', 't2', 't3'].map((t) => connectionOf(context.world, 'A', t, 'user')?.authEventId);
      return [ids[0] === ids[1], ids[1] === ids[2]];
    },
    expected: [true, false],
  },
  {
    rule: 'never counts or refuses an OAuth 1.0a app',
    mutant: 'oauth1Limited',
    observe: (m) => [
      ...new Set(
        play([{ type: 'app', app: 'O', auth: 'oauth1' }, connect('A', 'org1'), connect('B', 'org1'), ...fill('O', 26)], oauth2, m)
          .outcomes.slice(3)
          .flat(),
      ),
    ],
    expected: ['connected'],
  },
  {
    rule: "removes only that user's connection on disconnect",
    mutant: 'disconnectRemovesTenant',
    observe: (m) =>
      connectionsOf(
        play([connect('A', 'T', 'u1'), connect('A', 'T', 'u2'), { type: 'disconnect', app: 'A', tenant: 'T', user: 'u1' }], oauth2, m)
          .context,
      ),
    expected: ['u2/A/T'],
  },
  {
    rule: "removes every connection of that user to that app on revoke, and no other user's",
    mutant: 'revokeRemovesEveryUser',
    observe: (m) =>
      connectionsOf(
        play([connect('A', ['T1', 'T2'], 'u1'), connect('A', 'T1', 'u2'), { type: 'revoke', app: 'A', user: 'u1' }], oauth2, m).context,
      ),
    expected: ['u2/A/T1'],
  },
  {
    rule: "leaves the user's connections to other apps on revoke",
    mutant: 'revokeRemovesOtherApps',
    observe: (m) =>
      connectionsOf(play([connect('A', 'T', 'u1'), connect('B', 'T', 'u1'), { type: 'revoke', app: 'A', user: 'u1' }], oauth2, m).context),
    expected: ['u1/B/T'],
  },
  {
    rule: 'keeps every connection through certification',
    mutant: 'certifyDropsConnections',
    observe: (m) => connectionsOf(play([connect('A', 'T'), { type: 'certify', app: 'A' }], oauth2, m).context),
    expected: ['user/A/T'],
  },
  {
    rule: 'keeps connections above a lowered cap and refuses new ones',
    mutant: 'tierDropsConnections',
    observe: (m) => {
      const { context, last } = play(
        [{ type: 'tier', app: 'A', tier: 'core' }, ...fill('A', 6), { type: 'tier', app: 'A', tier: 'starter' }, connect('A', 'org7')],
        tiers,
        m,
      );
      return [connectionsOf(context).length, last];
    },
    expected: [6, ['rejected:app-limit']],
  },
  {
    rule: 'refuses Plus to an uncertified app with rejected:requirements',
    mutant: 'tierRequirementsIgnored',
    observe: (m) => play([{ type: 'tier', app: 'A', tier: 'plus' }], tiers, m).last,
    expected: ['rejected:requirements'],
  },
];

describe('the platform machine', () => {
  for (const c of CASES) {
    it(c.rule, () => expect(c.observe(MODEL)).toEqual(c.expected));
  }
});

describe('each rule test has teeth', () => {
  for (const c of CASES) {
    it(`fails against the mutant ${c.mutant}: ${c.rule}`, () => expect(c.observe(MUTANTS[c.mutant])).not.toEqual(c.expected));
  }

  it('uses every mutant', () => {
    expect(new Set(CASES.map((c) => c.mutant))).toEqual(new Set(Object.keys(MUTANTS)));
  });
});

describe('the reconsentAtCap switch', () => {
  it('refuses a re-consent at the cap when switched off', () => {
    expect(play([...fill('A', 25), connect('A', 'org3')], { ...oauth2, reconsentAtCap: false }, MODEL).last).toEqual([
      'rejected:app-limit',
    ]);
  });
});

describe('the regimes', () => {
  const nameOf = (guard: unknown) => (typeof guard === 'string' ? guard : ((guard as { type?: string } | undefined)?.type ?? 'otherwise'));
  const guardsOf = (regime: 'normal' | 'bugWindow') =>
    (platformMachine.states[regime]?.transitions.get('connect') ?? []).map((t) => nameOf(t.guard));

  it('should decide a connect in each regime by transitions of its own, the bug only in the bug window', () => {
    expect(guardsOf('normal')).toContain('orgLimitRefuses');
    expect(guardsOf('bugWindow')).toContain('bugOrgLimitRefuses');
    expect(guardsOf('normal').filter((g) => g.startsWith('bug'))).toEqual([]);
    expect(guardsOf('bugWindow')).not.toEqual(guardsOf('normal'));
    expect(platformMachine.root.transitions.has('connect')).toBe(false);
  });

  it('should refuse in the bug window what the normal regime allows, and allow it again after the fix', () => {
    const bug = builtinPolicy('xero-bug-2020-02') as Policy;
    const correct = builtinPolicy('xero-oauth2-2019') as Policy;
    const engine = machineEngine({ policy: correct });
    const driver = new Driver(engine, (atMs) => (atMs !== null && atMs < Date.parse('2020-02-10T00:00:00Z') ? bug : correct));
    const at = (day: string) => `2020-02-${day}T00:00:00Z`;
    const outcomes = [
      driver.apply({ type: 'connect', app: 'a', tenants: ['t1'], at: at('09') }, false).outcomes,
      driver.apply({ type: 'connect', app: 'a', tenants: ['t2'], at: at('09') }, false).outcomes,
      driver.apply({ type: 'connect', app: 'a', tenants: ['t3'], at: at('09') }, false).outcomes,
    ];
    expect(engine.regime).toBe('bugWindow');
    expect(outcomes.flat()).toEqual(['connected', 'connected', 'rejected:org-limit']);
    expect(driver.apply({ type: 'connect', app: 'a', tenants: ['t3'], at: at('11') }, false).outcomes).toEqual(['connected']);
    expect(engine.regime).toBe('normal');
  });
});
