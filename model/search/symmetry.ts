/**
 * Compact state keys for exhaustive search, with symmetry reduction.
 *
 * A key is built from a state's code (`state-code.ts`): which (app, tenant, user) connections
 * exist and each app's lifecycle, nothing else.
 *
 * Symmetry: apps of the same kind are interchangeable, tenants of the same kind too, and users
 * all (no rule names an id). The symmetric key of a state is the least encoding over the
 * renamings that order apps by a rename-free fingerprint (kind, lifecycle, tenants held,
 * connections) and users by their number of connections; tenants are then ordered by sorting their
 * signatures. Every state of one orbit gets the same key, and equal keys mean states that are
 * renamings of each other, so the search visits one state per orbit and loses no behaviour.
 * When the ties left would need more than `MAX_CANDIDATES` renamings, the first is taken: still
 * sound (equal keys are still renamings), only less reduced; no bound in the tests comes near.
 * @module
 */
import type { Arena } from './bounds.ts';
import { APP_KINDS } from './bounds.ts';
import { InputError } from '../errors.ts';
import { LIFE_BITS, WorldCoder, type Code } from './state-code.ts';
import { TENANT_KINDS } from '../types.ts';
import type { World } from '../world/world.ts';
import type { Classes } from './tenant-classes.ts';

export type { Code } from './state-code.ts';

/** Renamings tried per state before settling for a sound, less reduced key. */
const MAX_CANDIDATES = 5040;

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Packs digits of known widths into a number when they fit in 52 bits, else into a string. */
class Packer {
  private n = 0;
  private s = '';
  constructor(private readonly asNumber: boolean) {}
  push(digit: number, width: number): void {
    if (this.asNumber) {
      this.n = this.n * 2 ** width + digit;
      return;
    }
    let d = digit;
    for (let w = width; w > 0; w -= 16) {
      this.s += String.fromCharCode(d % 65536);
      d = Math.floor(d / 65536);
    }
  }
  value(): number | string {
    return this.asNumber ? this.n : this.s;
  }
}

/** Computes codes of worlds and keys of tuples of states (one state, or the pair of a diff). */
export class StateKeys {
  private readonly apps: number;
  private readonly tenants: number;
  private readonly users: number;
  private readonly coder: WorldCoder;
  private readonly appClass: number[];
  private readonly tenantClass: number[];
  private readonly cellBits: number;
  private readonly userPerms: Array<{ order: number[]; table: number[] }>;
  // Scratch arrays, reused by every key (the search is single-threaded).
  private readonly appSort: number[];
  private readonly held: number[];
  private readonly identity: number[];
  private readonly sigs: number[];

  /** `worlds`: how many states a key covers (1 for the explorer, 2 for the product of a diff). */
  constructor(
    readonly arena: Arena,
    readonly symmetry: boolean,
    private readonly worlds: number,
  ) {
    this.apps = arena.appIds.length;
    this.tenants = arena.tenantIds.length;
    this.users = arena.userIds.length;
    this.coder = new WorldCoder(arena);
    this.appClass = arena.appKinds.map((k) => APP_KINDS.indexOf(k));
    this.tenantClass = arena.tenantKinds.map((k) => TENANT_KINDS.indexOf(k));
    this.cellBits = this.users * worlds;
    // A tenant's signature (kind and one cell per app) must be an exact number.
    if (2 + this.apps * this.cellBits > 52) {
      const users = `${this.users} user${this.users === 1 ? '' : 's'}`;
      throw new InputError(
        `expected a whole number from 1 to ${Math.floor(50 / this.cellBits)} with ${users}${worlds > 1 ? ' in a diff' : ''}, got ${this.apps}`,
        { field: '--apps' },
        `a state key holds at most 50 app x user${worlds > 1 ? ' x policy' : ''} cells`,
      );
    }
    this.appSort = new Array<number>(this.apps).fill(0);
    this.held = new Array<number>(this.apps).fill(0);
    this.identity = arena.appIds.map((_, i) => i);
    this.sigs = new Array<number>(this.tenants).fill(0);
    // For each renaming of users: new position -> old user, and the combined cell it maps to.
    this.userPerms = permutations(arena.userIds.map((_, i) => i)).map((order) => ({
      order,
      table: Array.from({ length: 2 ** this.cellBits }, (_, cell) => {
        let mapped = 0;
        for (let w = 0; w < worlds; w++) {
          order.forEach((old, pos) => {
            if (cell & (1 << (old + this.users * w))) mapped |= 1 << (pos + this.users * w);
          });
        }
        return mapped;
      }),
    }));
  }

  /** The code of a world; rows and lifecycles unchanged since `previous` are reused. */
  code(world: World, previous?: { world: World; code: Code }): Code {
    return this.coder.code(world, previous);
  }

  /** The key of a tuple of codes (as many as `worlds`). */
  key(codes: readonly Code[]): number | string {
    let life: number[];
    let cells: number[];
    const only = codes.length === 1 ? codes[0] : undefined;
    if (only !== undefined) {
      ({ life, cells } = only);
    } else {
      life = new Array<number>(this.apps).fill(0);
      cells = new Array<number>(this.apps * this.tenants).fill(0);
      codes.forEach((c, w) => {
        for (let a = 0; a < this.apps; a++) life[a] = (life[a] ?? 0) * 2 ** LIFE_BITS + (c.life[a] ?? 0);
        for (let i = 0; i < cells.length; i++) cells[i] = (cells[i] ?? 0) | ((c.cells[i] ?? 0) << (this.users * w));
      });
    }
    return this.symmetry ? this.symmetricKey(life, cells) : this.plainKey(life, cells);
  }

  private plainKey(life: number[], cells: number[]): number | string {
    const lifeBits = LIFE_BITS * this.worlds;
    const packer = new Packer(this.apps * lifeBits + cells.length * this.cellBits <= 52);
    for (const l of life) packer.push(l, lifeBits);
    for (const c of cells) packer.push(c, this.cellBits);
    return packer.value();
  }

  private symmetricKey(life: number[], cells: number[]): number | string {
    const A = this.apps;
    const T = this.tenants;
    // Rename-free fingerprints: apps by kind, lifecycle, tenants held, connections; users by connections.
    const appSort = this.appSort;
    const held = this.held;
    for (let a = 0; a < A; a++) {
      let h = 0;
      let conns = 0;
      for (let t = 0; t < T; t++) {
        const c = cells[a * T + t] ?? 0;
        if (c !== 0) h++;
        for (let x = c; x !== 0; x &= x - 1) conns++;
      }
      held[a] = h;
      appSort[a] = ((this.appClass[a] ?? 0) * 2 ** (LIFE_BITS * this.worlds) + (life[a] ?? 0)) * 2 ** 20 + h * 2 ** 10 + conns;
    }
    const order = this.identity.slice().sort((x, y) => (appSort[x] ?? 0) - (appSort[y] ?? 0));
    const userCandidates = this.userCandidates(cells);
    const appCandidates = this.appOrders(order, Math.max(1, Math.floor(MAX_CANDIDATES / userCandidates.length)));
    let best: number[] | null = null;
    const sigs = this.sigs;
    for (const apps of appCandidates) {
      for (const table of userCandidates) {
        for (let t = 0; t < T; t++) {
          let sig = this.tenantClass[t] ?? 0;
          for (let i = 0; i < A; i++) sig = sig * 2 ** this.cellBits + (table[cells[(apps[i] ?? 0) * T + t] ?? 0] ?? 0);
          sigs[t] = sig;
        }
        sigs.sort(ascending);
        if (best === null || lexLess(sigs, best)) best = sigs.slice();
      }
    }
    const lifeBits = LIFE_BITS * this.worlds;
    const sigBits = 2 + A * this.cellBits;
    const packer = new Packer(A * lifeBits + T * sigBits <= 52);
    for (const a of order) packer.push(life[a] ?? 0, lifeBits);
    for (const sig of best ?? []) packer.push(sig, sigBits);
    return packer.value();
  }

  /** The user renamings (as cell tables) that order users by their number of connections. */
  private userCandidates(cells: readonly number[]): number[][] {
    if (this.users === 1) return [this.userPerms[0]?.table ?? []];
    const count = new Array<number>(this.users).fill(0);
    for (const c of cells) {
      for (let w = 0; w < this.worlds; w++)
        for (let u = 0; u < this.users; u++) if (c & (1 << (u + this.users * w))) count[u] = (count[u] ?? 0) + 1;
    }
    return this.usersOrderedBy(count);
  }

  /** The user renamings (as cell tables) that order users by these numbers of connections. */
  private usersOrderedBy(count: readonly number[]): number[][] {
    if (this.users === 1) return [this.userPerms[0]?.table ?? []];
    // Users without connections are alike whatever their order: keep theirs.
    return this.userPerms
      .filter(({ order }) =>
        order.every((old, pos) => {
          if (pos === 0) return true;
          const prev = order[pos - 1] ?? 0;
          const a = count[prev] ?? 0;
          const b = count[old] ?? 0;
          return a < b || (a === b && (a !== 0 || prev < old));
        }),
      )
      .map((p) => p.table);
  }

  /**
   * The key of a product state whose tenants are counted by class (`tenant-classes.ts`):
   * `life` combined as in `key`, each class key its tenant's kind, then one cell per app. The
   * same orbit as the symmetric key of the tenants listed one by one, in time that grows with
   * the classes, not the tenants.
   */
  classKey(life: readonly number[], classes: Classes): string {
    const A = this.apps;
    const cb = this.cellBits;
    const cellSpace = 2 ** cb;
    const sigSpace = 2 ** (A * cb);
    const entries: Array<{ kind: number; cells: number[]; count: number }> = [];
    const held = this.held;
    const conns = new Array<number>(A).fill(0);
    held.fill(0);
    const userCount = new Array<number>(this.users).fill(0);
    for (const [key, { count }] of classes) {
      const cells = new Array<number>(A).fill(0);
      let rest = key % sigSpace;
      for (let a = A - 1; a >= 0; a--) {
        const cell = rest % cellSpace;
        rest = Math.floor(rest / cellSpace);
        cells[a] = cell;
        if (cell !== 0) held[a] = (held[a] ?? 0) + count;
        for (let x = cell; x !== 0; x &= x - 1) conns[a] = (conns[a] ?? 0) + count;
        for (let w = 0; w < this.worlds; w++)
          for (let u = 0; u < this.users; u++) if (cell & (1 << (u + this.users * w))) userCount[u] = (userCount[u] ?? 0) + count;
      }
      entries.push({ kind: Math.floor(key / sigSpace), cells, count });
    }
    const appSort = this.appSort;
    for (let a = 0; a < A; a++)
      appSort[a] =
        ((this.appClass[a] ?? 0) * 2 ** (LIFE_BITS * this.worlds) + (life[a] ?? 0)) * 2 ** 36 + (held[a] ?? 0) * 2 ** 19 + (conns[a] ?? 0);
    // Exact below 2 ** 53: held under 2 ** 17 (the diff's 100,001 tenants), connections under 2 ** 19.
    const order = this.identity.slice().sort((x, y) => (appSort[x] ?? 0) - (appSort[y] ?? 0));
    const userCandidates = this.usersOrderedBy(userCount);
    const appCandidates = this.appOrders(order, Math.max(1, Math.floor(MAX_CANDIDATES / userCandidates.length)));
    let best: number[] | null = null;
    for (const apps of appCandidates) {
      for (const table of userCandidates) {
        const mapped = entries.map(({ kind, cells, count }) => {
          let sig = kind;
          for (let i = 0; i < A; i++) sig = sig * 2 ** cb + (table[cells[apps[i] ?? 0] ?? 0] ?? 0);
          return [sig, count] as const;
        });
        mapped.sort((x, y) => x[0] - y[0]);
        const flat = mapped.flat();
        if (best === null || lexLess(flat, best)) best = flat;
      }
    }
    return `${order.map((a) => life[a] ?? 0).join(',')}|${(best ?? []).join(',')}`;
  }

  /**
   * Every app order that keeps the fingerprint order (permutations within ties), at most
   * `limit`; apps that hold no tenant are alike whatever their order, so they keep theirs.
   */
  private appOrders(order: number[], limit: number): number[][] {
    let orders: number[][] = [order];
    for (let start = 0; start < order.length; ) {
      const first = order[start] ?? 0;
      let end = start + 1;
      while (end < order.length && this.appSort[order[end] ?? 0] === this.appSort[first]) end++;
      if (end - start > 1 && (this.held[first] ?? 0) > 0) {
        const perms = permutationsOf(end - start);
        if (orders.length * perms.length > limit) return [order];
        const s = start;
        orders = orders.flatMap((o) =>
          perms.map((p) => {
            const next = o.slice();
            for (let i = 0; i < p.length; i++) next[s + i] = o[s + (p[i] ?? 0)] ?? 0;
            return next;
          }),
        );
      }
      start = end;
    }
    return orders;
  }
}

const PERMUTATIONS: number[][][] = [];
function permutationsOf(n: number): number[][] {
  PERMUTATIONS[n] ??= permutations(Array.from({ length: n }, (_, i) => i));
  return PERMUTATIONS[n];
}

const ascending = (x: number, y: number) => x - y;

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
