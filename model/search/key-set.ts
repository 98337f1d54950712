/**
 * The set of state keys a search has seen. A key that is a whole number (what `StateKeys` gives
 * whenever a state's code fits 52 bits, the usual case) is held in an open-addressing table of
 * doubles: no object per key, eight bytes a slot, so a search of millions of states neither
 * fills the heap with boxed numbers nor slows the collector. A key that is a string (a code too
 * long for a number) goes to a `Set`. Nothing here knows what a key means.
 * @module
 */

/** Slots of a new table (a power of two). */
const INITIAL_SLOTS = 1 << 12;

/** The most number keys the table holds: 2^29 slots of 8 bytes at half load. */
const MAX_NUMBER_KEYS = 2 ** 28;

/** A set of state keys: whole numbers from 0 to 2^53, or strings. */
export class KeySet {
  private slots = new Float64Array(INITIAL_SLOTS).fill(-1);
  private mask = INITIAL_SLOTS - 1;
  private numbers = 0;
  private readonly strings = new Set<string>();

  /** Keys held. */
  get size(): number {
    return this.numbers + this.strings.size;
  }

  /** Add a key; true when it was not held before. */
  add(key: number | string): boolean {
    if (typeof key === 'string') {
      if (this.strings.has(key)) return false;
      this.strings.add(key);
      return true;
    }
    if (!Number.isSafeInteger(key) || key < 0) throw new RangeError(`key set: a number key must be a whole number from 0, got ${key}`);
    const slots = this.slots;
    for (let i = slotOf(key, this.mask); ; i = (i + 1) & this.mask) {
      const held = slots[i] as number;
      if (held === key) return false;
      if (held === -1) {
        slots[i] = key;
        this.numbers++;
        if (this.numbers * 2 > slots.length) this.grow();
        return true;
      }
    }
  }

  /** What the first slot of `key` holds (strings: 0): read ahead of `add`, to bring it into the cache. */
  warm(key: number | string): number {
    return typeof key === 'string' ? 0 : (this.slots[slotOf(key, this.mask)] as number);
  }

  private grow(): void {
    if (this.numbers >= MAX_NUMBER_KEYS) throw new RangeError(`key set: more than ${MAX_NUMBER_KEYS} keys`);
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    for (const key of old) {
      if (key === -1) continue;
      let i = slotOf(key, this.mask);
      while (this.slots[i] !== -1) i = (i + 1) & this.mask;
      this.slots[i] = key;
    }
  }
}

/** The first slot to probe for a key: its low and high words mixed (a finaliser of MurmurHash3). */
export function slotOf(key: number, mask: number): number {
  let h = (key >>> 0) ^ Math.imul(Math.floor(key / 2 ** 32), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}
