/**
 * Parsing one line of a trace (README, "The trace format"). Every problem is an `InputError` naming
 * the file, the 1-based line (blank lines included) and the field, with a hint.
 * @module
 */
import { InputError, quote } from '../errors.ts';
import { instantOf, isCalendarInstant } from './instant.ts';
import { ANY_REFUSAL, EVENT_TYPES, OUTCOMES, OUTCOMES_OF, TENANT_KINDS, TIERS, type ObservedOutcome, type TraceEvent } from '../types.ts';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Fields each event type may carry, beyond `type`, `at`, `observed` and `note`. */
const FIELDS: Record<TraceEvent['type'], { required: string[]; optional: string[] }> = {
  app: { required: ['app'], optional: ['certified', 'tier', 'custom', 'auth', 'registered'] },
  tenant: { required: ['tenant'], optional: ['kind'] },
  connect: { required: ['app'], optional: ['tenant', 'tenants', 'user'] },
  disconnect: { required: ['app', 'tenant'], optional: ['user'] },
  revoke: { required: ['app'], optional: ['user'] },
  certify: { required: ['app'], optional: [] },
  tier: { required: ['app', 'tier'], optional: [] },
};
const COMMON = ['type', 'at', 'observed', 'note'];

/** Fields each event type may carry, `type`, `at`, `observed` and `note` included. */
const ALLOWED = Object.fromEntries(
  Object.entries(FIELDS).map(([type, spec]) => [type, new Set([...COMMON, ...spec.required, ...spec.optional])]),
) as unknown as Record<TraceEvent['type'], ReadonlySet<string>>;
const OUTCOME_SET: ReadonlySet<string> = new Set(OUTCOMES);

/** Where a line came from, for messages. */
interface Where {
  file: string;
  line: number;
}

function fail(where: Where, field: string, problem: string, hint?: string): never {
  throw new InputError(problem, { file: where.file, line: where.line, field }, hint);
}

function text(value: unknown, field: string, where: Where): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(where, field, `expected a non-empty string, got ${quote(value)}`);
  return value;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], where: Where): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(where, field, `unknown value ${quote(value)}`, `expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function flag(value: unknown, field: string, where: Where): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(where, field, `expected true or false, got ${quote(value)}`);
  return value as boolean | undefined;
}

/** An observed outcome, one this event type can have; on a connect, `rejected` (either refusal) too. */
function outcome(value: unknown, field: string, where: Where, type: TraceEvent['type']): ObservedOutcome {
  if (type === 'connect' && value === ANY_REFUSAL) return ANY_REFUSAL;
  const allowed: readonly string[] = OUTCOMES_OF[type];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    const known = typeof value === 'string' && OUTCOME_SET.has(value);
    const listed = type === 'connect' ? [...allowed, ANY_REFUSAL] : allowed;
    fail(
      where,
      field,
      `${known ? `a ${type} event cannot have the outcome` : 'unknown outcome'} ${quote(value)}`,
      `expected one of ${listed.join(', ')}`,
    );
  }
  return value as ObservedOutcome;
}

function observedOf(value: unknown, tenants: readonly string[] | null, where: Where, type: TraceEvent['type']): TraceEvent['observed'] {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (tenants !== null && tenants.length > 1)
      fail(where, 'observed', 'a consent of several tenants needs an object from tenant to outcome');
    return outcome(value, 'observed', where, type);
  }
  if (tenants === null || typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(where, 'observed', `expected an outcome string, got ${quote(value)}`);
  }
  // No prototype: a tenant named `__proto__` or `toString` is a key like any other.
  const byTenant: Record<string, ObservedOutcome> = Object.create(null);
  for (const [tenant, o] of Object.entries(value)) {
    if (!tenants.includes(tenant)) fail(where, `observed.${tenant}`, 'names a tenant the consent does not include');
    byTenant[tenant] = outcome(o, `observed.${tenant}`, where, 'connect');
  }
  return byTenant;
}

function tenantsOf(fields: Fields, where: Where): string[] {
  const single = text(fields.tenant, 'tenant', where);
  const several = fields.tenants;
  if (single !== undefined && several !== undefined) fail(where, 'tenants', 'give "tenant" or "tenants", not both');
  if (single !== undefined) return [single];
  if (several === undefined) return fail(where, 'tenant', 'missing', 'a connect needs "tenant" or "tenants"');
  if (!Array.isArray(several) || several.length === 0 || several.some((t) => typeof t !== 'string' || t === '')) {
    fail(where, 'tenants', 'expected a non-empty list of tenant ids');
  }
  const list = several as string[];
  if (list.length > 1 && new Set(list).size !== list.length) fail(where, 'tenants', 'names a tenant twice');
  return list;
}

/**
 * The fields of one line, read in one pass over its keys: records from JSON.parse come in many
 * shapes, and reading a field by name from each would be a slow generic lookup every time.
 */
class Fields {
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
  registered: unknown = undefined;
  [field: string]: unknown;
}

function isBlank(source: string): boolean {
  const first = source.charCodeAt(0);
  return first !== 123 /* { */ && source.trim() === '';
}

/** The last `at` found good: consecutive events often share one, and checking it again costs. */
let lastGoodAt: string | undefined;

/**
 * Parse one line of a trace; null for a blank line or a scenario header. A connect's `tenant`
 * becomes `tenants`. Bad input is an `InputError` naming the file, the line and the field.
 * @example
 * ```ts
 * import { InputError, parseTraceLine } from 'xero-connection-model';
 * console.log(parseTraceLine('{"type":"connect","app":"a","tenant":"t"}', 'inline', 1)); // → { type: 'connect', app: 'a', tenants: [ 't' ] }
 * try {
 *   parseTraceLine('{"type":"connect","app":"a","tennant":"t"}', 'inline', 2);
 * } catch (error) {
 *   console.log(error instanceof InputError, (error as Error).message.slice(0, 32)); // → true inline:2: field "tennant": not a
 * }
 * ```
 */
export function parseTraceLine(source: string, file: string, line: number): TraceEvent | null {
  if (isBlank(source)) return null;
  const where: Where = { file, line };
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (error) {
    throw new InputError(`malformed JSON: ${(error as Error).message}`, { file, line });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('expected a JSON object', { file, line });
  const record = raw as Record<string, unknown>;
  if (record.type === 'scenario') return null;
  const type =
    oneOf(record.type, 'type', EVENT_TYPES, where) ?? fail(where, 'type', 'missing', `expected one of ${EVENT_TYPES.join(', ')}`);
  const spec = FIELDS[type];
  const allowed = ALLOWED[type];
  const fields = new Fields();
  for (const key in record) {
    if (!allowed.has(key)) fail(where, key, `not a field of a ${type} event`, `fields: ${[...spec.required, ...spec.optional].join(', ')}`);
    if (key !== 'type') fields[key] = record[key];
  }
  for (const key of spec.required) if (fields[key] === undefined) fail(where, key, 'missing', `a ${type} event needs "${key}"`);
  const at = text(fields.at, 'at', where);
  if (at !== undefined && at !== lastGoodAt) {
    if (!ISO_WITH_OFFSET.test(at) || Number.isNaN(instantOf(at)))
      fail(where, 'at', `not an ISO 8601 time with offset: ${quote(at)}`, 'e.g. "2020-02-09T18:30:00+13:00"');
    if (!isCalendarInstant(at))
      fail(where, 'at', `no such date or time: ${quote(at)}`, 'months have their own number of days; hours run 00 to 23');
  }
  if (at !== undefined) lastGoodAt = at;
  const note = text(fields.note, 'note', where);
  const tenants = type === 'connect' ? tenantsOf(fields, where) : null;
  // The event is the record itself (it is fresh from JSON.parse) unless a field must go: the note,
  // and a connect's single `tenant`, which becomes `tenants` (last, as a new key is).
  let event = record;
  if (tenants !== null && fields.tenant !== undefined) {
    const { note: _note, tenant: _tenant, ...rest } = record;
    event = rest;
  } else if (note !== undefined) {
    const { note: _note, ...rest } = record;
    event = rest;
  }
  if (tenants !== null) event.tenants = tenants;
  // Fields this type does not allow are undefined here (any present failed above).
  text(fields.app, 'app', where);
  text(fields.tenant, 'tenant', where);
  text(fields.user, 'user', where);
  oneOf(fields.tier, 'tier', TIERS, where);
  oneOf(fields.kind, 'kind', TENANT_KINDS, where);
  oneOf(fields.auth, 'auth', ['oauth2', 'oauth1'] as const, where);
  flag(fields.certified, 'certified', where);
  flag(fields.custom, 'custom', where);
  const registered = text(fields.registered, 'registered', where);
  if (registered !== undefined) {
    if (!ISO_DATE_OR_TIME.test(registered) || Number.isNaN(Date.parse(registered)))
      fail(where, 'registered', `not an ISO 8601 date: ${quote(registered)}`, 'e.g. "2025-12-10"');
    if (!isCalendarInstant(registered))
      fail(where, 'registered', `no such date: ${quote(registered)}`, 'months have their own number of days');
  }
  const observed = observedOf(fields.observed, tenants, where, type);
  if (observed !== undefined) event.observed = observed;
  return event as unknown as TraceEvent;
}
