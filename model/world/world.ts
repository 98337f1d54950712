/**
 * The world the platform keeps: apps, tenants and live connections. Every update returns a new
 * world that shares what did not change; nothing here decides a rule.
 *
 * A world is an opaque immutable value: read it through the accessors below (`appRecord`,
 * `tenantRecord`, `connectionOf`, ...) and change it through the `with...` functions. Apps,
 * tenants and links live in persistent maps (`pmap.ts`), so a connect costs a few short copies
 * instead of a copy of every tenant an app holds, and any string is an ordinary key (`__proto__`,
 * `toString` and `7` included). Everything is listed in insertion order: a new key goes last,
 * replacing keeps its place, a removed key that comes back goes last. The links also keep, per
 * tenant, the apps linked to it, so counting them does not walk every app.
 *
 * A draft world (`emptyDraft`, see `draft.ts`) is the exception, for a replay that never looks
 * back: the same accessors read it, the same `with...` functions change it, in place, and return
 * it; `rollbackDraft` undoes its last step.
 * @module
 */
import { EMPTY_PMAP, pforEach, pget, pkeys, pkeysWhere, pset, type PMap } from './pmap.ts';
import type { App, Connection, Tenant } from '../types.ts';
import { Draft } from './draft.ts';
import { reading } from './reads.ts';
import {
  linkedAppsOn,
  mayBeLinked,
  soleUser,
  withNoUsersAt,
  withoutSoleUser,
  withoutUserAt,
  withUserAt,
  type Links,
  type TenantLinks,
} from './links.ts';

/** A new app: uncertified, no tier declared, OAuth 2.0, not a custom connection, no registration date. */
export function defaultApp(id: string): App {
  return { id, certified: false, tier: null, custom: false, auth: 'oauth2', registered: null };
}

/** A new tenant: an organisation. */
export function defaultTenant(id: string): Tenant {
  return { id, kind: 'organisation' };
}

declare const opaque: unique symbol;

/** The platform's records: an opaque immutable value, read and changed only through this module. */
export interface World {
  readonly [opaque]: 'World';
}

/** One live connection, with where it sits. */
export interface LiveConnection {
  app: string;
  tenant: string;
  user: string;
  connection: Connection;
}

/** What a world holds. Frozen: a world is never written to. */
class Records {
  /** Not a draft (see `draftOf`). */
  readonly inPlace = false;

  constructor(
    readonly apps: PMap<App>,
    readonly tenants: PMap<Tenant>,
    readonly links: Links,
    /** The last connection id handed out (ids are `c1`, `c2`, ...). */
    readonly connectionSerial: number,
    /** The last authEventId handed out (ids are `e1`, `e2`, ...). */
    readonly authEventSerial: number,
    /**
     * A token renewed whenever a linked tenant's kind changes or it is first declared (see
     * `withTenant`): the counts of an app's linked tenants by kind made under one token stay
     * true for every world that holds the same token and the same links of that app.
     */
    readonly kindsEpoch: object,
  ) {
    Object.freeze(this);
  }

  /** A plain snapshot, in insertion order (for `JSON.stringify` in tests and tools). */
  toJSON(): object {
    return {
      apps: pkeys(this.apps).map((id) => pget(this.apps, id)),
      tenants: pkeys(this.tenants).map((id) => pget(this.tenants, id)),
      connections: [...allConnections(this as unknown as World)],
      connectionSerial: this.connectionSerial,
      authEventSerial: this.authEventSerial,
    };
  }
}

const open = (world: World) => world as unknown as Records;

function made(
  apps: PMap<App>,
  tenants: PMap<Tenant>,
  links: Links,
  connectionSerial: number,
  authEventSerial: number,
  kindsEpoch: object,
): World {
  return new Records(apps, tenants, links, connectionSerial, authEventSerial, kindsEpoch) as unknown as World;
}

/** A world with nothing declared. */
export const EMPTY_WORLD: World = made(EMPTY_PMAP, EMPTY_PMAP, EMPTY_PMAP, 0, 0, {});

/** The draft behind a world, or null for a persistent world (a field read, not a prototype walk: it runs on every access). */
function draftOf(world: World): Draft | null {
  return (world as unknown as { readonly inPlace: boolean }).inPlace ? (world as unknown as Draft) : null;
}

/**
 * A new empty draft world: read and changed through the same functions as any world, but each
 * change updates it in place and returns it (see `draft.ts`). For one owner that steps it forward
 * and never reads an earlier state, except the one `rollbackDraft` gives back.
 */
export function emptyDraft(): World {
  return new Draft() as unknown as World;
}

/** Start a step of a draft world (a persistent world has nothing to do). */
export function beginDraftStep(world: World): void {
  draftOf(world)?.begin();
}

/** Undo what the draft's current step changed (a persistent world has nothing to do). */
export function rollbackDraft(world: World): void {
  draftOf(world)?.rollback();
}

/** A draft has no earlier states to compare with: asking is a mistake in the caller. */
function noHistory(world: World): void {
  if (draftOf(world) !== null) throw new Error('world: a draft world keeps no earlier state to compare with');
}

// Reading: apps and tenants.

/** The app record, if declared. */
export function appRecord(world: World, id: string): App | undefined {
  reading?.app(id);
  const draft = draftOf(world);
  if (draft !== null) return draft.app(id);
  return pget(open(world).apps, id);
}

/** The app as the rules see it: its record, or a new app's defaults when it is not declared. */
export function appOf(world: World, id: string): App {
  return appRecord(world, id) ?? defaultApp(id);
}

/** The declared apps, in the order they were declared. */
export function appIds(world: World): readonly string[] {
  reading?.everything();
  const draft = draftOf(world);
  if (draft !== null) return draft.appIds();
  return pkeys(open(world).apps);
}

/** The tenant record, if declared. */
export function tenantRecord(world: World, id: string): Tenant | undefined {
  reading?.tenant(id);
  const draft = draftOf(world);
  if (draft !== null) return draft.tenant(id);
  return pget(open(world).tenants, id);
}

/** The tenant as the rules see it: its record, or a new tenant's defaults when it is not declared. */
export function tenantOf(world: World, id: string): Tenant {
  return tenantRecord(world, id) ?? defaultTenant(id);
}

/** The declared tenants, in the order they were declared. */
export function tenantIds(world: World): readonly string[] {
  reading?.everything();
  const draft = draftOf(world);
  if (draft !== null) return draft.tenantIds();
  return pkeys(open(world).tenants);
}

/** The last connection id handed out (ids are `c1`, `c2`, ...). */
export function connectionSerial(world: World): number {
  reading?.serials();
  return (draftOf(world) ?? open(world)).connectionSerial;
}

/** The last authEventId handed out (ids are `e1`, `e2`, ...). */
export function authEventSerial(world: World): number {
  reading?.serials();
  return (draftOf(world) ?? open(world)).authEventSerial;
}

/** The authEventId of the consent in progress. */
export function currentAuthEventId(world: World): string {
  return `e${authEventSerial(world)}`;
}

// Reading: links.

/** The last app's tenant map looked up: the guards of one connect ask for it several times. */
let memoLinks: Links | null = null;
let memoApp = '';
let memoTenants: TenantLinks | undefined;

function tenantsOfApp(world: World, app: string): TenantLinks | undefined {
  const links = open(world).links;
  if (links !== memoLinks || app !== memoApp) {
    memoLinks = links;
    memoApp = app;
    memoTenants = pget(links, app);
  }
  return memoTenants;
}

/** The connection of (user, app, tenant), if live. */
export function connectionOf(world: World, app: string, tenant: string, user: string): Connection | undefined {
  reading?.link(app, tenant);
  const draft = draftOf(world);
  if (draft !== null) return draft.slotOf(app, tenant)?.users.connectionOf(user);
  const tenants = tenantsOfApp(world, app);
  return tenants === undefined ? undefined : pget(tenants, tenant)?.connectionOf(user);
}

/** Whether any user connects the app to the tenant. */
export function isLinked(world: World, app: string, tenant: string): boolean {
  reading?.linked(app, tenant);
  const draft = draftOf(world);
  if (draft !== null) return draft.slotOf(app, tenant) !== undefined;
  const tenants = tenantsOfApp(world, app);
  return tenants !== undefined && pget(tenants, tenant) !== undefined;
}

/** The users connecting the app to the tenant, in the order they connected. */
export function usersOf(world: World, app: string, tenant: string): readonly string[] {
  reading?.link(app, tenant);
  const draft = draftOf(world);
  if (draft !== null) return draft.slotOf(app, tenant)?.users.users ?? [];
  const tenants = tenantsOfApp(world, app);
  return (tenants === undefined ? undefined : pget(tenants, tenant)?.users) ?? [];
}

/** The tenants linked to the app, in the order they were linked. */
export function linkedTenants(world: World, app: string): readonly string[] {
  reading?.tenantsLinked(app);
  const draft = draftOf(world);
  if (draft !== null) return draft.linkedTenants(app);
  const tenants = tenantsOfApp(world, app);
  return tenants === undefined ? [] : pkeys(tenants);
}

/** Visit each tenant linked to the app (any order). */
export function forEachLinkedTenant(world: World, app: string, visit: (tenant: string) => void): void {
  reading?.tenantsLinked(app);
  const draft = draftOf(world);
  if (draft !== null) {
    for (const tenant of draft.linksOf(app)?.keys() ?? []) visit(tenant);
    return;
  }
  const tenants = tenantsOfApp(world, app);
  if (tenants !== undefined) pforEach(tenants, visit);
}

/** How many tenants are linked to the app. */
export function linkedTenantCount(world: World, app: string): number {
  reading?.tenantsLinked(app);
  const draft = draftOf(world);
  if (draft !== null) return draft.linkedTenantCount(app);
  return tenantsOfApp(world, app)?.size ?? 0;
}

/** The apps linked to at least one tenant, in the order they were first linked. */
export function linkedApps(world: World): string[] {
  reading?.everything();
  const draft = draftOf(world);
  if (draft !== null) return draft.appsEverLinked().filter((app) => draft.linkedTenantCount(app) > 0);
  return pkeysWhere(open(world).links, (_app, tenants) => tenants.size > 0);
}

/** Visit each app linked to the tenant (any order). */
export function forEachAppOn(world: World, tenant: string, visit: (app: string) => void): void {
  const draft = draftOf(world);
  const each = (see: (app: string) => void) => {
    if (draft !== null) draft.forEachAppOn(tenant, see);
    else linkedAppsOn(open(world).links, tenant, see);
  };
  if (reading === null) {
    each(visit);
    return;
  }
  // An observer is told which apps the walk will visit before it visits them.
  const apps: string[] = [];
  each((app) => apps.push(app));
  reading.appsLinked(tenant, apps);
  for (const app of apps) visit(app);
}

/** Every live connection, flattened: apps, then their tenants, then users, in insertion order. */
export function* allConnections(world: World): Generator<LiveConnection> {
  reading?.everything();
  const draft = draftOf(world);
  if (draft !== null) {
    for (const app of [...draft.appsEverLinked()])
      for (const [tenant, users] of draft.entriesOf(app))
        for (let i = 0; i < users.users.length; i++)
          yield { app, tenant, user: users.users[i] as string, connection: users.connections[i] as Connection };
    return;
  }
  const links = open(world).links;
  for (const app of pkeys(links)) {
    const tenants = pget(links, app) ?? EMPTY_PMAP;
    for (const tenant of pkeys(tenants)) {
      const users = pget(tenants, tenant);
      if (users === undefined) continue;
      for (let i = 0; i < users.users.length; i++) {
        yield { app, tenant, user: users.users[i] as string, connection: users.connections[i] as Connection };
      }
    }
  }
}

// Reading: what changed between two worlds (by identity: a world shares what an update did not change).

/**
 * Whether `after` holds the very apps of `before`: true when no app record was declared or
 * changed on the way from one to the other. False may still mean equal records.
 */
export function sameApps(before: World, after: World): boolean {
  noHistory(before);
  return open(before).apps === open(after).apps;
}

/** Whether `after` holds the very links of `before` (no connection added, renewed or removed). */
export function sameLinks(before: World, after: World): boolean {
  noHistory(before);
  return open(before).links === open(after).links;
}

/** Whether `after` holds the very links of `before` for this app. */
export function sameLinksOf(before: World, after: World, app: string): boolean {
  noHistory(before);
  return pget(open(before).links, app) === pget(open(after).links, app);
}

/**
 * Visit each connection live in `before` and gone in `after` (any order). It tells no read
 * (`reads.ts`): between the worlds before and after one step, the connections gone are among the
 * links the step's updates changed, and each update told the links it read to change them.
 */
export function forEachRemovedConnection(before: World, after: World, visit: (app: string, tenant: string, user: string) => void): void {
  noHistory(before);
  const was = open(before).links;
  const now = open(after).links;
  if (was === now) return;
  pforEach(was, (app, wasTenants) => {
    const nowTenants = pget(now, app);
    if (wasTenants === nowTenants) return;
    pforEach(wasTenants, (tenant, wasUsers) => {
      const nowUsers = nowTenants === undefined ? undefined : pget(nowTenants, tenant);
      if (wasUsers === nowUsers) return;
      for (const user of wasUsers.users) if (nowUsers?.connectionOf(user) === undefined) visit(app, tenant, user);
    });
  });
}

// Updates.

/** The world with this app record (declared or changed). */
export function withApp(world: World, app: App): World {
  reading?.app(app.id);
  const draft = draftOf(world);
  if (draft !== null) {
    draft.setApp(app);
    return world;
  }
  const w = open(world);
  return made(pset(w.apps, app.id, app), w.tenants, w.links, w.connectionSerial, w.authEventSerial, w.kindsEpoch);
}

/** The world with this tenant record (declared or changed). */
export function withTenant(world: World, tenant: Tenant): World {
  reading?.everything();
  const draft = draftOf(world);
  if (draft !== null) {
    draft.setTenant(tenant);
    return world;
  }
  const w = open(world);
  const before = pget(w.tenants, tenant.id);
  const sameKind = before !== undefined && (before.kind === 'demo') === (tenant.kind === 'demo');
  const epoch = sameKind || !mayBeLinked(w.links, tenant.id) ? w.kindsEpoch : {};
  return made(w.apps, pset(w.tenants, tenant.id, tenant), w.links, w.connectionSerial, w.authEventSerial, epoch);
}

/** The world with the next authEventId handed out. */
export function withNewAuthEvent(world: World): World {
  reading?.serials();
  const draft = draftOf(world);
  if (draft !== null) {
    draft.newAuthEvent();
    return world;
  }
  const w = open(world);
  return made(w.apps, w.tenants, w.links, w.connectionSerial, w.authEventSerial + 1, w.kindsEpoch);
}

/** The world with a connection record set for (user, app, tenant), and `serial` as the last connection id. */
export function withConnection(world: World, app: string, tenant: string, user: string, connection: Connection, serial: number): World {
  reading?.link(app, tenant);
  reading?.serials();
  const draft = draftOf(world);
  if (draft !== null) {
    draft.connect(app, tenant, user, connection, serial);
    return world;
  }
  const w = open(world);
  const links = withUserAt(w.links, app, tenant, user, connection);
  carryKindCounts(world, links, app, tenant, isLinked(world, app, tenant) ? 0 : 1);
  return made(w.apps, w.tenants, links, serial, w.authEventSerial, w.kindsEpoch);
}

/** The world without the connection of (user, app, tenant). */
export function withoutConnection(world: World, app: string, tenant: string, user: string): World {
  reading?.link(app, tenant);
  const draft = draftOf(world);
  if (draft !== null) {
    draft.disconnect(app, tenant, user);
    return world;
  }
  if (connectionOf(world, app, tenant, user) === undefined) return world;
  const w = open(world);
  const links = withoutUserAt(w.links, app, [tenant], user);
  if (pget(pget(links, app) ?? EMPTY_PMAP, tenant) === undefined) carryKindCounts(world, links, app, tenant, -1);
  else carryKindCounts(world, links, app, tenant, 0);
  return made(w.apps, w.tenants, links, w.connectionSerial, w.authEventSerial, w.kindsEpoch);
}

/** Per app's links: how many of its tenants are declared, demo or not, under one tenants map. */
interface KindCounts {
  epoch: object;
  plain: number;
  demo: number;
}

/** The kind counts cached on an app's links (a pure function of them and the tenants map they name). */
function knownKindCounts(map: TenantLinks): KindCounts | undefined {
  return map.memo?.kinds as KindCounts | undefined;
}

function keepKindCounts(map: TenantLinks, counts: KindCounts): void {
  map.memo ??= {};
  map.memo.kinds = counts;
}

/** The counts of the app's links in `links`, from those of the world's, when known: one tenant more, less or the same. */
function carryKindCounts(world: World, links: Links, app: string, tenant: string, delta: -1 | 0 | 1): void {
  const before = tenantsOfApp(world, app);
  const known = before === undefined ? undefined : knownKindCounts(before);
  const after = pget(links, app);
  const { tenants, kindsEpoch: epoch } = open(world);
  if (after === undefined || (before !== undefined && (known === undefined || known.epoch !== epoch))) return;
  const record = pget(tenants, tenant);
  const plain = (known?.plain ?? 0) + (record !== undefined && record.kind !== 'demo' ? delta : 0);
  const demo = (known?.demo ?? 0) + (record?.kind === 'demo' ? delta : 0);
  keepKindCounts(after, { epoch, plain, demo });
}

/**
 * How many tenants linked to the app are declared, demo tenants apart: kept from step to step
 * by the updates above, so that counting an app's tenants toward its cap does not walk them.
 */
export function linkedDeclaredTenants(world: World, app: string): { plain: number; demo: number } {
  reading?.tenantsLinked(app);
  const draft = draftOf(world);
  if (draft !== null) return draft.kindCounts(app);
  const map = tenantsOfApp(world, app);
  if (map === undefined) return { plain: 0, demo: 0 };
  const { tenants, kindsEpoch: epoch } = open(world);
  const known = knownKindCounts(map);
  if (known !== undefined && known.epoch === epoch) return known;
  let plain = 0;
  let demo = 0;
  pforEach(map, (id) => {
    const record = pget(tenants, id);
    if (record === undefined) return;
    if (record.kind === 'demo') demo++;
    else plain++;
  });
  const counts = { epoch, plain, demo };
  keepKindCounts(map, counts);
  return counts;
}

/** The world without any connection of this user to this app (other users' stay). */
export function withoutUserOfApp(world: World, app: string, user: string): World {
  reading?.linksOfApp(app);
  const draft = draftOf(world);
  if (draft !== null) {
    draft.revoke(app, user);
    return world;
  }
  const tenants = tenantsOfApp(world, app);
  if (tenants !== undefined && tenants.size > 0 && soleUser(tenants) === user) {
    const w = open(world);
    return made(w.apps, w.tenants, withoutSoleUser(w.links, app), w.connectionSerial, w.authEventSerial, w.kindsEpoch);
  }
  // The tenants this user holds, in insertion order, removed in that order.
  const held = pkeysWhere(tenantsOfApp(world, app) ?? EMPTY_PMAP, (_tenant, users) => users.connectionOf(user) !== undefined);
  if (held.length === 0) return world;
  const w = open(world);
  return made(w.apps, w.tenants, withoutUserAt(w.links, app, held, user), w.connectionSerial, w.authEventSerial, w.kindsEpoch);
}

/** The world with the same apps, tenants and serials, and no connection at all. */
export function withoutConnections(world: World): World {
  reading?.everything();
  const draft = draftOf(world);
  if (draft !== null) {
    draft.clearLinks();
    return world;
  }
  const w = open(world);
  return made(w.apps, w.tenants, EMPTY_PMAP, w.connectionSerial, w.authEventSerial, w.kindsEpoch);
}

/**
 * The world with an (app, tenant) link that no user holds, which still counts as linked. No
 * correct step makes one: only the broken variants of the property suite, to be caught.
 */
export function withEmptyLink(world: World, app: string, tenant: string): World {
  reading?.link(app, tenant);
  const draft = draftOf(world);
  if (draft !== null) {
    draft.emptyLink(app, tenant);
    return world;
  }
  const w = open(world);
  return made(w.apps, w.tenants, withNoUsersAt(w.links, app, tenant), w.connectionSerial, w.authEventSerial, w.kindsEpoch);
}

/** What `worldOf` builds a world from: apps and tenants by id (defaults) or record, and live links. */
export interface WorldSpec {
  readonly apps?: ReadonlyArray<string | App>;
  readonly tenants?: ReadonlyArray<string | Tenant>;
  /** Live connections as (app, tenant, user), made in this order by one consent, ids `c1`, `c2`, ... */
  readonly connections?: ReadonlyArray<readonly [app: string, tenant: string, user: string]>;
}

/** A world built from a short description (for tests and stories). */
export function worldOf(spec: WorldSpec): World {
  let world = EMPTY_WORLD;
  for (const app of spec.apps ?? []) world = withApp(world, typeof app === 'string' ? defaultApp(app) : app);
  for (const tenant of spec.tenants ?? []) world = withTenant(world, typeof tenant === 'string' ? defaultTenant(tenant) : tenant);
  if (spec.connections !== undefined && spec.connections.length > 0) world = withNewAuthEvent(world);
  for (const [app, tenant, user] of spec.connections ?? []) {
    const serial = connectionSerial(world) + 1;
    const connection = { id: `c${serial}`, authEventId: currentAuthEventId(world), createdDateUtc: null, updatedDateUtc: null };
    world = withConnection(world, app, tenant, user, connection, serial);
  }
  return world;
}
