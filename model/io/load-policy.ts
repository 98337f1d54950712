/**
 * Choosing a policy from the command line: a built-in id, the timeline `xero`, or a JSON file,
 * with `--set key=value` overrides. Every mistake is an `InputError` naming the file or option.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { InputError, quote, type InputLocation } from '../errors.ts';
import { isCalendarInstant } from './instant.ts';
import { duplicateTopLevelKey, firstInvalidUtf8 } from './json-text.ts';
import { BUILTIN_POLICIES, builtinPolicy } from '../platform/policies.ts';
import { inertKeys, PARAMETERS, parameterDoc, policyLabel, type ParameterDoc, type Policy } from '../platform/policy.ts';
import { ERAS, TIMELINE_ID, timelineChooser, type PolicyChooser } from '../platform/timeline.ts';

/** A resolved `--policy` option. */
export interface PolicyChoice {
  /** The id printed in reports: a built-in id, a file's policy id, or `xero`. */
  label: string;
  /** The policy for an event. */
  choose: PolicyChooser;
  /** The fixed policy, when not the timeline. */
  fixed: Policy | null;
}

/** The largest cap a policy takes: beyond it a number is no longer the one written. */
const MAX_CAP = Number.MAX_SAFE_INTEGER;
/** A policy file is a few hundred bytes; past this it is something else (or `/dev/zero`). */
const POLICY_FILE_LIMIT = 1024 * 1024;
/** The keys of a policy file that are not parameters. */
const FILE_KEYS = ['id', 'extends', 'title', 'sources', 'from'] as const;
/** The longest `id` a policy file may give: it is printed in every report and reason. */
const ID_LIMIT = 100;
/** The longest `title`, and the longest of its `sources`. */
const TEXT_LIMIT = 500;
const EXAMPLE = 'a policy file is a JSON object such as {"id": "proposal", "extends": "xero-oauth2-2019", "appCap": 10}';

function knownIds(): string {
  return [TIMELINE_ID, ...BUILTIN_POLICIES.map((p) => p.id)].join(', ');
}

function parameterKeys(): string {
  return PARAMETERS.map((p) => p.key).join(', ');
}

/** Edit distance between two short strings (Levenshtein), for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] as number;
}

/** The known name nearest to a mistyped one, if one is near: same letters in another case, or a typo or two away. */
function nearestName(name: string, known: readonly string[]): string | undefined {
  if (name.length > 64) return undefined;
  const folded = name.trim().toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === folded);
  if (exact !== undefined) return exact;
  const extended = folded.length >= 4 ? known.find((k) => k.toLowerCase().startsWith(folded)) : undefined;
  if (extended !== undefined) return extended;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(folded.length / 3)) + 1;
  for (const k of known) {
    const d = distance(folded, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function didYouMean(name: string, known: readonly string[]): string {
  const near = nearestName(name, known);
  return near === undefined ? '' : `did you mean ${near}? `;
}

/** Why a command that takes one policy cannot take the timeline, and what to give instead. */
function timelineRefused(what: string, where: { file: string; field?: string }): InputError {
  return new InputError(
    `${what} is the timeline (a policy per era), and this command takes one policy`,
    where,
    `pick one of its policies: ${BUILTIN_POLICIES.map((p) => p.id).join(', ')}, or a file extending one`,
  );
}

/** A policy file that extends the timeline: its changes, in force from `from` (null: on every era). */
interface TimelineChange {
  id: string;
  file: string;
  /** Epoch milliseconds from which the changes apply; null: on every era. */
  fromMs: number | null;
  from: string | null;
  /** Each change: the key, the parsed value, the value as written. */
  changes: ReadonlyArray<readonly [string, unknown, string]>;
}

/** The first bytes of a file, up to `limit`, read in a loop (a device or a pipe has no size to trust). */
function readBounded(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < limit) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, limit - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** Whether a character code breaks a line or a terminal: C0 controls, DEL, the line and paragraph separators. */
function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029;
}

/** A JSON.parse message on one short line: it may quote the file, newlines and all. */
function oneLine(message: string): string {
  let flat = '';
  for (const c of message.slice(0, 150)) flat += isControl(c.charCodeAt(0)) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
  return message.length <= 150 ? flat : `${flat}...`;
}

/** The text of a policy file: UTF-8, at most `POLICY_FILE_LIMIT` bytes, a leading byte-order mark dropped. */
function readPolicyText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readBounded(file, POLICY_FILE_LIMIT + 1);
  } catch (error) {
    throw new InputError(`cannot read the policy (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file });
  }
  if (bytes.length > POLICY_FILE_LIMIT) throw new InputError('larger than 1 MiB: not a policy file', { file }, EXAMPLE);
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    throw new InputError(`not UTF-8: byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}`, { file });
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function readPolicyJson(file: string): Record<string, unknown> {
  const text = readPolicyText(file);
  if (text.trim() === '') throw new InputError('empty', { file }, EXAMPLE);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not JSON: ${oneLine((error as Error).message)}`, { file });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError(`expected a JSON object, got ${quote(raw)}`, { file }, EXAMPLE);
  const twice = duplicateTopLevelKey(text);
  if (twice !== null)
    throw new InputError(
      `given twice (the second on line ${twice.line})`,
      { file, field: twice.key },
      'JSON would keep only the last: give each key once',
    );
  return raw as Record<string, unknown>;
}

/** Whether a text fits on one line of a message: no control characters, at most `limit` long. */
function isOneLine(value: unknown, limit: number): value is string {
  if (typeof value !== 'string' || value === '' || value.length > limit) return false;
  for (let i = 0; i < value.length; i++) if (isControl(value.charCodeAt(i))) return false;
  return true;
}

function checkedId(file: string, id: unknown): string {
  if (id === undefined || id === '') throw new InputError('missing or empty', { file, field: 'id' }, 'a policy file names its policy');
  if (!isOneLine(id, ID_LIMIT))
    throw new InputError(`expected a name on one line, at most ${ID_LIMIT} characters, got ${quote(id)}`, { file, field: 'id' });
  if (id === TIMELINE_ID || builtinPolicy(id) !== undefined)
    throw new InputError(
      `${quote(id)} is the id of ${id === TIMELINE_ID ? 'the timeline' : 'a built-in policy'}`,
      { file, field: 'id' },
      `a file names a policy of its own; to start from this one, give "extends": ${JSON.stringify(id)}`,
    );
  return id;
}

/** A policy file, every key checked: what it extends, its id and texts, and the parameters it changes. */
interface PolicyFile {
  id: string;
  /** A built-in id or the timeline. */
  base: string;
  title: string | undefined;
  sources: string[];
  from: { text: string; ms: number } | undefined;
  /** Each parameter the file sets: the key, the parsed value, the value as written. */
  changes: Array<[string, unknown, string]>;
}

function checkedExtends(file: string, base: unknown): string {
  const where = { file, field: 'extends' };
  if (base === undefined) return 'xero-oauth2-2019';
  if (typeof base === 'string' && (base === TIMELINE_ID || builtinPolicy(base) !== undefined)) return base;
  if (typeof base !== 'string')
    throw new InputError(`expected a built-in policy id, got ${quote(base)}`, where, `built-in ids: ${knownIds()}`);
  if (base.endsWith('.json') || existsSync(base))
    throw new InputError(
      `${quote(base)} is a file: a policy file extends a built-in policy or the timeline, not another file`,
      where,
      `built-in ids: ${knownIds()}`,
    );
  throw new InputError(
    `unknown policy ${quote(base)}`,
    where,
    `${didYouMean(base, [TIMELINE_ID, ...BUILTIN_POLICIES.map((p) => p.id)])}built-in ids: ${knownIds()}`,
  );
}

function checkedFrom(file: string, from: unknown): { text: string; ms: number } {
  const where = { file, field: 'from' };
  const example = 'e.g. "2025-07-01T00:00:00+12:00"';
  if (typeof from !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[zZ]|[+-]\d\d:\d\d)$/.test(from))
    throw new InputError(`expected an ISO 8601 instant with offset, got ${quote(from)}`, where, example);
  const ms = Date.parse(from);
  if (!isCalendarInstant(from) || Number.isNaN(ms))
    throw new InputError(`${quote(from)} names no calendar instant (no February 30, no hour 24, offsets within 23:59)`, where, example);
  return { text: from, ms };
}

function checkedFile(file: string, record: Record<string, unknown>): PolicyFile {
  const changes: Array<[string, unknown, string]> = [];
  let title: string | undefined;
  let sources: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === 'title') {
      if (!isOneLine(value, TEXT_LIMIT))
        throw new InputError(`expected a text on one line, at most ${TEXT_LIMIT} characters, got ${quote(value)}`, { file, field: key });
      title = value;
    } else if (key === 'sources') {
      if (!Array.isArray(value) || value.length > 100)
        throw new InputError(`expected an array of at most 100 texts, got ${quote(value)}`, { file, field: key });
      value.forEach((source, i) => {
        if (!isOneLine(source, TEXT_LIMIT))
          throw new InputError(`expected a text on one line, at most ${TEXT_LIMIT} characters, got ${quote(source)}`, {
            file,
            field: `sources[${i}]`,
          });
      });
      sources = value as string[];
    } else if (!(FILE_KEYS as readonly string[]).includes(key)) {
      const doc = parameterDoc(key);
      if (doc === undefined)
        throw new InputError(
          'unknown parameter',
          { file, field: key },
          `${didYouMean(key, [...FILE_KEYS, ...PARAMETERS.map((p) => p.key)])}a policy file takes ${FILE_KEYS.join(', ')} and the parameters ${parameterKeys()}`,
        );
      const parsed = parseValue(doc, value, (problem, hint) => {
        throw new InputError(problem, { file, field: key }, hint);
      });
      changes.push([key, parsed, parsed === null ? 'unlimited' : String(parsed)]);
    }
  }
  const id = checkedId(file, record.id);
  const base = checkedExtends(file, record.extends);
  let from: PolicyFile['from'];
  if (record.from !== undefined) {
    if (base !== TIMELINE_ID)
      throw new InputError('a dated change extends the timeline', { file, field: 'from' }, `give "extends": "${TIMELINE_ID}" with "from"`);
    from = checkedFrom(file, record.from);
  }
  return { id, base, title, sources, from, changes };
}

/** A policy file: a policy of its own, or a change to the timeline (it extends `xero`). */
type Loaded = { policy: Policy; change?: undefined } | { policy?: undefined; change: TimelineChange };

function readPolicyFile(file: string): Loaded {
  const spec = checkedFile(file, readPolicyJson(file));
  if (spec.base === TIMELINE_ID)
    return { change: { id: spec.id, file, from: spec.from?.text ?? null, fromMs: spec.from?.ms ?? null, changes: spec.changes } };
  let policy: Policy = {
    ...(builtinPolicy(spec.base) as Policy),
    id: spec.id,
    title: spec.title ?? `${spec.id} (from ${file})`,
    inForce: 'a proposed policy',
    sources: [file, ...spec.sources],
  };
  for (const [key, value] of spec.changes) policy = { ...policy, [key]: value };
  return { policy };
}

/** One era's policy with a timeline change applied, the change recorded among its overrides. */
function withTimelineChange(policy: Policy, change: TimelineChange): Policy {
  let changed: Policy = policy;
  for (const [key, value] of change.changes) changed = { ...changed, [key]: value };
  const since = change.from === null ? '' : ` from ${change.from}`;
  const written = change.changes.map(([key, , text]) => `${key}=${text}`).join(', ');
  return { ...changed, overrides: [...(policy.overrides ?? []), `${written} (${change.id}${since})`] };
}

/** What a parameter takes, in words, for messages. */
function expected(doc: ParameterDoc): string {
  switch (doc.kind) {
    case 'count':
      return `a whole number from 0 to ${MAX_CAP}`;
    case 'count-or-unlimited':
      return `a whole number from 0 to ${MAX_CAP}, or "unlimited"`;
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${doc.values?.join(', ')}`;
  }
}

/** A JSON value as a message shows it (`quote` writes a number too large to hold as null). */
function shown(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? 'a number too large to hold' : quote(value);
}

const isCap = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_CAP;

/** A parameter's value from a policy file (JSON), checked against the parameter's range. */
function parseValue(doc: ParameterDoc, value: unknown, fail: (problem: string, hint?: string) => never): unknown {
  switch (doc.kind) {
    case 'count':
      if (isCap(value)) return value;
      return fail(`expected ${expected(doc)}, got ${shown(value)}`);
    case 'count-or-unlimited':
      if (value === null || value === 'unlimited') return null;
      if (isCap(value)) return value;
      return fail(`expected ${expected(doc)}, got ${shown(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return fail(`expected true or false, got ${shown(value)}`);
    case 'enum':
      if (typeof value === 'string' && doc.values?.includes(value)) return value;
      return fail(`unknown value ${shown(value)}`, `expected ${expected(doc)}`);
  }
}

/** A parameter's value from the text of a `--set` (written as on a command line: `3`, `unlimited`, `true`). */
function parseText(doc: ParameterDoc, text: string, fail: (problem: string, hint?: string) => never): unknown {
  if ((doc.kind === 'count' || doc.kind === 'count-or-unlimited') && /^(?:0|[1-9][0-9]*)$/.test(text) && Number(text) <= MAX_CAP)
    return Number(text);
  if (doc.kind === 'count-or-unlimited' && (text === 'unlimited' || text === 'null')) return null;
  if (doc.kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  if (doc.kind === 'enum') {
    if (doc.values?.includes(text)) return text;
    return fail(`unknown value ${quote(text)}`, `expected ${expected(doc)}`);
  }
  return fail(`expected ${expected(doc)}, got ${quote(text)}`);
}

/**
 * One `key=value`, checked: its key and parsed value. A mistake names `--set` and the key, or,
 * for an assignment from a scenario header (`origin`), the header's file, line and field.
 */
function parseAssignment(assignment: string, origin?: InputLocation): { key: string; value: unknown; text: string } {
  const fail = (key: string | undefined, problem: string, hint?: string): never => {
    if (origin !== undefined) throw new InputError(key === undefined ? problem : `${quote(key)}: ${problem}`, origin, hint);
    throw new InputError(problem, key === undefined ? { file: '--set' } : { file: '--set', field: key }, hint);
  };
  const eq = assignment.indexOf('=');
  if (eq <= 0) return fail(undefined, `expected key=value, got ${quote(assignment)}`, 'e.g. --set appCap=3');
  const key = assignment.slice(0, eq);
  const doc = parameterDoc(key);
  if (doc === undefined)
    return fail(
      key,
      'unknown parameter',
      `${didYouMean(
        key,
        PARAMETERS.map((p) => p.key),
      )}parameters: ${parameterKeys()}`,
    );
  const text = assignment.slice(eq + 1);
  return { key, value: parseText(doc, text, (problem, hint) => fail(key, problem, hint)), text };
}

/**
 * Check a list of `key=value` overrides before any is applied: each key a parameter, each value
 * in its range, no key given twice (which would leave the first a dead letter). `origin` names
 * where they came from when not the command line (a scenario header's `set`).
 */
export function checkSets(sets: readonly string[], origin?: InputLocation): void {
  const seen = new Map<string, string>();
  for (const assignment of sets) {
    const { key } = parseAssignment(assignment, origin);
    const before = seen.get(key);
    if (before !== undefined) {
      const problem = `given twice (${quote(before)}, then ${quote(assignment)})`;
      if (origin !== undefined) throw new InputError(problem, origin, 'give each key once');
      throw new InputError(problem, { file: '--set', field: key }, 'give each key once');
    }
    seen.set(key, assignment);
  }
}

/** Apply one `--set key=value` to a policy. */
export function applySet(policy: Policy, assignment: string): Policy {
  const { key, value, text } = parseAssignment(assignment);
  return { ...policy, [key]: value, overrides: [...(policy.overrides ?? []), `${key}=${text}`] };
}

/**
 * Load a policy from a JSON file: `{ "id", "extends"?, "title"?, "sources"?, ...parameters }`.
 * Bad input is an `InputError` naming the file and the field.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { loadPolicyFile } from 'xero-connection-model';
 * const file = join(tmpdir(), 'proposal.json');
 * writeFileSync(file, JSON.stringify({ id: 'proposal', extends: 'xero-tiers-2026', appCap: 10 }));
 * const proposal = loadPolicyFile(file);
 * console.log(proposal.appCap, proposal.tiered); // → 10 true
 * ```
 */
export function loadPolicyFile(file: string): Policy {
  const loaded = readPolicyFile(file);
  if (loaded.change !== undefined) throw timelineRefused(`${file} extends ${TIMELINE_ID}: it`, { file, field: 'extends' });
  return loaded.policy;
}

/** Whether a `--policy` that is no built-in id names a file. */
function isFileSpec(spec: string): boolean {
  return spec.endsWith('.json') || existsSync(spec);
}

function unknownPolicy(spec: string): InputError {
  const ids = [TIMELINE_ID, ...BUILTIN_POLICIES.map((p) => p.id)];
  return new InputError(
    `unknown policy ${quote(spec)}`,
    { file: '--policy' },
    `${didYouMean(spec, ids)}built-in ids: ${knownIds()}; or a JSON file`,
  );
}

/**
 * A policy by id or file, without the timeline, with `key=value` overrides applied in order.
 * @example
 * ```ts
 * import { resolvePolicy } from 'xero-connection-model';
 * const strict = resolvePolicy('xero-oauth2-2019', ['appCap=3', 'reconsentAtCap=false']);
 * console.log(strict.appCap, strict.reconsentAtCap); // → 3 false
 * ```
 */
export function resolvePolicy(spec: string, sets: readonly string[] = []): Policy {
  checkSets(sets);
  const builtin = builtinPolicy(spec);
  let policy: Policy;
  if (builtin !== undefined) policy = builtin;
  else if (isFileSpec(spec)) policy = loadPolicyFile(spec);
  else if (spec === TIMELINE_ID) throw timelineRefused(TIMELINE_ID, { file: 'xcm' });
  else throw unknownPolicy(spec);
  return sets.reduce(applySet, policy);
}

/** Resolve `--policy` (default: the timeline `xero`) and `--set`. */
export function choosePolicy(spec: string | undefined, sets: readonly string[] = []): PolicyChoice {
  // Check the overrides once, so a bad --set fails before any event is read.
  checkSets(sets);
  let change: TimelineChange | null = null;
  if (spec !== undefined && spec !== TIMELINE_ID) {
    const builtin = builtinPolicy(spec);
    if (builtin === undefined && !isFileSpec(spec)) throw unknownPolicy(spec);
    const loaded: Loaded = builtin !== undefined ? { policy: builtin } : readPolicyFile(spec);
    if (loaded.change === undefined) {
      const policy = sets.reduce(applySet, loaded.policy);
      return { label: policyLabel(policy), choose: () => policy, fixed: policy };
    }
    change = loaded.change;
  }
  const withSets = (p: Policy) => sets.reduce(applySet, p);
  const unchanged = timelineChooser(withSets);
  const head =
    change === null ? TIMELINE_ID : `${change.id} (${TIMELINE_ID}, changed${change.from === null ? '' : ` from ${change.from}`})`;
  const label = sets.length === 0 ? head : `${head} with ${sets.join(', ')}`;
  if (change === null) return { label, choose: unchanged, fixed: null };
  const timelineChange = change;
  const changed = timelineChooser((p) => withTimelineChange(withSets(p), timelineChange));
  const fromMs = change.fromMs;
  // An event with no time known is in the newest era, which the change covers.
  const choose: PolicyChooser = (atMs, app) =>
    fromMs !== null && atMs !== null && atMs < fromMs ? unchanged(atMs, app) : changed(atMs, app);
  return { label, choose, fixed: null };
}

/**
 * Which policies each `--set` override changes, and under which it changes nothing (a flat cap
 * under the tiers, a tier's key outside them), one line per override: on the timeline, for every
 * override; under one built-in policy, only for an override that changes nothing. Null when
 * there is nothing to say.
 */
export function overridesNote(spec: string | undefined, sets: readonly string[]): string | null {
  const fixed = spec === undefined || spec === TIMELINE_ID ? undefined : builtinPolicy(spec);
  if (spec !== undefined && spec !== TIMELINE_ID && fixed === undefined) return null;
  const policies = fixed !== undefined ? [fixed] : [...new Set(ERAS.map((era) => era.policyId))].flatMap((id) => builtinPolicy(id) ?? []);
  const keyOf = (assignment: string) => assignment.slice(0, assignment.indexOf('=')) as keyof Policy;
  const said = sets.filter((assignment) => fixed === undefined || inertKeys(fixed).includes(keyOf(assignment) as never));
  if (said.length === 0) return null;
  return said
    .map((assignment) => {
      const key = keyOf(assignment);
      const inert = policies.filter((p) => inertKeys(p).includes(key as never)).map((p) => p.id);
      const changed = policies.filter((p) => !inertKeys(p).includes(key as never)).map((p) => p.id);
      const nothing = inert.length === 0 ? '' : `; it changes nothing under ${inert.join(', ')}`;
      return `--set ${assignment} applies to ${changed.length === 0 ? 'no policy in force' : changed.join(', ')}${nothing}`;
    })
    .join('\n');
}
