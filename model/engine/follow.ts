/**
 * Following an observation: when the platform did something else than the model decided, the
 * context the observed outcome implies, made by the machine's own named actions (no rule is
 * restated here). The oracle adopts it so that later events are judged from the state the
 * platform was really in.
 * @module
 */
import { actions, guards, type PlatformContext, type PlatformEvent } from '../platform/transitions.ts';
import type { ObservedOutcome } from '../types.ts';
import { connectionOf } from '../world/world.ts';

/** The context with the outcome the platform gave. */
function withOutcome(c: PlatformContext, observed: ObservedOutcome): PlatformContext {
  return { ...c, outcome: observed === 'rejected' ? 'rejected:app-limit' : observed };
}

/**
 * The context after `event` decided from `before` as the platform did (`observed`), or null when
 * the observation is not an outcome of that event (a connect observed `disconnected`) or the
 * world change it implies is not one the machine can make (a tier the app's lifecycle refuses).
 */
export function observedContext(before: PlatformContext, event: PlatformEvent, observed: ObservedOutcome): PlatformContext | null {
  switch (event.type) {
    case 'connect':
      switch (observed) {
        case 'connected':
          return actions.addConnection(before, event);
        case 'reconnected':
          // The platform holds the connection now, renewed or new.
          return connectionOf(before.world, event.app, event.tenant, event.user) === undefined
            ? withOutcome(actions.addConnection(before, event), observed)
            : actions.renewConnection(before, event);
        case 'rejected:app-limit':
        case 'rejected':
          return actions.refuseAppLimit(before);
        case 'rejected:org-limit':
          return actions.refuseOrgLimit(before);
        default:
          return null;
      }
    case 'disconnect':
      // Either way the platform has no such connection afterwards.
      if (observed === 'disconnected') return actions.removeConnection(before, event);
      return observed === 'not-connected' ? withOutcome(actions.removeConnection(before, event), observed) : null;
    case 'revoke':
      return observed === 'revoked' ? actions.revokeUser(before, event) : null;
    case 'certify':
      // A certification has one outcome (the trace parser refuses any other).
      return observed === 'ok' ? actions.certifyApp(before, event) : null;
    case 'tier':
      if (observed === 'ok') return guards.tierAllowed(before, event) ? actions.changeTier(before, event) : null;
      return observed === 'rejected:requirements' ? actions.refuseRequirements(before) : null;
    case 'app':
      if (observed === 'ok') return guards.appChangeAllowed(before, event) ? actions.declareApp(before, event) : null;
      return observed === 'rejected:requirements' ? actions.refuseRequirements(before) : null;
    default:
      return null;
  }
}
