/**
 * The search commands: `xcm explore` and `xcm diff`. Output only; the work is in `explore.ts`
 * and `diff.ts`. A found trace prints (or, with `--out FILE`, is written) as a scenario file:
 * a `{"type":"scenario"}` header, then one event per line with the outcome the model gave as
 * `observed`, so it replays with `xcm check`, `xcm run` and `xcm scenarios` as is.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { COMMON_OPTIONS, parse, wholeNumber } from '../io/args.ts';
import { BOUND_LIMITS, DIFF_BOUND_LIMITS, formatBounds, type AppKind, type BoundLimits, type Bounds } from './bounds.ts';
import { MAX_STATES } from './breadth-first.ts';
import { diffSteps, type DiffResult } from './diff.ts';
import { Driver } from '../engine/driver.ts';
import { InputError, quote } from '../errors.ts';
import { DEFAULT_BOUNDS, exploreSteps, MAX_WORKERS, type ExploreResult } from './explore.ts';
import { INVARIANTS } from '../platform/invariants.ts';
import { resolvePolicy } from '../io/load-policy.ts';
import type { Policy } from '../platform/policy.ts';
import { compiledEngine } from '../engine/step.ts';
import type { TenantKind, TraceEvent } from '../types.ts';
import { observedValue, traceLine, traceLineObject } from '../io/trace-line.ts';

const BOUNDS_OPTIONS = {
  apps: { type: 'string' },
  tenants: { type: 'string' },
  users: { type: 'string' },
  'app-kinds': { type: 'string' },
  'tenant-kinds': { type: 'string' },
  pairs: { type: 'boolean' },
  tiers: { type: 'boolean' },
  'no-tiers': { type: 'boolean' },
  'no-symmetry': { type: 'boolean' },
  'max-states': { type: 'string' },
  out: { type: 'string' },
} as const;

/** Options of `xcm explore` alone. */
const EXPLORE_OPTIONS = { 'no-memo': { type: 'boolean' }, workers: { type: 'string' } } as const;

const EXPLORE_USAGE =
  'xcm explore [--policy ID|FILE] [--apps N --tenants M --users K] [--app-kinds uncertified,certified,custom,oauth1] [--tenant-kinds organisation,practice,demo] [--pairs] [--tiers|--no-tiers] [--set K=V] [--no-symmetry] [--no-memo] [--max-states N] [--workers N] [--json] [--out FILE]';
const DIFF_USAGE =
  'xcm diff POLICY_A POLICY_B [--apps N --tenants M --users K] [--app-kinds ...] [--tenant-kinds ...] [--pairs] [--set K=V] [--no-symmetry] [--max-states N] [--json] [--out FILE]';

type Values = Partial<Record<keyof typeof BOUNDS_OPTIONS, string | boolean>>;

function list(value: string | boolean | undefined): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : undefined;
}

/** The bounds the options give (only the fields they name). */
function boundsOptions(values: Values, limits: BoundLimits = BOUND_LIMITS): Partial<Bounds> {
  const bounds: Partial<Bounds> = {};
  const number = (key: 'apps' | 'tenants' | 'users') => {
    const v = values[key];
    if (typeof v === 'string') bounds[key] = wholeNumber(v, key, limits[key]) as number;
  };
  number('apps');
  number('tenants');
  number('users');
  const appKinds = list(values['app-kinds']);
  if (appKinds !== undefined) bounds.appKinds = appKinds as AppKind[];
  const tenantKinds = list(values['tenant-kinds']);
  if (tenantKinds !== undefined) bounds.tenantKinds = tenantKinds as TenantKind[];
  if (values.pairs === true) bounds.pairs = true;
  if (values.tiers === true && values['no-tiers'] === true)
    throw new InputError('give --tiers or --no-tiers, not both', { field: '--tiers' });
  if (values.tiers === true) bounds.tiers = true;
  if (values['no-tiers'] === true) bounds.tiers = false;
  return bounds;
}

/** The `--max-states` given, from 1 to `MAX_STATES`. */
function maxStatesOption(values: Values): number | undefined {
  const v = values['max-states'];
  return wholeNumber(typeof v === 'string' ? v : undefined, 'max-states', MAX_STATES);
}

/** How often a long search writes its progress on standard error, in milliseconds. */
const PROGRESS_MS = 2000;

/**
 * The heap a search leaves free: with less than a fifth of the heap and 64 MB left, the run stops
 * with one line (exit 2: smaller bounds or `--max-states` are the remedy) before V8 would end the
 * process with a crash report (a search at the larger bounds fills the default heap in minutes);
 * the margin covers the growth of the search's largest arrays and set at once. The typed arrays a
 * search keeps (its codes, its set of keys, the explorer's memo) live outside the heap and count
 * against the same limit, so that they too stop a search before an allocation fails.
 */
function heapNearlyFull(): boolean {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory > 0.8 * heap.heap_size_limit - 64 * 2 ** 20;
}

/** The exit status of a search a signal stopped: 128 + the signal's number, as a shell reports it. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

/**
 * Run a search (`exploreSteps`, `diffSteps`) in slices, one turn of the event loop between two,
 * so that SIGINT (Ctrl-C) or SIGTERM can stop it: the search is synchronous, and a signal handler
 * runs only between turns. Progress goes to standard error every `PROGRESS_MS`, never to standard
 * output. A signal ends the run with one line on standard error and 128 + the signal's number
 * (130 for SIGINT); each handler is installed once, so a second Ctrl-C kills at once.
 */
async function sliced<R>(command: 'explore' | 'diff', steps: Generator<number, R>): Promise<{ done: R } | { exit: number }> {
  let stop: StopSignal | null = null;
  const handlers = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((signal) => {
    const handler = () => {
      stop ??= signal;
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  const started = Date.now();
  let lastProgress = started;
  try {
    for (;;) {
      const next = steps.next();
      if (next.done === true) return { done: next.value };
      const states = next.value.toLocaleString('en');
      await new Promise((resolve) => setImmediate(resolve));
      if (stop !== null) {
        const how = stop === 'SIGINT' ? 'interrupted' : 'terminated';
        process.stderr.write(`xcm ${command}: ${how} after ${states} states (not exhaustive)\n`);
        return { exit: SIGNAL_EXIT[stop] };
      }
      if (heapNearlyFull()) {
        process.stderr.write(
          `xcm ${command}: out of memory after ${states} states (not exhaustive; give --max-states or smaller bounds)\n`,
        );
        return { exit: 2 };
      }
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        process.stderr.write(`${command}: ${states} states after ${Math.round((now - started) / 1000)} s...\n`);
      }
    }
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    // A search stopped early ends its own way (a search of several threads stops its workers).
    steps.return(undefined as R);
  }
}

function scenarioText(header: Record<string, unknown>, events: readonly TraceEvent[]): string {
  return `${[JSON.stringify(header), ...events.map((e) => traceLine(e))].join('\n')}\n`;
}

function emitTrace(text: string, out: string | undefined): void {
  if (out === undefined) {
    process.stdout.write(`\n${text}`);
    return;
  }
  try {
    writeFileSync(out, text);
  } catch (error) {
    throw new InputError(`cannot write the trace: ${(error as Error).message}`, { file: out });
  }
  process.stdout.write(`trace written to ${out}\n`);
}

/** The options that give these bounds back, for a trace's `source`. */
function boundsArgs(bounds: Bounds): string {
  const kinds = (flag: string, list: readonly string[] | undefined) =>
    list === undefined || list.length === 0 ? '' : ` --${flag} ${list.join(',')}`;
  return (
    ` --apps ${bounds.apps} --tenants ${bounds.tenants} --users ${bounds.users}${kinds('app-kinds', bounds.appKinds)}${kinds('tenant-kinds', bounds.tenantKinds)}` +
    `${bounds.pairs === true ? ' --pairs' : ''}${bounds.tiers === undefined ? '' : bounds.tiers ? ' --tiers' : ' --no-tiers'}`
  );
}

function policyHeader(spec: string, sets: readonly string[]): Record<string, unknown> {
  return sets.length === 0 ? { policy: spec } : { policy: spec, set: sets };
}

/** The explorer's result as text; `maxStates` is the cap the search stopped at when not complete. */
function formatExplore(policy: Policy, result: ExploreResult, seconds: number, maxStates: number, memo: boolean): string {
  const n = (x: number) => x.toLocaleString('en');
  const lines = [
    `explore ${policy.id} (appCap ${policy.appCap}, orgCap ${policy.orgCap}) within ${formatBounds(result.bounds)}`,
    `states: ${n(result.states)} ${result.symmetryReduced ? '(one per renaming of apps, tenants and users of one kind)' : '(no symmetry reduction)'}${result.complete ? '' : ` -- stopped at ${n(maxStates)} states, not exhaustive`}`,
    `transitions: ${n(result.transitions)}${result.played === result.transitions ? '' : ` (${n(result.played)} played through the machine; the others ${memo ? 'recalled from a play that read the same, or ' : ''}renamings of a move from the same state)`}, depth ${result.depth}`,
    `invariants: ${INVARIANTS.length}, each checked on every transition (${n(result.transitions)} each)`,
    `time: ${seconds.toFixed(2)} s (${n(Math.round(result.states / Math.max(seconds, 1e-3)))} states/s${result.threads > 1 ? `, ${result.threads} threads` : ''})`,
  ];
  const v = result.violation;
  if (v === null)
    lines.push(
      result.complete ? 'holds: every invariant holds on every reachable step within the bounds' : 'no violation in the states explored',
    );
  else {
    const rule = INVARIANTS.find((i) => i.name === v.invariant)?.rule ?? '';
    lines.push(`VIOLATION: ${v.broken.join(', ')} breaks after ${v.depth} events`, `  ${v.invariant}: ${rule}`);
  }
  return lines.join('\n');
}

/**
 * `xcm explore`: exit 0 when every invariant holds, 1 on a violation, 2 on bad input, 130 when
 * SIGINT stopped it (143: SIGTERM).
 */
export async function exploreCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, ...BOUNDS_OPTIONS, ...EXPLORE_OPTIONS }, EXPLORE_USAGE);
  if (values.help === true) {
    process.stdout.write(`usage: ${EXPLORE_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0)
    throw new InputError(`unexpected argument ${quote(positionals[0])}`, { file: 'xcm' }, `usage: ${EXPLORE_USAGE}`);
  const spec = values.policy ?? 'xero-oauth2-2019';
  const sets = values.set ?? [];
  const policy = resolvePolicy(spec, sets);
  const bounds: Bounds = { ...DEFAULT_BOUNDS, ...boundsOptions(values) };
  const maxStates = maxStatesOption(values);
  const workers = wholeNumber(values.workers, 'workers', MAX_WORKERS);
  const started = performance.now();
  const run = await sliced(
    'explore',
    exploreSteps(policy, bounds, {
      symmetry: values['no-symmetry'] !== true,
      memo: values['no-memo'] !== true,
      ...(maxStates === undefined ? {} : { maxStates }),
      ...(workers === undefined ? {} : { workers }),
    }),
  );
  if ('exit' in run) return run.exit;
  const result = run.done;
  const seconds = (performance.now() - started) / 1000;
  const v = result.violation;
  if (values.json === true) {
    process.stdout.write(
      `${JSON.stringify({ policy: policy.id, seconds, ...result, violation: v === null ? null : { ...v, trace: v.trace.map((e) => traceLineObject(e)) } }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${formatExplore(policy, result, seconds, maxStates ?? MAX_STATES, values['no-memo'] !== true)}\n`);
  }
  if (v !== null && (values.json !== true || values.out !== undefined)) {
    const header = {
      type: 'scenario',
      title: `Counterexample: ${v.invariant} breaks under ${policy.id}`,
      story: `The shortest event sequence (${v.depth} events) after which ${v.broken.join(', ')} fails, found by xcm explore within ${formatBounds(bounds)}. Each observed outcome is the model's under ${policy.id}; replay under a correct policy to see the event the rule refuses.`,
      source: `xcm explore --policy ${spec}${boundsArgs(bounds)}${sets.map((s) => ` --set ${s}`).join('')}`,
      ...policyHeader(spec, sets),
    };
    emitTrace(scenarioText(header, v.trace), values.out);
  }
  return v === null ? 0 : 1;
}

/** The outcomes a policy gives each event of a trace, in the trace format's `observed` shape. */
export function observedUnder(policy: Policy, trace: readonly TraceEvent[]): TraceEvent[] {
  const driver = new Driver(compiledEngine({ policy }), () => policy);
  return trace.map((event) => ({ ...event, observed: observedValue(event, driver.apply(event).outcomes) }) as TraceEvent);
}

/** The diff's result as text; `maxStates` is the cap the search stopped at when not complete. */
function formatDiff(result: DiffResult, maxStates: number): string {
  const { a, b } = result.policies;
  const lines = [
    `diff ${a} vs ${b}`,
    `searched: ${result.searched.map(formatBounds).join('; ')} (${result.states.toLocaleString('en')} product states)`,
  ];
  const d = result.difference;
  const cap = maxStates.toLocaleString('en');
  if (d === null)
    lines.push(
      result.complete
        ? 'equivalent: they give the same outcome on every event sequence within these bounds'
        : `no difference found within ${cap} states, not exhaustive`,
    );
  else {
    const shortest = result.complete ? 'a shortest trace' : `a trace, not known to be a shortest: stopped at ${cap} states`;
    lines.push(`they differ after ${d.index + 1} events (${shortest}, within ${formatBounds(result.bounds)}):`);
    lines.push(`  event ${d.index + 1}: ${a} gives ${d.a}, ${b} gives ${d.b}`);
  }
  return lines.join('\n');
}

/**
 * `xcm diff A B`: exit 0 when equivalent within the bounds (or none found within `--max-states`),
 * 1 when they differ, 2 on bad input, 130 when SIGINT stopped it (143: SIGTERM).
 */
export async function diffCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, ...BOUNDS_OPTIONS }, DIFF_USAGE);
  if (values.help === true) {
    process.stdout.write(`usage: ${DIFF_USAGE}\n`);
    return 0;
  }
  if (values.policy !== undefined)
    throw new InputError('name both policies as arguments, not with --policy', { field: '--policy' }, `usage: ${DIFF_USAGE}`);
  const [specA, specB, ...extra] = positionals;
  if (specA === undefined || specB === undefined) throw new InputError('missing a policy', { file: 'xcm' }, `usage: ${DIFF_USAGE}`);
  if (extra.length > 0) throw new InputError(`unexpected argument ${quote(extra[0])}`, { file: 'xcm' }, `usage: ${DIFF_USAGE}`);
  const sets = values.set ?? [];
  const a = resolvePolicy(specA, sets);
  const b = resolvePolicy(specB, sets);
  const maxStates = maxStatesOption(values);
  const run = await sliced(
    'diff',
    diffSteps(a, b, boundsOptions(values, DIFF_BOUND_LIMITS), {
      symmetry: values['no-symmetry'] !== true,
      ...(maxStates === undefined ? {} : { maxStates }),
    }),
  );
  if ('exit' in run) return run.exit;
  const result = run.done;
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ ...result, trace: result.trace.map((e) => traceLineObject(e)) }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatDiff(result, maxStates ?? MAX_STATES)}\n`);
  }
  const d = result.difference;
  if (d !== null && (values.json !== true || values.out !== undefined)) {
    const header = {
      type: 'scenario',
      title: `${a.id} vs ${b.id}: the shortest trace on which they differ`,
      story: `Found by xcm diff within ${formatBounds(result.bounds)}. The two policies agree on every event but the last, where ${a.id} gives ${d.a} and ${b.id} gives ${d.b}. Observed outcomes are ${a.id}'s.`,
      source: `xcm diff ${specA} ${specB}${boundsArgs(result.bounds)}${sets.map((s) => ` --set ${s}`).join('')}`,
      ...policyHeader(specA, sets),
    };
    emitTrace(scenarioText(header, observedUnder(a, result.trace)), values.out);
  }
  return d === null ? 0 : 1;
}
