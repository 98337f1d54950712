/**
 * Teeth: deliberately broken variants of the model (mutants), each a plausible regression of the
 * platform or of the model. The default property suite must catch every one, and fast-check must
 * shrink each to a short trace (`mutants.test.ts`; `npm run mutants` prints the table).
 *
 * A mutant is a `Model` built from the model's own guards and actions with one replaced, or with
 * every one of them reading a misread policy. A misreading mutant keeps the true policy in its
 * context, so every property still judges it against the policy actually in force.
 * @module
 */
import { compilePlatform } from '../model/engine/compiled.ts';
import { MODEL_IMPLEMENTATIONS, platformMachine, type PlatformImplementations } from '../model/platform/machine.ts';
import type { OrgLimitReading, Policy } from '../model/platform/policy.ts';
import { createModel, type Model } from '../model/engine/step.ts';
import type { PlatformContext, PlatformEvent } from '../model/platform/transitions.ts';
import * as broken from './mutant-parts.ts';

/** One mutant: its name, what it breaks, the model, and the property meant to catch it first. */
export interface Mutant {
  readonly name: string;
  readonly description: string;
  readonly model: Model;
  /** The id of the property expected to catch it (the mutant test tries it first). */
  readonly caughtBy: string;
}

type AnyGuard = (c: PlatformContext, e: PlatformEvent) => boolean;
type AnyAction = (c: PlatformContext, e: PlatformEvent) => PlatformContext;

/** The model's implementations with some guards or actions replaced. */
function replacing(parts: {
  guards?: Partial<PlatformImplementations['guards']>;
  actions?: Partial<PlatformImplementations['actions']>;
}): PlatformImplementations {
  return {
    guards: { ...MODEL_IMPLEMENTATIONS.guards, ...parts.guards } as PlatformImplementations['guards'],
    actions: { ...MODEL_IMPLEMENTATIONS.actions, ...parts.actions } as PlatformImplementations['actions'],
  };
}

/** Every guard and action reads `adjust(policy)` in place of the policy in force; the context keeps the true one. */
function misreading(adjust: (p: Policy) => Policy): PlatformImplementations {
  const memo = new WeakMap<Policy, Policy>();
  const read = (p: Policy) => {
    let seen = memo.get(p);
    if (seen === undefined) {
      seen = adjust(p);
      memo.set(p, seen);
    }
    return seen;
  };
  const guards = Object.fromEntries(
    Object.entries(MODEL_IMPLEMENTATIONS.guards).map(([name, guard]) => [
      name,
      (c: PlatformContext, e: PlatformEvent) => (guard as AnyGuard)({ ...c, policy: read(c.policy) }, e),
    ]),
  );
  const actions = Object.fromEntries(
    Object.entries(MODEL_IMPLEMENTATIONS.actions).map(([name, action]) => [
      name,
      (c: PlatformContext, e: PlatformEvent) => {
        const seen = read(c.policy);
        const next = (action as AnyAction)({ ...c, policy: seen }, e);
        return next.policy === seen ? { ...next, policy: c.policy } : next;
      },
    ]),
  );
  return { guards, actions } as unknown as PlatformImplementations;
}

function mutant(name: string, description: string, caughtBy: string, impl: PlatformImplementations): Mutant {
  return { name, description, caughtBy, model: createModel(impl) };
}

const bugReading =
  (reading: OrgLimitReading) =>
  (p: Policy): Policy =>
    p.orgLimitReading === 'correct' ? { ...p, orgLimitReading: reading } : p;

/** The compiled table built from other functions than the machine's: the two engines part. */
function compiledFromStaleParts(): Model {
  return {
    machine: platformMachine,
    compiled: compilePlatform(platformMachine, replacing({ guards: { isReconsent: broken.neverReconsent } })),
  };
}

const cap = (change: (p: Policy) => Partial<Policy>) => misreading((p) => ({ ...p, ...change(p) }));

/** Every mutant. */
export const MUTANTS: readonly Mutant[] = [
  mutant(
    'bug-counts-app-tenants',
    'the 2020 bug, reading counts-app-tenants, never fixed',
    'recovery/after-window',
    misreading(bugReading('counts-app-tenants')),
  ),
  mutant(
    'bug-counts-every-app',
    'the 2020 bug, reading counts-every-app, never fixed',
    'precision/required',
    misreading(bugReading('counts-every-app')),
  ),
  mutant(
    'bug-refuses-at-limit',
    'the 2020 bug, reading refuses-at-limit, never fixed',
    'precision/required',
    misreading(bugReading('refuses-at-limit')),
  ),
  mutant(
    'app-cap-minus-one',
    'the app cap off by one: refuses at cap-1',
    'precision/required',
    cap((p) => ({ appCap: p.appCap - 1, starterCap: p.starterCap - 1 })),
  ),
  mutant(
    'app-cap-plus-one',
    'the app cap off by one: allows cap+1',
    'safety/app-cap',
    cap((p) => ({ appCap: p.appCap + 1, starterCap: p.starterCap + 1 })),
  ),
  mutant(
    'org-limit-plus-one',
    'the organisation limit off by one: allows a third uncertified app',
    'safety/org-limit',
    cap((p) => ({ orgCap: p.orgCap + 1 })),
  ),
  mutant(
    'certified-counted',
    'certified apps counted toward the organisation limit',
    'safety/certified-not-counted',
    replacing({ guards: { orgLimitRefuses: broken.countsCertifiedApps } }),
  ),
  mutant(
    'demo-counted',
    'demo tenants counted toward the app cap',
    'safety/demo-not-counted',
    cap(() => ({ demoCountsTowardAppCap: true })),
  ),
  mutant(
    'second-user-counted',
    "a second user's connection counted again toward the app cap",
    'safety/users-once',
    replacing({ guards: { appLimitRefuses: broken.countsConnections } }),
  ),
  mutant(
    'org-first',
    'the refusal names the organisation limit where the app cap decides',
    'precision/names-rule',
    cap(() => ({ checkOrder: 'org-first' })),
  ),
  mutant(
    'disconnect-keeps-count',
    'disconnect removes the connection but not its count: capacity is not freed',
    'recovery/freed',
    replacing({ actions: { removeConnection: broken.disconnectLeavesCount } }),
  ),
  mutant(
    'lowered-cap-trims',
    'a lowered cap drops the connections above it',
    'recovery/lowered-keeps',
    replacing({ actions: { enterPolicy: broken.enterPolicyTrimming } }),
  ),
  mutant(
    'disconnect-removes-tenant',
    "disconnect removes every user's connection to the tenant",
    'no-loss/only-explicit',
    replacing({ actions: { removeConnection: broken.disconnectWholeTenant } }),
  ),
  mutant(
    'revoke-removes-others',
    "revoke removes other users' connections to the app",
    'no-loss/revoke-exact',
    replacing({ actions: { revokeUser: broken.revokeEveryone } }),
  ),
  mutant(
    'reconsent-counted',
    're-consent counted as a new tenant',
    'differential/reference',
    replacing({ guards: broken.reconsentAsNewTenant }),
  ),
  mutant(
    'reconsent-keeps-auth-event',
    "a re-consent keeps the connection's old authEventId",
    'safety/one-auth-event',
    replacing({ actions: { renewConnection: broken.reconsentKeepsAuthEvent } }),
  ),
  mutant(
    'global-connection-ids',
    'connection ids drawn from a process-wide counter',
    'determinism/replay',
    replacing({ actions: { addConnection: broken.globalConnectionIds } }),
  ),
  {
    name: 'compiled-stale',
    description: 'the compiled table binds a stale guard the machine does not use',
    caughtBy: 'compiled/equals-machine',
    model: compiledFromStaleParts(),
  },
  {
    name: 'compiled-stale-check',
    description: 'the compiled table that check steps over a draft world binds a stale guard the machine does not use',
    caughtBy: 'compiled/draft-checks-as-machine',
    model: compiledFromStaleParts(),
  },
];

/** The mutant with this name. */
export function mutantByName(name: string): Mutant | undefined {
  return MUTANTS.find((m) => m.name === name);
}
