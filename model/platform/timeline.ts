/**
 * The timeline `xero`: which policy was in force for an event, from its `at` and the app's
 * `registered` date. Every bound here is an assumption where the sources give only a day.
 * @module
 */
import { builtinPolicy } from './policies.ts';
import type { Policy } from './policy.ts';
import type { App } from '../types.ts';

/** The id of the timeline, usable wherever a policy id is. */
export const TIMELINE_ID = 'xero';

/**
 * The bug window, NZDT (UTC+13). The sources say "introduced yesterday afternoon and resolved this
 * morning (both NZT)", on the day of XeroAPI/Xero-OpenAPI issue 140 (2020-02-10). Assumed: from
 * noon to noon, the widest window the words allow.
 */
export const BUG_WINDOW = {
  start: '2020-02-09T12:00:00+13:00',
  end: '2020-02-10T12:00:00+13:00',
} as const;

/** The 2026 tiers start for existing apps on 2026-03-02; assumed at midnight NZDT. */
export const TIERS_START = '2026-03-02T00:00:00+13:00';

/** Apps registered on or after this date are on the tiers from registration. */
export const TIERS_REGISTRATION_CUTOFF = '2025-12-04T00:00:00+13:00';

/** One era of the timeline: a policy and the instants it covers (`until` exclusive). */
export interface Era {
  policyId: string;
  from: string | null;
  until: string | null;
  note: string;
}

/** The eras in order, for documentation. */
export const ERAS: readonly Era[] = [
  { policyId: 'xero-oauth2-2019', from: null, until: BUG_WINDOW.start, note: 'OAuth 2.0 limits' },
  { policyId: 'xero-bug-2020-02', from: BUG_WINDOW.start, until: BUG_WINDOW.end, note: 'the February 2020 bug window (default reading)' },
  {
    policyId: 'xero-oauth2-2019',
    from: BUG_WINDOW.end,
    until: TIERS_START,
    note: 'OAuth 2.0 limits again; apps registered on or after 2025-12-04 are on the tiers at once',
  },
  { policyId: 'xero-tiers-2026', from: TIERS_START, until: null, note: '2026 tiers' },
];

/** The eras with their bounds in epoch milliseconds (null: open), for `policyIdAt`. */
const ERA_BOUNDS = ERAS.map((era) => ({
  policyId: era.policyId,
  from: era.from === null ? null : Date.parse(era.from),
  until: era.until === null ? null : Date.parse(era.until),
}));
/** The newest era's policy: in force when no time is known, and for apps registered on the tiers. */
const NEWEST = (ERAS[ERAS.length - 1] as Era).policyId;
const registrationCutoff = Date.parse(TIERS_REGISTRATION_CUTOFF);

/**
 * The id of the policy in force at `atMs` (epoch milliseconds; null: no time known, the newest
 * era) for an event about `app` (undefined: an event about no app). An app registered on or after
 * the cutoff is on the newest era's policy (the tiers) whatever the time.
 */
export function policyIdAt(atMs: number | null, app: App | undefined): string {
  if (atMs === null) return NEWEST;
  if (app?.registered != null && Date.parse(app.registered) >= registrationCutoff) return NEWEST;
  for (const era of ERA_BOUNDS)
    if ((era.from === null || atMs >= era.from) && (era.until === null || atMs < era.until)) return era.policyId;
  // The eras cover every instant; only a time that is not a number (NaN) falls through.
  return (ERAS[0] as Era).policyId;
}

/** A policy chooser: the policy in force for an event. */
export type PolicyChooser = (atMs: number | null, app: App | undefined) => Policy;

/** The timeline as a chooser, each era's policy passed through `adjust` (for `--set`). */
export function timelineChooser(adjust: (p: Policy) => Policy = (p) => p): PolicyChooser {
  const cache = new Map<string, Policy>();
  return (atMs, app) => {
    const id = policyIdAt(atMs, app);
    let policy = cache.get(id);
    if (policy === undefined) {
      // Every era names a built-in policy (the timeline test checks it).
      policy = adjust(builtinPolicy(id) as Policy);
      cache.set(id, policy);
    }
    return policy;
  };
}
