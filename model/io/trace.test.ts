import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { parseTraceLine, scenarioHeader, traceLines } from './trace.ts';

function problem(line: string): string {
  try {
    parseTraceLine(line, 'trace.jsonl', 7);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('reading a trace line', () => {
  it('folds a single tenant into the tenants of the consent', () => {
    expect(parseTraceLine('{"type":"connect","app":"A","tenant":"T","observed":"connected"}', 'f', 1)).toEqual({
      type: 'connect',
      app: 'A',
      tenants: ['T'],
      observed: 'connected',
    });
  });

  it('skips blank lines and the scenario header', () => {
    expect(parseTraceLine('   ', 'f', 1)).toBeNull();
    expect(parseTraceLine('{"type":"scenario","title":"t"}', 'f', 1)).toBeNull();
  });

  it('accepts an object of outcomes for a consent of several tenants', () => {
    const event = parseTraceLine(
      '{"type":"connect","app":"A","tenants":["T","U"],"observed":{"T":"connected","U":"rejected:app-limit"}}',
      'f',
      1,
    );
    expect(event?.observed).toEqual({ T: 'connected', U: 'rejected:app-limit' });
  });

  it('accepts "rejected" as the observed outcome of a connect (either refusal), per tenant too, and only on a connect', () => {
    expect(parseTraceLine('{"type":"connect","app":"A","tenant":"T","observed":"rejected"}', 'f', 1)?.observed).toBe('rejected');
    const several = parseTraceLine('{"type":"connect","app":"A","tenants":["T","U"],"observed":{"T":"connected","U":"rejected"}}', 'f', 1);
    expect(several?.observed).toEqual({ T: 'connected', U: 'rejected' });
    expect(problem('{"type":"disconnect","app":"A","tenant":"T","observed":"rejected"}')).toContain(
      'trace.jsonl:7: field "observed": unknown outcome "rejected"',
    );
  });

  it.each([
    ['{"type":"connect",', 'trace.jsonl:7: malformed JSON'],
    ['[1,2]', 'trace.jsonl:7: expected a JSON object'],
    ['{"type":"launch","app":"A"}', 'trace.jsonl:7: field "type": unknown value "launch"'],
    ['{"app":"A"}', 'trace.jsonl:7: field "type": missing'],
    ['{"type":"connect","app":"A"}', 'trace.jsonl:7: field "tenant": missing'],
    ['{"type":"disconnect","app":"A"}', 'trace.jsonl:7: field "tenant": missing'],
    ['{"type":"connect","app":7,"tenant":"T"}', 'trace.jsonl:7: field "app": expected a non-empty string'],
    ['{"type":"connect","app":"A","tenant":"T","tennant":"U"}', 'trace.jsonl:7: field "tennant": not a field of a connect event'],
    ['{"type":"connect","app":"A","tenant":"T","at":"2020-02-09 10:00"}', 'trace.jsonl:7: field "at": not an ISO 8601 time with offset'],
    ['{"type":"connect","app":"A","tenant":"T","observed":"refused"}', 'trace.jsonl:7: field "observed": unknown outcome "refused"'],
    [
      '{"type":"connect","app":"A","tenants":["T","U"],"observed":"connected"}',
      'trace.jsonl:7: field "observed": a consent of several tenants needs an object',
    ],
    ['{"type":"connect","app":"A","tenants":["T","T"]}', 'trace.jsonl:7: field "tenants": names a tenant twice'],
    ['{"type":"tier","app":"A","tier":"gold"}', 'trace.jsonl:7: field "tier": unknown value "gold"'],
    ['{"type":"tenant","tenant":"T","kind":"company"}', 'trace.jsonl:7: field "kind": unknown value "company"'],
    ['{"type":"app","app":"A","certified":"yes"}', 'trace.jsonl:7: field "certified": expected true or false'],
    ['{"type":"app","app":"A","registered":"last week"}', 'trace.jsonl:7: field "registered": not an ISO 8601 date'],
  ])('rejects %s naming the file, line and field', (line, message) => {
    expect(problem(line)).toContain(message);
  });

  it('shows a field name from the input on one short line: control characters escaped, a long name cut', () => {
    expect(problem('{"type":"connect","app":"A","tenant":"T","a\\nb":1}')).toMatch(/^trace\.jsonl:7: field "a\\nb": not a field/);
    const long = problem(`{"type":"connect","app":"A","tenant":"T","${'k'.repeat(100_000)}":1}`);
    expect(long).toMatch(/^trace\.jsonl:7: field "k{60}\.\.\." \(100000 characters\): not a field of a connect event/);
    expect(long.length).toBeLessThan(300);
  });
});

describe('a trace file as editors and loggers write it', () => {
  it('should accept a byte-order mark at the start of the file', () => {
    const lines = traceLines('bom.jsonl', '\uFEFF{"type":"connect","app":"a","tenant":"t"}\n');
    expect(lines).toEqual([{ line: 1, event: { type: 'connect', app: 'a', tenants: ['t'] } }]);
  });

  it('should refuse an at earlier than the one before, naming both lines', () => {
    const text = [
      '{"type":"connect","app":"a","tenant":"t1","at":"2020-03-02T10:00:00+13:00"}',
      '',
      '{"type":"connect","app":"a","tenant":"t2","at":"2020-03-01T10:00:00+13:00"}',
    ].join('\n');
    expect(() => traceLines('late.jsonl', text)).toThrow(
      'late.jsonl:3: field "at": "2020-03-01T10:00:00+13:00" is earlier than "2020-03-02T10:00:00+13:00" on line 1 (a trace lists its events in time order)',
    );
    expect(traceLines('same.jsonl', text.replace('03-01', '03-02'))).toHaveLength(2);
  });
});

describe('the scenario header', () => {
  const header = (fields: string) =>
    `\n{"type":"scenario","title":"t","story":"s","source":"x",${fields}}\n{"type":"connect","app":"a","tenant":"t"}\n`;

  it('should read the policy and set it pins', () => {
    expect(scenarioHeader(header('"policy":"xero-tiers-2026","set":["starterCap=3"]'), 's.jsonl')).toMatchObject({
      policy: 'xero-tiers-2026',
      set: ['starterCap=3'],
    });
  });

  it.each([
    ['"set":"appCap=3"', 's.jsonl:2: field "set": expected an array of "key=value" texts, got "appCap=3" (e.g. ["appCap=3"])'],
    ['"set":[3]', 's.jsonl:2: field "set": expected an array of "key=value" texts, got [3]'],
    ['"set":["appCap=-1"]', 's.jsonl:2: field "set": "appCap": expected a whole number from 0 to 9007199254740991, got "-1"'],
    ['"set":["appCap=1","appCap=2"]', 's.jsonl:2: field "set": given twice ("appCap=1", then "appCap=2") (give each key once)'],
    ['"set":["appcap=1"]', 's.jsonl:2: field "set": "appcap": unknown parameter (did you mean appCap?'],
    [
      `"set":${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      's.jsonl:2: field "set": expected an array of "key=value" texts, got an array nested too deep',
    ],
    ['"policy":5', 's.jsonl:2: field "policy": expected a policy id or file, got 5'],
  ])('should refuse %s, naming the file, line and field, never ignore it', (fields, expected) => {
    expect(() => scenarioHeader(header(fields), 's.jsonl')).toThrow(expected);
  });

  it('should show a title of any shape without walking it', () => {
    const deep = `{"type":"scenario","title":${'['.repeat(10_000)}${']'.repeat(10_000)},"story":"s","source":"x"}`;
    expect(scenarioHeader(deep)?.title).toMatch(/^an array nested too deep/);
  });
});

describe('dates that do not exist', () => {
  it('should refuse February 30, hour 24 and month 13 in at, naming the field', () => {
    for (const at of ['2026-02-30T00:00:00+13:00', '2026-01-01T24:00:00Z', '2025-02-29T10:00:00+13:00']) {
      expect(problem(`{"type":"connect","app":"a","tenant":"t","at":"${at}"}`)).toBe(
        `trace.jsonl:7: field "at": no such date or time: "${at}" (months have their own number of days; hours run 00 to 23)`,
      );
    }
    expect(problem('{"type":"connect","app":"a","tenant":"t","at":"2024-02-29T10:00:00+13:00"}')).toBe('accepted');
  });

  it('should refuse a registration date that does not exist', () => {
    expect(problem('{"type":"app","app":"a","registered":"2025-02-30"}')).toBe(
      'trace.jsonl:7: field "registered": no such date: "2025-02-30" (months have their own number of days)',
    );
  });
});
