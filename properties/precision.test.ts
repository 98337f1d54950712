import { beforeAll, describe, expect, it } from 'vitest';
import { BUG_WINDOW } from '../model/platform/timeline.ts';
import { runBanner, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';
import { PRECISION, PRECISION_EVERYWHERE } from './precision.ts';
import { hunt } from './property.ts';

beforeAll(() => console.info(runBanner()));

describe('precision: a connect is refused only when a rule requires it, naming that rule', () => {
  it.each(PRECISION.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());

  it(
    'fails inside the bug window, which is what the February 2020 bug broke',
    () => {
      const found = hunt(PRECISION_EVERYWHERE);
      expect(found.failed).toBe(true);
      expect(found.failure?.message).toContain('refusalsAreRequired');
      const at = Date.parse(found.failure?.trace.events.at(-1)?.at ?? '');
      expect(at >= Date.parse(BUG_WINDOW.start) && at < Date.parse(BUG_WINDOW.end)).toBe(true);
    },
    timeoutMs(),
  );
});
