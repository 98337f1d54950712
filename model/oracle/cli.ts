/**
 * The oracle's commands: `xcm check`, `xcm run`, `xcm policies`. Output only; the work is in
 * `oracle.ts`.
 * @module
 */
import { once } from 'node:events';
import { InputError } from '../errors.ts';
import { checkFile, run, type CheckResult, type RunRecord } from './oracle.ts';
import { BUILTIN_POLICIES } from '../platform/policies.ts';
import { ERAS } from '../platform/timeline.ts';
import { readLines, readTrace, scenarioHeader, type ScenarioHeader } from '../io/trace.ts';
import { observedText } from '../io/trace-line.ts';
import { overridesNote } from '../io/load-policy.ts';
import { count } from './wording.ts';

/** Options of `check` and `run` as the CLI gives them. */
interface TraceCommandOptions {
  policy?: string | undefined;
  set?: string[] | undefined;
  json?: boolean | undefined;
  engine?: 'compiled' | 'machine';
  follow?: 'observed' | 'model';
}

function requireTrace(positionals: string[], usage: string): string {
  const [file, ...extra] = positionals;
  if (file === undefined) throw new InputError('missing the trace file', { file: 'xcm' }, `usage: ${usage}`);
  if (extra.length > 0) throw new InputError(`unexpected argument ${JSON.stringify(extra[0])}`, { file: 'xcm' }, `usage: ${usage}`);
  return file;
}

/** The policy and overrides to replay under, and what of them a scenario header pinned. */
interface Replay {
  policy: string | undefined;
  set: string[];
  /** What the header pinned and the command line did not override, in words (null: nothing). */
  pinned: string | null;
}

/** The header of a scenario file, read from its first non-blank line (null: not a scenario). */
async function headerOf(file: string): Promise<ScenarioHeader | null> {
  for await (const { text, line } of readLines(file)) if (text.trim() !== '') return scenarioHeader(text, file, line);
  return null;
}

/**
 * The policy and `set` of a check or run: the command line's, else a scenario header's (a
 * scenario pins the policy its observations were made under); `--policy` and `--set` each
 * override their own part.
 */
async function replayOf(file: string, options: TraceCommandOptions): Promise<Replay> {
  const header = await headerOf(file);
  const policy = options.policy ?? header?.policy;
  const set = options.set ?? header?.set ?? [];
  const parts: string[] = [];
  if (options.policy === undefined && header?.policy !== undefined) parts.push(`policy ${header.policy}`);
  if (options.set === undefined && header?.set !== undefined && header.set.length > 0) parts.push(`set ${header.set.join(' ')}`);
  return { policy, set, pinned: parts.length === 0 ? null : `${parts.join(' and ')} from the scenario header` };
}

/** Print a check result as text. */
function formatCheck(file: string, result: CheckResult, pinned: string | null): string {
  const lines = pinned === null ? [] : [`${file}: checked under ${pinned}`];
  for (const d of result.divergences) {
    const followed = d.followed === 0 ? '' : `\n  judged after following ${count(d.followed, 'earlier divergent observation')}`;
    lines.push(`${file}:${d.line}: expected ${d.expected}, observed ${d.observed} [${d.rule}]\n  ${d.explanation}${followed}`);
  }
  const outcomes = result.divergences.length;
  const diverging = new Set(result.divergences.map((d) => d.line)).size;
  lines.push(
    outcomes === 0
      ? `ok: ${count(result.events, 'event agrees', 'events agree')} with the model under ${result.policy}`
      : `${count(diverging, 'line diverges', 'lines diverge')}${outcomes === diverging ? '' : ` (${count(outcomes, 'outcome')})`} in ${count(result.events, 'event')} under ${result.policy}`,
  );
  return lines.join('\n');
}

/** `xcm check TRACE`: exit 0 when every observation agrees, 1 on a divergence. */
export async function checkCommand(positionals: string[], options: TraceCommandOptions): Promise<number> {
  const file = requireTrace(positionals, 'xcm check TRACE [--policy ID|FILE] [--set K=V] [--follow observed|model] [--json]');
  const replay = await replayOf(file, options);
  const result = await checkFile(file, {
    policy: replay.policy,
    set: replay.set,
    engine: options.engine ?? 'compiled',
    follow: options.follow ?? 'observed',
  });
  const json = replay.pinned === null ? result : { ...result, pinned: replay.pinned };
  const note = overridesNote(replay.policy, replay.set);
  if (options.json !== true && note !== null) process.stdout.write(`${note}\n`);
  process.stdout.write(options.json === true ? `${JSON.stringify(json)}\n` : `${formatCheck(file, result, replay.pinned)}\n`);
  return result.ok ? 0 : 1;
}

function eventText(event: Record<string, unknown>): string {
  const { type, observed: _o, at, ...rest } = event;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
  return `${String(type)} ${fields}${at === undefined ? '' : ` @${String(at)}`}`;
}

/** One record of `xcm run` as text: the event, then the outcome and reason (for a consent of several tenants, a line per tenant). */
function runText(record: RunRecord): string {
  const mark = record.diverges ? '  <-- observed differs' : '';
  const head = `${String(record.line).padStart(4)}  ${eventText(record.event as unknown as Record<string, unknown>)}\n`;
  const outcome = record.outcome;
  if (typeof outcome === 'string') return `${head}      -> ${outcome} (${record.policy})${mark}\n      ${record.reason}\n`;
  const tenants = Object.entries(outcome).map(([t, o], i) => `      ${t} -> ${o}: ${record.reasons[i] ?? ''}\n`);
  return `${head}      -> ${observedText(outcome)} (${record.policy})${mark}\n${tenants.join('')}`;
}

/** Write to standard output, waiting for the reader when its buffer is full. */
async function writeOut(text: string): Promise<void> {
  if (text !== '' && !process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** `xcm run TRACE`: every event with the model's outcome and reason, then a summary line. */
export async function runCommand(positionals: string[], options: TraceCommandOptions): Promise<number> {
  const file = requireTrace(positionals, 'xcm run TRACE [--policy ID|FILE] [--set K=V] [--follow observed|model] [--json]');
  const replay = await replayOf(file, options);
  let events = 0;
  let outcomes = 0;
  let divergences = 0;
  if (options.json !== true && replay.pinned !== null) process.stdout.write(`${file}: run under ${replay.pinned}\n`);
  const note = overridesNote(replay.policy, replay.set);
  if (options.json !== true && note !== null) process.stdout.write(`${note}\n`);
  const records = run(readTrace(file), {
    policy: replay.policy,
    set: replay.set,
    engine: options.engine ?? 'compiled',
    follow: options.follow ?? 'observed',
  });
  // Output goes out in batches, and waits while the reader is behind, so memory stays bounded
  // by the world however long the trace (a pipe into a slow reader would otherwise buffer it all).
  let batch = '';
  for await (const record of records) {
    events++;
    outcomes += record.reasons.length;
    divergences += record.divergences;
    batch +=
      options.json === true
        ? `${JSON.stringify({ ...record.event, line: record.line, policy: record.policy, outcome: record.outcome, reason: record.reason })}\n`
        : runText(record);
    if (batch.length >= 1 << 16) {
      await writeOut(batch);
      batch = '';
    }
  }
  await writeOut(batch);
  if (options.json !== true) {
    process.stdout.write(`${count(events, 'event')}, ${count(outcomes, 'outcome')}, ${count(divergences, 'divergence')}\n`);
  }
  return divergences > 0 ? 1 : 0;
}

/** `xcm policies`: the built-in policies with their dates, caps and sources. */
export function policiesCommand(json: boolean): number {
  if (json) {
    process.stdout.write(`${JSON.stringify({ policies: BUILTIN_POLICIES, timeline: ERAS }, null, 2)}\n`);
    return 0;
  }
  const cap = (n: number | null) => (n === null ? 'unlimited' : String(n));
  for (const p of BUILTIN_POLICIES) {
    const caps = p.tiered
      ? `tiers: starter ${p.starterCap}, core ${p.coreCap}, plus ${p.plusCap}, advanced ${p.advancedCap}, enterprise ${cap(p.enterpriseCap)}`
      : `uncertified app ${p.appCap} tenants, certified ${cap(p.certifiedCap)}`;
    process.stdout.write(
      `${p.id}\n  ${p.title}\n  in force: ${p.inForce}\n  ${caps}; ${p.orgCap} uncertified apps per organisation; org check: ${p.orgLimitReading}\n`,
    );
    for (const s of p.sources) process.stdout.write(`  source: ${s}\n`);
  }
  process.stdout.write('\ntimeline xero (the default --policy):\n');
  for (const era of ERAS) process.stdout.write(`  ${era.from ?? 'start'} .. ${era.until ?? 'now'}: ${era.policyId} (${era.note})\n`);
  return 0;
}
