/**
 * Precision: a connect is refused only when a rule requires it, and the refusal names that rule.
 * This is the property the February 2020 bug broke, so it is judged wherever a correct policy is
 * in force; inside the bug window the platform was wrong by design of the model, and a test shows
 * the property failing there.
 * @module
 */
import * as rules from '../model/platform/rules.ts';
import type { PlatformContext } from '../model/platform/transitions.ts';
import type { Outcome } from '../model/types.ts';
import { appOf, connectionOf, tenantOf } from '../model/world/world.ts';
import type { Step } from './harness.ts';
import { firstBrokenStep, type TraceProperty } from './property.ts';
import { keeps } from './safety.ts';

/**
 * The refusal the rules require for a connect from this context, or null when none does: a
 * refused re-consent, or the first limit exceeded in the policy's check order.
 */
function requiredRefusal(before: PlatformContext, app: string, tenant: string, user: string): Outcome | null {
  const { world, policy } = before;
  const a = appOf(world, app);
  const t = tenantOf(world, tenant);
  if (connectionOf(world, app, tenant, user) !== undefined) return rules.reconsentRefused(world, policy, a) ? 'rejected:app-limit' : null;
  const byApp: Outcome | null = rules.exceedsAppCap(world, policy, a, t) ? 'rejected:app-limit' : null;
  const byOrg: Outcome | null = rules.exceedsOrgLimit(world, policy, a, t) ? 'rejected:org-limit' : null;
  return policy.checkOrder === 'app-first' ? (byApp ?? byOrg) : (byOrg ?? byApp);
}

const isRefusal = (o: Outcome | null) => o === 'rejected:app-limit' || o === 'rejected:org-limit';

/** Steps decided under a correct policy (outside the bug window). */
function underCorrectPolicy(check: (s: Step) => string | null): (s: Step) => string | null {
  return (s) => (s.before.policy.orgLimitReading === 'correct' ? check(s) : null);
}

function namesTheRule(s: Step): string | null {
  if (s.event.type !== 'connect') return null;
  const required = requiredRefusal(s.before, s.event.app, s.event.tenant, s.event.user);
  const got = s.after.outcome;
  if (!isRefusal(got) && required === null) return null;
  if (got === required) return null;
  return required === null ? `refused (${got}) though no rule requires it` : `the rules require ${required}, got ${got}`;
}

/** The precision properties. */
export const PRECISION: readonly TraceProperty[] = [
  {
    id: 'precision/required',
    family: 'precision',
    name: 'refuses a connect only when a rule requires it, outside the bug window',
    verify: (c, model) => firstBrokenStep(c, model, underCorrectPolicy(keeps('refusalsAreRequired'))),
  },
  {
    id: 'precision/names-rule',
    family: 'precision',
    name: 'refuses exactly the connects the rules refuse, naming the rule that decides',
    verify: (c, model) => firstBrokenStep(c, model, underCorrectPolicy(namesTheRule)),
  },
];

/** Precision judged everywhere, the bug window included: the model must fail it (the 2020 bug). */
export const PRECISION_EVERYWHERE: TraceProperty = {
  id: 'precision/everywhere',
  family: 'precision',
  name: 'refuses a connect only when a rule requires it, even inside the bug window',
  verify: (c, model) => firstBrokenStep(c, model, keeps('refusalsAreRequired')),
};
