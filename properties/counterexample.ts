/**
 * Counterexamples become scenarios. A failing property prints its seed and path and writes the
 * shrunk trace as a scenario file, ready for `scenarios/regressions/`.
 *
 * The file's `observed` outcomes are always the real model's, so the scenario runner (`npm
 * start`, which replays every scenario and expects agreement) passes on it. When the failure came
 * from a deliberately broken variant, the header names it (`"mutant": "<name>"`) and each line
 * where the mutant decides differently carries a `note`; replaying the file against that mutant
 * diverges there, which is what keeps the regression caught.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL, type Model } from '../model/engine/step.ts';
import { observedValue, traceLine } from '../model/io/trace-line.ts';
import type { TraceEvent } from '../model/types.ts';
import { fcParameters } from './config.ts';
import { replay, type GenTrace } from './harness.ts';
import { hunt, type Hunt, type TraceProperty } from './property.ts';

/** Where failing properties write their counterexamples (`FC_COUNTEREXAMPLES` overrides). */
function counterexampleDir(): string {
  return process.env.FC_COUNTEREXAMPLES ?? join(tmpdir(), 'xcm-counterexamples');
}

/** What a scenario file says about where its trace came from. */
interface Provenance {
  property: TraceProperty;
  hunt: Hunt;
  /** The mutant the property caught, if any. */
  mutant?: { name: string; description: string; model: Model };
}

/** The scenario file of a counterexample (header, then every event with the model's outcomes). */
function scenarioText(trace: GenTrace, source: Provenance): string {
  const model = replay(trace, MODEL).outcomes;
  const mutant = source.mutant === undefined ? null : replay(trace, source.mutant.model).outcomes;
  const { property, hunt: h } = source;
  const why = (h.failure?.message ?? '').replace(/\.$/, '');
  const found = `fast-check seed ${h.seed}, path ${h.path ?? '-'}, after ${h.runs} run(s) and ${h.shrinks} shrink(s)`;
  const header: Record<string, unknown> = {
    type: 'scenario',
    title: source.mutant === undefined ? `Counterexample to: ${property.name}` : `Regression: ${source.mutant.description}`,
    story:
      source.mutant === undefined
        ? `The property "${property.name}" fails on this trace: ${why}. ` +
          "The observed outcomes are the model's own; correct the line the property names before saving."
        : `Found by the property "${property.name}" against the mutant "${source.mutant.name}" (${source.mutant.description}): ${why}. ` +
          "The observed outcomes are the real model's; the notes say where the mutant decides otherwise, so replaying this file against the mutant diverges.",
    source: `properties/${property.family}.test.ts, property ${property.id}; ${found}`,
  };
  if (trace.set.length > 0) header.set = trace.set;
  if (source.mutant !== undefined) header.mutant = source.mutant.name;
  const lines = trace.events.map((event, i) => {
    const expected = model[i] ?? [];
    const other = mutant?.[i];
    const note = other?.some((o, k) => o !== expected[k]) ? `the mutant gives ${JSON.stringify(observedValue(event, other))}` : undefined;
    return traceLine({ ...event, observed: observedValue(event, expected) } as TraceEvent, note);
  });
  return `${[JSON.stringify(header), ...lines].join('\n')}\n`;
}

/** Write a counterexample's scenario file into `dir`; returns its path. */
export function writeScenario(dir: string, name: string, trace: GenTrace, source: Provenance): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, scenarioText(trace, source));
  return file;
}

/** Assert a property holds on the model; on failure, write the counterexample and say where. */
export function assertHolds(property: TraceProperty, model: Model = MODEL): void {
  const h = hunt(property, model, fcParameters());
  if (!h.failed) return;
  const trace = h.failure?.trace ?? { set: [], events: [] };
  const file = writeScenario(counterexampleDir(), `${property.id.replace('/', '--')}-seed${h.seed}`, trace, { property, hunt: h });
  throw new Error(
    [
      `property "${property.name}" fails: ${h.failure?.message ?? ''}`,
      `  fast-check seed ${h.seed}, path ${h.path ?? '-'} (replay with FC_SEED=${h.seed}${h.path === null ? '' : ` FC_PATH=${h.path}`})`,
      `  shrunk trace (${trace.events.length} events) written as a scenario to ${file}`,
    ].join('\n'),
  );
}
