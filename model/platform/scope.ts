/**
 * One inert actor scope, built once and reused for every pure step. `transition()` from xstate
 * builds a throwaway actor on every call; `machine.transition(snapshot, event, INERT_SCOPE)` does
 * the same work without it, and stays pure because the machines here have no side effects.
 * @module
 */
import { createEmptyActor, type AnyActorScope } from 'xstate';

const self = createEmptyActor();

/** An actor scope that executes nothing: no children, no emitted events, no deferred effects. */
export const INERT_SCOPE: AnyActorScope = {
  self,
  id: '',
  sessionId: '',
  system: self.system,
  logger: () => {},
  defer: () => {},
  emit: () => {},
  stopChild: () => {},
  actionExecutor: () => {},
};
