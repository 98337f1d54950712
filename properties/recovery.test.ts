import { beforeAll, describe, it } from 'vitest';
import { runBanner, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';
import { RECOVERY } from './recovery.ts';

beforeAll(() => console.info(runBanner()));

describe('recovery: freed capacity is available again, and the bug window closes', () => {
  it.each(RECOVERY.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());
});
