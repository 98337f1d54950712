import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TMP, xcm } from '../bin/cli-harness.ts';
import { InputError } from '../model/errors.ts';
import { checkFile } from '../model/oracle/oracle.ts';
import { fcParameters, NUM_RUNS, runBanner, timeoutMs } from './config.ts';
import {
  assertContract,
  assertSameAsRenamed,
  badNameFamily,
  consentFamily,
  CUT_SHORT,
  dateFamily,
  deepFamily,
  duplicateFamily,
  type HostileCase,
  hugeFamily,
  INVALID_NAMES,
  junkFamily,
  outcomeFamily,
  PROTOTYPE_NAMES,
  truncationFamily,
  unknownFieldFamily,
  utf8Family,
  VALID_HOSTILE_NAMES,
  validFamily,
  verdictOf,
  whyNotAName,
  wrongTypeFamily,
} from './hostile.ts';

/** Cases per family: a third of a property's runs (at least 20), so `FC_NUM_RUNS` scales them. */
const RUNS = Math.max(20, Math.round(NUM_RUNS / 3));
const DIR = mkdtempSync(join(tmpdir(), 'xcm-hostile-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
beforeAll(() => console.info(`${runBanner()}; ${RUNS} per hostile family`));

const FIXTURES = fileURLToPath(new URL('fixtures/hostile/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

describe('the name pools follow the README', () => {
  it('holds every own property name of Object.prototype and Function.prototype, each a name', () => {
    expect(PROTOTYPE_NAMES).toEqual(expect.arrayContaining(['__proto__', 'toString', 'valueOf', 'constructor', 'apply', 'caller']));
    expect(VALID_HOSTILE_NAMES.filter((n) => whyNotAName(n) !== null)).toEqual([]);
    expect(INVALID_NAMES.filter((n) => whyNotAName(n) === null)).toEqual([]);
  });
});

describe('every hostile name that is a name, as an app, a tenant and a user at once', () => {
  /** A trace with `n` in every role, at both caps (appCap 2, orgCap 1), with a wrong observation among them. */
  const trace = (n: string) =>
    [
      { type: 'app', app: n },
      { type: 'connect', app: n, tenant: 'o1', user: n, observed: 'connected' },
      {
        type: 'connect',
        app: n,
        tenants: ['o2', n],
        observed: Object.fromEntries([
          ['o2', 'connected'],
          [n, 'connected'],
        ]),
      },
      { type: 'connect', app: 'b', tenant: n, observed: 'rejected:org-limit' },
      { type: 'disconnect', app: n, tenant: 'o1', user: n, observed: 'disconnected' },
      { type: 'connect', app: 'b', tenant: n, observed: 'rejected' },
      { type: 'revoke', app: n, user: n, observed: 'revoked' },
      { type: 'certify', app: n, observed: 'ok' },
      { type: 'connect', app: n, tenant: n, user: 'user', observed: 'reconnected' },
      { type: 'tenant', tenant: n, kind: 'demo', observed: 'ok' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
  const setting = { policy: 'xero-oauth2-2019', set: ['appCap=2', 'orgCap=1'] };

  it.each(VALID_HOSTILE_NAMES.map((n) => [n.length > 40 ? `${n.slice(0, 20)}... (${n.length})` : JSON.stringify(n), n]))(
    '%s gives the verdict of the renamed trace',
    async (_shown, name) => {
      const file = join(DIR, 'every-name.jsonl');
      const bytes = Buffer.from(trace(name));
      writeFileSync(file, bytes);
      const result = await checkFile(file, setting);
      // The same for every name: the consent's second tenant is past the app's cap (the trace says
      // it connected, so the app holds it from there: the organisation refuses b, and the implicit
      // user's connect at the end is a reconnect).
      expect(verdictOf(result)).toEqual({
        ok: false,
        events: 10,
        outcomes: 1,
        lines: 1,
        divergences: [{ line: 3, expected: 'rejected:app-limit', observed: 'connected', rule: 'app-cap', followed: 0 }],
      });
      await assertSameAsRenamed(file, bytes, setting, result);
    },
  );
});

const FAMILIES: ReadonlyArray<readonly [string, fc.Arbitrary<HostileCase>]> = [
  ['valid traces with hostile names, blank lines, CRLF, a byte-order mark: the verdict of the renamed trace', validFamily],
  ['a line cut short, in the middle or as the last line without a newline', truncationFamily],
  ['a field of the wrong type', wrongTypeFamily],
  ['a value nested 10,000 deep in any field', deepFamily],
  ['bytes that are not UTF-8 in a name', utf8Family],
  ['a key given twice, at the top level, in observed, in model, in a scenario header', duplicateFamily],
  ['a name that is not one', badNameFamily],
  ['a 1 MB value', hugeFamily],
  ['a field the event type does not have', unknownFieldFamily],
  ['a date that does not exist (and dates that do)', dateFamily],
  ['an unknown outcome, or one of another event type', outcomeFamily],
  ['tenant and tenants both, neither, or repeated', consentFamily],
  ['a line that is not an event object', junkFamily],
];

describe('hostile input: an InputError of one line naming the file, the line and the field, or the verdict of the renamed trace', () => {
  it.each(FAMILIES)(
    '%s',
    async (_name, family) => {
      await fc.assert(
        fc.asyncProperty(family, (c) => assertContract(c, DIR)),
        { ...fcParameters(), numRuns: RUNS },
      );
    },
    timeoutMs(),
  );
});

/** The error `checkFile` throws on a file, or a failure when it throws none or another kind. */
async function refusal(file: string, policy = 'xero-oauth2-2019'): Promise<string> {
  try {
    const result = await checkFile(file, { policy });
    throw new Error(`accepted: ${JSON.stringify(verdictOf(result))}`);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.message;
  }
}

/** The message JSON.parse gives for a text (the parser's own words follow "malformed JSON: "). */
function jsonMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('parses');
}

describe('the hostile fixtures: the cases of the issue', () => {
  const divergence = (line: number, expected: string, observed: string, rule: string) => ({ line, expected, observed, rule, followed: 0 });
  it.each([
    [
      'proto-26th-tenant.jsonl',
      'app __proto__ at its 26th tenant',
      { ok: false, events: 26, outcomes: 1, lines: 1, divergences: [divergence(26, 'rejected:app-limit', 'connected', 'app-cap')] },
    ],
    [
      'valueof-then-undefined-at-cap.jsonl',
      'an app valueOf, then an app undefined at its cap',
      { ok: true, events: 27, outcomes: 0, lines: 0, divergences: [] },
    ],
    [
      'certify-tostring.jsonl',
      'toString refused by the organisation, certified, connected',
      { ok: true, events: 5, outcomes: 0, lines: 0, divergences: [] },
    ],
    [
      'observed-proto-tostring.jsonl',
      'a consent observed as an object keyed by __proto__ and toString',
      { ok: false, events: 4, outcomes: 1, lines: 1, divergences: [divergence(4, 'not-connected', 'disconnected', 'disconnect')] },
    ],
  ])('%s (%s): the verdict, the same as the renamed trace', async (name, _what, verdict) => {
    const file = fixture(name);
    const result = await checkFile(file, { policy: 'xero-oauth2-2019' });
    expect(verdictOf(result)).toEqual(verdict);
    await assertSameAsRenamed(join(DIR, name), readFileSync(file), { policy: 'xero-oauth2-2019', set: [] }, result);
  });

  it.each([
    ['invalid-utf8-org-ff-fe.jsonl', '2: invalid UTF-8: byte 0xff at byte 32 of the line (byte 67 of the file) (a trace is UTF-8 text)'],
    [
      'at-february-30.jsonl',
      '2: field "at": no such date or time: "2026-02-30T00:00:00+13:00" (months have their own number of days; hours run 00 to 23)',
    ],
    ['registered-february-30.jsonl', '1: field "registered": no such date: "2025-02-30" (months have their own number of days)'],
    ['duplicate-key-observed.jsonl', '2: field "observed.org-1": given twice (JSON would keep only the last; give each field once)'],
    ['duplicate-key-type-scenario.jsonl', '2: field "type": given twice (JSON would keep only the last; give each field once)'],
    [
      'newline-in-name.jsonl',
      '1: field "tenant": a name with the control character U+000A at character 4: "org\\n1" (names are printable text)',
    ],
    ['truncated-last-line.jsonl', `3: malformed JSON: ${jsonMessage('{"type":"connect","app":"a","ten')} ${CUT_SHORT}`],
    ['truncated-mid-character.jsonl', `2: invalid UTF-8: byte 0xc3 at byte 31 of the line (byte 66 of the file) ${CUT_SHORT}`],
  ])('%s: the whole message', async (name, message) => {
    expect(await refusal(fixture(name))).toBe(`${fixture(name)}:${message}`);
  });
});

describe('hostile input through the real xcm check: exit 2, one line on stderr, never a stack trace', () => {
  const deepObserved = join(TMP, 'deep-observed.jsonl');
  writeFileSync(
    deepObserved,
    `{"type":"tenant","tenant":"t"}\n\n{"type":"connect","app":"a","tenant":"t","observed":${'{"t":'.repeat(10_000)}"connected"${'}'.repeat(10_000)}}\n`,
  );
  it.each([
    [fixture('invalid-utf8-org-ff-fe.jsonl'), 2],
    [fixture('duplicate-key-type-scenario.jsonl'), 2],
    [fixture('truncated-last-line.jsonl'), 3],
    [deepObserved, 3],
  ])('%s', (file, line) => {
    const { status, stdout, stderr } = xcm('check', file, '--policy', 'xero-oauth2-2019');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([expect.stringMatching(new RegExp(`^xcm: ${file.replace(/[.+]/g, '\\$&')}:${line}: `)), '']);
    expect(stderr).not.toContain('    at ');
    expect(stderr.length).toBeLessThan(file.length + 400);
  });
});
