import { beforeAll, describe, it } from 'vitest';
import { runBanner, timeoutMs } from './config.ts';
import { assertHolds } from './counterexample.ts';
import { NO_LOSS } from './no-loss.ts';

beforeAll(() => console.info(runBanner()));

describe('no loss: nothing but an explicit disconnect or revoke removes a connection', () => {
  it.each(NO_LOSS.map((p) => [p.name, p] as const))('%s', (_name, property) => assertHolds(property), timeoutMs());
});
