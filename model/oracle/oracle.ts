/**
 * The oracle: replays a trace through the model, says what the platform must do for each event
 * and why, and where an observed outcome diverges. `check` keeps only divergences (it streams
 * traces of millions of events); `run` annotates every event.
 * @module
 */
import { Driver, type Judge, type StepReport } from '../engine/driver.ts';
import { divergenceRule, explain, type RuleName } from './explain.ts';
import { choosePolicy, type PolicyChoice } from '../io/load-policy.ts';
import { policyLabel } from '../platform/policy.ts';
import { compiledEngine, draftEngine, type Engine, machineEngine, MODEL, type Model } from '../engine/step.ts';
import type { PlatformInput } from '../platform/machine.ts';
import { readTraceChunks, type TraceLine } from '../io/trace.ts';
import { observedOutcomes, observedValue, outcomeMatches } from '../io/trace-line.ts';
import type { Observed, ObservedOutcome, TraceEvent } from '../types.ts';

/** Where the model and an observation disagree. */
export interface Divergence {
  /** 1-based line of the trace file. */
  line: number;
  expected: string;
  observed: string;
  rule: RuleName;
  explanation: string;
  /**
   * How many earlier divergent outcomes the model had adopted (taken the observed outcome instead
   * of its own) before judging this one: 0 when it is judged from the model's own state. Always 0
   * with `follow: 'model'`.
   */
  followed: number;
}

/** The verdict of `check`. */
export interface CheckResult {
  ok: boolean;
  /** The events checked (all of the trace's, unless `maxDivergences` stopped it). */
  events: number;
  policy: string;
  /**
   * The divergences, in the order found: every one, or with `onDivergence` only the first
   * `SAMPLE_SIZE` (the callback has had them all).
   */
  divergences: Divergence[];
  /** How many observed outcomes diverge. */
  outcomes: number;
  /** How many lines have a divergent outcome. */
  lines: number;
  /** The line at which `maxDivergences` stopped the check (null: it checked the whole trace). */
  stoppedAt: number | null;
}

/** How many divergences a result keeps when `onDivergence` has been given each of them. */
export const SAMPLE_SIZE = 10;

/** Options of `check` and `checkFile`. */
export interface CheckOptions extends OracleOptions {
  /**
   * Called with each divergence as it is found. The result then keeps only the first
   * `SAMPLE_SIZE` and the counts, so memory stays bounded however many lines diverge.
   */
  onDivergence?: (divergence: Divergence) => void;
  /** Stop after the line on which this many divergent outcomes have been found. */
  maxDivergences?: number;
}

/** One event of `run`, annotated with the model's outcomes and reasons. */
export interface RunRecord {
  line: number;
  event: TraceEvent;
  policy: string;
  outcome: Observed;
  /** The reason, for a consent of several tenants each tenant's after its name, joined by ` | `. */
  reason: string;
  /** The reason of each outcome (for a consent of several tenants, one per tenant in order). */
  reasons: string[];
  /** Whether some observed outcome of the event differs from the model's. */
  diverges: boolean;
  /** How many of the event's observed outcomes differ from the model's. */
  divergences: number;
}

/** Options shared by `check` and `run`. */
export interface OracleOptions {
  /** A built-in policy id, `xero` (the timeline, the default), or a JSON policy file. */
  policy?: string | undefined;
  /** `key=value` overrides applied to every policy used. */
  set?: readonly string[];
  /**
   * Step the XState machine's snapshots instead of the compiled table (slower; same answers).
   * With the compiled table, `check` updates one world in place (a draft), the other replays
   * keep every world.
   */
  engine?: 'compiled' | 'machine';
  /** The model to replay against (a mutant in the property suite); the model itself by default. */
  model?: Model;
  /**
   * After a divergence, go on from what the platform did (`observed`, the default: the model
   * adopts the observed outcome, so each divergence is judged from the state the platform was
   * really in and its consequences are not reported again) or from the model's own decision
   * (`model`: later events may diverge only as a consequence of an earlier one).
   */
  follow?: 'observed' | 'model';
}

/** What makes the engine a replay steps: `machineEngine`, `compiledEngine` or `draftEngine`. */
export type EngineFactory = (input: PlatformInput, model: Model) => Engine;

/**
 * The driver every replay steps (check, run, status, impact, infer), the policy chooser it uses,
 * and its label; the engine is the machine's with `engine: 'machine'`, else `makeEngine`'s.
 */
export function makeDriver(
  options: OracleOptions,
  choice: PolicyChoice = choosePolicy(options.policy, options.set ?? []),
  makeEngine: EngineFactory = compiledEngine,
) {
  const start = choice.fixed ?? choice.choose(null, undefined);
  return {
    driver: new Driver(
      (options.engine === 'machine' ? machineEngine : makeEngine)({ policy: start }, options.model ?? MODEL),
      choice.choose,
    ),
    label: choice.label,
    choose: choice.choose,
  };
}

/** Why the model decided an outcome: the rule and the sentence. */
type Why = { rule: RuleName; text: string };

/**
 * The divergences of one event; `followed` is how many divergent outcomes the model had adopted
 * before it; `whyOf` explains the i-th decision. Returns them with the count after the event.
 */
function divergencesOf(
  line: number,
  event: TraceEvent,
  report: StepReport,
  followed: number,
  whyOf: (i: number) => Why | undefined,
): { found: Divergence[]; followed: number } {
  const observed: Array<ObservedOutcome | undefined> = observedOutcomes(event) ?? [];
  const found: Divergence[] = [];
  let adopted = followed;
  report.outcomes.forEach((expected, i) => {
    const seen = observed[i];
    if (seen === undefined || outcomeMatches(expected, seen)) return;
    const why = whyOf(i) ?? { rule: 'connect' as RuleName, text: '' };
    const tenant = event.type === 'connect' && event.tenants.length > 1 ? `${event.tenants[i]}: ` : '';
    const rule = divergenceRule(why.rule, expected, seen);
    found.push({ line, expected, observed: seen, rule, explanation: `${tenant}${why.text}`, followed: adopted });
    if (report.adopted[i] === true) adopted++;
  });
  return { found, followed: adopted };
}

/** A checker fed one trace line at a time; `result` gives the verdict so far. */
export interface Checker {
  /** The policy (or timeline) checked against, as results name it. */
  readonly policy: string;
  /** Step the model through one trace line and compare it with its observation, if any. */
  take(line: TraceLine): void;
  /** Whether `maxDivergences` has been reached: take no more lines. */
  readonly full: boolean;
  /** The verdict over every line taken so far. */
  result(): CheckResult;
}

/**
 * A checker: every event with `observed` is compared with the model. `choice` replaces the
 * policy that `options.policy` and `options.set` would choose (`infer` replays one trace under
 * many readings at once). It steps one world forward in place (`draftEngine`) unless
 * `options.engine` or `makeEngine` says otherwise.
 */
export function createChecker(options: CheckOptions = {}, choice?: PolicyChoice, makeEngine: EngineFactory = draftEngine): Checker {
  const { driver, label } = makeDriver(options, choice, makeEngine);
  // Each divergent decision is explained as it is found, from the context it was decided from.
  const whys: Array<Why | undefined> = [];
  const judge: Judge = (before, event, outcome, _seen, index) => {
    whys[index] = explain(before, event, outcome);
  };
  const whyOf = (i: number) => whys[i];
  const follow = options.follow !== 'model';
  const kept: Divergence[] = [];
  const report = options.onDivergence;
  const keep = report === undefined ? Number.POSITIVE_INFINITY : SAMPLE_SIZE;
  const max = options.maxDivergences ?? Number.POSITIVE_INFINITY;
  let events = 0;
  let followed = 0;
  let outcomes = 0;
  let lines = 0;
  let stoppedAt: number | null = null;
  // One report, written anew by every event: each is read before the next.
  const scratch: StepReport = { outcomes: [], policy: driver.engine.context.policy, decisions: [], adopted: [] };
  return {
    policy: label,
    get full() {
      return stoppedAt !== null;
    },
    take({ line, event }) {
      events++;
      const observed = event.observed;
      if (whys.length > 0) whys.length = 0;
      const step = driver.apply(event, false, follow, judge, scratch);
      // The common case, one outcome observed as expected, needs no closer look.
      if (observed === undefined || (typeof observed === 'string' && step.outcomes[0] === observed)) return;
      const found = divergencesOf(line, event, step, followed, whyOf);
      followed = found.followed;
      if (found.found.length === 0) return;
      lines++;
      for (const d of found.found) {
        outcomes++;
        if (kept.length < keep) kept.push(d);
        report?.(d);
      }
      if (outcomes >= max) stoppedAt = line;
    },
    result: () => ({ ok: outcomes === 0, events, policy: label, divergences: kept, outcomes, lines, stoppedAt }),
  };
}

/**
 * Check a trace: every event with `observed` is compared with the model; each divergence names
 * its line, the expected and observed outcome, the rule and the counts behind the verdict.
 * @example
 * ```ts
 * import { check } from 'xero-connection-model';
 * const lines = ['org-1', 'org-2', 'org-3'].map((tenant, i) => ({
 *   line: i + 1,
 *   event: { type: 'connect' as const, app: 'my-app', tenants: [tenant], observed: 'connected' as const },
 * }));
 * const result = await check(lines, { policy: 'xero-oauth2-2019', set: ['appCap=2'] });
 * console.log(result.ok, result.divergences[0]?.line, result.divergences[0]?.expected); // → false 3 rejected:app-limit
 * ```
 */
export async function check(lines: AsyncIterable<TraceLine> | Iterable<TraceLine>, options: CheckOptions = {}): Promise<CheckResult> {
  const checker = createChecker(options);
  for await (const line of lines) {
    checker.take(line);
    if (checker.full) break;
  }
  return checker.result();
}

/**
 * Check a trace file, streamed a chunk at a time (no asynchronous step per event). Bad input is
 * an `InputError` naming the file, the line and the field.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { checkFile } from 'xero-connection-model';
 * const file = join(tmpdir(), 'twenty-first.jsonl');
 * const connects = Array.from({ length: 21 }, (_, i) => ({ type: 'connect', app: 'tims-app', tenant: `org-${i + 1}`, observed: 'connected' }));
 * writeFileSync(file, connects.map((e) => JSON.stringify(e)).join('\n'));
 * const partnerPage = await checkFile(file, { policy: 'xero-partner-page-2019' });
 * console.log(partnerPage.ok, partnerPage.divergences[0]?.line, partnerPage.divergences[0]?.rule); // → false 21 app-cap
 * console.log((await checkFile(file, { policy: 'xero-oauth2-2019' })).ok); // → true
 * ```
 */
export async function checkFile(file: string, options: CheckOptions = {}): Promise<CheckResult> {
  const checker = createChecker(options);
  for await (const lines of readTraceChunks(file)) {
    for (const line of lines) {
      checker.take(line);
      if (checker.full) return checker.result();
    }
  }
  return checker.result();
}

/**
 * Run a trace: every event with the model's outcome, the policy in force and the reason.
 * @example
 * ```ts
 * import { run } from 'xero-connection-model';
 * const lines = [
 *   { line: 1, event: { type: 'connect' as const, app: 'a', tenants: ['t1'], at: '2020-02-09T20:30:00+13:00' } },
 *   { line: 2, event: { type: 'connect' as const, app: 'a', tenants: ['t2'], at: '2020-02-09T20:31:00+13:00' } },
 *   { line: 3, event: { type: 'connect' as const, app: 'a', tenants: ['t3'], at: '2020-02-09T20:32:00+13:00' } },
 * ];
 * for await (const record of run(lines)) console.log(record.line, record.outcome, record.policy);
 * // → 1 connected xero-bug-2020-02
 * // → 2 connected xero-bug-2020-02
 * // → 3 rejected:org-limit xero-bug-2020-02
 * ```
 */
export async function* run(lines: AsyncIterable<TraceLine> | Iterable<TraceLine>, options: OracleOptions = {}): AsyncGenerator<RunRecord> {
  const { driver } = makeDriver(options);
  const follow = options.follow !== 'model';
  let followed = 0;
  for await (const { line, event } of lines) {
    const report = driver.apply(event, true, follow);
    const whys = report.decisions.map((d, i) => explain(d.before, d.event, report.outcomes[i] ?? 'ok'));
    const reasons = whys.map((why) => why.text);
    const reason =
      event.type === 'connect' && event.tenants.length > 1
        ? event.tenants.map((t, i) => `${t}: ${reasons[i] ?? ''}`).join(' | ')
        : (reasons[0] ?? '');
    const step = divergencesOf(line, event, report, followed, (i) => whys[i]);
    followed = step.followed;
    yield {
      line,
      event,
      policy: policyLabel(report.policy),
      outcome: observedValue(event, report.outcomes),
      reason,
      reasons,
      diverges: step.found.length > 0,
      divergences: step.found.length,
    };
  }
}
