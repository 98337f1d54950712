/**
 * What the explorer's property tests search (not part of the package): a small arena and a
 * policy at small caps, of every kind of app and tenant, with pairs, users and tiers.
 * @module
 */
import fc from 'fast-check';
import type { AppKind } from './bounds.ts';
import type { ExploreResult } from './explore.ts';
import { builtinPolicy } from '../platform/policies.ts';
import type { Policy } from '../platform/policy.ts';
import type { TenantKind } from '../types.ts';

/** A built-in policy with some parameters changed. */
export function policy(id: string, changes: Partial<Policy> = {}): Policy {
  const found = builtinPolicy(id);
  if (found === undefined) throw new Error(`no policy ${id}`);
  return { ...found, ...changes };
}

/** Everything a search answers but how many transitions it played. */
export const answer = ({ played: _played, ...rest }: ExploreResult) => rest;

const POLICIES = [
  'xero-oauth2-2019',
  'xero-partner-page-2019',
  'xero-bug-2020-02',
  'xero-bug-2020-02/counts-app-tenants',
  'xero-bug-2020-02/counts-every-app',
  'xero-bug-2020-02/refuses-at-limit',
  'xero-tiers-2026',
];

/** A small arena and a policy at small caps: every kind of app and tenant, pairs, users, tiers. */
export const searches = fc.record({
  id: fc.constantFrom(...POLICIES),
  caps: fc.record({
    appCap: fc.integer({ min: 1, max: 3 }),
    orgCap: fc.integer({ min: 1, max: 2 }),
    starterCap: fc.integer({ min: 1, max: 2 }),
    coreCap: fc.integer({ min: 1, max: 3 }),
    plusCap: fc.integer({ min: 2, max: 3 }),
    customCap: fc.integer({ min: 1, max: 2 }),
    demoCountsTowardAppCap: fc.boolean(),
    reconsentAtCap: fc.boolean(),
  }),
  bounds: fc
    .record({
      apps: fc.integer({ min: 1, max: 3 }),
      tenants: fc.integer({ min: 1, max: 3 }),
      users: fc.integer({ min: 1, max: 2 }),
      appKinds: fc.array(fc.constantFrom<AppKind>('uncertified', 'certified', 'custom', 'oauth1'), { maxLength: 3 }),
      tenantKinds: fc.array(fc.constantFrom<TenantKind>('organisation', 'practice', 'demo'), { maxLength: 2 }),
      pairs: fc.boolean(),
    })
    // Keep each search to a few thousand states.
    .filter((b) => b.apps * b.tenants * b.users <= 6 && (!b.pairs || b.tenants <= 2)),
  symmetry: fc.boolean(),
});
