/**
 * Stepping the platform. Two engines behind one interface:
 * - `machineEngine` steps the XState machine itself (`machine.transition` with one inert scope),
 *   keeping every snapshot immutable;
 * - `compiledEngine` runs the same machine compiled to a dispatch table (see `compiled.ts`): the
 *   same guards and actions in the same order, without building a snapshot per event.
 * A property test proves the two equal on every generated sequence.
 * @module
 */
import { compilePlatform, type CompiledState } from './compiled.ts';
import { platformMachine, type PlatformInput, type PlatformSnapshot } from './machine.ts';
import { INERT_SCOPE } from './scope.ts';
import type { PlatformContext, PlatformEvent } from './transitions.ts';

/** The initial snapshot of the platform machine. */
export function initialSnapshot(input: PlatformInput): PlatformSnapshot {
  return platformMachine.getInitialSnapshot(INERT_SCOPE, input);
}

/** The snapshot after one event. Pure: the given snapshot is unchanged. */
export function step(snapshot: PlatformSnapshot, event: PlatformEvent): PlatformSnapshot {
  return platformMachine.transition(snapshot, event, INERT_SCOPE);
}

/** Something that steps the platform and shows its current state. */
export interface Engine {
  /** The regime state: `normal` or `bugWindow`. */
  readonly regime: string;
  /** The current context (immutable: a later step makes a new one). */
  readonly context: PlatformContext;
  /** Take one event. */
  send(event: PlatformEvent): void;
}

/** An engine over the XState machine's snapshots. */
export function machineEngine(input: PlatformInput): Engine & { readonly snapshot: PlatformSnapshot } {
  let snapshot = initialSnapshot(input);
  return {
    get snapshot() { return snapshot; },
    get regime() { return String(snapshot.value); },
    get context() { return snapshot.context; },
    send(event) { snapshot = step(snapshot, event); },
  };
}

let compiled: ReturnType<typeof compilePlatform> | undefined;

/** An engine over the compiled machine: same decisions, several times faster. */
export function compiledEngine(input: PlatformInput): Engine {
  compiled ??= compilePlatform(platformMachine);
  const table = compiled;
  let state: CompiledState = table.fromSnapshot(initialSnapshot(input));
  return {
    get regime() { return state.regime; },
    get context() { return state.context; },
    send(event) { state = table.step(state, event); },
  };
}
