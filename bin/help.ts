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
  { flag: '--apps N', meaning: 'apps in the searched world (1 to 8)' },
  { flag: '--tenants M', meaning: 'tenants in the searched world (1 to 64; diff: 1 to 100,001, 64 with --pairs)' },
  { flag: '--users K', meaning: 'users making connections (1 to 4)' },
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

const MAX_STATES: OptionHelp = {
  flag: '--max-states N',
  meaning:
    'stop once N states are known (1 to 16,000,000; without it a search stops at 16,000,000, the most it holds); the result then says the search was not exhaustive, and --json says "complete": false',
};
const SEARCH_RUN =
  'A long search writes its progress (states found so far) on standard error every 2 seconds. Ctrl-C (SIGINT) stops it with one line saying how many states it had found, and exit status 130. A search about to fill the heap stops the same way, with exit status 2 (give --max-states or smaller bounds).';

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
        meaning:
          "step the compiled table over one world updated in place (default) or the XState machine's snapshots (slower; same answers)",
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
    name: 'status',
    usage: 'xcm status TRACE [--at TIME] [--policy ID|FILE] [--set K=V] [--follow observed|model] [--json]',
    summary: "the state after a trace: each app against its cap, each tenant's uncertified slots",
    details: [
      'Replays TRACE as check does (following its observations) and prints two tables under the policy in force at the end (or at --at): per app whether it is certified, its tier, custom, auth, the tenants it holds that count toward its cap (demo tenants left out), its cap, its headroom (cap minus held; below 0 when a lowered cap left it above) and its users; per tenant its kind, the apps connected, which of them take an uncertified slot, and the slots used and free. A scenario file is replayed under the policy and `set` its header pins, unless --policy or --set is given.',
      '`--json` writes {"policy", "at", "apps": [{"app", "certified", "tier", "custom", "auth", "held", "cap", "headroom", "users"}], "tenants": [{"tenant", "kind", "apps", "slotApps", "slotsUsed", "slotsFree"}]}; cap and headroom are null when unlimited, slotsFree when the tenant has no limit of uncertified apps, at when no time is known.',
      'Exit status: 0, or 2 on bad input.',
    ],
    options: [
      {
        flag: '--at TIME',
        meaning:
          'the state after the last event at or before TIME (ISO 8601 with offset, e.g. 2024-07-01T00:00:00+12:00), under the policy in force at TIME (an event without `at` has the time of the one before it)',
      },
      POLICY,
      SET,
      FOLLOW,
      JSON_OUT,
      HELP,
    ],
    sets: true,
  },
  {
    name: 'import',
    usage: 'xcm import FILE... --app NAME [--user NAME]... [--demo PATTERN] [--kind TYPE=KIND]... [--out FILE]',
    summary: 'turn GET /connections responses into a trace that check, run and status read',
    details: [
      "Each FILE is the body of one user's GET /connections (a JSON array of {id, authEventId, tenantId, tenantType, tenantName, createdDateUtc, updatedDateUtc}, as XeroAPI/Xero-OpenAPI xero-identity.yaml describes it). The trace has a scenario header naming the files, the app (declared uncertified OAuth 2.0: the responses do not say; edit it if it is certified), each tenant with its kind (PRACTICE a practice; an ORGANISATION whose name matches --demo a demo company; any other ORGANISATION an organisation) and its tenantId in its note, then one connect per user and authEventId, at the latest createdDateUtc of its connections (UTC, to the millisecond), each observed connected, in time order across the files. Tenants are named by tenantName; two tenants of one name are told apart by the start of their tenantId. A connection without an authEventId is a consent of its own.",
      'A file that is not such an array, or a connection with a missing or bad field, is an error naming the file and the element, e.g. `field "[3].tenantType"`; so is a tenantType other than ORGANISATION and PRACTICE (PRACTICEMANAGER, WORKFLOWMAX, ...), which the model cannot place until --kind says what it is.',
      'Exit status: 0 when the trace is written, 2 on bad input.',
    ],
    options: [
      { flag: '--app NAME', meaning: 'the app whose connections these are (required)' },
      {
        flag: '--user NAME',
        meaning:
          'the user whose token listed the connections, once per FILE in the order of the files (required with several files; one file without it is the implicit user)',
      },
      {
        flag: '--demo PATTERN',
        meaning: 'a regular expression (case-insensitive) naming demo companies (default ^Demo Company\\b, e.g. "Demo Company (NZ)")',
      },
      { flag: '--kind TYPE=KIND', meaning: 'take tenants of tenantType TYPE as KIND: organisation, practice or demo (repeatable)' },
      { flag: '--out FILE', meaning: 'write the trace to FILE instead of standard output' },
      HELP,
    ],
    sets: false,
  },
  {
    name: 'infer',
    usage: 'xcm infer TRACE [--policy ID|FILE] [--set K=V] [--json]',
    summary: "which readings of the open questions, and which caps, a trace's observations allow",
    details: [
      "Replays TRACE through the model once per value of each parameter whose question arises under the policies the trace runs under (a tier's cap only under the tiers, orgLimitReading only in the bug window), the others at their defaults: a reading at each of its values (true and false, or its listed words), a cap at 0 up to one more than the trace's tenants or apps (the last standing for every larger value). A value is consistent when every observed outcome agrees, else refuted at the first line that disagrees. Prints a line per parameter the trace tests (its key, its default, the consistent values, and each refuted value with its first refuting line), then those it does not test (every value gives the same verdict) and those not asked; then every combination of the readings together, when there are at most 256. A scenario file is inferred under the policy and `set` its header pins, unless --policy or --set is given (they give the defaults).",
      '`--json` writes {"defaultsHold", "parameters": [{"key", "default", "consistent" (a list of values, or {"min", "max"} for a cap, max null when unbounded, null when none), "refuted": [{"value", "line", "andAbove" (a cap\'s last value tried)}], "kind" (cap or reading), "tested", "tried" (a cap\'s values tried: {"min", "max", "andAbove"})}], "refutedAt", "policy", "policies", "events", "observed", "tenants", "apps", "notAsked", "together": {"keys" (readings that change a verdict), "free" (readings that never do), "tried", "consistent": [{key: value}], "skipped" (when too many)}}.',
      'Exit status: 0 when the defaults agree with every observation (an empty trace, or one with no observed outcome, included: every reading is consistent), 1 when an observation refutes a default, 2 on bad input.',
    ],
    options: [{ ...POLICY, meaning: POLICY.meaning.replace('(check and run only)', '(check, run and infer only)') }, SET, JSON_OUT, HELP],
    sets: true,
  },
  {
    name: 'explore',
    usage:
      'xcm explore [--policy ID|FILE] [--apps N --tenants M --users K] [--set K=V] [bounds options] [--max-states N] [--workers N] [--json] [--out FILE]',
    summary: 'every reachable state within the bounds; every invariant on every transition',
    details: [
      'Breadth-first over every event sequence within the bounds (default 3 apps x 3 tenants x 1 user; policy default xero-oauth2-2019). On a violation, prints the shortest counterexample as a scenario file.',
      SEARCH_RUN,
      'Exit status: 0 when every invariant holds (or none breaks within --max-states), 1 on a violation, 2 on bad input, 130 when interrupted (Ctrl-C; 143 on SIGTERM).',
    ],
    options: [
      { ...POLICY, meaning: `${POLICY.meaning} (default xero-oauth2-2019)` },
      SET,
      ...BOUNDS,
      {
        flag: '--no-memo',
        meaning:
          'play every move through the machine, rather than recall what a move did from an earlier state where it read the same (slower; same verdict)',
      },
      MAX_STATES,
      {
        flag: '--workers N',
        meaning:
          'search with N threads at once, 1 to 64 (default 1): the same states, transitions, depth and verdict; on a violation, one of the shortest traces, not always the same one. For large bounds on a machine with cores to spare; worker threads take a fraction of a second to start',
      },
      JSON_OUT,
      HELP,
    ],
    sets: true,
  },
  {
    name: 'diff',
    usage:
      'xcm diff POLICY_A POLICY_B [--apps N --tenants M --users K] [--set K=V] [bounds options] [--max-states N] [--json] [--out FILE]',
    summary: 'the shortest trace on which two policies give different outcomes',
    details: [
      'POLICY_A and POLICY_B are built-in ids or JSON policy files. Without bounds, searches small worlds and then one app with enough tenants to pass the larger cap. Prints the shortest distinguishing trace as a scenario file.',
      SEARCH_RUN,
      'Exit status: 0 when they agree within the bounds (or no difference is found within --max-states), 1 when they differ, 2 on bad input, 130 when interrupted (Ctrl-C; 143 on SIGTERM).',
    ],
    options: [SET, ...BOUNDS, MAX_STATES, JSON_OUT, HELP],
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
    summary: 'write the reports: paths.md, policies.md, invariants.md, infer.md',
    details: ['Exit status: 0 when written, 2 when DIR cannot be written.'],
    options: [{ flag: '--out DIR', meaning: 'the folder to write into (default ./reports)' }, HELP],
    sets: false,
  },
  {
    name: 'serve',
    usage:
      'xcm serve [--port N] [--host H] [--db FILE] [--sync normal|full] [--policy ID|FILE] [--set K=V] [--admin-token T] [--seed-world]',
    summary: "a local simulator of Xero's connection endpoints, every decision the model's",
    details: [
      'Serves /sim/ (apps, tenants, consent, clock, reset, state, trace) and Xero\'s POST /connect/token, GET /connections, DELETE /connections/{id} and POST /connect/revocation; for a browser-driven test of an app, the consent screen GET /identity/connect/authorize (organisations the limits refuse shown disabled with the reason, as the model decides a consent of each now, on a copy of its state; submitting is one consent, then 302 to redirect_uri?code=&state=, or to /connectionLimit when nothing was connected) and GET /.well-known/openid-configuration naming the authorisation, token and revocation endpoints (README, "Test your integration against `xcm serve`"). The first line on standard output is `listening on http://HOST:PORT`. Every decision is made by the model under the same policy or timeline as xcm check, at the simulator\'s clock (POST /sim/clock; until set, the newest era); GET /sim/trace is a trace xcm check holds on. SIGINT or SIGTERM stops it (exit 0).',
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
      {
        flag: '--sync normal|full',
        meaning:
          'with --db: normal (default) keeps every answered change through a crash or kill -9 of the server; full also through a power cut (an fsync per commit, slower)',
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
    name: 'conform',
    usage: 'xcm conform URL [--policy ID|FILE] [--set K=V] [--runs N] [--seed S] [--concurrency K] [--admin-token T] [--out FILE] [--json]',
    summary: "test an implementation of the connection endpoints (xcm serve, or anyone's) against the model",
    details: [
      'Drives the implementation at URL through the contract of xcm serve (DESIGN.md, "Simulator": /sim/ to declare apps and tenants, consent, set the clock and reset; POST /connect/token, GET /connections, DELETE /connections/{id}, POST /connect/revocation as an app\'s client would) with random event sequences from the property suite\'s generators: apps of every kind, organisations, practices and demo tenants, several users, consents of one to three tenants, re-consents, disconnects, revocations, certification and tier changes, time across the eras; each sequence opens by driving an app to cap-1, cap or cap+1 of its cap under the tested policy, or an organisation to its limit of uncertified apps (a cap over 40 is not filled: scale it down with --set, on both sides). It resets the implementation (POST /sim/reset) before each run and, after every event, compares the outcome, GET /sim/state, and GET /connections of every user and app it holds a token for (the tenants, the ids kept or renewed and the authEventIds shared as the model says, ids never tenant ids). Then concurrent batches: from a state one short of a cap or at it, K requests at once (consents and disconnects), which some order respecting their real-time order must explain, outcomes and state after.',
      "On the first difference fast-check shrinks the sequence, replaying shorter ones against the implementation, and prints the step where it parts from the model with the model's reason, and the shrunk trace as a scenario file (each event's observed outcome what the implementation answered; the header names the URL, the policy and the seed), so xcm check replays it against the model; a difference in state only is noted on its event. The implementation must decide under the same policy and overrides as given here: give xcm serve the same --policy and --set.",
      '`--json` writes {"ok", "url", "policy", "seed", "runs", "events", "batches", "failure": null or {"kind" (sequential or concurrent), "trace", "step" (1-based in trace), "expected", "observed", "explanation"}}.',
      'Exit status: 0 when it conforms, 1 on a divergence, 2 on bad usage or when URL does not speak the contract (with the request and what was wrong).',
    ],
    options: [
      POLICY,
      SET,
      { flag: '--runs N', meaning: 'sequential runs (default 100); batches: half as many' },
      {
        flag: '--seed S',
        meaning: 'the random seed (default: drawn and printed); the same seed against the same implementation is the same run',
      },
      { flag: '--concurrency K', meaning: 'requests per concurrent batch (default 4; 1: no batches)' },
      { flag: '--admin-token T', meaning: "the Bearer token the implementation's /sim/ requires (xcm serve --admin-token)" },
      { flag: '--out FILE', meaning: 'write the scenario file of a failure to FILE instead of standard output' },
      JSON_OUT,
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

const EXIT =
  'exit status: 0 holds, 1 divergence, violation or difference found, 2 bad input or usage, 3 internal error (a bug), 130 interrupted (Ctrl-C)';

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
