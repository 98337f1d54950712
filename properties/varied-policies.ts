/**
 * The properties again, under varied policies: every generated case also draws `--set` overrides
 * of the open assumptions (see `policyOverrides`), so the suite sees demo tenants exempt from the
 * organisation limit, re-consent refused at the cap, new connection ids on re-consent, the other
 * check order, and so on, not only the defaults. The reference implementation models every
 * parameter, so the differential property judges each variant; the safety, precision and no-loss
 * properties hold under every correct policy. One more property checks the connection records a
 * connect writes (ids, authEventId, timestamps), which the reference does not track.
 * @module
 */
import fc from 'fast-check';
import { MODEL } from '../model/engine/step.ts';
import { allConnections, connectionOf, connectionSerial, currentAuthEventId } from '../model/world/world.ts';
import { caseSpecs, materialize, policyOverrides, policyOverridesWithBug, withOverrides } from './arbitraries.ts';
import { fcParameters } from './config.ts';
import { DIFFERENTIAL } from './differential.ts';
import type { Step } from './harness.ts';
import { NO_LOSS } from './no-loss.ts';
import { PRECISION } from './precision.ts';
import { firstBrokenStep, type TraceProperty } from './property.ts';
import { SAFETY } from './safety.ts';

/** What a connect that connects or reconnects must write, as the policy in force says. */
export function connectionRecordChecked(s: Step): string | null {
  if (s.event.type !== 'connect') return null;
  const { app, tenant, user, at } = s.event;
  const old = connectionOf(s.before.world, app, tenant, user);
  const now = connectionOf(s.after.world, app, tenant, user);
  const serial = connectionSerial(s.after.world);
  const ids = [...allConnections(s.after.world)].map((c) => connectionOf(s.after.world, c.app, c.tenant, c.user)?.id);
  if (new Set(ids).size !== ids.length) return `two live connections share an id: ${ids.join(', ')}`;
  if (s.after.outcome === 'connected') {
    if (now === undefined) return 'connected, but no connection is live';
    if (now.id !== `c${serial}` || serial !== connectionSerial(s.before.world) + 1)
      return `a new connection has id ${now.id}, serial ${serial}`;
    if (now.authEventId !== currentAuthEventId(s.after.world)) return `a new connection has authEventId ${now.authEventId}`;
    if (now.createdDateUtc !== at || now.updatedDateUtc !== at)
      return `a new connection made at ${at} is dated ${now.createdDateUtc}, ${now.updatedDateUtc}`;
    return null;
  }
  if (s.after.outcome !== 'reconnected') return null;
  if (old === undefined || now === undefined) return 'reconnected, but the connection was not live before and after';
  const policy = s.before.policy;
  const id = policy.reconsentKeepsConnectionId ? old.id : `c${connectionSerial(s.before.world) + 1}`;
  if (now.id !== id)
    return `re-consent gives id ${now.id}, expected ${id} (reconsentKeepsConnectionId=${policy.reconsentKeepsConnectionId})`;
  const authEventId = policy.reconsentTakesNewAuthEvent ? currentAuthEventId(s.after.world) : old.authEventId;
  if (now.authEventId !== authEventId)
    return `re-consent gives authEventId ${now.authEventId}, expected ${authEventId} (reconsentTakesNewAuthEvent=${policy.reconsentTakesNewAuthEvent})`;
  if (now.createdDateUtc !== old.createdDateUtc) return `re-consent changes createdDateUtc to ${now.createdDateUtc}`;
  if (now.updatedDateUtc !== (at ?? old.updatedDateUtc)) return `re-consent at ${at} leaves updatedDateUtc ${now.updatedDateUtc}`;
  return null;
}

/** The connection-record property. */
export const CONNECTION_RECORDS: TraceProperty = {
  id: 'no-loss/connection-records',
  family: 'no-loss',
  name: 'writes each connection with a fresh id, the consent authEventId and its instant; a re-consent as the policy says',
  verify: (c, model) => firstBrokenStep(c, model, connectionRecordChecked),
};

/** Properties judged under overrides with a correct organisation check. */
export const UNDER_CORRECT_VARIANTS: readonly TraceProperty[] = [...SAFETY, ...PRECISION, ...NO_LOSS, CONNECTION_RECORDS];
/** Properties judged under overrides that may put a bug reading in force everywhere. */
export const UNDER_ANY_VARIANT: readonly TraceProperty[] = [...DIFFERENTIAL, CONNECTION_RECORDS];

/** Assert a property on generated cases with drawn overrides; the failure names the overrides. */
export function assertHoldsVaried(property: TraceProperty, overrides: fc.Arbitrary<string[]>): void {
  fc.assert(
    fc.property(caseSpecs, overrides, (spec, drawn) => {
      const failure = property.verify(withOverrides(materialize(spec), drawn), MODEL);
      if (failure !== null)
        throw new Error(`${failure.message}\n  set: ${failure.trace.set.join(' ')}\n  trace: ${JSON.stringify(failure.trace.events)}`);
    }),
    fcParameters(),
  );
}

export { policyOverrides, policyOverridesWithBug };
