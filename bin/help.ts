/**
 * The help of `xcm`: `xcm help`, `xcm help CMD` and `xcm CMD --help`. Every command with its
 * arguments, every option with its meaning and default, and the `--set` keys with their meaning.
 * @module
 */
import { PARAMETERS } from '../model/platform/policy.ts';

interface OptionHelp {
  flag: string;
  meaning: string;
}

interface CommandHelp {
  name: string;
  usage: string;
  summary: string;
  /** Extra paragraphs: what the command prints, its exit status. */
  details: readonly string[];
  options: readonly OptionHelp[];
  /** Whether the command takes `--set` (its keys are listed). */
  sets: boolean;
}

const POLICY: OptionHelp = {
  flag: '--policy ID|FILE',
  meaning:
    'a built-in policy id (see xcm policies), the timeline `xero` (the policy in force at each event\'s `at`), or a JSON policy file: one policy such as {"id": "proposal", "extends": "xero-tiers-2026", "starterCap": 10}, or a dated change of the timeline such as {"id": "cap-20", "extends": "xero", "from": "2025-07-01T00:00:00+12:00", "appCap": 20} (check and run only)',
};
const SET: OptionHelp = {
  flag: '--set KEY=VALUE',
  meaning: 'change one parameter of every policy used (repeatable, each key once; the keys are below)',
};
const FOLLOW: OptionHelp = {
  flag: '--follow observed|model',
  meaning:
    "after a divergence, go on from what the platform did (observed, the default: the model takes the observed outcome, so each divergence is judged from the platform's real state and its consequences are not reported again) or from the model's own outcome (model: later events may diverge only as a consequence)",
};
const JSON_OUT: OptionHelp = { flag: '--json', meaning: 'machine-readable output instead of text' };
const HELP: OptionHelp = { flag: '-h, --help', meaning: 'this help' };
const BOUNDS: readonly OptionHelp[] = [
  { flag: '--apps N', meaning: 'apps in the searched world' },
  { flag: '--tenants M', meaning: 'tenants in the searched world' },
  { flag: '--users K', meaning: 'users making connections' },
  {
    flag: '--app-kinds LIST',
    meaning: 'kinds given to the apps in order, cycling: uncertified, certified, custom, oauth1 (default: all uncertified)',
  },
  {
    flag: '--tenant-kinds LIST',
    meaning: 'kinds given to the tenants in order, cycling: organisation, practice, demo (default: all organisations)',
  },
  { flag: '--pairs', meaning: 'also try consents of two tenants at once, in both orders (default: one tenant per consent)' },
  { flag: '--tiers, --no-tiers', meaning: 'try tier changes or not (default: only when a searched policy is tiered)' },
  {
    flag: '--no-symmetry',
    meaning: 'key states exactly, not up to renaming of apps, tenants and users of one kind (slower; same verdict)',
  },
  { flag: '--out FILE', meaning: 'write the trace found (a scenario file) to FILE instead of standard output' },
];

/** Every command, in the order `xcm help` lists them. */
export const COMMANDS: readonly CommandHelp[] = [
  {
    name: 'check',
    usage: 'xcm check TRACE [--policy ID|FILE] [--set K=V] [--follow observed|model] [--max-divergences N] [--json]',
    summary: "compare a trace's observed outcomes with the model",
    details: [
      'Replays TRACE (JSON Lines, one event per line) through the model and prints each divergence as it is found: its line, the expected and observed outcome, the rule and the counts behind it; then a summary line. Events without `observed` are replayed, not compared. A scenario file is checked under the policy and `set` its header pins, unless --policy or --set is given. Memory is bounded by the size of the world, not the number of divergences.',
      '`--json` writes one JSON document, streamed: {"policy", "pinned" (when a scenario header pinned the policy), "divergences": [{"line", "expected", "observed", "rule", "explanation", "followed"}, ...], "ok", "events", "outcomes" (divergent outcomes), "lines" (diverging lines), "stoppedAt" (the line --max-divergences stopped at, or null)}.',
      'Exit status: 0 when every observation agrees, 1 when one diverges (also when the reader closes the pipe early), 2 on bad input (the message names the file, line and field).',
    ],
    options: [
      POLICY,
      SET,
      FOLLOW,
      {
        flag: '--max-divergences N',
        meaning: 'stop after the line on which N divergent outcomes have been found (exit 1, with a summary)',
      },
      JSON_OUT,
      {
        flag: '--engine compiled|machine',
        meaning: "step the compiled table (default) or the XState machine's snapshots (slower; same answers)",
      },
      HELP,
    ],
    sets: true,
  },
  {
    name: 'run',
    usage: 'xcm run TRACE [--policy ID|FILE] [--set K=V] [--follow observed|model] [--json]',
    summary: "every event with the model's outcome, the policy in force and the reason",
    details: [
      'Prints every event of TRACE with the outcome the model gives it and why (a consent of several tenants: a line per tenant), then a summary line of events, outcomes and divergences; `--json` writes the annotated trace as JSON Lines. A scenario file runs under the policy and `set` its header pins, unless --policy or --set is given.',
      'Exit status: 0 when no observation diverges, 1 when one does, 2 on bad input.',
    ],
    options: [
      POLICY,
      SET,
      FOLLOW,
      JSON_OUT,
      { flag: '--engine compiled|machine', meaning: "step the compiled table (default) or the XState machine's snapshots" },
      HELP,
    ],
    sets: true,
  },
  {
    name: 'impact',
    usage: 'xcm impact TRACE --to POLICY|FILE [--from POLICY|FILE] [--json]',
    summary: 'which outcomes of a recorded trace a change of policy changes, grouped by app',
    details: [
      'Replays TRACE under --from (default: the timeline `xero`) and under --to, each on its own (observations are not followed), and prints every outcome that differs as it is found (`FILE:LINE: APP TENANT: FROM -> TO`), then per app how many changed, from which line and of which kinds, then a summary line. Memory is bounded by the world, not the trace.',
      '`--json` writes one JSON document, streamed: {"from", "to", "lines": [{"line", "from", "to", "app", "tenant"}, ...], "events", "changed", "byApp": [{"app", "changed", "first", "kinds": {"FROM -> TO": n}}]} (a consent of several tenants: one entry per tenant whose outcome changed).',
      'Exit status: 0 when no outcome changes, 1 when one does, 2 on bad input.',
    ],
    options: [
      { flag: '--to POLICY|FILE', meaning: 'the policy changed to: a built-in id, `xero`, or a JSON policy file (required)' },
      { flag: '--from POLICY|FILE', meaning: 'the policy changed from (default: the timeline `xero`)' },
      JSON_OUT,
      HELP,
    ],
    sets: false,
  },
  {
    name: 'explore',
    usage:
      'xcm explore [--policy ID|FILE] [--apps N --tenants M --users K] [--set K=V] [bounds options] [--max-states N] [--json] [--out FILE]',
    summary: 'every reachable state within the bounds; every invariant on every transition',
    details: [
      'Breadth-first over every event sequence within the bounds (default 3 apps x 3 tenants x 1 user; policy default xero-oauth2-2019). On a violation, prints the shortest counterexample as a scenario file.',
      'Exit status: 0 when every invariant holds, 1 on a violation, 2 on bad input.',
    ],
    options: [
      { ...POLICY, meaning: `${POLICY.meaning} (default xero-oauth2-2019)` },
      SET,
      ...BOUNDS,
      { flag: '--max-states N', meaning: 'stop after N states (the result says the search was not exhaustive)' },
      JSON_OUT,
      HELP,
    ],
    sets: true,
  },
  {
    name: 'diff',
    usage: 'xcm diff POLICY_A POLICY_B [--apps N --tenants M --users K] [--set K=V] [bounds options] [--json] [--out FILE]',
    summary: 'the shortest trace on which two policies give different outcomes',
    details: [
      'POLICY_A and POLICY_B are built-in ids or JSON policy files. Without bounds, searches small worlds and then one app with enough tenants to pass the larger cap. Prints the shortest distinguishing trace as a scenario file.',
      'Exit status: 0 when they agree within the bounds, 1 when they differ, 2 on bad input.',
    ],
    options: [SET, ...BOUNDS, JSON_OUT, HELP],
    sets: true,
  },
  {
    name: 'scenarios',
    usage: 'xcm scenarios [DIR] [--json]',
    summary: 'replay every scenario file and print a verdict table',
    details: [
      "Replays every `*.jsonl` under DIR (default: the scenarios the package ships) under each file's pinned policy, and prints one row per file.",
      'Exit status: 0 when every scenario agrees with the model, 1 when one diverges, 2 on bad input.',
    ],
    options: [JSON_OUT, HELP],
    sets: false,
  },
  {
    name: 'policies',
    usage: 'xcm policies [--json]',
    summary: 'the built-in policies and the timeline, with dates, caps and sources',
    details: ['Exit status: 0.'],
    options: [JSON_OUT, HELP],
    sets: false,
  },
  {
    name: 'docs',
    usage: 'xcm docs [--out DIR]',
    summary: 'write the reports: paths.md, policies.md, invariants.md',
    details: ['Exit status: 0 when written, 2 when DIR cannot be written.'],
    options: [{ flag: '--out DIR', meaning: 'the folder to write into (default ./reports)' }, HELP],
    sets: false,
  },
  {
    name: 'serve',
    usage: 'xcm serve [--port N] [--host H] [--db FILE] [--policy ID|FILE] [--set K=V] [--admin-token T] [--seed-world]',
    summary: "a local simulator of Xero's connection endpoints, every decision the model's",
    details: [
      'Serves /sim/ (apps, tenants, consent, clock, reset, state, trace) and Xero\'s POST /connect/token, GET /connections, DELETE /connections/{id} and POST /connect/revocation (README, "Test your integration against `xcm serve`"). The first line on standard output is `listening on http://HOST:PORT`. Every decision is made by the model under the same policy or timeline as xcm check, at the simulator\'s clock (POST /sim/clock; until set, the newest era); GET /sim/trace is a trace xcm check holds on. SIGINT or SIGTERM stops it (exit 0).',
      'Exit status: 0 when stopped, 2 on bad usage, a database another xcm serve holds, or a host that is not loopback without --admin-token.',
    ],
    options: [
      { flag: '--port N', meaning: 'the port (default 0: a free one, printed)' },
      { flag: '--host H', meaning: 'the address to listen on (default 127.0.0.1); not loopback needs --admin-token' },
      {
        flag: '--db FILE',
        meaning:
          'keep everything in this SQLite file (WAL; each change committed before its answer); a restart on it goes on (default: in memory)',
      },
      POLICY,
      SET,
      { flag: '--admin-token T', meaning: '/sim/ then requires Authorization: Bearer T' },
      {
        flag: '--seed-world',
        meaning:
          "declare the forum thread's apps and organisations (tims-app, rodneys-app, org-01 to org-26, test-org-1, test-org-2, demo-company) into an empty database",
      },
      HELP,
    ],
    sets: true,
  },
  {
    name: 'help',
    usage: 'xcm help [COMMAND]',
    summary: 'this overview, or the whole help of one command',
    details: [],
    options: [],
    sets: false,
  },
];

const EXIT = 'exit status: 0 holds, 1 divergence, violation or difference found, 2 bad input or usage, 3 internal error (a bug)';

/** The overview: every command with its summary. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: xcm <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "`xcm help COMMAND` or `xcm COMMAND --help` describes a command's options.",
    EXIT,
  ].join('\n');
}

function wrap(text: string, indent: number, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}

/** The whole help of one command, or null when there is no such command. */
export function commandHelp(name: string): string | null {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return null;
  const width = Math.max(0, ...command.options.map((o) => o.flag.length)) + 4;
  const parts = [`usage: ${command.usage}`, '', ...command.details.flatMap((d) => [...wrap(d, 0), ''])];
  if (command.options.length > 0) {
    parts.push('options:', ...command.options.map((o) => `  ${o.flag.padEnd(width)}${wrap(o.meaning, width + 2).join('\n')}`), '');
  }
  if (command.sets) {
    const keyWidth = Math.max(...PARAMETERS.map((p) => p.key.length)) + 4;
    parts.push(
      '--set keys (each policy parameter; values: a whole number, `unlimited` where a cap may be unlimited, true/false, or one of the listed words):',
      ...PARAMETERS.map((p) => {
        const values = p.values === undefined ? '' : ` (${p.values.join(', ')})`;
        return `  ${p.key.padEnd(keyWidth)}${wrap(`${p.meaning}${values}`, keyWidth + 2).join('\n')}`;
      }),
      '',
    );
  }
  return parts.join('\n').trimEnd();
}
