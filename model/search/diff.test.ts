import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { replayScenario } from '../../scenarios/replay.ts';
import { diffPolicies, type DiffResult } from './diff.ts';
import { diffCommand, exploreCommand, observedUnder } from './cli.ts';
import { InputError } from '../errors.ts';
import { resolvePolicy } from '../io/load-policy.ts';
import type { TraceEvent } from '../types.ts';

const connects = (app: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'connect', app, tenants: [`t${from + i}`] }));
const connect = (app: string, tenant: string) => ({ type: 'connect', app, tenants: [tenant] });
const diff = (a: string, b: string, bounds?: Parameters<typeof diffPolicies>[2]) =>
  diffPolicies(resolvePolicy(a), resolvePolicy(b), bounds);
const outcomes = (r: DiffResult, id: string) => observedUnder(resolvePolicy(id), r.trace).map((e) => e.observed);

describe('diffPolicies: the shortest trace on which two policies differ', () => {
  it('should find the 21-connect trace between the 20-organisation claim and the 25-tenant cap', () => {
    const r = diff('xero-partner-page-2019', 'xero-oauth2-2019');
    expect(r.equivalent).toBe(false);
    expect(r.trace).toEqual(connects('a1', 1, 21));
    expect(r.difference).toEqual({ index: 20, a: 'rejected:app-limit', b: 'connected' });
    expect(r.bounds).toEqual({ apps: 1, tenants: 26, users: 1 });
    expect(r.states).toBe(111);
  });

  const bugs: Array<[string, object[], string, string]> = [
    ['xero-bug-2020-02', [connect('a1', 't1'), connect('a2', 't1'), connect('a3', 't1')], 'connected', 'rejected:org-limit'],
    [
      'xero-bug-2020-02/counts-app-tenants',
      [connect('a1', 't1'), connect('a2', 't1'), connect('a3', 't1')],
      'connected',
      'rejected:org-limit',
    ],
    [
      'xero-bug-2020-02/counts-every-app',
      [connect('a1', 't1'), connect('a2', 't1'), { type: 'certify', app: 'a1' }, connect('a3', 't1')],
      'rejected:org-limit',
      'connected',
    ],
    ['xero-bug-2020-02/refuses-at-limit', [connect('a1', 't1'), connect('a2', 't1')], 'rejected:org-limit', 'connected'],
  ];
  for (const [id, trace, a, b] of bugs) {
    it(`should find ${id} and xero-oauth2-2019 apart after ${trace.length} events`, () => {
      const r = diff(id, 'xero-oauth2-2019');
      expect(r.trace).toEqual(trace);
      expect(r.difference).toEqual({ index: trace.length - 1, a, b });
    });
  }

  it("should find the 2026 tiers apart from the 2019 limits at Starter's sixth tenant, not at a certification", () => {
    const r = diff('xero-oauth2-2019', 'xero-tiers-2026');
    expect(r.trace).toEqual(connects('a1', 1, 6));
    expect(r.difference).toEqual({ index: 5, a: 'connected', b: 'rejected:app-limit' });
    expect(r.bounds).toMatchObject({ apps: 1, tenants: 10_001 });
  });

  it('should find the Starter cap after 6 connects when only one app is searched', () => {
    const r = diff('xero-oauth2-2019', 'xero-tiers-2026', { apps: 1 });
    expect(r.trace).toEqual(connects('a1', 1, 6));
    expect(r.difference).toEqual({ index: 5, a: 'connected', b: 'rejected:app-limit' });
  });

  it('should call two equal policies equivalent within the default bounds', () => {
    for (const id of ['xero-oauth2-2019', 'xero-tiers-2026']) {
      const r = diff(id, id);
      expect([r.equivalent, r.trace, r.difference]).toEqual([true, [], null]);
      expect(r.searched.length).toBe(2);
    }
  });

  it('should diff a proposed policy from a file against a built-in one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xcm-diff-')), 'proposed.json');
    writeFileSync(file, JSON.stringify({ id: 'proposed-24', appCap: 24 }));
    const r = diff('xero-oauth2-2019', file);
    expect(r.trace).toEqual(connects('a1', 1, 25));
    expect(r.difference).toEqual({ index: 24, a: 'connected', b: 'rejected:app-limit' });
    expect(r.policies).toEqual({ a: 'xero-oauth2-2019', b: 'proposed-24' });
  });

  it('should give the same answer with and without symmetry, visiting fewer states with it', () => {
    const a = resolvePolicy('xero-oauth2-2019', ['appCap=2']);
    const b = resolvePolicy('xero-oauth2-2019', ['appCap=3']);
    const bounds = { apps: 2, tenants: 4, users: 1 };
    const reduced = diffPolicies(a, b, bounds);
    const plain = diffPolicies(a, b, bounds, { symmetry: false });
    expect(reduced.trace).toEqual(plain.trace);
    expect(reduced.trace).toEqual(connects('a1', 1, 3));
    expect([reduced.states, plain.states]).toEqual([9, 56]);
  });

  it('should give a trace on which both policies agree at every event but the last', () => {
    const r = diff('xero-bug-2020-02/counts-every-app', 'xero-oauth2-2019');
    const a = outcomes(r, 'xero-bug-2020-02/counts-every-app');
    const b = outcomes(r, 'xero-oauth2-2019');
    expect(a.slice(0, -1)).toEqual(b.slice(0, -1));
    expect([a.at(-1), b.at(-1)]).toEqual(['rejected:org-limit', 'connected']);
  });
});

describe('diffPolicies at large caps: tenants counted by class, bounds sized from every cap', () => {
  const tiers = (set: string) => resolvePolicy('xero-tiers-2026', [set]);
  const cases: Array<[string, string, number, string]> = [
    ['Core 50 against 60', 'coreCap=60', 52, 't51'],
    ['Plus 1,000 against 1,001', 'plusCap=1001', 1002, 't1001'],
    ['Advanced 10,000 against 10,001', 'advancedCap=10001', 10003, 't10001'],
  ];
  for (const [name, set, length, tenant] of cases) {
    it(`should find ${name} apart at the first tenant past the smaller cap, in ${length} events`, () => {
      const b = tiers(set);
      const r = diffPolicies(resolvePolicy('xero-tiers-2026'), b);
      expect([r.equivalent, r.complete, r.trace.length]).toEqual([false, true, length]);
      expect(r.trace.at(-1)).toEqual(connect('a1', tenant));
      expect(r.difference).toEqual({ index: length - 1, a: 'rejected:app-limit', b: 'connected' });
      expect(r.bounds.tenants).toBe(Math.max(10_000, Number(set.split('=')[1])) + 1);
    });
  }

  it('should find appCap 30 and 31 apart at the 31st tenant, searching 32', () => {
    const r = diffPolicies(resolvePolicy('xero-oauth2-2019', ['appCap=30']), resolvePolicy('xero-oauth2-2019', ['appCap=31']));
    expect(r.trace).toEqual(connects('a1', 1, 31));
    expect(r.difference).toEqual({ index: 30, a: 'rejected:app-limit', b: 'connected' });
    expect(r.searched.at(-1)).toEqual({ apps: 1, tenants: 32, users: 1 });
  });

  it('should refuse a cap past the tenants the diff can search rather than call the policies equivalent', () => {
    expect(() => diffPolicies(resolvePolicy('xero-oauth2-2019'), resolvePolicy('xero-oauth2-2019', ['appCap=200000']))).toThrow(InputError);
  });
});

describe('diffPolicies with maxStates: a cap on the product states of every search', () => {
  it('should stop at the cap and say so: not complete, so not equivalent, and no difference', () => {
    const capped = diffPolicies(
      resolvePolicy('xero-oauth2-2019'),
      resolvePolicy('xero-oauth2-2019'),
      { apps: 3, tenants: 3 },
      { maxStates: 50 },
    );
    expect([capped.complete, capped.equivalent, capped.difference, capped.trace]).toEqual([false, false, null, []]);
    expect(capped.states).toBeGreaterThanOrEqual(50);
    const whole = diff('xero-oauth2-2019', 'xero-oauth2-2019', { apps: 3, tenants: 3 });
    expect([whole.complete, whole.equivalent]).toEqual([true, true]);
    expect(capped.states).toBeLessThan(whole.states);
  });

  it('should count the cap over both default searches, and list only the searches it ran', () => {
    const first = diff('xero-partner-page-2019', 'xero-oauth2-2019', { apps: 3, tenants: 2, users: 1 }).states;
    const r = diffPolicies(resolvePolicy('xero-partner-page-2019'), resolvePolicy('xero-oauth2-2019'), undefined, { maxStates: first + 5 });
    expect([r.complete, r.equivalent, r.difference]).toEqual([false, false, null]);
    expect(r.searched).toEqual([
      { apps: 3, tenants: 2, users: 1 },
      { apps: 1, tenants: 26, users: 1 },
    ]);
    const early = diffPolicies(resolvePolicy('xero-partner-page-2019'), resolvePolicy('xero-oauth2-2019'), undefined, { maxStates: 3 });
    expect([early.complete, early.searched]).toEqual([false, [{ apps: 3, tenants: 2, users: 1 }]]);
  });

  it('should give a difference found before the cap, not complete when the cap cut the search for a shorter one', () => {
    const a = resolvePolicy('xero-bug-2020-02/refuses-at-limit');
    const b = resolvePolicy('xero-oauth2-2019');
    const whole = diffPolicies(a, b);
    expect(whole.complete).toBe(true);
    const first = diffPolicies(a, b, { apps: 3, tenants: 2, users: 1 }).states;
    const cut = diffPolicies(a, b, undefined, { maxStates: first + 1 });
    expect([cut.complete, cut.equivalent, cut.difference, cut.trace]).toEqual([false, false, whole.difference, whole.trace]);
    expect(diffPolicies(a, b, undefined, { maxStates: whole.states + 1 }).complete).toBe(true);
  });
});

describe('xcm explore and xcm diff: exit codes and output', () => {
  let out = '';
  beforeEach(() => {
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('should exit 0 when every invariant holds and 1 with a counterexample saved as a scenario that replays', async () => {
    expect(await exploreCommand(['--apps', '2', '--tenants', '2', '--users', '2'])).toBe(0);
    expect(out).toContain('holds');
    const file = join(mkdtempSync(join(tmpdir(), 'xcm-explore-')), 'counterexample.jsonl');
    expect(await exploreCommand(['--policy', 'xero-bug-2020-02/refuses-at-limit', '--out', file])).toBe(1);
    expect(out).toContain('VIOLATION: refusalsAreRequired');
    const replay = await replayScenario(file);
    expect([replay.result.ok, replay.observed, replay.header.policy]).toEqual([true, 2, 'xero-bug-2020-02/refuses-at-limit']);
  });

  it('should exit 1 with the JSON shape of the contract when the policies differ, and 0 when they agree', async () => {
    expect(await diffCommand(['xero-bug-2020-02/refuses-at-limit', 'xero-oauth2-2019', '--json'])).toBe(1);
    const json = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['equivalent', 'bounds', 'trace', 'difference']));
    expect(json.trace).toEqual([
      { type: 'connect', app: 'a1', tenant: 't1' },
      { type: 'connect', app: 'a2', tenant: 't1' },
    ]);
    expect(json.difference).toEqual({ index: 1, a: 'rejected:org-limit', b: 'connected' });
    expect(await diffCommand(['xero-oauth2-2019', 'xero-oauth2-2019', '--apps', '2', '--tenants', '2'])).toBe(0);
    expect(out).toContain('equivalent');
  });

  it('should write the diff trace as a scenario file that replays as is', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xcm-diff-')), 'difference.jsonl');
    expect(await diffCommand(['xero-partner-page-2019', 'xero-oauth2-2019', '--out', file])).toBe(1);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceEvent & { type: string });
    expect(events.length).toBe(22);
    expect(events.at(-1)).toEqual({ type: 'connect', app: 'a1', tenant: 't21', observed: 'rejected:app-limit' });
    expect((await replayScenario(file)).result.ok).toBe(true);
  });

  it('should reject bad input with an InputError (exit 2 at the CLI)', async () => {
    await expect(diffCommand(['xero-oauth2-2019'])).rejects.toThrow(InputError);
    await expect(diffCommand(['xero-oauth2-2019', 'no-such-policy'])).rejects.toThrow(InputError);
    await expect(exploreCommand(['--apps', 'many'])).rejects.toThrow(InputError);
    await expect(exploreCommand(['--tenant-kinds', 'castle'])).rejects.toThrow(InputError);
    await expect(exploreCommand(['--set', 'nonsense=1'])).rejects.toThrow(InputError);
  });
});
