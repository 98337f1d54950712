/**
 * The lifecycle of one app: uncertified or certified, and its 2026 tier. The platform machine
 * steps this machine to decide whether a certification or a tier change is allowed.
 *
 * Tier prerequisites ([DOC] /pricing, faq/remote-mcp): Core needs a payment method (assumed
 * present: the model has no payment event); Plus, Advanced and Enterprise need certification
 * ("Apps on Plus, Advanced and Enterprise must be certified"); Advanced and Enterprise also need
 * a security assessment (assumed passed: no event for it). So an uncertified app can be on
 * Starter or Core only. Certification keeps the tier. Nothing withdraws a certification.
 * @module
 */
import { setup } from 'xstate';
import { INERT_SCOPE } from './scope.ts';
import { TIERS, type App, type Tier } from '../types.ts';

/** What the lifecycle responds to. */
export type LifecycleEvent = { type: 'certify' } | { type: 'tier'; tier: Tier };

/** Tiers an uncertified app may hold. */
export const UNCERTIFIED_TIERS: readonly Tier[] = ['starter', 'core'];

function tierTransitions(tiers: readonly Tier[]) {
  return tiers.map((tier) => ({ guard: { type: 'movesTo' as const, params: { tier } }, target: `.${tier}` }));
}

/**
 * The app lifecycle machine. New apps start uncertified on Starter.
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * import { appLifecycleMachine } from 'xero-connection-model';
 * const app = createActor(appLifecycleMachine).start();
 * app.send({ type: 'tier', tier: 'plus' }); // refused: Plus needs certification
 * app.send({ type: 'certify' });
 * app.send({ type: 'tier', tier: 'plus' });
 * console.log(JSON.stringify(app.getSnapshot().value)); // → {"certified":"plus"}
 * ```
 */
export const appLifecycleMachine = setup({
  types: { events: {} as LifecycleEvent },
  guards: {
    /** The tier event asks for this tier. */
    movesTo: ({ event }, params: { tier: Tier }) => event.type === 'tier' && event.tier === params.tier,
  },
}).createMachine({
  id: 'app',
  initial: 'uncertified',
  states: {
    uncertified: {
      initial: 'starter',
      // Certification keeps the tier.
      states: Object.fromEntries(UNCERTIFIED_TIERS.map((tier) => [tier, { on: { certify: `#app.certified.${tier}` } }])),
      on: { tier: tierTransitions(UNCERTIFIED_TIERS) },
    },
    certified: {
      initial: 'plus',
      states: Object.fromEntries(TIERS.map((tier) => [tier, {}])),
      on: { tier: tierTransitions(TIERS), certify: {} },
    },
  },
});

const memo = new Map<string, { certified: boolean; tier: Tier } | null>();

/**
 * The app after a lifecycle event, or null when the lifecycle does not allow it (a tier whose
 * prerequisites the app does not meet). Certification keeps the tier, a declared one or none
 * (`tier: null`: the tiers assume one, see `rules.tierOf`); a tier event declares one. Memoised:
 * the answer depends only on the app's certification, its tier and the event.
 */
export function lifecycleStep(app: App, event: LifecycleEvent): App | null {
  // An app that declared no tier stands in the lifecycle's initial tier of its status.
  const tier = app.tier ?? (app.certified ? 'plus' : 'starter');
  const key = `${app.certified}|${tier}|${event.type}|${event.type === 'tier' ? event.tier : ''}`;
  let next = memo.get(key);
  if (next === undefined) {
    next = computeStep(app.certified, tier, event);
    memo.set(key, next);
  }
  if (next === null) return null;
  return { ...app, certified: next.certified, tier: event.type === 'tier' ? next.tier : app.tier };
}
function computeStep(certified: boolean, tier: Tier, event: LifecycleEvent): { certified: boolean; tier: Tier } | null {
  const status = certified ? 'certified' : 'uncertified';
  const snapshot = appLifecycleMachine.resolveState({ value: { [status]: tier }, context: {} });
  if (appLifecycleMachine.getTransitionData(snapshot, event).length === 0) return null;
  const after = appLifecycleMachine.transition(snapshot, event, INERT_SCOPE);
  return lifecycleFields(after.value as Record<string, Tier>);
}

function lifecycleFields(value: Record<string, Tier>): { certified: boolean; tier: Tier } {
  const certifiedTier = value.certified;
  if (certifiedTier !== undefined) return { certified: true, tier: certifiedTier };
  return { certified: false, tier: value.uncertified ?? 'starter' };
}
