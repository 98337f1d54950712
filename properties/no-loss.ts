/**
 * No loss: only an explicit disconnect or revoke removes a connection, and a revoke removes
 * exactly that user's connections to that app. Connections live until deleted ([NOTES]
 * "Identifying inactive connections"), whatever the policy, the tier or the bug window do.
 * @module
 */
import { connectionOf } from '../model/world/world.ts';
import type { Step } from './harness.ts';
import { firstBrokenStep, type TraceProperty } from './property.ts';
import { keeps } from './safety.ts';

/** A disconnect that reports `disconnected` leaves no connection of that user to that tenant. */
function disconnectRemoves(s: Step): string | null {
  if (s.event.type !== 'disconnect' || s.after.outcome !== 'disconnected') return null;
  return connectionOf(s.after.world, s.event.app, s.event.tenant, s.event.user) === undefined
    ? null
    : 'reported disconnected but the connection is still live';
}

/** The no-loss properties. */
export const NO_LOSS: readonly TraceProperty[] = [
  {
    id: 'no-loss/only-explicit',
    family: 'no-loss',
    name: 'removes a connection only on an explicit disconnect or revoke, and only the one named',
    verify: (c, model) => firstBrokenStep(c, model, (s) => keeps('onlyDisconnectOrRevokeRemoves')(s) ?? disconnectRemoves(s)),
  },
  {
    id: 'no-loss/revoke-exact',
    family: 'no-loss',
    name: "revokes exactly that user's connections to that app",
    verify: (c, model) => firstBrokenStep(c, model, keeps('revokeRemovesExactlyThatUsersConnections')),
  },
];
