/**
 * `xcm import FILE... --app NAME`: `GET /connections` responses into a trace, written to standard
 * output or `--out FILE`. Arguments only; the work is in `connections.ts`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { InputError, quote } from '../errors.ts';
import { parse } from './args.ts';
import { importConnections } from './connections.ts';
import { nameProblem } from './trace-parse.ts';
import { TENANT_KINDS, type TenantKind } from '../types.ts';

/** The usage line of `xcm import`. */
export const IMPORT_USAGE = 'xcm import FILE... --app NAME [--user NAME]... [--demo PATTERN] [--kind TYPE=KIND]... [--out FILE]';

const OPTIONS = {
  app: { type: 'string' },
  user: { type: 'string', multiple: true },
  demo: { type: 'string' },
  kind: { type: 'string', multiple: true },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A name given on the command line, or an error naming its option. */
function nameOption(value: string, option: string): string {
  const problem = value === '' ? 'expected a non-empty name' : nameProblem(value);
  if (problem !== null) throw new InputError(problem, { file: 'xcm', field: option });
  return value;
}

/** `--kind TYPE=KIND`, each checked. */
function kindsOf(values: readonly string[]): Record<string, TenantKind> {
  const kinds: Record<string, TenantKind> = Object.create(null);
  for (const value of values) {
    const eq = value.indexOf('=');
    const kind = value.slice(eq + 1);
    if (eq <= 0 || !(TENANT_KINDS as readonly string[]).includes(kind))
      throw new InputError(
        `expected TYPE=KIND, got ${quote(value)}`,
        { file: 'xcm', field: '--kind' },
        `KIND is one of ${TENANT_KINDS.join(', ')}`,
      );
    kinds[value.slice(0, eq)] = kind as TenantKind;
  }
  return kinds;
}

/** `--demo PATTERN` as a regular expression, matched case-insensitively. */
function demoOf(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern, 'i');
  } catch (error) {
    throw new InputError(`not a regular expression: ${(error as Error).message}`, { file: 'xcm', field: '--demo' }, 'e.g. "^(Demo|Test) "');
  }
}

/** `xcm import`: exit 0 with the trace written, 2 on bad input. */
export function importCommand(args: string[]): number {
  const { values, positionals: files } = parse(args, OPTIONS, IMPORT_USAGE);
  if (files.length === 0) throw new InputError('missing the connections file', { file: 'xcm' }, `usage: ${IMPORT_USAGE}`);
  if (values.app === undefined)
    throw new InputError('missing', { file: 'xcm', field: '--app' }, 'the app whose connections these are: --app NAME');
  const app = nameOption(values.app, '--app');
  const users = (values.user ?? []).map((user) => nameOption(user, '--user'));
  if (users.length > 0 ? users.length !== files.length : files.length > 1) {
    throw new InputError(
      `${files.length} files and ${users.length} users`,
      { file: 'xcm', field: '--user' },
      "give one --user per file, in the order of the files: each file is one user's GET /connections",
    );
  }
  const result = importConnections(
    files.map((file, i) => ({ file, user: users[i] })),
    { app, demo: demoOf(values.demo), kinds: kindsOf(values.kind ?? []) },
  );
  if (values.out === undefined) {
    process.stdout.write(result.text);
    return 0;
  }
  try {
    writeFileSync(values.out, result.text);
  } catch (error) {
    throw new InputError(`cannot write the trace (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file: values.out });
  }
  process.stdout.write(
    `trace written to ${values.out}: ${result.connections} connections, ${result.tenants} tenants, ${result.consents} consents\n`,
  );
  return 0;
}
