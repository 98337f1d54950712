/**
 * `xcm serve`: start the simulator, print `listening on http://HOST:PORT` as the first line of
 * standard output, and stop cleanly (close the server, then the database; exit 0) on SIGINT or
 * SIGTERM.
 * @module
 */
import { InputError, quote } from '../model/errors.ts';
import { COMMON_OPTIONS, parse } from '../model/io/args.ts';
import { type Mutant, serve } from './http.ts';
import { seedWorld } from './seed.ts';
import { DatabaseInUse } from './store.ts';

export const SERVE_USAGE =
  'xcm serve [--port N] [--host H] [--db FILE] [--sync normal|full] [--policy ID|FILE] [--set K=V] [--admin-token T] [--seed-world]';

const MUTANTS: readonly Mutant[] = ['await-between-decide-and-commit', 'commit-after-response'];

export async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      policy: COMMON_OPTIONS.policy,
      set: COMMON_OPTIONS.set,
      'admin-token': { type: 'string' },
      sync: { type: 'string' },
      'seed-world': { type: 'boolean' },
    },
    SERVE_USAGE,
  );
  if (positionals.length > 0)
    throw new InputError(`unexpected argument ${JSON.stringify(positionals[0])}`, { file: 'xcm' }, `usage: ${SERVE_USAGE}`);
  // Port 0 (the default) asks the system for a free one.
  const port = values.port === undefined ? 0 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port <= 65535))
    throw new InputError(`expected a port from 0 to 65535, got ${quote(values.port)}`, { file: 'xcm', field: '--port' });
  const sync = values.sync ?? 'normal';
  if (sync !== 'normal' && sync !== 'full')
    throw new InputError(
      `unknown sync ${quote(sync)}`,
      { file: 'xcm', field: '--sync' },
      'normal (survives a crash of the server) or full (a power cut too)',
    );
  const adminToken = values['admin-token'];
  if (adminToken === '') throw new InputError('expected a non-empty token', { file: 'xcm', field: '--admin-token' });
  // Test support only: the deliberately broken variants the durability and concurrency tests must catch.
  const mutant = process.env.XCM_SERVE_MUTANT as Mutant | undefined;
  if (mutant !== undefined && !MUTANTS.includes(mutant))
    throw new InputError(`unknown XCM_SERVE_MUTANT ${JSON.stringify(mutant)}`, { file: 'xcm' });
  let running: Awaited<ReturnType<typeof serve>>;
  try {
    running = await serve({ port, host: values.host, db: values.db, policy: values.policy, set: values.set, adminToken, mutant, sync });
  } catch (error) {
    if (error instanceof DatabaseInUse)
      throw new InputError('in use by another process (one xcm serve owns a database file)', { file: values.db ?? '', field: '--db' });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new InputError(`cannot listen on ${values.host ?? '127.0.0.1'}:${port} (${code})`, { file: 'xcm', field: '--port' });
    if ((error as { code?: string }).code?.startsWith('SQLITE_') === true || code === 'ENOENT' || code === 'EISDIR')
      throw new InputError(`cannot open the database (${(error as Error).message})`, { file: values.db ?? '', field: '--db' });
    throw error;
  }
  if (values['seed-world'] === true) seedWorld(running.simulator);
  process.stdout.write(`listening on ${running.url}\n`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.close().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
