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

function formatInputError(problem: string, where: InputLocation, hint?: string): string {
  const place = [where.file, where.line].filter((p) => p !== undefined).join(':');
  const field = where.field === undefined ? '' : `field "${where.field}": `;
  const head = place === '' ? '' : `${place}: `;
  return `${head}${field}${problem}${hint === undefined ? '' : ` (${hint})`}`;
}
