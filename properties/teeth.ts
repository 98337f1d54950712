/**
 * Running the mutants: which property catches each, after how many runs, and how short fast-check
 * shrinks the counterexample; the table `npm run mutants` prints; and the regression scenarios
 * the counterexamples become.
 * @module
 */
import { MODEL } from '../model/engine/step.ts';
import type { CaseSpec } from './arbitraries.ts';
import { fcParameters } from './config.ts';
import { writeScenario } from './counterexample.ts';
import type { TraceEvent } from '../model/types.ts';
import { allConnections } from '../model/world/world.ts';
import { userField } from './commands.ts';
import { replay, type GenTrace } from './harness.ts';
import type { Mutant } from './mutants.ts';
import { hunt, type Hunt, type TraceProperty } from './property.ts';
import { PROPERTIES, propertyById } from './suite.ts';

/** What hunting one mutant showed. */
export interface MutantResult {
  mutant: Mutant;
  /** The property that caught it (null: none did). */
  property: TraceProperty | null;
  hunt: Hunt | null;
  /** Events in the shrunk counterexample. */
  shrunkLength: number | null;
}

/** Hunt a mutant: its expected property first, then every other until one fails. */
export function catchMutant(mutant: Mutant, parameters = fcParameters<[CaseSpec]>()): MutantResult {
  const expected = propertyById(mutant.caughtBy);
  for (const property of [expected, ...PROPERTIES.filter((p) => p !== expected)]) {
    const h = hunt(property, mutant.model, parameters);
    if (h.failed) return { mutant, property, hunt: h, shrunkLength: h.failure?.trace.events.length ?? null };
  }
  return { mutant, property: null, hunt: null, shrunkLength: null };
}

/** Whether the model and the mutant give different outcomes on a trace (a regression scenario must). */
function diverges(trace: GenTrace, mutant: Mutant): boolean {
  const model = replay(trace, MODEL).outcomes;
  const broken = replay(trace, mutant.model).outcomes;
  return model.some((o, i) => JSON.stringify(o) !== JSON.stringify(broken[i]));
}

/**
 * The trace followed by a disconnect of every connection the model keeps and the mutant lost, so
 * that a lost connection shows in the outcomes (`disconnected` against `not-connected`).
 */
function witnessed(trace: GenTrace, mutant: Mutant): GenTrace {
  const key = (c: { app: string; tenant: string; user: string }) => `${c.user}/${c.app}/${c.tenant}`;
  const left = new Set([...allConnections(replay(trace, mutant.model).context.world)].map(key));
  const at = trace.events.at(-1)?.at;
  const witnesses = [...allConnections(replay(trace, MODEL).context.world)]
    .filter((c) => !left.has(key(c)))
    .map(
      (c): TraceEvent => ({ type: 'disconnect', app: c.app, tenant: c.tenant, ...userField(c.user), ...(at === undefined ? {} : { at }) }),
    );
  return { set: trace.set, events: [...trace.events, ...witnesses] };
}

/** Save a caught mutant's counterexample as a regression scenario, when its outcomes can show the mutant. */
export function saveRegression(dir: string, result: MutantResult): string | null {
  const { property, hunt: h, mutant } = result;
  const found = h?.failure?.trace;
  const trace = found === undefined || diverges(found, mutant) ? found : witnessed(found, mutant);
  if (property === null || h === null || trace === undefined || !diverges(trace, mutant)) return null;
  return writeScenario(dir, mutant.name, trace, {
    property,
    hunt: h,
    mutant: { name: mutant.name, description: mutant.description, model: mutant.model },
  });
}

/** The table: mutant, the property that caught it, runs needed, shrinks, shrunk length. */
export function mutantTable(results: readonly MutantResult[]): string {
  const head = ['mutant', 'caught by', 'runs', 'shrinks', 'shrunk length'];
  const rows = results.map((r) => [
    r.mutant.name,
    r.property?.id ?? 'NOT CAUGHT',
    String(r.hunt?.runs ?? '-'),
    String(r.hunt?.shrinks ?? '-'),
    String(r.shrunkLength ?? '-'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}
