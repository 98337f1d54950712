import { beforeAll, describe, it } from 'vitest';
import { COMPILED } from './compiled.ts';
import { runBanner, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';

beforeAll(() => console.info(runBanner()));

describe('the compiled stepper is the machine', () => {
  it.each(COMPILED.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());
});
