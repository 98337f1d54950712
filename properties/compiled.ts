/**
 * The compiled stepper equals the machine: on every generated trace, `compiledEngine` and
 * `machineEngine` (the XState machine's own `transition`) give the same outcomes, and the same
 * context and regime after every machine step.
 * @module
 */
import { replay, type Step } from './harness.ts';
import type { TraceProperty } from './property.ts';

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
];
