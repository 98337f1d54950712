/**
 * The generators of the property suite. A generated case is a shaped opening (see `shapes.ts`:
 * every kind of app and tenant, an app driven to its cap, a tenant to its limit, a limit lowered
 * under held connections), a random tail of commands (see `commands.ts`: single and
 * multi-tenant consents, disconnects, revokes, certification, tier changes, time crossing the
 * bug window and the 2026 switch), and the way the recovery property frees capacity.
 * @module
 */
import fc from 'fast-check';
import { ORG_LIMIT_READINGS } from '../model/platform/policy.ts';
import { TENANT_KINDS } from '../model/types.ts';
import { runTail, tailCommands, type TraceBuilder } from './commands.ts';
import type { GenTrace } from './harness.ts';
import { APP_KINDS, buildShape, SCALED_SET, usesRealCaps, type ExtraApp, type Offset, type Shape } from './shapes.ts';

/** How the recovery property frees the capacity that blocked a connect. */
export type FreeingMethod = 'disconnect' | 'revoke' | 'certify' | 'tier';
/** Every freeing method. */
export const FREEING_METHODS: readonly FreeingMethod[] = ['disconnect', 'revoke', 'certify', 'tier'];

/** What fast-check generates for one run: an opening, a tail, and a freeing method. */
export interface CaseSpec {
  shape: Shape;
  tail: Iterable<fc.Command<TraceBuilder, object>>;
  freeBy: FreeingMethod;
}

/** A generated case, with its trace built. */
export interface Case {
  trace: GenTrace;
  freeBy: FreeingMethod;
  /** Whether the trace runs with the real caps (otherwise {@link SCALED_SET}). */
  realCaps: boolean;
}

const offset: fc.Arbitrary<Offset> = fc.constantFrom(-1, 0, 1);
const appKinds = (max: number) => fc.array(fc.constantFrom(...APP_KINDS), { minLength: 1, maxLength: max });

/** Random worlds: every kind of app and tenant, starting anywhere on the timeline. */
const randomShape: fc.Arbitrary<Shape> = fc.record({
  type: fc.constant('random' as const),
  apps: appKinds(6),
  tenantKinds: fc.array(fc.constantFrom(...TENANT_KINDS), { maxLength: 3 }),
  clock: fc.nat(6),
  realCaps: fc.boolean(),
});

/** One app driven to cap-1, cap or cap+1 of one of the caps, then hovering there. */
const appCapShape: fc.Arbitrary<Shape> = fc.record({
  type: fc.constant('app-cap' as const),
  cap: fc.constantFrom('flat', 'starter', 'core', 'custom', 'plus', 'advanced'),
  offset,
  realCaps: fc.boolean(),
  chunk: fc.integer({ min: 1, max: 3 }),
  demo: fc.boolean(),
  secondUser: fc.boolean(),
  others: appKinds(3),
});

/** One tenant given one fewer, as many or one more uncertified apps than its limit, then another app's consent. */
const orgLimitShape: fc.Arbitrary<Shape> = fc.record({
  type: fc.constant('org-limit' as const),
  offset,
  tenantKind: fc.constantFrom(...TENANT_KINDS),
  tiered: fc.boolean(),
  extras: fc.subarray<ExtraApp>(['certified', 'custom', 'oauth1']),
  consentSize: fc.integer({ min: 1, max: 3 }),
  appAtCap: fc.boolean(),
  realCaps: fc.boolean(),
});

/** A limit lowered while an app or a tenant is just under, at or above it. */
const loweredShape: fc.Arbitrary<Shape> = fc.record({
  type: fc.constant('lowered' as const),
  lowering: fc.constantFrom('flat-to-starter', 'unlimited-to-plus', 'plus-to-core', 'org-certified-starter', 'org-tier-down'),
  offset,
});

/** Every opening, weighted towards the shaped ones. */
const shapes: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 2, arbitrary: randomShape },
  { weight: 3, arbitrary: appCapShape },
  { weight: 3, arbitrary: orgLimitShape },
  { weight: 2, arbitrary: loweredShape },
);

/** Longest random tail (with `size: 'max'`, lengths spread up to it). */
const MAX_TAIL = 40;

/** The generator every property draws its cases from. */
export const caseSpecs: fc.Arbitrary<CaseSpec> = fc.record({
  shape: shapes,
  tail: tailCommands(MAX_TAIL),
  freeBy: fc.constantFrom(...FREEING_METHODS),
});

/** Build a case: the opening, then the tail's commands run against it. */
export function materialize(spec: CaseSpec): Case {
  const builder = buildShape(spec.shape);
  runTail(builder, spec.tail);
  const realCaps = usesRealCaps(spec.shape);
  return { trace: { set: realCaps ? [] : SCALED_SET, events: builder.events }, freeBy: spec.freeBy, realCaps };
}

/**
 * `--set` overrides of the policy parameters that the sources leave open: each boolean flipped or
 * kept, either check order, other caps for certified apps, custom connections, Enterprise and
 * organisations, and the 2026 tiers switched on or off in every era. Each key is drawn or left
 * out independently, so a run varies one assumption, several, or none.
 */
export const policyOverrides: fc.Arbitrary<string[]> = fc
  .record(
    {
      demoCountsTowardAppCap: fc.boolean(),
      demoSubjectToOrgLimit: fc.boolean(),
      reconsentAtCap: fc.boolean(),
      reconsentKeepsConnectionId: fc.boolean(),
      reconsentTakesNewAuthEvent: fc.boolean(),
      checkOrder: fc.constantFrom('app-first', 'org-first'),
      tiered: fc.boolean(),
      orgCap: fc.integer({ min: 0, max: 3 }),
      customCap: fc.integer({ min: 0, max: 2 }),
      certifiedCap: fc.oneof(fc.constant('unlimited'), fc.integer({ min: 0, max: 4 })),
      enterpriseCap: fc.oneof(fc.constant('unlimited'), fc.integer({ min: 0, max: 4 })),
    },
    { requiredKeys: [] },
  )
  .map((r) => Object.entries(r).map(([key, value]) => `${key}=${String(value)}`));

/** The same, with a reading of the February 2020 bug put in force in every era. */
export const policyOverridesWithBug: fc.Arbitrary<string[]> = fc
  .tuple(policyOverrides, fc.option(fc.constantFrom(...ORG_LIMIT_READINGS), { nil: undefined }))
  .map(([sets, reading]) => (reading === undefined ? sets : [...sets, `orgLimitReading=${reading}`]));

/** A case whose policies are varied too: the overrides come after the shape's own. */
export function withOverrides(c: Case, overrides: readonly string[]): Case {
  return { ...c, trace: { set: [...c.trace.set, ...overrides], events: c.trace.events } };
}
