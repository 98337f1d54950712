/**
 * What the explorer does with one state of its search: every move of the arena from it, each
 * played through the machine and the invariants or recalled from the memo (`recalling.ts`), and
 * each state reached handed to the search. The search itself (its order, its set of keys, where
 * its codes are kept) is the caller's: the breadth-first search of one thread (`explore.ts`), or
 * one share of a search several threads run together (`parallel.ts`). Both expand states here,
 * so they search by the same steps.
 * @module
 */
import type { Arena, Move } from './bounds.ts';
import type { CompiledState } from '../engine/compiled.ts';
import { brokenInvariants, keepsInvariants } from '../platform/invariants.ts';
import type { Model } from '../engine/step.ts';
import type { StateKeys, Code } from './symmetry.ts';
import { RecentCodes } from './recent-codes.ts';
import type { PlatformEvent } from '../platform/transitions.ts';
import { sameApps, sameLinks } from '../world/world.ts';
import type { CodeReads, CodeStore } from './code-reads.ts';
import { Recalling, type TransitionCounts } from './recalling.ts';
import type { SearchTree } from './breadth-first.ts';

/** A move that breaks an invariant: from state `index`, move `move`, breaking `broken` (in the order found). */
export interface Broken {
  index: number;
  move: number;
  broken: string[];
}

/** How a state is expanded. */
export interface ExpansionOptions {
  /** Recall a move's effect from the memo (default true); false plays every move. */
  memo?: boolean;
  /** What tells the memo the positions a move read (default: `CodeReads` of the arena). */
  reads?: ((arena: Arena) => CodeReads) | undefined;
}

/** One search's expansion of its states. */
export interface Expansion {
  /** Expand state `index`: every state reached goes to the search; the first move to break an invariant, if one does. */
  expand(index: number): Broken | undefined;
  /** The transitions covered so far. */
  readonly counts: TransitionCounts;
}

const CONSENT: PlatformEvent = { type: 'consent' };

/**
 * The app, tenant and user each move of the arena names, as indices into the arena (-1: none, or
 * two tenants), three numbers a move in the order of its moves.
 */
function moveNames(arena: Arena): Int32Array {
  const index = (list: readonly string[], id: string | undefined) => (id === undefined ? -1 : list.indexOf(id));
  const names = arena.moves.map((move) => {
    const named = move.events.filter((e) => e.type !== 'consent');
    const first = named[0];
    if (first === undefined || !('app' in first)) throw new Error('explorer: a move names no app');
    const tenant = named.length === 1 && 'tenant' in first ? index(arena.tenantIds, first.tenant) : -1;
    const user = 'user' in first ? index(arena.userIds, first.user) : -1;
    return [index(arena.appIds, first.app), tenant, user];
  });
  return Int32Array.from(names.flat());
}

/**
 * The expansion of a search over `arena` from `start`, keyed by `keys`, with its codes in
 * `store` (the memo's; state 0 the start's, put there by the expansion).
 */
export function expansionOf(
  arena: Arena,
  keys: StateKeys,
  model: Model,
  start: CompiledState,
  tree: SearchTree,
  store: CodeStore,
  options: ExpansionOptions = {},
): Expansion {
  const step = model.compiled.step;
  const moves = arena.moves;
  // Under symmetry a key costs more than a look-up of the exact code among the recent ones.
  const recent = new RecentCodes(keys.symmetry, arena.appIds.length, arena.appIds.length * arena.tenantIds.length, arena.userIds.length);
  /** The state a move leads to from `from` (every machine event of it, in order). */
  const played = (from: CompiledState, move: Move): CompiledState => {
    let state = from;
    for (const event of move.events) state = step(state, event);
    return state;
  };
  // The last state rebuilt at each depth: breadth-first order expands the children of one state
  // one after another, so rebuilding a state mostly plays one move from a state rebuilt just before.
  const rebuiltAt: Array<{ index: number; state: CompiledState }> = [{ index: 0, state: start }];
  const rebuilt = (index: number): CompiledState => {
    const depth = tree.depthOf(index);
    const known = rebuiltAt[depth];
    if (known !== undefined && known.index === index) return known.state;
    const state = played(rebuilt(tree.parentOf(index)), moves[tree.moveTo(index)] as Move);
    rebuiltAt[depth] = { index, state };
    return state;
  };
  // Every invariant is checked on every transition, so one count serves them all; some are
  // answered by an earlier move of the same state (symmetry) or recalled (the memo), not played.
  const counts: TransitionCounts = { transitions: 0, answered: 0, recalled: 0 };

  /** Every invariant each step of a move breaks, once each, in the order found (the move broke one). */
  const brokenInMove = (from: CompiledState, move: Move, afterConsent: CompiledState | null): string[] => {
    const names: string[] = [];
    let state = from;
    for (let i = 0; i < move.events.length; i++) {
      const event = move.events[i] as PlatformEvent;
      if (i === 0 && move.consent && afterConsent !== null) {
        state = afterConsent;
        continue;
      }
      const next = step(state, event);
      names.push(...brokenInvariants(state.context, event, next.context));
      state = next;
    }
    return [...new Set(names)];
  };
  const names = keys.symmetry ? moveNames(arena) : null;
  /**
   * Whether move `m` names an app, tenant or user interchangeable with an earlier one in the
   * state (`same`, its `representatives`): it is then the renaming of an earlier move, reaches a
   * state of the orbit that move reached, and keeps or breaks each invariant as it does (no
   * invariant names an id). It is answered by that move, which comes first in the order of
   * moves, so the first move to break an invariant is always played.
   */
  const renamed = (m: number, same: ReturnType<StateKeys['representatives']> | null): boolean => {
    if (same === null || names === null) return false;
    const app = names[3 * m] as number;
    const tenant = names[3 * m + 1] as number;
    const user = names[3 * m + 2] as number;
    return same.apps[app] !== app || (tenant >= 0 && same.tenants[tenant] !== tenant) || (user >= 0 && same.users[user] !== user);
  };
  // The code of the successor at hand: read once (the recent codes, the key), then dropped.
  const scratch: Code = { life: [], cells: new Array<number>(arena.appIds.length * arena.tenantIds.length).fill(0) };
  const consentIndex = moves.findIndex((m) => m.consent);
  /** Expand a state by playing every move through the machine. */
  const expandPlaying = (head: number): Broken | undefined => {
    const state = rebuilt(head);
    const before = state.context;
    const previous = { world: before.world, code: keys.code(before.world) };
    // Every connect opens with the same consent from this state: play and check it once; it is
    // part of (and counted with) each connect transition below.
    let afterConsent: CompiledState | null = null;
    if (consentIndex >= 0) {
      afterConsent = step(state, CONSENT);
      if (!keepsInvariants(before, CONSENT, afterConsent.context)) {
        counts.transitions++;
        return { index: head, move: consentIndex, broken: brokenInvariants(before, CONSENT, afterConsent.context) };
      }
    }
    const world = before.world;
    const same = names === null ? null : keys.representatives(previous.code);
    for (let m = 0; m < moves.length; m++) {
      const move = moves[m] as Move;
      if (renamed(m, same)) {
        counts.transitions++;
        counts.answered++;
        continue;
      }
      const events = move.events;
      let next = state;
      let kept = true;
      for (let i = 0; i < events.length; i++) {
        if (i === 0 && move.consent && afterConsent !== null) {
          next = afterConsent;
          continue;
        }
        const event = events[i] as PlatformEvent;
        const after = step(next, event);
        if (!keepsInvariants(next.context, event, after.context)) kept = false;
        next = after;
      }
      counts.transitions++;
      if (!kept) return { index: head, move: m, broken: brokenInMove(state, move, afterConsent) };
      const nextWorld = next.context.world;
      if (sameLinks(world, nextWorld) && sameApps(world, nextWorld)) continue;
      const nextCode = keys.codeInto(nextWorld, previous, scratch);
      if (recent.has(nextCode)) continue;
      recent.add();
      tree.reach(keys.keyOf(nextCode), head, m);
    }
    return undefined;
  };

  if (options.memo === false) return { expand: expandPlaying, counts };
  const recalling = new Recalling<Broken>(
    { arena, keys, tree, store, recent, step, counts, start, rebuilt, renamed, playing: expandPlaying },
    options.reads?.(arena),
  );
  return { expand: (index) => recalling.expand(index), counts };
}
