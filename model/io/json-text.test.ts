import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { duplicateTopLevelKey, firstInvalidUtf8 } from './json-text.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('finding the first byte that is not UTF-8', () => {
  it.each([
    ['ASCII', bytes(0x7b, 0x7d), -1],
    ['two, three and four bytes', new TextEncoder().encode('é€😀'), -1],
    ['a lone 0xff', bytes(0x61, 0x62, 0xff, 0x63), 2],
    ['a continuation byte first', bytes(0x80), 0],
    ['an overlong slash (0xc0 0xaf)', bytes(0x41, 0xc0, 0xaf), 1],
    ['an overlong three-byte form (0xe0 0x80 0x80)', bytes(0xe0, 0x80, 0x80), 0],
    ['a surrogate (0xed 0xa0 0x80)', bytes(0x41, 0xed, 0xa0, 0x80), 1],
    ['past U+10FFFF (0xf4 0x90 0x80 0x80)', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['a sequence cut short at the end', bytes(0x41, 0x42, 0xe2, 0x82), 2],
  ])('%s', (_, input, offset) => {
    expect(firstInvalidUtf8(input)).toBe(offset);
    expect(isUtf8(input)).toBe(offset === -1);
  });
});

describe('finding a key the top-level object gives twice', () => {
  it('should name the key and the line of its second use, escapes decoded', () => {
    expect(duplicateTopLevelKey('{"id": "p",\n "appCap": 1,\n "app\\u0043ap": 2}')).toEqual({ key: 'appCap', line: 3 });
    expect(duplicateTopLevelKey('{"id":"p","id":"q"}')).toEqual({ key: 'id', line: 1 });
  });

  it('should not take strings that are values, or keys of nested objects, for keys', () => {
    expect(duplicateTopLevelKey('{"id": "appCap", "appCap": 1, "title": "a \\"b\\", c"}')).toBeNull();
    expect(duplicateTopLevelKey('{"a": {"x": 1, "x": 2}, "b": [{"a": 1}], "c": "{\\"a\\":"}')).toBeNull();
  });

  it('should walk a value nested ten thousand deep without recursion', () => {
    const deep = `{"a": ${'['.repeat(10_000)}${']'.repeat(10_000)}, "a": 1}`;
    expect(duplicateTopLevelKey(deep)).toEqual({ key: 'a', line: 1 });
  });
});
