/**
 * The oracle's commands: `xcm check`, `xcm run`, `xcm policies`. Output only; the work is in
 * `oracle.ts`.
 * @module
 */
import { once } from 'node:events';
import { InputError } from '../errors.ts';
import { createChecker, run, type CheckResult, type Divergence, type RunRecord } from './oracle.ts';
import { BUILTIN_POLICIES } from '../platform/policies.ts';
import { ERAS } from '../platform/timeline.ts';
import { readLines, readTrace, readTraceChunks, scenarioHeader, type ScenarioHeader } from '../io/trace.ts';
import { observedText, traceLineObject } from '../io/trace-line.ts';
import { overridesNote } from '../io/load-policy.ts';
import { count } from './wording.ts';
import { createImpact } from './impact.ts';

/** Options of `check` and `run` as the CLI gives them. */
interface TraceCommandOptions {
  policy?: string | undefined;
  set?: string[] | undefined;
  json?: boolean | undefined;
  engine?: 'compiled' | 'machine';
  follow?: 'observed' | 'model';
  maxDivergences?: number | undefined;
}

export function requireTrace(positionals: string[], usage: string): string {
  const [file, ...extra] = positionals;
  if (file === undefined) throw new InputError('missing the trace file', { file: 'xcm' }, `usage: ${usage}`);
  if (extra.length > 0) throw new InputError(`unexpected argument ${JSON.stringify(extra[0])}`, { file: 'xcm' }, `usage: ${usage}`);
  return file;
}

/** The policy and overrides to replay under, and what of them a scenario header pinned. */
export interface Replay {
  policy: string | undefined;
  set: string[];
  /** What the header pinned and the command line did not override, in words (null: nothing). */
  pinned: string | null;
  /** The scenario header's line as the file has it (null: not a scenario file). */
  headerLine: string | null;
}

/** The header of a scenario file and its line, read from its first non-blank line (null: not a scenario). */
async function headerOf(file: string): Promise<{ header: ScenarioHeader; line: string } | null> {
  for await (const { text, line } of readLines(file)) {
    if (text.trim() === '') continue;
    const header = scenarioHeader(text, file, line);
    return header === null ? null : { header, line: text.trim() };
  }
  return null;
}

/**
 * The policy and `set` of a check or run: the command line's, else a scenario header's (a
 * scenario pins the policy its observations were made under); `--policy` and `--set` each
 * override their own part.
 */
export async function replayOf(file: string, options: Pick<TraceCommandOptions, 'policy' | 'set'>): Promise<Replay> {
  const found = await headerOf(file);
  const header = found?.header;
  const policy = options.policy ?? header?.policy;
  const set = options.set ?? header?.set ?? [];
  const parts: string[] = [];
  if (options.policy === undefined && header?.policy !== undefined) parts.push(`policy ${header.policy}`);
  if (options.set === undefined && header?.set !== undefined && header.set.length > 0) parts.push(`set ${header.set.join(' ')}`);
  return {
    policy,
    set,
    pinned: parts.length === 0 ? null : `${parts.join(' and ')} from the scenario header`,
    headerLine: found?.line ?? null,
  };
}

/** One divergence as text: where, what, the rule, and the counts behind the verdict. */
function divergenceText(file: string, d: Divergence): string {
  const followed = d.followed === 0 ? '' : `\n  judged after following ${count(d.followed, 'earlier divergent observation')}`;
  return `${file}:${d.line}: expected ${d.expected}, observed ${d.observed} [${d.rule}]\n  ${d.explanation}${followed}\n`;
}

/** The last line of a check as text. */
function summaryText(result: CheckResult): string {
  if (result.ok) return `ok: ${count(result.events, 'event agrees', 'events agree')} with the model under ${result.policy}`;
  const outcomes = result.outcomes === result.lines ? '' : ` (${count(result.outcomes, 'outcome')})`;
  const summary = `${count(result.lines, 'line diverges', 'lines diverge')}${outcomes} in ${count(result.events, 'event')} under ${result.policy}`;
  return result.stoppedAt === null ? summary : `${summary}; stopped at line ${result.stoppedAt} (--max-divergences), the rest not checked`;
}

/**
 * `xcm check TRACE`: exit 0 when every observation agrees, 1 on a divergence. Each divergence is
 * written as it is found (text, or with `--json` one element of the document's `divergences`),
 * so memory stays bounded by the world whatever the number of divergences.
 */
export async function checkCommand(positionals: string[], options: TraceCommandOptions): Promise<number> {
  const file = requireTrace(
    positionals,
    'xcm check TRACE [--policy ID|FILE] [--set K=V] [--follow observed|model] [--max-divergences N] [--json]',
  );
  const replay = await replayOf(file, options);
  const json = options.json === true;
  const out = new Output();
  const checker = createChecker({
    policy: replay.policy,
    set: replay.set,
    engine: options.engine ?? 'compiled',
    follow: options.follow ?? 'observed',
    ...(options.maxDivergences === undefined ? {} : { maxDivergences: options.maxDivergences }),
    onDivergence: (d) => {
      // Seen by a reader that closes the pipe early too: the exit status is already 1.
      process.exitCode = 1;
      if (json) out.element(d);
      else out.add(divergenceText(file, d));
    },
  });
  const note = overridesNote(replay.policy, replay.set);
  if (json) {
    const pinned = replay.pinned === null ? '' : `,"pinned":${JSON.stringify(replay.pinned)}`;
    out.add(`{"policy":${JSON.stringify(checker.policy)}${pinned},"divergences":[`);
  } else {
    if (note !== null) out.add(`${note}\n`);
    if (replay.pinned !== null) out.add(`${file}: checked under ${replay.pinned}\n`);
  }
  for await (const lines of readTraceChunks(file)) {
    for (const line of lines) {
      checker.take(line);
      if (checker.full) break;
    }
    await out.flush();
    if (checker.full) break;
  }
  const result = checker.result();
  if (json) {
    const { divergences: _sample, policy: _policy, ...counts } = result;
    out.add(`${out.endArray()},${JSON.stringify(counts).slice(1)}\n`);
  } else out.add(`${summaryText(result)}\n`);
  await out.flush(true);
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
export async function writeOut(text: string): Promise<void> {
  if (text !== '' && !process.stdout.write(text)) await once(process.stdout, 'drain');
}

/**
 * Standard output in batches: text is kept until a batch is full, then written, waiting while the
 * reader is behind, so memory stays bounded by the world however long the trace (a pipe into a
 * slow reader would otherwise buffer everything). Also writes the elements of a JSON array
 * streamed inside a document.
 */
class Output {
  private text: string;
  private elements = 0;

  constructor(first = '') {
    this.text = first;
  }

  add(text: string): void {
    this.text += text;
  }

  /** One element of the streamed array: each on its own line, commas between. */
  element(value: unknown): void {
    this.text += `${this.elements++ === 0 ? '\n' : ',\n'}${JSON.stringify(value)}`;
  }

  /** The end of the streamed array. */
  endArray(): string {
    return this.elements === 0 ? ']' : '\n]';
  }

  /** Write the batch if it is full (or `all`), waiting for the reader. */
  async flush(all = false): Promise<void> {
    if (!all && this.text.length < 1 << 16) return;
    const text = this.text;
    this.text = '';
    await writeOut(text);
  }
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
  // The annotated trace is a trace: a scenario's header stays its first line.
  const out = new Output(options.json === true && replay.headerLine !== null ? `${replay.headerLine}\n` : '');
  for await (const record of records) {
    events++;
    outcomes += record.reasons.length;
    divergences += record.divergences;
    // Seen by a reader that closes the pipe early too (`xcm run | head`): the exit status is 1.
    if (record.divergences > 0) process.exitCode = 1;
    out.add(
      options.json === true
        ? `${JSON.stringify({ ...traceLineObject(record.event), model: { line: record.line, policy: record.policy, outcome: record.outcome, reason: record.reason } })}\n`
        : runText(record),
    );
    await out.flush();
  }
  if (options.json !== true) out.add(`${count(events, 'event')}, ${count(outcomes, 'outcome')}, ${count(divergences, 'divergence')}\n`);
  await out.flush(true);
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

/**
 * `xcm impact TRACE --to POLICY [--from POLICY]`: every outcome a change of policy changes, as
 * found, then the changes per app and a summary line. Exit 0 when nothing changes, 1 when
 * something does.
 */
export async function impactCommand(
  positionals: string[],
  options: { from?: string | undefined; to?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const usage = 'xcm impact TRACE --to POLICY|FILE [--from POLICY|FILE] [--json]';
  const file = requireTrace(positionals, usage);
  if (options.to === undefined)
    throw new InputError('missing --to, the policy to change to', { file: 'xcm', field: '--to' }, `usage: ${usage}`);
  const json = options.json === true;
  const out = new Output();
  const run = createImpact({
    from: options.from,
    to: options.to,
    onChange: (c) => {
      process.exitCode = 1;
      if (json) out.element(c);
      else out.add(`${file}:${c.line}: ${c.app}${c.tenant === null ? '' : ` ${c.tenant}`}: ${c.from} -> ${c.to}\n`);
    },
  });
  const names = run.finish();
  out.add(
    json
      ? `{"from":${JSON.stringify(names.from)},"to":${JSON.stringify(names.to)},"lines":[`
      : `impact on ${file} of changing ${names.from} to ${names.to}\n`,
  );
  for await (const lines of readTraceChunks(file)) {
    for (const line of lines) run.take(line);
    await out.flush();
  }
  const result = run.finish();
  if (json) {
    out.add(`${out.endArray()},"events":${result.events},"changed":${result.changed},"byApp":${JSON.stringify(result.byApp)}}\n`);
  } else {
    for (const a of result.byApp) {
      const kinds = Object.entries(a.kinds)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ');
      out.add(`  ${a.app}: ${count(a.changed, 'outcome')} from line ${a.first} (${kinds})\n`);
    }
    out.add(
      result.changed === 0
        ? `no outcome changes in ${count(result.events, 'event')}\n`
        : `${count(result.changed, 'outcome changes', 'outcomes change')} in ${count(result.events, 'event')}, for ${count(result.byApp.length, 'app')}\n`,
    );
  }
  await out.flush(true);
  return result.changed === 0 ? 0 : 1;
}
