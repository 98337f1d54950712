/**
 * Reading trace files: JSON Lines, one event per line (DESIGN.md, "Trace file"). Every problem is
 * an `InputError` naming the file, the 1-based line (blank lines included) and the field.
 * A scenario file may start with one `{"type":"scenario", "title", "story", "source"}` line.
 * @module
 */
import { createReadStream } from 'node:fs';
import { InputError } from './errors.ts';
import { EVENT_TYPES, OUTCOMES, TENANT_KINDS, TIERS, type Outcome, type TraceEvent } from './types.ts';

/** A parsed line: the event and where it came from. */
export interface TraceLine {
  line: number;
  event: TraceEvent;
}

/** The header of a scenario file. */
export interface ScenarioHeader {
  title: string;
  story: string;
  source: string;
  /** The policy to replay under (default: the timeline `xero`). */
  policy?: string;
  /** `key=value` overrides for the replay. */
  set?: string[];
}

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

type Fail = (field: string, problem: string, hint?: string) => never;

function text(raw: Record<string, unknown>, field: string, fail: Fail): string | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(field, `expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function oneOf<T extends string>(raw: Record<string, unknown>, field: string, allowed: readonly T[], fail: Fail): T | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, `unknown value ${JSON.stringify(value)}`, `expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function flag(raw: Record<string, unknown>, field: string, fail: Fail): boolean | undefined {
  const value = raw[field];
  if (value !== undefined && typeof value !== 'boolean') fail(field, `expected true or false, got ${JSON.stringify(value)}`);
  return value as boolean | undefined;
}

function outcome(value: unknown, field: string, fail: Fail): Outcome {
  if (typeof value !== 'string' || !(OUTCOMES as readonly string[]).includes(value)) {
    fail(field, `unknown outcome ${JSON.stringify(value)}`, `expected one of ${OUTCOMES.join(', ')}`);
  }
  return value as Outcome;
}

function observedOf(raw: Record<string, unknown>, tenants: readonly string[] | null, fail: Fail): TraceEvent['observed'] {
  const value = raw['observed'];
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (tenants !== null && tenants.length > 1) fail('observed', 'a consent of several tenants needs an object from tenant to outcome');
    return outcome(value, 'observed', fail);
  }
  if (tenants === null || typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('observed', `expected an outcome string, got ${JSON.stringify(value)}`);
  }
  const byTenant: Record<string, Outcome> = {};
  for (const [tenant, o] of Object.entries(value)) {
    if (!tenants.includes(tenant)) fail(`observed.${tenant}`, 'names a tenant the consent does not include');
    byTenant[tenant] = outcome(o, `observed.${tenant}`, fail);
  }
  return byTenant;
}

function tenantsOf(raw: Record<string, unknown>, fail: Fail): string[] {
  const single = text(raw, 'tenant', fail);
  const several = raw['tenants'];
  if (single !== undefined && several !== undefined) fail('tenants', 'give "tenant" or "tenants", not both');
  if (single !== undefined) return [single];
  if (several === undefined) return fail('tenant', 'missing', 'a connect needs "tenant" or "tenants"');
  if (!Array.isArray(several) || several.length === 0 || several.some((t) => typeof t !== 'string' || t === '')) {
    fail('tenants', 'expected a non-empty list of tenant ids');
  }
  const list = several as string[];
  if (new Set(list).size !== list.length) fail('tenants', 'names a tenant twice');
  return list;
}

/** Parse one line of a trace; null for a blank line or a scenario header. */
export function parseTraceLine(source: string, file: string, line: number): TraceEvent | null {
  if (source.trim() === '') return null;
  const fail: Fail = (field, problem, hint) => { throw new InputError(problem, { file, line, field }, hint); };
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (error) {
    throw new InputError(`malformed JSON: ${(error as Error).message}`, { file, line });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('expected a JSON object', { file, line });
  const record = raw as Record<string, unknown>;
  if (record['type'] === 'scenario') return null;
  const type = oneOf(record, 'type', EVENT_TYPES, fail) ?? fail('type', 'missing', `expected one of ${EVENT_TYPES.join(', ')}`);
  const spec = FIELDS[type];
  for (const key of Object.keys(record)) {
    if (!COMMON.includes(key) && !spec.required.includes(key) && !spec.optional.includes(key)) {
      fail(key, `not a field of a ${type} event`, `fields: ${[...spec.required, ...spec.optional].join(', ')}`);
    }
  }
  for (const key of spec.required) if (record[key] === undefined) fail(key, 'missing', `a ${type} event needs "${key}"`);
  const at = text(record, 'at', fail);
  if (at !== undefined && (!ISO_WITH_OFFSET.test(at) || Number.isNaN(Date.parse(at)))) {
    fail('at', `not an ISO 8601 time with offset: ${JSON.stringify(at)}`, 'e.g. "2020-02-09T18:30:00+13:00"');
  }
  text(record, 'note', fail);
  const tenants = type === 'connect' ? tenantsOf(record, fail) : null;
  const event = { ...record } as Record<string, unknown>;
  delete event['note'];
  if (tenants !== null) { delete event['tenant']; event['tenants'] = tenants; }
  for (const key of ['app', 'tenant', 'user']) text(record, key, fail);
  oneOf(record, 'tier', TIERS, fail);
  oneOf(record, 'kind', TENANT_KINDS, fail);
  oneOf(record, 'auth', ['oauth2', 'oauth1'] as const, fail);
  flag(record, 'certified', fail);
  flag(record, 'custom', fail);
  const registered = text(record, 'registered', fail);
  if (registered !== undefined && (!ISO_DATE_OR_TIME.test(registered) || Number.isNaN(Date.parse(registered)))) {
    fail('registered', `not an ISO 8601 date: ${JSON.stringify(registered)}`, 'e.g. "2025-12-10"');
  }
  const observed = observedOf(record, tenants, fail);
  if (observed !== undefined) event['observed'] = observed;
  return event as unknown as TraceEvent;
}

/** The lines of a file, streamed, with 1-based numbers (blank lines included). */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let rest = '';
    let line = 0;
    for await (const chunk of stream as AsyncIterable<string>) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) yield { text: part, line: ++line };
    }
    if (rest !== '') yield { text: rest, line: ++line };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new InputError(`cannot read the trace (${code})`, { file });
    throw error;
  }
}

/** The events of a trace file, streamed. */
export async function* readTrace(file: string): AsyncGenerator<TraceLine> {
  for await (const { text: source, line } of readLines(file)) {
    const event = parseTraceLine(source, file, line);
    if (event !== null) yield { line, event };
  }
}

/** The scenario header of a trace's text, if its first non-blank line is one. */
export function scenarioHeader(content: string): ScenarioHeader | null {
  const first = content.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return null;
  try {
    const raw = JSON.parse(first) as Record<string, unknown>;
    if (raw['type'] !== 'scenario') return null;
    const header: ScenarioHeader = { title: String(raw['title'] ?? ''), story: String(raw['story'] ?? ''), source: String(raw['source'] ?? '') };
    if (typeof raw['policy'] === 'string') header.policy = raw['policy'];
    if (Array.isArray(raw['set'])) header.set = raw['set'].map(String);
    return header;
  } catch {
    return null;
  }
}
