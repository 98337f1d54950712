import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantOf, instantProblem, isCalendarInstant, isoInstant, isoOf } from './instant.ts';

const SETTINGS = { seed: 20200210, numRuns: 20_000 };
const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));

/** Times as traces write them, with out-of-range fields and stray characters among them. */
const atText = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
    two(13),
    two(32),
    two(25),
    two(61),
    two(61),
    fc.constantFrom('', '.123', '.5', '.000', '.99999'),
    fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), two(25), two(61)).map(([s, h, m]) => `${s}${h}:${m}`),
      fc.constant(''),
    ),
  )
  .map(([y, mo, d, h, mi, s, frac, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone}`);

describe('instants of a trace', () => {
  it('should read every time as Date.parse does', () => {
    fc.assert(
      fc.property(fc.oneof(atText, fc.string()), (text) => {
        expect(instantOf(text)).toBe(Date.parse(text));
      }),
      SETTINGS,
    );
  });

  it('should write every instant as toISOString does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1e13, max: 2.6e14 }), fc.double()), (ms) => {
        const expected = (() => {
          try {
            return new Date(ms).toISOString();
          } catch (error) {
            return String(error);
          }
        })();
        const actual = (() => {
          try {
            return isoInstant(ms);
          } catch (error) {
            return String(error);
          }
        })();
        expect(actual).toBe(expected);
      }),
      SETTINGS,
    );
  });

  it('should give the ISO string of a time as isoInstant writes it, the text itself when it is one', () => {
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (error) {
        return String(error);
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(
          atText,
          atText.map((t) => t.replace(/(Z|[+-]\d{2}:\d{2})?$/, 'Z')),
        ),
        (text) => {
          expect(outcome(() => isoOf(text))).toBe(outcome(() => isoInstant(instantOf(text))));
        },
      ),
      SETTINGS,
    );
  });

  it('should know the dates that exist, in every year from 0000 to 9999', () => {
    const leap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    const days = (y: number, m: number) => (m === 2 ? (leap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        (y, m, d, h) => {
          const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00Z`;
          expect(isCalendarInstant(text)).toBe(m >= 1 && m <= 12 && d >= 1 && d <= days(y, m) && h <= 23);
        },
      ),
      { ...SETTINGS, numRuns: 2000 },
    );
    expect(['0000-02-29', '0050-01-01T00:00Z', '0099-12-31T23:59:59+13:00'].map(isCalendarInstant)).toEqual([true, true, true]);
  });

  it('should take as an instant exactly an ISO 8601 time with offset on a real day and hour', () => {
    // The definition, the long way: the form, a date Date.parse reads, a day and hour that exist.
    const form = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
    const defined = (text: string) => form.test(text) && !Number.isNaN(Date.parse(text)) && isCalendarInstant(text);
    fc.assert(
      fc.property(fc.oneof(atText, fc.string()), (text) => {
        expect(instantProblem(text) === null).toBe(defined(text));
      }),
      SETTINGS,
    );
    expect(
      ['2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z'].map(
        (t) => instantProblem(t) === null,
      ),
    ).toEqual([true, false, false, true]);
  });
});
