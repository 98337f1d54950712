/**
 * A persistent map from string keys to values, for the world's large records: every update
 * returns a new map that shares all but a few small nodes with the old one, so a step costs a
 * handful of short array copies instead of a copy of a record with hundreds of keys. Keys are
 * listed in insertion order (a new key goes last; replacing a value keeps its place; a removed
 * key that comes back goes last), whatever they spell: `__proto__` or `7` is a key like any
 * other. Nothing here knows about the rules.
 *
 * The trie branches on the bits of a key's id: each distinct key string gets a small integer
 * once per process, so ids never collide and a lookup is a few array reads.
 * @module
 */

/** Bits of a key's id per level: 16-way branches keep the copies of an update short. */
const BITS = 4;
const MASK = (1 << BITS) - 1;

const ids = new Map<string, number>();

function idOf(key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = ids.size;
    ids.set(key, id);
  }
  return id;
}

class Leaf<V> {
  constructor(
    readonly id: number,
    readonly key: string,
    readonly value: V,
    readonly seq: number,
  ) {}
}

class Branch<V> {
  constructor(
    readonly bitmap: number,
    readonly slots: ReadonlyArray<Leaf<V> | Branch<V>>,
  ) {}
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** An immutable map; `memo` caches key lists and indexes derived from it (pure functions of it). */
export class PMap<V> {
  /** Derived data cached by the modules that read this map. */
  memo: { keys?: readonly string[]; index?: unknown; sole?: string; kinds?: unknown } | undefined = undefined;
  constructor(
    readonly root: Branch<V> | null,
    readonly size: number,
    readonly nextSeq: number,
  ) {}
}

/** The empty map. */
export const EMPTY_PMAP: PMap<never> = new PMap<never>(null, 0, 0);

function leafOf<V>(map: PMap<V>, key: string): Leaf<V> | undefined {
  const id = ids.get(key);
  let node = map.root;
  if (id === undefined || node === null) return undefined;
  for (let shift = 0; ; shift += BITS) {
    const bit = 1 << ((id >>> shift) & MASK);
    if ((node.bitmap & bit) === 0) return undefined;
    const slot: Leaf<V> | Branch<V> = node.slots[popcount(node.bitmap & (bit - 1))] as Leaf<V> | Branch<V>;
    if (slot instanceof Leaf) return slot.id === id ? slot : undefined;
    node = slot;
  }
}

/** The value under `key`, if any. */
export function pget<V>(map: PMap<V>, key: string): V | undefined {
  return leafOf(map, key)?.value;
}

/** Whether the last `insert` replaced a key rather than adding one (read right after it). */
let replacedKey = false;

/** The branch with `key` set; a new key's leaf gets `seq`, a replaced one keeps its own. */
function insert<V>(node: Branch<V> | null, shift: number, id: number, key: string, value: V, seq: number): Branch<V> {
  const bit = 1 << ((id >>> shift) & MASK);
  if (node === null) return new Branch(bit, [new Leaf(id, key, value, seq)]);
  const i = popcount(node.bitmap & (bit - 1));
  const slots = node.slots.slice();
  if ((node.bitmap & bit) === 0) {
    slots.splice(i, 0, new Leaf(id, key, value, seq));
    return new Branch(node.bitmap | bit, slots);
  }
  const slot = slots[i] as Leaf<V> | Branch<V>;
  if (slot instanceof Branch) slots[i] = insert(slot, shift + BITS, id, key, value, seq);
  else if (slot.id === id) {
    replacedKey = true;
    slots[i] = new Leaf(id, key, value, slot.seq);
  } else {
    slots[i] = insert(new Branch(1 << ((slot.id >>> (shift + BITS)) & MASK), [slot]), shift + BITS, id, key, value, seq);
  }
  return new Branch(node.bitmap, slots);
}

/** The map with `key` set to `value`: a new key goes last, an existing one keeps its place. */
export function pset<V>(map: PMap<V>, key: string, value: V): PMap<V> {
  replacedKey = false;
  const root = insert(map.root, 0, idOf(key), key, value, map.nextSeq);
  return replacedKey ? new PMap(root, map.size, map.nextSeq) : new PMap(root, map.size + 1, map.nextSeq + 1);
}

function remove<V>(node: Branch<V>, shift: number, id: number): Branch<V> | Leaf<V> | null {
  const bit = 1 << ((id >>> shift) & MASK);
  const i = popcount(node.bitmap & (bit - 1));
  const slot = node.slots[i] as Leaf<V> | Branch<V>;
  const replaced = slot instanceof Leaf ? null : remove(slot, shift + BITS, id);
  if (replaced === null && node.slots.length === 1) return null;
  const slots = node.slots.slice();
  if (replaced === null) slots.splice(i, 1);
  else slots[i] = replaced;
  const bitmap = replaced === null ? node.bitmap & ~bit : node.bitmap;
  // A branch left with one leaf is replaced by the leaf, so lookups stay short.
  const only = slots.length === 1 ? slots[0] : undefined;
  return shift > 0 && only instanceof Leaf ? only : new Branch(bitmap, slots);
}

/** The map without `key` (the same map when it has no such key). */
export function pdelete<V>(map: PMap<V>, key: string): PMap<V> {
  const old = leafOf(map, key);
  if (old === undefined || map.root === null) return map;
  const root = remove(map.root, 0, old.id);
  const asBranch = root instanceof Leaf ? new Branch(1 << (root.id & MASK), [root]) : root;
  return new PMap(asBranch, map.size - 1, map.nextSeq);
}

function eachLeaf<V>(node: Branch<V>, visit: (leaf: Leaf<V>) => void): void {
  for (const slot of node.slots) {
    if (slot instanceof Leaf) visit(slot);
    else eachLeaf(slot, visit);
  }
}

/** Insertion order: the order the keys were first added in (since they were last removed). */
function insertionOrder<V>(a: Leaf<V>, b: Leaf<V>): number {
  return a.seq - b.seq;
}

/** Visit every entry, in no particular order (for counting). */
export function pforEach<V>(map: PMap<V>, visit: (key: string, value: V) => void): void {
  if (map.root !== null) eachLeaf(map.root, (leaf) => visit(leaf.key, leaf.value));
}

/** The keys in insertion order (cached on the map). */
export function pkeys<V>(map: PMap<V>): readonly string[] {
  map.memo ??= {};
  const memo = map.memo;
  if (memo.keys !== undefined) return memo.keys;
  const leaves: Array<Leaf<V>> = [];
  if (map.root !== null) eachLeaf(map.root, (leaf) => leaves.push(leaf));
  leaves.sort(insertionOrder);
  memo.keys = leaves.map((leaf) => leaf.key);
  return memo.keys;
}

/** The keys whose entries pass `keep`, in insertion order. */
export function pkeysWhere<V>(map: PMap<V>, keep: (key: string, value: V) => boolean): string[] {
  const leaves: Array<Leaf<V>> = [];
  if (map.root !== null)
    eachLeaf(map.root, (leaf) => {
      if (keep(leaf.key, leaf.value)) leaves.push(leaf);
    });
  return leaves.sort(insertionOrder).map((leaf) => leaf.key);
}
