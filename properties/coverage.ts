/**
 * Which boundaries the generated cases reach. A boundary class is a situation where an
 * off-by-one or a miscount would show: a connect that would bring a count to cap-1, cap or cap+1,
 * a refusal followed by recovery, a limit lowered under held connections, a consent of several
 * tenants straddling a cap. The coverage test replays the default run's cases and fails when a
 * class is never reached, so a generator change that loses a boundary is a visible failure.
 * @module
 */
import * as rules from '../model/platform/rules.ts';
import type { PlatformContext } from '../model/platform/transitions.ts';
import type { Outcome } from '../model/types.ts';
import { appOf, isLinked, linkedApps, linkedTenantCount, tenantOf } from '../model/world/world.ts';
import type { Replay, Step } from './harness.ts';

/** The caps whose boundaries are tracked: the app caps by kind, and the organisation limit. */
const CAPS = [
  { key: 'flat', label: 'uncertified app cap (25)', real: true },
  { key: 'starter', label: 'Starter cap (5)', real: true },
  { key: 'core', label: 'Core cap (50)', real: true },
  { key: 'plus', label: 'Plus cap (1,000; scaled to 7)', real: false },
  { key: 'advanced', label: 'Advanced cap (10,000; scaled to 9)', real: false },
  { key: 'custom', label: 'custom connection cap (1)', real: true },
  { key: 'org', label: 'organisation limit (2 uncertified apps)', real: true },
] as const;

const POSITIONS = ['cap-1', 'cap', 'cap+1'] as const;

/** One boundary class, and whether the default run must reach it with the real caps. */
interface BoundaryClass {
  name: string;
  needsRealCaps: boolean;
}

/** Every boundary class the suite must reach. */
const BOUNDARY_CLASSES: readonly BoundaryClass[] = [
  ...CAPS.flatMap((cap) =>
    POSITIONS.filter((p) => !(cap.key === 'custom' && p === 'cap-1')).map((p) => ({
      name: `${cap.label}: a connect that would make ${p}`,
      needsRealCaps: cap.real,
    })),
  ),
  ...['app cap', 'organisation limit'].flatMap((limit) =>
    ['disconnect', 'revoke', 'certify', 'tier'].map((how) => ({
      name: `refusal by the ${limit}, then recovery by ${how}`,
      needsRealCaps: false,
    })),
  ),
  // Only an app's cap can be lowered under held connections: the organisation limit counts the
  // same apps in every era (an uncertified app takes a slot, a certified one never does).
  ...['at it', 'above it'].map((where) => ({ name: `app cap lowered while ${where}`, needsRealCaps: false })),
  { name: 'a consent of several tenants straddling the app cap', needsRealCaps: true },
  { name: 'a consent of several tenants straddling the organisation limit', needsRealCaps: true },
  { name: 'a bug-window refusal that no correct rule requires', needsRealCaps: true },
];

/** Counts of the classes reached, with the real caps and scaled down. */
export class Coverage {
  readonly real = new Map<string, number>();
  readonly scaled = new Map<string, number>();

  /** Count one reach of a class. */
  record(name: string, realCaps: boolean): void {
    const map = realCaps ? this.real : this.scaled;
    map.set(name, (map.get(name) ?? 0) + 1);
  }

  /** The classes never reached (or, where required, never with the real caps). */
  missed(): string[] {
    return BOUNDARY_CLASSES.filter((c) => (this.real.get(c.name) ?? 0) + (c.needsRealCaps ? 0 : (this.scaled.get(c.name) ?? 0)) === 0).map(
      (c) => c.name,
    );
  }

  /** The table: class, reaches with the real caps, reaches scaled down. */
  table(): string {
    const rows = BOUNDARY_CLASSES.map((c) => [c.name, String(this.real.get(c.name) ?? 0), String(this.scaled.get(c.name) ?? 0)]);
    const head = ['boundary class', 'real caps', 'scaled'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
  }
}

function appCapKey(c: PlatformContext, appId: string): string | null {
  const app = appOf(c.world, appId);
  if (rules.isOutsideLimits(app)) return null;
  if (app.custom) return 'custom';
  if (c.policy.tiered) {
    const tier = rules.tierOf(c.policy, app);
    return tier === 'enterprise' ? null : tier;
  }
  return app.certified ? null : 'flat';
}

function label(key: string): string {
  return CAPS.find((c) => c.key === key)?.label ?? key;
}

function position(count: number, cap: number): string | null {
  const p = POSITIONS[count - cap + 1];
  return p ?? null;
}

function observeConnect(s: Step, record: (name: string) => void): void {
  if (s.event.type !== 'connect' || s.before.policy.orgLimitReading !== 'correct') return;
  const { world, policy } = s.before;
  const app = appOf(world, s.event.app);
  const tenant = tenantOf(world, s.event.tenant);
  if (isLinked(world, app.id, tenant.id)) return;
  const key = appCapKey(s.before, app.id);
  const cap = rules.appCap(policy, app);
  if (key !== null && cap !== null && rules.tenantCountsTowardAppCap(policy, tenant)) {
    const p = position(rules.heldTenants(world, policy, app.id) + 1, cap);
    if (p !== null) record(`${label(key)}: a connect that would make ${p}`);
  }
  if (rules.appCountsTowardOrgLimit(policy, app) && rules.tenantSubjectToOrgLimit(policy, tenant)) {
    const p = position(rules.uncertifiedAppsOn(world, policy, tenant.id) + 1, policy.orgCap);
    if (p !== null) record(`${label('org')}: a connect that would make ${p}`);
  }
}

function observeLowering(s: Step, record: (name: string) => void): void {
  if (s.event.type !== 'policy' && s.event.type !== 'tier') return;
  const { before: b, after: a } = s;
  for (const appId of linkedApps(a.world)) {
    const capBefore = rules.appCap(b.policy, appOf(b.world, appId));
    const capAfter = rules.appCap(a.policy, appOf(a.world, appId));
    if (capAfter === null || (capBefore !== null && capBefore <= capAfter)) continue;
    const held = rules.heldTenants(a.world, a.policy, appId);
    if (held >= capAfter && linkedTenantCount(a.world, appId) > 0)
      record(`app cap lowered while ${held === capAfter ? 'at it' : 'above it'}`);
  }
}

function straddles(outcomes: readonly Outcome[], refusal: Outcome): boolean {
  return outcomes.includes('connected') && outcomes.includes(refusal);
}

/** Record the classes one replay of the model reaches. */
export function observe(run: Replay, realCaps: boolean, coverage: Coverage): void {
  const record = (name: string) => coverage.record(name, realCaps);
  for (const s of run.steps) {
    observeConnect(s, record);
    observeLowering(s, record);
    if (s.event.type === 'connect' && s.after.outcome === 'rejected:org-limit' && s.before.policy.orgLimitReading !== 'correct') {
      const correct = { ...s.before.policy, orgLimitReading: 'correct' as const };
      const app = appOf(s.before.world, s.event.app);
      const tenant = tenantOf(s.before.world, s.event.tenant);
      if (!rules.exceedsOrgLimit(s.before.world, correct, app, tenant)) record('a bug-window refusal that no correct rule requires');
    }
  }
  for (const outcomes of run.outcomes) {
    if (straddles(outcomes, 'rejected:app-limit')) record('a consent of several tenants straddling the app cap');
    if (straddles(outcomes, 'rejected:org-limit')) record('a consent of several tenants straddling the organisation limit');
  }
}
