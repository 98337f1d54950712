import { describe, expect, it } from 'vitest';
import { plainBfs } from '../../bench/explore.ts';
import { DEFAULT_BOUNDS, explore, type Bounds } from './explore.ts';
import { arenaOf } from './bounds.ts';
import { StateKeys } from './symmetry.ts';
import { InputError } from '../errors.ts';
import { INVARIANTS } from '../platform/invariants.ts';
import { MODEL_IMPLEMENTATIONS } from '../platform/machine.ts';
import { check } from '../oracle/oracle.ts';
import { builtinPolicy } from '../platform/policies.ts';
import type { Policy } from '../platform/policy.ts';
import { createModel } from '../engine/step.ts';
import type { TraceEvent } from '../types.ts';

function policy(id: string, changes: Partial<Policy> = {}): Policy {
  const found = builtinPolicy(id);
  if (found === undefined) throw new Error(`no policy ${id}`);
  return { ...found, ...changes };
}

const SCALED = policy('xero-oauth2-2019', { appCap: 2, orgCap: 2 });
const TIERS = policy('xero-tiers-2026', { starterCap: 1, coreCap: 2, plusCap: 3 });

const lines = (trace: readonly TraceEvent[]) => trace.map((event, i) => ({ line: i + 1, event }));

describe('explore: pinned state counts (a change to the state space shows up here)', () => {
  const cases: Array<[string, Policy, Bounds, number, number]> = [
    // label, policy, bounds, states without symmetry, states with symmetry
    ['caps 2/2, 2 apps x 2 tenants x 2 users', SCALED, { apps: 2, tenants: 2, users: 2 }, 1024, 168],
    ['caps 2/2, 3 apps x 3 tenants x 1 user', SCALED, { apps: 3, tenants: 3, users: 1 }, 3297, 168],
    ['real caps, the default bounds (3 apps x 3 tenants x 1 user)', policy('xero-oauth2-2019'), DEFAULT_BOUNDS, 3927, 207],
    // An app that declared no tier is a state of its own (the tiers assume one for it), beside each declared tier.
    ['tiers scaled to 1/2/3, 2 apps x 3 tenants x 1 user, tier moves', TIERS, { apps: 2, tenants: 3, users: 1 }, 4356, 681],
    ['caps 2/2, two-tenant consents, 2 apps x 3 tenants x 1 user', SCALED, { apps: 2, tenants: 3, users: 1, pairs: true }, 225, 38],
    [
      'caps 2/2, OAuth 1.0a app and practices',
      SCALED,
      { apps: 2, tenants: 2, users: 1, appKinds: ['uncertified', 'oauth1'], tenantKinds: ['practice'] },
      64,
      40,
    ],
    [
      'caps 2/2, one app and tenant of each kind: nothing to rename',
      SCALED,
      { apps: 3, tenants: 2, users: 1, appKinds: ['uncertified', 'certified', 'custom'], tenantKinds: ['organisation', 'demo'] },
      256,
      256,
    ],
  ];
  for (const [label, p, bounds, plain, reduced] of cases) {
    it(`should reach ${plain} states without symmetry and ${reduced} with it: ${label}`, () => {
      const without = explore(p, bounds, { symmetry: false });
      const withSymmetry = explore(p, bounds);
      expect([without.states, withSymmetry.states]).toEqual([plain, reduced]);
      expect(without.violation).toBeNull();
      expect(withSymmetry.violation).toBeNull();
      expect([without.symmetryReduced, withSymmetry.symmetryReduced, without.complete]).toEqual([false, true, true]);
    });
  }

  it('should reach 1502 states with symmetry at real caps on 3 apps x 2 tenants x 2 users (30,041 without)', () => {
    const result = explore(policy('xero-oauth2-2019'), { apps: 3, tenants: 2, users: 2 });
    expect([result.states, result.transitions, result.depth]).toEqual([1502, 49566, 15]);
  });

  it('should reach 1778 states with symmetry on 4 apps x 4 tenants at caps 2/2, where the plain count is 508,143', () => {
    const result = explore(SCALED, { apps: 4, tenants: 4, users: 1 });
    expect([result.states, result.transitions, result.depth]).toEqual([1778, 71120, 20]);
    expect(result.violation).toBeNull();
  });

  it('should reach 32,965 states with symmetry on 5 apps x 5 tenants at caps 2/2 (about 10 s)', () => {
    const result = explore(SCALED, { apps: 5, tenants: 5, users: 1 });
    expect([result.states, result.transitions, result.depth]).toEqual([32965, 1977900, 30]);
    expect(result.violation).toBeNull();
  });

  it('should count the same states as the plain BFS baseline of the benchmark, so both search one space', () => {
    expect(plainBfs(3, 3, 1, 2, 2).states).toBe(explore(SCALED, { apps: 3, tenants: 3, users: 1 }, { symmetry: false }).states);
    expect(plainBfs(2, 2, 2, 2, 2).states).toBe(explore(SCALED, { apps: 2, tenants: 2, users: 2 }, { symmetry: false }).states);
    expect(plainBfs(4, 4, 1, 2, 2).states).toBe(508143);
  });
});

/** Orbits of the plain BFS's states under every renaming of apps, tenants and users, by brute force. */
function orbits(apps: number, tenants: number, users: number, seen: ReadonlySet<number>): number {
  const perms = (n: number): number[][] =>
    n === 0 ? [[]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
  const conn = apps * tenants * users;
  const least = new Set<number>();
  for (const s of seen) {
    let min = Number.POSITIVE_INFINITY;
    for (const pa of perms(apps))
      for (const pt of perms(tenants))
        for (const pu of perms(users)) {
          let r = 0;
          for (let a = 0; a < apps; a++) {
            if ((s >>> (conn + a)) & 1) r |= 1 << (conn + (pa[a] ?? 0));
            for (let t = 0; t < tenants; t++)
              for (let u = 0; u < users; u++) {
                if ((s >>> ((a * tenants + t) * users + u)) & 1) r |= 1 << (((pa[a] ?? 0) * tenants + (pt[t] ?? 0)) * users + (pu[u] ?? 0));
              }
          }
          min = Math.min(min, r >>> 0);
        }
    least.add(min);
  }
  return least.size;
}

describe('explore: symmetry reduction is exact', () => {
  for (const [apps, tenants, users] of [
    [3, 3, 1],
    [2, 2, 2],
    [2, 3, 2],
  ] as const) {
    it(`should reach one state per orbit of the plain state space on ${apps} apps x ${tenants} tenants x ${users} user${users === 1 ? '' : 's'}`, () => {
      const plain = plainBfs(apps, tenants, users, 2, 2);
      expect(explore(SCALED, { apps, tenants, users }).states).toBe(orbits(apps, tenants, users, plain.seen));
    });
  }
});

describe('explore: moves answered by a renaming of an earlier move (with symmetry)', () => {
  it('should find the apps, tenants and users interchangeable in a state: same kind, lifecycle and connections', () => {
    const keys = new StateKeys(
      arenaOf({ apps: 4, tenants: 3, users: 2, appKinds: ['uncertified', 'uncertified', 'uncertified', 'custom'] }, [SCALED]),
      true,
      1,
    );
    // a1 and a2 hold t1 by u1, a3 holds t1 by u2, a4 (custom, another kind) holds nothing.
    // Tenants t2 and t3 are both empty; users u1 and u2 connect different cells.
    const code = { life: [5, 5, 5, 17], cells: [1, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0] };
    const same = keys.representatives(code);
    expect([[...same.apps], [...same.tenants], [...same.users]]).toEqual([
      [0, 0, 2, 3],
      [0, 1, 1],
      [0, 1],
    ]);
    // A certified a2 is a2 alone; users connecting the same cells are one.
    const other = keys.representatives({ life: [5, 11, 5, 17], cells: [3, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0] });
    expect([[...other.apps], [...other.tenants], [...other.users]]).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2],
      [0, 0],
    ]);
  });

  it('should play fewer transitions than it covers with symmetry, and every one without', () => {
    const reduced = explore(SCALED, { apps: 4, tenants: 4, users: 1 }, { memo: false });
    const plain = explore(SCALED, { apps: 3, tenants: 3, users: 1 }, { symmetry: false, memo: false });
    expect([reduced.transitions, reduced.played]).toEqual([71120, 55616]);
    expect([plain.transitions, plain.played]).toEqual([79128, 79128]);
  });
});

describe('explore: every invariant on every transition', () => {
  it('should check each invariant of the registry once per transition', () => {
    const result = explore(SCALED, { apps: 3, tenants: 3, users: 1 });
    expect(Object.keys(result.checks)).toEqual(INVARIANTS.map((i) => i.name));
    for (const n of Object.values(result.checks)) expect(n).toBe(result.transitions);
    expect(result.transitions).toBe(4032);
  });

  it('should stop at maxStates and say the search is not exhaustive', () => {
    const result = explore(SCALED, { apps: 3, tenants: 3, users: 1 }, { symmetry: false, maxStates: 100 });
    expect(result.complete).toBe(false);
    expect(result.states).toBeGreaterThanOrEqual(100);
    expect(result.states).toBeLessThan(3297);
  });

  it('should reject bounds out of range as bad input', () => {
    expect(() => explore(SCALED, { apps: 0, tenants: 1, users: 1 })).toThrow(InputError);
    expect(() => explore(SCALED, { apps: 1, tenants: 1, users: 1, appKinds: ['nonsense' as never] })).toThrow(InputError);
  });
});

describe('explore: seeded violations and their shortest counterexamples', () => {
  const connect = (app: string, tenant: string, observed: string) => ({ type: 'connect', app, tenants: [tenant], observed });
  const bugs: Array<[string, string, number, object[]]> = [
    [
      'xero-bug-2020-02/refuses-at-limit',
      'refusalsAreRequired',
      2,
      [connect('a1', 't1', 'connected'), connect('a2', 't1', 'rejected:org-limit')],
    ],
    [
      'xero-bug-2020-02/counts-app-tenants',
      'refusalsAreRequired',
      3,
      [connect('a1', 't1', 'connected'), connect('a1', 't2', 'connected'), connect('a1', 't3', 'rejected:org-limit')],
    ],
    [
      'xero-bug-2020-02/counts-every-app',
      'refusalsAreRequired',
      4,
      [
        connect('a1', 't1', 'connected'),
        connect('a2', 't1', 'connected'),
        { type: 'certify', app: 'a1', observed: 'ok' },
        connect('a3', 't1', 'rejected:org-limit'),
      ],
    ],
  ];
  for (const [id, invariant, depth, trace] of bugs) {
    it(`should find ${invariant} broken by ${id} after ${depth} events, with or without symmetry`, () => {
      const reduced = explore(policy(id), DEFAULT_BOUNDS);
      const plain = explore(policy(id), DEFAULT_BOUNDS, { symmetry: false });
      expect(reduced.violation?.invariant).toBe(invariant);
      expect(reduced.violation?.depth).toBe(depth);
      expect(reduced.violation?.trace).toEqual(trace);
      expect(plain.violation?.invariant).toBe(invariant);
      expect(plain.violation?.depth).toBe(depth);
    });
  }

  it('should give a counterexample that the oracle replays: agreeing under the bug, diverging at its last event under the correct policy', async () => {
    const trace = explore(policy('xero-bug-2020-02/counts-every-app'), DEFAULT_BOUNDS).violation?.trace ?? [];
    expect((await check(lines(trace), { policy: 'xero-bug-2020-02/counts-every-app' })).ok).toBe(true);
    const correct = await check(lines(trace), { policy: 'xero-oauth2-2019' });
    expect(correct.divergences.map((d) => [d.line, d.expected, d.observed])).toEqual([[4, 'connected', 'rejected:org-limit']]);
  });

  it('should declare apps and tenants of other kinds at the start of the counterexample', async () => {
    const bounds: Bounds = { apps: 3, tenants: 1, users: 1, appKinds: ['uncertified', 'uncertified', 'custom'], tenantKinds: ['demo'] };
    const v = explore(policy('xero-bug-2020-02/counts-every-app'), bounds).violation;
    expect(v?.trace.slice(0, 2)).toEqual([
      { type: 'app', app: 'a3', custom: true },
      { type: 'tenant', tenant: 't1', kind: 'demo' },
    ]);
    expect([v?.depth, v?.trace.length]).toEqual([3, 5]);
    expect((await check(lines(v?.trace ?? []), { policy: 'xero-bug-2020-02/counts-every-app' })).ok).toBe(true);
  });

  it('should find the third uncertified app on one tenant when two users are searched too', () => {
    const v = explore(policy('xero-bug-2020-02/counts-app-tenants'), { apps: 3, tenants: 2, users: 2 }).violation;
    expect(v?.invariant).toBe('tenantWithinUncertifiedLimit');
    expect(v?.trace).toEqual(
      ['a1', 'a2', 'a3'].map((app) => ({ type: 'connect', app, tenants: ['t1'], user: 'u1', observed: 'connected' })),
    );
  });

  it('should catch a mutant machine that never applies the organisation limit, after 3 connects', () => {
    const mutant = createModel({ ...MODEL_IMPLEMENTATIONS, guards: { ...MODEL_IMPLEMENTATIONS.guards, orgLimitRefuses: () => false } });
    const v = explore(policy('xero-oauth2-2019'), DEFAULT_BOUNDS, { model: mutant }).violation;
    expect(v?.invariant).toBe('tenantWithinUncertifiedLimit');
    expect(v?.trace.map((e) => (e.type === 'connect' ? `${e.app}:${e.tenants.join()}` : e.type))).toEqual(['a1:t1', 'a2:t1', 'a3:t1']);
  });
});
