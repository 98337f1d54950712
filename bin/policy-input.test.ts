/**
 * Hostile `--policy FILE` and `--set K=V`: each is one line on stderr naming the file (and field)
 * or the option, exit status 2, never a stack trace, never exit 1 or 3. Every case runs through
 * the functions `xcm check` calls (an `InputError` is what the CLI prints as one line with exit 2;
 * anything else would be exit 3), and a sample of them through the real CLI, which must print
 * exactly that line. Fixed files live in model/io/fixtures/policies; the huge and the deep ones
 * are written here.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { file, TMP, xcmAsync } from './cli-harness.ts';
import { InputError } from '../model/errors.ts';
import { choosePolicy } from '../model/io/load-policy.ts';
import { scenarioHeader } from '../model/io/trace.ts';

const FIXTURES = 'model/io/fixtures/policies';
const fixture = (name: string) => `${FIXTURES}/${name}`;
const trace = file('policy-input.jsonl', [{ type: 'connect', app: 'a', tenant: 't' }]);
const MAX = '9007199254740991';
const COUNT = `expected a whole number from 0 to ${MAX}`;

function generated(name: string, text: string): string {
  const path = join(TMP, name);
  writeFileSync(path, text);
  return path;
}

const deepArray = generated('deep-array.json', `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
const deepObject = generated('deep-object.json', `{"id": "p", "appCap": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
const hugeFile = generated('huge.json', JSON.stringify({ id: 'p', title: 'x'.repeat(10_000_000) }));
const longValue = generated('long-value.json', JSON.stringify({ id: 'p', checkOrder: 'x'.repeat(200_000) }));
const longKey = generated('long-key.json', JSON.stringify({ id: 'p', ['k'.repeat(200_000)]: 1 }));
const folder = join(TMP, 'folder.json');
mkdirSync(folder);
const hugeHeaderSet = file('huge-set.jsonl', [
  { type: 'scenario', title: 't', story: 's', source: 'x', set: [`appCap=${'9'.repeat(10_000_000)}`] },
  { type: 'connect', app: 'a', tenant: 't' },
]);
const longText = 'x'.repeat(100_000);

/** One hostile input: the command line after `xcm check`, where the message puts it, and what it says. */
interface Case {
  name: string;
  args: string[];
  /** The file or option the line starts with (after `xcm: `). */
  where: string;
  /** The field's name, as the input gives it. */
  field?: string;
  /** The field as the message shows it, when not simply quoted (a long name is cut). */
  fieldShown?: string;
  says: string;
}

const policyFiles: Case[] = [
  { name: 'not JSON', args: ['--policy', fixture('not-json.json')], where: fixture('not-json.json'), says: 'not JSON: ' },
  { name: 'a number', args: ['--policy', fixture('number.json')], where: fixture('number.json'), says: 'expected a JSON object, got 42' },
  {
    name: 'an array',
    args: ['--policy', fixture('array.json')],
    where: fixture('array.json'),
    says: 'expected a JSON object, got [{"id":"p"',
  },
  {
    name: 'an array nested 10,000 deep',
    args: ['--policy', deepArray],
    where: deepArray,
    says: 'expected a JSON object, got an array nested too deep to show',
  },
  {
    name: 'an object nested 10,000 deep as a value',
    args: ['--policy', deepObject],
    where: deepObject,
    field: 'appCap',
    says: `${COUNT}, got an object nested too deep to show`,
  },
  { name: 'a 10 MB file', args: ['--policy', hugeFile], where: hugeFile, says: 'larger than 1 MiB: not a policy file' },
  {
    name: 'a 200 KB value',
    args: ['--policy', longValue],
    where: longValue,
    field: 'checkOrder',
    says: 'unknown value "xxxxxxxxxx',
  },
  {
    name: 'a 200 KB key',
    args: ['--policy', longKey],
    where: longKey,
    field: 'k'.repeat(200_000),
    fieldShown: `"${'k'.repeat(60)}..." (200000 characters)`,
    says: 'unknown parameter',
  },
  {
    name: 'an unknown key',
    args: ['--policy', fixture('unknown-key.json')],
    where: fixture('unknown-key.json'),
    field: 'appCapp',
    says: 'unknown parameter (did you mean appCap? a policy file takes id, extends, title, sources, from and the parameters appCap,',
  },
  ...['proto-key', 'constructor-key', 'tostring-key'].map((name) => ({
    name: `${name} as a key`,
    args: ['--policy', fixture(`${name}.json`)],
    where: fixture(`${name}.json`),
    field: { 'proto-key': '__proto__', 'constructor-key': 'constructor', 'tostring-key': 'toString' }[name] as string,
    says: 'unknown parameter',
  })),
  {
    name: "a built-in policy's id",
    args: ['--policy', fixture('builtin-id.json')],
    where: fixture('builtin-id.json'),
    field: 'id',
    says: '"xero-oauth2-2019" is the id of a built-in policy (a file names a policy of its own; to start from this one, give "extends": "xero-oauth2-2019")',
  },
  {
    name: "the timeline's id",
    args: ['--policy', fixture('timeline-id.json')],
    where: fixture('timeline-id.json'),
    field: 'id',
    says: '"xero" is the id of the timeline',
  },
  {
    name: 'extends a policy that does not exist',
    args: ['--policy', fixture('extends-missing.json')],
    where: fixture('extends-missing.json'),
    field: 'extends',
    says: 'unknown policy "xero-oauth3-2030" (did you mean xero-oauth2-2019? built-in ids: xero, xero-partner-page-2019',
  },
  {
    name: 'extends itself',
    args: ['--policy', fixture('extends-self.json')],
    where: fixture('extends-self.json'),
    field: 'extends',
    says: 'is a file: a policy file extends a built-in policy or the timeline, not another file',
  },
  {
    name: 'extends a file that extends it',
    args: ['--policy', fixture('cycle-a.json')],
    where: fixture('cycle-a.json'),
    field: 'extends',
    says: '"model/io/fixtures/policies/cycle-b.json" is a file',
  },
  {
    name: 'a key given twice',
    args: ['--policy', fixture('duplicate-key.json')],
    where: fixture('duplicate-key.json'),
    field: 'appCap',
    says: 'given twice (the second on line 5) (JSON would keep only the last: give each key once)',
  },
  {
    name: 'a byte that is not UTF-8',
    args: ['--policy', fixture('bad-utf8.json')],
    where: fixture('bad-utf8.json'),
    says: 'not UTF-8: byte 0xe9 at offset 25',
  },
  {
    name: 'an empty file',
    args: ['--policy', fixture('empty.json')],
    where: fixture('empty.json'),
    says: 'empty (a policy file is a JSON object',
  },
  { name: 'a folder', args: ['--policy', folder], where: folder, says: 'cannot read the policy (EISDIR)' },
  { name: 'a folder without .json', args: ['--policy', FIXTURES], where: FIXTURES, says: 'cannot read the policy (EISDIR)' },
  {
    name: 'a missing file',
    args: ['--policy', fixture('missing.json')],
    where: fixture('missing.json'),
    says: 'cannot read the policy (ENOENT)',
  },
  {
    name: 'a dated change on February 30',
    args: ['--policy', fixture('dated-impossible.json')],
    where: fixture('dated-impossible.json'),
    field: 'from',
    says: '"2026-02-30T00:00:00+13:00" names no calendar instant',
  },
  {
    name: 'a dated change at hour 24',
    args: ['--policy', fixture('dated-hour-24.json')],
    where: fixture('dated-hour-24.json'),
    field: 'from',
    says: 'names no calendar instant',
  },
  {
    name: 'a dated change without an offset',
    args: ['--policy', fixture('dated-no-offset.json')],
    where: fixture('dated-no-offset.json'),
    field: 'from',
    says: 'expected an ISO 8601 instant with offset, got "2026-03-01T00:00:00"',
  },
  {
    name: 'a dated change to a policy other than the timeline',
    args: ['--policy', fixture('dated-not-timeline.json')],
    where: fixture('dated-not-timeline.json'),
    field: 'from',
    says: 'a dated change extends the timeline',
  },
  ...(
    [
      ['cap-negative', 'orgCap', `${COUNT}, got -1`],
      ['cap-fraction', 'appCap', `${COUNT}, got 2.5`],
      ['cap-huge', 'appCap', `${COUNT}, got 100000000000000000000`],
      ['cap-infinity', 'appCap', `${COUNT}, got a number too large to hold`],
      ['cap-null', 'appCap', `${COUNT}, got null`],
      ['cap-string', 'appCap', `${COUNT}, got "25"`],
      ['tiered-yes', 'tiered', 'expected true or false, got "yes"'],
      ['enum-bad', 'checkOrder', 'unknown value "tenant-first" (expected one of app-first, org-first)'],
      ['title-number', 'title', 'expected a text on one line, at most 500 characters, got 5'],
      ['sources-string', 'sources', 'expected an array of at most 100 texts, got "the forum"'],
      ['id-newline', 'id', 'expected a name on one line, at most 100 characters, got "a\\nb"'],
      ['key-newline', 'app\nCap', 'unknown parameter'],
      ['missing-id', 'id', 'missing or empty'],
    ] as const
  ).map(([name, field, says]) => ({ name, args: ['--policy', fixture(`${name}.json`)], where: fixture(`${name}.json`), field, says })),
];

const sets: Case[] = [
  ...(
    [
      ['-1', `${COUNT}, got "-1"`],
      ['2.5', `${COUNT}, got "2.5"`],
      ['1e20', `${COUNT}, got "1e20"`],
      ['9007199254740992', `${COUNT}, got "9007199254740992"`],
      ['1e309', `${COUNT}, got "1e309"`],
      ['NaN', `${COUNT}, got "NaN"`],
      ['0x10', `${COUNT}, got "0x10"`],
      ['', `${COUNT}, got ""`],
      ['null', `${COUNT}, got "null"`],
      [longText, `${COUNT}, got "xxxxxxxxxx`],
    ] as const
  ).map(([value, says]) => ({
    name: `--set appCap=${value.slice(0, 20)}`,
    args: ['--set', `appCap=${value}`],
    where: '--set',
    field: 'appCap',
    says,
  })),
  { name: '--set =5', args: ['--set', '=5'], where: '--set', says: 'expected key=value, got "=5" (e.g. --set appCap=3)' },
  { name: '--set no =', args: ['--set', 'appCap'], where: '--set', says: 'expected key=value, got "appCap"' },
  { name: '--set a long text without =', args: ['--set', longText], where: '--set', says: 'expected key=value, got "xxxxxxxxxx' },
  {
    name: '--set an unknown key',
    args: ['--set', 'appcap=3'],
    where: '--set',
    field: 'appcap',
    says: 'unknown parameter (did you mean appCap? parameters: appCap, orgCap,',
  },
  {
    name: '--set a long unknown key',
    args: ['--set', `${longText}=3`],
    where: '--set',
    field: longText,
    fieldShown: `"${'x'.repeat(60)}..." (100000 characters)`,
    says: 'unknown parameter',
  },
  { name: '--set __proto__', args: ['--set', '__proto__=1'], where: '--set', field: '__proto__', says: 'unknown parameter' },
  {
    name: '--set a key given twice',
    args: ['--set', 'appCap=1', '--set', 'appCap=2'],
    where: '--set',
    field: 'appCap',
    says: 'given twice ("appCap=1", then "appCap=2") (give each key once)',
  },
  {
    name: '--set a boolean given yes',
    args: ['--set', 'tiered=yes'],
    where: '--set',
    field: 'tiered',
    says: 'expected true or false, got "yes"',
  },
  {
    name: '--set a value outside its set',
    args: ['--set', 'orgLimitReading=sideways'],
    where: '--set',
    field: 'orgLimitReading',
    says: 'unknown value "sideways" (expected one of correct, counts-every-app, refuses-at-limit, counts-app-tenants)',
  },
  {
    name: 'a 10 MB value from a scenario header',
    args: [],
    where: `${hugeHeaderSet}:1`,
    field: 'set',
    says: `"appCap": ${COUNT}, got "9999999999`,
  },
];

/**
 * What `xcm check TRACE ARGS` prints on stderr for a case, from the functions it calls (paths are
 * relative to the package root, the tests' working directory, as they are for the CLI's).
 */
function inProcess(c: Case): string {
  const policy = c.args.flatMap((arg, i) => (c.args[i - 1] === '--policy' ? [arg] : [])).at(-1);
  const sets = c.args.flatMap((arg, i) => (c.args[i - 1] === '--set' ? [arg] : []));
  try {
    if (c.args.length === 0) scenarioHeader(readFileSync(headerTrace(c), 'utf8'), headerTrace(c));
    else choosePolicy(policy, sets);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.message.startsWith('xcm: ') ? `${error.message}\n` : `xcm: ${error.message}\n`;
  }
  return 'accepted';
}

/** The trace of a case that has no arguments: the file its message names. */
const headerTrace = (c: Case) => c.where.replace(/:\d+$/, '');

function expectOneLine(c: Case, stderr: string): void {
  const field = c.field === undefined ? '' : `field ${c.fieldShown ?? JSON.stringify(c.field)}: `;
  const head = `xcm: ${c.where}: ${field}`;
  expect(stderr.endsWith('\n') && stderr.split('\n').length === 2, stderr.slice(0, 300)).toBe(true);
  expect(stderr.slice(0, head.length)).toBe(head);
  expect(stderr).toContain(c.says);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr.length).toBeLessThan(600);
}

const cases = [...policyFiles, ...sets];

describe('hostile --policy files and --set values', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expectOneLine(c, inProcess(c));
  });

  const sample = [
    'an array nested 10,000 deep',
    'a 10 MB file',
    'a byte that is not UTF-8',
    "a built-in policy's id",
    'a key given twice',
    '--set a key given twice',
    '--set appCap=1e20',
    '--set a long unknown key',
    '--set =5',
    'a 10 MB value from a scenario header',
  ];
  it.concurrent.each(cases.filter((c) => sample.includes(c.name)).map((c) => [c.name, c] as const))(
    'through the CLI: %s, exit 2 and the same one line',
    async (_, c) => {
      const { status, stdout, stderr } = await xcmAsync('check', c.args.length === 0 ? headerTrace(c) : trace, ...c.args);
      expect({ status, stdout, stderr }).toEqual({ status: 2, stdout: '', stderr: inProcess(c) });
      expectOneLine(c, stderr);
    },
  );
});

describe('policy input the CLI accepts', () => {
  it.concurrent.each([
    ['a byte-order mark at the start of a file', ['--policy', fixture('bom.json')], 'under bom-policy'],
    ['null and "unlimited" for caps that may be unlimited', ['--policy', fixture('unlimited-null.json')], 'under open-certified'],
    ['a dated change without from, on every era', ['--policy', fixture('dated-every-era.json')], 'under cap-20-always (xero, changed)'],
    [
      '--set null for a cap that may be unlimited',
      ['--set', 'certifiedCap=null', '--set', 'enterpriseCap=unlimited'],
      'with certifiedCap=null',
    ],
    ['--set the largest cap', ['--set', `appCap=${MAX}`], `with appCap=${MAX}`],
  ])('%s', async (_, args, says) => {
    const { status, stdout, stderr } = await xcmAsync('check', trace, ...(args as string[]));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toContain(says);
  });
});
