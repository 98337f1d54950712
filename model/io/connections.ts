/**
 * Importing what Xero says an app holds: `GET /connections` responses (XeroAPI/Xero-OpenAPI
 * `xero-identity.yaml`: a JSON array of `{id, authEventId, tenantId, tenantType, tenantName,
 * createdDateUtc, updatedDateUtc}`, one response per user's token) turned into a trace that
 * `check`, `run` and `status` read. Reading only: nothing here decides a rule.
 *
 * The trace: a scenario header naming the files; the app, declared with defaults (an uncertified
 * OAuth 2.0 app: the response does not say); each tenant, named by its `tenantName` (made unique
 * when two share one) with its `tenantId` in the `note`, of kind `practice` for `PRACTICE`, `demo`
 * for an `ORGANISATION` named like a demo company, `organisation` for any other `ORGANISATION`;
 * then one connect per `authEventId` (per user: the tenants one consent authorised), observed
 * `connected` (the response shows the connection), in time order.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { InputError, quote } from '../errors.ts';
import { instantOf, isCalendarInstant, isoInstant } from './instant.ts';
import type { TraceLine } from './trace.ts';
import { traceLine } from './trace-line.ts';
import { nameProblem } from './trace-parse.ts';
import { IMPLICIT_USER, TENANT_KINDS, type ConnectEvent, type TenantKind, type TraceEvent } from '../types.ts';

/** One `GET /connections` response: the connections one user's token sees. */
export interface ConnectionsDump {
  /** Where it came from, as messages and the trace's header name it. */
  file: string;
  /** The user whose token listed them (default: the implicit user). */
  user?: string | undefined;
  /** The parsed response body; when not given, `file` is read. */
  connections?: unknown;
}

/** Options of `importConnections`. */
export interface ImportOptions {
  /** The app the connections are of. */
  app: string;
  /**
   * A tenant of type `ORGANISATION` whose name matches is a demo company (a string is a regular
   * expression, matched case-insensitively). Default `DEMO_COMPANY`.
   */
  demo?: string | RegExp | undefined;
  /** The kind of the tenants of a type, for a type the model does not know (`{ PRACTICEMANAGER: 'organisation' }`). */
  kinds?: Readonly<Record<string, TenantKind>> | undefined;
}

/** The trace made from the responses. */
export interface ImportResult {
  /** The trace as a file holds it: the scenario header, then one event per line, each line ending in a newline. */
  text: string;
  /** Its events with their lines (the header is line 1), as `check`, `run` and `status` take them. */
  lines: TraceLine[];
  connections: number;
  tenants: number;
  consents: number;
}

/** Xero's Demo Company names: "Demo Company (NZ)", "Demo Company (Global)", ... */
export const DEMO_COMPANY = /^Demo Company\b/i;

/** The tenant types of the schema, and the kind each is. Any other type needs `kinds`. */
const KNOWN_TYPES: Readonly<Record<string, TenantKind>> = { ORGANISATION: 'organisation', PRACTICE: 'practice' };

const FIELDS = '{"id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"}';
const SHAPE = `the body of GET /connections: [${FIELDS}, ...]`;

/** Xero's dates: UTC without an offset and up to 7 fractional digits (`2019-12-07T18:46:19.5165400`); an offset is read if given. */
const XERO_DATE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/** One connection of a response, checked. */
interface Row {
  file: string;
  index: number;
  user: string;
  tenantId: string;
  tenantType: string;
  name: string;
  kind: TenantKind;
  /** The instant of `createdDateUtc` in milliseconds, and the digits below a millisecond (for order only). */
  ms: number;
  below: number;
  authEventId: string | null;
}

function fail(file: string, field: string, problem: string, hint?: string): never {
  throw new InputError(problem, { file, field }, hint);
}

/** The body of a response file, parsed. */
function readDump(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(`cannot read the connections (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
  if (!isUtf8(bytes)) throw new InputError('not UTF-8 text', { file }, `expected ${SHAPE}`);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`malformed JSON: ${(error as Error).message.split('\n')[0]?.slice(0, 200)}`, { file }, `expected ${SHAPE}`);
  }
}

/** The instant of a `createdDateUtc`, or an error naming it. */
function dateOf(file: string, field: string, value: unknown): { ms: number; below: number } {
  const m = typeof value === 'string' ? XERO_DATE.exec(value) : null;
  const fraction = m?.[2] ?? '';
  const ms = m === null ? Number.NaN : instantOf(`${m[1]}.${fraction.padEnd(3, '0').slice(0, 3)}${m[3] ?? 'Z'}`);
  if (m === null || Number.isNaN(ms) || !isCalendarInstant(value as string))
    fail(file, field, `not a date and time: ${quote(value)}`, 'Xero writes e.g. "2019-12-07T18:46:19.5165400", in UTC');
  return { ms, below: Number(fraction.slice(3).padEnd(6, '0').slice(0, 6)) };
}

function kindOf(file: string, field: string, type: string, name: string, options: ImportOptions, demo: RegExp): TenantKind {
  const kind = options.kinds?.[type] ?? KNOWN_TYPES[type];
  if (kind === undefined) {
    fail(
      file,
      field,
      `unknown value ${quote(type)}`,
      `expected ${Object.keys(KNOWN_TYPES).join(' or ')}; the model does not know how a tenant of another type counts: say which kind it is with --kind ${type}=${TENANT_KINDS.join('|')}`,
    );
  }
  return kind === 'organisation' && demo.test(name) ? 'demo' : kind;
}

/** The connections of one response, checked, in its order. */
function rowsOf(dump: ConnectionsDump, options: ImportOptions, demo: RegExp): Row[] {
  const file = dump.file;
  const body = dump.connections === undefined ? readDump(file) : dump.connections;
  if (!Array.isArray(body)) throw new InputError(`expected a JSON array of connections, got ${quote(body)}`, { file }, SHAPE);
  const user = dump.user ?? IMPLICIT_USER;
  return body.map((item: unknown, index) => {
    const at = `[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      fail(file, at, `expected a connection object, got ${quote(item)}`);
    const c = item as Record<string, unknown>;
    const text = (key: string, optional: boolean): string | null => {
      const value = c[key];
      if ((value === undefined || value === null) && optional) return null;
      if (value === undefined) fail(file, `${at}.${key}`, 'missing', `a connection is ${FIELDS}`);
      if (typeof value !== 'string' || (value === '' && !optional))
        fail(file, `${at}.${key}`, `expected a non-empty string, got ${quote(value)}`);
      return value === '' ? null : value;
    };
    const tenantId = text('tenantId', false) as string;
    const tenantType = text('tenantType', false) as string;
    // A connection without a name is named by its tenantId.
    const name = text('tenantName', true) ?? tenantId;
    const problem = nameProblem(name);
    if (problem !== null) fail(file, `${at}.tenantName`, `${problem}: ${quote(name)}`, 'names are printable text');
    const kind = kindOf(file, `${at}.tenantType`, tenantType, name, options, demo);
    const created = dateOf(file, `${at}.createdDateUtc`, c.createdDateUtc);
    return { file, index, user, tenantId, tenantType, name, kind, ...created, authEventId: text('authEventId', true) };
  });
}

/** Earlier first: by `createdDateUtc`, to the digit Xero writes. */
const byTime = (a: Row, b: Row) => a.ms - b.ms || a.below - b.below;

/** Names for the tenants, by tenantId: the `tenantName`, made unique by the start of the tenantId when two share one. */
function tenantNames(tenants: readonly Row[]): Map<string, string> {
  const sharing = new Map<string, number>();
  for (const t of tenants) sharing.set(t.name, (sharing.get(t.name) ?? 0) + 1);
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const t of tenants) {
    let name = (sharing.get(t.name) ?? 0) > 1 ? `${t.name} (${t.tenantId.slice(0, 8)})` : t.name;
    if (taken.has(name)) name = `${t.name} (${t.tenantId})`;
    for (let n = 2; taken.has(name); n++) name = `${t.name} (${t.tenantId}, ${n})`;
    const problem = nameProblem(name);
    if (problem !== null)
      fail(t.file, `[${t.index}].tenantName`, `${problem}: ${quote(name)}`, 'a tenant name made unique must still be a name');
    taken.add(name);
    names.set(t.tenantId, name);
  }
  return names;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function listOfFiles(dumps: readonly ConnectionsDump[]): string {
  const each = dumps.map((d) => (d.user === undefined ? d.file : `${d.file} (${d.user})`));
  return each.length <= 1 ? each.join('') : `${each.slice(0, -1).join(', ')} and ${each[each.length - 1]}`;
}

/**
 * Turn `GET /connections` responses (one per user's token) into a trace: the tenants declared
 * with their kind, then one connect per `authEventId` in time order, each observed `connected`.
 * A consent's `at` is the latest `createdDateUtc` of its connections (a tenant re-authorised in
 * it keeps its older date), in UTC, to the millisecond. Bad input is an `InputError` naming the
 * file and the element (`[3].tenantType`).
 * @example
 * ```ts
 * import { importConnections, status } from 'xero-connection-model';
 * const connections = [
 *   { id: 'c-1', authEventId: 'e-1', tenantId: 'aa11', tenantType: 'ORGANISATION', tenantName: 'Demo Company (NZ)', createdDateUtc: '2024-05-01T21:00:00.1234567', updatedDateUtc: '2024-05-01T21:00:00.1234567' },
 *   { id: 'c-2', authEventId: 'e-1', tenantId: 'bb22', tenantType: 'ORGANISATION', tenantName: 'Acme Ltd', createdDateUtc: '2024-05-01T21:00:00.2000000', updatedDateUtc: '2024-05-01T21:00:00.2000000' },
 *   { id: 'c-3', authEventId: 'e-2', tenantId: 'cc33', tenantType: 'PRACTICE', tenantName: 'Hopkins Accounting', createdDateUtc: '2024-06-10T02:30:00', updatedDateUtc: '2024-06-10T02:30:00' },
 * ];
 * const trace = importConnections([{ file: 'ana.json', user: 'ana', connections }], { app: 'my-app' });
 * for (const line of trace.text.split('\n').slice(2, 4)) console.log(line);
 * // → {"type":"tenant","tenant":"Demo Company (NZ)","kind":"demo","note":"tenantId aa11 (ORGANISATION, a demo company by its name)"}
 * // → {"type":"tenant","tenant":"Acme Ltd","kind":"organisation","note":"tenantId bb22 (ORGANISATION)"}
 * console.log(trace.text.split('\n')[5]);
 * // → {"type":"connect","app":"my-app","tenants":["Demo Company (NZ)","Acme Ltd"],"user":"ana","at":"2024-05-01T21:00:00.200Z","observed":{"Demo Company (NZ)":"connected","Acme Ltd":"connected"},"note":"authEventId e-1"}
 * const [app] = (await status(trace.lines)).apps;
 * console.log(app?.held, app?.cap, app?.users); // → 2 25 [ 'ana' ]
 * ```
 */
export function importConnections(dumps: readonly ConnectionsDump[], options: ImportOptions): ImportResult {
  const appProblem = nameProblem(options.app);
  if (options.app === '' || appProblem !== null) throw new InputError(appProblem ?? 'expected a non-empty name', { field: 'app' });
  const demo = options.demo === undefined ? DEMO_COMPANY : typeof options.demo === 'string' ? new RegExp(options.demo, 'i') : options.demo;
  // A RegExp with `g` or `y` remembers where it stopped; `test` must not.
  const pattern = new RegExp(demo.source, demo.flags.replace(/[gy]/g, ''));
  const rows: Row[] = [];
  const seen = new Map<string, Row>();
  for (const dump of dumps) {
    const user = dump.user;
    if (user !== undefined && (user === '' || nameProblem(user) !== null))
      fail(dump.file, 'user', nameProblem(user) ?? 'expected a non-empty name');
    for (const row of rowsOf(dump, options, pattern)) {
      const key = `${row.user}\u0000${row.tenantId}`;
      const first = seen.get(key);
      if (first !== undefined)
        fail(
          row.file,
          `[${row.index}].tenantId`,
          `lists tenant ${quote(row.tenantId)} a second time for user ${quote(row.user)} (first at ${first.file} [${first.index}])`,
          'one connection per user, app and tenant',
        );
      seen.set(key, row);
      rows.push(row);
    }
  }
  // One consent per user and authEventId (a connection without one is a consent of its own).
  const consents = new Map<string, Row[]>();
  rows.forEach((row, i) => {
    const key = row.authEventId === null ? `\u0001${i}` : `${row.user}\u0000${row.authEventId}`;
    const group = consents.get(key);
    if (group === undefined) consents.set(key, [row]);
    else group.push(row);
  });
  const ordered = [...consents.values()].map((group) => {
    const tenants = [...group].sort(byTime);
    return { tenants, last: tenants[tenants.length - 1] as Row };
  });
  ordered.sort((a, b) => byTime(a.last, b.last));
  const tenantRows = new Map<string, Row>();
  for (const consent of ordered) for (const row of consent.tenants) if (!tenantRows.has(row.tenantId)) tenantRows.set(row.tenantId, row);
  const names = tenantNames([...tenantRows.values()]);
  const nameOf = (row: Row) => names.get(row.tenantId) as string;
  const events: TraceEvent[] = [
    {
      type: 'app',
      app: options.app,
      note: 'declared by xcm import as an uncertified OAuth 2.0 app (the connections do not say): add "certified": true, a "tier" or "custom": true if it is one',
    },
  ];
  for (const row of tenantRows.values()) {
    const demoNote = row.kind === 'demo' ? ', a demo company by its name' : '';
    events.push({ type: 'tenant', tenant: nameOf(row), kind: row.kind, note: `tenantId ${row.tenantId} (${row.tenantType}${demoNote})` });
  }
  for (const { tenants, last } of ordered) {
    const list = tenants.map(nameOf);
    const event: ConnectEvent = {
      type: 'connect',
      app: options.app,
      tenants: list,
      at: isoInstant(last.ms),
      observed: list.length === 1 ? 'connected' : Object.fromEntries(list.map((t) => [t, 'connected' as const])),
      note: last.authEventId === null ? 'no authEventId: a consent of its own' : `authEventId ${last.authEventId}`,
    };
    if (last.user !== IMPLICIT_USER) event.user = last.user;
    events.push(event);
  }
  const users = new Set(rows.map((r) => r.user)).size;
  const header = {
    type: 'scenario',
    title: `${options.app}'s connections, imported from ${listOfFiles(dumps)}`,
    story: `Made by xcm import from GET /connections responses: ${plural(rows.length, 'connection')} of ${plural(users, 'user')} to ${plural(tenantRows.size, 'tenant')} in ${plural(ordered.length, 'consent')}. One connect per authEventId, at the latest createdDateUtc of its connections (UTC), each observed connected (the response shows the connection); tenants named by tenantName, demo companies by the name pattern ${String(pattern)}.`,
    source: `GET /connections (XeroAPI/Xero-OpenAPI xero-identity.yaml): ${listOfFiles(dumps)}`,
  };
  const lines = events.map((event, i) => ({ line: i + 2, event }));
  const text = `${[JSON.stringify(header), ...events.map((e) => traceLine(e))].join('\n')}\n`;
  return { text, lines, connections: rows.length, tenants: tenantRows.size, consents: ordered.length };
}
