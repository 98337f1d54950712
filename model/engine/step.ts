/**
 * Stepping the platform. Three engines behind one interface:
 * - `machineEngine` steps the XState machine itself (`machine.transition` with one inert scope),
 *   keeping every snapshot immutable;
 * - `compiledEngine` runs the same machine compiled to a dispatch table (see `compiled.ts`): the
 *   same guards and actions in the same order, without building a snapshot per event;
 * - `draftEngine` runs the compiled table over a draft world, updated in place (see
 *   `world/draft.ts`), for a replay that never looks back: `check`.
 * Property tests prove them equal on every generated sequence.
 * @module
 */
import { compilePlatform, type CompiledState } from './compiled.ts';
import {
  createPlatformMachine,
  MODEL_IMPLEMENTATIONS,
  platformMachine,
  type PlatformImplementations,
  type PlatformInput,
  type PlatformSnapshot,
} from '../platform/machine.ts';
import { INERT_SCOPE } from '../platform/scope.ts';
import type { PlatformContext, PlatformEvent } from '../platform/transitions.ts';
import { beginDraftStep, emptyDraft, rollbackDraft, type World } from '../world/world.ts';

/** A machine together with its compiled form: the model, or a deliberately broken variant. */
export interface Model {
  readonly machine: typeof platformMachine;
  readonly compiled: ReturnType<typeof compilePlatform>;
}

/** Build a model from implementations (the model's own by default). */
export function createModel(impl: PlatformImplementations = MODEL_IMPLEMENTATIONS): Model {
  const machine = impl === MODEL_IMPLEMENTATIONS ? platformMachine : createPlatformMachine(impl);
  return { machine, compiled: compilePlatform(machine, impl) };
}

/** The model itself. */
export const MODEL: Model = createModel();

/** The initial snapshot of the platform machine. */
export function initialSnapshot(input: PlatformInput, model: Model = MODEL): PlatformSnapshot {
  return model.machine.getInitialSnapshot(INERT_SCOPE, input);
}

/** The snapshot after one event. Pure: the given snapshot is unchanged. */
export function step(snapshot: PlatformSnapshot, event: PlatformEvent, model: Model = MODEL): PlatformSnapshot {
  return model.machine.transition(snapshot, event, INERT_SCOPE);
}

/** Something that steps the platform and shows its current state. */
export interface Engine {
  /** The regime state: `normal` or `bugWindow`. */
  readonly regime: string;
  /** The current context (immutable: a later step makes a new one). */
  readonly context: PlatformContext;
  /** Take one event. */
  send(event: PlatformEvent): void;
  /** Replace the context, keeping the regime (the oracle following what the platform did). */
  adopt(context: PlatformContext): void;
  /**
   * Present only on an engine that updates its world in place (`draftEngine`), whose earlier
   * contexts therefore show the current world: go back to the state before the last `send`, so
   * that the context read just before it shows the world it decided from again.
   */
  undo?(): void;
}

/** An engine over the XState machine's snapshots. */
export function machineEngine(input: PlatformInput, model: Model = MODEL): Engine & { readonly snapshot: PlatformSnapshot } {
  let snapshot = initialSnapshot(input, model);
  return {
    get snapshot() {
      return snapshot;
    },
    get regime() {
      return String(snapshot.value);
    },
    get context() {
      return snapshot.context;
    },
    send(event) {
      snapshot = step(snapshot, event, model);
    },
    adopt(context) {
      snapshot = model.machine.resolveState({ value: snapshot.value, context });
    },
  };
}

/** An engine over the compiled machine: same decisions, several times faster. */
export function compiledEngine(input: PlatformInput, model: Model = MODEL): Engine {
  return compiledEngineFrom(model.compiled.fromSnapshot(initialSnapshot(input, model)), model);
}

/** The compiled machine's state stepped forward: a new state per event. */
class CompiledEngine implements Engine {
  constructor(
    protected state: CompiledState,
    protected readonly model: Model,
  ) {}

  get regime(): string {
    return this.state.regime;
  }

  get context(): PlatformContext {
    return this.state.context;
  }

  send(event: PlatformEvent): void {
    this.state = this.model.compiled.step(this.state, event);
  }

  adopt(context: PlatformContext): void {
    this.state = { regime: this.state.regime, context };
  }
}

/** The compiled machine's state over a draft world: each step changes the world in place. */
class DraftEngine extends CompiledEngine {
  private previous: CompiledState;

  constructor(
    state: CompiledState,
    model: Model,
    private readonly world: World,
  ) {
    super(state, model);
    this.previous = state;
  }

  override send(event: PlatformEvent): void {
    beginDraftStep(this.world);
    this.previous = this.state;
    super.send(event);
  }

  undo(): void {
    rollbackDraft(this.world);
    this.state = this.previous;
  }
}

/**
 * An engine over the compiled machine from a given state on (a copy of another engine's state
 * steps on its own: states are immutable).
 */
export function compiledEngineFrom(start: CompiledState, model: Model = MODEL): Engine {
  return new CompiledEngine(start, model);
}

/**
 * An engine over the compiled machine and a draft world, updated in place: the same decisions
 * as `compiledEngine` without a new world per step. A context read before a `send` shows the
 * world after it, unless `undo` goes back; so it keeps no decisions (see `Driver.apply`). Starts
 * from an empty world.
 */
export function draftEngine(input: PlatformInput, model: Model = MODEL): Engine {
  if (input.world !== undefined) throw new Error('draftEngine: a draft starts from an empty world');
  const world = emptyDraft();
  return new DraftEngine(model.compiled.fromSnapshot(initialSnapshot({ policy: input.policy, world }, model)), model, world);
}

/**
 * An engine that reports every step it decides itself (context before, event, context after,
 * regime after) and otherwise is `inner`; a context it adopts from an observation is no step.
 */
export function recordingEngine(
  inner: Engine,
  onStep: (before: PlatformContext, event: PlatformEvent, after: PlatformContext, regime: string) => void,
): Engine {
  return {
    get regime() {
      return inner.regime;
    },
    get context() {
      return inner.context;
    },
    send(event) {
      const before = inner.context;
      inner.send(event);
      onStep(before, event, inner.context, inner.regime);
    },
    adopt(context) {
      inner.adopt(context);
    },
  };
}
