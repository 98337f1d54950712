import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Arena, Bounds } from './bounds.ts';
import { explore, type ExploreOptions } from './explore.ts';
import { CodeReads } from './code-reads.ts';
import { MoveMemo } from './move-memo.ts';
import { answer, policy, searches } from './test-searches.ts';

/** A memo told nothing of the links to a tenant: it recalls a connect wherever the app's own links agree. */
class BlindToTenants extends CodeReads {
  override appsLinked(): void {}
}

/** A memo told nothing of which tenants an app is linked to: it recalls a connect wherever the one link agrees. */
class BlindToAppLinks extends CodeReads {
  override tenantsLinked(): void {}
}

describe('explore: the memo of moves answers as playing every move', () => {
  it('should find the same states, transitions, depth and violation with the memo as without, on random arenas and policies', () => {
    fc.assert(
      fc.property(searches, ({ id, caps, bounds, symmetry }) => {
        const p = policy(id, caps);
        const played = explore(p, bounds as Bounds, { symmetry, memo: false });
        const recalled = explore(p, bounds as Bounds, { symmetry });
        expect(answer(recalled)).toEqual(answer(played));
        expect(recalled.played).toBeLessThanOrEqual(played.played);
      }),
      { numRuns: 60 },
    );
  });

  it('should play far fewer moves through the machine than it covers (4 apps x 4 tenants, caps 2/2, no symmetry)', () => {
    const r = explore(policy('xero-oauth2-2019', { appCap: 2, orgCap: 2 }), { apps: 4, tenants: 4, users: 1 }, { symmetry: false });
    expect([r.states, r.transitions]).toEqual([508143, 20325720]);
    expect(r.played).toBeLessThan(r.transitions / 100);
  });

  const mutants: Array<[string, (arena: Arena) => CodeReads]> = [
    ['blind to the links of a tenant', (arena) => new BlindToTenants(arena)],
    ['blind to the links of an app', (arena) => new BlindToAppLinks(arena)],
  ];
  for (const [label, reads] of mutants) {
    it(`should tell a memo ${label} from playing every move (the mutant answers otherwise)`, () => {
      const p = policy('xero-oauth2-2019', { appCap: 1, orgCap: 1 });
      const bounds: Bounds = { apps: 2, tenants: 2, users: 1 };
      const played = explore(p, bounds, { symmetry: false, memo: false });
      const options: ExploreOptions = { symmetry: false, reads };
      let blind: ReturnType<typeof answer> | string;
      try {
        blind = answer(explore(p, bounds, options));
      } catch (error) {
        // Or its tree is caught reading otherwise than it was told.
        blind = String(error);
      }
      expect(blind).not.toEqual(answer(played));
    });
  }

  it('should refuse a tree that two plays with the same values read differently', () => {
    // Two cell positions of 2 values, then a lifecycle position of 64.
    const memo = new MoveMemo(1, [2, 2, 64]);
    const kept = { kept: true, writes: [0, 1], key: 1, life: 0, cells: 1 };
    memo.record(0, [0, 1, 0], [1, 0], kept);
    expect(() => memo.record(0, [0, 1, 1], [1, 2], kept)).toThrow(/read position 2 where an earlier play with the same values read 0/);
    expect(() => memo.record(0, [0, 1, 0], [1, 0], kept)).toThrow(/recorded twice/);
    memo.record(0, [1, 0, 40], [1, 2], { kept: false, writes: [], key: 0, life: 0, cells: 0 });
    expect(memo.effect(memo.find(0, [0, 1, 0]))).toBe(kept);
    expect(memo.effect(memo.find(0, [9, 0, 40])).kept).toBe(false);
    expect([memo.find(0, [0, 1, 0]), memo.find(0, [1, 0, 40]), memo.find(0, [1, 1, 0]), memo.find(0, [0, 0, 41])]).toEqual([0, 1, -1, -1]);
  });
});
