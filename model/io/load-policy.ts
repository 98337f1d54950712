/**
 * Choosing a policy from the command line: a built-in id, the timeline `xero`, or a JSON file,
 * with `--set key=value` overrides. Every mistake is an `InputError` naming the file or option.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { BUILTIN_POLICIES, builtinPolicy } from '../platform/policies.ts';
import { PARAMETERS, parameterDoc, type ParameterDoc, type Policy } from '../platform/policy.ts';
import { TIMELINE_ID, timelineChooser, type PolicyChooser } from '../platform/timeline.ts';

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

function parseValue(doc: ParameterDoc, value: unknown, fail: (problem: string, hint?: string) => never): unknown {
  switch (doc.kind) {
    case 'count':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
      return fail(`expected a whole number >= 0, got ${JSON.stringify(value)}`);
    case 'count-or-unlimited':
      if (value === null || value === 'unlimited') return null;
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
      return fail(`expected a whole number >= 0 or "unlimited", got ${JSON.stringify(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return fail(`expected true or false, got ${JSON.stringify(value)}`);
    case 'enum':
      if (typeof value === 'string' && doc.values?.includes(value)) return value;
      return fail(`unknown value ${JSON.stringify(value)}`, `expected one of ${doc.values?.join(', ')}`);
  }
}

/** Apply one `--set key=value` to a policy. */
export function applySet(policy: Policy, assignment: string): Policy {
  const eq = assignment.indexOf('=');
  const where = { file: '--set', field: eq < 0 ? assignment : assignment.slice(0, eq) };
  if (eq <= 0) throw new InputError(`expected key=value, got ${JSON.stringify(assignment)}`, where, 'e.g. --set appCap=3');
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
  return { ...policy, [key]: parsed };
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
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`cannot read the policy: ${(error as Error).message}`, { file });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('expected a JSON object', { file });
  const record = raw as Record<string, unknown>;
  const base = record.extends ?? 'xero-oauth2-2019';
  const parent = typeof base === 'string' ? builtinPolicy(base) : undefined;
  if (parent === undefined)
    throw new InputError(
      `unknown policy ${JSON.stringify(base)}`,
      { file, field: 'extends' },
      `built-in ids: ${BUILTIN_POLICIES.map((p) => p.id).join(', ')}`,
    );
  const id = record.id;
  if (typeof id !== 'string' || id === '')
    throw new InputError('missing or empty', { file, field: 'id' }, 'a policy file names its policy');
  let policy: Policy = {
    ...parent,
    id,
    title: typeof record.title === 'string' ? record.title : `${id} (from ${file})`,
    inForce: 'a proposed policy',
    sources: [file],
  };
  for (const [key, value] of Object.entries(record)) {
    if (['id', 'extends', 'title', 'sources'].includes(key)) continue;
    const doc = parameterDoc(key);
    if (doc === undefined)
      throw new InputError('unknown parameter', { file, field: key }, `parameters: ${PARAMETERS.map((p) => p.key).join(', ')}`);
    policy = {
      ...policy,
      [key]: parseValue(doc, value, (problem, hint) => {
        throw new InputError(problem, { file, field: key }, hint);
      }),
    };
  }
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
  else throw new InputError(`unknown policy ${JSON.stringify(spec)}`, { file: '--policy' }, `built-in ids: ${knownIds()}; or a JSON file`);
  return sets.reduce(applySet, policy);
}

/** Resolve `--policy` (default: the timeline `xero`) and `--set`. */
export function choosePolicy(spec: string | undefined, sets: readonly string[] = []): PolicyChoice {
  if (spec === undefined || spec === TIMELINE_ID) {
    // Validate the overrides once, so a bad --set fails before any event is read.
    const first = BUILTIN_POLICIES[0];
    if (first !== undefined) sets.reduce(applySet, first);
    return { label: TIMELINE_ID, choose: timelineChooser((p) => sets.reduce(applySet, p)), fixed: null };
  }
  const policy = resolvePolicy(spec, sets);
  return { label: policy.id, choose: () => policy, fixed: policy };
}
