/**
 * The random part of a generated trace, as fast-check commands: one small class per trace event
 * (connect, disconnect, revoke, certify, tier) plus the passing of time. A command holds abstract
 * picks (indices); it resolves them against the trace built so far when it runs, so every
 * command is valid in every state and shrinking keeps sequences meaningful. Running a command
 * appends its event to a {@link TraceBuilder}; fast-check's `commands` shrinker needs the run.
 * @module
 */
import fc from 'fast-check';
import { IMPLICIT_USER, TIERS, type TraceEvent, type Tier } from '../model/types.ts';

/** Instants the traces visit, in order: each era of the `xero` timeline and its edges. */
export const INSTANTS: readonly string[] = [
  '2019-12-20T10:00:00+13:00', // OAuth 2.0 limits
  '2020-02-09T12:00:00+13:00', // the bug window opens (its first instant)
  '2020-02-10T11:59:59+13:00', // its last second
  '2020-02-10T12:00:00+13:00', // closed again
  '2025-12-10T10:00:00+13:00', // late 2025: the flat cap still holds for older apps
  '2026-03-02T00:00:00+13:00', // the tiers start (their first instant)
  '2026-06-01T10:00:00+12:00', // the tiers
];

/** The trace being built, and what the picks of a command resolve against. */
export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  /** Every (app, tenant, user) a connect asked for, in order: what disconnects and revokes pick from. */
  readonly asked: Array<{ app: string; tenant: string; user: string }> = [];
  private fresh = 0;

  constructor(
    readonly apps: readonly string[],
    readonly tenants: string[],
    readonly users: readonly string[],
    public clock: number,
  ) {}

  /** The current instant. */
  get at(): string {
    return INSTANTS[this.clock] ?? INSTANTS[INSTANTS.length - 1] ?? '';
  }

  /** Append an event stamped with the current instant. */
  push(event: TraceEvent): TraceEvent {
    const stamped = { ...event, at: this.at } as TraceEvent;
    this.events.push(stamped);
    return stamped;
  }

  /** Append a consent of `user` for `tenants`. */
  connect(app: string, tenants: readonly string[], user: string): TraceEvent {
    for (const tenant of tenants) this.asked.push({ app, tenant, user });
    return this.push({ type: 'connect', app, tenants: [...tenants], ...userField(user) });
  }

  /** A tenant id never used before (an organisation, declared implicitly). */
  freshTenant(): string {
    const id = `n${++this.fresh}`;
    this.tenants.push(id);
    return id;
  }
}

/** The `user` field of an event: omitted for the implicit user. */
export function userField(user: string): { user?: string } {
  return user === IMPLICIT_USER ? {} : { user };
}

function pick<T>(list: readonly T[], index: number): T {
  const value = list[index % list.length];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
}

/** A command of the random tail. */
abstract class TraceCommand implements fc.Command<TraceBuilder, object> {
  protected event: TraceEvent | null = null;
  check(_m: Readonly<TraceBuilder>): boolean {
    return true;
  }
  run(m: TraceBuilder): void {
    this.event = this.emit(m);
  }
  toString(): string {
    return this.event === null ? this.constructor.name : JSON.stringify(this.event);
  }
  protected abstract emit(m: TraceBuilder): TraceEvent;
}

/** One user's consent of one app for one to three tenants (a pick of -1 asks for a new tenant). */
class ConnectCommand extends TraceCommand {
  constructor(
    private readonly appPick: number,
    private readonly tenantPicks: readonly number[],
    private readonly userPick: number,
  ) {
    super();
  }
  protected emit(m: TraceBuilder): TraceEvent {
    const tenants = [...new Set(this.tenantPicks.map((p) => (p < 0 || m.tenants.length === 0 ? m.freshTenant() : pick(m.tenants, p))))];
    return m.connect(pick(m.apps, this.appPick), tenants, pick(m.users, this.userPick));
  }
}

/** Remove one connection a connect asked for (it may already be gone). */
class DisconnectCommand extends TraceCommand {
  constructor(private readonly askedPick: number) {
    super();
  }
  override check(m: Readonly<TraceBuilder>): boolean {
    return m.asked.length > 0;
  }
  protected emit(m: TraceBuilder): TraceEvent {
    const { app, tenant, user } = pick(m.asked, this.askedPick);
    return m.push({ type: 'disconnect', app, tenant, ...userField(user) });
  }
}

/** Revoke the token of a user of an app some connect asked for. */
class RevokeCommand extends TraceCommand {
  constructor(private readonly askedPick: number) {
    super();
  }
  override check(m: Readonly<TraceBuilder>): boolean {
    return m.asked.length > 0;
  }
  protected emit(m: TraceBuilder): TraceEvent {
    const { app, user } = pick(m.asked, this.askedPick);
    return m.push({ type: 'revoke', app, ...userField(user) });
  }
}

/** Certify an app. */
class CertifyCommand extends TraceCommand {
  constructor(private readonly appPick: number) {
    super();
  }
  protected emit(m: TraceBuilder): TraceEvent {
    return m.push({ type: 'certify', app: pick(m.apps, this.appPick) });
  }
}

/** Move an app to a tier (refused for Plus and above while uncertified). */
class TierCommand extends TraceCommand {
  constructor(
    private readonly appPick: number,
    private readonly tier: Tier,
  ) {
    super();
  }
  protected emit(m: TraceBuilder): TraceEvent {
    return m.push({ type: 'tier', app: pick(m.apps, this.appPick), tier: this.tier });
  }
}

/** Time passes to a later instant of {@link INSTANTS}; emits no event. */
class TickCommand implements fc.Command<TraceBuilder, object> {
  constructor(private readonly steps: number) {}
  check(m: Readonly<TraceBuilder>): boolean {
    return m.clock < INSTANTS.length - 1;
  }
  run(m: TraceBuilder): void {
    m.clock = Math.min(INSTANTS.length - 1, m.clock + this.steps);
  }
  toString(): string {
    return `tick(${this.steps})`;
  }
}

/** An app pick that favours the first app (the one a shaped trace drives to its cap). */
const appPick = fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.nat(15), weight: 1 });
/** A tenant pick: mostly a known tenant, sometimes a new one (-1). */
const tenantPick = fc.oneof({ arbitrary: fc.nat(40), weight: 3 }, { arbitrary: fc.constant(-1), weight: 2 });
const userPick = fc.nat(5);

/** Every command, weighted towards connects. */
const command: fc.Arbitrary<fc.Command<TraceBuilder, object>> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(appPick, fc.array(tenantPick, { minLength: 1, maxLength: 3 }), userPick)
      .map(([a, t, u]) => new ConnectCommand(a, t, u)),
  },
  { weight: 2, arbitrary: fc.nat(60).map((k) => new DisconnectCommand(k)) },
  { weight: 1, arbitrary: fc.nat(60).map((k) => new RevokeCommand(k)) },
  { weight: 1, arbitrary: appPick.map((a) => new CertifyCommand(a)) },
  { weight: 1, arbitrary: fc.tuple(appPick, fc.constantFrom(...TIERS)).map(([a, t]) => new TierCommand(a, t)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }).map((s) => new TickCommand(s)) },
);

/** The random tail of a trace: up to `maxCommands` commands, long ones included (`size: 'max'`). */
export function tailCommands(maxCommands: number): fc.Arbitrary<Iterable<fc.Command<TraceBuilder, object>>> {
  return fc.commands([command], { maxCommands, size: 'max' });
}

/** Run a tail's commands on a builder (marking them as run, which the shrinker relies on). */
export function runTail(builder: TraceBuilder, tail: Iterable<fc.Command<TraceBuilder, object>>): void {
  fc.modelRun(() => ({ model: builder, real: {} }), tail);
}
