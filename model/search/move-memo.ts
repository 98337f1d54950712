/**
 * The explorer's memo of moves. A state of the search is its code (`state-code.ts`): a number per
 * (app, tenant) cell and per app's lifecycle, here laid out flat, cells first (`app * tenants +
 * tenant`), then lifecycles (`apps * tenants + app`); a step reads these positions, and also
 * whether each cell is linked (1 or 0, at `apps * tenants + apps + cell`), which is all that
 * counting an app's tenants or a tenant's apps reads. What a move does from a state (whether its
 * steps keep every invariant, and which positions of the code it changes to what) is decided by
 * the machine and the invariants alone, from the parts of the world their steps read, and those
 * are told by the world itself while an observer is set (`world/reads.ts`). Two states equal at
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
import type { Arena } from './bounds.ts';
import type { Code } from './state-code.ts';
import type { ReadObserver } from '../world/reads.ts';

/** What a move does from a state: whether its steps keep every invariant, and what they change. */
export interface MoveEffect {
  /** Whether every step of the move keeps every invariant. */
  readonly kept: boolean;
  /** The positions of the code the move changes and their new values, in pairs. */
  readonly writes: readonly number[];
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

/**
 * The positions of the code a play reads, told by the world (`ReadObserver`), in the order first
 * read. Reads of tenant records and serials name no position: the arena fixes the tenants' kinds
 * and the code holds no serial (see the module's note).
 */
export class CodeReads implements ReadObserver {
  /** Positions read since `begin`, in the order first read. */
  readonly order: number[] = [];
  private readonly marked: Uint8Array;
  private readonly apps: ReadonlyMap<string, number>;
  private readonly tenants: ReadonlyMap<string, number>;
  private readonly A: number;
  private readonly T: number;
  private readonly C: number;

  constructor(arena: Arena) {
    this.A = arena.appIds.length;
    this.T = arena.tenantIds.length;
    this.C = this.A * this.T;
    this.marked = new Uint8Array(readWidth(this.A, this.T));
    this.apps = new Map(arena.appIds.map((id, i) => [id, i]));
    this.tenants = new Map(arena.tenantIds.map((id, i) => [id, i]));
  }

  /** Forget the positions read so far. */
  begin(): void {
    for (const at of this.order) this.marked[at] = 0;
    this.order.length = 0;
  }

  private note(at: number): void {
    if (this.marked[at] === 1) return;
    this.marked[at] = 1;
    this.order.push(at);
  }

  app(app: string): void {
    const a = this.apps.get(app);
    if (a === undefined) this.everything();
    else this.note(this.C + a);
  }

  link(app: string, tenant: string): void {
    const a = this.apps.get(app);
    const t = this.tenants.get(tenant);
    if (a === undefined || t === undefined) this.everything();
    else this.note(a * this.T + t);
  }

  linked(app: string, tenant: string): void {
    const a = this.apps.get(app);
    const t = this.tenants.get(tenant);
    if (a === undefined || t === undefined) this.everything();
    else this.note(this.C + this.A + a * this.T + t);
  }

  linksOfApp(app: string): void {
    const a = this.apps.get(app);
    if (a === undefined) this.everything();
    else for (let t = 0; t < this.T; t++) this.note(a * this.T + t);
  }

  tenantsLinked(app: string): void {
    const a = this.apps.get(app);
    if (a === undefined) this.everything();
    else for (let t = 0; t < this.T; t++) this.note(this.C + this.A + a * this.T + t);
  }

  /**
   * Which apps are linked to the tenant, and every app's lifecycle: a walk of the apps on a
   * tenant visits them in the order they were linked, which the code does not hold, and reads
   * their records in that order. Noted here in the order of the arena, they are read in one
   * order whatever the order of the walk.
   */
  appsLinked(tenant: string): void {
    const t = this.tenants.get(tenant);
    if (t === undefined) {
      this.everything();
      return;
    }
    for (let a = 0; a < this.A; a++) this.note(this.C + this.A + a * this.T + t);
    for (let a = 0; a < this.A; a++) this.note(this.C + a);
  }

  tenant(_tenant: string): void {}

  serials(): void {}

  everything(): void {
    for (let at = 0; at < this.marked.length; at++) this.note(at);
  }
}

/** The codes of the states a search found, by index, flat (cells, then lifecycles), a byte a position. */
export class CodeStore {
  private bytes: Uint8Array;

  constructor(readonly width: number) {
    this.bytes = new Uint8Array(width * 1024);
  }

  /** Keep the values of state `index`. */
  put(index: number, values: ArrayLike<number>): void {
    const at = index * this.width;
    if (at + this.width > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + this.width));
      grown.set(this.bytes);
      this.bytes = grown;
    }
    for (let i = 0; i < this.width; i++) this.bytes[at + i] = values[i] as number;
  }

  /** The values of state `index`, into `out` (its first `width` positions). */
  get(index: number, out: Int32Array): void {
    const at = index * this.width;
    for (let i = 0; i < this.width; i++) out[i] = this.bytes[at + i] as number;
  }
}

/** The positions a step may read of a code of `apps` x `tenants`: cells, lifecycles, whether each cell is linked. */
export function readWidth(apps: number, tenants: number): number {
  return 2 * apps * tenants + apps;
}

/** A code's values, flat (cells, then lifecycles), into `out`. */
export function valuesOf(code: Code, out: Int32Array): Int32Array {
  const cells = code.cells.length;
  for (let i = 0; i < cells; i++) out[i] = code.cells[i] as number;
  for (let a = 0; a < code.life.length; a++) out[cells + a] = code.life[a] as number;
  return out;
}

/** Whether each cell is linked, after the cells and lifecycles of `values` (`readWidth` long). */
export function withLinkedCells(values: Int32Array, cells: number, lives: number): Int32Array {
  for (let i = 0; i < cells; i++) values[cells + lives + i] = values[i] === 0 ? 0 : 1;
  return values;
}

/** Flat values into a code's arrays (`out`'s own, which it overwrites). */
export function codeOfValues(values: ArrayLike<number>, out: Code): Code {
  const cells = out.cells.length;
  for (let i = 0; i < cells; i++) out.cells[i] = values[i] as number;
  for (let a = 0; a < out.life.length; a++) out.life[a] = values[cells + a] as number;
  return out;
}
