/**
 * The shaped openings of generated traces. Random sequences alone rarely reach a cap (with 30
 * apps and 40 tenants an app never reaches 25), so each shape builds, from a few shrinkable
 * parameters, a prefix that drives one app to its cap or one tenant to its limit and stops at
 * cap-1, cap or cap+1, or carries a count across a lowered limit. The random tail follows.
 * @module
 */
import { IMPLICIT_USER, type TenantKind, type TraceEvent } from '../model/types.ts';
import { TraceBuilder } from './commands.ts';

/** The overrides of a scaled-down run: small caps, so short traces reach every tier's cap. */
export const SCALED_SET: readonly string[] = ['appCap=3', 'starterCap=3', 'coreCap=5', 'plusCap=7', 'advancedCap=9'];

/** Every app kind a trace declares: each certification state, each 2026 tier, custom, OAuth 1.0a. */
export const APP_KINDS = [
  'uncertified',
  'certified',
  'custom',
  'oauth1',
  'registered-2026',
  'core',
  'plus',
  'advanced',
  'enterprise',
  'certified-starter',
] as const;
/** A kind of app. */
export type AppKind = (typeof APP_KINDS)[number];

/** The caps a shaped trace drives an app to. */
type CapKind = 'flat' | 'starter' | 'core' | 'custom' | 'plus' | 'advanced';
/** Ways a limit is lowered under connections already held. */
type LoweringKind = 'flat-to-starter' | 'unlimited-to-plus' | 'plus-to-core' | 'org-certified-starter' | 'org-tier-down';
/** Apps that share a tenant without taking one of its uncertified slots. */
export type ExtraApp = 'certified' | 'custom' | 'oauth1';
/** Where a shaped trace stops relative to the cap. */
export type Offset = -1 | 0 | 1;

/** The opening of a trace, as plain data (what fast-check generates, prints and shrinks). */
export type Shape =
  | { type: 'random'; apps: AppKind[]; tenantKinds: TenantKind[]; clock: number; realCaps: boolean }
  | {
      type: 'app-cap';
      cap: CapKind;
      offset: Offset;
      realCaps: boolean;
      chunk: number;
      demo: boolean;
      secondUser: boolean;
      others: AppKind[];
    }
  | {
      type: 'org-limit';
      offset: Offset;
      tenantKind: TenantKind;
      tiered: boolean;
      extras: ExtraApp[];
      consentSize: number;
      appAtCap: boolean;
      realCaps: boolean;
    }
  | { type: 'lowered'; lowering: LoweringKind; offset: Offset };

const USERS = [IMPLICIT_USER, 'u2', 'u3'];

/** The declaration of an app of a kind. */
export function declareApp(app: string, kind: AppKind): TraceEvent {
  switch (kind) {
    case 'uncertified':
      return { type: 'app', app };
    case 'certified':
      return { type: 'app', app, certified: true };
    case 'custom':
      return { type: 'app', app, custom: true };
    case 'oauth1':
      return { type: 'app', app, auth: 'oauth1' };
    case 'registered-2026':
      return { type: 'app', app, registered: '2025-12-10' };
    case 'core':
      return { type: 'app', app, tier: 'core' };
    case 'certified-starter':
      return { type: 'app', app, certified: true, tier: 'starter' };
    default:
      return { type: 'app', app, certified: true, tier: kind };
  }
}

/** The cap a shape drives to, the focus app's kind and the instant it starts at. */
function capPlan(cap: CapKind, real: boolean): { value: number; kind: AppKind; clock: number } {
  switch (cap) {
    case 'flat':
      return { value: real ? 25 : 3, kind: 'uncertified', clock: 0 };
    case 'starter':
      return { value: real ? 5 : 3, kind: 'registered-2026', clock: 4 };
    case 'core':
      return { value: real ? 50 : 5, kind: 'core', clock: 6 };
    case 'custom':
      return { value: 1, kind: 'custom', clock: 3 };
    case 'plus':
      return { value: 7, kind: 'plus', clock: 6 };
    case 'advanced':
      return { value: 9, kind: 'advanced', clock: 6 };
  }
}

/** Whether a shape runs with the real caps (plus and advanced only scaled: 1,000 and 10,000). */
export function usesRealCaps(shape: Shape): boolean {
  switch (shape.type) {
    case 'random':
    case 'org-limit':
      return shape.realCaps;
    case 'app-cap':
      return shape.realCaps && shape.cap !== 'plus' && shape.cap !== 'advanced';
    case 'lowered':
      return shape.lowering === 'flat-to-starter' || shape.lowering.startsWith('org');
  }
}

function builderFor(apps: string[], tenants: string[], clock: number): TraceBuilder {
  return new TraceBuilder(apps, tenants, USERS, clock);
}

/** Connect `count` new organisations to `app` in consents of `chunk` tenants. */
function fill(b: TraceBuilder, app: string, count: number, chunk: number, from = 1): string[] {
  const ids = Array.from({ length: Math.max(0, count) }, (_, i) => `t${from + i}`);
  for (const id of ids) if (!b.tenants.includes(id)) b.tenants.push(id);
  for (let i = 0; i < ids.length; i += Math.max(1, chunk)) b.connect(app, ids.slice(i, i + Math.max(1, chunk)), IMPLICIT_USER);
  return ids;
}

function buildRandom(shape: Extract<Shape, { type: 'random' }>): TraceBuilder {
  const apps = shape.apps.map((_, i) => `a${i + 1}`);
  const declared = shape.tenantKinds.map((kind, i) => `${kind}-${i + 1}`);
  const b = builderFor(apps, ['t1', 't2', 't3', ...declared], shape.clock);
  for (const [i, kind] of shape.apps.entries()) b.push(declareApp(apps[i] ?? '', kind));
  for (const [i, kind] of shape.tenantKinds.entries()) b.push({ type: 'tenant', tenant: declared[i] ?? '', kind });
  return b;
}

function buildAppCap(shape: Extract<Shape, { type: 'app-cap' }>): TraceBuilder {
  const plan = capPlan(shape.cap, usesRealCaps(shape));
  const others = shape.others.map((_, i) => `a${i + 2}`);
  const b = builderFor(['app', ...others], [], plan.clock);
  b.push(declareApp('app', plan.kind));
  for (const [i, kind] of shape.others.entries()) b.push(declareApp(others[i] ?? '', kind));
  if (shape.demo) {
    b.push({ type: 'tenant', tenant: 'demo', kind: 'demo' });
    b.tenants.push('demo');
    b.connect('app', ['demo'], IMPLICIT_USER);
  }
  const ids = fill(b, 'app', plan.value + shape.offset, shape.chunk);
  if (shape.secondUser && ids[0] !== undefined) b.connect('app', [ids[0]], 'u2');
  return b;
}

function buildOrgLimit(shape: Extract<Shape, { type: 'org-limit' }>): TraceBuilder {
  const count = 2 + shape.offset;
  const uncertified = Array.from({ length: count }, (_, i) => `u${i + 1}`);
  const b = builderFor(['app', ...uncertified, ...shape.extras], ['org'], shape.tiered ? 6 : 0);
  if (shape.tenantKind !== 'organisation') b.push({ type: 'tenant', tenant: 'org', kind: shape.tenantKind });
  for (const extra of shape.extras) b.push(declareApp(extra, extra));
  const [first, ...rest] = shape.extras;
  if (first !== undefined) b.connect(first, ['org'], IMPLICIT_USER);
  for (const [i, app] of uncertified.entries()) b.connect(app, ['org'], USERS[i % USERS.length] ?? IMPLICIT_USER);
  for (const extra of rest) b.connect(extra, ['org'], IMPLICIT_USER);
  if (shape.appAtCap) fill(b, 'app', shape.tiered ? (shape.realCaps ? 5 : 3) : shape.realCaps ? 25 : 3, 3);
  const others = Array.from({ length: Math.max(0, shape.consentSize - 1) }, () => b.freshTenant());
  b.connect('app', [...others, 'org'], IMPLICIT_USER);
  return b;
}

function buildLowered(shape: Extract<Shape, { type: 'lowered' }>): TraceBuilder {
  const b = builderFor(['app', 'slot', 'u1', 'u2'], ['org'], 4);
  const attempt = () => b.connect('app', [b.freshTenant()], IMPLICIT_USER);
  switch (shape.lowering) {
    case 'flat-to-starter':
      fill(b, 'app', 5 + shape.offset, 2);
      b.clock = 5;
      attempt();
      break;
    case 'unlimited-to-plus':
      b.push(declareApp('app', 'certified'));
      fill(b, 'app', 7 + shape.offset, 3);
      b.clock = 5;
      attempt();
      break;
    case 'plus-to-core':
      b.clock = 6;
      b.push(declareApp('app', 'plus'));
      fill(b, 'app', 5 + shape.offset, 3);
      b.push({ type: 'tier', app: 'app', tier: 'core' });
      attempt();
      break;
    default: {
      const counted = shape.lowering === 'org-certified-starter' ? 'certified-starter' : 'plus';
      b.push(declareApp('slot', counted));
      b.connect('slot', ['org'], IMPLICIT_USER);
      for (let i = 1; i <= 1 + shape.offset; i++) b.connect(`u${i}`, ['org'], IMPLICIT_USER);
      b.clock = 6;
      if (counted === 'plus') b.push({ type: 'tier', app: 'slot', tier: 'core' });
      b.connect('app', ['org'], IMPLICIT_USER);
    }
  }
  return b;
}

/** The builder holding a shape's opening, ready for the random tail. */
export function buildShape(shape: Shape): TraceBuilder {
  switch (shape.type) {
    case 'random':
      return buildRandom(shape);
    case 'app-cap':
      return buildAppCap(shape);
    case 'org-limit':
      return buildOrgLimit(shape);
    case 'lowered':
      return buildLowered(shape);
  }
}
