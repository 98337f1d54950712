/**
 * The explorer's memo of moves. A state of the search is its code (`state-code.ts`): a number per
 * (app, tenant) cell and per app's lifecycle, here laid out flat, cells first (`app * tenants +
 * tenant`), then lifecycles (`apps * tenants + app`); a step reads these positions, and also
 * whether each cell is linked (1 or 0, at `apps * tenants + apps + cell`), which is all that
 * counting an app's tenants or a tenant's apps reads. What a move does from a state (whether its
 * steps keep every invariant, and which positions of the code it changes to what) is decided by
 * the machine and the invariants alone, from the parts of the world their steps read, and those
 * are told by the world itself while an observer is set (`world/reads.ts`; `code-reads.ts` turns
 * them into positions). Two states equal at
 * every position one play of a move read give that move the same steps: each read returns the
 * same, so the next read is of the same position, and the changes are the same. So a move is
 * played through the machine once per distinct reading, and recalled from the memo otherwise.
 *
 * The memo is a tree per move: a node names the position the steps read next (in the order they
 * first read it), its branches the value there, and a leaf the move's effect. Nothing here knows
 * a rule: the positions and effects are what the machine's own steps read and did.
 *
 * What the code leaves out is left out here too, on the same ground: ids, serials and timestamps
 * (no rule reads them) and the tenants' kinds (fixed by the arena, the same in every state).
 * @module
 */

/** What a move does from a state: whether its steps keep every invariant, and what they change. */
export interface MoveEffect {
  /** Whether every step of the move keeps every invariant. */
  readonly kept: boolean;
  /** The positions of the code the move changes and their new values, in pairs. */
  readonly writes: readonly number[];
  /**
   * When the move read every position it writes, the values there are the same in every state
   * it is recalled from, so what its writes add to a weighted sum of the code is the same too:
   * that sum's change under the plain key's weights (`key`) and under the recent codes' (`life`
   * and `cells`); NaN when it is not the same (a position written and not read).
   */
  readonly key: number;
  readonly life: number;
  readonly cells: number;
}

/**
 * The trees of every move of an arena, in one flat array: a node at offset `n` holds the
 * position it reads (`tree[n]`), then one slot per value there, each the offset of that value's
 * node plus one (0: none yet); a leaf holds `-2 - e`, for effect number `e`. A node and the slot
 * a look-up takes from it are next to each other, so a step down the tree reads one place.
 */
export class MoveMemo {
  private readonly roots: Int32Array;
  private tree = new Int32Array(4096);
  private used = 0;
  private readonly effects: MoveEffect[] = [];

  /** `moves` trees over codes whose position `p` takes `values[p]` values (`valueCounts`). */
  constructor(
    moves: number,
    private readonly values: ArrayLike<number>,
  ) {
    this.roots = new Int32Array(moves);
  }

  /** How many values the position takes. */
  private valuesAt(position: number): number {
    return this.values[position] as number;
  }

  /** The number of the move's effect from a state of these values, if one was recorded with the same reading; else -1. */
  find(move: number, values: ArrayLike<number>): number {
    const tree = this.tree;
    let n = (this.roots[move] as number) - 1;
    while (n >= 0) {
      const position = tree[n] as number;
      if (position < 0) return -2 - position;
      n = (tree[n + 1 + (values[position] as number)] as number) - 1;
    }
    return -1;
  }

  /** The effect numbered `found` by `find`. */
  effect(found: number): MoveEffect {
    return this.effects[found] as MoveEffect;
  }

  /**
   * Record the effect of one play of the move from a state of these values: `reads`, the
   * positions its steps read, in the order first read; returns its number. Throws when the tree
   * already reads another position after the same values (the steps did not read as the world
   * told): a memo would then be unsound.
   */
  record(move: number, values: ArrayLike<number>, reads: readonly number[], effect: MoveEffect): number {
    // Where the node reached is linked from: a root (-1), or a slot of the tree.
    let slot = -1;
    let n = (this.roots[move] as number) - 1;
    const link = (node: number) => {
      if (slot < 0) this.roots[move] = node + 1;
      else this.tree[slot] = node + 1;
    };
    for (const position of reads) {
      if (n < 0) {
        n = this.node(position, this.valuesAt(position));
        link(n);
      } else if (this.tree[n] !== position) {
        throw new Error(
          `explorer memo: move ${move} read position ${position} where an earlier play with the same values read ${this.tree[n]}`,
        );
      }
      slot = n + 1 + (values[position] as number);
      n = (this.tree[slot] as number) - 1;
    }
    if (n >= 0) throw new Error(`explorer memo: move ${move} recorded twice for one reading`);
    const found = this.effects.length;
    this.effects.push(effect);
    link(this.node(-2 - found, 0));
    return found;
  }

  /** A new node holding `head`, with `slots` empty slots; its offset. */
  private node(head: number, slots: number): number {
    if (this.used + 1 + slots > this.tree.length) {
      const bigger = new Int32Array(Math.max(this.tree.length * 2, this.used + 1 + slots));
      bigger.set(this.tree);
      this.tree = bigger;
    }
    const n = this.used;
    this.tree[n] = head;
    this.used += 1 + slots;
    return n;
  }
}
