import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { MAX_LINE_BYTES, parseTraceLine, readTrace, scenarioHeader, traceLines } from './trace.ts';

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

describe('strict input: what a decoder or JSON.parse would let through without a word', () => {
  it.each([
    ['{"type":"connect","app":"a","tenant":"t","app":"b"}', 'trace.jsonl:7: field "app": given twice'],
    ['{"type" :"connect","app" : "a","tenant":"t","app"\t:"b"}', 'trace.jsonl:7: field "app": given twice'],
    ['{"type":"connect","app":"a","tenant":"t","\\u0061pp":"b"}', 'trace.jsonl:7: field "app": given twice'],
    [
      '{"type":"connect","app":"a","tenants":["t","u"],"observed":{"t":"connected","t":"rejected"}}',
      'trace.jsonl:7: field "observed.t": given twice',
    ],
    [
      '{"type":"connect","app":"a","tenant":"t","model":{"outcome":"x","outcome":"y"}}',
      'trace.jsonl:7: field "model.outcome": given twice',
    ],
    ['{"type":"connect","app":"a","tenant":"t","type":"scenario"}', 'trace.jsonl:7: field "type": given twice'],
    ['{"type":"scenario","title":"a","title":"b"}', 'trace.jsonl:7: field "title": given twice'],
    ['{"type":"connect","app":"a\\u0000b","tenant":"t"}', 'field "app": a name with the control character U+0000 at character 2'],
    ['{"type":"tenant","tenant":"org\\n1"}', 'field "tenant": a name with the control character U+000A at character 4: "org\\n1"'],
    ['{"type":"revoke","app":"a","user":"\\u009b"}', 'field "user": a name with the control character U+009B'],
    ['{"type":"connect","app":"a","tenant":"\\ud800"}', 'field "tenant": a name with half of a surrogate pair at character 1'],
    ['{"type":"connect","app":"a","tenants":["t","x\\udc00"]}', 'field "tenants[1]": a name with half of a surrogate pair at character 2'],
    [`{"type":"app","app":"${'a'.repeat(1001)}"}`, 'field "app": a name of 1001 characters (at most 1000)'],
    [
      `{"type":"connect","app":"a","tenants":${JSON.stringify(Array.from({ length: 100_001 }, (_, i) => `t${i}`))}}`,
      'field "tenants": a consent of 100001 tenants (at most 100000)',
    ],
    ['{"type":"connect","app":"a","tenant":"t","model":"connected"}', 'field "model": expected the object xcm run --json writes'],
    [
      '{"type":"connect","app":"a","tenants":["t","u"],"observed":{"t":"connected","v":"connected"}}',
      'trace.jsonl:7: field "observed.v": names a tenant the consent does not include',
    ],
    [
      `{"type":"connect","app":"a","tenants":${JSON.stringify(Array.from({ length: 20 }, (_, i) => `t${i}`))},"observed":{"t19":"connected","t20":"connected"}}`,
      'trace.jsonl:7: field "observed.t20": names a tenant the consent does not include',
    ],
    ['{"type":"connect","app":"a","tenant":"t","x\\ny":1}', 'trace.jsonl:7: field "x\\ny": not a field of a connect event'],
    ['{"type":"connect","app":"a\u0001"}', 'trace.jsonl:7: malformed JSON: Bad control character'],
    ['{"type":"app","app":"a","tier":"x\u007f\u0085\u2028\u2029"}', 'field "tier": unknown value "x\\u007f\\u0085\\u2028\\u2029"'],
    ['{"type":"app","app":"a","k\u2028\u0085":1}', 'trace.jsonl:7: field "k\\u2028\\u0085": not a field of a app event'],
    ['{"type":"revoke","app":"a\u007f"}', 'field "app": a name with the control character U+007F at character 2: "a\\u007f"'],
    ['{"type":"app","note":"\u2028\u0085","app":x}', 'trace.jsonl:7: malformed JSON: Unexpected token'],
  ])('rejects %s', (line, message) => {
    const found = problem(line);
    expect(found).toContain(message);
    // A message is one line: no control character (C0, DEL, C1), no line or paragraph separator.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a message must hold none
    expect(found).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it('accepts names with emoji, quotes and backslashes, and a full-size consent; ignores the annotations of run --json', () => {
    expect(problem('{"type":"connect","app":"a\\"b\\\\","tenant":"😀 café","note":"x\\":y"}')).toBe('accepted');
    const full = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    expect(problem(`{"type":"connect","app":"a","tenants":${JSON.stringify(full)}}`)).toBe('accepted');
    const observed = Object.fromEntries(full.map((t) => [t, 'connected']));
    expect(problem(`{"type":"connect","app":"a","tenants":${JSON.stringify(full)},"observed":${JSON.stringify(observed)}}`)).toBe(
      'accepted',
    );
    const annotated = '{"type":"connect","app":"a","tenant":"t","note":"n","model":{"line":3,"outcome":{"t":"connected"},"reason":"r"}}';
    expect(parseTraceLine(annotated, 'f', 1)).toEqual({ type: 'connect', app: 'a', note: 'n', tenants: ['t'] });
  });
});

describe('the bytes of a trace file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xcm-bytes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = async (name: string, bytes: Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    try {
      const events: number[] = [];
      for await (const { line } of readTrace(file)) events.push(line);
      return events;
    } catch (error) {
      if (error instanceof InputError) return error.message;
      throw error;
    }
  };
  const tenant = (name: Buffer) => Buffer.concat([Buffer.from('{"type":"tenant","tenant":"'), name, Buffer.from('"}\n')]);

  it('refuses invalid UTF-8, naming the line and the byte (two bad names would otherwise both become U+FFFD)', async () => {
    const bytes = Buffer.concat([tenant(Buffer.from('org-1')), tenant(Buffer.from([0x6f, 0xff])), tenant(Buffer.from([0xfe]))]);
    expect(await read('ff.jsonl', bytes)).toBe(
      `${join(dir, 'ff.jsonl')}:2: invalid UTF-8: byte 0xff at byte 29 of the line (byte 64 of the file) (a trace is UTF-8 text)`,
    );
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      expect(await read('bad.jsonl', tenant(Buffer.from(bad)))).toContain(':1: invalid UTF-8: byte');
    }
    expect(await read('ok.jsonl', tenant(Buffer.from('café 😀')))).toEqual([1]);
  });

  it('refuses invalid UTF-8 on a last line without a newline, and in a later chunk', async () => {
    expect(
      await read('last.jsonl', Buffer.from([...tenant(Buffer.from('a')), ...Buffer.from('{"type":"tenant","tenant":"\xff"}', 'latin1')])),
    ).toContain(':2: invalid UTF-8: byte 0xff at byte 28 of the line (byte 59 of the file) (a trace is UTF-8 text)');
    // Cut inside a character at the end of the file: the bytes ran out, it was not written so.
    for (const cut of [[0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98]]) {
      expect(
        await read('cut-char.jsonl', Buffer.from([...tenant(Buffer.from('a')), ...Buffer.from('{"type":"tenant","tenant":"caf'), ...cut])),
      ).toBe(
        `${join(dir, 'cut-char.jsonl')}:2: invalid UTF-8: byte 0x${(cut[0] as number).toString(16)} at byte 31 of the line (byte 62 of the file) (the last line has no newline: was the file cut short?)`,
      );
    }
    expect(await read('cut-then-more.jsonl', Buffer.from([...Buffer.from('{"type":"tenant","tenant":"caf'), 0xc3, 0x22, 0x7d]))).toContain(
      '(a trace is UTF-8 text)',
    );
    const many = Buffer.concat([...Array.from({ length: 50_000 }, (_, i) => tenant(Buffer.from(`org-${i}`))), tenant(Buffer.from([0x80]))]);
    expect(await read('late.jsonl', many)).toContain(':50001: invalid UTF-8: byte 0x80 at byte 28 of the line');
  });

  it('refuses a line longer than 10 MiB, with or without a newline after it', async () => {
    const long = Buffer.from(`{"type":"tenant","tenant":"${'x'.repeat(MAX_LINE_BYTES)}"}`);
    const message = 'the line is longer than 10 MiB (each event is one line of JSON)';
    expect(await read('long.jsonl', Buffer.concat([tenant(Buffer.from('a')), long, Buffer.from('\n')]))).toContain(`:2: ${message}`);
    expect(await read('long-last.jsonl', Buffer.concat([tenant(Buffer.from('a')), long]))).toContain(`:2: ${message}`);
  });

  it('says a malformed last line without a newline may be a file cut short', async () => {
    expect(await read('cut.jsonl', Buffer.from('{"type":"tenant","tenant":"a"}\n{"type":"ten'))).toMatch(
      /:2: malformed JSON: .* \(the last line has no newline: was the file cut short\?\)$/,
    );
    expect(await read('whole.jsonl', Buffer.from('{"type":"tenant","tenant":"a"}\n{"type":"tenant","tenant":"b"}'))).toEqual([1, 2]);
  });
});
