/**
 * Tenants counted by class, for the policy diff (`diff.ts`) at large caps. Two tenants of one
 * kind that the same users connect to the same apps (in both worlds of the product) are in one
 * class: a renaming that swaps them maps the state to itself (`symmetry.ts`), so a move to one
 * and the same move to the other lead to the same state up to renaming and give the same
 * outcomes. The search then tries one move per class (its least tenant, the one the old move
 * order tried first), keys a state by its classes' counts, and updates the classes from the
 * tenants a move names plus one member of each class: work per state grows with the classes,
 * not the tenants, so 10,001 tenants of one kind cost what 2 do.
 *
 * A class's members are a persistent bit set (`Bits`): a move copies one leaf of 64 words, and
 * a class that moves whole (a revoke) is shared or merged word by word.
 * @module
 */
import type { Arena } from './bounds.ts';
import { TENANT_KINDS } from '../types.ts';
import { usersOf, type World } from '../world/world.ts';

/** Words of 32 bits per leaf: 2,048 tenants. */
const LEAF_WORDS = 64;
const LEAF_BITS = LEAF_WORDS * 32;

/** An immutable set of tenant indices: leaves of 2,048 bits, null when empty. */
export class Bits {
  private constructor(private readonly leaves: ReadonlyArray<Uint32Array | null>) {}

  static empty(size: number): Bits {
    return new Bits(new Array<Uint32Array | null>(Math.ceil(size / LEAF_BITS)).fill(null));
  }

  has(i: number): boolean {
    const leaf = this.leaves[Math.floor(i / LEAF_BITS)];
    if (leaf === null || leaf === undefined) return false;
    const bit = i % LEAF_BITS;
    return ((leaf[bit >>> 5] ?? 0) & (1 << (bit & 31))) !== 0;
  }

  /** The set with `i` in (`on`) or out. */
  with(i: number, on: boolean): Bits {
    const l = Math.floor(i / LEAF_BITS);
    const bit = i % LEAF_BITS;
    const old = this.leaves[l] ?? null;
    const leaf = old === null ? new Uint32Array(LEAF_WORDS) : old.slice();
    const w = bit >>> 5;
    leaf[w] = on ? (leaf[w] ?? 0) | (1 << (bit & 31)) : (leaf[w] ?? 0) & ~(1 << (bit & 31));
    const leaves = this.leaves.slice();
    leaves[l] = leaf.some((x) => x !== 0) ? leaf : null;
    return new Bits(leaves);
  }

  /** The least member from `from` on, or -1. */
  next(from: number): number {
    for (let l = Math.floor(from / LEAF_BITS); l < this.leaves.length; l++) {
      const leaf = this.leaves[l];
      if (leaf === null || leaf === undefined) continue;
      const start = l * LEAF_BITS;
      for (let w = Math.max(0, Math.floor((from - start) / 32)); w < LEAF_WORDS; w++) {
        let word = leaf[w] ?? 0;
        const base = start + w * 32;
        if (base < from) word &= ~0 << (from - base);
        if (word !== 0) return base + 31 - Math.clz32(word & -word);
      }
    }
    return -1;
  }

  /** The union of two sets of the same size. */
  or(other: Bits): Bits {
    return new Bits(
      this.leaves.map((leaf, l) => {
        const that = other.leaves[l] ?? null;
        if (leaf === null || that === null) return leaf ?? that;
        return leaf.map((x, w) => x | (that[w] ?? 0));
      }),
    );
  }
}

/** One class: how many tenants, and which. */
export interface TenantClass {
  count: number;
  members: Bits;
}

/** The classes of a product state, by class key (kind, then one cell per app: users in world A, then in B). */
export type Classes = ReadonlyMap<number, TenantClass>;

/** Computes the classes of the tenants of one arena over the two worlds of a diff. */
export class TenantClasser {
  private readonly apps: number;
  private readonly users: number;
  private readonly tenants: number;
  /** Bits of one app's cell: one per user per world. */
  readonly cellBits: number;
  private readonly kindOf: number[];
  private readonly userIndex: Map<string, number>;

  constructor(private readonly arena: Arena) {
    this.apps = arena.appIds.length;
    this.users = arena.userIds.length;
    this.tenants = arena.tenantIds.length;
    this.cellBits = 2 * this.users;
    this.kindOf = arena.tenantKinds.map((k) => TENANT_KINDS.indexOf(k));
    this.userIndex = new Map(arena.userIds.map((u, i) => [u, i]));
  }

  /** Bits of a class key below the kind. */
  get sigBits(): number {
    return this.apps * this.cellBits;
  }

  private mask(world: World, app: string, tenant: string): number {
    let mask = 0;
    for (const user of usersOf(world, app, tenant)) {
      const u = this.userIndex.get(user);
      if (u === undefined) throw new Error(`tenant classes: user ${user} is outside the bounds`);
      mask |= 1 << u;
    }
    return mask;
  }

  /** The class key of tenant `t` in the worlds: its kind, then app 1's cell first. */
  keyOf(t: number, a: World, b: World): number {
    const tenant = this.arena.tenantIds[t] ?? '';
    let key = this.kindOf[t] ?? 0;
    for (const app of this.arena.appIds)
      key = key * 2 ** this.cellBits + (this.mask(a, app, tenant) | (this.mask(b, app, tenant) << this.users));
    return key;
  }

  /** Every tenant's class, from scratch. */
  classes(a: World, b: World): Classes {
    const out = new Map<number, TenantClass>();
    for (let t = 0; t < this.tenants; t++) add(out, this.keyOf(t, a, b), 1, Bits.empty(this.tenants).with(t, true));
    return out;
  }

  /**
   * The classes after a move that named tenants `named` and changed the links of some app in
   * either world: the named tenants are placed afresh, and the rest of each class, alike under
   * every renaming that fixes the move, goes whole where its least member goes.
   */
  next(before: Classes, named: readonly number[], a: World, b: World): Classes {
    const out = new Map<number, TenantClass>();
    for (const cls of before.values()) {
      let { count, members } = cls;
      for (const t of named)
        if (members.has(t)) {
          members = members.with(t, false);
          count--;
        }
      if (count === 0) continue;
      add(out, this.keyOf(members.next(0), a, b), count, members);
    }
    const placed = new Set<number>();
    for (const t of named) {
      if (placed.has(t)) continue;
      placed.add(t);
      add(out, this.keyOf(t, a, b), 1, Bits.empty(this.tenants).with(t, true));
    }
    return out;
  }
}

function add(classes: Map<number, TenantClass>, key: number, count: number, members: Bits): void {
  const there = classes.get(key);
  classes.set(key, there === undefined ? { count, members } : { count: there.count + count, members: there.members.or(members) });
}
