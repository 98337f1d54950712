/**
 * The quick reading of a trace line: one pass over the text of the lines traces mostly hold
 * (printable ASCII without escapes; string, `true`, `false`, lists of strings and the observed
 * object of a consent as values), making the very event the full parse makes (`trace-parse.ts`),
 * without `JSON.parse` and the walk over its result. Whatever it does not take (another value,
 * an unknown or repeated field, a bad value, `model`, `registered`, a scenario header) is left to
 * the full parse: undefined. The full parse then reads the line again, and words the error if
 * there is one. A property holds the two equal on generated and mangled lines (trace-quick.test.ts).
 * @module
 */
import { isTraceInstant } from './instant.ts';
import { ANY_REFUSAL, EVENT_TYPES, OUTCOMES, OUTCOMES_OF, TENANT_KINDS, TIERS, type TraceEvent } from '../types.ts';

/** The longest name of an app, tenant or user, in characters. */
export const MAX_NAME_LENGTH = 1000;
/** The most tenants one consent may name. */
export const MAX_CONSENT_TENANTS = 100_000;

// The fields the quick reading takes, one bit each (`registered` and `model` go the long way).
const TYPE = 1;
const AT = 2;
const OBSERVED = 4;
const NOTE = 8;
const APP = 16;
const TENANT = 32;
const TENANTS = 64;
const USER = 128;
const TIER = 256;
const KIND = 512;
const AUTH = 1024;
const CERTIFIED = 2048;
const CUSTOM = 4096;
const COMMON = TYPE | AT | OBSERVED | NOTE;

/** The fields each type may carry and must carry, as the full parse's table says (`registered` aside). */
const SHAPE_OF: Record<TraceEvent['type'], { allowed: number; required: number }> = {
  app: { allowed: COMMON | APP | TIER | CUSTOM | AUTH | CERTIFIED, required: APP },
  tenant: { allowed: COMMON | TENANT | KIND, required: TENANT },
  connect: { allowed: COMMON | APP | TENANT | TENANTS | USER, required: APP },
  disconnect: { allowed: COMMON | APP | TENANT | USER, required: APP | TENANT },
  revoke: { allowed: COMMON | APP | USER, required: APP },
  certify: { allowed: COMMON | APP, required: APP },
  tier: { allowed: COMMON | APP | TIER, required: APP | TIER },
};
/** The same in a Map: a key read from the line is looked up without making it a property name first. */
const SHAPES = new Map(Object.entries(SHAPE_OF));
const OUTCOME_SETS = new Map(Object.entries(OUTCOMES_OF).map(([type, list]) => [type, new Set<string>(list)]));
const CONNECT_OUTCOMES = new Set<string>([...OUTCOMES_OF.connect, ANY_REFUSAL]);
const TIER_SET: ReadonlySet<string> = new Set(TIERS);
const KIND_SET: ReadonlySet<string> = new Set(TENANT_KINDS);

/**
 * The words a value of `type`, `observed`, `tier`, `kind` and `auth` may be, by length: such a
 * value is the constant itself, not a new string (and a Set finds a constant quicker).
 */
const WORDS: string[][] = [];
for (const word of [...EVENT_TYPES, ...OUTCOMES, ANY_REFUSAL, ...TIERS, ...TENANT_KINDS, 'oauth1', 'oauth2']) {
  const list = WORDS[word.length] ?? [];
  if (!list.includes(word)) list.push(word);
  WORDS[word.length] = list;
}

/** A character the quick reading does not take: anything but printable ASCII, and the backslash. */
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

const isName = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= MAX_NAME_LENGTH;

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

/** The fields of the line in the order it gives them (reused: no array per line). */
const order = new Int32Array(16);

/** Whether `tenants` is a consent the full parse takes: 1 to the most tenants, each a name, none twice. */
function isConsent(tenants: unknown): tenants is string[] {
  if (!Array.isArray(tenants) || tenants.length === 0 || tenants.length > MAX_CONSENT_TENANTS) return false;
  for (const t of tenants) if (!isName(t)) return false;
  if (tenants.length === 1) return true;
  if (tenants.length <= 16) {
    for (let i = 1; i < tenants.length; i++) if (tenants.lastIndexOf(tenants[i] as string, i - 1) !== -1) return false;
    return true;
  }
  return new Set(tenants).size === tenants.length;
}

/** Whether an observed value is one the full parse takes for this event. */
function isObserved(observed: unknown, type: TraceEvent['type'], tenants: readonly string[] | null): boolean {
  if (typeof observed === 'string') {
    if (tenants !== null && tenants.length > 1) return false;
    return type === 'connect' ? CONNECT_OUTCOMES.has(observed) : (OUTCOME_SETS.get(type) as ReadonlySet<string>).has(observed);
  }
  if (tenants === null || typeof observed !== 'object' || Array.isArray(observed)) return false;
  const named: { has(tenant: string): boolean } = tenants.length > 16 ? new Set(tenants) : { has: (t) => tenants.includes(t) };
  for (const tenant in observed as Record<string, string>) {
    const o = (observed as Record<string, string>)[tenant] as string;
    if (!named.has(tenant) || !CONNECT_OUTCOMES.has(o)) return false;
  }
  return true;
}

/**
 * The event of one trace line, as `parseTraceLine` makes it, when the line is one the quick
 * reading takes; undefined otherwise (the full parse decides).
 */
export function quickTraceLine(s: string): TraceEvent | undefined {
  if (s.charCodeAt(0) !== 123 /* { */ || NOT_PLAIN.test(s)) return undefined;
  let fields = 0;
  let seen = 0;
  let type: unknown;
  let time: unknown;
  let observed: unknown;
  let note: unknown;
  let app: unknown;
  let tenant: unknown;
  let tenants: unknown;
  let user: unknown;
  let tier: unknown;
  let kind: unknown;
  let auth: unknown;
  let certified: unknown;
  let custom: unknown;
  // Spaces are skipped only where there are some: most lines have none.
  at = 1;
  let c = s.charCodeAt(at);
  if (c === 32) {
    at = skipSpaces(s, at);
    c = s.charCodeAt(at);
  }
  for (;;) {
    if (c !== 34) return undefined;
    const end = s.indexOf('"', at + 1);
    const field = end === -1 ? 0 : fieldAt(s, at + 1, end);
    if (field === 0 || (seen & field) !== 0) return undefined;
    seen |= field;
    order[fields++] = field;
    at = end + 1;
    c = s.charCodeAt(at);
    if (c === 32) {
      at = skipSpaces(s, at);
      c = s.charCodeAt(at);
    }
    if (c !== 58 /* : */) return undefined;
    at++;
    if (s.charCodeAt(at) === 32) at = skipSpaces(s, at);
    if (!readValue(s, field)) return undefined;
    switch (field) {
      case TYPE:
        type = value;
        break;
      case AT:
        time = value;
        break;
      case OBSERVED:
        observed = value;
        break;
      case NOTE:
        note = value;
        break;
      case APP:
        app = value;
        break;
      case TENANT:
        tenant = value;
        break;
      case TENANTS:
        tenants = value;
        break;
      case USER:
        user = value;
        break;
      case TIER:
        tier = value;
        break;
      case KIND:
        kind = value;
        break;
      case AUTH:
        auth = value;
        break;
      case CERTIFIED:
        certified = value;
        break;
      case CUSTOM:
        custom = value;
        break;
    }
    c = s.charCodeAt(at);
    if (c === 32) {
      at = skipSpaces(s, at);
      c = s.charCodeAt(at);
    }
    at++;
    if (c === 125 /* } */) break;
    if (c !== 44 /* , */) return undefined;
    c = s.charCodeAt(at);
    if (c === 32) {
      at = skipSpaces(s, at);
      c = s.charCodeAt(at);
    }
  }
  if (at < s.length && skipSpaces(s, at) < s.length) return undefined;
  const shape = typeof type === 'string' ? SHAPES.get(type) : undefined;
  if (shape === undefined) return undefined;
  const eventType = type as TraceEvent['type'];
  if ((seen & ~shape.allowed) !== 0 || (seen & shape.required) !== shape.required) return undefined;
  let consent: string[] | null = null;
  if (eventType === 'connect') {
    if (tenant !== undefined) {
      if (tenants !== undefined || !isName(tenant)) return undefined;
      consent = [tenant];
    } else if (isConsent(tenants)) consent = tenants;
    else return undefined;
  } else if (tenant !== undefined && !isName(tenant)) return undefined;
  if (time !== undefined && (typeof time !== 'string' || time === '' || !isTraceInstant(time))) return undefined;
  if (note !== undefined && (typeof note !== 'string' || note === '')) return undefined;
  if ((app !== undefined && !isName(app)) || (user !== undefined && !isName(user))) return undefined;
  if (tier !== undefined && (typeof tier !== 'string' || !TIER_SET.has(tier))) return undefined;
  if (kind !== undefined && (typeof kind !== 'string' || !KIND_SET.has(kind))) return undefined;
  if (auth !== undefined && auth !== 'oauth2' && auth !== 'oauth1') return undefined;
  if ((certified !== undefined && typeof certified !== 'boolean') || (custom !== undefined && typeof custom !== 'boolean'))
    return undefined;
  if (observed !== undefined && !isObserved(observed, eventType, consent)) return undefined;
  // The event, its fields in the line's order (as JSON.parse makes them); a connect's `tenant` becomes `tenants`, last.
  const event: Record<string, unknown> = {};
  for (let k = 0; k < fields; k++) {
    switch (order[k]) {
      case TYPE:
        event.type = type;
        break;
      case AT:
        event.at = time;
        break;
      case OBSERVED:
        event.observed = observed;
        break;
      case NOTE:
        event.note = note;
        break;
      case APP:
        event.app = app;
        break;
      case TENANT:
        if (consent === null) event.tenant = tenant;
        break;
      case TENANTS:
        event.tenants = tenants;
        break;
      case USER:
        event.user = user;
        break;
      case TIER:
        event.tier = tier;
        break;
      case KIND:
        event.kind = kind;
        break;
      case AUTH:
        event.auth = auth;
        break;
      case CERTIFIED:
        event.certified = certified;
        break;
      case CUSTOM:
        event.custom = custom;
        break;
    }
  }
  if (consent !== null && tenant !== undefined) event.tenants = consent;
  return event as unknown as TraceEvent;
}
