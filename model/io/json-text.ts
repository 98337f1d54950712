/**
 * Checks on the text of a JSON file that `JSON.parse` does not make: the bytes are UTF-8 (a bad
 * byte is otherwise read as U+FFFD without a word), and no key of the top-level object is given
 * twice (`JSON.parse` keeps the last silently). Both walk the text in a loop, never recursively,
 * so a value nested ten thousand deep costs no stack.
 * @module
 */

/** Whether `byte` is a UTF-8 continuation byte (10xxxxxx) within `[low, high]`. */
function continues(bytes: Uint8Array, at: number, low = 0x80, high = 0xbf): boolean {
  const byte = bytes[at];
  return byte !== undefined && byte >= low && byte <= high;
}

/**
 * The offset of the first byte that does not begin a well-formed UTF-8 sequence (the Unicode
 * standard's table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or -1 when
 * every byte does. Quick enough for a policy file; check `isUtf8` first for anything large.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let size: number;
    if (b < 0x80) size = 1;
    else if (b >= 0xc2 && b <= 0xdf) size = continues(bytes, i + 1) ? 2 : 0;
    else if (b === 0xe0) size = continues(bytes, i + 1, 0xa0) && continues(bytes, i + 2) ? 3 : 0;
    else if (b === 0xed) size = continues(bytes, i + 1, 0x80, 0x9f) && continues(bytes, i + 2) ? 3 : 0;
    else if (b >= 0xe1 && b <= 0xef) size = continues(bytes, i + 1) && continues(bytes, i + 2) ? 3 : 0;
    else if (b === 0xf0) size = continues(bytes, i + 1, 0x90) && continues(bytes, i + 2) && continues(bytes, i + 3) ? 4 : 0;
    else if (b === 0xf4) size = continues(bytes, i + 1, 0x80, 0x8f) && continues(bytes, i + 2) && continues(bytes, i + 3) ? 4 : 0;
    else if (b >= 0xf1 && b <= 0xf3) size = continues(bytes, i + 1) && continues(bytes, i + 2) && continues(bytes, i + 3) ? 4 : 0;
    else size = 0;
    if (size === 0) return i;
    i += size;
  }
  return -1;
}

/** A key of the top-level object given more than once, and the 1-based line of its second use. */
export interface DuplicateKey {
  key: string;
  line: number;
}

/**
 * The first key the top-level object of `text` gives twice, or null. `text` must be JSON that
 * `JSON.parse` has accepted, with an object at the top (nested objects are not looked into).
 */
export function duplicateTopLevelKey(text: string): DuplicateKey | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: find its closing quote, stepping over escapes.
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (seen.has(key)) return { key, line: lineAt(text, i) };
        seen.add(key);
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) expectKey = true;
    i++;
  }
  return null;
}

/** The 1-based line of the character at `offset`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
