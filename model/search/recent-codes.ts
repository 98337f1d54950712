/**
 * The codes of states the explorer discovered lately, exactly (no hash stands for a code): a
 * direct-mapped table of the last code seen per slot. A successor whose code is in it was keyed
 * and offered to the search already, so its symmetric key (the costly part of a transition under
 * symmetry) need not be computed again: the search would find the key seen. Many moves from
 * neighbouring states lead to one state, so most repeats are recent.
 * @module
 */
import type { Code } from './state-code.ts';
import { LIFE_BITS } from './state-code.ts';

/** Slots of the table: 2^18 (4 MB in two arrays of doubles). */
const SLOT_BITS = 18;

/** A table of recent codes, for codes whose cells fit in 52 bits (else it remembers nothing). */
export class RecentCodes {
  private readonly lives: Float64Array;
  private readonly cells: Float64Array;
  /**
   * The weight of each lifecycle and cell in the two numbers a code is packed into (lifecycles in
   * base 2^LIFE_BITS, cells in base 2^cellBits, the first the highest digit); null when the
   * table is off.
   */
  private readonly weights: { readonly life: readonly number[]; readonly cells: readonly number[] } | null;
  /** False when a code does not fit two exact numbers: `has` is then always false. */
  readonly enabled: boolean;
  private life = 0;
  private cell = 0;
  private slot = 0;

  /** Codes of `apps` lifecycles and `cellCount` cells of `cellBits` bits each; `use` false: remember nothing. */
  constructor(use: boolean, apps: number, cellCount: number, cellBits: number) {
    this.enabled = use && apps * LIFE_BITS <= 52 && cellCount * cellBits <= 52;
    this.weights = this.enabled
      ? {
          life: Array.from({ length: apps }, (_, a) => 2 ** (LIFE_BITS * (apps - 1 - a))),
          cells: Array.from({ length: cellCount }, (_, i) => 2 ** (cellBits * (cellCount - 1 - i))),
        }
      : null;
    const size = this.enabled ? 2 ** SLOT_BITS : 1;
    // NaN never equals a number: an empty slot matches no code.
    this.lives = new Float64Array(size).fill(Number.NaN);
    this.cells = new Float64Array(size).fill(Number.NaN);
  }

  /** Whether the code is in the table; it stays the current code for `add`. */
  has(code: Code): boolean {
    if (this.weights === null) return false;
    let life = 0;
    for (let a = 0; a < code.life.length; a++) life += (code.life[a] as number) * (this.weights.life[a] as number);
    let cell = 0;
    for (let i = 0; i < code.cells.length; i++) cell += (code.cells[i] as number) * (this.weights.cells[i] as number);
    return this.hasPacked(life, cell);
  }

  /**
   * The weight of each lifecycle and cell in the two numbers `has` packs a code into (so that a
   * caller that changes a few positions of a code can change the numbers alike, `hasPacked`);
   * null when the table is off.
   */
  packedWeights(): { readonly life: readonly number[]; readonly cells: readonly number[] } | null {
    return this.weights;
  }

  /** `has` of a code packed as `packedWeights` weighs it. */
  hasPacked(life: number, cell: number): boolean {
    if (!this.enabled) return false;
    const low = cell >>> 0;
    const high = Math.floor(cell / 2 ** 32);
    const mixed = Math.imul(low ^ Math.imul(high, 0x85ebca6b) ^ Math.imul(life >>> 0, 0xc2b2ae35), 0x9e3779b1) ^ Math.floor(life / 2 ** 32);
    this.slot = Math.imul(mixed ^ (mixed >>> 15), 0x2c1b3c6d) >>> (32 - SLOT_BITS);
    this.life = life;
    this.cell = cell;
    return this.lives[this.slot] === life && this.cells[this.slot] === cell;
  }

  /** Remember the code `has` was last asked about. */
  add(): void {
    if (!this.enabled) return;
    this.lives[this.slot] = this.life;
    this.cells[this.slot] = this.cell;
  }
}
