/**
 * Parsing one line of a trace (README, "The trace format"). Every problem is an `InputError` naming
 * the file, the 1-based line (blank lines included) and the field, with a hint.
 * @module
 */
import { InputError, quote } from '../errors.ts';
import { instantProblem, isCalendarInstant, isTraceInstant } from './instant.ts';
import {
  ANY_REFUSAL,
  AUTH_PROTOCOLS,
  EVENT_FIELDS,
  EVENT_TYPES,
  OUTCOMES,
  OUTCOMES_OF,
  TENANT_KINDS,
  TIERS,
  type ObservedOutcome,
  type TraceEvent,
} from '../types.ts';
import { duplicateKey, keysInText } from './json-text.ts';
import { MAX_CONSENT_TENANTS, MAX_NAME_LENGTH, quickTraceLine } from './trace-quick.ts';
import { FieldValues } from './trace-scan.ts';

const ISO_DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

const COMMON = ['type', 'at', 'observed', 'note', 'model'];

/** Fields each event type may carry, the common ones included. */
const ALLOWED = Object.fromEntries(
  Object.entries(EVENT_FIELDS).map(([type, spec]) => [type, new Set([...COMMON, ...spec.required, ...spec.optional])]),
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

/** A character no name may hold: a control character, or half of a surrogate pair (checked closer). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** What a message may not hold of the text JSON.parse quotes: control characters, U+2028 and U+2029. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a name is not one (null: it is): too long, a control character, a lone surrogate. */
export function nameProblem(name: string): string | null {
  if (name.length > MAX_NAME_LENGTH) return `a name of ${name.length} characters (at most ${MAX_NAME_LENGTH})`;
  if (!SUSPECT.test(name)) return null;
  const control = CONTROL.exec(name);
  if (control !== null)
    return `a name with the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at character ${control.index + 1}`;
  const lone = LONE_SURROGATE.exec(name);
  if (lone !== null) return `a name with half of a surrogate pair at character ${lone.index + 1}`;
  return null;
}

/** An app, tenant or user name: a non-empty string that is a name. */
function name(value: unknown, field: string, where: Where): string | undefined {
  const found = text(value, field, where);
  if (found === undefined) return undefined;
  const problem = nameProblem(found);
  if (problem !== null) fail(where, field, `${problem}: ${quote(found)}`, 'names are printable text');
  return found;
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
  // A consent may name 100,000 tenants: look each observed one up in a set, not the list.
  const named: { has(tenant: string): boolean } = tenants.length > 16 ? new Set(tenants) : { has: (t) => tenants.includes(t) };
  for (const [tenant, o] of Object.entries(value)) {
    if (!named.has(tenant)) fail(where, `observed.${tenant}`, 'names a tenant the consent does not include');
    byTenant[tenant] = outcome(o, `observed.${tenant}`, where, 'connect');
  }
  return byTenant;
}

function tenantsOf(fields: Fields, where: Where): string[] {
  const single = name(fields.tenant, 'tenant', where);
  const several = fields.tenants;
  if (single !== undefined && several !== undefined) fail(where, 'tenants', 'give "tenant" or "tenants", not both');
  if (single !== undefined) return [single];
  if (several === undefined) return fail(where, 'tenant', 'missing', 'a connect needs "tenant" or "tenants"');
  if (!Array.isArray(several) || several.length === 0 || several.some((t) => typeof t !== 'string' || t === '')) {
    fail(where, 'tenants', 'expected a non-empty list of tenant ids');
  }
  const list = several as string[];
  if (list.length > MAX_CONSENT_TENANTS)
    fail(where, 'tenants', `a consent of ${list.length} tenants (at most ${MAX_CONSENT_TENANTS})`, 'split it into several consents');
  for (let i = 0; i < list.length; i++) name(list[i], `tenants[${i}]`, where);
  if (list.length > 1 && new Set(list).size !== list.length) fail(where, 'tenants', 'names a tenant twice');
  return list;
}

/** The fields of one line, read in one pass over its keys (see `FieldValues`), and any other it gives. */
class Fields extends FieldValues {
  model: unknown = undefined;
  registered: unknown = undefined;
  [field: string]: unknown;
}

/** How many keys a parsed value has, at any depth (-1 when it nests deeper than `depth`). */
function keysInValue(value: unknown, depth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth === 0) return -1;
  let keys = Array.isArray(value) ? 0 : Object.keys(value).length;
  for (const v of Object.values(value)) {
    const inner = keysInValue(v, depth - 1);
    if (inner === -1) return -1;
    keys += inner;
  }
  return keys;
}

function isBlank(source: string): boolean {
  const first = source.charCodeAt(0);
  return first !== 123 /* { */ && source.trim() === '';
}

/**
 * What to say about a line that opens a JSON array: it is no trace event, and it may well be a
 * `GET /connections` response, which `xcm import` turns into a trace.
 */
function arrayHint(source: string): string | undefined {
  return source.trimStart().startsWith('[')
    ? 'a trace is JSON Lines, one event object per line; a GET /connections response (a JSON array) becomes a trace with xcm import'
    : undefined;
}
const DUPLICATE_HINT = 'JSON would keep only the last; give each field once';

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
  return quickTraceLine(source) ?? parseTraceLineFully(source, file, line);
}

/** `parseTraceLine` without the quick reading: the long way, which every error takes. */
export function parseTraceLineFully(source: string, file: string, line: number): TraceEvent | null {
  if (isBlank(source)) return null;
  const where: Where = { file, line };
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (error) {
    // JSON.parse quotes a little of the text: escape its control characters so the message stays one line.
    const message = (error as Error).message.replace(CONTROL_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    throw new InputError(`malformed JSON: ${message.slice(0, 200)}`, { file, line }, arrayHint(source));
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError('expected a JSON object', { file, line }, arrayHint(source));
  const record = raw as Record<string, unknown>;
  if (record.type === 'scenario') {
    // A key given twice here too: `{"type":"connect",...,"type":"scenario"}` would drop an event without a word.
    const twice = duplicateKey(source);
    if (twice !== null) fail(where, twice.path, 'given twice', DUPLICATE_HINT);
    return null;
  }
  const type =
    oneOf(record.type, 'type', EVENT_TYPES, where) ?? fail(where, 'type', 'missing', `expected one of ${EVENT_TYPES.join(', ')}`);
  const spec = EVENT_FIELDS[type];
  const allowed = ALLOWED[type];
  const fields = new Fields();
  let keys = 0;
  for (const key in record) {
    keys++;
    if (!allowed.has(key)) fail(where, key, `not a field of a ${type} event`, `fields: ${[...spec.required, ...spec.optional].join(', ')}`);
    if (key !== 'type') fields[key] = record[key];
  }
  for (const key of spec.required) if (fields[key] === undefined) fail(where, key, 'missing', `a ${type} event needs "${key}"`);
  const at = text(fields.at, 'at', where);
  if (at !== undefined && !isTraceInstant(at)) {
    const problem = instantProblem(at) as { problem: string; hint: string };
    fail(where, 'at', problem.problem, problem.hint);
  }
  text(fields.note, 'note', where);
  const tenants = type === 'connect' ? tenantsOf(fields, where) : null;
  // The event is the record itself (it is fresh from JSON.parse) unless a field must go: the
  // annotations of `xcm run --json` (`model`), and a connect's single `tenant`, which becomes
  // `tenants` (last, as a new key is).
  let event = record;
  if (tenants !== null && fields.tenant !== undefined) {
    const { tenant: _tenant, model: _model, ...rest } = record;
    event = rest;
  } else if (fields.model !== undefined) {
    const { model: _model, ...rest } = record;
    event = rest;
  }
  if (tenants !== null) event.tenants = tenants;
  // Fields this type does not allow are undefined here (any present failed above).
  name(fields.app, 'app', where);
  name(fields.tenant, 'tenant', where);
  name(fields.user, 'user', where);
  if (fields.model !== undefined && (typeof fields.model !== 'object' || fields.model === null || Array.isArray(fields.model)))
    fail(where, 'model', `expected the object xcm run --json writes, got ${quote(fields.model)}`);
  oneOf(fields.tier, 'tier', TIERS, where);
  oneOf(fields.kind, 'kind', TENANT_KINDS, where);
  oneOf(fields.auth, 'auth', AUTH_PROTOCOLS, where);
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
  // A key given twice: the text has more keys than the value JSON.parse made of it.
  const nested = keysInValue(fields.observed, 1) + keysInValue(fields.model, 3);
  if (nested < 0) fail(where, 'model', 'nested deeper than the object xcm run --json writes');
  if (keysInText(source) !== keys + nested) {
    const twice = duplicateKey(source);
    if (twice !== null) fail(where, twice.path, 'given twice', DUPLICATE_HINT);
  }
  return event as unknown as TraceEvent;
}
