/**
 * The quick reading of a trace line: one pass over the text of the lines traces mostly hold
 * (`trace-scan.ts`: printable ASCII without escapes; string, `true`, `false`, lists of strings
 * and the observed object of a consent as values), then the checks of the full parse on what it
 * found, making the very event the full parse makes (`trace-parse.ts`), without `JSON.parse`
 * and the walk over its result. Whatever it does not take (another value,
 * an unknown or repeated field, a bad value, `model`, `registered`, a scenario header) is left to
 * the full parse: undefined. The full parse then reads the line again, and words the error if
 * there is one. A property holds the two equal on generated and mangled lines (trace-quick.test.ts).
 * @module
 */
import { isTraceInstant } from './instant.ts';
import { ANY_REFUSAL, AUTH_PROTOCOLS, EVENT_FIELDS, OUTCOMES_OF, TENANT_KINDS, TIERS, type TraceEvent } from '../types.ts';
import {
  APP,
  AT,
  AUTH,
  CERTIFIED,
  CUSTOM,
  FIELD_BITS,
  KIND,
  NOTE,
  OBSERVED,
  scanTraceLine,
  TENANT,
  TENANTS,
  TIER,
  TYPE,
  USER,
} from './trace-scan.ts';

/** The longest name of an app, tenant or user, in characters. */
export const MAX_NAME_LENGTH = 1000;
/** The most tenants one consent may name. */
export const MAX_CONSENT_TENANTS = 100_000;

const COMMON = TYPE | AT | OBSERVED | NOTE;
const bitsOf = (fields: readonly string[]) => fields.reduce((bits, field) => bits | (FIELD_BITS[field] ?? 0), 0);

/**
 * The fields each type may carry and must carry, as bits, from the trace format's table (a line
 * with `registered`, which has no bit, never reaches here: the scan leaves it to the full parse).
 */
const SHAPE_OF = Object.fromEntries(
  Object.entries(EVENT_FIELDS).map(([type, { required, optional }]) => [
    type,
    { allowed: COMMON | bitsOf(required) | bitsOf(optional), required: bitsOf(required) },
  ]),
) as Record<TraceEvent['type'], { allowed: number; required: number }>;
/** The same in a Map: a key read from the line is looked up without making it a property name first. */
const SHAPES = new Map(Object.entries(SHAPE_OF));
const OUTCOME_SETS = new Map(Object.entries(OUTCOMES_OF).map(([type, list]) => [type, new Set<string>(list)]));
const CONNECT_OUTCOMES = new Set<string>([...OUTCOMES_OF.connect, ANY_REFUSAL]);
const TIER_SET: ReadonlySet<string> = new Set(TIERS);
const KIND_SET: ReadonlySet<string> = new Set(TENANT_KINDS);
const AUTH_SET: ReadonlySet<string> = new Set(AUTH_PROTOCOLS);

const isName = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= MAX_NAME_LENGTH;

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
  const scan = scanTraceLine(s);
  if (scan === null) return undefined;
  const { seen, order, type, at: time, observed, note, app, tenant, tenants, user, tier, kind, auth, certified, custom } = scan;
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
  if (auth !== undefined && (typeof auth !== 'string' || !AUTH_SET.has(auth))) return undefined;
  if ((certified !== undefined && typeof certified !== 'boolean') || (custom !== undefined && typeof custom !== 'boolean'))
    return undefined;
  if (observed !== undefined && !isObserved(observed, eventType, consent)) return undefined;
  // The event, its fields in the line's order (as JSON.parse makes them); a connect's `tenant` becomes `tenants`, last.
  const event: Record<string, unknown> = {};
  for (let k = 0; k < scan.count; k++) {
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
