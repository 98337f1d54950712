#!/usr/bin/env node
/**
 * `xcm`: the command-line entry. Thin: each command lives with the area it belongs to, and is
 * loaded only when it runs, so `xcm --help` loads nothing but this file and the argument parser.
 * Exit status 0 (holds), 1 (divergence, violation or difference found), 2 (bad input or usage),
 * 3 (internal error), 130 (an explore or diff interrupted by Ctrl-C; 143 by SIGTERM).
 * @module
 */
import { InputError } from '../model/errors.ts';
import { COMMON_OPTIONS, parse, wholeNumber } from '../model/io/args.ts';

const MAX_DIVERGENCES = { 'max-divergences': { type: 'string' } } as const;

const COMMAND_NAMES = [
  'check',
  'run',
  'status',
  'import',
  'impact',
  'infer',
  'explore',
  'diff',
  'scenarios',
  'policies',
  'docs',
  'serve',
  'conform',
];

/** `xcm help [CMD]`, `xcm CMD --help`: the overview or one command's whole help. */
async function help(command: string | undefined): Promise<number> {
  const { commandHelp, overview } = await import('./help.ts');
  if (command === undefined) {
    process.stdout.write(`${overview()}\n`);
    return 0;
  }
  const text = commandHelp(command);
  if (text === null) throw new InputError(`no such command ${JSON.stringify(command)}`, { file: 'xcm' }, 'see xcm help');
  process.stdout.write(`${text}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && COMMAND_NAMES.includes(command) && rest.some((arg) => arg === '--help' || arg === '-h'))
    return help(command);
  switch (command) {
    case 'check':
    case 'run': {
      const usage = `xcm ${command} TRACE [--policy ID|FILE] [--set K=V] [--follow observed|model]${command === 'check' ? ' [--max-divergences N]' : ''} [--json]`;
      const { values, positionals } = parse(
        rest,
        { ...COMMON_OPTIONS, engine: { type: 'string' }, follow: { type: 'string' }, ...(command === 'check' ? MAX_DIVERGENCES : {}) },
        usage,
      );
      const engine = values.engine ?? 'compiled';
      if (engine !== 'compiled' && engine !== 'machine')
        throw new InputError(`unknown engine ${JSON.stringify(engine)}`, { file: 'xcm', field: '--engine' }, 'compiled or machine');
      const follow = values.follow ?? 'observed';
      if (follow !== 'observed' && follow !== 'model')
        throw new InputError(`unknown follow ${JSON.stringify(follow)}`, { file: 'xcm', field: '--follow' }, 'observed or model');
      const limit = (values as { 'max-divergences'?: string })['max-divergences'];
      const maxDivergences = wholeNumber(limit, 'max-divergences', Number.MAX_SAFE_INTEGER);
      const options = { policy: values.policy, set: values.set, json: values.json, engine, follow, maxDivergences } as const;
      const { checkCommand, runCommand } = await import('../model/oracle/cli.ts');
      return command === 'check' ? checkCommand(positionals, options) : runCommand(positionals, options);
    }
    case 'impact': {
      const { values, positionals } = parse(
        rest,
        { from: { type: 'string' }, to: { type: 'string' }, json: COMMON_OPTIONS.json },
        'xcm impact TRACE --to POLICY|FILE [--from POLICY|FILE] [--json]',
      );
      const { impactCommand } = await import('../model/oracle/cli.ts');
      return impactCommand(positionals, values);
    }
    case 'status': {
      const { STATUS_USAGE, statusCommand } = await import('../model/oracle/status-cli.ts');
      const { values, positionals } = parse(rest, { ...COMMON_OPTIONS, at: { type: 'string' }, follow: { type: 'string' } }, STATUS_USAGE);
      const follow = values.follow ?? 'observed';
      if (follow !== 'observed' && follow !== 'model')
        throw new InputError(`unknown follow ${JSON.stringify(follow)}`, { file: 'xcm', field: '--follow' }, 'observed or model');
      return statusCommand(positionals, { at: values.at, policy: values.policy, set: values.set, json: values.json, follow });
    }
    case 'import':
      return (await import('../model/io/connections-cli.ts')).importCommand(rest);
    case 'infer': {
      const { values, positionals } = parse(rest, COMMON_OPTIONS, 'xcm infer TRACE [--policy ID|FILE] [--set K=V] [--json]');
      const { inferCommand } = await import('../model/oracle/infer-cli.ts');
      return inferCommand(positionals, { policy: values.policy, set: values.set, json: values.json });
    }
    case 'scenarios': {
      const { values, positionals } = parse(rest, { json: COMMON_OPTIONS.json }, 'xcm scenarios [DIR] [--json]');
      const { SCENARIOS_DIR, scenariosCommand } = await import('../scenarios/replay.ts');
      return scenariosCommand(positionals[0] ?? SCENARIOS_DIR, values.json === true);
    }
    case 'policies': {
      const { values } = parse(rest, { json: COMMON_OPTIONS.json }, 'xcm policies [--json]');
      const { policiesCommand } = await import('../model/oracle/cli.ts');
      return policiesCommand(values.json === true);
    }
    case 'explore':
      return (await import('../model/search/cli.ts')).exploreCommand(rest);
    case 'diff':
      return (await import('../model/search/cli.ts')).diffCommand(rest);
    case 'docs': {
      const { values } = parse(rest, { out: { type: 'string' } }, 'xcm docs [--out DIR]');
      const { docsCommand } = await import('../reports/docs-cli.ts');
      return docsCommand(values.out);
    }
    case 'serve':
      return (await import('../server/cli.ts')).serveCommand(rest);
    case 'conform':
      return (await import('../conformance/cli.ts')).conformCommand(rest);
    case 'help':
      if (rest.length > 1)
        throw new InputError(`unexpected argument ${JSON.stringify(rest[1])}`, { file: 'xcm' }, 'usage: xcm help [COMMAND]');
      return help(rest[0]);
    case '--help':
    case '-h':
      return help(undefined);
    case undefined: {
      const { overview } = await import('./help.ts');
      process.stderr.write(`${overview()}\n`);
      return 2;
    }
    default:
      throw new InputError(`unknown command ${JSON.stringify(command)}`, { file: 'xcm' }, 'see xcm --help');
  }
}

// A reader that stops early (`xcm run big.jsonl | head`) closes the pipe: stop quietly. Any other
// failure to write the output (a full disk, /dev/full) is the user's to fix: one line, exit 2.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`xcm: cannot write the output (${error.code ?? error.message})\n`);
  process.exit(2);
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof InputError) {
    // Usage errors are located at `xcm` itself; everything else at a file or option.
    process.stderr.write(error.message.startsWith('xcm: ') ? `${error.message}\n` : `xcm: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    // Not the input's fault: a bug. One line, and exit 3, never 1 (which means a divergence).
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(
      `xcm: internal error: ${what.split('\n')[0]?.slice(0, 300)} (a bug: please report it with the command line and the input that caused it)\n`,
    );
    process.exitCode = 3;
  }
}
