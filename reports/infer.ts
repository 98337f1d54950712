/**
 * `infer.md`: what the forum thread's observations say about the open questions, by `xcm infer`.
 * The worked example (20 or 25 organisations?) in full, then every scenario of the seed thread
 * (community thread 110074711), and the values consistent with all of them at once.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inferText, refutedItems } from '../model/oracle/infer-cli.ts';
import { inferLines, valueText, type CapRange, type InferredParameter, type InferResult } from '../model/oracle/infer.ts';
import { scenarioHeader, traceLines, type TraceLine } from '../model/io/trace.ts';
import { PARAMETERS, type ParameterValue } from '../model/platform/policy.ts';
import { scenarioFiles } from '../scenarios/replay.ts';
import { code, page, table } from './markdown.ts';

/** The forum thread the project grew from: its scenarios name it in their source. */
const SEED_THREAD = '110074711';

/** The worked example. */
const EXAMPLE = 'twenty-vs-twenty-five.jsonl';

const INTRO = `Every point the sources leave open is a named parameter with a default (README, "Policies and
assumptions"). \`xcm infer TRACE\` asks which values of each the observations of a trace allow: it
replays the trace through the model once per value (the same checker as \`xcm check\`, the value set
as \`--set\` sets it), the others at their defaults, and a value is **consistent** when every observed
outcome agrees, **refuted** at the first line that disagrees. A reading is tried at each value of its
declared domain; a cap at 0 up to one more than the trace's tenants or apps (the last value stands
for every larger one, which the trace never reaches). Only the parameters whose question arises
under the policies the trace runs under are asked (a tier's cap under the tiers, a reading of the
bug in the bug window). The scenarios here are the stories of the forum thread the project grew
from (community thread ${SEED_THREAD}), each replayed as \`xcm infer\` replays it.`;

interface Inferred {
  name: string;
  lines: readonly TraceLine[];
  result: InferResult;
}

function inferScenario(file: string): Inferred {
  const content = readFileSync(file, 'utf8');
  const header = scenarioHeader(content);
  const lines = traceLines(file, content);
  return { name: basename(file), lines, result: inferLines(lines, { policy: header?.policy, set: header?.set ?? [] }) };
}

/** Whether a parameter's value `v` is consistent, for a cap at any count (the last value tried stands for the larger ones). */
function capConsistentAt(p: InferredParameter, v: number): boolean {
  const tried = p.tried as NonNullable<InferredParameter['tried']>;
  const at = Math.min(v, tried.max);
  if (v > tried.max && !tried.andAbove) return false;
  const range = p.consistent as CapRange | null;
  return range !== null && at >= range.min && (range.max === null || at <= range.max) && !p.refuted.some((r) => r.value === at);
}

/** A set of counts in words: `25..25`, `1 or more`, `1..2`, `3..7 (not 5)`, `none`. */
function countsText(consistent: (v: number) => boolean, top: number): string {
  const values = Array.from({ length: top + 1 }, (_, v) => v).filter(consistent);
  const min = values[0];
  if (min === undefined) return 'none';
  const max = values[values.length - 1] as number;
  const span = max === top ? `${min} or more` : `${min}..${max}`;
  const holes = Array.from({ length: max - min + 1 }, (_, i) => min + i).filter((v) => !consistent(v));
  return holes.length === 0 ? span : `${span} (not ${holes.join(', ')})`;
}

function consistentCell(p: InferredParameter): string {
  if (p.kind === 'cap') return countsText((v) => capConsistentAt(p, v), (p.tried?.max ?? 0) + 1);
  const values = p.consistent as ParameterValue[];
  return values.length === 0 ? 'none' : values.map((v) => code(valueText(v))).join(', ');
}

function refutedCell(p: InferredParameter): string {
  const items = refutedItems(p);
  return items.length > 4 ? `${items.slice(0, 4).join(', ')}, … (${p.refuted.length} values in all)` : items.join(', ');
}

/** What the trace records on a line, in words (`org-21 observed connected`). */
function observedOn(lines: readonly TraceLine[], line: number): string {
  const event = lines.find((l) => l.line === line)?.event;
  if (event?.type !== 'connect' || typeof event.observed !== 'string') return `line ${line}`;
  return `line ${line}, where ${event.tenants.join(', ')} is observed ${event.observed}`;
}

function exampleSection(example: Inferred | undefined): string {
  if (example === undefined) return '';
  const appCap = example.result.parameters.find((p) => p.key === 'appCap');
  const twenty = appCap?.refuted.find((r) => r.value === 20);
  const says =
    appCap === undefined
      ? ''
      : `\n\nThe App Partner page said 20 organisations, the OAuth 2.0 limits page 25. The observations allow \`appCap\` ${consistentCell(appCap)}` +
        (twenty === undefined ? '.' : `, and refute 20 at ${observedOn(example.lines, twenty.line)}.`);
  const text = inferText(`scenarios/${example.name}`, example.result).trimEnd();
  return `## The worked example: 20 or 25 organisations?\n\n\`\`\`\n$ npx xcm infer scenarios/${example.name}\n${text}\n\`\`\`${says}`;
}

function perScenarioSection(all: readonly Inferred[]): string {
  const rows = all.flatMap(({ name, result }) =>
    result.parameters
      .filter((p) => p.tested)
      .map((p) => [code(name.replace(/\.jsonl$/, '')), code(p.key), code(valueText(p.default)), consistentCell(p), refutedCell(p)]),
  );
  return `## The seed thread, scenario by scenario\n\nEach parameter a scenario tests (its values do not all give the same verdict), the others at their defaults; the first refuted values with their first refuting line.\n\n${table(['scenario', 'parameter', 'default', 'consistent', 'refuted'], rows)}`;
}

function atOnceSection(all: readonly Inferred[]): string {
  const rows = PARAMETERS.flatMap((doc) => {
    const asked = all.flatMap(({ name, result }) => {
      const p = result.parameters.find((q) => q.key === doc.key);
      return p === undefined ? [] : [{ name, p }];
    });
    const narrowing = asked.filter(({ p }) => p.tested);
    if (narrowing.length === 0) return [];
    const first = narrowing[0]?.p as InferredParameter;
    let consistent: string;
    if (first.kind === 'cap') {
      const top = Math.max(...narrowing.map(({ p }) => p.tried?.max ?? 0)) + 1;
      consistent = countsText((v) => narrowing.every(({ p }) => capConsistentAt(p, v)), top);
    } else {
      const values = (first.consistent as ParameterValue[]).filter((v) =>
        narrowing.every(({ p }) => (p.consistent as ParameterValue[]).includes(v)),
      );
      consistent = values.length === 0 ? 'none' : values.map((v) => code(valueText(v))).join(', ');
    }
    const names = narrowing.map(({ name }) => code(name.replace(/\.jsonl$/, ''))).join(', ');
    return [[code(doc.key), code(valueText(first.default)), consistent, names]];
  });
  return `## The seed thread at once\n\nThe values of each parameter consistent with every scenario of the thread that tests it (each tried alone, the others at their defaults), and the scenarios that narrow it.\n\n${table(['parameter', 'default', 'consistent with every scenario', 'narrowed by'], rows)}`;
}

/** The report's text, from the seed thread's scenarios under `scenarioDir`. */
export function inferReport(scenarioDir: string): string {
  const seed = scenarioFiles(scenarioDir)
    .filter((file) => !file.startsWith(join(scenarioDir, 'regressions')))
    .filter((file) => scenarioHeader(readFileSync(file, 'utf8'))?.source.includes(SEED_THREAD) === true)
    .map(inferScenario);
  return page('Inference: what the forum thread observed, reading by reading', INTRO, [
    exampleSection(seed.find((s) => s.name === EXAMPLE)),
    perScenarioSection(seed),
    atOnceSection(seed),
  ]);
}
