/**
 * Command-line parsing shared by the commands: node's `parseArgs`, with every mistake turned into
 * an `InputError` (exit 2) that names the option.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError, quote } from '../errors.ts';

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
    return parseArgs({ args: negativeValues(args, options), allowPositionals: true, options, strict: true });
  } catch (error) {
    throw new InputError((error as Error).message.replace(/\. To specify a positional.*$/s, ''), { file: 'xcm' }, `usage: ${usage}`);
  }
}

/**
 * `--users -1` as `--users=-1`: a value that looks like a negative number is the value of the
 * option before it (`parseArgs` would call it ambiguous), so that the option's own check refuses it.
 */
function negativeValues(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return [...out, ...args.slice(i)];
    const next = args[i + 1];
    if (next !== undefined && /^-[\d.]/.test(next) && arg.startsWith('--') && options[arg.slice(2)]?.type === 'string') {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * A whole-number option from 1 to `max` (decimal digits only: no sign, fraction, exponent or
 * hexadecimal), or undefined when it is not given; anything else names the option and the range.
 */
export function wholeNumber(value: string | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= max))
    throw new InputError(`expected a whole number from 1 to ${max.toLocaleString('en')}, got ${quote(value)}`, {
      file: 'xcm',
      field: `--${name}`,
    });
  return n;
}
