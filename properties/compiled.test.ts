import { beforeAll, describe, expect, it } from 'vitest';
import { draftEngine, type Engine } from '../model/engine/step.ts';
import { COMPILED, draftChecksAsMachine } from './compiled.ts';
import { runBanner, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';

beforeAll(() => console.info(runBanner()));

describe('the compiled stepper is the machine', () => {
  it.each(COMPILED.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());
});

describe('the draft property has teeth', () => {
  // A draft engine that hides its undo: the checker judges and follows from the world after the
  // model's own decision, as if it were the world before it.
  const noUndo = (...args: Parameters<typeof draftEngine>): Engine => {
    const inner = draftEngine(...args);
    return {
      get regime() {
        return inner.regime;
      },
      get context() {
        return inner.context;
      },
      send: (event) => inner.send(event),
      adopt: (context) => inner.adopt(context),
    };
  };
  it(
    'should catch a checker that judges a divergence over a draft world without going back',
    () => {
      expect(() => assertHolds(draftChecksAsMachine(noUndo))).toThrow(/over a draft world/);
    },
    timeoutMs(),
  );
});
