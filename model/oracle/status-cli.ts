/**
 * `xcm status TRACE`: the platform's state after a trace as two tables (apps, tenants), or with
 * `--json` as one document. Output only; the work is in `status.ts`.
 * @module
 */
import { InputError } from '../errors.ts';
import { replayOf, requireTrace } from './cli.ts';
import { status, type StatusResult } from './status.ts';
import { instantProblem } from '../io/instant.ts';
import { overridesNote } from '../io/load-policy.ts';
import { readTrace } from '../io/trace.ts';

/** The usage line of `xcm status`. */
export const STATUS_USAGE = 'xcm status TRACE [--at TIME] [--policy ID|FILE] [--set K=V] [--follow observed|model] [--json]';

/** Options of `xcm status` as the CLI gives them. */
interface StatusCommandOptions {
  at?: string | undefined;
  policy?: string | undefined;
  set?: string[] | undefined;
  json?: boolean | undefined;
  follow?: 'observed' | 'model';
}

/** Rows as a table: a header, a rule of dashes, the cells padded to their column's width. */
function table(head: readonly string[], rows: readonly string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const names = (list: readonly string[]) => (list.length === 0 ? '-' : list.join(','));
const orDash = (n: number | null, dash = '-') => (n === null ? dash : String(n));

/** The first line of the text: what was replayed, the time, the policy. */
function headline(file: string, result: StatusResult, at: string | undefined): string {
  const policy = `under ${result.policy}`;
  if (at !== undefined) {
    const upTo = result.line === null ? 'no event at or before it' : `after line ${result.line}, the last event at or before it`;
    return `status of ${file} at ${at}: ${upTo}, ${policy}`;
  }
  const time = result.at === null ? 'no time known: the newest era' : `at ${result.at}`;
  if (result.line === null) return `status of ${file}: no events (${time}), ${policy}`;
  return `status of ${file} after line ${result.line} (${time}), ${policy}`;
}

/** A status as text: the headline, then the apps and the tenants as tables. */
export function statusText(file: string, result: StatusResult, at?: string): string {
  const apps =
    result.apps.length === 0
      ? 'apps: none'
      : table(
          ['app', 'certified', 'tier', 'custom', 'auth', 'held', 'cap', 'headroom', 'users'],
          result.apps.map((a) => [
            a.app,
            yesNo(a.certified),
            a.tier ?? '-',
            yesNo(a.custom),
            a.auth,
            String(a.held),
            orDash(a.cap, 'unlimited'),
            orDash(a.headroom),
            names(a.users),
          ]),
        );
  const under = result.appsUnder.map((u) => `note: ${u.app} is judged under ${u.policy} (its registration puts it on the tiers)`);
  const tenants =
    result.tenants.length === 0
      ? 'tenants: none'
      : table(
          ['tenant', 'kind', 'apps', 'slot apps', 'slots used', 'slots free'],
          result.tenants.map((t) => [t.tenant, t.kind, names(t.apps), names(t.slotApps), String(t.slotsUsed), orDash(t.slotsFree)]),
        );
  return [headline(file, result, at), '', apps, ...under, '', tenants, ''].join('\n');
}

/** A status as `--json` writes it: the contract's keys, an app or tenant per line. */
export function statusJson(result: StatusResult): string {
  const rows = (list: readonly object[]) => (list.length === 0 ? '[]' : `[\n${list.map((x) => JSON.stringify(x)).join(',\n')}\n]`);
  return `{"policy":${JSON.stringify(result.policy)},"at":${JSON.stringify(result.at)},"apps":${rows(result.apps)},"tenants":${rows(result.tenants)}}\n`;
}

/** `xcm status TRACE`: exit 0 with the state, 2 on bad input. */
export async function statusCommand(positionals: string[], options: StatusCommandOptions): Promise<number> {
  const file = requireTrace(positionals, STATUS_USAGE);
  if (options.at !== undefined) {
    const problem = instantProblem(options.at);
    if (problem !== null) throw new InputError(problem.problem, { file: 'xcm', field: '--at' }, problem.hint);
  }
  const replay = await replayOf(file, options);
  const result = await status(readTrace(file), {
    policy: replay.policy,
    set: replay.set,
    follow: options.follow ?? 'observed',
    at: options.at,
  });
  if (options.json === true) {
    process.stdout.write(statusJson(result));
    return 0;
  }
  const note = overridesNote(replay.policy, replay.set);
  const notes = [...(note === null ? [] : [note]), ...(replay.pinned === null ? [] : [`${file}: status under ${replay.pinned}`])];
  process.stdout.write(`${notes.map((n) => `${n}\n`).join('')}${statusText(file, result, options.at)}`);
  return 0;
}
