/**
 * `invariants.md`: the invariant dashboard. One row per invariant of the registry: its rule and
 * source, how many transitions the exhaustive explorer checked it on, how many random traces the
 * property suite checks it on, and which scenarios exercise it.
 * @module
 */
import { INVARIANTS } from '../model/platform/invariants.ts';
import { exerciseAll, type ScenarioExercise } from './exercise.ts';
import { explorerRuns, type ExplorerRun } from './explorer-runs.ts';
import { code, count, page, table } from './markdown.ts';
import { propertyChecks, RUNS_PER_PROPERTY, type PropertyChecks } from './property-checks.ts';

const INTRO = `The rules the model must always keep, and the evidence that it does. Each **invariant** is
a named predicate over one step of the platform machine (the state before, the event, the state
after), with the rule in one sentence and the source it comes from. Three kinds of evidence are
counted for each: the **explorer** visits every reachable state within small bounds and checks
every invariant on every transition; the **property suite** checks them on random event
sequences; the **scenarios** are the stories from the forum thread and the documentation, replayed
through the machine. Runs and scenarios under a reading of the February 2020 bug are meant to break an
invariant: that is the bug, and the invariant catching it is the point.`;

function explorerCell(name: string, runs: readonly ExplorerRun[]): string {
  return runs
    .map((run) => {
      const broken = run.result.violation?.broken.includes(name) === true ? ' (**broken**)' : '';
      return `${run.label}: ${count(run.result.checks[name] ?? 0)}${broken}`;
    })
    .join('\n');
}

function scenarioCell(name: string, exercises: readonly ScenarioExercise[]): string {
  const by = exercises.filter((e) => (e.exercised[name] ?? 0) > 0);
  const where = (bug: boolean) =>
    exercises.flatMap((e) =>
      e.violations
        .filter((v) => v.invariant === name && v.bug === bug)
        .map((v) => `${code(e.scenario)} line ${v.line} (under ${code(v.policy)})`),
    );
  const names = by.map((e) => code(e.scenario.replace(/\.jsonl$/, ''))).join(', ');
  const lines = [
    by.length === 0 ? 'none' : by.length === exercises.length ? `all ${by.length}` : `${by.length} of ${exercises.length}: ${names}`,
  ];
  if (where(true).length > 0) lines.push(`broken inside the bug window, which is the bug: ${where(true).join(', ')}`);
  if (where(false).length > 0) lines.push(`**broken under a correct policy (a model bug)**: ${where(false).join(', ')}`);
  return lines.join('\n');
}

function propertyCell(checks: PropertyChecks | undefined): string {
  if (checks === undefined) return 'no property names it';
  const families = Object.entries(checks.families)
    .map(([family, n]) => `${family}${n === 1 ? '' : ` ×${n}`}`)
    .join(', ');
  const properties = checks.properties === 1 ? '1 property' : `${checks.properties} properties`;
  return `${count(checks.traces)} traces: ${properties} (${families}) × ${count(RUNS_PER_PROPERTY)}`;
}

function explorerSection(runs: readonly ExplorerRun[]): string {
  const rows = runs.map((run) => [
    run.label,
    code(run.policy.id),
    run.boundsText,
    count(run.result.states),
    count(run.result.transitions),
    run.result.symmetryReduced ? 'yes' : 'no',
    run.result.violation === null
      ? 'none'
      : `${run.result.violation.broken.map(code).join(', ')} broken; shortest counterexample ${run.result.violation.depth} events`,
  ]);
  return [
    '## The explorer runs behind the counts',
    'Each run is a breadth-first search over every reachable state of the machine within the bounds, with apps, tenants and users of the same kind treated as interchangeable (symmetry reduction). The count in the table above is the number of transitions on which the invariant was evaluated; a run stops at its first violation, so a broken run counts only the transitions before it.',
    table(['run', 'policy', 'bounds', 'states', 'transitions', 'symmetry', 'violation'], rows),
  ].join('\n\n');
}

const COLUMNS = `What the columns mean:
- **explorer**: transitions the exhaustive explorer checked the invariant on, per run (below);
- **property suite**: random traces on which the suite checks the invariant in a default run: the properties that check it by name (a call \`keeps('name')\` in the family's file under \`properties/\`) times the traces each property generates (\`FC_NUM_RUNS\` scales this; \`npm run test:deep\` runs 20 times as many). Each such property replays its traces through the model and checks the invariant after every machine step. Other properties (differential, determinism, recovery) test the same rules in other ways and are not counted here;
- **scenarios**: the scenario files in which at least one step *exercises* the invariant: the invariant holds on that step and would have failed had the model answered that one step wrongly in one of five simple ways (refused by the app's cap, refused by the organisation's limit, accepted whatever the limits, every connection dropped, nothing changed). Every scenario is replayed through the XState machine itself.`;

/** The text of `invariants.md`. */
export function invariantsReport(scenarioDir: string): string {
  const runs = explorerRuns();
  const exercises = exerciseAll(scenarioDir);
  const checks = propertyChecks();
  const rows = INVARIANTS.map((inv) => [
    code(inv.name),
    inv.rule,
    inv.source,
    explorerCell(inv.name, runs),
    propertyCell(checks.get(inv.name)),
    scenarioCell(inv.name, exercises),
  ]);
  return page('Invariants: the rules, their sources, and what checks them', INTRO, [
    table(['invariant', 'rule', 'source', 'explorer', 'property suite', 'scenarios'], rows),
    COLUMNS,
    explorerSection(runs),
  ]);
}
