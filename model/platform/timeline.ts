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

const bugStart = Date.parse(BUG_WINDOW.start);
const bugEnd = Date.parse(BUG_WINDOW.end);
const tiersStart = Date.parse(TIERS_START);
const registrationCutoff = Date.parse(TIERS_REGISTRATION_CUTOFF);

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

/**
 * The id of the policy in force at `atMs` (epoch milliseconds; null: no time known, the newest
 * era) for an event about `app` (undefined: an event about no app).
 */
export function policyIdAt(atMs: number | null, app: App | undefined): string {
  if (atMs === null || atMs >= tiersStart) return 'xero-tiers-2026';
  if (app?.registered != null && Date.parse(app.registered) >= registrationCutoff) return 'xero-tiers-2026';
  if (atMs >= bugStart && atMs < bugEnd) return 'xero-bug-2020-02';
  return 'xero-oauth2-2019';
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
      const builtin = builtinPolicy(id);
      if (builtin === undefined) throw new Error(`timeline names unknown policy ${id}`);
      policy = adjust(builtin);
      cache.set(id, policy);
    }
    return policy;
  };
}
