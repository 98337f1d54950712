/**
 * A state's code as the explorer's memo reads it (`move-memo.ts`): flat, cells first (`app *
 * tenants + tenant`), then lifecycles (`apps * tenants + app`), then whether each cell is linked
 * (1 or 0), then which tenants each app is linked to and which apps each tenant is, as bit masks
 * (one position for what would be a row or a column of linked positions, while a mask has at
 * most 2^8 values); the observer that turns what the world says a step read into those
 * positions; and the store of every found state's code, a byte a position.
 * @module
 */
import type { Arena } from './bounds.ts';
import { LIFE_BITS, type Code } from './state-code.ts';
import type { ReadObserver } from '../world/reads.ts';

/** The most bits of a mask position: an app's linked tenants are a mask up to this many tenants. */
const MAX_MASK_BITS = 8;

/** Whether the tenants an app is linked to are read as one mask position (else one position a tenant). */
function rowMasks(tenants: number): boolean {
  return tenants <= MAX_MASK_BITS;
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
  /** Scratch of `appsLinked`: which apps of the arena a walk visits. */
  private readonly linkedScratch: Uint8Array;

  constructor(arena: Arena) {
    this.A = arena.appIds.length;
    this.T = arena.tenantIds.length;
    this.C = this.A * this.T;
    this.marked = new Uint8Array(readWidth(this.A, this.T));
    this.linkedScratch = new Uint8Array(this.A);
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
    // Whether a cell is linked follows from who connects it, when that was read already.
    else if (this.marked[a * this.T + t] === 0) this.note(this.C + this.A + a * this.T + t);
  }

  linksOfApp(app: string): void {
    const a = this.apps.get(app);
    if (a === undefined) this.everything();
    else for (let t = 0; t < this.T; t++) this.note(a * this.T + t);
  }

  tenantsLinked(app: string): void {
    const a = this.apps.get(app);
    if (a === undefined) this.everything();
    else if (rowMasks(this.T)) this.note(2 * this.C + this.A + a);
    else for (let t = 0; t < this.T; t++) this.note(this.C + this.A + a * this.T + t);
  }

  /**
   * Which apps are linked to the tenant, and the lifecycles of those apps: a walk of the apps on
   * a tenant visits them in the order they were linked, which the code does not hold, and reads
   * their records in that order. Noted here in the order of the arena, they are read in one
   * order whatever the order of the walk. Which apps those are is what the walk is told, a
   * function of what the move read so far (the mask, and what its earlier steps read and did).
   */
  appsLinked(tenant: string, apps: readonly string[]): void {
    const t = this.tenants.get(tenant);
    if (t === undefined) {
      this.everything();
      return;
    }
    // Every app of an arena fits one mask (at most 8 apps).
    this.note(2 * this.C + 2 * this.A + t);
    const linked = this.linkedScratch;
    linked.fill(0);
    for (const app of apps) {
      const a = this.apps.get(app);
      if (a === undefined) {
        this.everything();
        return;
      }
      linked[a] = 1;
    }
    for (let a = 0; a < this.A; a++) if (linked[a] === 1) this.note(this.C + a);
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

/** The positions of a state's code of `apps` x `tenants` (cells, then lifecycles): what a store keeps of each state. */
export function codeWidth(apps: number, tenants: number): number {
  return apps * tenants + apps;
}

/**
 * The positions a step may read of a code of `apps` x `tenants`: cells, lifecycles, whether each
 * cell is linked, each app's mask of linked tenants, each tenant's mask of linked apps.
 */
export function readWidth(apps: number, tenants: number): number {
  return 2 * apps * tenants + 2 * apps + tenants;
}

/** How many values each position of `readWidth` takes, with `users` users. */
export function valueCounts(apps: number, tenants: number, users: number): Int32Array {
  const C = apps * tenants;
  const counts = new Int32Array(readWidth(apps, tenants));
  counts.fill(2 ** users, 0, C);
  counts.fill(2 ** LIFE_BITS, C, C + apps);
  counts.fill(2, C + apps, 2 * C + apps);
  counts.fill(rowMasks(tenants) ? 2 ** tenants : 1, 2 * C + apps, 2 * C + 2 * apps);
  counts.fill(2 ** apps, 2 * C + 2 * apps);
  return counts;
}

/** A code's values, flat (cells, then lifecycles), into `out`. */
export function valuesOf(code: Code, out: Int32Array): Int32Array {
  const cells = code.cells.length;
  for (let i = 0; i < cells; i++) out[i] = code.cells[i] as number;
  for (let a = 0; a < code.life.length; a++) out[cells + a] = code.life[a] as number;
  return out;
}

/**
 * Whether each cell is linked, and the masks of linked tenants and apps, after the cells and
 * lifecycles of `values` (`readWidth` long) of `apps` x `tenants`.
 */
export function withLinkedCells(values: Int32Array, apps: number, tenants: number): Int32Array {
  const C = apps * tenants;
  const rows = 2 * C + apps;
  const columns = rows + apps;
  for (let t = 0; t < tenants; t++) values[columns + t] = 0;
  for (let a = 0; a < apps; a++) {
    let row = 0;
    for (let t = 0; t < tenants; t++) {
      const linked = values[a * tenants + t] === 0 ? 0 : 1;
      values[C + apps + a * tenants + t] = linked;
      row |= linked << t;
      values[columns + t] = (values[columns + t] as number) | (linked << a);
    }
    values[rows + a] = rowMasks(tenants) ? row : 0;
  }
  return values;
}

/** Flat values into a code's arrays (`out`'s own, which it overwrites). */
export function codeOfValues(values: ArrayLike<number>, out: Code): Code {
  const cells = out.cells.length;
  for (let i = 0; i < cells; i++) out.cells[i] = values[i] as number;
  for (let a = 0; a < out.life.length; a++) out.life[a] = values[cells + a] as number;
  return out;
}
