/**
 * The "what the tiers would change" part of `policies.md`: every scenario the timeline keeps wholly
 * before the 2026 tiers, replayed by `impact` under `xero-oauth2-2019` and under `xero-tiers-2026`, with the
 * outcomes that change. The same function as `xcm impact`, on the committed scenarios.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createImpact, type ImpactResult } from '../model/oracle/impact.ts';
import { makeDriver } from '../model/oracle/oracle.ts';
import { traceLines, type TraceLine } from '../model/io/trace.ts';
import { code, count, table } from './markdown.ts';

const FROM = 'xero-oauth2-2019';
const TO = 'xero-tiers-2026';

/** Whether the timeline puts some event of the lines under the tiers (by its time or its app's registration). */
function meetsTheTiers(lines: readonly TraceLine[]): boolean {
  const { driver } = makeDriver({});
  return lines.some(({ event }) => driver.apply(event).policy.tiered);
}

/** The impact of the tiers on each scenario the timeline keeps wholly before them. */
function impacts(scenarioDir: string): Array<{ name: string; result: ImpactResult }> {
  const found: Array<{ name: string; result: ImpactResult }> = [];
  for (const name of readdirSync(scenarioDir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const file = join(scenarioDir, name);
    const lines = traceLines(file, readFileSync(file, 'utf8'));
    if (meetsTheTiers(lines)) continue;
    const run = createImpact({ from: FROM, to: TO });
    for (const line of lines) run.take(line);
    found.push({ name: basename(name, '.jsonl'), result: run.finish() });
  }
  return found;
}

/** The section: one row per scenario recorded before the tiers. */
export function tierImpactSection(scenarioDir: string): string[] {
  const rows = impacts(scenarioDir).map(({ name, result }) => {
    const kinds = new Map<string, number>();
    for (const a of result.byApp) for (const [k, n] of Object.entries(a.kinds)) kinds.set(k, (kinds.get(k) ?? 0) + n);
    const first = result.byApp.length === 0 ? '' : String(Math.min(...result.byApp.map((a) => a.first)));
    const kindText = [...kinds].map(([k, n]) => `${code(k)} ${n}`).join(', ');
    return [code(name), count(result.events), count(result.changed), first, kindText === '' ? 'nothing changes' : kindText];
  });
  return [
    '## What the 2026 tiers would change in earlier traces',
    `Each scenario recorded before the tiers, replayed under ${code(FROM)} and under ${code(TO)} by the function behind ${code('xcm impact')} (for one: ${code(`xcm impact scenarios/NAME.jsonl --from ${FROM} --to ${TO}`)}). An app that declares no tier is on Starter (5 organisations) under the tiers, so most integrations that grew past five would have been refused.`,
    table(['scenario', 'events', 'outcomes that change', 'first line', 'changes'], rows),
  ];
}
