/**
 * The oracle's commands: `xcm check`, `xcm run`, `xcm policies`. Output only; the work is in
 * `oracle.ts`.
 * @module
 */
import { InputError } from '../errors.ts';
import { checkFile, run, type CheckResult } from './oracle.ts';
import { BUILTIN_POLICIES } from '../platform/policies.ts';
import { ERAS } from '../platform/timeline.ts';
import { readTrace } from '../io/trace.ts';
import { observedText } from '../io/trace-line.ts';

/** Options of `check` and `run` as the CLI gives them. */
interface TraceCommandOptions {
  policy?: string | undefined;
  set?: string[] | undefined;
  json?: boolean | undefined;
  engine?: 'compiled' | 'machine';
}

function requireTrace(positionals: string[], usage: string): string {
  const [file, ...extra] = positionals;
  if (file === undefined) throw new InputError('missing the trace file', { file: 'xcm' }, `usage: ${usage}`);
  if (extra.length > 0) throw new InputError(`unexpected argument ${JSON.stringify(extra[0])}`, { file: 'xcm' }, `usage: ${usage}`);
  return file;
}

/** Print a check result as text. */
function formatCheck(file: string, result: CheckResult): string {
  const lines = result.divergences.map(
    (d) => `${file}:${d.line}: expected ${d.expected}, observed ${d.observed} [${d.rule}]\n  ${d.explanation}`,
  );
  const n = result.divergences.length;
  lines.push(
    n === 0
      ? `ok: ${result.events} events agree with the model under ${result.policy}`
      : `${n} divergence${n === 1 ? '' : 's'} in ${result.events} events under ${result.policy}`,
  );
  return lines.join('\n');
}

/** `xcm check TRACE`: exit 0 when every observation agrees, 1 on a divergence. */
export async function checkCommand(positionals: string[], options: TraceCommandOptions): Promise<number> {
  const file = requireTrace(positionals, 'xcm check TRACE [--policy ID|FILE] [--set K=V] [--json]');
  const result = await checkFile(file, { policy: options.policy, set: options.set ?? [], engine: options.engine ?? 'compiled' });
  process.stdout.write(options.json === true ? `${JSON.stringify(result)}\n` : `${formatCheck(file, result)}\n`);
  return result.ok ? 0 : 1;
}

function eventText(event: Record<string, unknown>): string {
  const { type, observed: _o, at, ...rest } = event;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
  return `${String(type)} ${fields}${at === undefined ? '' : ` @${String(at)}`}`;
}

/** `xcm run TRACE`: every event with the model's outcome and reason. */
export async function runCommand(positionals: string[], options: TraceCommandOptions): Promise<number> {
  const file = requireTrace(positionals, 'xcm run TRACE [--policy ID|FILE] [--set K=V] [--json]');
  let diverged = false;
  for await (const record of run(readTrace(file), { policy: options.policy, set: options.set ?? [] })) {
    diverged ||= record.diverges;
    if (options.json === true) {
      process.stdout.write(
        `${JSON.stringify({ ...record.event, line: record.line, policy: record.policy, outcome: record.outcome, reason: record.reason })}\n`,
      );
    } else {
      const mark = record.diverges ? '  <-- observed differs' : '';
      process.stdout.write(
        `${String(record.line).padStart(4)}  ${eventText(record.event as unknown as Record<string, unknown>)}\n      -> ${observedText(record.outcome)} (${record.policy})${mark}\n      ${record.reason}\n`,
      );
    }
  }
  return diverged ? 1 : 0;
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
      ? `tiers: starter ${p.appCap}, core ${p.coreCap}, plus ${p.plusCap}, advanced ${p.advancedCap}, enterprise ${cap(p.enterpriseCap)}`
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
