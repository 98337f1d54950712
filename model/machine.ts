/**
 * The platform machine: the single source of truth of the connection rules. Its state nodes are
 * the platform's regime (normal, or the February 2020 bug window); its context is the world.
 * Each event's transitions are listed in the order the platform decides them; the first whose
 * guard holds is taken. Pure and synchronous: no invoke, no delays, no side effects.
 * @module
 */
import { assign, setup } from 'xstate';
import type { Policy } from './policy.ts';
import { actions, guards, type ActionName, type GuardName, type PlatformContext, type PlatformEvent } from './transitions.ts';
import { EMPTY_WORLD, type World } from './world.ts';

/** What the machine starts from. */
export interface PlatformInput {
  policy: Policy;
  world?: World;
}

type Args = { context: PlatformContext; event: PlatformEvent };
type AnyGuard = (c: PlatformContext, e: never) => boolean;
type AnyAction = (c: PlatformContext, e: never) => PlatformContext;

const boundGuards = Object.fromEntries(
  Object.entries(guards).map(([name, guard]) => [name, ({ context, event }: Args) => (guard as AnyGuard)(context, event as never)]),
) as Record<GuardName, (args: Args) => boolean>;

const boundActions = Object.fromEntries(
  Object.entries(actions).map(([name, action]) => [
    name,
    assign(({ context, event }: Args) => (action as AnyAction)(context, event as never)),
  ]),
) as unknown as Record<ActionName, ReturnType<typeof assign<PlatformContext, PlatformEvent, undefined, PlatformEvent, never>>>;

/** The connect decision, in order: re-consent, outside the limits, the app's cap, the tenant's limit. */
const connectTransitions = [
  { guard: 'reconsentRefused', actions: 'refuseAppLimit' },
  { guard: 'isReconsent', actions: 'renewConnection' },
  { guard: 'isOutsideLimits', actions: 'addConnection' },
  { guard: 'appLimitRefuses', actions: 'refuseAppLimit' },
  { guard: 'orgLimitRefuses', actions: 'refuseOrgLimit' },
  { actions: 'addConnection' },
] as const;

/** The platform machine. */
export const platformMachine = setup({
  types: {
    context: {} as PlatformContext,
    events: {} as PlatformEvent,
    input: {} as PlatformInput,
  },
  guards: boundGuards,
  actions: boundActions,
}).createMachine({
  id: 'platform',
  context: ({ input }) => ({ policy: input.policy, world: input.world ?? EMPTY_WORLD, outcome: null }),
  initial: 'normal',
  states: {
    /** Decisions follow the policy's rules. */
    normal: { always: { guard: 'policyIsBuggy', target: 'bugWindow' } },
    /** The organisation check misbehaves as the policy's `orgLimitReading` says. */
    bugWindow: { always: { guard: 'policyIsCorrect', target: 'normal' } },
  },
  on: {
    policy: { actions: 'enterPolicy' },
    app: [{ guard: 'appChangeAllowed', actions: 'declareApp' }, { actions: 'refuseRequirements' }],
    tenant: { actions: 'declareTenant' },
    consent: { actions: 'beginConsent' },
    connect: [...connectTransitions],
    disconnect: [{ guard: 'hasConnection', actions: 'removeConnection' }, { actions: 'reportNotConnected' }],
    revoke: { actions: 'revokeUser' },
    certify: { actions: 'certifyApp' },
    tier: [{ guard: 'tierAllowed', actions: 'changeTier' }, { actions: 'refuseRequirements' }],
  },
});

/** A snapshot of the platform machine. */
export type PlatformSnapshot = ReturnType<typeof platformMachine.resolveState>;
