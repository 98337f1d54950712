/**
 * The platform machine compiled to a dispatch table: for each regime state and event type, the
 * machine's own transitions in order, each resolved to the guard and action functions the machine
 * binds by name. Stepping evaluates the first enabled transition, applies its actions, moves to
 * its target and follows eventless (`always`) transitions, as XState does for these machines, but
 * without building a snapshot. Read from the machine's definition, so it restates no rule.
 * @module
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { MODEL_IMPLEMENTATIONS, type PlatformImplementations, type PlatformSnapshot } from '../platform/machine.ts';
import type { PlatformContext, PlatformEvent } from '../platform/transitions.ts';

/** A state of the compiled machine: the regime and the context. */
export interface CompiledState {
  readonly regime: string;
  readonly context: PlatformContext;
}

type Guard = (c: PlatformContext, e: PlatformEvent) => boolean;
type Action = (c: PlatformContext, e: PlatformEvent) => PlatformContext;

interface CompiledTransition {
  guard: Guard | null;
  actions: Action[];
  target: string | null;
}

function nameOf(ref: unknown, what: string): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'object' && ref !== null && 'type' in ref && typeof ref.type === 'string') return ref.type;
  throw new Error(`compiled machine: ${what} must be referenced by name, got ${typeof ref}`);
}

function lookup<T>(table: Record<string, unknown>, name: string, what: string): T {
  const fn = table[name];
  if (typeof fn !== 'function') throw new Error(`compiled machine: unknown ${what} "${name}"`);
  return fn as T;
}

function compileTransition(
  impl: PlatformImplementations,
  t: { guard?: unknown; actions: readonly unknown[]; target?: readonly AnyStateNode[] | undefined },
): CompiledTransition {
  const guardName = t.guard === undefined ? null : nameOf(t.guard, 'guard');
  return {
    guard: guardName === null ? null : lookup<Guard>(impl.guards, guardName, 'guard'),
    actions: t.actions.map((a) => lookup<Action>(impl.actions, nameOf(a, 'action'), 'action')),
    target: t.target?.[0]?.key ?? null,
  };
}

/**
 * Compile a machine whose states are flat regimes; `impl` must be the implementations the
 * machine was created with (see `createPlatformMachine`).
 */
export function compilePlatform(machine: AnyStateMachine, impl: PlatformImplementations = MODEL_IMPLEMENTATIONS) {
  const compile = (t: Parameters<typeof compileTransition>[1]) => compileTransition(impl, t);
  const root = machine.root;
  const byRegime = new Map<string, { on: Map<string, CompiledTransition[]>; always: CompiledTransition[] }>();
  for (const [key, node] of Object.entries(root.states)) {
    const on = new Map<string, CompiledTransition[]>();
    // The regime's own transitions come first, then the root's (XState picks the deepest node).
    for (const source of [root, node]) {
      for (const [type, list] of source.transitions) on.set(type, list.map(compile));
    }
    byRegime.set(key, { on, always: (node.always ?? []).map(compile) });
  }

  function take(list: readonly CompiledTransition[], regime: string, context: PlatformContext, event: PlatformEvent): CompiledState | null {
    for (const t of list) {
      if (t.guard !== null && !t.guard(context, event)) continue;
      let next = context;
      for (const action of t.actions) next = action(next, event);
      return { regime: t.target ?? regime, context: next };
    }
    return null;
  }

  function settle(state: CompiledState, event: PlatformEvent): CompiledState {
    let current = state;
    for (let guardLoop = 0; guardLoop < 16; guardLoop++) {
      const always = byRegime.get(current.regime)?.always ?? [];
      const next = always.length === 0 ? null : take(always, current.regime, current.context, event);
      if (next === null || next.regime === current.regime) return next ?? current;
      current = next;
    }
    throw new Error('compiled machine: eventless transitions do not settle');
  }

  return {
    /** The compiled state of a machine snapshot. */
    fromSnapshot(snapshot: PlatformSnapshot): CompiledState {
      return { regime: String(snapshot.value), context: snapshot.context };
    },
    /** The state after one event. */
    step(state: CompiledState, event: PlatformEvent): CompiledState {
      const regime = byRegime.get(state.regime);
      if (regime === undefined) throw new Error(`compiled machine: unknown state ${state.regime}`);
      const list = regime.on.get(event.type);
      const next = list === undefined ? null : take(list, state.regime, state.context, event);
      return next === null ? state : settle(next, event);
    },
  };
}
