/**
 * Tables that several threads of one search add to at once, over a SharedArrayBuffer: the set of
 * state keys seen (`SharedKeySet`, what `KeySet` is to one thread) and the numbers of the tuples
 * of lifecycles met in keys (`SharedNumbers`, what `StateKeys` numbers in a Map in one thread).
 *
 * Both hold whole numbers from 0 to 2^53 in open addressing. A thread claims a free slot by
 * compare-and-swap, writes it, and marks it written; a thread that meets a slot being written
 * waits for the mark before it compares. A slot, once written, never changes, so two threads
 * adding the same key agree on which of them added it. Neither grows while threads add to it.
 * @module
 */
import { slotOf } from './key-set.ts';

/** Slots for `keys` keys at half load, a power of two. */
function slotsFor(keys: number): number {
  let slots = 2;
  while (slots < 2 * keys) slots *= 2;
  return slots;
}

function checkedKey(key: number): void {
  if (!Number.isSafeInteger(key) || key < 0) throw new RangeError(`shared keys: a key must be a whole number from 0, got ${key}`);
}

/**
 * A set of whole-number keys that several threads add to at once, in the first `slots` slots of
 * its buffer. It grows only while no thread adds (`copyInto` a larger one, by one thread).
 *
 * A slot is a double (the key plus one; 0 when free) and a claim byte (0 free, 1 being written,
 * 2 written). A look-up reads the doubles alone, as `KeySet` does: a slot, once written, never
 * changes, so a slot of the key means the key was added, and one of another key is passed over.
 * A free-looking slot is settled through its claim byte: claimed by compare-and-swap and written,
 * or waited on until written and then compared. This leans on a double's aligned read and write
 * being whole, as they are on every 64-bit platform Node runs on.
 */
export class SharedKeySet {
  private readonly keys: Float64Array;
  private readonly claims: Uint8Array;
  private readonly mask: number;

  /** The buffer of a set of at most `keys` keys. */
  static buffer(keys: number): SharedArrayBuffer {
    return new SharedArrayBuffer(slotsFor(keys) * 9);
  }

  /** The slots for `keys` keys at half load (a power of two). */
  static slotsFor(keys: number): number {
    return slotsFor(keys);
  }

  /** The most slots a set in `buffer` has. */
  static room(buffer: SharedArrayBuffer): number {
    return buffer.byteLength / 9;
  }

  /** `slots`: a power of two, at most the buffer's room (all of it by default). */
  constructor(buffer: SharedArrayBuffer, slots = SharedKeySet.room(buffer)) {
    const room = SharedKeySet.room(buffer);
    if (slots > room || (slots & (slots - 1)) !== 0) throw new RangeError(`shared keys: ${slots} slots do not fit`);
    this.keys = new Float64Array(buffer, 0, slots);
    this.claims = new Uint8Array(buffer, room * 8, slots);
    this.mask = slots - 1;
  }

  /** Add a key; true when no thread held it before. Throws when every slot is taken. */
  add(key: number): boolean {
    checkedKey(key);
    const { keys, claims, mask } = this;
    const held = key + 1;
    let probes = 0;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      // One read of the slot decides, unless it looks free.
      let seen = keys[i] as number;
      if (seen === 0) {
        let claim = Atomics.load(claims, i);
        if (claim === 0) {
          claim = Atomics.compareExchange(claims, i, 0, 1);
          if (claim === 0) {
            keys[i] = held;
            Atomics.store(claims, i, 2);
            return true;
          }
        }
        while (claim !== 2) claim = Atomics.load(claims, i);
        // Read after the mark: the key written there.
        seen = keys[i] as number;
      }
      if (seen === held) return false;
      if (++probes > mask) throw new RangeError(`shared keys: all ${mask + 1} slots are taken`);
    }
  }

  /** What the first slot of `key` holds: read ahead of `add`, to bring it into the cache. */
  warm(key: number): number {
    return this.keys[slotOf(key, this.mask)] as number;
  }

  /** Add every key of this set to `other`, then empty this one; while no other thread adds to either. */
  copyInto(other: SharedKeySet): void {
    const { keys, claims } = this;
    for (let i = 0; i < keys.length; i++) {
      const held = keys[i] as number;
      if (held !== 0) other.add(held - 1);
    }
    keys.fill(0);
    claims.fill(0);
  }
}

/**
 * Numbers for whole-number keys, given in the order first met by any thread: 0, 1, 2, ... up to
 * a limit, past which there is none. Slots as `SharedKeySet`'s, with the number beside each key.
 */
export class SharedNumbers {
  /** Word 0 counts the numbers given; then each slot's number (-1 past the limit). */
  private readonly words: Int32Array;
  private readonly keys: Float64Array;
  private readonly claims: Uint8Array;
  private readonly mask: number;

  /** The buffer of a table for at most `numbers` numbers. */
  static buffer(numbers: number): SharedArrayBuffer {
    return new SharedArrayBuffer(slotsFor(numbers) * 13 + 8);
  }

  /** `limit`: the most numbers given; at most the `numbers` of the buffer. */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly limit: number,
  ) {
    const slots = (buffer.byteLength - 8) / 13;
    this.keys = new Float64Array(buffer, 0, slots);
    this.words = new Int32Array(buffer, slots * 8, slots + 2);
    this.claims = new Uint8Array(buffer, slots * 12 + 8, slots);
    this.mask = slots - 1;
    if (limit > slots / 2) throw new RangeError(`shared numbers: a limit of ${limit} is over the table's room`);
  }

  /** The number of `key`, given now if first met; undefined when the numbers have run out. */
  numberOf(key: number): number | undefined {
    checkedKey(key);
    const { keys, claims, words, mask } = this;
    const held = key + 1;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      let claim = Atomics.load(claims, i);
      if (claim === 0) {
        claim = Atomics.compareExchange(claims, i, 0, 1);
        if (claim === 0) {
          const given = Atomics.add(words, 0, 1);
          // A number past the limit is none: the key's slot says so (-1), and no later count matters.
          words[i + 1] = given < this.limit ? given : -1;
          keys[i] = held;
          Atomics.store(claims, i, 2);
          return given < this.limit ? given : undefined;
        }
      }
      while (claim !== 2) claim = Atomics.load(claims, i);
      // Read after the mark: the key and number written there.
      if (keys[i] === held) {
        const number = words[i + 1] as number;
        return number < 0 ? undefined : number;
      }
    }
  }
}
