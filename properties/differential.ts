/**
 * Differential: the independent reference (`reference.ts`, plain TypeScript written from the rules
 * document) agrees with the machine on every generated trace, outcome by outcome, and on the
 * live connections at the end. The reference is told the policy in force from the same timeline
 * (policies are data, not rules) and decides everything else itself.
 * @module
 */
import { choosePolicy } from '../model/io/load-policy.ts';
import { IMPLICIT_USER, type Outcome, type TraceEvent } from '../model/types.ts';
import { allConnections, defaultApp } from '../model/world/world.ts';
import type { GenTrace } from './harness.ts';
import { replay } from './harness.ts';
import type { TraceProperty } from './property.ts';
import { ReferencePlatform } from './reference.ts';

/** The reference's outcomes for a trace, and its live connections at the end. */
function referenceRun(trace: GenTrace): { outcomes: Outcome[][]; connections: string[] } {
  const choice = choosePolicy(undefined, trace.set);
  const ref = new ReferencePlatform(choice.choose(null, undefined));
  const registered = new Map<string, string>();
  let atMs: number | null = null;
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch below covers every event type
  const outcomes = trace.events.map((event: TraceEvent): Outcome[] => {
    if (event.at !== undefined) atMs = Date.parse(event.at);
    const app = event.type === 'tenant' ? undefined : { ...defaultApp(event.app), registered: registered.get(event.app) ?? null };
    ref.setPolicy(choice.choose(atMs, app));
    const user = 'user' in event && event.user !== undefined ? event.user : IMPLICIT_USER;
    switch (event.type) {
      case 'app': {
        const { type: _t, app: id, at: _a, observed: _o, ...changes } = event;
        const outcome = ref.declareApp(id, changes);
        if (outcome === 'ok' && event.registered !== undefined) registered.set(id, event.registered);
        return [outcome];
      }
      case 'tenant':
        return [ref.declareTenant(event.tenant, event.kind ?? 'organisation')];
      case 'connect':
        return ref.connect(event.app, event.tenants, user);
      case 'disconnect':
        return [ref.disconnect(event.app, event.tenant, user)];
      case 'revoke':
        return [ref.revoke(event.app, user)];
      case 'certify':
        return [ref.certify(event.app)];
      case 'tier':
        return [ref.tier(event.app, event.tier)];
    }
  });
  return {
    outcomes,
    connections: ref
      .connections()
      .map((c) => `${c.user}/${c.app}/${c.tenant}`)
      .sort(),
  };
}

/** The differential property. */
export const DIFFERENTIAL: readonly TraceProperty[] = [
  {
    id: 'differential/reference',
    family: 'differential',
    name: 'agrees with the independent reference implementation outcome by outcome',
    verify: (c, model) => {
      const machine = replay(c.trace, model);
      const reference = referenceRun(c.trace);
      const at = machine.outcomes.findIndex((o, i) => JSON.stringify(o) !== JSON.stringify(reference.outcomes[i]));
      if (at >= 0) {
        return {
          trace: { set: c.trace.set, events: c.trace.events.slice(0, at + 1) },
          message: `event ${at + 1}: the machine under test gives ${JSON.stringify(machine.outcomes[at])}, the reference ${JSON.stringify(reference.outcomes[at])}`,
        };
      }
      const live = [...allConnections(machine.context.world)].map((k) => `${k.user}/${k.app}/${k.tenant}`).sort();
      return JSON.stringify(live) === JSON.stringify(reference.connections)
        ? null
        : {
            trace: c.trace,
            message: `the same outcomes, but different live connections at the end: machine ${live.length}, reference ${reference.connections.length}`,
          };
    },
  },
];
