import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeySet } from './key-set.ts';

describe('KeySet', () => {
  it('should answer as a Set of the same keys, across growth, for numbers up to 2^53 and strings', () => {
    const key = fc.oneof(
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: 0, max: 2 ** 32 + 5 }),
      fc.maxSafeInteger().filter((n) => n >= 0),
      // Numbers equal in their low 32 bits: the high word must count in the slot.
      fc.integer({ min: 0, max: 2 ** 20 }).map((n) => n * 2 ** 32 + 7),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(key, { minLength: 2_500, maxLength: 12_000 }), (keys) => {
        const set = new KeySet();
        const model = new Set<number | string>();
        for (const k of keys) {
          expect(set.add(k)).toBe(!model.has(k));
          model.add(k);
        }
        expect(set.size).toBe(model.size);
        for (const k of keys) expect(set.add(k)).toBe(false);
        expect(set.add('never added: longer than any')).toBe(true);
        expect(set.size).toBe(model.size + 1);
      }),
      { numRuns: 30, endOnFailure: true },
    );
  });

  it('should refuse a number key it cannot hold exactly', () => {
    const set = new KeySet();
    expect(() => set.add(-1)).toThrow(RangeError);
    expect(() => set.add(2 ** 53)).toThrow(RangeError);
    expect(() => set.add(1.5)).toThrow(RangeError);
  });
});
