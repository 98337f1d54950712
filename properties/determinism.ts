/**
 * Determinism: the model is a function of the trace. Replaying the same trace on fresh engines
 * gives the same outcomes, the same world (connection ids and authEventIds included) and the
 * same regime. (That `xcm run --json` agrees with the library is checked in the test file: it
 * spawns the CLI, which is too slow to do per generated case.)
 * @module
 */
import { replay } from './harness.ts';
import type { TraceProperty } from './property.ts';

/** The determinism property. */
export const DETERMINISM: readonly TraceProperty[] = [
  {
    id: 'determinism/replay',
    family: 'determinism',
    name: 'gives the same outcomes and the same state when the same trace is replayed',
    verify: (c, model) => {
      const first = replay(c.trace, model);
      const second = replay(c.trace, model);
      const at = first.outcomes.findIndex((o, i) => JSON.stringify(o) !== JSON.stringify(second.outcomes[i]));
      if (at >= 0) {
        const message = `event ${at + 1} gave ${JSON.stringify(first.outcomes[at])}, then ${JSON.stringify(second.outcomes[at])}`;
        return { trace: { set: c.trace.set, events: c.trace.events.slice(0, at + 1) }, message };
      }
      const a = JSON.stringify({ world: first.context.world, regime: first.regime });
      const b = JSON.stringify({ world: second.context.world, regime: second.regime });
      return a === b
        ? null
        : { trace: c.trace, message: 'the same outcomes, but a different final state (connection records, ids or regime)' };
    },
  },
];
