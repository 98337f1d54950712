/**
 * Concurrent batches: from a state prepared by a sequential prefix (an app one short of its cap,
 * an organisation one short of its limit), K requests sent at once, and a linearizability check
 * against the model: some order of the batch that respects the real-time order of the requests
 * that did not overlap (one ended before the other started) must give, stepped one by one
 * through the model, exactly the outcomes observed and the state found after (Wing and Gong's
 * search: depth first over the orders, pruned at the first outcome that differs).
 * @module
 */
import fc from 'fast-check';
import type { PolicyChoice } from '../model/io/load-policy.ts';
import { IMPLICIT_USER, type TraceEvent } from '../model/types.ts';
import type { TraceBuilder } from '../properties/commands.ts';
import { userField } from '../properties/commands.ts';
import type { Adapter, Observation } from './adapter.ts';
import { type Caps, type Opening, openBuilder } from './cases.ts';
import { cloneRunIds, compareState, type RunIds, type StateDifference } from './compare.ts';
import { consentIdDifference, type Failure, type ModelSide, prepare, runSequence, send, stepModel, withObserved } from './sequential.ts';

/** One request of a batch, as picks resolved against the prefix. */
export type BatchRequest = { type: 'connect'; app: number; tenants: number[]; user: number } | { type: 'disconnect'; connection: number };

/** A generated batch: the opening that prepares the state, and the requests sent at once. */
export interface BatchSpec {
  opening: Opening;
  requests: BatchRequest[];
}

const USERS = [IMPLICIT_USER, 'u2', 'u3'];

/** The generator of batches of `size` requests, from states one short of a cap or at it. */
export function batchSpecs(size: number): fc.Arbitrary<BatchSpec> {
  const near = fc.constantFrom(-1, 0);
  const opening: fc.Arbitrary<Opening> = fc.oneof(
    fc.record({
      type: fc.constant('app-cap' as const),
      kind: fc.constantFrom('uncertified' as const, 'registered-2026' as const, 'core' as const, 'custom' as const),
      clock: fc.nat(6),
      offset: near,
      chunk: fc.integer({ min: 1, max: 3 }),
      demo: fc.boolean(),
      secondUser: fc.boolean(),
      others: fc.array(fc.constantFrom('uncertified' as const, 'certified' as const), { maxLength: 2 }),
    }),
    fc.record({
      type: fc.constant('org-limit' as const),
      clock: fc.nat(6),
      offset: near,
      tenantKind: fc.constant('organisation' as const),
      extras: fc.subarray(['certified' as const]),
      consentSize: fc.constant(1),
    }),
  );
  // A tenant pick of -1 is a new organisation (declared before the batch starts).
  const request: fc.Arbitrary<BatchRequest> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('connect' as const),
        app: fc.nat(4),
        tenants: fc.array(fc.integer({ min: -1, max: 6 }), { minLength: 1, maxLength: 2 }),
        user: fc.nat(2),
      }),
    },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('disconnect' as const), connection: fc.nat(20) }) },
  );
  return fc.record({ opening, requests: fc.array(request, { minLength: size, maxLength: size }) });
}

/** One request of a batch as it ran: the event, when it started and ended (ms), and its answer. */
export interface HistoryEntry {
  event: TraceEvent;
  start: number;
  end: number;
  outcomes: string[];
  authEventId: string | null;
}

/** The batch's events, resolved against the prefix (disconnects of connections the prefix asked for, never of a tenant a consent of the batch names for the same user and app). */
export function batchEvents(builder: TraceBuilder, requests: readonly BatchRequest[]): TraceEvent[] {
  const events: TraceEvent[] = [];
  const consented = new Set<string>();
  const at = builder.at;
  for (const r of requests) {
    if (r.type !== 'connect') continue;
    const app = builder.apps[r.app % builder.apps.length] as string;
    const user = USERS[r.user % USERS.length] as string;
    const tenants = [
      ...new Set(
        r.tenants.map((p) =>
          p < 0 || builder.tenants.length === 0 ? builder.freshTenant() : (builder.tenants[p % builder.tenants.length] as string),
        ),
      ),
    ];
    for (const t of tenants) consented.add(`${app}/${t}/${user}`);
    events.push({ type: 'connect', app, tenants, ...userField(user), at });
  }
  const asked = builder.asked.filter((a) => !consented.has(`${a.app}/${a.tenant}/${a.user}`));
  for (const r of requests) {
    if (r.type !== 'disconnect' || asked.length === 0) continue;
    const { app, tenant, user } = asked[r.connection % asked.length] as (typeof asked)[number];
    events.push({ type: 'disconnect', app, tenant, ...userField(user), at });
  }
  return events;
}

/** What a batch found. */
export interface BatchResult {
  events: number;
  failure: Failure | null;
}

/** An order explaining the batch, or the deepest one tried (the closest), with the model's outcomes for it. */
interface Search {
  explained: boolean;
  /** In the first order that gave every observed outcome, how the state after differs (null: no order got that far). */
  state: StateDifference | null;
  closest: { order: number[]; outcomes: string[][] };
}

/** Search the orders of the history the model can explain, ending in the observed state. */
function linearize(side: ModelSide, ids: RunIds, history: readonly HistoryEntry[], after: Observation): Search {
  const n = history.length;
  // before[j]: the requests that ended before j started (they must come first).
  const before = history.map((h) => history.flatMap((g, i) => (g.end < h.start ? [i] : [])));
  let deepest: number[] = [];
  const placed: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const consentIds: Array<[ModelSide, string | null]> = [];
  let stateDiff: StateDifference | null = null;
  const visit = (state: ModelSide): boolean => {
    if (placed.length === n) {
      const run = cloneRunIds(ids);
      let diff: StateDifference | null = null;
      for (const [s, id] of consentIds) diff ??= consentIdDifference(s, run, id);
      diff ??= compareState(state.world, after, run);
      if (diff !== null && stateDiff === null) {
        stateDiff = diff;
        deepest = [...placed];
      }
      return diff === null;
    }
    for (let j = 0; j < n; j++) {
      if (used[j] || !(before[j] as number[]).every((i) => used[i])) continue;
      const h = history[j] as HistoryEntry;
      const next = state.fork();
      const { differs } = stepModel(next, h.event, h.outcomes);
      if (differs !== null) {
        if (placed.length + 1 > deepest.length) deepest = [...placed, j];
        continue;
      }
      placed.push(j);
      used[j] = true;
      consentIds.push([next, h.authEventId]);
      if (placed.length > deepest.length) deepest = [...placed];
      const found = visit(next);
      consentIds.pop();
      used[j] = false;
      placed.pop();
      if (found) return true;
    }
    return false;
  };
  const explained = visit(side.fork());
  return { explained, state: stateDiff, closest: completeOrder(side, history, deepest) };
}

/** The closest order completed with the remaining requests in start order, and the model's outcomes for each. */
function completeOrder(side: ModelSide, history: readonly HistoryEntry[], order: number[]): Search['closest'] {
  const full = [...order, ...history.map((_, i) => i).filter((i) => !order.includes(i))];
  const state = side.fork();
  const outcomes = full.map((i) => state.driver.apply((history[i] as HistoryEntry).event).outcomes.map(String));
  return { order: full, outcomes };
}

const clockNow = () => performance.now();

/** Run one batch: the prefix sequentially (compared as usual), then the requests at once. */
export async function runBatch(
  adapter: Adapter,
  spec: BatchSpec,
  caps: Caps,
  choice: PolicyChoice,
  scheduler?: fc.Scheduler,
): Promise<BatchResult> {
  const builder = openBuilder(spec.opening, caps);
  const prefix = await runSequence(adapter, builder.events, choice);
  if (prefix.failure !== null) return { events: prefix.trace.length, failure: prefix.failure };
  const { side, ids } = prefix;
  const events = batchEvents(builder, spec.requests);
  // Declarations and the clock first, one by one: only the batch's own requests overlap.
  for (const e of events) await prepare(adapter, side, e);
  for (const e of events) {
    if (e.type === 'connect') for (const t of e.tenants) side.tenants.add(t);
    if (e.type !== 'tenant') side.apps.add(e.app);
  }
  adapter.useScheduler?.(scheduler ?? null);
  const history: HistoryEntry[] = [];
  const launch = async (event: TraceEvent) => {
    if (scheduler !== undefined) await scheduler.schedule(Promise.resolve(), `start ${describe(event)}`);
    const start = clockNow();
    const answer = await send(adapter, event);
    history.push({ event, start, end: clockNow(), outcomes: answer.outcomes, authEventId: answer.authEventId });
  };
  const running = Promise.all(events.map(launch));
  if (scheduler !== undefined) await scheduler.waitAll();
  try {
    await running;
  } finally {
    adapter.useScheduler?.(null);
  }
  const after = await adapter.observe();
  history.sort((a, b) => a.start - b.start);
  const search = linearize(side, ids, history, after);
  if (search.explained) return { events: prefix.trace.length + history.length, failure: null };
  const trace = [...prefix.trace, ...history.map((h) => withObserved(h.event, h.outcomes))];
  const t0 = history[0]?.start ?? 0;
  const lines = history.map((h, i) => {
    const ms = (x: number) => (x - t0).toFixed(1);
    return `  #${i + 1} ${describe(h.event)}: ${ms(h.start)}-${ms(h.end)} ms, answered ${h.outcomes.join(', ')}`;
  });
  const order = search.closest.order.map((i) => `#${i + 1}`).join(' ');
  const model = search.closest.order.map((i, k) => `#${i + 1} ${search.closest.outcomes[k]?.join(', ')}`).join('; ');
  return {
    events: trace.length,
    failure: {
      kind: 'concurrent',
      trace,
      step: prefix.trace.length + 1,
      expected: `some order of the batch giving the observed outcomes and state; the closest, ${order}, gives: ${model}`,
      observed: history.map((h, i) => `#${i + 1} ${h.outcomes.join(', ')}`).join('; '),
      explanation: `no order of the ${history.length} concurrent requests explains what the implementation answered and the state it shows after${
        search.state === null
          ? ''
          : ` (in the closest order every outcome is the model's, but the state differs: ${search.state.check}: expected ${search.state.expected}; observed ${search.state.observed})`
      }; history (start-end ms from the first start):\n${lines.join('\n')}`,
    },
  };
}

/** A request in a few words. */
export function describe(event: TraceEvent): string {
  const user = 'user' in event && event.user !== undefined ? event.user : IMPLICIT_USER;
  if (event.type === 'connect') return `consent of ${user} to ${event.app} for ${event.tenants.join(', ')}`;
  if (event.type === 'disconnect') return `disconnect of ${user}'s ${event.app} from ${event.tenant}`;
  return event.type === 'tenant' ? `tenant ${event.tenant}` : `${event.type} ${event.app}`;
}
