/**
 * Command-line parsing shared by the commands: node's `parseArgs`, with every mistake turned into
 * an `InputError` (exit 2) that names the option.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.ts';

/** Options every command may take. */
export const COMMON_OPTIONS = {
  policy: { type: 'string' },
  set: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Parse a command's arguments; unknown options and missing values are input errors. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  usage: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new InputError((error as Error).message.replace(/\. To specify a positional.*$/s, ''), { file: 'xcm' }, `usage: ${usage}`);
  }
}

/** A whole-number option, or the default. */
export function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InputError(`expected a whole number, got ${JSON.stringify(value)}`, { file: 'xcm', field: `--${name}` });
  return n;
}
