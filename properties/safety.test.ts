import { beforeAll, describe, it } from 'vitest';
import { runBanner, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';
import { SAFETY } from './safety.ts';

beforeAll(() => console.info(runBanner()));

describe('safety: the caps are never exceeded and what counts is counted right', () => {
  it.each(SAFETY.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());
});
