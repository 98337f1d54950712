/**
 * The compiled stepper equals the machine: on every generated trace, `compiledEngine` and
 * `machineEngine` (the XState machine's own `transition`) give the same outcomes, and the same
 * context and regime after every machine step. And `check`, which steps the compiled table over
 * a draft world updated in place, judges a trace whose observations often differ from the model
 * exactly as it does stepping the machine: the same divergences, rules, explanations and counts,
 * following the observations or the model.
 * @module
 */
import { createChecker, type EngineFactory } from '../model/oracle/oracle.ts';
import { OUTCOMES_OF, type Observed, type TraceEvent } from '../model/types.ts';
import { draftEngine, machineEngine, type Model } from '../model/engine/step.ts';
import type { GenTrace } from './harness.ts';
import { replay, type Step } from './harness.ts';
import type { TraceProperty } from './property.ts';

/**
 * The trace with observed outcomes on some events, drawn from the outcomes each event type can
 * have (so many differ from the model's), by a hash of the event's place: deterministic.
 */
function observedTrace(trace: GenTrace): TraceEvent[] {
  return trace.events.map((event, i) => {
    const pick = (k: number) => {
      const outcomes = OUTCOMES_OF[event.type];
      const h = Math.imul(i * 31 + k + 7, 2654435761) >>> 0;
      return h % 5 === 0 ? undefined : (outcomes[(h >>> 3) % outcomes.length] as string);
    };
    if (event.type === 'connect' && event.tenants.length > 1) {
      const observed: Record<string, string> = {};
      event.tenants.forEach((t, k) => {
        const o = pick(k);
        if (o !== undefined) observed[t] = o;
      });
      return { ...event, observed: observed as Observed };
    }
    const o = pick(0);
    return o === undefined ? event : ({ ...event, observed: o } as TraceEvent);
  });
}

function checkWith(events: readonly TraceEvent[], trace: GenTrace, model: Model, engine: EngineFactory, follow: 'observed' | 'model') {
  const checker = createChecker({ set: trace.set, model, follow }, undefined, engine);
  events.forEach((event, i) => {
    checker.take({ line: i + 1, event });
  });
  return JSON.stringify(checker.result());
}

function same<T>(x: T, y: T): boolean {
  return x === y || JSON.stringify(x) === JSON.stringify(y);
}

/** Whether two steps end in the same regime and context (a world neither step changed is not compared again). */
function sameStep(a: Step, b: Step): boolean {
  const untouched = a.after.world === a.before.world && b.after.world === b.before.world;
  return (
    a.regime === b.regime &&
    a.after.outcome === b.after.outcome &&
    same(a.after.policy, b.after.policy) &&
    (untouched || same(a.after.world, b.after.world))
  );
}

/**
 * `check` over the engine `makeEngine` makes (a draft world's, or a broken one in the tests)
 * judges every trace exactly as over the XState machine.
 */
export function draftChecksAsMachine(makeEngine: EngineFactory): TraceProperty {
  return {
    id: 'compiled/draft-checks-as-machine',
    family: 'compiled',
    name: 'checks a trace over a draft world exactly as stepping the XState machine, divergences and explanations included',
    verify: (c, model) => {
      const events = observedTrace(c.trace);
      for (const follow of ['observed', 'model'] as const) {
        const draft = checkWith(events, c.trace, model, makeEngine, follow);
        const machine = checkWith(events, c.trace, model, machineEngine, follow);
        if (draft !== machine)
          return {
            trace: { set: c.trace.set, events },
            message: `following ${follow === 'observed' ? 'the observations' : 'the model'}: over a draft world ${draft}; stepping the machine ${machine}`,
          };
      }
      return null;
    },
  };
}

/** The compiled-equals-machine property. */
export const COMPILED: readonly TraceProperty[] = [
  {
    id: 'compiled/equals-machine',
    family: 'compiled',
    name: 'steps the compiled table exactly as the XState machine does',
    verify: (c, model) => {
      const compiled = replay(c.trace, model, 'compiled');
      const machine = replay(c.trace, model, 'machine');
      for (let i = 0; i < Math.max(compiled.steps.length, machine.steps.length); i++) {
        const a = compiled.steps[i];
        const b = machine.steps[i];
        if (a === undefined || b === undefined || !sameStep(a, b)) {
          const index = a?.index ?? b?.index ?? 0;
          return {
            trace: { set: c.trace.set, events: c.trace.events.slice(0, index + 1) },
            message:
              `machine step ${i + 1} (${a?.event.type ?? b?.event.type}, event ${index + 1}): ` +
              `compiled gives ${a?.after.outcome} in ${a?.regime}, the machine ${b?.after.outcome} in ${b?.regime}`,
          };
        }
      }
      return null;
    },
  },
  draftChecksAsMachine(draftEngine),
];
