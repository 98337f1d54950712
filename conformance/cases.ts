/**
 * The event sequences of a conformance run, from the property suite's generators: a shaped
 * opening (every kind of app and tenant; one app driven to cap-1, cap or cap+1 of the cap it has
 * under the policy tested; one organisation to one short of, at or one over its limit of
 * uncertified apps), then the suite's random tail (`properties/commands.ts`: consents of one to
 * three tenants by several users, re-consents, disconnects, revocations, certification, tier
 * changes, time crossing the bug window and the 2026 switch). The caps are read from the model
 * (`appCap` of the policy in force for the app at the opening's instant), so a run hovers at the
 * caps of whatever policy and `--set` it tests; a cap above {@link MAX_FILL} is not filled
 * (scale it down with `--set` to reach it).
 * @module
 */
import fc from 'fast-check';
import { instantOf } from '../model/io/instant.ts';
import type { PolicyChoice } from '../model/io/load-policy.ts';
import { appCap } from '../model/platform/rules.ts';
import { IMPLICIT_USER, TENANT_KINDS, type TenantKind, type TraceEvent } from '../model/types.ts';
import { defaultApp } from '../model/world/world.ts';
import { INSTANTS, runTail, tailCommands, TraceBuilder } from '../properties/commands.ts';
import { APP_KINDS, type AppKind, declareApp } from '../properties/shapes.ts';

/** The largest cap an opening fills (more would make every run hundreds of requests long). */
export const MAX_FILL = 40;
/** The longest random tail. */
const MAX_TAIL = 30;
const USERS = [IMPLICIT_USER, 'u2', 'u3'];
/** Apps that share an organisation without taking one of its uncertified slots (under the usual readings). */
const EXTRAS = ['certified', 'custom', 'oauth1'] as const;

/** The opening of a sequence, as plain data (what fast-check generates, prints and shrinks). */
export type Opening =
  | { type: 'random'; apps: AppKind[]; tenantKinds: TenantKind[]; clock: number }
  | { type: 'app-cap'; kind: AppKind; clock: number; offset: number; chunk: number; demo: boolean; secondUser: boolean; others: AppKind[] }
  | {
      type: 'org-limit';
      clock: number;
      offset: number;
      tenantKind: TenantKind;
      extras: Array<(typeof EXTRAS)[number]>;
      consentSize: number;
    };

/** One generated sequence: the opening and the random tail. */
export interface CaseSpec {
  opening: Opening;
  tail: Iterable<fc.Command<TraceBuilder, object>>;
}

const clock = fc.nat(INSTANTS.length - 1);
const offset = fc.constantFrom(-1, 0, 1);
const appKinds = (max: number) => fc.array(fc.constantFrom(...APP_KINDS), { minLength: 1, maxLength: max });

const openings: fc.Arbitrary<Opening> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('random' as const),
      apps: appKinds(4),
      tenantKinds: fc.array(fc.constantFrom(...TENANT_KINDS), { maxLength: 3 }),
      clock,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('app-cap' as const),
      kind: fc.constantFrom(...APP_KINDS),
      clock,
      offset,
      chunk: fc.integer({ min: 1, max: 3 }),
      demo: fc.boolean(),
      secondUser: fc.boolean(),
      others: fc.array(fc.constantFrom(...APP_KINDS), { maxLength: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('org-limit' as const),
      clock,
      offset,
      tenantKind: fc.constantFrom(...TENANT_KINDS),
      extras: fc.subarray([...EXTRAS]),
      consentSize: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

/** The generator of a run's sequences. */
export const caseSpecs: fc.Arbitrary<CaseSpec> = fc.record({ opening: openings, tail: tailCommands(MAX_TAIL) });

/** The caps of the policy tested, as the model reads them. */
export interface Caps {
  /** The cap of an app of this kind at this instant (null: none). */
  appCap(kind: AppKind, clock: number): number | null;
  /** The organisation limit of uncertified apps at this instant. */
  orgCap(clock: number): number;
}

/** The caps under a policy choice (a fixed policy, or the timeline). */
export function capsOf(choice: PolicyChoice): Caps {
  const appOf = (kind: AppKind) => {
    const event = declareApp('probe', kind) as Extract<TraceEvent, { type: 'app' }>;
    const { type: _, app: __, ...fields } = event;
    return { ...defaultApp('probe'), ...fields };
  };
  const policyAt = (kind: AppKind, clockIndex: number) =>
    choice.fixed ?? choice.choose(instantOf(INSTANTS[clockIndex] as string), appOf(kind));
  return {
    appCap: (kind, clockIndex) => appCap(policyAt(kind, clockIndex), appOf(kind)),
    orgCap: (clockIndex) => policyAt('uncertified', clockIndex).orgCap,
  };
}

/** Connect `count` new organisations to `app` in consents of `chunk` tenants. */
function fill(b: TraceBuilder, app: string, count: number, chunk: number): void {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(b.freshTenant());
  for (let i = 0; i < ids.length; i += chunk) b.connect(app, ids.slice(i, i + chunk), IMPLICIT_USER);
}

/** The builder holding an opening's events under these caps, ready for a tail or a batch. */
export function openBuilder(o: Opening, caps: Caps): TraceBuilder {
  switch (o.type) {
    case 'random': {
      const apps = o.apps.map((_, i) => `a${i + 1}`);
      const declared = o.tenantKinds.map((kind, i) => `${kind}-${i + 1}`);
      const b = new TraceBuilder(apps, ['t1', 't2', ...declared], USERS, o.clock);
      for (const [i, kind] of o.apps.entries()) b.push(declareApp(apps[i] as string, kind));
      for (const [i, kind] of o.tenantKinds.entries()) b.push({ type: 'tenant', tenant: declared[i] as string, kind });
      return b;
    }
    case 'app-cap': {
      const others = o.others.map((_, i) => `a${i + 2}`);
      const b = new TraceBuilder(['app', ...others], [], USERS, o.clock);
      b.push(declareApp('app', o.kind));
      for (const [i, kind] of o.others.entries()) b.push(declareApp(others[i] as string, kind));
      if (o.demo) {
        b.push({ type: 'tenant', tenant: 'demo', kind: 'demo' });
        b.tenants.push('demo');
        b.connect('app', ['demo'], IMPLICIT_USER);
      }
      const cap = caps.appCap(o.kind, o.clock);
      fill(b, 'app', Math.max(0, Math.min(cap ?? 3, MAX_FILL) + o.offset), o.chunk);
      const first = b.tenants.find((t) => t !== 'demo');
      if (o.secondUser && first !== undefined) b.connect('app', [first], 'u2');
      return b;
    }
    case 'org-limit': {
      const count = Math.max(0, Math.min(caps.orgCap(o.clock), MAX_FILL) + o.offset);
      const uncertified = Array.from({ length: count }, (_, i) => `o${i + 1}`);
      const b = new TraceBuilder(['app', ...uncertified, ...o.extras], ['org'], USERS, o.clock);
      if (o.tenantKind !== 'organisation') b.push({ type: 'tenant', tenant: 'org', kind: o.tenantKind });
      for (const extra of o.extras) {
        b.push(declareApp(extra, extra));
        b.connect(extra, ['org'], IMPLICIT_USER);
      }
      for (const [i, app] of uncertified.entries()) b.connect(app, ['org'], USERS[i % USERS.length] as string);
      const others = Array.from({ length: o.consentSize - 1 }, () => b.freshTenant());
      b.connect('app', [...others, 'org'], IMPLICIT_USER);
      return b;
    }
  }
}

/** A sequence's events: the opening under these caps, then the tail run against it. */
export function materialize(spec: CaseSpec, caps: Caps): TraceEvent[] {
  const builder = openBuilder(spec.opening, caps);
  runTail(builder, spec.tail);
  return builder.events;
}
