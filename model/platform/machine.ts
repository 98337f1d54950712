/**
 * The platform machine: the single source of truth of the connection rules. Its state nodes are
 * the platform's regime, each with its own connect decision: `normal` decides by the rules,
 * `bugWindow` by the February 2020 bug's organisation check. Its context is the world.
 * Each event's transitions are listed in the order the platform decides them; the first whose
 * guard holds is taken. Pure and synchronous: no invoke, no delays, no side effects.
 * @module
 */
import { assign, setup } from 'xstate';
import type { Policy } from './policy.ts';
import { actions, guards, type PlatformContext, type PlatformEvent } from './transitions.ts';
import { EMPTY_WORLD, type World } from '../world/world.ts';

/** What the machine starts from. */
export interface PlatformInput {
  policy: Policy;
  world?: World;
}

type Args = { context: PlatformContext; event: PlatformEvent };

/**
 * The guard and action functions a platform machine binds by name. The default is the model's;
 * the property suite builds deliberately broken machines (mutants) by replacing one of them.
 */
export interface PlatformImplementations {
  guards: { [K in keyof typeof guards]: (c: PlatformContext, e: never) => boolean };
  actions: { [K in keyof typeof actions]: (c: PlatformContext, e: never) => PlatformContext };
}

/** The model's own implementations. */
export const MODEL_IMPLEMENTATIONS = { guards, actions } satisfies PlatformImplementations;

function bind(impl: PlatformImplementations) {
  type AnyGuard = (c: PlatformContext, e: PlatformEvent) => boolean;
  type AnyAction = (c: PlatformContext, e: PlatformEvent) => PlatformContext;
  const boundGuards = Object.fromEntries(
    Object.entries(impl.guards).map(([name, guard]) => [name, ({ context, event }: Args) => (guard as AnyGuard)(context, event)]),
  ) as Record<keyof typeof guards, (args: Args) => boolean>;
  const boundActions = Object.fromEntries(
    Object.entries(impl.actions).map(([name, action]) => [
      name,
      assign(({ context, event }: Args) => (action as AnyAction)(context, event)),
    ]),
  ) as unknown as Record<keyof typeof actions, ReturnType<typeof assign<PlatformContext, PlatformEvent, undefined, PlatformEvent, never>>>;
  return { boundGuards, boundActions };
}

/**
 * A regime's connect decision, in order: re-consent, outside the limits, the app's cap, the
 * tenant's limit; the regime names the guards of the two limits.
 */
function connectDecision<App extends 'appLimitRefuses' | 'bugAppLimitRefuses', Org extends 'orgLimitRefuses' | 'bugOrgLimitRefuses'>(
  appLimit: App,
  orgLimit: Org,
) {
  return [
    { guard: 'reconsentRefused', actions: 'refuseAppLimit' },
    { guard: 'isReconsent', actions: 'renewConnection' },
    { guard: 'isOutsideLimits', actions: 'addConnection' },
    { guard: appLimit, actions: 'refuseAppLimit' },
    { guard: orgLimit, actions: 'refuseOrgLimit' },
    { actions: 'addConnection' },
  ] as const;
}

/** A platform machine over the given implementations (the model's by default). */
export function createPlatformMachine(impl: PlatformImplementations = MODEL_IMPLEMENTATIONS) {
  const { boundGuards, boundActions } = bind(impl);
  return setup({
    types: {
      context: {} as PlatformContext,
      events: {} as PlatformEvent,
      input: {} as PlatformInput,
    },
    guards: boundGuards,
    actions: boundActions,
  }).createMachine({
    id: 'platform',
    /** The start: the input's policy and world (empty by default), no outcome yet. */
    context: ({ input }) => ({ policy: input.policy, world: input.world ?? EMPTY_WORLD, outcome: null }),
    initial: 'normal',
    states: {
      /** Decisions follow the rules; entering a policy that is a reading of the 2020 bug opens the bug window. */
      normal: {
        always: { guard: 'policyIsBuggy', target: 'bugWindow' },
        on: { connect: [...connectDecision('appLimitRefuses', 'orgLimitRefuses')] },
      },
      /**
       * The February 2020 bug window: the organisation check misbehaves as the policy's
       * `orgLimitReading` says; entering a correct policy (the fix) closes it.
       */
      bugWindow: {
        always: { guard: 'policyIsCorrect', target: 'normal' },
        on: { connect: [...connectDecision('bugAppLimitRefuses', 'bugOrgLimitRefuses')] },
      },
    },
    on: {
      policy: { actions: 'enterPolicy' },
      app: [{ guard: 'appChangeAllowed', actions: 'declareApp' }, { actions: 'refuseRequirements' }],
      tenant: { actions: 'declareTenant' },
      consent: { actions: 'beginConsent' },
      disconnect: [{ guard: 'hasConnection', actions: 'removeConnection' }, { actions: 'reportNotConnected' }],
      revoke: { actions: 'revokeUser' },
      certify: { actions: 'certifyApp' },
      tier: [{ guard: 'tierAllowed', actions: 'changeTier' }, { actions: 'refuseRequirements' }],
    },
  });
}

/**
 * The platform machine: the single source of truth of the rules. Pure and synchronous; its
 * events are the driver's (a trace's `connect` of several tenants is a `consent`, then one
 * `connect` per tenant; `check` and `run` do this for you).
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * import { platformMachine, resolvePolicy } from 'xero-connection-model';
 * const platform = createActor(platformMachine, { input: { policy: resolvePolicy('xero-oauth2-2019', ['appCap=1']) } }).start();
 * const outcomes = ['t1', 't2'].map((tenant) => {
 *   platform.send({ type: 'tenant', tenant, kind: 'organisation' });
 *   platform.send({ type: 'consent' });
 *   platform.send({ type: 'connect', app: 'a', tenant, user: 'u', at: null });
 *   return platform.getSnapshot().context.outcome;
 * });
 * console.log(outcomes.join(' ')); // → connected rejected:app-limit
 * ```
 */
export const platformMachine = createPlatformMachine();

/** A snapshot of the platform machine. */
export type PlatformSnapshot = ReturnType<typeof platformMachine.resolveState>;
