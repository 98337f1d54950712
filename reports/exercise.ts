/**
 * Which scenarios exercise which invariant. Every scenario is replayed through the XState
 * machine itself (the machine engine, not the compiled one), and every invariant is evaluated on
 * every machine step. A step *exercises* an invariant when the invariant holds on it and would
 * have failed had the model answered that one step wrongly in one of five simple ways: refusing
 * it by the app's cap, refusing it by the organisation's limit, accepting a connect whatever the
 * limits, dropping every connection, or changing nothing. So a scenario counts for an invariant
 * only where the invariant could have caught a mistake, not merely where it was evaluated.
 * @module
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Driver } from '../model/engine/driver.ts';
import { INVARIANTS, type Invariant } from '../model/platform/invariants.ts';
import { choosePolicy } from '../model/io/load-policy.ts';
import { machineEngine, recordingEngine } from '../model/engine/step.ts';
import { scenarioHeader, traceLines } from '../model/io/trace.ts';
import { actions, type PlatformContext, type PlatformEvent } from '../model/platform/transitions.ts';
import { withoutConnections } from '../model/world/world.ts';
import { scenarioFiles } from '../scenarios/replay.ts';

/** What replaying one scenario showed about the invariants. */
export interface ScenarioExercise {
  /** The scenario file, relative to the scenario folder. */
  scenario: string;
  /** Machine steps replayed. */
  steps: number;
  /** Invariant name → steps of this scenario that exercise it. */
  exercised: Record<string, number>;
  /** Steps on which an invariant failed: invariant, 1-based line, the policy in force, and
   * whether that policy is a reading of the 2020 bug (where failing is the point). */
  violations: Array<{ invariant: string; line: number; policy: string; bug: boolean }>;
}

/** The wrong answers a step is compared with. */
function wrongAnswers(before: PlatformContext, event: PlatformEvent, after: PlatformContext): PlatformContext[] {
  const unchanged = { ...after, world: before.world };
  const wrong: PlatformContext[] = [
    { ...unchanged, outcome: 'rejected:app-limit' },
    { ...unchanged, outcome: 'rejected:org-limit' },
    { ...after, world: withoutConnections(after.world) },
    unchanged,
  ];
  if (event.type === 'connect') wrong.push(actions.addConnection(before, event));
  return wrong;
}

/** Whether this step exercises the invariant (it holds, and some wrong answer would break it). */
export function stepExercises(invariant: Invariant, before: PlatformContext, event: PlatformEvent, after: PlatformContext): boolean {
  return invariant.holds(before, event, after) && wrongAnswers(before, event, after).some((w) => !invariant.holds(before, event, w));
}

/** Replay one scenario file through the machine engine, judging every step. */
function exerciseScenario(file: string, dir: string): ScenarioExercise {
  const content = readFileSync(file, 'utf8');
  const header = scenarioHeader(content);
  const choice = choosePolicy(header?.policy, header?.set ?? []);
  const result: ScenarioExercise = { scenario: relative(dir, file).split('\\').join('/'), steps: 0, exercised: {}, violations: [] };
  let line = 0;
  const engine = recordingEngine(machineEngine({ policy: choice.fixed ?? choice.choose(null, undefined) }), (before, event, after) => {
    result.steps++;
    for (const invariant of INVARIANTS) {
      if (!invariant.holds(before, event, after))
        result.violations.push({
          invariant: invariant.name,
          line,
          policy: before.policy.id,
          bug: before.policy.orgLimitReading !== 'correct',
        });
      else if (stepExercises(invariant, before, event, after))
        result.exercised[invariant.name] = (result.exercised[invariant.name] ?? 0) + 1;
    }
  });
  const driver = new Driver(engine, choice.choose);
  for (const traceLine of traceLines(file, content)) {
    line = traceLine.line;
    driver.apply(traceLine.event);
  }
  return result;
}

/** Replay every scenario under a folder, in file order. */
export function exerciseAll(dir: string): ScenarioExercise[] {
  return scenarioFiles(dir).map((file) => exerciseScenario(file, dir));
}
