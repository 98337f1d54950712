/**
 * Tables that several threads of one search add to at once, over a SharedArrayBuffer: the set of
 * state keys seen (`SharedKeySet`, what `KeySet` is to one thread) and the numbers of the tuples
 * of lifecycles met in keys (`SharedNumbers`, what `StateKeys` numbers in a Map in one thread).
 *
 * Both hold whole numbers from 0 to 2^53 in open addressing, a key as two 32-bit words (its high
 * word plus one, so that 0 marks a free slot, and its low word). A thread claims a free slot by
 * compare-and-swap of the high word with a lock bit set, writes the rest, then clears the bit; a
 * thread that meets a locked slot waits for the bit to clear before it compares. A slot, once
 * written, never changes, so two threads adding the same key agree on which of them added it.
 * The tables never grow: they are sized for the most keys the search may hold, at half load.
 * @module
 */
import { slotOf } from './key-set.ts';

/** The high word's bit that marks a slot being written. */
const LOCK = 1 << 30;

/** 2^32, the base of a key's low word. */
const LOW = 2 ** 32;

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
 */
export class SharedKeySet {
  private readonly words: Int32Array;
  private readonly mask: number;

  /** The buffer of a set of at most `keys` keys. */
  static buffer(keys: number): SharedArrayBuffer {
    return new SharedArrayBuffer(slotsFor(keys) * 8);
  }

  /** The slots for `keys` keys at half load (a power of two). */
  static slotsFor(keys: number): number {
    return slotsFor(keys);
  }

  /** `slots`: a power of two, at most the buffer's room (all of it by default). */
  constructor(buffer: SharedArrayBuffer, slots = buffer.byteLength / 8) {
    if (slots * 8 > buffer.byteLength || (slots & (slots - 1)) !== 0) throw new RangeError(`shared keys: ${slots} slots do not fit`);
    this.words = new Int32Array(buffer, 0, 2 * slots);
    this.mask = slots - 1;
  }

  /** Add a key; true when no thread held it before. Throws when every slot is taken. */
  add(key: number): boolean {
    checkedKey(key);
    const words = this.words;
    const high = Math.floor(key / LOW) + 1;
    const low = key | 0;
    let probes = 0;
    for (let i = slotOf(key, this.mask); ; i = (i + 1) & this.mask) {
      const at = 2 * i;
      let held = Atomics.load(words, at);
      if (held === 0) {
        held = Atomics.compareExchange(words, at, 0, high | LOCK);
        if (held === 0) {
          Atomics.store(words, at + 1, low);
          Atomics.store(words, at, high);
          return true;
        }
      }
      while ((held & LOCK) !== 0) held = Atomics.load(words, at);
      if (held === high && Atomics.load(words, at + 1) === low) return false;
      if (++probes > this.mask) throw new RangeError(`shared keys: all ${this.mask + 1} slots are taken`);
    }
  }

  /** Add every key of this set to `other`, then empty this one; while no other thread adds to either. */
  copyInto(other: SharedKeySet): void {
    const words = this.words;
    for (let at = 0; at < words.length; at += 2) {
      const high = words[at] as number;
      if (high === 0) continue;
      other.add((high - 1) * LOW + ((words[at + 1] as number) >>> 0));
    }
    words.fill(0);
  }
}

/**
 * Numbers for whole-number keys, given in the order first met by any thread: 0, 1, 2, ... up to
 * a limit, past which there is none.
 */
export class SharedNumbers {
  /** Word 0 counts the numbers given; slots of three words (high, low, number) follow. */
  private readonly words: Int32Array;
  private readonly mask: number;

  /** The buffer of a table for at most `numbers` numbers. */
  static buffer(numbers: number): SharedArrayBuffer {
    return new SharedArrayBuffer((1 + slotsFor(numbers) * 3) * 4);
  }

  /** `limit`: the most numbers given; at most the `numbers` of the buffer. */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly limit: number,
  ) {
    this.words = new Int32Array(buffer);
    this.mask = (this.words.length - 1) / 3 - 1;
    if (limit > (this.mask + 1) / 2) throw new RangeError(`shared numbers: a limit of ${limit} is over the table's room`);
  }

  /** The number of `key`, given now if first met; undefined when the numbers have run out. */
  numberOf(key: number): number | undefined {
    checkedKey(key);
    const words = this.words;
    const high = Math.floor(key / LOW) + 1;
    const low = key | 0;
    for (let i = slotOf(key, this.mask); ; i = (i + 1) & this.mask) {
      const at = 1 + 3 * i;
      let held = Atomics.load(words, at);
      if (held === 0) {
        held = Atomics.compareExchange(words, at, 0, high | LOCK);
        if (held === 0) {
          const given = Atomics.add(words, 0, 1);
          // A number past the limit is none: the key's slot says so (-1), and no later count matters.
          Atomics.store(words, at + 2, given < this.limit ? given : -1);
          Atomics.store(words, at + 1, low);
          Atomics.store(words, at, high);
          return given < this.limit ? given : undefined;
        }
      }
      while ((held & LOCK) !== 0) held = Atomics.load(words, at);
      if (held === high && Atomics.load(words, at + 1) === low) {
        const number = Atomics.load(words, at + 2);
        return number < 0 ? undefined : number;
      }
    }
  }
}
