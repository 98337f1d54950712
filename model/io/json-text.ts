/**
 * Checks on the text of JSON (a policy file, a trace line, a request body) that `JSON.parse` does
 * not make: the bytes are UTF-8 (a bad byte is otherwise read as U+FFFD without a word), and no
 * key of an object is given twice (`JSON.parse` keeps the last silently). All walk the text in a
 * loop, never recursively, so a value nested ten thousand deep costs no stack.
 * @module
 */

/**
 * The length of the UTF-8 sequence that starts at byte `i` (the Unicode standard's table 3-7: no
 * overlong forms, no surrogates, nothing past U+10FFFF): 0 when the bytes there are not one, -1
 * when they begin one and `bytes` ends before it does (a file cut inside a character).
 */
export function utf8SequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i] as number;
  if (b < 0x80) return 1;
  // The length of the sequence and the range its second byte must be in.
  let length = 0;
  let low = 0x80;
  let high = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) length = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    length = 3;
    if (b === 0xe0) low = 0xa0;
    if (b === 0xed) high = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    length = 4;
    if (b === 0xf0) low = 0x90;
    if (b === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    const c = bytes[i + k];
    if (c === undefined) return -1;
    if (k === 1 ? c < low || c > high : c < 0x80 || c > 0xbf) return 0;
  }
  return length;
}

/**
 * The offset of the first byte that does not begin a well-formed UTF-8 sequence, or -1 when every
 * byte does. A loop in JavaScript: check `isUtf8` (node:buffer) first for anything large, and call
 * this to say where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceAt(bytes, i);
    if (length <= 0) return i;
    i += length;
  }
  return -1;
}

/** Whether the quote at `at` is escaped (an odd number of backslashes before it). */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; text.charCodeAt(j) === 92; j--) backslashes++;
  return backslashes % 2 === 1;
}

/** The end of the JSON string whose opening quote is at `start` (its closing quote), or -1. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1 && text.charCodeAt(end - 1) === 92 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
  return end;
}

/** The position of the first character from `from` on that is not JSON whitespace. */
function skipSpace(text: string, from: number): number {
  let k = from;
  for (let c = text.charCodeAt(k); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++k));
  return k;
}

/**
 * How many object keys a JSON text has, at any depth: every string followed by a colon. JSON.parse
 * keeps the last of two equal keys without a word, so a text with more keys than its value is
 * one with a key given twice. One `indexOf` per string: cheap enough for every line of a trace.
 */
export function keysInText(text: string): number {
  let keys = 0;
  for (let i = text.indexOf('"'); i !== -1; ) {
    const end = stringEnd(text, i);
    if (end === -1) break;
    const next = skipSpace(text, end + 1);
    if (text.charCodeAt(next) === 58) keys++;
    i = text.indexOf('"', next);
  }
  return keys;
}

/** A key given twice in one object: its field path (`observed.org-1`) and the offset of its second use. */
export interface DuplicateAt {
  path: string;
  offset: number;
}

/**
 * The first key given twice in one object of a JSON text that `JSON.parse` has accepted, or null;
 * with `topOnly`, only the keys of the top-level object are looked at. A loop over the text with
 * a stack of the open objects, never recursive.
 */
export function duplicateKey(text: string, { topOnly = false } = {}): DuplicateAt | null {
  const objects: Array<{ path: string; keys: Set<string> } | null> = [];
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end === -1) return null;
      const next = skipSpace(text, end + 1);
      const top = objects[objects.length - 1];
      if (text.charCodeAt(next) === 58 && top !== undefined && top !== null && (!topOnly || objects.length === 1)) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { path: top.path === '' ? key : `${top.path}.${key}`, offset: i };
        top.keys.add(key);
        lastKey = key;
      }
      i = end;
    } else if (c === 123 /* { */) {
      const parent = objects[objects.length - 1];
      const path =
        objects.length === 0 ? '' : parent === undefined || parent === null || parent.path === '' ? lastKey : `${parent.path}.${lastKey}`;
      objects.push({ path, keys: new Set() });
    } else if (c === 91 /* [ */) objects.push(null);
    else if (c === 125 /* } */ || c === 93 /* ] */) objects.pop();
  }
  return null;
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
  const twice = duplicateKey(text, { topOnly: true });
  return twice === null ? null : { key: twice.path, line: lineAt(text, twice.offset) };
}

/** The 1-based line of the character at `offset`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
