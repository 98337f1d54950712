/**
 * Choosing a policy from the command line: a built-in id, the timeline `xero`, or a JSON file,
 * with `--set key=value` overrides. Every mistake is an `InputError` naming the file or option.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError, quote } from '../errors.ts';
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

function knownIds(): string {
  return [TIMELINE_ID, ...BUILTIN_POLICIES.map((p) => p.id)].join(', ');
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

function readPolicyJson(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`cannot read the policy: ${(error as Error).message}`, { file });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('expected a JSON object', { file });
  return raw as Record<string, unknown>;
}

/** The parameters a policy file sets, each checked: `[key, value, the value as written]`. */
function fileChanges(file: string, record: Record<string, unknown>): Array<[string, unknown, string]> {
  const changes: Array<[string, unknown, string]> = [];
  for (const [key, value] of Object.entries(record)) {
    if (['id', 'extends', 'title', 'sources', 'from'].includes(key)) continue;
    const doc = parameterDoc(key);
    if (doc === undefined)
      throw new InputError('unknown parameter', { file, field: key }, `parameters: ${PARAMETERS.map((p) => p.key).join(', ')}`);
    const parsed = parseValue(doc, value, (problem, hint) => {
      throw new InputError(problem, { file, field: key }, hint);
    });
    changes.push([key, parsed, value === null ? 'unlimited' : String(value)]);
  }
  return changes;
}

function fileId(file: string, record: Record<string, unknown>): string {
  const id = record.id;
  if (typeof id !== 'string' || id === '')
    throw new InputError('missing or empty', { file, field: 'id' }, 'a policy file names its policy');
  return id;
}

/** The timeline change of a file whose `extends` is the timeline, or null for any other file. */
function timelineChangeOf(file: string): TimelineChange | null {
  const record = readPolicyJson(file);
  if (record.extends !== TIMELINE_ID) return null;
  const id = fileId(file, record);
  let from: string | null = null;
  let fromMs: number | null = null;
  if (record.from !== undefined) {
    const ms = typeof record.from === 'string' && /(?:[zZ]|[+-]\d\d:\d\d)$/.test(record.from) ? Date.parse(record.from) : Number.NaN;
    if (Number.isNaN(ms))
      throw new InputError('expected an ISO 8601 instant with offset', { file, field: 'from' }, 'e.g. "2025-07-01T00:00:00+12:00"');
    from = record.from as string;
    fromMs = ms;
  }
  return { id, file, from, fromMs, changes: fileChanges(file, record) };
}

/** One era's policy with a timeline change applied, the change recorded among its overrides. */
function withTimelineChange(policy: Policy, change: TimelineChange): Policy {
  let changed: Policy = policy;
  for (const [key, value] of change.changes) changed = { ...changed, [key]: value };
  const since = change.from === null ? '' : ` from ${change.from}`;
  const written = change.changes.map(([key, , text]) => `${key}=${text}`).join(', ');
  return { ...changed, overrides: [...(policy.overrides ?? []), `${written} (${change.id}${since})`] };
}

function parseValue(doc: ParameterDoc, value: unknown, fail: (problem: string, hint?: string) => never): unknown {
  switch (doc.kind) {
    case 'count':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
      return fail(`expected a whole number >= 0, got ${quote(value)}`);
    case 'count-or-unlimited':
      if (value === null || value === 'unlimited') return null;
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
      return fail(`expected a whole number >= 0 or "unlimited", got ${quote(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return fail(`expected true or false, got ${quote(value)}`);
    case 'enum':
      if (typeof value === 'string' && doc.values?.includes(value)) return value;
      return fail(`unknown value ${quote(value)}`, `expected one of ${doc.values?.join(', ')}`);
  }
}

/** Apply one `--set key=value` to a policy. */
export function applySet(policy: Policy, assignment: string): Policy {
  const eq = assignment.indexOf('=');
  const where = { file: '--set', field: eq < 0 ? assignment : assignment.slice(0, eq) };
  if (eq <= 0) throw new InputError(`expected key=value, got ${quote(assignment)}`, where, 'e.g. --set appCap=3');
  const key = assignment.slice(0, eq);
  const doc = parameterDoc(key);
  if (doc === undefined) throw new InputError('unknown parameter', where, `parameters: ${PARAMETERS.map((p) => p.key).join(', ')}`);
  const text = assignment.slice(eq + 1);
  let value: unknown = text;
  if (doc.kind !== 'enum' && text !== 'unlimited') {
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
  }
  const parsed = parseValue(doc, value, (problem, hint) => {
    throw new InputError(problem, where, hint);
  });
  return { ...policy, [key]: parsed, overrides: [...(policy.overrides ?? []), `${key}=${text}`] };
}

/**
 * Load a policy from a JSON file: `{ "id", "extends"?, "title"?, ...parameters }`. Bad input is
 * an `InputError` naming the file and the field.
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
  const record = readPolicyJson(file);
  if (record.extends === TIMELINE_ID) throw timelineRefused(`${file} extends ${TIMELINE_ID}: it`, { file, field: 'extends' });
  if (record.from !== undefined)
    throw new InputError('a dated change extends the timeline', { file, field: 'from' }, `give "extends": "${TIMELINE_ID}" with "from"`);
  const base = record.extends ?? 'xero-oauth2-2019';
  const parent = typeof base === 'string' ? builtinPolicy(base) : undefined;
  if (parent === undefined)
    throw new InputError(`unknown policy ${quote(base)}`, { file, field: 'extends' }, `built-in ids: ${knownIds()}`);
  const id = fileId(file, record);
  let policy: Policy = {
    ...parent,
    id,
    title: typeof record.title === 'string' ? record.title : `${id} (from ${file})`,
    inForce: 'a proposed policy',
    sources: [file],
  };
  for (const [key, value] of fileChanges(file, record)) policy = { ...policy, [key]: value };
  return policy;
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
  const builtin = builtinPolicy(spec);
  let policy: Policy;
  if (builtin !== undefined) policy = builtin;
  else if (spec.endsWith('.json') || existsSync(spec)) policy = loadPolicyFile(spec);
  else if (spec === TIMELINE_ID) throw timelineRefused(TIMELINE_ID, { file: 'xcm' });
  else throw new InputError(`unknown policy ${quote(spec)}`, { file: '--policy' }, `built-in ids: ${knownIds()}; or a JSON file`);
  return sets.reduce(applySet, policy);
}

/** Resolve `--policy` (default: the timeline `xero`) and `--set`. */
export function choosePolicy(spec: string | undefined, sets: readonly string[] = []): PolicyChoice {
  const change = spec !== undefined && builtinPolicy(spec) === undefined && existsSync(spec) ? timelineChangeOf(spec) : null;
  if (spec !== undefined && spec !== TIMELINE_ID && change === null) {
    const policy = resolvePolicy(spec, sets);
    return { label: policyLabel(policy), choose: () => policy, fixed: policy };
  }
  // Validate the overrides once, so a bad --set fails before any event is read.
  const first = BUILTIN_POLICIES[0];
  if (first !== undefined) sets.reduce(applySet, first);
  const withSets = (p: Policy) => sets.reduce(applySet, p);
  const unchanged = timelineChooser(withSets);
  const head =
    change === null ? TIMELINE_ID : `${change.id} (${TIMELINE_ID}, changed${change.from === null ? '' : ` from ${change.from}`})`;
  const label = sets.length === 0 ? head : `${head} with ${sets.join(', ')}`;
  if (change === null) return { label, choose: unchanged, fixed: null };
  const changed = timelineChooser((p) => withTimelineChange(withSets(p), change));
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
