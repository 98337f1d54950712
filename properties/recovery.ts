/**
 * Recovery: capacity freed is capacity available again; leaving the bug window restores correct
 * decisions; a lowered limit never takes away what is held.
 * @module
 */
import { MODEL, type Model } from '../model/engine/step.ts';
import { BUG_WINDOW } from '../model/platform/timeline.ts';
import type { Outcome, TraceEvent } from '../model/types.ts';
import { allConnections, connectionOf, type World } from '../model/world/world.ts';
import { FREEING_METHODS, type Case, type FreeingMethod } from './arbitraries.ts';
import { userField } from './commands.ts';
import type { Coverage } from './coverage.ts';
import { freeingFor, type Freeing } from './freeing.ts';
import { connectSteps, extend, prefix, replay, type GenTrace, type Replay } from './harness.ts';
import { firstBrokenStep, type Failure, type TraceProperty } from './property.ts';

/** Refusals per case that the recovery property follows up (each costs a replay). */
const REFUSALS_PER_CASE = 3;

type ConnectStep = ReturnType<typeof connectSteps>[number];

/** A refusal by a limit (not a refused re-consent) under a correct policy. */
function isLimitRefusal(s: ConnectStep): boolean {
  const refused = s.after.outcome === 'rejected:app-limit' || s.after.outcome === 'rejected:org-limit';
  const reconsent = connectionOf(s.before.world, s.event.app, s.event.tenant, s.event.user) !== undefined;
  return refused && !reconsent && s.before.policy.orgLimitReading === 'correct';
}

/** The trace up to a refusal, then the freeing events, then the same connect again. */
function retryTrace(c: Case, run: Replay, refusal: ConnectStep, method: FreeingMethod): { trace: GenTrace; freeing: Freeing[] } | null {
  const settled = run.steps.filter((s) => s.index === refusal.index).at(-1);
  if (settled === undefined) return null;
  const at = c.trace.events[refusal.index]?.at;
  const freeing = freeingFor(settled.after, refusal.event.app, refusal.event.tenant, method, at);
  if (freeing === null) return null;
  const { app, tenant, user } = refusal.event;
  const retry = { type: 'connect', app, tenants: [tenant], ...userField(user), ...(at === undefined ? {} : { at }) } as TraceEvent;
  const used = [freeing.app, freeing.org].filter((f): f is Freeing => f !== null);
  return { trace: extend(prefix(c.trace, refusal.index + 1), [...used.flatMap((f) => f.events), retry]), freeing: used };
}

function freedConnectSucceeds(c: Case, model: Model, coverage?: Coverage): Failure | null {
  const run = replay(c.trace, model);
  let tried = 0;
  for (const refusal of connectSteps(run).filter(isLimitRefusal)) {
    if (tried === REFUSALS_PER_CASE) break;
    const method = FREEING_METHODS[(FREEING_METHODS.indexOf(c.freeBy) + tried) % FREEING_METHODS.length] ?? c.freeBy;
    const attempt = retryTrace(c, run, refusal, method);
    if (attempt === null) continue;
    tried++;
    const outcome = replay(attempt.trace, model).outcomes.at(-1)?.[0];
    const how = attempt.freeing.map((f) => f.method).join(' and ');
    if (outcome !== 'connected') {
      const refused = `${refusal.event.app} refused on ${refusal.event.tenant} (${refusal.after.outcome}, event ${refusal.index + 1})`;
      return { trace: attempt.trace, message: `${refused}; after freeing by ${how}, the same connect gives ${outcome}` };
    }
    for (const f of attempt.freeing) coverage?.record(`refusal by the ${f.limit}, then recovery by ${f.method}`, c.realCaps);
  }
  return null;
}

const windowEnd = Date.parse(BUG_WINDOW.end);

function decidesAsCorrectPolicy(c: Case, model: Model): Failure | null {
  return firstBrokenStep(c, model, (s) => {
    const at = c.trace.events[s.index]?.at;
    if (at === undefined || Date.parse(at) < windowEnd) return null;
    if (s.event.type !== 'connect') return null;
    const correct = { ...s.before.policy, orgLimitReading: 'correct' as const };
    const expected: Outcome | null = MODEL.compiled.step({ regime: 'normal', context: { ...s.before, policy: correct } }, s.event).context
      .outcome;
    return s.after.outcome === expected
      ? null
      : `after the bug window, decided ${s.after.outcome} where the correct policy decides ${expected}`;
  });
}

function connectionKeys(world: World): string[] {
  return [...allConnections(world)].map((c) => `${c.user}/${c.app}/${c.tenant}`);
}

function keepsConnectionsAcrossLimits(c: Case, model: Model): Failure | null {
  return firstBrokenStep(c, model, (s) => {
    if (s.event.type !== 'policy' && s.event.type !== 'tier' && s.event.type !== 'certify') return null;
    const now = new Set(connectionKeys(s.after.world));
    const lost = connectionKeys(s.before.world).filter((k) => !now.has(k));
    return lost.length === 0 ? null : `a ${s.event.type} change dropped ${lost.length} connection(s): ${lost.slice(0, 3).join(', ')}`;
  });
}

/** The recovery properties. */
export const RECOVERY: readonly TraceProperty[] = [
  {
    id: 'recovery/freed',
    family: 'recovery',
    name: 'makes a refused connect succeed once the capacity that blocked it is freed',
    verify: freedConnectSucceeds,
  },
  {
    id: 'recovery/after-window',
    family: 'recovery',
    name: 'decides every connect after the bug window exactly as the correct policy does on the same state',
    verify: decidesAsCorrectPolicy,
  },
  {
    id: 'recovery/lowered-keeps',
    family: 'recovery',
    name: 'keeps every connection when a lower cap comes into force',
    verify: keepsConnectionsAcrossLimits,
  },
];
