/**
 * A state's code as the explorer's memo reads it (`move-memo.ts`): flat, cells first (`app *
 * tenants + tenant`), then lifecycles (`apps * tenants + app`), then whether each cell is linked
 * (1 or 0); the observer that turns what the world says a step read into those positions; and
 * the store of every found state's code, a byte a position.
 * @module
 */
import type { Arena } from './bounds.ts';
import type { Code } from './state-code.ts';
import type { ReadObserver } from '../world/reads.ts';

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

  /** `shared`: the bytes of a store several threads keep codes in, which never grows. */
  constructor(
    readonly width: number,
    private readonly shared?: Uint8Array,
  ) {
    this.bytes = shared ?? new Uint8Array(width * 1024);
  }

  /** Keep the values of state `index`. */
  put(index: number, values: ArrayLike<number>): void {
    const at = index * this.width;
    if (at + this.width > this.bytes.length) {
      if (this.shared !== undefined) throw new RangeError(`code store: no room for state ${index}`);
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
