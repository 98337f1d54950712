#!/usr/bin/env node
/**
 * `xcm`: the command-line entry. Thin: each command lives with the area it belongs to, and is
 * loaded only when it runs, so `xcm --help` loads nothing but this file and the argument parser.
 * Exit status 0 (holds), 1 (divergence, violation or difference found), 2 (bad input or usage).
 * @module
 */
import { InputError } from '../model/errors.ts';
import { COMMON_OPTIONS, parse } from '../model/io/args.ts';

const USAGE = `usage: xcm <command> [options]

  check TRACE [--policy ID|FILE] [--set K=V] [--json]   compare a trace's observed outcomes with the model
  run TRACE [--policy ID|FILE] [--set K=V] [--json]     every event with the model's outcome and reason
  explore [--policy ID|FILE] [--apps N --tenants M --users K] [--set K=V] [--json] [--out FILE]
                                                        every reachable state within the bounds; every invariant on every transition
  diff POLICY_A POLICY_B [--apps N --tenants M --users K] [--set K=V] [--json] [--out FILE]
                                                        the shortest trace on which two policies give different outcomes
  scenarios [DIR] [--json]                              replay every scenario file and print a verdict table
  policies [--json]                                     the built-in policies and the timeline
  docs [--out DIR]                                      write paths.md, policies.md, invariants.md (default ./reports)

exit status: 0 holds, 1 divergence, violation or difference found, 2 bad input or usage`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
    case 'run': {
      const { values, positionals } = parse(
        rest,
        { ...COMMON_OPTIONS, engine: { type: 'string' } },
        `xcm ${command} TRACE [--policy ID|FILE] [--set K=V] [--json]`,
      );
      const engine = values.engine ?? 'compiled';
      if (engine !== 'compiled' && engine !== 'machine')
        throw new InputError(`unknown engine ${JSON.stringify(engine)}`, { file: 'xcm', field: '--engine' }, 'compiled or machine');
      const options = { policy: values.policy, set: values.set, json: values.json, engine } as const;
      const { checkCommand, runCommand } = await import('../model/oracle/cli.ts');
      return command === 'check' ? checkCommand(positionals, options) : runCommand(positionals, options);
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
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new InputError(`unknown command ${JSON.stringify(command)}`, { file: 'xcm' }, 'see xcm --help');
  }
}

// A reader that stops early (`xcm run big.jsonl | head`) closes the pipe: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof InputError) {
    // Usage errors are located at `xcm` itself; everything else at a file or option.
    process.stderr.write(error.message.startsWith('xcm: ') ? `${error.message}\n` : `xcm: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
