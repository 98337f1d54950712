import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODEL } from '../model/engine/step.ts';
import type { AppEvent } from '../model/types.ts';
import { caseSpecs, materialize, type Case } from './arbitraries.ts';
import { DEFAULT_RUNS, NUM_RUNS, SEED, timeoutMs } from './config.ts';
import { Coverage, observe } from './coverage.ts';
import { replay } from './harness.ts';
import { propertyById } from './suite.ts';

/** The cases every property of a default run checks (same seed, same generator; at least the default count). */
const CASES: readonly Case[] = fc.sample(caseSpecs, { seed: SEED, numRuns: Math.max(NUM_RUNS, DEFAULT_RUNS) }).map(materialize);

function appKind(e: AppEvent): string {
  if (e.custom === true) return 'custom';
  if (e.auth === 'oauth1') return 'oauth1';
  if (e.certified === true) return `certified ${e.tier ?? 'plus'}`;
  return e.registered !== undefined ? 'registered late' : `uncertified ${e.tier ?? 'starter'}`;
}

describe('coverage: the generators reach every boundary', () => {
  it(
    'reaches every boundary class in the default run',
    () => {
      const coverage = new Coverage();
      const recovery = propertyById('recovery/freed');
      for (const c of CASES) {
        observe(replay(c.trace), c.realCaps, coverage);
        recovery.verify(c, MODEL, coverage);
      }
      console.info(`boundary classes reached by ${CASES.length} cases (seed ${SEED}):\n${coverage.table()}`);
      expect(coverage.missed()).toEqual([]);
    },
    timeoutMs(),
  );

  it(
    'generates every kind of app, tenant and event, on every era of the timeline',
    () => {
      const seen = new Set<string>();
      for (const c of CASES) {
        const run = replay(c.trace);
        c.trace.events.forEach((e, i) => {
          seen.add(`policy ${run.policies[i]?.id ?? ''}`);
          if (e.type === 'app') seen.add(`app ${appKind(e)}`);
          if (e.type === 'tenant') seen.add(`tenant ${e.kind ?? 'organisation'}`);
          if (e.type === 'connect') seen.add(e.tenants.length > 1 ? 'connect several' : 'connect one');
          if (e.type === 'connect' && e.user !== undefined) seen.add('a named user');
          if (e.type !== 'app' && e.type !== 'tenant' && e.type !== 'connect') seen.add(e.type);
        });
      }
      expect([...seen].sort()).toEqual([
        'a named user',
        'app certified advanced',
        'app certified enterprise',
        'app certified plus',
        'app certified starter',
        'app custom',
        'app oauth1',
        'app registered late',
        'app uncertified core',
        'app uncertified starter',
        'certify',
        'connect one',
        'connect several',
        'disconnect',
        'policy xero-bug-2020-02',
        'policy xero-oauth2-2019',
        'policy xero-tiers-2026',
        'revoke',
        'tenant demo',
        'tenant organisation',
        'tenant practice',
        'tier',
      ]);
    },
    timeoutMs(),
  );
});
