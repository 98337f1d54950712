/**
 * A platform change's effect on a recorded trace (`xcm impact`): the trace replayed under two
 * policies, each on its own (observations are not followed), and every outcome that differs.
 * Memory is bounded by the world: changes are handed out as they are found, and the result keeps
 * a count per app.
 * @module
 */
import { draftEngine } from '../engine/step.ts';
import { makeDriver } from './oracle.ts';
import { readTraceChunks, type TraceLine } from '../io/trace.ts';
import type { Outcome, TraceEvent } from '../types.ts';

/** One outcome that differs between the two policies. */
export interface ImpactChange {
  /** 1-based line of the trace file. */
  line: number;
  /** The outcome under the policy changed from. */
  from: Outcome;
  /** The outcome under the policy changed to. */
  to: Outcome;
  app: string;
  /** The tenant of the decision (null for an event about an app alone: certify, tier, revoke, app). */
  tenant: string | null;
}

/** The changes to one app's outcomes. */
export interface AppImpact {
  app: string;
  /** How many of its outcomes change. */
  changed: number;
  /** The first line on which one changes. */
  first: number;
  /** How many changes of each kind, such as `connected -> rejected:app-limit`. */
  kinds: Record<string, number>;
}

/** The effect of a change of policy on a trace. */
export interface ImpactResult {
  from: string;
  to: string;
  /** The events replayed. */
  events: number;
  /** The outcomes that change. */
  changed: number;
  /** Per app with a change, in the order of their first change. */
  byApp: AppImpact[];
  /** Every change in trace order; empty when `onChange` received them. */
  lines: ImpactChange[];
}

/** Options of `impact`. */
export interface ImpactOptions {
  /** The policy changed from: a built-in id, the timeline `xero` (the default), or a file. */
  from?: string | undefined;
  /** The policy changed to. */
  to: string;
  /** Called with each change as it is found; the result's `lines` then stays empty. */
  onChange?: (change: ImpactChange) => void;
}

/** The tenant of a trace event's `i`-th decision, if it has one. */
function tenantOf(event: TraceEvent, i: number): string | null {
  if (event.type === 'connect') return event.tenants[i] ?? null;
  if (event.type === 'disconnect' || event.type === 'tenant') return event.tenant;
  return null;
}

/** Replays lines under both policies and counts the changes; `finish` gives the result. */
export function createImpact(options: ImpactOptions) {
  // Each replay looks back at no earlier world: each steps one in place.
  const from = makeDriver({ policy: options.from }, undefined, draftEngine);
  const to = makeDriver({ policy: options.to }, undefined, draftEngine);
  const byApp = new Map<string, AppImpact>();
  const lines: ImpactChange[] = [];
  const report = options.onChange ?? ((change: ImpactChange) => lines.push(change));
  let events = 0;
  let changed = 0;
  return {
    take({ line, event }: TraceLine): void {
      events++;
      const a = from.driver.apply(event).outcomes;
      const b = to.driver.apply(event).outcomes;
      for (let i = 0; i < a.length; i++) {
        const before = a[i] as Outcome;
        const after = b[i] as Outcome;
        if (before === after) continue;
        changed++;
        const app = event.type === 'tenant' ? '' : event.app;
        let entry = byApp.get(app);
        if (entry === undefined) {
          entry = { app, changed: 0, first: line, kinds: {} };
          byApp.set(app, entry);
        }
        entry.changed++;
        const kind = `${before} -> ${after}`;
        entry.kinds[kind] = (entry.kinds[kind] ?? 0) + 1;
        report({ line, from: before, to: after, app, tenant: tenantOf(event, i) });
      }
    },
    finish: (): ImpactResult => ({ from: from.label, to: to.label, events, changed, byApp: [...byApp.values()], lines }),
  };
}

/**
 * The effect of changing the policy from `from` to `to` on a trace: every outcome that differs.
 * @example
 * ```ts
 * import { impact } from 'xero-connection-model';
 * const lines = Array.from({ length: 22 }, (_, i) => ({ line: i + 1, event: { type: 'connect' as const, app: 'a', tenants: [`org-${i + 1}`] } }));
 * const result = await impact(lines, { from: 'xero-oauth2-2019', to: 'xero-partner-page-2019' });
 * console.log(result.changed, result.byApp[0]?.first, result.byApp[0]?.kinds); // → 2 21 { 'connected -> rejected:app-limit': 2 }
 * ```
 */
export async function impact(lines: AsyncIterable<TraceLine> | Iterable<TraceLine>, options: ImpactOptions): Promise<ImpactResult> {
  const run = createImpact(options);
  for await (const line of lines) run.take(line);
  return run.finish();
}

/** `impact` on a trace file, streamed a chunk at a time. */
export async function impactFile(file: string, options: ImpactOptions): Promise<ImpactResult> {
  const run = createImpact(options);
  for await (const chunk of readTraceChunks(file)) for (const line of chunk) run.take(line);
  return run.finish();
}
