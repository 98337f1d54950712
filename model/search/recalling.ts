/**
 * The explorer's expansion by recall (`move-memo.ts` holds the memo itself). The code of every
 * state found is kept; a state is expanded from its code, and a move is played through the
 * machine and the invariants only when no earlier play of it read what this state holds at the
 * positions it read: the state's world is then played again from the start (`rebuilt`), checked
 * to have the code kept for it, and the play is recorded. A move that breaks an invariant hands
 * the state back to the expansion by playing, which finds the first such move and its trace.
 * @module
 */
import type { Arena, Move } from './bounds.ts';
import type { CompiledState } from '../engine/compiled.ts';
import { keepsInvariants } from '../platform/invariants.ts';
import type { PlatformEvent } from '../platform/transitions.ts';
import type { RecentCodes } from './recent-codes.ts';
import type { Code, StateKeys } from './symmetry.ts';
import { observingReads } from '../world/reads.ts';
import { CodeReads, type CodeStore, codeOfValues, codeWidth, readWidth, valueCounts, valuesOf, withLinkedCells } from './code-reads.ts';
import type { SearchTree } from './breadth-first.ts';
import { type MoveEffect, MoveMemo } from './move-memo.ts';

/** The counts of a search's transitions, shared by its expansions. */
export interface TransitionCounts {
  /** Transitions covered: one per (state, move). */
  transitions: number;
  /** Answered by the renaming of an earlier move of the same state (symmetry). */
  answered: number;
  /** Recalled from the memo. */
  recalled: number;
}

/** What the expansion by recall works with, from the search it expands for; `R` is what ends the search. */
export interface RecallingSearch<R> {
  readonly arena: Arena;
  readonly keys: StateKeys;
  readonly tree: SearchTree;
  /** Where the code of each state is kept: the start's is put at 0 here. */
  readonly store: CodeStore;
  readonly recent: RecentCodes;
  readonly step: (state: CompiledState, event: PlatformEvent) => CompiledState;
  readonly counts: TransitionCounts;
  /** The start state. */
  readonly start: CompiledState;
  /** The state of index `index`, played again from its parent (and so from the start). */
  rebuilt(index: number): CompiledState;
  /** Whether move `m` is answered by the renaming of an earlier one, in a state of these representatives. */
  renamed(m: number, same: ReturnType<StateKeys['representatives']> | null): boolean;
  /** Expand state `head` by playing every move (when a move breaks an invariant). */
  playing(head: number): R | undefined;
}

/** The explorer's expansion by recall, for one search. */
export class Recalling<R> {
  private readonly A: number;
  private readonly T: number;
  private readonly width: number;
  private readonly memo: MoveMemo;
  private readonly values: Int32Array;
  private readonly successor: Int32Array;
  private readonly stateCode: Code;
  private readonly nextCode: Code;
  private readonly playedCode: Code;
  /** Without symmetry: each position's weight in the key (`StateKeys.plainWeights`). */
  private readonly weights: readonly number[] | null;
  /** Each position's weight in the two numbers of the recent codes (`RecentCodes.packedWeights`). */
  private readonly packed: ReturnType<RecentCodes['packedWeights']>;
  /** The successors of the state being expanded, not handed to the search yet (`pend`). */
  private pending = 0;
  private readonly pendingKeys: Array<number | string>;
  private readonly pendingMoves: Int32Array;
  private readonly pendingWrites: Array<readonly number[]>;
  /** What the reads of `reachPending` summed to: kept, so that they are made. */
  warmed = 0;

  constructor(
    private readonly s: RecallingSearch<R>,
    private readonly reads: CodeReads = new CodeReads(s.arena),
  ) {
    const { arena, keys } = s;
    this.A = arena.appIds.length;
    this.T = arena.tenantIds.length;
    const A = this.A;
    const T = this.T;
    this.width = codeWidth(A, T);
    this.memo = new MoveMemo(arena.moves.length, valueCounts(A, T, arena.userIds.length));
    this.values = new Int32Array(readWidth(A, T));

    this.successor = new Int32Array(this.width);
    this.stateCode = { life: new Array<number>(A).fill(0), cells: new Array<number>(A * T).fill(0) };
    this.nextCode = { life: new Array<number>(A).fill(0), cells: new Array<number>(A * T).fill(0) };
    this.playedCode = { life: [], cells: new Array<number>(A * T).fill(0) };
    this.weights = keys.plainWeights();
    this.pendingKeys = new Array<number | string>(arena.moves.length).fill(0);
    this.pendingMoves = new Int32Array(arena.moves.length);
    this.pendingWrites = new Array<readonly number[]>(arena.moves.length).fill([]);
    this.packed = s.recent.packedWeights();
    s.store.put(0, valuesOf(keys.code(s.start.context.world), this.values));
  }

  /** The state `head`, played again from the start, checked to have the code kept for it. */
  private rebuiltAsKept(head: number): CompiledState {
    const state = this.s.rebuilt(head);
    const code = this.s.keys.code(state.context.world);
    const kept = this.stateCode;
    if (!code.cells.every((c, i) => c === kept.cells[i]) || !code.life.every((l, a) => l === kept.life[a]))
      throw new Error(`explorer memo: state ${head} played again to another code than the one kept for it`);
    return state;
  }

  /** Play move `m` from `state` (of the values at hand) through the machine, and record what its steps read and did. */
  private playedAndRecorded(state: CompiledState, m: number): MoveEffect {
    const { A, T, values, reads } = this;
    const move = this.s.arena.moves[m] as Move;
    const step = this.s.step;
    reads.begin();
    let kept = true;
    const after = observingReads(reads, () => {
      let now = state;
      for (const event of move.events) {
        const next = step(now, event);
        if (!keepsInvariants(now.context, event, next.context)) kept = false;
        now = next;
      }
      return now;
    });
    const code = this.s.keys.codeInto(after.context.world, { world: state.context.world, code: this.stateCode }, this.playedCode);
    const writes: number[] = [];
    for (let i = 0; i < A * T; i++) if (code.cells[i] !== values[i]) writes.push(i, code.cells[i] as number);
    for (let a = 0; a < A; a++) if (code.life[a] !== values[A * T + a]) writes.push(A * T + a, code.life[a] as number);
    const effect = this.effectOf(kept, writes, reads.order);
    // The code holds no regime: a move that changes it is not recalled (none in an arena does).
    if (after.regime === state.regime) this.memo.record(m, values, reads.order, effect);
    return effect;
  }

  /** An effect, with its changes of the weighted sums when the same wherever it is recalled (see `MoveEffect`). */
  private effectOf(kept: boolean, writes: number[], read: readonly number[]): MoveEffect {
    const { A, T, values, weights, packed } = this;
    let key = 0;
    let life = 0;
    let cells = 0;
    for (let i = 0; i < writes.length; i += 2) {
      const at = writes[i] as number;
      if (!read.includes(at)) return { kept, writes, key: Number.NaN, life: Number.NaN, cells: Number.NaN };
      const change = (writes[i + 1] as number) - (values[at] as number);
      if (weights !== null) key += change * (weights[at] as number);
      if (packed !== null) {
        if (at < A * T) cells += change * (packed.cells[at] as number);
        else life += change * (packed.life[at - A * T] as number);
      }
    }
    return { kept, writes, key, life, cells };
  }

  /** Expand state `head`: each move's effect recalled, or played on a reading not met before. */
  expand(head: number): R | undefined {
    const { A, T, width, memo, values, successor, weights, packed, s } = this;
    const { counts, store, recent, keys } = s;
    store.get(head, values);
    withLinkedCells(values, A, T);
    codeOfValues(values, this.stateCode);
    const { transitions, answered, recalled } = counts;
    const same = keys.symmetry ? keys.representatives(this.stateCode) : null;
    let stateKey = 0;
    if (weights !== null) for (let i = 0; i < width; i++) stateKey += (values[i] as number) * (weights[i] as number);
    let stateLife = 0;
    let stateCells = 0;
    if (packed !== null) {
      for (let i = 0; i < A * T; i++) stateCells += (values[i] as number) * (packed.cells[i] as number);
      for (let a = 0; a < A; a++) stateLife += (values[A * T + a] as number) * (packed.life[a] as number);
    }
    let state: CompiledState | null = null;
    const moves = s.arena.moves.length;
    for (let m = 0; m < moves; m++) {
      if (same !== null && s.renamed(m, same)) {
        counts.transitions++;
        counts.answered++;
        continue;
      }
      const found = memo.find(m, values);
      let effect: MoveEffect;
      if (found < 0) {
        state ??= this.rebuiltAsKept(head);
        effect = this.playedAndRecorded(state, m);
      } else {
        effect = memo.effect(found);
        counts.recalled++;
      }
      counts.transitions++;
      if (!effect.kept) {
        // A move breaks an invariant: the state is expanded again by playing, which finds the
        // first move to break one and its shortest trace, as without the memo.
        counts.transitions = transitions;
        counts.answered = answered;
        counts.recalled = recalled;
        // What was reached before it is reached, as if handed on at once.
        this.reachPending(head);
        const violation = s.playing(head);
        if (violation === undefined) throw new Error(`explorer memo: move ${m} breaks an invariant recalled, and keeps every one played`);
        return violation;
      }
      const writes = effect.writes;
      if (writes.length === 0) continue;
      if (weights !== null) {
        // Without symmetry the key is a weighted sum of the values: the successor's differs by its writes.
        let key = stateKey + effect.key;
        if (Number.isNaN(effect.key)) {
          key = stateKey;
          for (let i = 0; i < writes.length; i += 2) {
            const at = writes[i] as number;
            key += ((writes[i + 1] as number) - (values[at] as number)) * (weights[at] as number);
          }
        }
        this.pend(key, m, writes);
        continue;
      }
      if (packed !== null) {
        // The successor's code packed for the recent codes: the state's, changed by the writes.
        let life = stateLife + effect.life;
        let cell = stateCells + effect.cells;
        if (Number.isNaN(effect.life)) {
          life = stateLife;
          cell = stateCells;
          for (let i = 0; i < writes.length; i += 2) {
            const at = writes[i] as number;
            const change = (writes[i + 1] as number) - (values[at] as number);
            if (at < A * T) cell += change * (packed.cells[at] as number);
            else life += change * (packed.life[at - A * T] as number);
          }
        }
        if (recent.hasPacked(life, cell)) continue;
        recent.add();
      }
      this.successorOf(writes);
      codeOfValues(successor, this.nextCode);
      if (packed === null) {
        if (recent.has(this.nextCode)) continue;
        recent.add();
      }
      this.pend(keys.keyOf(this.nextCode), m, writes);
    }
    this.reachPending(head);
    return undefined;
  }

  /** A successor to hand to the search once every move of the state is done (`reachPending`). */
  private pend(key: number | string, move: number, writes: readonly number[]): void {
    const at = this.pending++;
    this.pendingKeys[at] = key;
    this.pendingMoves[at] = move;
    this.pendingWrites[at] = writes;
  }

  /**
   * Hand the state's successors to the search, in the order of their moves. Their keys' places
   * in the set are read first, one after another, so that the memory they are in is fetched
   * for all of them at once rather than for each in turn.
   */
  private reachPending(head: number): void {
    const { tree, store } = this.s;
    const count = this.pending;
    this.pending = 0;
    let warmed = 0;
    for (let i = 0; i < count; i++) warmed += tree.warm(this.pendingKeys[i] as number | string);
    this.warmed = warmed;
    for (let i = 0; i < count; i++) {
      const index = tree.reach(this.pendingKeys[i] as number | string, head, this.pendingMoves[i] as number);
      if (index < 0) continue;
      this.successorOf(this.pendingWrites[i] as readonly number[]);
      store.put(index, this.successor);
    }
  }

  /** The successor's values: the state's, changed by the writes. */
  private successorOf(writes: readonly number[]): void {
    const { successor, values } = this;
    for (let i = 0; i < this.width; i++) successor[i] = values[i] as number;
    for (let i = 0; i < writes.length; i += 2) successor[writes[i] as number] = writes[i + 1] as number;
  }
}
