import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_FIELDS, EVENT_TYPES, OUTCOMES, OUTCOMES_OF, type TraceEvent } from '../types.ts';
import { parseTraceLineFully } from './trace-parse.ts';
import { quickTraceLine } from './trace-quick.ts';

const SETTINGS = { seed: 20200210, numRuns: 20_000 };

/** What a reading of one line gives: the event, null, or the error's message. */
function outcomeOf(read: (s: string) => TraceEvent | null | undefined, s: string): unknown {
  try {
    const event = read(s);
    if (event === undefined || event === null) return event;
    const observed = event.observed;
    // Key order, values and the observed object's prototype: the quick reading must make all three as the full one does.
    return { json: JSON.stringify(event), observedProto: typeof observed === 'object' ? Object.getPrototypeOf(observed) : 'none' };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Whether `quick` agrees with the full parse on a line: it leaves the line to it (undefined), or
 * makes the same event from a line the full parse takes.
 */
function agrees(quick: (s: string) => TraceEvent | undefined, s: string): boolean {
  const fast = outcomeOf(quick, s);
  if (fast === undefined) return true;
  const full = outcomeOf((line) => parseTraceLineFully(line, 'trace.jsonl', 1), s);
  return (
    JSON.stringify(fast) === JSON.stringify(full) &&
    (fast as { observedProto: unknown }).observedProto === (full as { observedProto: unknown }).observedProto
  );
}

const goodName = fc.constantFrom('a', 'app-1', 'org 2', 't1', '1', '2', '__proto__', 'toString', 'x'.repeat(1000));
const badName = fc.constantFrom('', 'x'.repeat(1001), 'caf\u00e9', 'a\u0001b', 'a\\"b', 'tab\there', '\ud800');
const name = fc.oneof({ weight: 12, arbitrary: goodName }, { weight: 1, arbitrary: badName });
const goodAt = fc.constantFrom('2026-05-04T00:00:00.000Z', '2020-02-09T20:30:00+13:00', '2024-02-29T23:59:59Z');
const badAt = fc.constantFrom('2021-02-29T00:00:00Z', '2020-02-09', 'noon', '', '2026-13-01T00:00:00Z');
const scalar = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.constant(1.5), fc.constant({}), fc.constant([]), fc.constant(''));

/** An observed value for an event of a type: mostly one of its outcomes, sometimes another or none known. */
const observedOf = (type: TraceEvent['type']) => {
  const outcome = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...OUTCOMES_OF[type], ...(type === 'connect' ? ['rejected'] : [])) },
    { weight: 1, arbitrary: fc.constantFrom(...OUTCOMES, 'rejected', 'bogus', '', 'connectedx', 'rejectedx', 'oks') },
  );
  return fc.oneof({ weight: 4, arbitrary: outcome }, { weight: 1, arbitrary: fc.dictionary(name, outcome, { maxKeys: 4 }) });
};

/** A value for a field of an event of a type: mostly one of its own kind, sometimes anything. */
function fieldValue(field: string, type: TraceEvent['type']): fc.Arbitrary<unknown> {
  const own: Record<string, fc.Arbitrary<unknown>> = {
    at: fc.oneof({ weight: 8, arbitrary: goodAt }, { weight: 1, arbitrary: badAt }),
    note: fc.constantFrom('a note', ''),
    app: name,
    tenant: name,
    user: name,
    tenants: fc.array(name, { minLength: 0, maxLength: 20 }),
    tier: fc.constantFrom('starter', 'core', 'plus', 'advanced', 'enterprise', 'gold', 'cores'),
    kind: fc.constantFrom('organisation', 'practice', 'demo', 'sandbox'),
    auth: fc.constantFrom('oauth1', 'oauth2', 'oauth3'),
    certified: fc.boolean(),
    custom: fc.boolean(),
    registered: fc.constantFrom('2025-12-10', '2026-02-30'),
    model: fc.constant({ outcome: 'connected' }),
    observed: observedOf(type),
    type: fc.constantFrom(...EVENT_TYPES, 'scenario', 'constructor', 'Connect', 'connects', 'tiers'),
  };
  return fc.oneof({ weight: 12, arbitrary: own[field] ?? name }, { weight: 1, arbitrary: scalar });
}

/** The fields each type takes (the trace format's table), and some it does not. */
const FIELDS_OF = Object.fromEntries(
  Object.entries(EVENT_FIELDS).map(([type, { required, optional }]) => [type, [...required, ...optional]]),
) as Record<TraceEvent['type'], string[]>;
const FOREIGN = ['tennant', 'model', 'type', 'kind', 'tenants', 'user', 'tier'];

/** A line of a trace: a record of fields, written with or without spaces, sometimes with a field twice or mangled. */
const line = fc
  .constantFrom(...EVENT_TYPES)
  .chain((type) =>
    fc.tuple(
      fc.constant(type),
      fc
        .tuple(
          fc.subarray([...FIELDS_OF[type], 'at', 'observed', 'note']),
          fc.oneof({ weight: 8, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(FOREIGN, { maxLength: 1 }) }),
        )
        .chain(([own, foreign]) => fc.tuple(...[...own, ...foreign].map((f) => fieldValue(f, type).map((v) => [f, v] as const)))),
      fc.boolean(),
      fc.oneof(
        { weight: 12, arbitrary: fc.constant('none') },
        { weight: 1, arbitrary: fc.constantFrom('twice', 'cut', 'trailing', 'type-last', 'lead-space', 'tail-space', 'no-type') },
      ),
    ),
  )
  .map(([type, entries, spaced, mangle]) => {
    const record: Record<string, unknown> = mangle === 'type-last' || mangle === 'no-type' ? {} : { type };
    for (const [f, v] of entries) record[f] = v;
    if (mangle === 'type-last') record.type = type;
    let s = JSON.stringify(record);
    if (spaced) s = s.replaceAll('":', '": ').replaceAll(',"', ', "').replace('{', '{ ');
    if (mangle === 'twice') s = `${s.slice(0, -1)},"app":"other"}`;
    if (mangle === 'cut') s = s.slice(0, -2);
    if (mangle === 'trailing') s = `${s}x`;
    if (mangle === 'lead-space') s = ` ${s}`;
    if (mangle === 'tail-space') s = `${s}  `;
    return s;
  });

/** Lines of the common shapes, every field good: the quick reading must take each. */
const common = fc
  .record({
    app: goodName,
    tenants: fc.uniqueArray(goodName, { minLength: 1, maxLength: 5 }),
    user: fc.option(goodName, { nil: undefined }),
    at: fc.option(goodAt, { nil: undefined }),
    single: fc.boolean(),
  })
  .map(({ app, tenants, user, at: time, single }) => {
    const record: Record<string, unknown> = { type: 'connect', app };
    if (single) record.tenant = tenants[0];
    else record.tenants = tenants;
    if (user !== undefined) record.user = user;
    if (time !== undefined) record.at = time;
    record.observed = single || tenants.length === 1 ? 'connected' : Object.fromEntries(tenants.map((t) => [t, 'rejected']));
    return JSON.stringify(record);
  });

/** The same lines with one thing wrong inside a list or the observed object of a consent. */
const commonMangled = fc
  .tuple(
    common,
    fc.constantFrom('observed-twice', 'observed-bracket', 'tenant-twice', 'list-brace', 'observed-unquoted', 'list-trailing-comma'),
  )
  .map(([s, mangle]) => {
    switch (mangle) {
      case 'observed-twice':
        return s.replace(/("observed":\{)("[^"]*":"[^"]*")/, '$1$2,$2');
      case 'observed-bracket':
        return s.replace(/("observed":\{[^}]*)\}/, '$1]');
      case 'tenant-twice':
        return s.replace(/("tenants":\[)("[^"]*")/, '$1$2,$2');
      case 'list-brace':
        return s.replace(/("tenants":\[[^\]]*)\]/, '$1}');
      case 'observed-unquoted':
        return s.replace(/("observed":\{"[^"]*":)"([^"]*)"/, '$1$2');
      default:
        return s.replace(/("tenants":\[[^\]]*)\]/, '$1,]');
    }
  });

const quickAgrees = (quick: (s: string) => TraceEvent | undefined) =>
  fc.property(fc.oneof(line, common, commonMangled), (s) => agrees(quick, s));

/** Broken quick readings, each a mistake a quick reading could make; the property must catch each. */
const MUTANTS: Record<string, (s: string) => TraceEvent | undefined> = {
  /** Keeps a connect's single `tenant` beside `tenants`. */
  keepsTheTenant: (s) => {
    const event = quickTraceLine(s);
    if (event?.type !== 'connect' || !s.includes('"tenant"')) return event;
    return { ...event, tenant: event.tenants[0] } as TraceEvent;
  },
  /** Takes any JSON object with a type, as a reading without validation would. */
  validatesNothing: (s) => {
    try {
      const value = JSON.parse(s) as TraceEvent;
      return typeof value === 'object' && value !== null && typeof value.type === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  },
  /** Builds the observed outcomes of a consent as a plain object, with a prototype. */
  observedWithPrototype: (s) => {
    const event = quickTraceLine(s);
    return event !== undefined && typeof event.observed === 'object' ? { ...event, observed: { ...event.observed } } : event;
  },
};

describe('the quick reading of a trace line', () => {
  it('should make the event the full parse makes, or leave the line to it', () => {
    fc.assert(quickAgrees(quickTraceLine), SETTINGS);
  });

  it('should take every line of the common shapes', () => {
    fc.assert(
      fc.property(common, (s) => quickTraceLine(s) !== undefined && agrees(quickTraceLine, s)),
      { ...SETTINGS, numRuns: 2000 },
    );
  });

  it('should make the event the full parse makes from consents with a list or an object amiss', () => {
    fc.assert(
      fc.property(commonMangled, (s) => agrees(quickTraceLine, s)),
      { ...SETTINGS, numRuns: 5000 },
    );
  });

  it('should leave the lines it does not read to the full parse', () => {
    for (const s of [
      '',
      '   ',
      '{"type":"scenario","policy":"xero-oauth2-2019"}',
      '{"type":"connect","app":"caf\u00e9","tenant":"t"}',
      '{"type":"connect","app":"a\\u0041","tenant":"t"}',
      '{"type":"connect","app":"a","tenant":"t","model":{"outcome":"connected"}}',
      '{"type":"app","app":"a","registered":"2025-12-10"}',
      '{"type":"connect","app":"a","tenant":"t","app":"b"}',
      '{"type":"connect","app":"a","tenant":"t","tennant":"t"}',
      '{"type":"connect","app":"a","tenant":""}',
      '{"type":"tier","app":"a","tier":"gold"}',
      '{"type":"app","app":"a","certified":1}',
    ])
      expect(quickTraceLine(s), s).toBeUndefined();
  });

  for (const [mutant, quick] of Object.entries(MUTANTS)) {
    it(`should catch the broken quick reading ${mutant}`, () => {
      expect(() => fc.assert(quickAgrees(quick), SETTINGS)).toThrow();
    });
  }
});
