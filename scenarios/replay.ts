/**
 * Replaying the scenarios: every `*.jsonl` under a folder is a trace with observed outcomes and a
 * scenario header (title, story, source, optional policy). A scenario passes when the model
 * agrees with every observation. `npm start` prints the table.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../model/errors.ts';
import { packagePath } from '../model/io/files.ts';
import { check, type CheckResult } from '../model/oracle/oracle.ts';
import { scenarioHeader, traceLines, type ScenarioHeader } from '../model/io/trace.ts';

/** The scenarios the package ships (this folder). */
export const SCENARIOS_DIR = packagePath('scenarios');

/** One replayed scenario. */
interface ScenarioResult {
  file: string;
  header: ScenarioHeader;
  observed: number;
  result: CheckResult;
}

/** Every scenario file under a folder, sorted. */
export function scenarioFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new InputError('cannot read the scenario folder', { file: dir });
  }
  return entries.sort().flatMap((name) => {
    const path = join(dir, name);
    let folder: boolean;
    try {
      folder = statSync(path).isDirectory();
    } catch (error) {
      // A broken symlink or an unreadable entry is named, not skipped.
      throw new InputError(`cannot read ${JSON.stringify(name)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file: dir });
    }
    if (folder) return scenarioFiles(path);
    return name.endsWith('.jsonl') ? [path] : [];
  });
}

/** Replay one scenario file. */
export async function replayScenario(file: string): Promise<ScenarioResult> {
  const content = readFileSync(file, 'utf8');
  const header = scenarioHeader(content, file);
  if (header === null) throw new InputError('a scenario starts with a {"type":"scenario", ...} line', { file, line: 1 });
  const lines = traceLines(file, content);
  const result = await check(lines, { policy: header.policy, set: header.set ?? [] });
  return { file, header, observed: lines.filter((l) => l.event.observed !== undefined).length, result };
}

/** Replay every scenario under a folder. */
export async function replayAll(dir: string): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const file of scenarioFiles(dir)) results.push(await replayScenario(file));
  return results;
}

/** The verdict table and the one-line summary. */
function formatTable(dir: string, results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => [
    relative(dir, r.file),
    r.header.policy ?? 'xero',
    String(r.result.events),
    String(r.observed),
    r.result.ok ? 'agrees' : `DIVERGES (${r.result.divergences.map((d) => `line ${d.line}`).join(', ')})`,
  ]);
  const head = ['scenario', 'policy', 'events', 'observed', 'verdict'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const failed = results.filter((r) => !r.result.ok).length;
  const observed = results.reduce((n, r) => n + r.observed, 0);
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${results.length - failed} of ${results.length} scenarios agree with the model (${observed} observed outcomes checked)${failed === 0 ? '' : `; ${failed} diverge`}`,
  ].join('\n');
}

/** `xcm scenarios [DIR]`: exit 0 when every scenario agrees, 1 otherwise. */
export async function scenariosCommand(dir: string, json: boolean): Promise<number> {
  const results = await replayAll(dir);
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        results.map((r) => ({ file: r.file, ...r.header, ...r.result })),
        null,
        2,
      )}\n`,
    );
  } else {
    process.stdout.write(`${formatTable(dir, results)}\n`);
    for (const r of results) {
      for (const d of r.result.divergences)
        process.stdout.write(
          `\n${r.file}:${d.line}: expected ${d.expected}, observed ${d.observed} [${d.rule}]\n  ${d.explanation}\n${d.followed === 0 ? '' : `  judged after following ${d.followed} earlier divergent observation${d.followed === 1 ? '' : 's'}\n`}`,
        );
    }
  }
  return results.every((r) => r.result.ok) ? 0 : 1;
}
