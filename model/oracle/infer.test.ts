import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { scenarioHeader, traceLines, type TraceLine } from '../io/trace.ts';
import { builtinPolicy } from '../platform/policies.ts';
import { arisesUnder, PARAMETERS, parameterDoc, readingValues, type ParameterValue } from '../platform/policy.ts';
import type { TraceEvent } from '../types.ts';
import { infer, inferLines, type CapRange, type InferredParameter, type InferResult } from './infer.ts';
import { check } from './oracle.ts';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const scenario = (name: string) => `${SCENARIOS}${name}`;
const lines = (events: TraceEvent[]): TraceLine[] => events.map((event, i) => ({ line: i + 1, event }));
const param = (result: InferResult, key: string) => result.parameters.find((p) => p.key === key) as InferredParameter;

/** The first `n` refutations of a cap that refutes value v at line `first + v`. */
const stepping = (first: number, n: number) => Array.from({ length: n }, (_, v) => ({ value: v, line: first + v }));

/** A re-consent refused at the cap: the app holds t1 and t2 of 2, is refused t3, and its re-consent of t1 is refused too. */
const RECONSENT_REFUSED = lines([
  { type: 'connect', app: 'a', tenants: ['t1'], observed: 'connected' },
  { type: 'connect', app: 'a', tenants: ['t2'], observed: 'connected' },
  { type: 'connect', app: 'a', tenants: ['t3'], observed: 'rejected:app-limit' },
  { type: 'connect', app: 'a', tenants: ['t1'], observed: 'rejected:app-limit' },
]);

describe('infer on the seed thread: 20 or 25?', () => {
  it('should find appCap consistent with exactly 25, and refute 20 at line 23 (the 21st organisation)', async () => {
    const result = await infer(scenario('twenty-vs-twenty-five.jsonl'));
    expect(result.defaultsHold).toBe(true);
    expect(result.refutedAt).toBeNull();
    expect(param(result, 'appCap')).toEqual({
      key: 'appCap',
      default: 25,
      consistent: { min: 25, max: 25 },
      refuted: [...stepping(3, 25), { value: 26, line: 28 }, { value: 27, line: 28, andAbove: true }],
      kind: 'cap',
      tested: true,
      tried: { min: 0, max: 27, andAbove: true },
    });
    expect(param(result, 'appCap').refuted).toContainEqual({ value: 20, line: 23 });
  });

  it('should ask only what arises under xero-oauth2-2019, and test only the two caps', async () => {
    const result = await infer(scenario('twenty-vs-twenty-five.jsonl'));
    expect(result).toMatchObject({ policy: 'xero', policies: ['xero-oauth2-2019'], events: 27, observed: 26, tenants: 26, apps: 1 });
    expect(result.parameters.map((p) => [p.key, p.tested])).toEqual([
      ['appCap', true],
      ['orgCap', true],
      ['certifiedCap', false],
      ['customCap', false],
      ['demoCountsTowardAppCap', false],
      ['demoSubjectToOrgLimit', false],
      ['reconsentAtCap', false],
      ['checkOrder', false],
    ]);
    expect(param(result, 'orgCap')).toMatchObject({ default: 2, consistent: { min: 1, max: null }, refuted: [{ value: 0, line: 3 }] });
    expect(param(result, 'reconsentAtCap')).toMatchObject({ default: true, consistent: [true, false], refuted: [] });
    expect(result.notAsked).toEqual([
      'starterCap',
      'coreCap',
      'plusCap',
      'advancedCap',
      'enterpriseCap',
      'assumedTier',
      'assumedCertifiedTier',
      'orgLimitReading',
    ]);
    expect(result.together).toEqual({
      keys: [],
      free: ['demoCountsTowardAppCap', 'demoSubjectToOrgLimit', 'reconsentAtCap', 'checkOrder'],
      tried: 16,
      consistent: [{}],
    });
  });

  it('should refute the App Partner page default of 20 at line 23, the line check names', async () => {
    const result = await infer(scenario('twenty-vs-twenty-five.jsonl'), { policy: 'xero-partner-page-2019' });
    const checked = await check(traceLines('t', readFileSync(scenario('twenty-vs-twenty-five.jsonl'), 'utf8')), {
      policy: 'xero-partner-page-2019',
    });
    expect(result).toMatchObject({ defaultsHold: false, refutedAt: 23 });
    expect(checked.divergences[0]?.line).toBe(23);
    expect(param(result, 'appCap')).toMatchObject({ default: 20, consistent: { min: 25, max: 25 } });
    expect(result.together.consistent).toEqual([]);
  });

  it('should find the caps of 25 and 2 consistent with every scenario of the thread, each tried alone', () => {
    const seed = ['twenty-vs-twenty-five', 'two-rules-stated-by-staff', 'five-websites-one-organisation', 'saas-app-reaches-25-2024'];
    const ranges = seed.map((name) => {
      const result = inferLines(traceLines(name, readFileSync(scenario(`${name}.jsonl`), 'utf8')));
      return [param(result, 'appCap').consistent, param(result, 'orgCap').consistent];
    });
    expect(ranges).toEqual([
      [
        { min: 25, max: 25 },
        { min: 1, max: null },
      ],
      [
        { min: 25, max: 25 },
        { min: 2, max: 2 },
      ],
      [
        { min: 1, max: null },
        { min: 2, max: 2 },
      ],
      [
        { min: 25, max: 25 },
        { min: 1, max: null },
      ],
    ]);
  });
});

describe('infer on a re-consent refused at the cap', () => {
  it('should refute reconsentAtCap=true at the re-consent and find false consistent', async () => {
    const result = await infer(RECONSENT_REFUSED, { policy: 'xero-oauth2-2019', set: ['appCap=2'] });
    expect(result).toMatchObject({ defaultsHold: false, refutedAt: 4, policy: 'xero-oauth2-2019 with appCap=2' });
    expect(param(result, 'reconsentAtCap')).toEqual({
      key: 'reconsentAtCap',
      default: true,
      consistent: [false],
      refuted: [{ value: true, line: 4 }],
      kind: 'reading',
      tested: true,
    });
    // The cap alone cannot explain it: 2 refuses the re-consent, 3 and above connect t3.
    expect(param(result, 'appCap')).toEqual({
      key: 'appCap',
      default: 2,
      consistent: null,
      refuted: [
        { value: 0, line: 1 },
        { value: 1, line: 2 },
        { value: 2, line: 4 },
        { value: 3, line: 3 },
        { value: 4, line: 3, andAbove: true },
      ],
      kind: 'cap',
      tested: true,
      tried: { min: 0, max: 4, andAbove: true },
    });
    expect(result.together).toEqual({
      keys: ['reconsentAtCap'],
      free: ['demoCountsTowardAppCap', 'demoSubjectToOrgLimit', 'checkOrder'],
      tried: 16,
      consistent: [{ reconsentAtCap: false }],
    });
  });

  it('should agree with check under each value: the refuting line is the one check names', async () => {
    for (const value of [true, false]) {
      const checked = await check(RECONSENT_REFUSED, { policy: 'xero-oauth2-2019', set: ['appCap=2', `reconsentAtCap=${value}`] });
      expect(checked.divergences[0]?.line ?? null).toBe(value ? 4 : null);
    }
  });
});

describe('infer on the bug window', () => {
  it('should try the bug readings in the bug window only, where only counts-app-tenants explains the refusal', async () => {
    const result = await infer(scenario('bug-window-certified-only-tenant.jsonl'));
    expect(result.policies).toEqual(['xero-oauth2-2019', 'xero-bug-2020-02']);
    // Had a reading applied outside the window, the line-8 connect after the fix would be refused too.
    expect(param(result, 'orgLimitReading')).toEqual({
      key: 'orgLimitReading',
      default: 'counts-app-tenants',
      consistent: ['counts-app-tenants'],
      refuted: [
        { value: 'correct', line: 7 },
        { value: 'counts-every-app', line: 7 },
        { value: 'refuses-at-limit', line: 7 },
      ],
      kind: 'reading',
      tested: true,
    });
    expect(result.together.keys).toEqual(['orgLimitReading']);
    expect(result.together.consistent).toEqual([{ orgLimitReading: 'counts-app-tenants' }]);
  });

  it('should not ask for a bug reading under a policy outside the bug window', async () => {
    const result = await infer(scenario('bug-window-certified-only-tenant.jsonl'), { policy: 'xero-oauth2-2019' });
    expect(result.notAsked).toContain('orgLimitReading');
    expect(result.defaultsHold).toBe(false);
  });
});

describe('infer on the tiers', () => {
  it('should ask for the assumed tier once the tiers apply, and find only starter consistent', async () => {
    const result = await infer(scenario('existing-app-meets-starter-2026.jsonl'));
    expect(result.policies).toEqual(['xero-oauth2-2019', 'xero-tiers-2026']);
    expect(param(result, 'assumedTier')).toMatchObject({
      consistent: ['starter'],
      refuted: [{ value: 'core', line: 28 }],
      tested: true,
    });
    expect(param(result, 'starterCap').consistent).toEqual({ min: 0, max: 24 });
    expect(param(result, 'coreCap').consistent).toEqual({ min: 25, max: null });
  });
});

describe('infer with nothing observed', () => {
  it('should say that every reading is consistent on an empty trace, asking nothing', async () => {
    expect(await infer([])).toEqual({
      defaultsHold: true,
      refutedAt: null,
      policy: 'xero',
      policies: [],
      events: 0,
      observed: 0,
      tenants: 0,
      apps: 0,
      parameters: [],
      notAsked: PARAMETERS.filter((p) => p.inferred !== false).map((p) => p.key),
      together: { keys: [], free: [], tried: 0, consistent: [] },
    });
  });

  it('should find every value consistent and none tested on a trace without observations', async () => {
    const result = await infer(
      lines([
        { type: 'connect', app: 'a', tenants: ['t1'], at: '2024-01-01T00:00:00Z' },
        { type: 'connect', app: 'a', tenants: ['t2'] },
      ]),
    );
    expect(result).toMatchObject({ defaultsHold: true, events: 2, observed: 0, policies: ['xero-oauth2-2019'] });
    for (const p of result.parameters) {
      expect(p.tested, p.key).toBe(false);
      expect(p.refuted, p.key).toEqual([]);
      expect(p.consistent, p.key).toEqual(p.kind === 'cap' ? { min: 0, max: null } : readingValues(parameterDoc(p.key) ?? PARAMETERS[0]!));
    }
    expect(result.together).toMatchObject({ keys: [], tried: 16, consistent: [{}] });
  });
});

describe('the bounds of the work', () => {
  it('should try a cap no further than maxCapValues, and not claim the larger values', async () => {
    const result = await infer(scenario('twenty-vs-twenty-five.jsonl'), { maxCapValues: 10 });
    expect(param(result, 'appCap')).toMatchObject({ consistent: null, tried: { min: 0, max: 9, andAbove: false } });
    expect(param(result, 'appCap').refuted.at(-1)).toEqual({ value: 9, line: 12 });
    expect(param(result, 'orgCap').consistent).toEqual({ min: 1, max: 9 });
  });

  it('should skip the combinations past maxCombinations, saying how many there are', async () => {
    const result = await infer(scenario('twenty-vs-twenty-five.jsonl'), { maxCombinations: 15 });
    expect(result.together).toEqual({
      keys: [],
      free: ['demoCountsTowardAppCap', 'demoSubjectToOrgLimit', 'reconsentAtCap', 'checkOrder'],
      tried: 0,
      consistent: [],
      skipped: '16 combinations, more than 15',
    });
  });

  it('should stand the last cap tried for every larger one: check at a far larger cap refutes at the same line', async () => {
    const file = scenario('twenty-vs-twenty-five.jsonl');
    const top = param(await infer(file), 'appCap').refuted.at(-1);
    const far = await check(traceLines(file, readFileSync(file, 'utf8')), { set: ['appCap=100000'] });
    expect(far.divergences[0]?.line).toBe(top?.line);
  });
});

describe('infer on every scenario', () => {
  const files = [
    'twenty-vs-twenty-five.jsonl',
    'reconsent-at-cap.jsonl',
    'demo-company-at-cap.jsonl',
    'bug-window-demo-company.jsonl',
    'existing-app-meets-starter-2026.jsonl',
    'regressions/org-first.jsonl',
  ];

  /** Whether a value of a parameter is among its consistent ones (a cap past those tried as the last tried). */
  const consistentWith = (p: InferredParameter, value: ParameterValue): boolean => {
    if (p.kind === 'reading') return (p.consistent as ParameterValue[]).includes(value);
    const tried = p.tried as NonNullable<InferredParameter['tried']>;
    const at = value === null || (value as number) > tried.max ? tried.max : (value as number);
    const range = p.consistent as CapRange | null;
    return range !== null && at >= range.min && (range.max === null || at <= range.max) && !p.refuted.some((r) => r.value === at);
  };

  it.each(files)('%s: every default is consistent, as the defaults hold', async (name) => {
    const file = scenario(name);
    const header = scenarioHeader(readFileSync(file, 'utf8'));
    const result = await infer(file, { policy: header?.policy, set: header?.set ?? [] });
    expect(result.defaultsHold).toBe(true);
    expect(result.parameters.filter((p) => !consistentWith(p, p.default)).map((p) => p.key)).toEqual([]);
  });

  it('should read the demo questions off the demo scenario', async () => {
    const result = await infer(scenario('demo-company-at-cap.jsonl'));
    expect(param(result, 'demoCountsTowardAppCap')).toMatchObject({ consistent: [false], refuted: [{ value: true, line: 32 }] });
    expect(param(result, 'demoSubjectToOrgLimit')).toMatchObject({ consistent: [true], refuted: [{ value: false, line: 34 }] });
  });

  it('should give the same answer from lines in memory as from the file', async () => {
    const file = scenario('reconsent-at-cap.jsonl');
    expect(inferLines(traceLines(file, readFileSync(file, 'utf8')))).toEqual(await infer(file));
  });
});

describe('where a question arises', () => {
  it('should try the declared values of a reading, and a cap at counts', () => {
    expect(readingValues(parameterDoc('reconsentAtCap') ?? PARAMETERS[0]!)).toEqual([true, false]);
    expect(readingValues(parameterDoc('checkOrder') ?? PARAMETERS[0]!)).toEqual(['app-first', 'org-first']);
    expect(readingValues(parameterDoc('appCap') ?? PARAMETERS[0]!)).toBeNull();
  });

  it('should ask a bug reading only under a bug policy, a tier cap only under the tiers, and never the structure', () => {
    const asked = (id: string) =>
      PARAMETERS.filter((doc) => arisesUnder(doc, builtinPolicy(id) ?? (PARAMETERS as never))).map((doc) => doc.key);
    expect(asked('xero-oauth2-2019')).toEqual([
      'appCap',
      'orgCap',
      'certifiedCap',
      'customCap',
      'demoCountsTowardAppCap',
      'demoSubjectToOrgLimit',
      'reconsentAtCap',
      'checkOrder',
    ]);
    expect(asked('xero-bug-2020-02/counts-every-app')).toContain('orgLimitReading');
    expect(asked('xero-tiers-2026')).toEqual([
      'orgCap',
      'customCap',
      'starterCap',
      'coreCap',
      'plusCap',
      'advancedCap',
      'enterpriseCap',
      'assumedTier',
      'assumedCertifiedTier',
      'demoCountsTowardAppCap',
      'demoSubjectToOrgLimit',
      'reconsentAtCap',
      'checkOrder',
    ]);
  });
});

describe('infer on bad input', () => {
  it('should throw an InputError for an unknown policy, a bad --set and a bad bound', async () => {
    await expect(infer(RECONSENT_REFUSED, { policy: 'nope' })).rejects.toBeInstanceOf(InputError);
    await expect(infer(RECONSENT_REFUSED, { set: ['appCap=-1'] })).rejects.toBeInstanceOf(InputError);
    await expect(infer(RECONSENT_REFUSED, { maxCapValues: 0 })).rejects.toBeInstanceOf(InputError);
  });
});
