/**
 * The explorer's memo of moves. A state of the search is its code (`state-code.ts`): a number per
 * (app, tenant) cell and per app's lifecycle, here laid out flat, cells first (`app * tenants +
 * tenant`), then lifecycles (`apps * tenants + app`). What a move does from a state (whether its
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

/** A node of a move's tree; a leaf (`at` -1) holds the move's effect. */
export class MoveEntry {
  /** The next branches, by the value at `at`. */
  readonly next: Array<MoveEntry | undefined> = [];
  /** Whether every step of the move keeps every invariant (a leaf's). */
  kept = true;
  /** The positions the move changes and their new values, in pairs (a leaf's). */
  writes: readonly number[] = [];

  /** `at`: the position read next, or -1 for a leaf. */
  constructor(readonly at: number) {}
}

/** The trees of every move of an arena. */
export class MoveMemo {
  private readonly roots: Array<MoveEntry | undefined>;
  /** Effects recorded (leaves). */
  effects = 0;

  constructor(moves: number) {
    this.roots = new Array<MoveEntry | undefined>(moves).fill(undefined);
  }

  /** The effect of the move from a state of these values, if one was recorded with the same reading. */
  effect(move: number, values: ArrayLike<number>): MoveEntry | undefined {
    let node = this.roots[move];
    while (node !== undefined && node.at >= 0) node = node.next[values[node.at] as number];
    return node;
  }

  /**
   * Record the effect of one play of the move from a state of these values: `reads`, the
   * positions its steps read, in the order first read. Throws when the tree already reads
   * another position after the same values (the steps did not read as the world told): a
   * memo would then be unsound.
   */
  record(move: number, values: ArrayLike<number>, reads: readonly number[], kept: boolean, writes: readonly number[]): MoveEntry {
    let parent: MoveEntry | null = null;
    let node = this.roots[move];
    const attach = (child: MoveEntry) => {
      if (parent === null) this.roots[move] = child;
      else parent.next[values[parent.at] as number] = child;
    };
    for (const at of reads) {
      if (node === undefined) {
        node = new MoveEntry(at);
        attach(node);
      } else if (node.at !== at) {
        throw new Error(`explorer memo: move ${move} read position ${at} where an earlier play with the same values read ${node.at}`);
      }
      parent = node;
      node = node.next[values[at] as number];
    }
    if (node !== undefined) throw new Error(`explorer memo: move ${move} recorded twice for one reading`);
    const leaf = new MoveEntry(-1);
    leaf.kept = kept;
    leaf.writes = writes;
    attach(leaf);
    this.effects++;
    return leaf;
  }
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

  constructor(arena: Arena) {
    this.A = arena.appIds.length;
    this.T = arena.tenantIds.length;
    this.marked = new Uint8Array(this.A * this.T + this.A);
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
    else this.note(this.A * this.T + a);
  }

  link(app: string, tenant: string): void {
    const a = this.apps.get(app);
    const t = this.tenants.get(tenant);
    if (a === undefined || t === undefined) this.everything();
    else this.note(a * this.T + t);
  }

  linksOfApp(app: string): void {
    const a = this.apps.get(app);
    if (a === undefined) this.everything();
    else for (let t = 0; t < this.T; t++) this.note(a * this.T + t);
  }

  /**
   * Every link to the tenant, and every app's lifecycle: a walk of the apps on a tenant visits
   * them in the order they were linked, which the code does not hold, and reads their records in
   * that order. Noted here in the order of the arena, they are read in one order whatever the
   * order of the walk.
   */
  linksOfTenant(tenant: string): void {
    const t = this.tenants.get(tenant);
    if (t === undefined) {
      this.everything();
      return;
    }
    for (let a = 0; a < this.A; a++) this.note(a * this.T + t);
    for (let a = 0; a < this.A; a++) this.note(this.A * this.T + a);
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

  /** The values of state `index`, into `out`. */
  get(index: number, out: Int32Array): void {
    const at = index * this.width;
    for (let i = 0; i < this.width; i++) out[i] = this.bytes[at + i] as number;
  }
}

/** A code's values, flat (cells, then lifecycles), into `out`. */
export function valuesOf(code: Code, out: Int32Array): Int32Array {
  const cells = code.cells.length;
  for (let i = 0; i < cells; i++) out[i] = code.cells[i] as number;
  for (let a = 0; a < code.life.length; a++) out[cells + a] = code.life[a] as number;
  return out;
}

/** Flat values into a code's arrays (`out`'s own, which it overwrites). */
export function codeOfValues(values: ArrayLike<number>, out: Code): Code {
  const cells = out.cells.length;
  for (let i = 0; i < cells; i++) out.cells[i] = values[i] as number;
  for (let a = 0; a < out.life.length; a++) out.life[a] = values[cells + a] as number;
  return out;
}
