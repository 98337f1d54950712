/**
 * The driver turns trace events into machine events: it declares apps and tenants on first use,
 * tells the machine which policy is in force for each event (from the timeline or a fixed
 * policy), opens one consent per connect and collects one outcome per tenant.
 * @module
 */
import type { Policy } from '../platform/policy.ts';
import type { Engine } from './step.ts';
import type { PolicyChooser } from '../platform/timeline.ts';
import type { AppChanges, PlatformContext, PlatformEvent } from '../platform/transitions.ts';
import { observedContext } from './follow.ts';
import { instantOf, isoOf } from '../io/instant.ts';
import { observedAt, outcomeMatches } from '../io/trace-line.ts';
import { IMPLICIT_USER, type ObservedOutcome, type Outcome, type TraceEvent } from '../types.ts';
import { appRecord, defaultTenant, tenantRecord } from '../world/world.ts';

/** What the model did with one trace event. */
export interface StepReport {
  /** The outcome; for a connect, one per tenant in the consent's order. */
  outcomes: Outcome[];
  /** The policy in force for the event. */
  policy: Policy;
  /** For each outcome, the context just before its decision and the machine event decided. */
  decisions: Array<{ before: PlatformContext; event: PlatformEvent }>;
  /**
   * For each outcome, whether the model then took the observed outcome instead of its own (only
   * when following observations, and only where they differ and the machine can make the change).
   */
  adopted: boolean[];
}

/**
 * Called for a decision whose outcome differs from the one observed: the context it was decided
 * from (valid during the call only), the machine event, the model's outcome, the observed one and
 * the decision's index within the trace event.
 */
export type Judge = (before: PlatformContext, event: PlatformEvent, outcome: Outcome, seen: ObservedOutcome, index: number) => void;

/** The machine event that opens a consent (it carries nothing, so one serves every connect). */
const CONSENT: PlatformEvent = Object.freeze({ type: 'consent' });

/** Drives an engine with trace events. */
export class Driver {
  private lastAtMs: number | null = null;
  /** The last `at`, and its ISO form, made when a connect first needs it. */
  private lastAt: string | null = null;
  private lastAtIso: string | null = null;
  /** The event being applied, when its observations are read (undefined: they are not). */
  private observing: TraceEvent | undefined = undefined;
  private follow = false;
  private judge: Judge | undefined = undefined;

  constructor(
    readonly engine: Engine,
    private readonly choose: PolicyChooser,
  ) {}

  /**
   * Apply one trace event; `keepDecisions` records the contexts needed to explain outcomes (not
   * on an engine that updates its world in place). With `follow`, an outcome that differs from
   * the event's observed one is replaced by the observed one (see `follow.ts`): the next
   * decision, in this consent or a later event, starts from the state the platform was really
   * in. `judge` is called with each such difference, from the context it was decided from. With
   * `into`, the report is written there (emptied first) rather than into a new one: a caller that
   * reads each report before the next event makes none per event.
   */
  apply(event: TraceEvent, keepDecisions = false, follow = false, judge?: Judge, into?: StepReport): StepReport {
    if (keepDecisions && this.engine.undo !== undefined)
      throw new Error('Driver: an engine that updates its world in place keeps no decisions');
    if (event.at !== undefined) {
      this.lastAtMs = instantOf(event.at);
      this.lastAt = event.at;
      this.lastAtIso = null;
    }
    const engine = this.engine;
    if (event.type !== 'tenant') this.declareApp(event.app, event.type === 'app');
    if (event.type === 'connect') for (const t of event.tenants) this.declareTenant(t);
    else if (event.type === 'disconnect') this.declareTenant(event.tenant);
    const policy = this.choose(this.lastAtMs, event.type === 'tenant' ? undefined : appRecord(engine.context.world, event.app));
    if (policy !== engine.context.policy) engine.send({ type: 'policy', policy });
    const report: StepReport = into ?? { outcomes: [], policy, decisions: [], adopted: [] };
    if (into !== undefined) {
      // Emptied by pops: they hold an element or two, and setting an array's length is a slow call.
      while (into.outcomes.length > 0) into.outcomes.pop();
      while (into.decisions.length > 0) into.decisions.pop();
      while (into.adopted.length > 0) into.adopted.pop();
      into.policy = policy;
    }
    this.observing = (follow || judge !== undefined) && event.observed !== undefined ? event : undefined;
    this.follow = follow;
    this.judge = judge;
    const user = 'user' in event && event.user !== undefined ? event.user : IMPLICIT_USER;
    switch (event.type) {
      case 'app':
        this.decide(report, keepDecisions, { type: 'app', app: event.app, changes: appChanges(event) });
        break;
      case 'tenant':
        this.decide(report, keepDecisions, { type: 'tenant', tenant: event.tenant, kind: event.kind ?? defaultTenant(event.tenant).kind });
        break;
      case 'connect': {
        engine.send(CONSENT);
        const at = this.at();
        for (const tenant of event.tenants) this.decide(report, keepDecisions, { type: 'connect', app: event.app, tenant, user, at });
        break;
      }
      case 'disconnect':
        this.decide(report, keepDecisions, { type: 'disconnect', app: event.app, tenant: event.tenant, user });
        break;
      case 'revoke':
        this.decide(report, keepDecisions, { type: 'revoke', app: event.app, user });
        break;
      case 'certify':
        this.decide(report, keepDecisions, { type: 'certify', app: event.app });
        break;
      case 'tier':
        this.decide(report, keepDecisions, { type: 'tier', app: event.app, tier: event.tier });
        break;
    }
    return report;
  }

  /** Send one deciding machine event and collect its outcome. */
  private decide(report: StepReport, keepDecisions: boolean, machineEvent: PlatformEvent): void {
    const engine = this.engine;
    const before = engine.context;
    if (keepDecisions) report.decisions.push({ before, event: machineEvent });
    engine.send(machineEvent);
    const outcome = engine.context.outcome ?? 'ok';
    report.outcomes.push(outcome);
    // The observation of this decision, read only when there is one (no array per event).
    const index = report.outcomes.length - 1;
    const seen = this.observing === undefined ? undefined : observedAt(this.observing, index);
    if (seen === undefined || outcomeMatches(outcome, seen)) {
      report.adopted.push(false);
      return;
    }
    // An engine that updates in place goes back to `before`, judged and followed from there.
    engine.undo?.();
    this.judge?.(before, machineEvent, outcome, seen, index);
    const adopted = this.follow ? observedContext(before, machineEvent, seen) : null;
    if (adopted !== null) engine.adopt(adopted);
    else if (engine.undo !== undefined) engine.send(machineEvent);
    report.adopted.push(adopted !== null);
  }

  /** The time of the last `at`, as the ISO string connections record (null: none yet). */
  private at(): string | null {
    if (this.lastAtIso === null && this.lastAt !== null) this.lastAtIso = isoOf(this.lastAt);
    return this.lastAtIso;
  }

  private declareApp(app: string, explicit: boolean): void {
    if (!explicit && appRecord(this.engine.context.world, app) === undefined) this.engine.send({ type: 'app', app, changes: {} });
  }

  private declareTenant(tenant: string): void {
    if (tenantRecord(this.engine.context.world, tenant) === undefined)
      this.engine.send({ type: 'tenant', tenant, kind: defaultTenant(tenant).kind });
  }
}

function appChanges(event: Extract<TraceEvent, { type: 'app' }>): AppChanges {
  const changes: AppChanges = {};
  if (event.certified !== undefined) changes.certified = event.certified;
  if (event.tier !== undefined) changes.tier = event.tier;
  if (event.custom !== undefined) changes.custom = event.custom;
  if (event.auth !== undefined) changes.auth = event.auth;
  if (event.registered !== undefined) changes.registered = event.registered;
  return changes;
}
