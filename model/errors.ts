/**
 * Errors a user can cause: a bad trace line, an unknown policy, a bad `--set`. Each names where
 * (file, line, field) and what was expected, so the CLI can print one line and exit 2.
 * @module
 */

/** Where bad input was found. Line numbers are 1-based, blank lines included. */
export interface InputLocation {
  file?: string;
  line?: number;
  field?: string;
}

/** Bad input or usage: reported as one message, exit status 2, never a stack trace. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly problem: string,
    readonly where: InputLocation = {},
    readonly hint?: string,
  ) {
    super(formatInputError(problem, where, hint));
  }
}

/**
 * Characters JSON.stringify leaves as they are that a one-line message may not hold: DEL, the C1
 * controls (U+0085 is a line break to some readers) and the line and paragraph separators.
 */
const UNPRINTABLE_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/** JSON text of a value with every character a line may not hold escaped (it stays valid JSON). */
function jsonText(value: unknown): string | undefined {
  return JSON.stringify(value)?.replace(UNPRINTABLE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A file name for a message: as given, unless a control character would break the line. */
function fileName(file: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(file) ? (jsonText(file) as string) : file;
}

function formatInputError(problem: string, where: InputLocation, hint?: string): string {
  const file = where.file === undefined ? undefined : fileName(where.file);
  const place = [file, where.line].filter((p) => p !== undefined).join(':');
  const field = where.field === undefined ? '' : `field ${fieldName(where.field)}: `;
  const head = place === '' ? '' : `${place}: `;
  return `${head}${field}${problem}${hint === undefined ? '' : ` (${hint})`}`;
}

/** How much of a bad value a message shows. */
const QUOTE_LIMIT = 80;

/**
 * A field's name as a message shows it: quoted, with control characters escaped (a key holding a
 * newline stays on one line) and a long name cut, since the name may come from the input.
 */
function fieldName(name: string): string {
  if (name.length <= QUOTE_LIMIT) return jsonText(name) as string;
  return `${(jsonText(name.slice(0, QUOTE_LIMIT - 20)) as string).slice(0, -1)}..." (${name.length} characters)`;
}

/** Whether a JSON value nests deeper than `depth` levels (looked at no deeper than that). */
function deeperThan(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth === 0) return true;
  return Object.values(value).some((v) => deeperThan(v, depth - 1));
}

/**
 * A value as a message quotes it: JSON, cut to a length a line can hold, and never walked deeper
 * than a few levels (a value nested ten thousand deep is described, not printed).
 */
export function quote(value: unknown): string {
  if (typeof value === 'object' && value !== null && deeperThan(value, 3)) {
    return Array.isArray(value) ? `an array nested too deep to show (${value.length} items)` : 'an object nested too deep to show';
  }
  const text = jsonText(value) ?? String(value);
  return text.length <= QUOTE_LIMIT ? text : `${text.slice(0, QUOTE_LIMIT - 15)}... (${text.length} characters)`;
}
