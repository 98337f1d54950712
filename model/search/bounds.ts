/**
 * The finite world an exhaustive search runs in: how many apps, tenants and users, of which kinds,
 * and the moves (trace-level events) it tries in every state. Shared by the explorer
 * (`explore.ts`) and the policy diff (`diff.ts`).
 *
 * A move is one trace event: a `connect` is one consent and one machine `connect` per tenant,
 * exactly as the driver (`driver.ts`) plays a trace line, so a found path is a trace file.
 * @module
 */
import { InputError, quote } from '../errors.ts';
import type { Policy } from '../platform/policy.ts';
import { initialSnapshot, MODEL, type Model } from '../engine/step.ts';
import type { CompiledState } from '../engine/compiled.ts';
import type { AppChanges, PlatformEvent } from '../platform/transitions.ts';
import { IMPLICIT_USER, TENANT_KINDS, TIERS, type TenantKind, type Tier, type TraceEvent } from '../types.ts';

/** How an app starts: a new app, a certified app, a custom connection, or an OAuth 1.0a app. */
export type AppKind = 'uncertified' | 'certified' | 'custom' | 'oauth1';
/** Every app kind. */
export const APP_KINDS: readonly AppKind[] = ['uncertified', 'certified', 'custom', 'oauth1'];

/** The size of a searched world. */
export interface Bounds {
  apps: number;
  tenants: number;
  users: number;
  /** Kinds given to the apps in order, cycling through the list (default: all uncertified). */
  appKinds?: readonly AppKind[];
  /** Kinds given to the tenants in order, cycling through the list (default: all organisations). */
  tenantKinds?: readonly TenantKind[];
  /** Also try consents of two tenants at once, in both orders (default: single-tenant consents). */
  pairs?: boolean;
  /** Try `tier` moves (default: when a searched policy is tiered; elsewhere a tier decides nothing). */
  tiers?: boolean;
}

/** One move of the search and the machine events that play it. */
export interface Move {
  /** The move as a trace-file event (no `observed`). */
  trace: TraceEvent;
  /** The machine events, in order; a connect starts with its consent. */
  events: PlatformEvent[];
  /** Whether the move opens with a consent (its first machine event). */
  consent: boolean;
}

/** The world of the bounds: ids, kinds, the declaration events and the moves. */
export interface Arena {
  bounds: Bounds;
  appIds: string[];
  tenantIds: string[];
  userIds: string[];
  appKinds: AppKind[];
  tenantKinds: TenantKind[];
  /** Whether the moves include tier moves. */
  tiers: boolean;
  moves: Move[];
}

const APP_DECLARATION: Record<AppKind, AppChanges> = {
  uncertified: {},
  certified: { certified: true },
  custom: { custom: true },
  oauth1: { auth: 'oauth1' },
};

function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

function cycle<T>(list: readonly T[] | undefined, fallback: T, n: number): T[] {
  const source = list === undefined || list.length === 0 ? [fallback] : list;
  return Array.from({ length: n }, (_, i) => source[i % source.length] ?? fallback);
}

/** The largest size of each bound (`--apps`, `--tenants`, `--users`); the least is 1. */
export const BOUND_LIMITS = { apps: 8, tenants: 64, users: 4 } as const;

/**
 * The largest bounds of `xcm diff`: tenants enough to go one past a cap of 100,000 (Advanced's
 * 10,000 and ten times more), since the diff counts tenants by class (`tenant-classes.ts`) and
 * its work grows with the classes, not the tenants. Two-tenant consents (`--pairs`) are one move
 * per ordered pair, so they keep the explorer's 64.
 */
export const DIFF_BOUND_LIMITS = { apps: 8, tenants: 100_001, users: 4 } as const;

/** The limits of one command's bounds. */
export type BoundLimits = { readonly [K in 'apps' | 'tenants' | 'users']: number };

/** Check bounds a user gave; an `InputError` names the option. */
function validateBounds(bounds: Bounds, limits: BoundLimits): void {
  if (bounds.pairs === true && bounds.tenants > BOUND_LIMITS.tenants)
    throw new InputError(`expected at most ${BOUND_LIMITS.tenants} tenants with two-tenant consents, got ${bounds.tenants}`, {
      field: '--pairs',
    });
  for (const field of ['apps', 'tenants', 'users'] as const) {
    const n = bounds[field];
    const max = limits[field];
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InputError(`expected a whole number from 1 to ${max.toLocaleString('en')}, got ${n}`, { field: `--${field}` });
  }
  for (const kind of bounds.appKinds ?? []) {
    if (!APP_KINDS.includes(kind))
      throw new InputError(`unknown app kind ${quote(kind)}`, { field: '--app-kinds' }, `kinds: ${APP_KINDS.join(', ')}`);
  }
  for (const kind of bounds.tenantKinds ?? []) {
    if (!TENANT_KINDS.includes(kind))
      throw new InputError(`unknown tenant kind ${quote(kind)}`, { field: '--tenant-kinds' }, `kinds: ${TENANT_KINDS.join(', ')}`);
  }
}

/** The moves of the bounds, in a fixed order: connects, disconnects, revokes, certifications, tiers. */
function movesOf(a: Pick<Arena, 'appIds' | 'tenantIds' | 'userIds'>, pairs: boolean, tiers: boolean): Move[] {
  const moves: Move[] = [];
  const traceUser = (user: string) => (user === IMPLICIT_USER ? {} : { user });
  const connect = (app: string, tenants: string[], user: string) =>
    moves.push({
      trace: { type: 'connect', app, tenants, ...traceUser(user) },
      events: [{ type: 'consent' }, ...tenants.map((tenant) => ({ type: 'connect' as const, app, tenant, user, at: null }))],
      consent: true,
    });
  for (const app of a.appIds)
    for (const user of a.userIds) {
      for (const tenant of a.tenantIds) connect(app, [tenant], user);
      if (pairs) for (const t1 of a.tenantIds) for (const t2 of a.tenantIds) if (t1 !== t2) connect(app, [t1, t2], user);
    }
  for (const app of a.appIds)
    for (const tenant of a.tenantIds)
      for (const user of a.userIds) {
        moves.push({
          trace: { type: 'disconnect', app, tenant, ...traceUser(user) },
          events: [{ type: 'disconnect', app, tenant, user }],
          consent: false,
        });
      }
  for (const app of a.appIds)
    for (const user of a.userIds) {
      moves.push({ trace: { type: 'revoke', app, ...traceUser(user) }, events: [{ type: 'revoke', app, user }], consent: false });
    }
  for (const app of a.appIds) moves.push({ trace: { type: 'certify', app }, events: [{ type: 'certify', app }], consent: false });
  if (tiers)
    for (const app of a.appIds)
      for (const tier of TIERS) {
        moves.push({ trace: { type: 'tier', app, tier }, events: [{ type: 'tier', app, tier: tier as Tier }], consent: false });
      }
  return moves;
}

/**
 * Where each move is in `movesOf`'s order, by arithmetic: the index of the connect of an app by a
 * user to one tenant or an ordered pair, of a disconnect, and the moves that name no tenant
 * (revokes, certifications, tiers). The diff picks moves by index without listing them all.
 */
export interface MoveLayout {
  connect(app: number, user: number, tenant: number): number;
  /** Only with `pairs`; the two tenants differ. */
  pair(app: number, user: number, first: number, second: number): number;
  disconnect(app: number, tenant: number, user: number): number;
  /** The indices of the moves that name no tenant, in order. */
  rest: readonly number[];
}

/** The layout of an arena's moves (see `MoveLayout`). */
export function moveLayout(arena: Arena): MoveLayout {
  const A = arena.appIds.length;
  const T = arena.tenantIds.length;
  const U = arena.userIds.length;
  const P = arena.bounds.pairs === true ? T * (T - 1) : 0;
  const disconnects = A * U * (T + P);
  const revokes = disconnects + A * T * U;
  const rest = Array.from({ length: arena.moves.length - revokes }, (_, i) => revokes + i);
  return {
    connect: (a, u, t) => (a * U + u) * (T + P) + t,
    pair: (a, u, t1, t2) => (a * U + u) * (T + P) + T + t1 * (T - 1) + (t2 < t1 ? t2 : t2 - 1),
    disconnect: (a, t, u) => disconnects + (a * T + t) * U + u,
    rest,
  };
}

/** The arena of the bounds for the given policies (tier moves when one of them is tiered). */
export function arenaOf(bounds: Bounds, policies: readonly Policy[], limits: BoundLimits = BOUND_LIMITS): Arena {
  validateBounds(bounds, limits);
  const appIds = ids('a', bounds.apps);
  const tenantIds = ids('t', bounds.tenants);
  // One user is the implicit user of a trace, so a one-user trace names none.
  const userIds = bounds.users === 1 ? [IMPLICIT_USER] : ids('u', bounds.users);
  const tiers = bounds.tiers ?? policies.some((p) => p.tiered);
  return {
    tiers,
    bounds,
    appIds,
    tenantIds,
    userIds,
    appKinds: cycle(bounds.appKinds, 'uncertified', bounds.apps),
    tenantKinds: cycle(bounds.tenantKinds, 'organisation', bounds.tenants),
    moves: movesOf({ appIds, tenantIds, userIds }, bounds.pairs === true, tiers),
  };
}

/**
 * The machine's state with every app and tenant of the arena declared, reached by sending the
 * machine its own `app` and `tenant` events: the search starts from a state the machine made.
 */
export function initialState(arena: Arena, policy: Policy, model: Model = MODEL): CompiledState {
  let state = model.compiled.fromSnapshot(initialSnapshot({ policy }, model));
  arena.appIds.forEach((app, i) => {
    state = model.compiled.step(state, { type: 'app', app, changes: APP_DECLARATION[arena.appKinds[i] ?? 'uncertified'] });
  });
  arena.tenantIds.forEach((tenant, i) => {
    state = model.compiled.step(state, { type: 'tenant', tenant, kind: arena.tenantKinds[i] ?? 'organisation' });
  });
  return state;
}

/**
 * The declarations a trace needs before its moves: the apps and tenants it uses whose kind is not
 * the default (the driver declares an unknown app uncertified and an unknown tenant an organisation).
 */
export function declarations(arena: Arena, moves: readonly TraceEvent[]): TraceEvent[] {
  const usedApps = new Set<string>();
  const usedTenants = new Set<string>();
  for (const m of moves) {
    if (m.type !== 'tenant') usedApps.add(m.app);
    if (m.type === 'connect') for (const t of m.tenants) usedTenants.add(t);
    if (m.type === 'disconnect') usedTenants.add(m.tenant);
  }
  const out: TraceEvent[] = [];
  arena.appIds.forEach((app, i) => {
    const kind = arena.appKinds[i] ?? 'uncertified';
    if (kind !== 'uncertified' && usedApps.has(app)) out.push({ type: 'app', app, ...APP_DECLARATION[kind] });
  });
  arena.tenantIds.forEach((tenant, i) => {
    const kind = arena.tenantKinds[i] ?? 'organisation';
    if (kind !== 'organisation' && usedTenants.has(tenant)) out.push({ type: 'tenant', tenant, kind });
  });
  return out;
}

/** Bounds in one line, for reports and CLI output. */
export function formatBounds(bounds: Bounds): string {
  const kinds = (list: readonly string[] | undefined) => (list === undefined || list.length === 0 ? '' : ` (${list.join(',')})`);
  const n = (count: number, noun: string) => `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
  return (
    `${n(bounds.apps, 'app')}${kinds(bounds.appKinds)} x ${n(bounds.tenants, 'tenant')}${kinds(bounds.tenantKinds)} x ${n(bounds.users, 'user')}` +
    `${bounds.pairs === true ? ', two-tenant consents' : ''}${bounds.tiers === undefined ? '' : bounds.tiers ? ', tier moves' : ', no tier moves'}`
  );
}
