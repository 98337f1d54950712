/**
 * The one pass over a trace line's text that the quick reading (`trace-quick.ts`) makes: a flat
 * JSON object of the trace's fields, read only when the line is printable ASCII without escapes
 * and each value a string, `true`, `false`, a list of strings or (for `observed`) an object of
 * strings; null for anything else (another value, an unknown or repeated field, text after the
 * object). It checks the JSON only: what the values mean is the quick reading's to check.
 * @module
 */
import { ANY_REFUSAL, AUTH_PROTOCOLS, EVENT_TYPES, OUTCOMES, TENANT_KINDS, TIERS } from '../types.ts';

// The fields a scan reads, one bit each (`registered` and `model` are left to the full parse).
export const TYPE = 1;
export const AT = 2;
export const OBSERVED = 4;
export const NOTE = 8;
export const APP = 16;
export const TENANT = 32;
export const TENANTS = 64;
export const USER = 128;
export const TIER = 256;
export const KIND = 512;
export const AUTH = 1024;
export const CERTIFIED = 2048;
export const CUSTOM = 4096;
/** The bit of each field by its name. */
export const FIELD_BITS: Readonly<Record<string, number>> = {
  type: TYPE,
  at: AT,
  observed: OBSERVED,
  note: NOTE,
  app: APP,
  tenant: TENANT,
  tenants: TENANTS,
  user: USER,
  tier: TIER,
  kind: KIND,
  auth: AUTH,
  certified: CERTIFIED,
  custom: CUSTOM,
};

/**
 * The words a value of `type`, `observed`, `tier`, `kind` and `auth` may be, by length: such a
 * value is the constant itself, not a new string (and a Set finds a constant quicker).
 */
const WORDS: string[][] = [];
for (const word of [...EVENT_TYPES, ...OUTCOMES, ANY_REFUSAL, ...TIERS, ...TENANT_KINDS, ...AUTH_PROTOCOLS]) {
  const list = WORDS[word.length] ?? [];
  if (!list.includes(word)) list.push(word);
  WORDS[word.length] = list;
}

/** A character a scan does not take: anything but printable ASCII, and the backslash. */
const NOT_PLAIN = /[^ -[\]-~]/;

/** The bit of the field named by the text between `from` and `to`, 0 for any other. */
function fieldAt(s: string, from: number, to: number): number {
  switch (to - from) {
    case 2:
      return s.startsWith('at', from) ? AT : 0;
    case 3:
      return s.startsWith('app', from) ? APP : 0;
    case 4:
      switch (s.charCodeAt(from)) {
        case 116 /* t */:
          return s.startsWith('type', from) ? TYPE : s.startsWith('tier', from) ? TIER : 0;
        case 117 /* u */:
          return s.startsWith('user', from) ? USER : 0;
        case 110 /* n */:
          return s.startsWith('note', from) ? NOTE : 0;
        case 107 /* k */:
          return s.startsWith('kind', from) ? KIND : 0;
        case 97 /* a */:
          return s.startsWith('auth', from) ? AUTH : 0;
        default:
          return 0;
      }
    case 6:
      return s.startsWith('tenant', from) ? TENANT : s.startsWith('custom', from) ? CUSTOM : 0;
    case 7:
      return s.startsWith('tenants', from) ? TENANTS : 0;
    case 8:
      return s.startsWith('observed', from) ? OBSERVED : 0;
    case 9:
      return s.startsWith('certified', from) ? CERTIFIED : 0;
    default:
      return 0;
  }
}

function skipSpaces(s: string, from: number): number {
  let i = from;
  while (s.charCodeAt(i) === 32) i++;
  return i;
}

/** Where the scan is, and the value it read last (module-level: no object per line). */
let at = 0;
let value: unknown;

/**
 * V8 makes a substring this long a view of the whole line. A name is kept by the world (a key of
 * its maps) long after the line: such a name is copied instead (JSON.parse of its quoted text
 * makes a string of its own), so that the world does not keep every line it was named on.
 */
const SLICE_MIN_LENGTH = 13;

/**
 * A string value at `at` (its opening quote): read into `value`, false when there is none; with
 * `words`, one of `WORDS` is the constant; with `kept`, a long one is a copy, not a view of the line.
 */
function readString(s: string, words = false, kept = false): boolean {
  const end = s.indexOf('"', at + 1);
  if (end === -1) return false;
  value = undefined;
  if (words) {
    const list = WORDS[end - at - 1];
    if (list !== undefined)
      for (const word of list)
        if (s.startsWith(word, at + 1)) {
          value = word;
          break;
        }
  }
  value ??= kept && end - at - 1 >= SLICE_MIN_LENGTH ? (JSON.parse(s.slice(at, end + 1)) as string) : s.slice(at + 1, end);
  at = end + 1;
  return true;
}

/** A list of strings at `at`: read into `value`, false when there is none. */
function readList(s: string): boolean {
  const list: string[] = [];
  at = skipSpaces(s, at + 1);
  if (s.charCodeAt(at) === 93 /* ] */) {
    value = list;
    at++;
    return true;
  }
  for (;;) {
    if (s.charCodeAt(at) !== 34 || !readString(s, false, true)) return false;
    list.push(value as string);
    at = skipSpaces(s, at);
    const c = s.charCodeAt(at);
    at = skipSpaces(s, at + 1);
    if (c === 93) break;
    if (c !== 44 /* , */) return false;
  }
  value = list;
  return true;
}

/** An object of strings at `at` (no key twice): read into `value`, without a prototype as the full parse makes it. */
function readOutcomes(s: string): boolean {
  const byTenant: Record<string, string> = Object.create(null);
  at = skipSpaces(s, at + 1);
  if (s.charCodeAt(at) === 125 /* } */) {
    value = byTenant;
    at++;
    return true;
  }
  for (;;) {
    if (s.charCodeAt(at) !== 34 || !readString(s)) return false;
    const tenant = value as string;
    at = skipSpaces(s, at);
    if (s.charCodeAt(at) !== 58 /* : */) return false;
    at = skipSpaces(s, at + 1);
    if (s.charCodeAt(at) !== 34 || !readString(s, true) || tenant in byTenant) return false;
    byTenant[tenant] = value as string;
    at = skipSpaces(s, at);
    const c = s.charCodeAt(at);
    at = skipSpaces(s, at + 1);
    if (c === 125) break;
    if (c !== 44) return false;
  }
  value = byTenant;
  return true;
}

/** A value at `at`: read into `value`, false for one the quick reading does not take. */
function readValue(s: string, field: number): boolean {
  const c = s.charCodeAt(at);
  if (c === 34 /* " */) return readString(s, (field & (TYPE | OBSERVED | TIER | KIND | AUTH)) !== 0, (field & (APP | TENANT | USER)) !== 0);
  if (c === 116 /* t */ && s.startsWith('true', at)) {
    value = true;
    at += 4;
    return true;
  }
  if (c === 102 /* f */ && s.startsWith('false', at)) {
    value = false;
    at += 5;
    return true;
  }
  if (c === 91 /* [ */) return readList(s);
  if (c === 123 /* { */ && field === OBSERVED) return readOutcomes(s);
  return false;
}

/**
 * A slot for each field a trace line may give (undefined: not given), read by name: records from
 * JSON.parse come in many shapes, and reading a field by name from each would be a slow generic
 * lookup every time. The full parse keeps its fields in one of these too.
 */
export class FieldValues {
  type: unknown = undefined;
  at: unknown = undefined;
  observed: unknown = undefined;
  note: unknown = undefined;
  app: unknown = undefined;
  tenant: unknown = undefined;
  tenants: unknown = undefined;
  user: unknown = undefined;
  tier: unknown = undefined;
  kind: unknown = undefined;
  auth: unknown = undefined;
  certified: unknown = undefined;
  custom: unknown = undefined;
}

/** What a scan found: the fields given (bits), their order, and the value of each. */
export class Scan extends FieldValues {
  seen = 0;
  count = 0;
  /** The fields in the order the line gives them. */
  readonly order = new Int32Array(16);
}

/** The one scan, reused by every line (read it before the next). */
const scan = new Scan();

/** The fields of a trace line's text, or null when a scan does not read it (see the module's comment). */
export function scanTraceLine(s: string): Scan | null {
  if (s.charCodeAt(0) !== 123 /* { */ || NOT_PLAIN.test(s)) return null;
  scan.type = scan.at = scan.observed = scan.note = scan.app = scan.tenant = scan.tenants = undefined;
  scan.user = scan.tier = scan.kind = scan.auth = scan.certified = scan.custom = undefined;
  const order = scan.order;
  let fields = 0;
  let seen = 0;
  // Spaces are skipped only where there are some: most lines have none.
  at = 1;
  let c = s.charCodeAt(at);
  if (c === 32) {
    at = skipSpaces(s, at);
    c = s.charCodeAt(at);
  }
  for (;;) {
    if (c !== 34) return null;
    const end = s.indexOf('"', at + 1);
    const field = end === -1 ? 0 : fieldAt(s, at + 1, end);
    if (field === 0 || (seen & field) !== 0) return null;
    seen |= field;
    order[fields++] = field;
    at = end + 1;
    c = s.charCodeAt(at);
    if (c === 32) {
      at = skipSpaces(s, at);
      c = s.charCodeAt(at);
    }
    if (c !== 58 /* : */) return null;
    at++;
    if (s.charCodeAt(at) === 32) at = skipSpaces(s, at);
    if (!readValue(s, field)) return null;
    switch (field) {
      case TYPE:
        scan.type = value;
        break;
      case AT:
        scan.at = value;
        break;
      case OBSERVED:
        scan.observed = value;
        break;
      case NOTE:
        scan.note = value;
        break;
      case APP:
        scan.app = value;
        break;
      case TENANT:
        scan.tenant = value;
        break;
      case TENANTS:
        scan.tenants = value;
        break;
      case USER:
        scan.user = value;
        break;
      case TIER:
        scan.tier = value;
        break;
      case KIND:
        scan.kind = value;
        break;
      case AUTH:
        scan.auth = value;
        break;
      case CERTIFIED:
        scan.certified = value;
        break;
      case CUSTOM:
        scan.custom = value;
        break;
    }
    c = s.charCodeAt(at);
    if (c === 32) {
      at = skipSpaces(s, at);
      c = s.charCodeAt(at);
    }
    at++;
    if (c === 125 /* } */) break;
    if (c !== 44 /* , */) return null;
    c = s.charCodeAt(at);
    if (c === 32) {
      at = skipSpaces(s, at);
      c = s.charCodeAt(at);
    }
  }
  if (at < s.length && skipSpaces(s, at) < s.length) return null;
  scan.seen = seen;
  scan.count = fields;
  return scan;
}
