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
 * The trees of every move of an arena, flat in typed arrays: node `n` reads position `at[n]`
 * and its branch for value `v` is node `child[first[n] + v] - 1` (none when -1); a leaf has `at`
 * -1 and `first` the number of its effect.
 */
export class MoveMemo {
  private readonly roots: Int32Array;
  private at = new Int32Array(1024);
  private first = new Int32Array(1024);
  private child = new Int32Array(4096);
  private nodes = 0;
  private children = 0;
  private readonly effects: MoveEffect[] = [];

  /**
   * `moves` trees over codes of `cells` cell positions of `cellValues` values each, then `lives`
   * lifecycle positions of `lifeValues` values each, then positions of two values (linked or not).
   */
  constructor(
    moves: number,
    private readonly cells: number,
    private readonly cellValues: number,
    private readonly lives: number,
    private readonly lifeValues: number,
  ) {
    this.roots = new Int32Array(moves);
  }

  /** How many values the position takes. */
  private valuesAt(position: number): number {
    return position < this.cells ? this.cellValues : position < this.cells + this.lives ? this.lifeValues : 2;
  }

  /** The number of the move's effect from a state of these values, if one was recorded with the same reading; else -1. */
  find(move: number, values: ArrayLike<number>): number {
    const { at, first, child } = this;
    let n = (this.roots[move] as number) - 1;
    while (n >= 0) {
      const position = at[n] as number;
      if (position < 0) return first[n] as number;
      n = (child[(first[n] as number) + (values[position] as number)] as number) - 1;
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
    // Where the node reached is linked from: a root, or a child slot.
    let slot = -1;
    let n = (this.roots[move] as number) - 1;
    const link = (node: number) => {
      if (slot < 0) this.roots[move] = node + 1;
      else this.child[slot] = node + 1;
    };
    for (const position of reads) {
      if (n < 0) {
        n = this.node(position, this.children);
        this.reserve(this.valuesAt(position));
        link(n);
      } else if (this.at[n] !== position) {
        throw new Error(
          `explorer memo: move ${move} read position ${position} where an earlier play with the same values read ${this.at[n]}`,
        );
      }
      slot = (this.first[n] as number) + (values[position] as number);
      n = (this.child[slot] as number) - 1;
    }
    if (n >= 0) throw new Error(`explorer memo: move ${move} recorded twice for one reading`);
    const found = this.effects.length;
    this.effects.push(effect);
    link(this.node(-1, found));
    return found;
  }

  private node(position: number, first: number): number {
    if (this.nodes === this.at.length) {
      this.at = grown(this.at, this.nodes * 2);
      this.first = grown(this.first, this.nodes * 2);
    }
    this.at[this.nodes] = position;
    this.first[this.nodes] = first;
    return this.nodes++;
  }

  private reserve(slots: number): void {
    if (this.children + slots > this.child.length) this.child = grown(this.child, Math.max(this.child.length * 2, this.children + slots));
    this.children += slots;
  }
}

function grown(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(length);
  bigger.set(array);
  return bigger;
}
