/**
 * `xcm infer TRACE`: which readings of the open questions a trace's observations allow. Output
 * only; the work is in `infer.ts`.
 * @module
 */
import { overridesNote } from '../io/load-policy.ts';
import { PARAMETERS, type ParameterValue } from '../platform/policy.ts';
import { replayOf, requireTrace, writeOut } from './cli.ts';
import { infer, valueText, type CapRange, type InferredParameter, type InferResult, type Refutation, type Together } from './infer.ts';
import { count, list } from './wording.ts';

/** Options of `infer` as the CLI gives them. */
interface InferCommandOptions {
  policy?: string | undefined;
  set?: string[] | undefined;
  json?: boolean | undefined;
}

const USAGE = 'xcm infer TRACE [--policy ID|FILE] [--set K=V] [--json]';

/** `head` and the items after it, each but the last followed by `separator`, wrapped at `width` columns; continuation lines indented by `indent` spaces. */
function wrapped(head: string, items: readonly string[], indent: number, separator = ',', width = 100): string {
  const lines: string[] = [];
  let line = head;
  let empty = true;
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item}${separator}` : item;
    if (!empty && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = `${' '.repeat(indent)}${piece}`;
    } else line = `${line} ${piece}`;
    empty = false;
  });
  lines.push(line);
  return lines.join('\n');
}

/** A cap's consistent range in words: `25..25`, `1 or more`, `3..7 (not 5)`, `none`. */
function rangeText(range: CapRange | null, refuted: readonly Refutation[]): string {
  if (range === null) return 'none';
  const max = range.max;
  const holes = refuted.filter((r) => typeof r.value === 'number' && r.value > range.min && (max === null || r.value < max));
  const span = max === null ? `${range.min} or more` : `${range.min}..${max}`;
  return holes.length === 0 ? span : `${span} (not ${holes.map((h) => valueText(h.value)).join(', ')})`;
}

/** The refuted values, consecutive values refuted at one line as one run (`26 and above (line 28)`). */
export function refutedItems(p: InferredParameter): string[] {
  if (p.kind === 'reading') return p.refuted.map((r) => `${valueText(r.value)} (line ${r.line})`);
  const items: string[] = [];
  let i = 0;
  while (i < p.refuted.length) {
    const first = p.refuted[i] as Refutation;
    let j = i;
    while (j + 1 < p.refuted.length) {
      const next = p.refuted[j + 1] as Refutation;
      const here = p.refuted[j] as Refutation;
      if (next.line !== first.line || (next.value as number) !== (here.value as number) + 1) break;
      j++;
    }
    const last = p.refuted[j] as Refutation;
    const values =
      last.andAbove === true ? `${valueText(first.value)} and above` : j === i ? valueText(first.value) : `${first.value}..${last.value}`;
    items.push(`${values} (line ${first.line})`);
    i = j + 1;
  }
  return items;
}

function consistentText(p: InferredParameter): string {
  if (p.kind === 'cap') return rangeText(p.consistent as CapRange | null, p.refuted);
  const values = p.consistent as ParameterValue[];
  return values.length === 0 ? 'none' : values.map(valueText).join(', ');
}

/** A combination as the values it gives (`reconsentAtCap=false, checkOrder=org-first`). */
function combinationText(combination: Record<string, ParameterValue>): string {
  return Object.entries(combination)
    .map(([key, value]) => `${key}=${valueText(value)}`)
    .join(', ');
}

function togetherText(together: Together): string | null {
  const all = PARAMETERS.map((p) => p.key).filter((key) => together.keys.includes(key) || together.free.includes(key));
  if (all.length === 0) return null;
  if (together.skipped !== undefined) return `together: not tried: ${together.skipped} (${list(all)})`;
  const of = `${count(together.tried, 'combination')} of ${list(all)}`;
  if (together.consistent.length === 0) return `together: none of the ${of} is consistent`;
  if (together.keys.length === 0) return `together: every one of the ${of} is consistent`;
  const free = together.free.length === 0 ? '' : `; ${list(together.free)} any value`;
  return `together (${of}): consistent only with ${together.consistent.map(combinationText).join('; or ')}${free}`;
}

/** The verdict: what the observations say of the defaults. */
function verdictText(file: string, result: InferResult): string {
  if (result.observed === 0)
    return `nothing observed: ${result.events === 0 ? 'the trace has no events' : 'no event has an observed outcome'}, so every reading is consistent`;
  if (result.defaultsHold) return 'the defaults hold: every observed outcome agrees with them';
  const others = result.parameters
    .filter((p) => p.tested)
    .filter((p) => (p.kind === 'cap' ? p.consistent !== null : (p.consistent as ParameterValue[]).length > 0))
    .map((p) => `${p.key} ${consistentText(p)}`);
  const alone =
    others.length === 0
      ? 'no other value of one parameter alone makes every observed outcome agree'
      : `another value alone makes every observed outcome agree: ${others.join('; ')}`;
  return `a default is refuted: line ${result.refutedAt} disagrees with the defaults; ${alone}\n(why: xcm check ${file})`;
}

/** The whole text of `xcm infer`: the trace, a line per parameter the trace tests, the rest in lists, together, the verdict. */
export function inferText(file: string, result: InferResult): string {
  const out: string[] = [];
  const tenants = `${count(result.tenants, 'tenant')} and ${count(result.apps, 'app')}`;
  const under = result.policies.length === 0 ? '' : `; it runs under ${list(result.policies)}`;
  out.push(
    `infer ${file} under ${result.policy}: ${count(result.events, 'event')}, ${result.observed} with an observed outcome; ${tenants}${under}`,
  );
  const shown = result.parameters.filter((p) => p.tested);
  const cap = result.parameters.find((p) => p.tried !== undefined)?.tried;
  if (shown.length > 0) {
    const caps =
      cap === undefined
        ? ''
        : cap.andAbove
          ? `; caps tried at ${cap.min}..${cap.max} (${cap.max} stands for every larger value: ${tenants} reach no larger cap)`
          : `; caps tried at ${cap.min}..${cap.max} only (the trace names ${tenants}): larger values not tried`;
    out.push(`each parameter alone, the others at their defaults${caps}:`);
  }
  const keyWidth = Math.max(0, ...shown.map((p) => p.key.length));
  const defaultWidth = Math.max(0, ...shown.map((p) => valueText(p.default).length));
  for (const p of shown) {
    const head = `  ${p.key.padEnd(keyWidth)}  default ${valueText(p.default).padEnd(defaultWidth)}  consistent ${consistentText(p)}`;
    const refuted = refutedItems(p);
    out.push(refuted.length === 0 ? head : wrapped(`${head}  refuted`, refuted, 6));
  }
  const untested = result.parameters.filter((p) => !p.tested).map((p) => p.key);
  if (untested.length > 0) out.push(wrapped('not tested by this trace (every value gives the same verdict):', untested, 2));
  if (result.notAsked.length > 0 && result.policies.length > 0)
    out.push(wrapped(`not asked (the question does not arise under ${list(result.policies)}):`, result.notAsked, 2));
  const together = togetherText(result.together);
  if (together !== null) out.push(wrapped('', together.split(' '), 2, '').slice(1));
  const [verdict, why] = verdictText(file, result).split('\n');
  out.push(wrapped('', (verdict ?? '').split(' '), 2, '').slice(1));
  if (why !== undefined) out.push(why);
  return `${out.join('\n')}\n`;
}

/** The JSON of `xcm infer`: one document, `defaultsHold` first, a line per parameter. */
export function inferJson(result: InferResult, pinned: string | null): string {
  const { defaultsHold, parameters, ...rest } = result;
  const lines = parameters.map((p) => JSON.stringify(p)).join(',\n');
  const tail = JSON.stringify({ ...(pinned === null ? {} : { pinned }), ...rest }).slice(1);
  return `{"defaultsHold":${defaultsHold},"parameters":[${parameters.length === 0 ? '' : `\n${lines}\n`}],${tail}\n`;
}

/**
 * `xcm infer TRACE`: exit 0 when the defaults agree with every observation, 1 when an
 * observation refutes a default. A scenario file is inferred under the policy and `set` its
 * header pins, unless `--policy` or `--set` is given.
 */
export async function inferCommand(positionals: string[], options: InferCommandOptions): Promise<number> {
  const file = requireTrace(positionals, USAGE);
  const replay = await replayOf(file, options);
  const result = await infer(file, { policy: replay.policy, set: replay.set });
  if (options.json === true) await writeOut(inferJson(result, replay.pinned));
  else {
    const note = overridesNote(replay.policy, replay.set);
    const pinned = replay.pinned === null ? '' : `${file}: inferred under ${replay.pinned}\n`;
    await writeOut(`${note === null ? '' : `${note}\n`}${pinned}${inferText(file, result)}`);
  }
  return result.defaultsHold ? 0 : 1;
}
