/**
 * The explorer runs behind the invariant dashboard: fixed small bounds per policy of interest,
 * so the counts are deterministic and the whole set runs in well under a second.
 * @module
 */
import { explore, type Bounds, type ExploreResult } from '../model/search/explore.ts';
import type { Policy } from '../model/platform/policy.ts';
import { scaled } from './stories.ts';

/** One explorer run and its result. */
export interface ExplorerRun {
  label: string;
  policy: Policy;
  bounds: Bounds;
  boundsText: string;
  result: ExploreResult;
}

/**
 * The runs: the OAuth 2.0 limits twice (three apps of two kinds; two users), the 2026 tiers, and
 * the default reading of the bug (which must break an invariant). Caps are scaled to 1 so every
 * limit is reached within the bounds; the runs together take well under a second.
 */
const RUNS: ReadonlyArray<{ label: string; policy: Policy; bounds: Bounds }> = [
  {
    label: 'oauth2, 3 apps',
    policy: scaled('xero-oauth2-2019', { appCap: 1, orgCap: 1 }),
    bounds: { apps: 3, tenants: 2, users: 1, appKinds: ['uncertified', 'uncertified', 'certified'], tenantKinds: ['organisation', 'demo'] },
  },
  {
    label: 'oauth2, 2 users',
    policy: scaled('xero-oauth2-2019', { appCap: 1, orgCap: 1 }),
    bounds: { apps: 2, tenants: 2, users: 2, appKinds: ['uncertified', 'certified'], tenantKinds: ['organisation', 'demo'] },
  },
  {
    label: 'tiers',
    policy: scaled('xero-tiers-2026', { starterCap: 1, coreCap: 2, plusCap: 3 }),
    bounds: { apps: 2, tenants: 2, users: 1 },
  },
  { label: 'bug', policy: scaled('xero-bug-2020-02', { appCap: 2 }), bounds: { apps: 3, tenants: 3, users: 1 } },
];

function boundsText(bounds: Bounds): string {
  return Object.entries(bounds)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('/') : String(v)}`)
    .join(', ');
}

/** Run every explorer run of the dashboard. */
export function explorerRuns(): ExplorerRun[] {
  return RUNS.map(({ label, policy, bounds }) => ({
    label,
    policy,
    bounds,
    boundsText: boundsText(bounds),
    result: explore(policy, bounds, { symmetry: true }),
  }));
}
