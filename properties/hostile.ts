/**
 * Hostile trace files for the input contract (README, "The trace format" and "What a trace may not
 * hold"): generators of malformed or adversarial files, each with what the contract says must
 * happen, and the check of that contract on `checkFile`, the path `xcm check` takes. Every file
 * starts from a valid trace (names plain or hostile, blank lines, CRLF, a byte-order mark, a
 * scenario header, spaces around the JSON tokens) and, in all but the valid family, one line is
 * made malformed, so the line an error must name is known. What is valid, and what each field may
 * hold, is written here from the README, not taken from the parser. Test support for
 * `hostile-input.test.ts`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { InputError } from '../model/errors.ts';
import { readTrace } from '../model/io/trace.ts';
import { type CheckResult, checkFile, run } from '../model/oracle/oracle.ts';

// ---------------------------------------------------------------------------------------------
// The contract, from the README

/** Fields of each event type beyond the common ones (README table). */
const TYPE_FIELDS: Record<string, readonly string[]> = {
  app: ['app', 'certified', 'tier', 'custom', 'auth', 'registered'],
  tenant: ['tenant', 'kind'],
  connect: ['app', 'tenant', 'tenants', 'user'],
  disconnect: ['app', 'tenant', 'user'],
  revoke: ['app', 'user'],
  certify: ['app'],
  tier: ['app', 'tier'],
};
const COMMON_FIELDS = ['type', 'at', 'observed', 'note', 'model'];
const EVENT_TYPES = Object.keys(TYPE_FIELDS);
/** The outcomes each event type may observe (a connect also `rejected`, either refusal). */
const OUTCOMES_OF: Record<string, readonly string[]> = {
  app: ['ok', 'rejected:requirements'],
  tenant: ['ok'],
  connect: ['connected', 'reconnected', 'rejected:app-limit', 'rejected:org-limit', 'rejected'],
  disconnect: ['disconnected', 'not-connected'],
  revoke: ['revoked'],
  certify: ['ok'],
  tier: ['ok', 'rejected:requirements'],
};
const ALL_OUTCOMES = [...new Set(Object.values(OUTCOMES_OF).flat())];
const TIER_NAMES = ['starter', 'core', 'plus', 'advanced', 'enterprise'];
const KINDS = ['organisation', 'practice', 'demo'];
const NAME_FIELDS = new Set(['app', 'tenant', 'user']);

/** The fields an event of this type may carry. */
function allowedFields(type: string): readonly string[] {
  return [...COMMON_FIELDS, ...(TYPE_FIELDS[type] ?? [])];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Characters no message may hold: it is one line (control characters, U+2028 and U+2029). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The hint of an error on a last line without a newline that does not parse. */
export const CUT_SHORT = '(the last line has no newline: was the file cut short?)';

/** The index of the first half of a surrogate pair standing alone in `s`, or -1. */
function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Why a string is not a name by the README (null: it is one), worded as an error says it. */
export function whyNotAName(name: string): string | null {
  if (name === '') return 'expected a non-empty string, got ""';
  if (name.length > 1000) return `a name of ${name.length} characters (at most 1000)`;
  const control = CONTROL.exec(name);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `a name with the control character U+${code} at character ${control.index + 1}`;
  }
  const lone = loneSurrogateAt(name);
  return lone === -1 ? null : `a name with half of a surrogate pair at character ${lone + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Names

/** Every own property name of Object.prototype and Function.prototype (`__proto__` among them). */
export const PROTOTYPE_NAMES: readonly string[] = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype)]),
];

/** Names that are names (the README's rules) but look like something else. */
export const ODD_NAMES: readonly string[] = [
  '__proto__',
  'undefined',
  'null',
  'NaN',
  'true',
  '0',
  '-1',
  '1e3',
  'prototype',
  'toJSON',
  'then',
  'a1',
  't1',
  'u1',
  'app',
  'tenant',
  'observed',
  'org-1.org-2',
  ' ',
  ' lead',
  'trail ',
  '"',
  '\\',
  '\\"',
  '{}',
  '[]',
  '\u00e9', // é, composed
  'e\u0301', // é, decomposed: another name
  '😀',
  '👩‍👩‍👧',
  'café 😀',
  'Ωμέγα',
  'عربي',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  'a\u2028b',
  'a\u2029b',
  'x'.repeat(999),
  'y'.repeat(1000),
];

/** Every hostile name that is still a name. */
export const VALID_HOSTILE_NAMES: readonly string[] = [...new Set([...PROTOTYPE_NAMES, ...ODD_NAMES])];

/** Strings that are not names, each with the reason an error gives. */
export const INVALID_NAMES: readonly string[] = [
  '',
  'a\u0000',
  '\u001f',
  'org\n1',
  '\t',
  'a\u007f',
  '\u0085',
  'z\u009f',
  '\ud800',
  'x\udc00',
  '\udbff\ud800',
  '😀\udc00',
  'z'.repeat(1001),
  'w'.repeat(5000),
];

const PLAIN = { app: ['a1', 'a2', 'a3'], tenant: ['t1', 't2', 't3', 't4'], user: ['u1', 'u2'] };

/** A name for one namespace: plain, hostile, or random text that is a name. */
function nameArb(plain: readonly string[], extra: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...plain) },
    { weight: 3, arbitrary: fc.constantFrom(...extra, ...VALID_HOSTILE_NAMES) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).filter((s) => whyNotAName(s) === null) },
  );
}

// ---------------------------------------------------------------------------------------------
// Writing lines

/** A value written as this JSON text, verbatim (deep nesting, `1e400`, an escaped key). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** An object written with its keys in this order; a key may be given twice, or spelled as JSON text. */
export class Obj {
  constructor(readonly pairs: ReadonlyArray<readonly [string | JsonText, unknown]>) {}
}

/** One trace line as fields in order (`type` among them). */
export type Entries = ReadonlyArray<readonly [string | JsonText, unknown]>;

function keyName(key: string | JsonText): string {
  return key instanceof JsonText ? (JSON.parse(key.text) as string) : key;
}

/** JSON text of a value, with `ws` around each colon and comma (never a newline). */
function json(value: unknown, ws: string): string {
  if (value instanceof JsonText) return value.text;
  if (value instanceof Obj) {
    const pairs = value.pairs.map(([k, v]) => `${k instanceof JsonText ? k.text : JSON.stringify(k)}${ws}:${ws}${json(v, ws)}`);
    return `{${pairs.join(`,${ws}`)}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => json(v, ws)).join(`,${ws}`)}]`;
  return JSON.stringify(value) ?? 'null';
}

function get(entries: Entries, key: string): unknown {
  return entries.find(([k]) => keyName(k) === key)?.[1];
}

function has(entries: Entries, key: string): boolean {
  return entries.some(([k]) => keyName(k) === key);
}

function without(entries: Entries, key: string): Entries {
  return entries.filter(([k]) => keyName(k) !== key);
}

/** The entries with `key` set to `value` (in its place, or added last). */
function withField(entries: Entries, key: string, value: unknown): Entries {
  return has(entries, key) ? entries.map(([k, v]) => [k, keyName(k) === key ? value : v] as const) : [...entries, [key, value]];
}

/** The tenants of a connect's entries. */
function consentOf(entries: Entries): string[] {
  const tenants = get(entries, 'tenants');
  if (Array.isArray(tenants)) return tenants as string[];
  const tenant = get(entries, 'tenant');
  return typeof tenant === 'string' ? [tenant] : [];
}

/** How the lines of a file are laid out around the events. */
export interface Layout {
  /** Blank lines before each line. */
  blanks: number[];
  /** The text of a blank line. */
  blank: string;
  crlf: boolean;
  /** Whether the last line ends with a newline. */
  terminated: boolean;
  /** A byte-order mark at the start of the file. */
  bom: boolean;
  /** Spaces around colons and commas. */
  ws: string;
  /** A scenario header as the first line. */
  header: boolean;
}

/** Under which policy and `--set` a case is checked. */
export interface Setting {
  policy: string;
  set: string[];
}

const SETTINGS: readonly Setting[] = [
  { policy: 'xero-oauth2-2019', set: ['appCap=2', 'orgCap=1'] },
  { policy: 'xero', set: ['appCap=2', 'starterCap=2', 'coreCap=3'] },
  { policy: 'xero-oauth2-2019', set: [] },
  { policy: 'xero-tiers-2026', set: ['starterCap=1', 'orgCap=1'] },
];

/** A valid trace: the events (names plain or hostile), the setting and the layout. */
export interface Base {
  setting: Setting;
  events: Entries[];
  layout: Layout;
}

const HEADER: Entries = [
  ['type', 'scenario'],
  ['title', 'hostile'],
  ['story', 'generated'],
  ['source', 'hostile.ts'],
];

/** The lines of a base trace as JSON text: the header (if any), then one per event. */
function linesOf(base: Base): Entries[] {
  return base.layout.header ? [HEADER, ...base.events] : base.events;
}

/** The index in `linesOf` of event `k`. */
function lineIndex(base: Base, k: number): number {
  return k + (base.layout.header ? 1 : 0);
}

function text(entries: Entries, ws: string): Buffer {
  return Buffer.from(json(new Obj(entries), ws));
}

/** A file, and where each of its lines is. */
interface Rendered {
  bytes: Buffer;
  /** The 1-based line number of each text. */
  lineOf: number[];
  /** The file offset of the first byte of each text. */
  startOf: number[];
  /** The number of the last line written, and whether it ends with a newline. */
  lastLine: number;
  terminated: boolean;
}

/** The file of these line texts, laid out (texts after `last` left out). */
function render(layout: Layout, texts: readonly Buffer[], last = texts.length - 1, terminated = layout.terminated): Rendered {
  const eol = Buffer.from(layout.crlf ? '\r\n' : '\n');
  const parts: Buffer[] = layout.bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
  let offset = layout.bom ? 3 : 0;
  let line = 0;
  const lineOf: number[] = [];
  const startOf: number[] = [];
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  for (let i = 0; i <= last; i++) {
    for (let b = 0; b < (layout.blanks[i] ?? 0); b++) {
      push(Buffer.from(layout.blank));
      push(eol);
      line++;
    }
    line++;
    lineOf.push(line);
    startOf.push(offset);
    push(texts[i] as Buffer);
    if (i < last || terminated) push(eol);
  }
  return { bytes: Buffer.concat(parts), lineOf, startOf, lastLine: line, terminated };
}

// ---------------------------------------------------------------------------------------------
// Cases and their expectations

/** Which field an error must name: one of these, none (`null`), or any (`undefined`). */
type FieldExpectation = readonly string[] | null | undefined;

/** What the contract says about a file. */
export type Expectation =
  | { valid: true }
  | {
      valid: false;
      /** The line the error must name. */
      line: number;
      field: FieldExpectation;
      /** The whole message after `FILE:LINE: `, when it is known. */
      body?: string;
      /** Texts the message must hold after `FILE:LINE: `. */
      contains?: readonly string[];
      /** Whether the line is the last and has no newline. */
      lastUnterminated: boolean;
    };

/** One generated file, and what must happen when it is checked. */
export class HostileCase {
  constructor(
    readonly family: string,
    readonly setting: Setting,
    readonly bytes: Buffer,
    readonly expect: Expectation,
    readonly what: string,
  ) {}

  /** What fast-check prints of a counterexample: the case, and the file with long runs cut. */
  [fc.toStringMethod](): string {
    const shown = this.bytes
      .toString('utf8')
      .split('\n')
      .map((l) => (l.length > 300 ? `${l.slice(0, 150)}...(${l.length} characters)...${l.slice(-60)}` : l));
    return `${this.family}: ${this.what}; ${JSON.stringify(this.expect)}; policy ${this.setting.policy} ${this.setting.set.join(' ')}\n${JSON.stringify(shown, null, 1)}`;
  }
}

function errorCase(
  family: string,
  base: Base,
  r: Rendered,
  index: number,
  field: FieldExpectation,
  what: string,
  more: { body?: string; contains?: readonly string[] } = {},
): HostileCase {
  const line = r.lineOf[index] as number;
  const lastUnterminated = line === r.lastLine && !r.terminated;
  return new HostileCase(family, base.setting, r.bytes, { valid: false, line, field, lastUnterminated, ...more }, what);
}

function validCase(family: string, base: Base, bytes: Buffer, what: string): HostileCase {
  return new HostileCase(family, base.setting, bytes, { valid: true }, what);
}

// ---------------------------------------------------------------------------------------------
// Valid traces

const INSTANTS = [
  '2019-12-20T09:00:00+13:00',
  '2020-01-01T00:00:00Z',
  '2020-01-01T13:00:00+13:00',
  '2020-02-09T18:30+13:00',
  '2020-02-10T06:00:00.5+13:00',
  '2020-02-10T13:00:00+13:00',
  '2025-06-01T00:00:00-05:00',
  '2026-03-02T00:00:00+13:00',
  '2026-06-01T12:00:00.123456Z',
];
const REGISTERED = ['2025-01-15', '2025-12-10', '2025-12-04T09:00:00+13:00'];

const note = fc.oneof(
  fc.constantFrom('n', 'a\nb', '\u0000', '\ud800', '"\\', '{"type":"connect"}', 'x'.repeat(300)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 5 }),
);

/** An observed value for an event of this type (for a consent, a string or an object). */
function observedArb(type: string, tenants: readonly string[]): fc.Arbitrary<unknown> {
  const outcome = fc.constantFrom(...(OUTCOMES_OF[type] ?? []));
  if (type !== 'connect') return outcome;
  const perTenant = fc
    .tuple(fc.subarray([...tenants], { minLength: 1 }), fc.array(outcome, { minLength: tenants.length, maxLength: tenants.length }))
    .map(([some, outcomes]) => new Obj(some.map((t, i) => [t, outcomes[i]] as const)));
  return tenants.length === 1 ? fc.oneof(outcome, perTenant) : perTenant;
}

/** The annotation `xcm run --json` writes (readers ignore it). */
function modelArb(tenants: readonly string[]): fc.Arbitrary<Obj> {
  return fc.constantFrom(
    new Obj([
      ['line', 3],
      ['policy', 'xero-oauth2-2019'],
      ['outcome', 'connected'],
      ['reason', 'r'],
    ]),
    new Obj([['outcome', new Obj(tenants.map((t) => [t, 'connected'] as const))]]),
  );
}

function optional<T>(key: string, arb: fc.Arbitrary<T>, freq = 3): fc.Arbitrary<Entries> {
  return fc.option(arb, { nil: undefined, freq }).map((v) => (v === undefined ? [] : [[key, v] as const]));
}

/** The events of a trace over these names. */
function eventArb(apps: readonly string[], tenants: readonly string[], users: readonly string[]): fc.Arbitrary<Entries> {
  const app = fc.constantFrom(...apps);
  const tenant = fc.constantFrom(...tenants);
  const user = optional('user', fc.constantFrom(...users), 1);
  const common = (type: string, consent: readonly string[]) =>
    fc.tuple(optional('observed', observedArb(type, consent), 1), optional('note', note, 5), optional('model', modelArb(consent), 8));
  const of = (type: string, fields: fc.Arbitrary<Entries>, consent: fc.Arbitrary<readonly string[]> = fc.constant([])) =>
    fc
      .tuple(fields, consent)
      .chain(([f, c]) => common(type, c).map((rest) => [['type', type] as const, ...f, ...rest.flat()]))
      .chain((entries) => fc.nat(entries.length).map((turn) => [...entries.slice(turn), ...entries.slice(0, turn)] as Entries));
  const consent = fc.uniqueArray(tenant, { minLength: 1, maxLength: 3 });
  return fc.oneof(
    {
      weight: 2,
      arbitrary: of(
        'app',
        fc
          .tuple(
            app,
            optional('certified', fc.boolean()),
            optional('tier', fc.constantFrom(...TIER_NAMES)),
            optional('custom', fc.boolean(), 5),
            optional('auth', fc.constantFrom('oauth2', 'oauth1'), 5),
            optional('registered', fc.constantFrom(...REGISTERED)),
          )
          .map(([a, ...rest]) => [['app', a] as const, ...rest.flat()]),
      ),
    },
    {
      weight: 1,
      arbitrary: of(
        'tenant',
        fc.tuple(tenant, optional('kind', fc.constantFrom(...KINDS), 1)).map(([t, k]) => [['tenant', t] as const, ...k]),
      ),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(app, consent, fc.boolean(), user)
        .chain(([a, ts, single, u]) =>
          of(
            'connect',
            fc.constant([['app', a] as const, ts.length === 1 && single ? (['tenant', ts[0]] as const) : (['tenants', ts] as const), ...u]),
            fc.constant(ts),
          ),
        ),
    },
    {
      weight: 2,
      arbitrary: of(
        'disconnect',
        fc.tuple(app, tenant, user).map(([a, t, u]) => [['app', a] as const, ['tenant', t] as const, ...u]),
      ),
    },
    {
      weight: 1,
      arbitrary: of(
        'revoke',
        fc.tuple(app, user).map(([a, u]) => [['app', a] as const, ...u]),
      ),
    },
    {
      weight: 1,
      arbitrary: of(
        'certify',
        app.map((a) => [['app', a] as const]),
      ),
    },
    {
      weight: 1,
      arbitrary: of(
        'tier',
        fc.tuple(app, fc.constantFrom(...TIER_NAMES)).map(([a, t]) => [['app', a] as const, ['tier', t] as const]),
      ),
    },
  );
}

const MAX_EVENTS = 24;

const layoutArb: fc.Arbitrary<Layout> = fc.record({
  blanks: fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }), {
    minLength: MAX_EVENTS + 2,
    maxLength: MAX_EVENTS + 2,
  }),
  blank: fc.constantFrom('', ' ', '\t'),
  crlf: fc.boolean(),
  terminated: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  bom: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  ws: fc.constantFrom('', '', ' ', '\t'),
  header: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** A valid trace: names from the plain and hostile pools, `at`s in time order, observations at random. */
export const baseTraces: fc.Arbitrary<Base> = fc
  .record({
    setting: fc.constantFrom(...SETTINGS),
    apps: fc.uniqueArray(nameArb(PLAIN.app), { minLength: 1, maxLength: 3 }),
    tenants: fc.uniqueArray(nameArb(PLAIN.tenant), { minLength: 1, maxLength: 4 }),
    users: fc.uniqueArray(nameArb(PLAIN.user, ['user']), { minLength: 1, maxLength: 2 }),
  })
  .chain(({ setting, apps, tenants, users }) =>
    fc.record({
      setting: fc.constant(setting),
      events: fc.array(eventArb(apps, tenants, users), { minLength: 1, maxLength: MAX_EVENTS }),
      ats: fc.array(fc.option(fc.nat(INSTANTS.length - 1), { nil: undefined, freq: 2 }), {
        minLength: MAX_EVENTS,
        maxLength: MAX_EVENTS,
      }),
      layout: layoutArb,
    }),
  )
  .map(({ setting, events, ats, layout }) => {
    // The `at`s in time order (INSTANTS is sorted by instant).
    const picks = ats.slice(0, events.length);
    const sorted = picks.filter((p) => p !== undefined).sort((a, b) => a - b);
    let next = 0;
    const timed = events.map((e, i) =>
      picks[i] === undefined ? e : ([...e, ['at', INSTANTS[sorted[next++] as number] as string]] as Entries),
    );
    return { setting, events: timed, layout };
  });

/** The file of a valid trace. */
export function renderBase(base: Base): Buffer {
  return render(
    base.layout,
    linesOf(base).map((e) => text(e, base.layout.ws)),
  ).bytes;
}

// ---------------------------------------------------------------------------------------------
// The families of malformed input

/** Pick an index below `n` from a generated number. */
const pick = (n: number, seed: number) => seed % n;

/** A hostile trace that is still valid: the verdict must be the renamed trace's. */
export const validFamily: fc.Arbitrary<HostileCase> = baseTraces.map((base) => validCase('valid', base, renderBase(base), 'valid'));

/** A line cut short at a byte (as a middle line, or as the last line with no newline after it). */
export const truncationFamily: fc.Arbitrary<HostileCase> = fc
  .tuple(baseTraces, fc.nat(), fc.nat(), fc.boolean(), fc.boolean())
  .map(([base0, at, cut, asLast, inChar]) => {
    const index = pick(linesOf(base0).length, at);
    const k = index - (base0.layout.header ? 1 : 0);
    // Half the time the cut falls inside a character (of a note given for it, if need be).
    const base = inChar && k >= 0 ? { ...base0, events: base0.events.map((e, i) => (i === k ? withField(e, 'note', 'é😀') : e)) } : base0;
    const texts = linesOf(base).map((e) => text(e, base.layout.ws));
    const whole = texts[index] as Buffer;
    const inside = [...whole.keys()].filter((i) => ((whole[i] as number) & 0xc0) === 0x80);
    const p = inChar && inside.length > 0 ? (inside[pick(inside.length, cut)] as number) : 1 + pick(whole.length - 1, cut);
    const cutText = whole.subarray(0, p);
    texts[index] = cutText;
    const r = asLast ? render(base.layout, texts, index, false) : render(base.layout, texts);
    const what = `line ${index + 1} of the texts cut after byte ${p} of ${whole.length}${asLast ? ', as the last line' : ''}`;
    let valid = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(cutText);
    } catch {
      valid = false;
    }
    if (valid) return errorCase('truncation', base, r, index, null, what, { contains: ['malformed JSON: '] });
    // Cut inside a character: the bytes of the last character, begun but not finished, are the error.
    let lead = cutText.length - 1;
    while (((cutText[lead] as number) & 0xc0) === 0x80) lead--;
    // The bytes ran out inside it when the cut line ends the file without a newline.
    const hint = r.lineOf[index] === r.lastLine && !r.terminated ? CUT_SHORT : '(a trace is UTF-8 text)';
    return errorCase('truncation', base, r, index, null, what, { body: utf8Body(r, index, lead, cutText[lead] as number, hint) });
  });

/** The message of invalid UTF-8 at byte `at` of text `index`. */
function utf8Body(r: Rendered, index: number, at: number, byte: number, hint: string): string {
  const start = r.startOf[index] as number;
  // Line 1 starts at the start of the file, byte-order mark included.
  const lineStart = r.lineOf[index] === 1 ? 0 : start;
  return `invalid UTF-8: byte 0x${byte.toString(16).padStart(2, '0')} at byte ${start + at - lineStart + 1} of the line (byte ${start + at + 1} of the file) ${hint}`;
}

/** Values of the wrong type for a field. */
function wrongValues(field: string, type: string): readonly unknown[] {
  const notString = [0, 1, -1, 1.5, true, false, null, [], ['a1'], new Obj([]), new Obj([['a', 1]]), new JsonText('1e400')];
  switch (field) {
    case 'certified':
    case 'custom':
      return ['true', 'false', '', 0, 1, null, [], new Obj([]), [true]];
    case 'observed':
      return type === 'connect'
        ? [0, true, false, null, [], ['connected'], 1.5]
        : [0, true, null, [], ['ok'], new Obj([]), new Obj([['ok', 'ok']])];
    case 'model':
      return ['connected', '', 0, true, null, [], [new Obj([])]];
    case 'tenants':
      return ['t1', '', 0, null, true, new Obj([]), [], [0], [''], [null], [['t1']], [new Obj([])]];
    case 'type':
      return [...notString, '', 'Connect', 'connect ', 'scenarios', 'event'];
    default:
      return [...notString, ''];
  }
}

/** Fields a wrong value may go in: the event's own, and the optional ones it could have. */
function fieldsToSpoil(entries: Entries): string[] {
  const type = get(entries, 'type') as string;
  const own = entries.map(([k]) => keyName(k));
  const addable = allowedFields(type).filter((f) => f !== 'tenant' && f !== 'tenants');
  return [...new Set([...own, ...addable])];
}

/** A field given a value of the wrong type: numbers, arrays, objects, null, booleans, "". */
export const wrongTypeFamily: fc.Arbitrary<HostileCase> = fc.tuple(baseTraces, fc.nat(), fc.nat(), fc.nat()).map(([base, at, f, v]) => {
  const k = pick(base.events.length, at);
  const entries = base.events[k] as Entries;
  const fields = fieldsToSpoil(entries);
  const field = fields[pick(fields.length, f)] as string;
  const values = wrongValues(field, get(entries, 'type') as string);
  const value = values[pick(values.length, v)];
  const events = base.events.map((e, i) => (i === k ? withField(e, field, value) : e));
  const spoilt = { ...base, events };
  const r = render(
    base.layout,
    linesOf(spoilt).map((e) => text(e, base.layout.ws)),
  );
  return errorCase('wrong-type', spoilt, r, lineIndex(base, k), [field], `event ${k + 1}: ${field} = ${json(value, '')}`);
});

/** A value nested 10,000 deep (arrays, objects, both, or objects keyed by `key`). */
function deep(shape: number, key: string): { text: JsonText; firstKey: string | null } {
  const depth = 10_000;
  switch (shape % 4) {
    case 0:
      return { text: new JsonText(`${'['.repeat(depth)}${']'.repeat(depth)}`), firstKey: null };
    case 1:
      return { text: new JsonText(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`), firstKey: 'a' };
    case 2: {
      const k = JSON.stringify(key);
      return { text: new JsonText(`${`{${k}:`.repeat(depth)}"connected"${'}'.repeat(depth)}`), firstKey: key };
    }
    default:
      return { text: new JsonText(`${'[{"a":'.repeat(depth / 2)}null${'}]'.repeat(depth / 2)}`), firstKey: null };
  }
}

/** A value nested 10,000 deep in a field (any, `observed` and `model` included), or in a list or an unknown field. */
export const deepFamily: fc.Arbitrary<HostileCase> = fc.tuple(baseTraces, fc.nat(), fc.nat(), fc.nat()).map(([base, at, f, shape]) => {
  const k = pick(base.events.length, at);
  const entries = base.events[k] as Entries;
  const type = get(entries, 'type') as string;
  const consent = consentOf(entries);
  const places = [...fieldsToSpoil(entries), 'deep', ...(type === 'connect' ? ['tenants[]', 'observed{}'] : [])];
  const place = places[pick(places.length, f)] as string;
  const { text: value, firstKey } = deep(shape, consent[0] ?? 'a');
  let spoilt: Entries;
  let field: string;
  if (place === 'tenants[]') {
    spoilt = withField(without(without(entries, 'tenant'), 'observed'), 'tenants', [...consent, value]);
    field = 'tenants';
  } else if (place === 'observed{}') {
    spoilt = withField(entries, 'observed', new Obj([[consent[0] as string, value]]));
    field = `observed.${consent[0]}`;
  } else {
    spoilt = withField(entries, place, value);
    // A consent's observed object names its first key's tenant (or one it does not include).
    field = place === 'observed' && type === 'connect' && firstKey !== null ? `observed.${firstKey}` : place;
  }
  const events = base.events.map((e, i) => (i === k ? spoilt : e));
  const r = render(
    base.layout,
    linesOf({ ...base, events }).map((e) => text(e, base.layout.ws)),
  );
  return errorCase('deep', base, r, lineIndex(base, k), [field], `event ${k + 1}: ${place} nested 10,000 deep (shape ${shape % 4})`);
});

/** Byte sequences that are not UTF-8. */
export const BAD_UTF8: readonly (readonly number[])[] = [
  [0x80],
  [0xff],
  [0xfe],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xc3],
];
const SENTINEL = '\u0007\u0008\u0007';
const SENTINEL_JSON = JSON.stringify(SENTINEL).slice(1, -1);

/** The places of names in an event: app, tenant, user, tenants[i], the keys of observed. */
function namePlaces(entries: Entries): string[] {
  const places = entries.flatMap(([k, v]): string[] => {
    const key = keyName(k);
    if (NAME_FIELDS.has(key) && typeof v === 'string') return [key];
    if (key === 'tenants' && Array.isArray(v)) return v.map((_, i) => `tenants[${i}]`);
    if (key === 'observed' && v instanceof Obj) return v.pairs.map((_, i) => `observed{${i}}`);
    return [];
  });
  return places;
}

/** The entries with the name at `place` changed by `change`. */
function changeName(entries: Entries, place: string, change: (name: string) => string): Entries {
  const item = /^(tenants\[|observed\{)(\d+)[\]}]$/.exec(place);
  if (item === null) return withField(entries, place, change(get(entries, place) as string));
  const i = Number(item[2]);
  if (item[1] === 'tenants[')
    return withField(
      entries,
      'tenants',
      (get(entries, 'tenants') as string[]).map((t, j) => (j === i ? change(t) : t)),
    );
  const observed = get(entries, 'observed') as Obj;
  return withField(entries, 'observed', new Obj(observed.pairs.map(([t, o], j) => [j === i ? change(keyName(t)) : t, o] as const)));
}

/** The code-point boundaries of a string, as UTF-16 indexes. */
function boundaries(s: string): number[] {
  const at = [0];
  for (const c of s) at.push((at[at.length - 1] as number) + c.length);
  return at;
}

const HUGE = 'x'.repeat(1_000_000);
const HUGE_UNICODE = 'é'.repeat(500_000);

/** A 1 MB note: a valid event whose line spans the reader's chunks. */
const HUGE_NOTE: Entries = [
  ['type', 'tenant'],
  ['tenant', 't1'],
  ['note', HUGE],
];

/** Bytes that are not UTF-8 in a name (after a 1 MB line sometimes, so across the reader's chunks). */
export const utf8Family: fc.Arbitrary<HostileCase> = fc
  .tuple(
    baseTraces,
    fc.nat(),
    fc.nat(),
    fc.nat(BAD_UTF8.length - 1),
    fc.boolean(),
    fc.nat(3).map((n) => n === 0),
  )
  .map(([base0, where, split, b, asLast, hugeBefore]) => {
    const base = hugeBefore ? { ...base0, events: [HUGE_NOTE, ...base0.events] } : base0;
    const candidates = base.events.flatMap((e, k) => namePlaces(e).map((p) => [k, p] as const));
    const [k, place] = candidates[pick(candidates.length, where)] as readonly [number, string];
    const bad = BAD_UTF8[b] as readonly number[];
    const events = base.events.map((e, i) =>
      i === k
        ? changeName(e, place, (n) => {
            const cuts = boundaries(n);
            const c = cuts[pick(cuts.length, split)] as number;
            return `${n.slice(0, c)}${SENTINEL}${n.slice(c)}`;
          })
        : e,
    );
    const index = lineIndex(base, k);
    let badAt = -1;
    const texts = linesOf({ ...base, events }).map((e, i) => {
      const t = text(e, base.layout.ws);
      if (i !== index) return t;
      const [before, after, ...more] = t.toString('utf8').split(SENTINEL_JSON);
      if (more.length > 0 || after === undefined) throw new Error('the sentinel occurs twice');
      badAt = Buffer.byteLength(before as string);
      return Buffer.concat([Buffer.from(before as string), Buffer.from(bad), Buffer.from(after)]);
    });
    const r = asLast ? render(base.layout, texts, index, false) : render(base.layout, texts);
    const what = `event ${k + 1}: ${place} with bytes ${bad.map((x) => x.toString(16)).join(' ')}${asLast ? ', as the last line' : ''}`;
    return errorCase('utf8', base, r, index, null, what, { body: utf8Body(r, index, badAt, bad[0] as number, '(a trace is UTF-8 text)') });
  });

/** A key spelled with its first character escaped (JSON.parse reads it as the same key). */
function escapedKey(key: string): JsonText {
  const first = key.codePointAt(0) ?? 0;
  if (key === '' || first > 0xffff) return new JsonText(JSON.stringify(key));
  return new JsonText(`"\\u${first.toString(16).padStart(4, '0')}${JSON.stringify(key.slice(1)).slice(1)}`);
}

/** Another valid value for a field that nothing else on the line refers to. */
function otherValue(field: string, type: string, value: unknown): unknown {
  switch (field) {
    case 'app':
    case 'user':
      return `${String(value)}-2`;
    case 'at':
      return '2021-01-01T00:00:00Z';
    case 'note':
      return 'another';
    case 'observed':
      return typeof value === 'string' ? ((OUTCOMES_OF[type] ?? []).find((o) => o !== value) ?? value) : value;
    case 'tier':
      return value === 'core' ? 'plus' : 'core';
    case 'kind':
      return value === 'demo' ? 'practice' : 'demo';
    case 'certified':
    case 'custom':
      return value !== true;
    case 'auth':
      return value === 'oauth1' ? 'oauth2' : 'oauth1';
    case 'registered':
      return '2024-02-29';
    default:
      return value;
  }
}

/** A key given twice: at the top level (`type` too, even as `scenario`), inside `observed` or `model`, in a scenario header. */
export const duplicateFamily: fc.Arbitrary<HostileCase> = fc
  .tuple(baseTraces, fc.nat(), fc.nat(), fc.nat(4), fc.boolean(), fc.boolean(), fc.nat(3))
  .map(([base0, at, f, second, first, escaped, where]) => {
    const base = where === 3 ? { ...base0, layout: { ...base0.layout, header: true } } : base0;
    if (where === 3) {
      // In the scenario header.
      const key = ['title', 'story', 'source', 'type'][f % 4] as string;
      const header: Entries = [...HEADER, [escaped ? escapedKey(key) : key, key === 'type' ? 'scenario' : 'again']];
      const texts = [header, ...base.events].map((e) => text(e, base.layout.ws));
      const r = render(base.layout, texts);
      return errorCase('duplicate', base, r, 0, [key], `the scenario header's ${key} twice`, { contains: ['given twice'] });
    }
    const k = pick(base.events.length, at);
    let entries = base.events[k] as Entries;
    const type = get(entries, 'type') as string;
    const consent = consentOf(entries);
    let spoilt: Entries;
    let field: FieldExpectation;
    let what: string;
    if (where === 1 && type === 'connect') {
      // Inside observed: a tenant of the consent twice.
      const observed = get(entries, 'observed');
      const pairs = observed instanceof Obj ? observed.pairs : consent.map((t) => [t, 'connected'] as const);
      const [t, o] = pairs[pick(pairs.length, f)] as readonly [string | JsonText, unknown];
      const tenant = keyName(t);
      const again = [o, 'rejected', 'connected', 'nonsense', 7][second];
      const dup = [escaped ? escapedKey(tenant) : tenant, again] as const;
      spoilt = withField(entries, 'observed', new Obj(first ? [dup, ...pairs] : [...pairs, dup]));
      field = [`observed.${tenant}`];
      what = `event ${k + 1}: observed.${tenant} twice`;
    } else if (where === 2) {
      // Inside the model annotation.
      const nested = second % 2 === 0 && consent.length > 0;
      const tenant = consent[0] ?? 't1';
      const model = nested
        ? new Obj([
            ['line', 1],
            [
              'outcome',
              new Obj([
                [tenant, 'connected'],
                [escaped ? escapedKey(tenant) : tenant, 'connected'],
              ]),
            ],
          ])
        : new Obj([
            ['outcome', 'connected'],
            ['reason', 'r'],
            [escaped ? escapedKey('outcome') : 'outcome', 'ok'],
          ]);
      spoilt = withField(entries, 'model', model);
      field = [nested ? `model.outcome.${tenant}` : 'model.outcome'];
      what = `event ${k + 1}: a key twice in model`;
    } else {
      // At the top level.
      if (!has(entries, 'observed') && second === 4) {
        const observed = type === 'connect' ? new Obj(consent.map((t) => [t, 'connected'] as const)) : (OUTCOMES_OF[type] ?? [])[0];
        entries = withField(entries, 'observed', observed);
      }
      const keys = entries.map(([key]) => keyName(key));
      const key = keys[pick(keys.length, f)] as string;
      const value = get(entries, key);
      const referred = key === 'tenant' || key === 'tenants' || key === 'type';
      const wrong = wrongValues(key, type)[0];
      const again =
        key === 'type'
          ? [value, 'scenario', EVENT_TYPES.find((t) => t !== value), 0, 'scenario'][second]
          : [value, referred ? value : otherValue(key, type, value), wrong, value, otherValue(key, type, value)][second];
      const dup = [escaped ? escapedKey(key) : key, again] as const;
      spoilt = first ? [dup, ...entries] : [...entries, dup];
      // Another event type kept last makes the line another event, wrong in its own way.
      field = key === 'type' && !first && typeof again === 'string' && again !== value && again !== 'scenario' ? undefined : [key];
      what = `event ${k + 1}: ${key} twice (then ${json(again, '')}${first ? ', first' : ''})`;
    }
    const events = base.events.map((e, i) => (i === k ? spoilt : e));
    const r = render(
      base.layout,
      linesOf({ ...base, events }).map((e) => text(e, base.layout.ws)),
    );
    return errorCase('duplicate', base, r, lineIndex(base, k), field, what);
  });

/** A name that is not one (a control character, half a surrogate pair, too long, empty), anywhere a name goes. */
export const badNameFamily: fc.Arbitrary<HostileCase> = fc
  .tuple(baseTraces, fc.nat(), fc.nat(INVALID_NAMES.length - 1), fc.constantFrom(...VALID_HOSTILE_NAMES.slice(0, 8), 'ab', ''))
  .map(([base, where, b, around]) => {
    const candidates = base.events.flatMap((e, k) =>
      namePlaces(e)
        .filter((p) => !p.startsWith('observed'))
        .map((p) => [k, p] as const),
    );
    const [k, place] = candidates[pick(candidates.length, where)] as readonly [number, string];
    const core = INVALID_NAMES[b] as string;
    // Inside valid text, unless the bad name is the empty one or too long.
    const name = core === '' || core.length > 1000 ? core : `${around}${core}${around}`;
    const events = base.events.map((e, i) => (i === k ? changeName(e, place, () => name) : e));
    const r = render(
      base.layout,
      linesOf({ ...base, events }).map((e) => text(e, base.layout.ws)),
    );
    // An empty string in a list is refused as a bad list ("a non-empty list of tenant ids"), not by its index.
    const emptyInList = name === '' && place.startsWith('tenants[');
    return errorCase(
      'bad-name',
      base,
      r,
      lineIndex(base, k),
      [emptyInList ? 'tenants' : place],
      `event ${k + 1}: ${place} = ${JSON.stringify(name).slice(0, 60)}`,
      { contains: [emptyInList ? 'expected a non-empty list of tenant ids' : (whyNotAName(name) as string)] },
    );
  });

/** A 1 MB value in a field (a note is valid), as a key, or after a 1 MB note an error further on. */
export const hugeFamily: fc.Arbitrary<HostileCase> = fc
  .tuple(baseTraces, fc.nat(), fc.nat(), fc.boolean(), fc.nat(2))
  .map(([base, at, f, unicode, variant]) => {
    const huge = unicode ? HUGE_UNICODE : HUGE;
    const k = pick(base.events.length, at);
    const entries = base.events[k] as Entries;
    const type = get(entries, 'type') as string;
    const replace = (spoilt: Entries, b: Base = base) => b.events.map((e, i) => (i === k ? spoilt : e));
    const rendered = (events: Entries[], b: Base = base) =>
      render(
        b.layout,
        linesOf({ ...b, events }).map((e) => text(e, b.layout.ws)),
      );
    if (variant === 0) {
      // The value of a field.
      const fields = fieldsToSpoil(entries).filter((x) => x !== 'tenants');
      const places = [...fields, ...(type === 'connect' ? ['tenants[]'] : [])];
      const place = places[pick(places.length, f)] as string;
      if (place === 'note') {
        const events = replace(withField(entries, 'note', huge));
        return validCase(
          'huge',
          base,
          render(
            base.layout,
            linesOf({ ...base, events }).map((e) => text(e, base.layout.ws)),
          ).bytes,
          `event ${k + 1}: a 1 MB note`,
        );
      }
      const spoilt =
        place === 'tenants[]'
          ? withField(without(without(entries, 'tenant'), 'observed'), 'tenants', [...consentOf(entries), huge])
          : withField(entries, place, huge);
      const field = place === 'tenants[]' ? `tenants[${consentOf(entries).length}]` : place;
      return errorCase('huge', base, rendered(replace(spoilt)), lineIndex(base, k), [field], `event ${k + 1}: ${place} of 1 MB`);
    }
    if (variant === 1) {
      // As a key: an unknown field, or a tenant of observed.
      const asObserved = type === 'connect' && f % 2 === 0;
      const spoilt = asObserved ? withField(entries, 'observed', new Obj([[huge, 'connected']])) : [...entries, [huge, 1] as const];
      return errorCase(
        'huge',
        base,
        rendered(replace(spoilt)),
        lineIndex(base, k),
        [asObserved ? `observed.${huge}` : huge],
        `event ${k + 1}: a 1 MB key${asObserved ? ' in observed' : ''}`,
      );
    }
    // A 1 MB note first, then a wrong value: the line numbers hold across the reader's chunks.
    const withNote: Base = { ...base, events: [HUGE_NOTE, ...base.events] };
    const events = withNote.events.map((e, i) => (i === k + 1 ? withField(e, 'type', 7) : e));
    return errorCase(
      'huge',
      withNote,
      rendered(events, withNote),
      lineIndex(withNote, k + 1),
      ['type'],
      `a 1 MB note, then event ${k + 1} of type 7`,
    );
  });

/** Keys no event of the type has: misspellings, another type's fields, prototype names, odd text. */
const UNKNOWN_KEYS: readonly string[] = [
  'tennant',
  'Type',
  'APP',
  ' app',
  'app ',
  '',
  'tenants',
  'tenant',
  'user',
  'tier',
  'kind',
  'registered',
  'x\ny',
  'a\u2028b',
  'a\u0085',
  'a\u007f',
  '\ud800',
  '😀',
  'k'.repeat(2000),
  ...PROTOTYPE_NAMES,
];

/** A field the event type does not have. */
export const unknownFieldFamily: fc.Arbitrary<HostileCase> = fc
  .tuple(baseTraces, fc.nat(), fc.constantFrom(...UNKNOWN_KEYS), fc.constantFrom<unknown>(1, 'x', null, new Obj([]), []), fc.boolean())
  .map(([base, at, key, value, first]) => {
    const k0 = pick(base.events.length, at);
    // The first event from k0 on that does not have the key; if all have it, event k0 becomes a
    // certify, which has none of these keys.
    const order = [...base.events.keys()].map((i) => (i + k0) % base.events.length);
    const k = order.find((i) => !allowedFields(get(base.events[i] as Entries, 'type') as string).includes(key)) ?? k0;
    const found = base.events[k] as Entries;
    const entries: Entries = allowedFields(get(found, 'type') as string).includes(key)
      ? [
          ['type', 'certify'],
          ['app', (get(found, 'app') as string | undefined) ?? 'a1'],
        ]
      : found;
    const spoilt: Entries = first ? [[key, value], ...entries] : [...entries, [key, value]];
    const events = base.events.map((e, i) => (i === k ? spoilt : e));
    const r = render(
      base.layout,
      linesOf({ ...base, events }).map((e) => text(e, base.layout.ws)),
    );
    return errorCase('unknown-field', base, r, lineIndex(base, k), [key], `event ${k + 1}: unknown ${JSON.stringify(key).slice(0, 40)}`, {
      contains: [`not a field of a`],
    });
  });

/** Days in a month of the proleptic Gregorian calendar. */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A date and time as a trace may write it, with every part possibly out of range. */
const dateParts = fc.record({
  year: fc.oneof(fc.integer({ min: 2019, max: 2027 }), fc.integer({ min: 0, max: 9999 })),
  month: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 12 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 13, 99) }),
  day: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 28 }) },
    { weight: 2, arbitrary: fc.constantFrom(29, 30, 31) },
    { weight: 1, arbitrary: fc.constantFrom(0, 32) },
  ),
  hour: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 23 }) }, { weight: 1, arbitrary: fc.constantFrom(24, 25) }),
  minute: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 59 }) }, { weight: 1, arbitrary: fc.constant(60) }),
  second: fc.option(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 59 }) }, { weight: 1, arbitrary: fc.constant(60) }), {
    nil: undefined,
    freq: 4,
  }),
  fraction: fc.option(fc.constantFrom('.5', '.123', '.123456'), { nil: undefined, freq: 3 }),
  offset: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('Z', '+13:00', '-05:30', '+00:00', '+14:00', '-12:00') },
    { weight: 1, arbitrary: fc.constantFrom('+24:00', '+05:60') },
  ),
  dateOnly: fc.boolean(),
});

/** A date that may not exist (February 30, hour 24, month 13) in `at` or an app's `registered`. */
export const dateFamily: fc.Arbitrary<HostileCase> = fc
  .tuple(baseTraces, fc.nat(), dateParts, fc.boolean())
  .map(([base0, at, d, registered]) => {
    // No other `at`, so a valid one is in time order wherever it goes.
    const events0 = base0.events.map((e) => without(e, 'at'));
    const k = pick(events0.length + (registered ? 1 : 0), at);
    const dateOk = d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysIn(d.year, d.month);
    const timeOk = d.hour <= 23 && d.minute <= 59 && (d.second ?? 0) <= 59 && !d.offset.startsWith('+24') && !d.offset.endsWith(':60');
    const date = `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
    const seconds = d.second === undefined ? '' : `:${pad(d.second)}${d.fraction ?? ''}`;
    const full = `${date}T${pad(d.hour)}:${pad(d.minute)}${seconds}${d.offset}`;
    const value = registered && d.dateOnly ? date : full;
    const ok = dateOk && (value === date || timeOk);
    const field = registered ? 'registered' : 'at';
    const events = registered
      ? [
          ...events0.slice(0, k),
          [
            ['type', 'app'],
            ['app', 'a1'],
            ['registered', value],
          ] as Entries,
          ...events0.slice(k),
        ]
      : events0.map((e, i) => (i === k ? withField(e, 'at', value) : e));
    const base = { ...base0, events };
    const what = `event ${k + 1}: ${field} ${value}`;
    const r = render(
      base.layout,
      linesOf(base).map((e) => text(e, base.layout.ws)),
    );
    return ok ? validCase('date', base, r.bytes, what) : errorCase('date', base, r, lineIndex(base, k), [field], what);
  });

const UNKNOWN_OUTCOMES = [
  'connect',
  'Connected',
  'rejected:',
  'rejected:app',
  'ok ',
  '',
  'OK',
  '__proto__',
  'toString',
  'rejected:requirement',
  '😀',
];

/** An outcome no event has, or one of another event type, observed (for a consent, also per tenant). */
export const outcomeFamily: fc.Arbitrary<HostileCase> = fc
  .tuple(baseTraces, fc.nat(), fc.nat(), fc.boolean())
  .map(([base, at, o, perTenant]) => {
    const k = pick(base.events.length, at);
    const entries = base.events[k] as Entries;
    const type = get(entries, 'type') as string;
    const wrong = [...UNKNOWN_OUTCOMES, ...ALL_OUTCOMES.filter((x) => !(OUTCOMES_OF[type] ?? []).includes(x))];
    const outcome = wrong[pick(wrong.length, o)] as string;
    const consent = consentOf(entries);
    const byTenant = type === 'connect' && (perTenant || consent.length > 1);
    const tenant = consent[consent.length - 1] as string;
    const value = byTenant ? new Obj([...consent.slice(0, -1).map((t) => [t, 'connected'] as const), [tenant, outcome]]) : outcome;
    const events = base.events.map((e, i) => (i === k ? withField(e, 'observed', value) : e));
    const r = render(
      base.layout,
      linesOf({ ...base, events }).map((e) => text(e, base.layout.ws)),
    );
    const field = byTenant ? `observed.${tenant}` : 'observed';
    const known = ALL_OUTCOMES.includes(outcome) && outcome !== 'rejected';
    return errorCase(
      'outcome',
      base,
      r,
      lineIndex(base, k),
      [field],
      `event ${k + 1}: observed ${JSON.stringify(outcome)}${byTenant ? ` for ${tenant}` : ''}`,
      {
        contains: [known ? 'event cannot have the outcome' : 'unknown outcome'],
      },
    );
  });

/** A connect with both `tenant` and `tenants`, or neither, an empty or repeating list, `tenants` on a disconnect. */
export const consentFamily: fc.Arbitrary<HostileCase> = fc.tuple(baseTraces, fc.nat(), fc.nat(4)).map(([base, at, variant]) => {
  const k = pick(base.events.length, at);
  const entries = base.events[k] as Entries;
  const type = get(entries, 'type') as string;
  const app = (get(entries, 'app') as string | undefined) ?? 'a1';
  const tenant = consentOf(entries)[0] ?? (get(entries, 'tenant') as string | undefined) ?? 't1';
  const consent: Entries = [
    ['type', 'connect'],
    ['app', app],
  ];
  const cases: Array<[Entries, string[], string]> = [
    [[...consent, ['tenant', tenant], ['tenants', [tenant]]], ['tenant', 'tenants'], 'tenant and tenants'],
    [[...consent, ['tenants', [tenant]], ['tenant', tenant]], ['tenant', 'tenants'], 'tenants and tenant'],
    [consent, ['tenant', 'tenants'], 'neither tenant nor tenants'],
    [[...consent, ['tenants', [tenant, tenant]]], ['tenants'], 'a tenant twice in tenants'],
    [
      [
        ['type', 'disconnect'],
        ['app', app],
        ['tenants', [tenant]],
      ],
      ['tenants'],
      'tenants on a disconnect',
    ],
  ];
  const [spoilt, fields, what] = cases[variant] as [Entries, string[], string];
  const events = base.events.map((e, i) => (i === k ? spoilt : e));
  const r = render(
    base.layout,
    linesOf({ ...base, events }).map((e) => text(e, base.layout.ws)),
  );
  return errorCase('consent', base, r, lineIndex(base, k), fields, `event ${k + 1} (was ${type}): ${what}`);
});

/** What a line that opens a JSON array is told: it may be a GET /connections response. */
const ARRAY_HINT =
  ' (a trace is JSON Lines, one event object per line; a GET /connections response (a JSON array) becomes a trace with xcm import)';

/** Lines that are JSON but not an event object, or not JSON. */
const JUNK: ReadonlyArray<readonly [string, FieldExpectation, string | undefined]> = [
  ['[]', null, `expected a JSON object${ARRAY_HINT}`],
  ['1', null, 'expected a JSON object'],
  ['"x"', null, 'expected a JSON object'],
  ['null', null, 'expected a JSON object'],
  ['true', null, 'expected a JSON object'],
  ['{}', ['type'], undefined],
  ['[{"type":"tenant","tenant":"t1"}]', null, `expected a JSON object${ARRAY_HINT}`],
  ['{"type":"tenant","tenant":"t1"} x', null, undefined],
  ['{"type":"tenant","tenant":"t1"}{}', null, undefined],
  ['\ufeff{"type":"tenant","tenant":"t1"}', null, undefined],
  ['{"type":"tenant",,"tenant":"t1"}', null, undefined],
  ["{'type':'tenant'}", null, undefined],
];

/** A line that is not an event: other JSON values, trailing text, a byte-order mark past the start. */
export const junkFamily: fc.Arbitrary<HostileCase> = fc.tuple(baseTraces, fc.nat(), fc.nat(JUNK.length - 1)).map(([base, at, j]) => {
  const [line, field, problem] = JUNK[j] as (typeof JUNK)[number];
  const texts = linesOf(base).map((e) => text(e, base.layout.ws));
  const index = pick(texts.length, at);
  texts[index] = Buffer.from(line);
  const r = render(base.layout, texts);
  const what = `line ${index + 1} of the texts is ${JSON.stringify(line)}`;
  // A byte-order mark is ignored at the start of the file (only there, and only one).
  if (line.startsWith('\ufeff') && r.lineOf[index] === 1 && !base.layout.bom) return validCase('junk', base, r.bytes, what);
  const lastUnterminated = r.lineOf[index] === r.lastLine && !r.terminated;
  const more =
    problem === undefined
      ? field === null
        ? { contains: ['malformed JSON: '] }
        : {}
      : { body: lastUnterminated ? `${problem} ${CUT_SHORT}` : problem };
  return errorCase('junk', base, r, index, field, what, more);
});

// ---------------------------------------------------------------------------------------------
// Checking a case

/** The verdict of a check, without the explanations (they name the apps and tenants). */
export function verdictOf(r: CheckResult) {
  return {
    ok: r.ok,
    events: r.events,
    outcomes: r.outcomes,
    lines: r.lines,
    divergences: r.divergences.map(({ line, expected, observed, rule, followed }) => ({ line, expected, observed, rule, followed })),
  };
}

/** A renaming of a trace's apps, tenants and users to plain names (`a1`, `t1`, `u1`; the implicit user stays `user`). */
export class Renaming {
  readonly apps = new Map<string, string>();
  readonly tenants = new Map<string, string>();
  readonly users = new Map<string, string>([['user', 'user']]);

  private static of(map: Map<string, string>, prefix: string, name: string, skip = 0): string {
    let plain = map.get(name);
    if (plain === undefined) {
      plain = `${prefix}${map.size + 1 - skip}`;
      map.set(name, plain);
    }
    return plain;
  }
  app = (name: string) => Renaming.of(this.apps, 'a', name);
  tenant = (name: string) => Renaming.of(this.tenants, 't', name);
  user = (name: string) => Renaming.of(this.users, 'u', name, 1);

  /** An event object (JSON.parse's) with every name replaced. */
  event(raw: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(raw).map(([k, v]) => {
        if (k === 'app') return [k, this.app(v as string)];
        if (k === 'tenant') return [k, this.tenant(v as string)];
        if (k === 'tenants') return [k, (v as string[]).map(this.tenant)];
        if (k === 'user') return [k, this.user(v as string)];
        if (k === 'observed' && typeof v === 'object' && v !== null)
          return [k, Object.fromEntries(Object.entries(v).map(([t, o]) => [this.tenant(t), o]))];
        return [k, v];
      }),
    );
  }
}

/**
 * The lines of a valid trace file, each event changed by `change` (given JSON.parse's object and
 * the 1-based line); blank lines, the header, line endings and the byte-order mark are kept.
 */
export function mapEvents(bytes: Buffer, change: (raw: Record<string, unknown>, line: number) => Record<string, unknown>): Buffer {
  const all = bytes.toString('utf8');
  const bom = all.startsWith('\ufeff') ? '\ufeff' : '';
  const lines = all.slice(bom.length).split('\n');
  const changed = lines.map((part, i) => {
    const cr = part.endsWith('\r') ? '\r' : '';
    const body = part.slice(0, part.length - cr.length);
    if (body.trim() === '') return part;
    const raw = JSON.parse(body) as Record<string, unknown>;
    if (raw.type === 'scenario') return part;
    return `${JSON.stringify(change(raw, i + 1))}${cr}`;
  });
  return Buffer.from(`${bom}${changed.join('\n')}`);
}

/** The outcome of an attempt: its value, or what it threw. */
async function attempt<T>(f: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await f() };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const at = error.stack?.split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
  return `${error.name}: ${error.message.slice(0, 500)} ${at.trim()}`;
}

const optionsOf = (s: Setting) => ({ policy: s.policy, set: s.set });

/**
 * A valid hostile trace: its verdict is the renamed trace's, and with the model's own outcomes
 * (computed on the renamed trace without observations) as its observations it holds.
 */
export async function assertSameAsRenamed(file: string, bytes: Buffer, setting: Setting, result: CheckResult): Promise<void> {
  const renaming = new Renaming();
  const renamedFile = `${file}.renamed`;
  writeFileSync(
    renamedFile,
    mapEvents(bytes, (raw) => renaming.event(raw)),
  );
  const renamed = await checkFile(renamedFile, optionsOf(setting));
  const [got, want] = [JSON.stringify(verdictOf(result)), JSON.stringify(verdictOf(renamed))];
  if (got !== want) throw new Error(`the hostile names change the verdict:\n  hostile ${got}\n  renamed ${want}`);
  // The model's own outcomes, on the renamed trace with nothing observed.
  const bareFile = `${file}.bare`;
  writeFileSync(
    bareFile,
    mapEvents(bytes, (raw) => {
      const { observed: _observed, ...rest } = renaming.event(raw);
      return rest;
    }),
  );
  const own = new Map<number, unknown>();
  for await (const record of run(readTrace(bareFile), optionsOf(setting))) own.set(record.line, record.outcome);
  const ownFile = `${file}.own`;
  writeFileSync(
    ownFile,
    mapEvents(bytes, (raw, line) => {
      const outcome = own.get(line);
      if (typeof outcome === 'string') return { ...raw, observed: outcome };
      const consent = Array.isArray(raw.tenants) ? (raw.tenants as string[]) : [];
      const byPlain = outcome as Record<string, string>;
      return { ...raw, observed: Object.fromEntries(consent.map((t) => [t, byPlain[renaming.tenant(t)]])) };
    }),
  );
  const agreed = await checkFile(ownFile, optionsOf(setting));
  if (!agreed.ok) throw new Error(`the model's own outcomes diverge from the model: ${JSON.stringify(verdictOf(agreed))}`);
}

/** Check an error against the contract: an InputError, one line, naming the file, the line and the field. */
export function assertInputError(error: unknown, file: string, expect: Exclude<Expectation, { valid: true }>): void {
  if (!(error instanceof InputError)) throw new Error(`not an InputError: ${describeError(error)}`);
  const message = error.message;
  const show = JSON.stringify(message.length > 400 ? `${message.slice(0, 400)}...` : message);
  const breaking = LINE_BREAKING.exec(message);
  if (breaking !== null) throw new Error(`the message holds U+${breaking[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${show}`);
  if (message.length > file.length + 600) throw new Error(`the message is ${message.length} characters long: ${show}`);
  const prefix = `${file}:${expect.line}: `;
  if (!message.startsWith(prefix)) throw new Error(`expected the message to start with ${JSON.stringify(prefix)}: ${show}`);
  if (error.where.file !== file || error.where.line !== expect.line) throw new Error(`the error's place is ${JSON.stringify(error.where)}`);
  const rest = message.slice(prefix.length);
  if (expect.field === null) {
    if (error.where.field !== undefined || rest.startsWith('field ')) throw new Error(`expected no field: ${show}`);
  } else if (expect.field !== undefined) {
    const field = error.where.field;
    if (field === undefined || !expect.field.includes(field) || !rest.startsWith('field "'))
      throw new Error(
        `expected field ${expect.field.map((f) => JSON.stringify(f.length > 60 ? `${f.slice(0, 60)}...` : f)).join(' or ')}: ${show}`,
      );
  }
  if (expect.body !== undefined && rest !== expect.body)
    throw new Error(`expected the message ${JSON.stringify(`${prefix}${expect.body}`)}, got ${show}`);
  for (const part of expect.contains ?? [])
    if (!rest.includes(part)) throw new Error(`expected the message to hold ${JSON.stringify(part)}: ${show}`);
  if (expect.field === null && expect.body === undefined && expect.lastUnterminated && !rest.endsWith(CUT_SHORT))
    throw new Error(`expected the message on a last line without a newline to ask whether the file was cut short: ${show}`);
}

/** Check one case through `checkFile`, written to `dir/<family>.jsonl`. */
export async function assertContract(c: HostileCase, dir: string): Promise<void> {
  const file = join(dir, `${c.family}.jsonl`);
  writeFileSync(file, c.bytes);
  const outcome = await attempt(() => checkFile(file, optionsOf(c.setting)));
  if (c.expect.valid) {
    if (!outcome.ok) throw new Error(`a valid trace was refused: ${describeError(outcome.error)}`);
    await assertSameAsRenamed(file, c.bytes, c.setting, outcome.value);
    return;
  }
  if (outcome.ok)
    throw new Error(`accepted without a word (expected an error on line ${c.expect.line}): ${JSON.stringify(verdictOf(outcome.value))}`);
  assertInputError(outcome.error, file, c.expect);
}
