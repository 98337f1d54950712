/**
 * The invariant registry: one named predicate per rule, each with the rule in a sentence and its
 * source. An invariant judges one step (the context before, the machine event, the context
 * after), so it holds across policy changes too: a lowered cap keeps the connections above it,
 * but no step may add to them. Checked after every step by the property suite and the explorer.
 *
 * Every invariant holds under every correct policy. The readings of the February 2020 bug are
 * policies that break some of them (`refusalsAreRequired` always; `tenantWithinUncertifiedLimit`
 * under `counts-app-tenants`, which lets a full tenant take a third app): that is the bug, and
 * it is how the explorer and the property suite tell a bug reading from the correct policy.
 * @module
 */
import {
  appCap,
  appCountsTowardOrgLimit,
  exceedsAppCap,
  exceedsOrgLimit,
  heldTenants,
  isOutsideLimits,
  reconsentRefused,
  tenantSubjectToOrgLimit,
  uncertifiedAppsOn,
} from './rules.ts';
import type { PlatformContext, PlatformEvent } from './transitions.ts';
import {
  appOf,
  connectionOf,
  currentAuthEventId,
  forEachLinkedTenant,
  forEachRemovedConnection,
  isLinked,
  tenantOf,
  tenantRecord,
  type World,
} from '../world/world.ts';

/** One invariant of the registry. */
export interface Invariant {
  /** The positive rule, as a name (`uncertifiedAppWithinCap`). */
  name: string;
  /** The rule in one sentence. */
  rule: string;
  /** The source sentence and its address. */
  source: string;
  /** Whether the step keeps the rule. */
  holds(before: PlatformContext, event: PlatformEvent, after: PlatformContext): boolean;
}

const keyOf = (user: string, app: string, tenant: string) => `${user}\u0000${app}\u0000${tenant}`;

/**
 * Connections present before and gone after. Worlds share what a step did not change, so only
 * the apps and tenants whose records changed identity are walked.
 */
function removedConnections(before: World, after: World): string[] {
  const removed: string[] = [];
  forEachRemovedConnection(before, after, (app, tenant, user) => removed.push(keyOf(user, app, tenant)));
  return removed;
}

/** How many connections the user has to the app: one per tenant of the app's links the user holds. */
function connectionsOfUser(world: World, app: string, user: string): number {
  let count = 0;
  forEachLinkedTenant(world, app, (tenant) => {
    if (connectionOf(world, app, tenant, user) !== undefined) count++;
  });
  return count;
}

/** The policy with the correct organisation check, one per policy (a refusal is judged by it). */
const correctReadings = new WeakMap<PlatformContext['policy'], PlatformContext['policy']>();
function correctReading(policy: PlatformContext['policy']): PlatformContext['policy'] {
  if (policy.orgLimitReading === 'correct') return policy;
  let correct = correctReadings.get(policy);
  if (correct === undefined) {
    correct = { ...policy, orgLimitReading: 'correct' };
    correctReadings.set(policy, correct);
  }
  return correct;
}

/**
 * The registry. The README lists the same names; the property suite and the explorer check
 * every one after every step.
 * @example
 * ```ts
 * import { INVARIANTS } from 'xero-connection-model';
 * console.log(INVARIANTS.length); // → 9
 * console.log(INVARIANTS[0]?.name); // → appWithinCap
 * ```
 */
export const INVARIANTS: readonly Invariant[] = [
  {
    name: 'appWithinCap',
    rule: 'A step never takes an app past its cap: when an app gains a counted tenant, it holds at most its cap afterwards.',
    source: '[DOC] developer.xero.com/documentation/oauth2/limits: "Uncertified apps will be limited to 25 connections."',
    holds: (b, e, a) => {
      if (e.type !== 'connect') return true;
      const app = appOf(a.world, e.app);
      const cap = appCap(a.policy, app);
      if (cap === null || isOutsideLimits(app)) return true;
      const held = heldTenants(a.world, a.policy, e.app);
      return held <= cap || held <= heldTenants(b.world, b.policy, e.app);
    },
  },
  {
    name: 'tenantWithinUncertifiedLimit',
    rule: 'A step never takes a tenant past its limit of uncertified apps: when a tenant gains one, it has at most the limit afterwards.',
    source: '[DOC] oauth2/limits: "each organisation or practice is limited to connecting a maximum of two uncertified apps."',
    holds: (b, e, a) => {
      // A tenant the policy exempts from the limit (a demo tenant, `demoSubjectToOrgLimit=false`) has none to pass.
      if (e.type !== 'connect' || !tenantSubjectToOrgLimit(a.policy, tenantOf(a.world, e.tenant))) return true;
      const now = uncertifiedAppsOn(a.world, a.policy, e.tenant);
      return now <= a.policy.orgCap || now <= uncertifiedAppsOn(b.world, b.policy, e.tenant);
    },
  },
  {
    name: 'certifiedAppsNeverTakeOrgSlots',
    rule: 'An app that takes no uncertified slot (certified, custom connection, OAuth 1.0a) is never refused by the organisation limit.',
    source:
      '[DOC] oauth2/limits: "There is no limit on connecting certified apps."; [DOC] faq/custom-integration: "an org can have 2 uncertified apps plus as many custom connection apps as needed".',
    holds: (b, e, a) =>
      e.type !== 'connect' || a.outcome !== 'rejected:org-limit' || appCountsTowardOrgLimit(b.policy, appOf(b.world, e.app)),
  },
  {
    name: 'demoTenantsNeverCountTowardAppCap',
    rule: "A connect to a Demo Company tenant is never refused by the app's cap (unless the policy counts demo tenants).",
    source: '[STAFF] community 144257521: "This count is all connections to your app, excluding Demo orgs".',
    holds: (b, e, a) => {
      if (e.type !== 'connect' || a.outcome !== 'rejected:app-limit' || b.policy.demoCountsTowardAppCap) return true;
      return tenantRecord(b.world, e.tenant)?.kind !== 'demo' || connectionOf(b.world, e.app, e.tenant, e.user) !== undefined;
    },
  },
  {
    name: 'usersOnOneTenantCountOnce',
    rule: 'A second user connecting an app to a tenant the app already holds is never refused by either limit.',
    source: '[NOTES] quoting oauth2/limits: "only one of those connections will count towards your connection limit".',
    holds: (b, e, a) =>
      e.type !== 'connect' ||
      connectionOf(b.world, e.app, e.tenant, e.user) !== undefined ||
      !isLinked(b.world, e.app, e.tenant) ||
      (a.outcome !== 'rejected:app-limit' && a.outcome !== 'rejected:org-limit'),
  },
  {
    name: 'refusalsAreRequired',
    rule: 'A connect is refused only when a rule requires it, and the refusal names that rule (what the February 2020 bug broke).',
    source: '[STAFF] thread 110074711: "We had a bug around the limit of uncertified apps that could be connected to a tenant".',
    holds: (b, e, a) => {
      if (e.type !== 'connect' || (a.outcome !== 'rejected:app-limit' && a.outcome !== 'rejected:org-limit')) return true;
      const policy = correctReading(b.policy);
      const app = appOf(b.world, e.app);
      const tenant = tenantOf(b.world, e.tenant);
      const reconsent = connectionOf(b.world, e.app, e.tenant, e.user) !== undefined;
      if (a.outcome === 'rejected:app-limit')
        return reconsent ? reconsentRefused(b.world, policy, app) : exceedsAppCap(b.world, policy, app, tenant);
      return !reconsent && exceedsOrgLimit(b.world, policy, app, tenant);
    },
  },
  {
    name: 'onlyDisconnectOrRevokeRemoves',
    rule: 'Only an explicit disconnect or revoke removes a connection; certification, tier changes, policy changes and the bug window never do.',
    source:
      '[NOTES] "Identifying inactive connections": connections live until deleted; [DOC] xero-identity.yaml: DELETE /connections/{id}.',
    holds: (b, e, a) => {
      const removed = removedConnections(b.world, a.world);
      if (e.type === 'disconnect') return removed.every((k) => k === keyOf(e.user, e.app, e.tenant));
      if (e.type === 'revoke') return removed.every((k) => k.startsWith(keyOf(e.user, e.app, '')));
      return removed.length === 0;
    },
  },
  {
    name: 'revokeRemovesExactlyThatUsersConnections',
    rule: "A revoke removes every connection of that user to that app, and no other user's or app's.",
    source: "[DOC] xero-node 4.10.1 release notes: token revocation removes all of the user's connections to the app.",
    holds: (b, e, a) => {
      if (e.type !== 'revoke') return true;
      return (
        connectionsOfUser(a.world, e.app, e.user) === 0 &&
        removedConnections(b.world, a.world).length === connectionsOfUser(b.world, e.app, e.user)
      );
    },
  },
  {
    name: 'oneConsentSharesOneAuthEvent',
    rule: 'Connections made or renewed by one consent share its authEventId.',
    source: '[DOC] XeroAPI/Xero-OpenAPI xero-identity.yaml: authEventId is "shared across connections authorised at the same time".',
    holds: (b, e, a) => {
      if (e.type !== 'connect' || (a.outcome !== 'connected' && a.outcome !== 'reconnected')) return true;
      const c = connectionOf(a.world, e.app, e.tenant, e.user);
      if (a.outcome === 'reconnected' && !b.policy.reconsentTakesNewAuthEvent) return c !== undefined;
      return c?.authEventId === currentAuthEventId(a.world);
    },
  },
];

/** The names of the invariants a step breaks (empty: it keeps them all). */
export function brokenInvariants(before: PlatformContext, event: PlatformEvent, after: PlatformContext): string[] {
  const broken: string[] = [];
  for (const invariant of INVARIANTS) if (!invariant.holds(before, event, after)) broken.push(invariant.name);
  return broken;
}

/** Whether a step keeps every invariant (each is evaluated until one fails: the explorer's test of every transition). */
export function keepsInvariants(before: PlatformContext, event: PlatformEvent, after: PlatformContext): boolean {
  for (let i = 0; i < INVARIANTS.length; i++) if (!(INVARIANTS[i] as Invariant).holds(before, event, after)) return false;
  return true;
}
