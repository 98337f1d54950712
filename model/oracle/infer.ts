/**
 * Inference: which readings of the open questions a trace's observations allow. Each named
 * parameter (`PARAMETERS`) whose question arises under the policies the trace runs under is
 * tried at each of its values: the trace is replayed through the model (the same checker as
 * `check`, the value set as `--set key=value` would set it) and a value is consistent when every
 * observed outcome agrees, refuted at the first line that disagrees. Nothing here restates a
 * rule: the model decides every outcome; a reading's values are its declared domain, a cap's
 * the counts the trace can tell apart.
 * @module
 */
import { InputError } from '../errors.ts';
import { applySet, choosePolicy, type PolicyChoice } from '../io/load-policy.ts';
import { readTraceChunks, type TraceLine } from '../io/trace.ts';
import { arisesUnder, PARAMETERS, readingValues, type ParameterDoc, type ParameterValue, type Policy } from '../platform/policy.ts';
import type { PolicyChooser } from '../platform/timeline.ts';
import { createChecker, type Checker } from './oracle.ts';

/** Options of `infer`. */
export interface InferOptions {
  /** A built-in policy id, `xero` (the timeline, the default), or a JSON policy file: the defaults. */
  policy?: string | undefined;
  /** `key=value` overrides of the defaults, applied to every policy used (a tried value replaces its own key's). */
  set?: readonly string[];
  /**
   * The most values a cap is tried at (default 256): 0 up to one more than the trace's tenants or
   * apps, whichever are more, and no further than this. A cap past what the trace can reach
   * behaves alike at every value, so the last value tried stands for every larger one, unless this
   * bound cut the range short (`tried.andAbove` is then false).
   */
  maxCapValues?: number;
  /** The most combinations of the readings replayed together (default 256); more are skipped, saying so. */
  maxCombinations?: number;
}

/** A refuted value and the first line whose observed outcome disagrees with it. */
export interface Refutation {
  value: ParameterValue;
  line: number;
  /** For a cap's last value tried: it stands for every larger value too. */
  andAbove?: true;
}

/** The consistent values of a cap: from `min` to `max` (null: no upper bound); values between them may be refuted (see `refuted`). */
export interface CapRange {
  min: number;
  max: number | null;
}

/** What the observations say about one parameter, tried alone (every other at its default). */
export interface InferredParameter {
  key: string;
  /**
   * Its value in the defaults: under the first policy the trace runs under where its question
   * arises (a policy file that changes it from a date may give later eras another).
   */
  default: ParameterValue;
  /** A reading: the consistent values, in declared order. A cap: their range, or null when none is consistent. */
  consistent: ParameterValue[] | CapRange | null;
  /** Every refuted value tried, in order, with its first refuting line. */
  refuted: Refutation[];
  /** `cap`: tried at counts; `reading`: tried at every value of its declared domain. */
  kind: 'cap' | 'reading';
  /**
   * Whether the trace tells its values apart: false when every value gives the same verdict
   * (all consistent, or all refuted at the same line), so the trace says nothing about it.
   */
  tested: boolean;
  /** For a cap: the values tried, `min` to `max`; `andAbove` when `max` stands for every larger value. */
  tried?: { min: number; max: number; andAbove: boolean };
}

/**
 * The readings tried at once: every combination of their values, the caps at their defaults.
 * A reading whose value changes no verdict in any combination is `free` (every value of it goes
 * with every consistent combination of the others); the consistent combinations are given over
 * the rest, `keys`.
 */
export interface Together {
  /** The readings whose value changes the verdict in some combination, in `PARAMETERS` order. */
  keys: string[];
  /** The readings combined whose value changes no verdict in any combination. */
  free: string[];
  /** How many combinations were replayed: 0 when skipped. */
  tried: number;
  /**
   * The consistent combinations of the `keys`' values, each as key → value (with no `keys`, one
   * empty combination when every combination is consistent, none when none is).
   */
  consistent: Array<Record<string, ParameterValue>>;
  /** Why the combinations were not replayed (too many), when they were not. */
  skipped?: string;
}

/** The verdict of `infer`. */
export interface InferResult {
  /** Whether the defaults agree with every observation (the same verdict as `check`). */
  defaultsHold: boolean;
  /** The first line whose observed outcome disagrees with the defaults (null: they hold). */
  refutedAt: number | null;
  /** The policy or timeline replayed, as `check` names it. */
  policy: string;
  /** The ids of the policies the trace's events run under (none for an empty trace, where no question arises). */
  policies: string[];
  events: number;
  /** Events with an observed outcome. */
  observed: number;
  /** Distinct tenants and apps the trace names: they bound the caps worth trying. */
  tenants: number;
  apps: number;
  /** Every parameter asked, in `PARAMETERS` order. */
  parameters: InferredParameter[];
  /** Parameters whose question arises under none of the trace's policies (a tier's cap outside the tiers). */
  notAsked: string[];
  together: Together;
}

/** One assignment of a value to a parameter. */
type Assignment = readonly [ParameterDoc, ParameterValue];

/** A value as `--set` writes it. */
export function valueText(value: ParameterValue): string {
  return value === null ? 'unlimited' : String(value);
}

/**
 * The policy choice with values assigned: each applied, as `--set` applies it, to every policy
 * the trace runs under where its question arises (a bug reading only in the bug window), once
 * per policy so that the driver sees one policy object per era.
 */
function assigned(base: PolicyChoice, assignments: readonly Assignment[]): PolicyChoice {
  const cache = new Map<Policy, Policy>();
  const adjust = (policy: Policy): Policy => {
    let changed = cache.get(policy);
    if (changed === undefined) {
      changed = assignments.reduce(
        (p, [doc, value]) => (arisesUnder(doc, policy) ? applySet(p, `${doc.key}=${valueText(value)}`) : p),
        policy,
      );
      cache.set(policy, changed);
    }
    return changed;
  };
  const label = `${base.label} with ${assignments.map(([doc, value]) => `${doc.key}=${valueText(value)}`).join(', ')}`;
  return { label, choose: (atMs, app) => adjust(base.choose(atMs, app)), fixed: base.fixed === null ? null : adjust(base.fixed) };
}

/** The first pass: the defaults' verdict, the policies used, and the names that bound the caps. */
class Survey {
  readonly used = new Set<Policy>();
  private readonly tenants = new Set<string>();
  private readonly apps = new Set<string>();
  private readonly checker: Checker;
  events = 0;
  observed = 0;

  constructor(readonly base: PolicyChoice) {
    // Only the policies of events count as used, not the one a checker starts from.
    let taking = false;
    const choose: PolicyChooser = (atMs, app) => {
      const policy = base.choose(atMs, app);
      if (taking) this.used.add(policy);
      return policy;
    };
    // Every event is replayed (the chooser sees them all); only a sample of divergences is kept.
    this.checker = createChecker({ onDivergence: () => {} }, { ...base, choose });
    taking = true;
  }

  take(line: TraceLine): void {
    const event = line.event;
    this.events++;
    if (event.observed !== undefined) this.observed++;
    if (event.type !== 'tenant') this.apps.add(event.app);
    if (event.type === 'connect') for (const t of event.tenants) this.tenants.add(t);
    else if (event.type === 'tenant' || event.type === 'disconnect') this.tenants.add(event.tenant);
    this.checker.take(line);
  }

  /** The second pass's candidates, from what the first saw. */
  plan(options: InferOptions): Replay {
    const result = this.checker.result();
    return new Replay(this, options, {
      defaultsHold: result.ok,
      refutedAt: result.divergences[0]?.line ?? null,
      tenants: this.tenants.size,
      apps: this.apps.size,
    });
  }
}

/** One replay of the trace with some values assigned. */
interface Candidate {
  assignments: readonly Assignment[];
  checker: Checker;
}

/** The verdict of a candidate: null when consistent, else the first refuting line. */
function verdict(candidate: Candidate): number | null {
  const result = candidate.checker.result();
  return result.ok ? null : (result.divergences[0]?.line ?? result.stoppedAt);
}

/** Every combination of the given values, in order (the first key slowest). */
function combinations(docs: readonly ParameterDoc[]): Assignment[][] {
  return docs.reduce<Assignment[][]>(
    (acc, doc) => acc.flatMap((partial) => (readingValues(doc) ?? []).map((value) => [...partial, [doc, value] as const])),
    [[]],
  );
}

/** The second pass: every candidate replayed at once, each stopping at its first refuting line. */
class Replay {
  private readonly alone = new Map<ParameterDoc, Candidate[]>();
  private readonly together: Candidate[] = [];
  private readonly asked: ParameterDoc[];
  private readonly readings: ParameterDoc[];
  private readonly combinationCount: number;
  private readonly maxCombinations: number;
  private readonly capTop: number;
  private readonly capAndAbove: boolean;
  private active: Candidate[] = [];

  constructor(
    private readonly survey: Survey,
    options: InferOptions,
    private readonly head: { defaultsHold: boolean; refutedAt: number | null; tenants: number; apps: number },
  ) {
    const maxCapValues = positive(options.maxCapValues ?? 256, 'maxCapValues');
    this.maxCombinations = positive(options.maxCombinations ?? 256, 'maxCombinations');
    const used = [...survey.used];
    this.asked = PARAMETERS.filter((doc) => used.some((p) => arisesUnder(doc, p)));
    // A cap of one more than every tenant (or app) the trace names is never reached, so it and
    // every larger value give the same outcomes (as unlimited does): the candidates stop there.
    const reach = Math.max(head.tenants, head.apps) + 1;
    this.capTop = Math.min(reach, maxCapValues - 1);
    this.capAndAbove = this.capTop === reach;
    const base = survey.base;
    const candidate = (assignments: readonly Assignment[]): Candidate => {
      const c = { assignments, checker: createChecker({ maxDivergences: 1 }, assigned(base, assignments)) };
      this.active.push(c);
      return c;
    };
    for (const doc of this.asked) {
      const values = readingValues(doc) ?? Array.from({ length: this.capTop + 1 }, (_, i) => i);
      this.alone.set(
        doc,
        values.map((value) => candidate([[doc, value]])),
      );
    }
    this.readings = this.asked.filter((doc) => readingValues(doc) !== null);
    this.combinationCount = this.readings.reduce((n, doc) => n * (readingValues(doc)?.length ?? 1), 1);
    if (this.readings.length > 0 && this.combinationCount <= this.maxCombinations)
      for (const assignments of combinations(this.readings)) this.together.push(candidate(assignments));
  }

  /** Whether every candidate has been refuted: the rest of the trace changes nothing. */
  get done(): boolean {
    return this.active.length === 0;
  }

  take(line: TraceLine): void {
    let refuted = false;
    for (const c of this.active) {
      c.checker.take(line);
      if (c.checker.full) refuted = true;
    }
    if (refuted) this.active = this.active.filter((c) => !c.checker.full);
  }

  result(): InferResult {
    const used = [...this.survey.used];
    const parameters = this.asked.map((doc) => this.parameter(doc, used));
    const notAsked = PARAMETERS.filter((doc) => doc.inferred !== false && !this.asked.includes(doc)).map((doc) => doc.key);
    return {
      defaultsHold: this.head.defaultsHold,
      refutedAt: this.head.refutedAt,
      policy: this.survey.base.label,
      policies: [...new Set(used.map((p) => p.id))],
      events: this.survey.events,
      observed: this.survey.observed,
      tenants: this.head.tenants,
      apps: this.head.apps,
      parameters,
      notAsked,
      together: this.togetherResult(),
    };
  }

  private parameter(doc: ParameterDoc, used: readonly Policy[]): InferredParameter {
    const candidates = this.alone.get(doc) ?? [];
    const verdicts = candidates.map(verdict);
    const values = candidates.map((c) => c.assignments[0]?.[1] ?? null);
    const home = used.find((p) => arisesUnder(doc, p)) as Policy;
    const tested = verdicts.some((v) => v !== verdicts[0]);
    const refuted: Refutation[] = [];
    verdicts.forEach((line, i) => {
      if (line === null) return;
      const top = doc.kind !== 'boolean' && doc.kind !== 'enum' && i === candidates.length - 1 && this.capAndAbove;
      refuted.push({ value: values[i] ?? null, line, ...(top ? { andAbove: true as const } : {}) });
    });
    const consistentValues = values.filter((_, i) => verdicts[i] === null);
    const common = { key: doc.key, default: home[doc.key] };
    if (readingValues(doc) !== null) return { ...common, consistent: consistentValues, refuted, kind: 'reading', tested };
    const numbers = consistentValues as number[];
    const last = numbers[numbers.length - 1];
    const consistent =
      last === undefined ? null : { min: numbers[0] as number, max: last === this.capTop && this.capAndAbove ? null : last };
    return { ...common, consistent, refuted, kind: 'cap', tested, tried: { min: 0, max: this.capTop, andAbove: this.capAndAbove } };
  }

  private togetherResult(): Together {
    const all = this.readings.map((doc) => doc.key);
    if (this.readings.length > 0 && this.together.length === 0)
      return {
        keys: [],
        free: all,
        tried: 0,
        consistent: [],
        skipped: `${this.combinationCount} combinations, more than ${this.maxCombinations}`,
      };
    const tried = this.together.map((c) => ({ values: c.assignments.map(([, value]) => value), ok: verdict(c) === null }));
    // A reading matters when two combinations that differ only in its value differ in verdict.
    const matters = all.map((_, k) => {
      const seen = new Map<string, boolean>();
      return tried.some(({ values, ok }) => {
        const others = JSON.stringify(values.filter((_, i) => i !== k));
        const before = seen.get(others);
        seen.set(others, ok);
        return before !== undefined && before !== ok;
      });
    });
    const keys = all.filter((_, k) => matters[k]);
    const consistent = new Map<string, Record<string, ParameterValue>>();
    for (const { values, ok } of tried) {
      if (!ok) continue;
      const combination = Object.fromEntries(all.flatMap((key, k) => (matters[k] ? [[key, values[k] ?? null]] : [])));
      consistent.set(JSON.stringify(combination), combination);
    }
    return { keys, free: all.filter((_, k) => !matters[k]), tried: tried.length, consistent: [...consistent.values()] };
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`expected a whole number >= 1, got ${String(n)}`, { file: 'infer', field: name });
  return n;
}

/** The lines of a trace given as lines (replayed as given) or a file (streamed, a chunk at a time). */
async function* chunksOf(trace: string | readonly TraceLine[]): AsyncGenerator<readonly TraceLine[]> {
  if (typeof trace === 'string') for await (const chunk of readTraceChunks(trace)) yield [...chunk];
  else yield trace;
}

/**
 * Which readings of the open questions a trace's observations allow. Every parameter whose
 * question arises under the policies the trace runs under (a tier's cap only under the tiers, a
 * bug reading only in the bug window) is tried alone, the others at their defaults: a reading at
 * each value of its declared domain, a cap at every count from 0 to one more than the trace's
 * tenants or apps (the last standing for every larger value). Each value is consistent when the
 * model agrees with every observed outcome, else refuted at the first line that disagrees. Then
 * every combination of the readings together, when there are at most `maxCombinations`.
 * `defaultsHold` is `check`'s verdict under the defaults. A file is streamed twice (once to
 * learn what to try, once to try it all at once), so time grows with the values tried times the
 * trace's length, and memory with the values tried times the world's size.
 * @example
 * ```ts
 * import { infer } from 'xero-connection-model';
 * const lines = Array.from({ length: 4 }, (_, i) => ({
 *   line: i + 1,
 *   event: { type: 'connect' as const, app: 'my-app', tenants: [`org-${i + 1}`], observed: i < 3 ? ('connected' as const) : ('rejected:app-limit' as const) },
 * }));
 * const result = await infer(lines, { policy: 'xero-oauth2-2019' });
 * const appCap = result.parameters.find((p) => p.key === 'appCap');
 * console.log(result.defaultsHold, JSON.stringify(appCap?.consistent)); // → false {"min":3,"max":3}
 * console.log(appCap?.refuted.map((r) => `${r.value}@${r.line}`).join(' ')); // → 0@1 1@2 2@3 4@4 5@4
 * ```
 */
export async function infer(trace: string | Iterable<TraceLine>, options: InferOptions = {}): Promise<InferResult> {
  const lines = typeof trace === 'string' ? trace : Array.isArray(trace) ? (trace as readonly TraceLine[]) : [...trace];
  const survey = new Survey(choosePolicy(options.policy, options.set ?? []));
  for await (const chunk of chunksOf(lines)) for (const line of chunk) survey.take(line);
  const replay = survey.plan(options);
  for await (const chunk of chunksOf(lines)) {
    for (const line of chunk) {
      replay.take(line);
      if (replay.done) break;
    }
    if (replay.done) break;
  }
  return replay.result();
}

/** `infer` over lines in memory, without an asynchronous step (the reports use it). */
export function inferLines(lines: readonly TraceLine[], options: InferOptions = {}): InferResult {
  const survey = new Survey(choosePolicy(options.policy, options.set ?? []));
  for (const line of lines) survey.take(line);
  const replay = survey.plan(options);
  for (const line of lines) {
    replay.take(line);
    if (replay.done) break;
  }
  return replay.result();
}
