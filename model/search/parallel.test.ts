import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arenaOf, initialState, type Bounds, type Move } from './bounds.ts';
import { drain } from './breadth-first.ts';
import { explore, type ExploreResult } from './explore.ts';
import { MODEL } from '../engine/step.ts';
import { brokenInvariants, keepsInvariants } from '../platform/invariants.ts';
import type { Policy } from '../platform/policy.ts';
import { searchInParallel, type SharedOutcome, type SharedVariant } from './parallel.ts';
import { SharedKeySet, SharedNumbers } from './shared-keys.ts';
import { StateKeys } from './symmetry.ts';
import { policy, searches } from './test-searches.ts';

/** What a search answers that does not depend on how many threads ran it or which of them played what. */
const shared = (r: ExploreResult) => ({
  states: r.states,
  transitions: r.violation === null ? r.transitions : undefined,
  depth: r.violation === null ? r.depth : undefined,
  complete: r.complete,
  violation: r.violation === null ? null : r.violation.depth,
});

/** The invariants the last move of `path` breaks, when every move before it keeps every one (else a note of the move that broke one first). */
function replayed(p: Policy, bounds: Bounds, path: readonly number[]): string[] | string {
  const arena = arenaOf(bounds, [p]);
  let state = initialState(arena, p, MODEL);
  for (const [i, m] of path.entries()) {
    const broken: string[] = [];
    for (const event of (arena.moves[m] as Move).events) {
      const next = MODEL.compiled.step(state, event);
      if (!keepsInvariants(state.context, event, next.context)) broken.push(...brokenInvariants(state.context, event, next.context));
      state = next;
    }
    if (i === path.length - 1) return [...new Set(broken)];
    if (broken.length > 0) return `move ${i + 1} of ${path.length} breaks ${broken.join(', ')}`;
  }
  return 'an empty path';
}

/** A search of several threads, every worker taking part (it starts once they all have). */
const run = (
  p: Policy,
  bounds: Bounds,
  threads: number,
  options: { symmetry?: boolean; memo?: boolean; variant?: SharedVariant } = {},
): SharedOutcome =>
  drain(
    searchInParallel(p, bounds, {
      symmetry: options.symmetry ?? true,
      memo: options.memo ?? true,
      maxStates: 16_000_000,
      threads,
      sliceMs: 20,
      together: true,
      ...(options.variant === undefined ? {} : { variant: options.variant }),
    }),
  );

/** What a search of several threads answers, as `shared` reads one thread's. */
const sharedOutcome = (o: SharedOutcome) => ({
  states: o.states,
  transitions: o.found === undefined ? o.counts.transitions : undefined,
  depth: o.found === undefined ? o.depth : undefined,
  complete: o.complete,
  violation: o.found === undefined ? null : o.found.path.length,
});

describe('explore with several threads: the same search as one thread', () => {
  it('should find the same states, transitions, depth and completeness as one thread, and a shortest violation that replays, on random arenas and policies', () => {
    fc.assert(
      fc.property(searches, fc.integer({ min: 2, max: 3 }), fc.boolean(), ({ id, caps, bounds, symmetry }, workers, memo) => {
        const p = policy(id, caps);
        const one = explore(p, bounds as Bounds, { symmetry, memo });
        const several = run(p, bounds as Bounds, workers, { symmetry, memo });
        expect(sharedOutcome(several)).toEqual(shared(one));
        if (several.found !== undefined) expect(replayed(p, bounds as Bounds, several.found.path)).toEqual(several.found.broken);
      }),
      { numRuns: 15 },
    );
  });

  it('should find the pinned states of 4 apps x 4 tenants at caps 2/2 without symmetry, and of 4 x 5 with it', () => {
    const scaled = policy('xero-oauth2-2019', { appCap: 2, orgCap: 2 });
    const plain = explore(scaled, { apps: 4, tenants: 4, users: 1 }, { symmetry: false, workers: 2 });
    expect([plain.states, plain.transitions, plain.depth, plain.threads]).toEqual([508143, 20325720, 20, 2]);
    // Lifecycles numbered in the shared table: keys of 4 x 5 x 1 need more than 52 bits without.
    const numbered = explore(scaled, { apps: 4, tenants: 5, users: 1 }, { workers: 2 });
    expect([numbered.states, numbered.depth, numbered.threads]).toEqual([4405, 24, 2]);
  });

  it('should stop past maxStates, not exhaustive, as one thread does', () => {
    const r = explore(
      policy('xero-oauth2-2019', { appCap: 2, orgCap: 2 }),
      { apps: 4, tenants: 4, users: 1 },
      { symmetry: false, maxStates: 1000, workers: 2 },
    );
    expect(r.complete).toBe(false);
    expect(r.states).toBeGreaterThanOrEqual(1000);
    expect(r.states).toBeLessThan(1000 + 2 * 32 * 64);
  });

  it("should give the explorer's answer through explore, saying how many threads searched", () => {
    const p = policy('xero-bug-2020-02/counts-every-app');
    const one = explore(p, { apps: 3, tenants: 3, users: 1 });
    const two = explore(p, { apps: 3, tenants: 3, users: 1 }, { workers: 2 });
    expect([two.threads, two.violation?.invariant, two.violation?.depth]).toEqual([2, one.violation?.invariant, one.violation?.depth]);
  });

  it('should search in one thread when the model is not its own, and say so', () => {
    const r = explore(policy('xero-oauth2-2019'), { apps: 2, tenants: 2, users: 1 }, { workers: 2, model: MODEL });
    expect(r.threads).toBe(1);
    expect(() => explore(policy('xero-oauth2-2019'), { apps: 2, tenants: 2, users: 1 }, { workers: 0 })).toThrow(
      /workers must be a whole number from 1 to 64, got 0/,
    );
  });

  it('should fail with the reason when a worker cannot start', () => {
    const p = policy('xero-oauth2-2019', { appCap: 2, orgCap: 2 });
    const steps = searchInParallel(
      p,
      { apps: 4, tenants: 4, users: 1 },
      {
        symmetry: false,
        memo: true,
        maxStates: 16_000_000,
        threads: 2,
        sliceMs: 20,
        workerModule: new URL('./no-such-worker.js', import.meta.url).href,
      },
    );
    expect(() => drain(steps)).toThrow(/explorer: a worker thread failed: .*no-such-worker/);
  });

  // Each broken variant is caught: it answers otherwise than one thread.
  const mutants: Array<[SharedVariant, string, Bounds, number, boolean]> = [
    ['grows-empty', 'a set of keys that grows empty', { apps: 3, tenants: 3, users: 1 }, 1, false],
    ['opens-on-claim', 'a depth opened once its last run is claimed', { apps: 3, tenants: 3, users: 1 }, 1, false],
  ];
  for (const [variant, label, bounds, threads, symmetry] of mutants) {
    it(`should tell ${label} from one thread`, () => {
      const p = policy('xero-oauth2-2019', { appCap: 2, orgCap: 2 });
      const one = explore(p, bounds, { symmetry });
      const broken = run(p, bounds, threads, { symmetry, variant });
      expect(sharedOutcome(broken)).not.toEqual(shared(one));
    });
  }

  it('should tell a trace without its first move from a shortest trace that replays', () => {
    const p = policy('xero-bug-2020-02/counts-every-app');
    const bounds: Bounds = { apps: 3, tenants: 3, users: 1 };
    const good = run(p, bounds, 1);
    expect(replayed(p, bounds, good.found?.path ?? [])).toEqual(good.found?.broken);
    const broken = run(p, bounds, 1, { variant: 'path-skips-first' });
    expect(replayed(p, bounds, broken.found?.path ?? [])).not.toEqual(broken.found?.broken);
  });
});

describe('the tables threads share', () => {
  it('should hold each key once, from any thread, as a set does', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), { maxLength: 300 }), (keys) => {
        const set = new SharedKeySet(SharedKeySet.buffer(1024), SharedKeySet.slotsFor(keys.length));
        const seen = new Set<number>();
        for (const key of keys) expect(set.add(key)).toBe(!seen.has(key) && seen.add(key) !== undefined);
        const grown = new SharedKeySet(SharedKeySet.buffer(1024));
        set.copyInto(grown);
        for (const key of keys) expect(grown.add(key)).toBe(false);
        expect(set.add(keys[0] ?? 1)).toBe(true);
      }),
    );
  });

  it('should fail, not loop, when every slot is taken, and refuse keys that are not whole numbers', () => {
    const set = new SharedKeySet(SharedKeySet.buffer(1), 2);
    set.add(1);
    set.add(2);
    expect(() => set.add(3)).toThrow(/all 2 slots are taken/);
    expect(() => set.add(-1)).toThrow(/a whole number from 0, got -1/);
    expect(() => set.add(0.5)).toThrow(/got 0.5/);
  });

  it('should key one state alike in two threads that meet lifecycles in other orders, as numbering in each thread alone does not', () => {
    const p = policy('xero-oauth2-2019');
    // Keys of 4 apps x 5 tenants need more than 52 bits: their tuples of lifecycles are numbered.
    const arena = arenaOf({ apps: 4, tenants: 5, users: 1 }, [p]);
    const code = (life: number[]) => ({ life, cells: new Array<number>(20).fill(0) });
    const [x, y] = [code([0, 0, 0, 0]), code([1, 1, 0, 0])];
    const keysOf = (numbers: [SharedNumbers | undefined, SharedNumbers | undefined]) => {
      const [first, second] = numbers.map((n) => new StateKeys(arena, true, 1, n)) as [StateKeys, StateKeys];
      expect(first.numberKeys()).toBe(true);
      const firstX = first.keyOf(x);
      first.keyOf(y);
      second.keyOf(y);
      return [firstX, second.keyOf(x)];
    };
    const table = new SharedNumbers(SharedNumbers.buffer(64), 64);
    const [one, other] = keysOf([table, table]);
    expect(one).toBe(other);
    const [alone, apart] = keysOf([undefined, undefined]);
    expect(alone).not.toBe(apart);
  });

  it('should number keys in the order first met, up to the limit', () => {
    const numbers = new SharedNumbers(SharedNumbers.buffer(8), 3);
    expect([5, 2 ** 40, 5, 7, 9, 2 ** 40, 9].map((k) => numbers.numberOf(k))).toEqual([0, 1, 0, 2, undefined, 1, undefined]);
  });
});
