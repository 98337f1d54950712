/**
 * A policy is data: the caps, what counts, and every assumption the sources leave open, each a
 * named parameter with a default and the reason for it. The machine reads these values; it never
 * hard-codes a number.
 * @module
 */
import { TIERS, type Tier } from '../types.ts';

/** How the per-organisation check counts and compares; every value but `correct` is a reading
 * of the February 2020 bug (RULES.md section 4: "What the bug did exactly is unknown"). */
export type OrgLimitReading = 'correct' | 'counts-every-app' | 'refuses-at-limit' | 'counts-app-tenants';
/** Every reading of the organisation check. */
export const ORG_LIMIT_READINGS: readonly OrgLimitReading[] = ['correct', 'counts-every-app', 'refuses-at-limit', 'counts-app-tenants'];

/** The parameters of a policy: the values `--set` and policy files may change. */
export interface PolicyParameters {
  /** Tenants an uncertified app may hold outside the 2026 tiers. */
  appCap: number;
  /** Uncertified apps one organisation or practice may have connected. */
  orgCap: number;
  /** Tenants a certified app may hold outside the tiers; null is unlimited. */
  certifiedCap: number | null;
  /** Tenants a custom connection may hold. */
  customCap: number;
  /** Whether the 2026 tiers decide an app's cap (otherwise certification does). */
  tiered: boolean;
  /** Starter tier cap (2026). */
  starterCap: number;
  /** Core tier cap (2026). */
  coreCap: number;
  /** Plus tier cap (2026). */
  plusCap: number;
  /** Advanced tier cap (2026). */
  advancedCap: number;
  /** Enterprise tier cap (2026); null is unlimited. */
  enterpriseCap: number | null;
  /** The tier the 2026 tiers give an uncertified app that declared none. */
  assumedTier: 'starter' | 'core';
  /** The tier the 2026 tiers give a certified app that declared none. */
  assumedCertifiedTier: Tier;
  /** Whether demo tenants count toward an app's cap. */
  demoCountsTowardAppCap: boolean;
  /** Whether a demo tenant is subject to the organisation's limit of uncertified apps. */
  demoSubjectToOrgLimit: boolean;
  /** Whether re-consent of an existing (user, app, tenant) connection succeeds at the app's cap. */
  reconsentAtCap: boolean;
  /** Whether a re-consent keeps the connection id. */
  reconsentKeepsConnectionId: boolean;
  /** Whether a re-consent gives the connection the new consent's authEventId. */
  reconsentTakesNewAuthEvent: boolean;
  /** Which check decides when both limits would refuse a connect. */
  checkOrder: 'app-first' | 'org-first';
  /** How the organisation check counts; anything but `correct` is the 2020 bug. */
  orgLimitReading: OrgLimitReading;
}

/** A policy: parameters plus what it is, when it was in force, and where it comes from. */
export interface Policy extends PolicyParameters {
  id: string;
  title: string;
  /** When the policy was in force, in words, with the bounds the timeline uses. */
  inForce: string;
  /** Where the numbers come from (labels of RULES.md). */
  sources: string[];
  /** The changes made to it by `--set` or a policy file's dated change, as `key=value`, in order. */
  overrides?: readonly string[];
}

/**
 * Keys that change nothing under a policy: the flat caps under the tiers, the tiers' keys
 * outside them. `--set` says which policies such a key leaves as they are.
 */
export function inertKeys(policy: PolicyParameters): readonly (keyof PolicyParameters)[] {
  return policy.tiered
    ? ['appCap', 'certifiedCap']
    : ['starterCap', 'coreCap', 'plusCap', 'advancedCap', 'enterpriseCap', 'assumedTier', 'assumedCertifiedTier'];
}

/** A policy as reasons name it: its id, and the overrides in force (`xero-oauth2-2019 with appCap=20`). */
export function policyLabel(policy: Policy): string {
  const overrides = policy.overrides ?? [];
  return overrides.length === 0 ? policy.id : `${policy.id} with ${overrides.join(', ')}`;
}

/** One documented parameter: its meaning, its default, and why that default was chosen. */
export interface ParameterDoc {
  key: keyof PolicyParameters;
  kind: 'count' | 'count-or-unlimited' | 'boolean' | 'enum';
  values?: readonly string[];
  meaning: string;
  why: string;
  /**
   * Whether `xcm infer` tries the parameter's values against a trace's observations (absent:
   * yes). False for `tiered`, which is the policy's structure (which era it is) rather than a
   * reading of the rules, and for what only the connection records show, never an outcome
   * (`reconsentKeepsConnectionId`, `reconsentTakesNewAuthEvent`): a trace cannot tell their values apart.
   */
  inferred?: false;
  /**
   * Where the question the parameter settles arises, beyond the policies where it is not inert
   * (absent: everywhere). `bug-window`: only under a policy of the February 2020 bug (its
   * organisation check is not `correct`, the machine's `policyIsBuggy`), since the other values
   * are readings of that bug; elsewhere the check is the correct one by definition.
   */
  scope?: 'bug-window';
}

/**
 * Every parameter, documented. The `why` of an assumption names the source that is silent
 * (RULES.md section 5 lists the open questions).
 */
export const PARAMETERS: readonly ParameterDoc[] = [
  {
    key: 'appCap',
    kind: 'count',
    meaning: 'tenants an uncertified app may hold at once, outside the 2026 tiers (under the tiers: starterCap and the others)',
    why: '[DOC] oauth2/limits: "Uncertified apps will be limited to 25 connections."',
  },
  {
    key: 'orgCap',
    kind: 'count',
    meaning: 'uncertified apps one organisation or practice may have connected at once',
    why: '[DOC] oauth2/limits: "each organisation or practice is limited to connecting a maximum of two uncertified apps."',
  },
  {
    key: 'certifiedCap',
    kind: 'count-or-unlimited',
    meaning: 'tenants a certified app may hold outside the tiers',
    why: '[DOC] faq/migration: certified apps have "no connection limit".',
  },
  {
    key: 'customCap',
    kind: 'count',
    meaning: 'tenants a custom connection may hold',
    why: '[DOC] faq/custom-integration: a custom connection connects one organisation.',
  },
  {
    key: 'tiered',
    kind: 'boolean',
    inferred: false,
    meaning: "whether the 2026 tiers decide an app's cap",
    why: '[DOC] pricing-and-policy-updates: tiers replace the flat cap from 2026-03-02.',
  },
  { key: 'starterCap', kind: 'count', meaning: 'tenants an app on Starter may hold (2026)', why: '[DOC] /pricing: Starter 5.' },
  { key: 'coreCap', kind: 'count', meaning: 'tenants an app on Core may hold', why: '[DOC] /pricing: Core 50.' },
  { key: 'plusCap', kind: 'count', meaning: 'tenants an app on Plus may hold', why: '[DOC] /pricing: Plus 1,000.' },
  { key: 'advancedCap', kind: 'count', meaning: 'tenants an app on Advanced may hold', why: '[DOC] /pricing: Advanced 10,000.' },
  {
    key: 'enterpriseCap',
    kind: 'count-or-unlimited',
    meaning: 'tenants an app on Enterprise may hold',
    why: '[DOC] /pricing: Enterprise unlimited.',
  },
  {
    key: 'assumedTier',
    kind: 'enum',
    values: ['starter', 'core'],
    meaning:
      'the tier the 2026 tiers give an uncertified app whose trace declares none (declare one with "tier" on its app event, or a tier event)',
    why: 'Assumption: a trace seldom says which tier an app chose. Default starter: [DOC] oauth2/limits (2026): "New apps default to the starter tier with 5 connections", and [DOC] the pricing FAQ: "In order to add a 6th connection, you will need to first add your payment details" (Core); no source says an existing app was moved to Core.',
  },
  {
    key: 'assumedCertifiedTier',
    kind: 'enum',
    values: TIERS,
    meaning: 'the tier the 2026 tiers give a certified app whose trace declares none',
    why: 'Assumption: no source says which tier a certified App Partner app was put on. Default plus, the cheapest tier a certified app can hold ([DOC] faq/remote-mcp: "Apps on Plus, Advanced and Enterprise must be certified"): it keeps connecting (1,000) and, being certified, takes no organisation slot, as before the tiers.',
  },
  {
    key: 'demoCountsTowardAppCap',
    kind: 'boolean',
    meaning: "whether Demo Company tenants count toward an app's cap",
    why: '[STAFF] community 144257521: "all connections to your app, excluding Demo orgs".',
  },
  {
    key: 'demoSubjectToOrgLimit',
    kind: 'boolean',
    meaning: "whether a demo tenant is subject to the organisation's limit of uncertified apps",
    why: 'Assumption (RULES.md, open question 4): no source says. Default true: the forum thread (community 110074711) reports a demo tenant refused by the per-tenant check, which could not happen if demo tenants were exempt.',
  },
  {
    key: 'reconsentAtCap',
    kind: 'boolean',
    meaning: 'whether re-consent of an already-connected (user, app, tenant) succeeds while the app is at its cap',
    why: "Assumption (RULES.md, open question 6): no source says. Default true: re-consent adds no tenant, so no cap is exceeded; Fivetran's advice to stay at 24 of 25 is a caution, not a report of refusal.",
  },
  {
    key: 'reconsentKeepsConnectionId',
    kind: 'boolean',
    inferred: false,
    meaning: 'whether a re-consent keeps the connection id',
    why: 'Assumption (RULES.md, open question 2): no source says. Default true: the record is "already connected" and updatedDateUtc changes, which reads as the same record updated.',
  },
  {
    key: 'reconsentTakesNewAuthEvent',
    kind: 'boolean',
    inferred: false,
    meaning: "whether a re-consent gives the connection the new consent's authEventId",
    why: 'Assumption (RULES.md, open question 3): reports conflict. Default true: authEventId is "shared across connections authorised at the same time", and a re-consent is an authorisation.',
  },
  {
    key: 'checkOrder',
    kind: 'enum',
    values: ['app-first', 'org-first'],
    meaning: 'which limit names the refusal when both would refuse',
    why: "Assumption: no source says. Default app-first: at the app's cap the platform sends the user to authorize.xero.com/connectionLimit before any tenant is chosen ([3P] Pipedream issues 21951, 22026).",
  },
  {
    key: 'orgLimitReading',
    kind: 'enum',
    values: ORG_LIMIT_READINGS,
    scope: 'bug-window',
    meaning: "how the organisation check counts: 'correct', or one reading of the February 2020 bug",
    why: 'Rules document section 4: what the bug did exactly is unknown; each reading is a separate built-in policy.',
  },
];

/** Look up a parameter's documentation by key. */
export function parameterDoc(key: string): ParameterDoc | undefined {
  return PARAMETERS.find((p) => p.key === key);
}

/** A value a parameter can take: a count, null (unlimited), true or false, or one of its words. */
export type ParameterValue = PolicyParameters[keyof PolicyParameters];

/**
 * The declared domain of a reading (a boolean or enum parameter): its `values`, or true and
 * false. Null for a count: a cap's candidates are counts, as many as a trace can tell apart.
 */
export function readingValues(doc: ParameterDoc): readonly ParameterValue[] | null {
  if (doc.kind === 'boolean') return [true, false];
  if (doc.kind === 'enum') return (doc.values ?? []) as readonly ParameterValue[];
  return null;
}

/**
 * Whether the question a parameter settles arises under a policy, so that a trace's outcomes
 * there can say something about its value: it is tried by `xcm infer`, it changes something
 * under the policy (not among `inertKeys`), and it is in its `scope`.
 */
export function arisesUnder(doc: ParameterDoc, policy: PolicyParameters): boolean {
  if (doc.inferred === false || inertKeys(policy).includes(doc.key)) return false;
  return doc.scope !== 'bug-window' || policy.orgLimitReading !== 'correct';
}

/** The cap of a tier under a policy (null: unlimited). */
export function tierCap(policy: PolicyParameters, tier: Tier): number | null {
  switch (tier) {
    case 'starter':
      return policy.starterCap;
    case 'core':
      return policy.coreCap;
    case 'plus':
      return policy.plusCap;
    case 'advanced':
      return policy.advancedCap;
    case 'enterprise':
      return policy.enterpriseCap;
  }
}
