/**
 * The built-in policies, each a value of `Policy` with its sources. A policy differs from the
 * one it refines only in the parameters it names; every other value is inherited.
 * @module
 */
import type { Policy, PolicyParameters } from './policy.ts';

/** The OAuth 2.0 limits as enforced from launch (December 2019) until the 2026 tiers. */
const oauth2: Policy = {
  id: 'xero-oauth2-2019',
  title: 'OAuth 2.0 limits: 25 tenants per uncertified app, 2 uncertified apps per organisation',
  inForce: 'OAuth 2.0 launch (December 2019) until 2026-03-01, outside the bug window',
  sources: [
    '[DOC] developer.xero.com/documentation/oauth2/limits: "Uncertified apps will be limited to 25 connections."',
    '[DOC] oauth2/limits: "each organisation or practice is limited to connecting a maximum of two uncertified apps. There is no limit on connecting certified apps."',
    '[STAFF] community thread 110074711: "The correct number is 25 with OAuth 2.0 apps"',
  ],
  appCap: 25,
  orgCap: 2,
  certifiedCap: null,
  customCap: 1,
  tiered: false,
  starterCap: 5,
  coreCap: 50,
  plusCap: 1000,
  advancedCap: 10000,
  enterpriseCap: null,
  assumedTier: 'starter',
  assumedCertifiedTier: 'plus',
  demoCountsTowardAppCap: false,
  demoSubjectToOrgLimit: true,
  reconsentAtCap: true,
  reconsentKeepsConnectionId: true,
  reconsentTakesNewAuthEvent: true,
  checkOrder: 'app-first',
  orgLimitReading: 'correct',
};

function refine(base: Policy, changes: Partial<Policy> & Pick<Policy, 'id' | 'title' | 'inForce' | 'sources'>): Policy {
  return { ...base, ...changes };
}

const partnerPage = refine(oauth2, {
  id: 'xero-partner-page-2019',
  title: 'The App Partner page claim: 20 organisations per uncertified app',
  inForce: 'never enforced for OAuth 2.0; a documentation claim corrected in 2020',
  sources: [
    '[DOC] developer.xero.com/partner/app-partner, quoted in thread 110074711: "may not exceed 20 organisations"',
    '[STAFF] thread 110074711: "We need to update our App partner page"',
  ],
  appCap: 20,
});

const bugSources = [
  '[STAFF] thread 110074711: "We had a bug around the limit of uncertified apps that could be connected to a tenant that was introduced yesterday afternoon and resolved this morning (both NZT)."',
  '[DOC] XeroAPI/Xero-OpenAPI issue 140 (2020-02-10): blocked though the only other connected app was Square (a certified app).',
];
const bugInForce = 'the bug window: 2020-02-09T12:00+13:00 to 2020-02-10T12:00+13:00 (NZDT; bounds assumed)';

/** The bug compared the app's own tenant count with the per-organisation limit. */
const bugAppTenants = refine(oauth2, {
  id: 'xero-bug-2020-02/counts-app-tenants',
  title: "Bug reading: the organisation check compared the app's tenant count with the limit of 2",
  inForce: bugInForce,
  sources: bugSources,
  orgLimitReading: 'counts-app-tenants',
});

/**
 * The default reading of the bug. Chosen because it is the only reading under which both reported
 * refusals follow from what the reports state: a developer's app already connected to a few
 * tenants refused a demo company, and a tenant whose only other app was certified refused a new
 * uncertified app. Counting every app needs two other apps on that tenant; refusing at the limit
 * needs one other uncertified app; the reports name neither.
 */
const bugDefault: Policy = {
  ...bugAppTenants,
  id: 'xero-bug-2020-02',
  title: 'The February 2020 bug window, default reading (counts-app-tenants)',
};

const bugEveryApp = refine(oauth2, {
  id: 'xero-bug-2020-02/counts-every-app',
  title: 'Bug reading: the organisation check counted certified, custom and OAuth 1.0a apps too',
  inForce: bugInForce,
  sources: bugSources,
  orgLimitReading: 'counts-every-app',
});

const bugAtLimit = refine(oauth2, {
  id: 'xero-bug-2020-02/refuses-at-limit',
  title: 'Bug reading: the organisation check refused at the limit instead of past it',
  inForce: bugInForce,
  sources: bugSources,
  orgLimitReading: 'refuses-at-limit',
});

const tiers = refine(oauth2, {
  id: 'xero-tiers-2026',
  title: '2026 tiers: Starter 5, Core 50, Plus 1,000, Advanced 10,000, Enterprise unlimited',
  inForce: 'from 2026-03-02 for apps registered before 2025-12-04; from registration for later ones',
  sources: [
    '[DOC] developer.xero.com/faq/pricing-and-policy-updates and /pricing',
    '[DOC] oauth2/limits (2026): "New apps default to the starter tier with 5 connections. Moving up to Core will give you up to 50 connections."',
    '[DOC] faq/remote-mcp: "Apps on Plus, Advanced and Enterprise must be certified"',
  ],
  tiered: true,
});

/**
 * Every built-in policy, by id, oldest first.
 * @example
 * ```ts
 * import { BUILTIN_POLICIES } from 'xero-connection-model';
 * console.log(BUILTIN_POLICIES.map((p) => `${p.id} ${p.tiered ? p.starterCap : p.appCap}`).join(', '));
 * // → xero-partner-page-2019 20, xero-oauth2-2019 25, xero-bug-2020-02 25, xero-bug-2020-02/counts-app-tenants 25, xero-bug-2020-02/counts-every-app 25, xero-bug-2020-02/refuses-at-limit 25, xero-tiers-2026 5
 * ```
 */
export const BUILTIN_POLICIES: readonly Policy[] = [partnerPage, oauth2, bugDefault, bugAppTenants, bugEveryApp, bugAtLimit, tiers];

/**
 * The built-in policy with this id, if any.
 * @example
 * ```ts
 * import { builtinPolicy } from 'xero-connection-model';
 * console.log(builtinPolicy('xero-oauth2-2019')?.orgCap); // → 2
 * console.log(builtinPolicy('xero')); // → undefined
 * ```
 */
export function builtinPolicy(id: string): Policy | undefined {
  return BUILTIN_POLICIES.find((p) => p.id === id);
}

/** The parameters of a policy, without its descriptive fields. */
export function parametersOf(policy: Policy): PolicyParameters {
  const { id: _id, title: _title, inForce: _inForce, sources: _sources, ...parameters } = policy;
  return parameters;
}
