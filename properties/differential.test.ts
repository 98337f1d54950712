import { beforeAll, describe, it } from 'vitest';
import { runBanner, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';
import { DIFFERENTIAL } from './differential.ts';

beforeAll(() => console.info(runBanner()));

describe('differential: the machine and an independent reference agree', () => {
  it.each(DIFFERENTIAL.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());
});
