/**
 * The world the platform keeps: apps, tenants and live connections. Every update returns a new
 * world that shares what did not change; nothing here decides a rule.
 *
 * A world reads as plain records (`apps`, `tenants`, `links`) and serialises as JSON. Apps are a
 * plain record (there are few, and they change rarely); tenants and links live in persistent maps
 * (`pmap.ts`) shown through read-only record views (`world-view.ts`), so a connect costs a few
 * short copies instead of a copy of every tenant an app holds. A world built some other way (a
 * spread, a literal in a test) is read the same: its records are turned into maps once, on first
 * use. The links also keep, per tenant, the apps linked to it, so counting them does not walk
 * every app.
 * @module
 */
import { EMPTY_PMAP, pforEach, pfromRecord, pget, pkeys, pkeysWhere, pset, type PMap } from './pmap.ts';
import type { App, Connection, Tenant } from '../types.ts';
import {
  appLinksView,
  appsOnTenant,
  linksFromRecord,
  linksView,
  withoutUserAt,
  withUserAt,
  type Links,
  type TenantLinks,
} from './links.ts';
import { recordView, viewSource } from './view.ts';

/** Connections of one app: tenant → user → connection record. */
export type AppLinks = Readonly<Record<string, Readonly<Record<string, Connection>>>>;

/** The platform's records. */
export interface World {
  readonly apps: Readonly<Record<string, App>>;
  readonly tenants: Readonly<Record<string, Tenant>>;
  /** Live connections, app → tenant → user. An (app, tenant) entry exists only while it has a user. */
  readonly links: Readonly<Record<string, AppLinks>>;
  /** The last connection id handed out (ids are `c1`, `c2`, ...). */
  readonly connectionSerial: number;
  /** The last authEventId handed out (ids are `e1`, `e2`, ...). */
  readonly authEventSerial: number;
}

interface Maps {
  readonly tenants: PMap<Tenant>;
  readonly links: Links;
}

const asIs = (tenant: Tenant) => tenant;
const tenantsView = (tenants: PMap<Tenant>) => recordView(tenants, asIs);

class PersistentWorld implements World {
  readonly apps: Readonly<Record<string, App>>;
  readonly tenants: Readonly<Record<string, Tenant>>;
  readonly links: Readonly<Record<string, AppLinks>>;
  readonly connectionSerial: number;
  readonly authEventSerial: number;
  readonly #tenantsMap: PMap<Tenant>;
  readonly #linksMap: Links;

  constructor(apps: World['apps'], tenants: PMap<Tenant>, links: Links, connectionSerial: number, authEventSerial: number) {
    this.apps = apps;
    this.tenants = tenantsView(tenants);
    this.links = linksView(links);
    this.connectionSerial = connectionSerial;
    this.authEventSerial = authEventSerial;
    this.#tenantsMap = tenants;
    this.#linksMap = links;
  }

  /** The tenants map of any world (one built some other way is turned into maps once). */
  static tenantsOf(world: World): PMap<Tenant> {
    return #tenantsMap in world ? world.#tenantsMap : foreignMaps(world).tenants;
  }

  /** The links map of any world. */
  static linksOf(world: World): Links {
    return #linksMap in world ? world.#linksMap : foreignMaps(world).links;
  }
}

/** A world with nothing declared. */
export const EMPTY_WORLD: World = new PersistentWorld({}, EMPTY_PMAP, EMPTY_PMAP, 0, 0);

/** The maps of worlds built some other way, made on first use (worlds are immutable). */
const foreign = new WeakMap<World, Maps>();

function foreignMaps(world: World): Maps {
  let maps = foreign.get(world);
  if (maps === undefined) {
    maps = { tenants: viewSource<Tenant>(world.tenants) ?? pfromRecord(world.tenants), links: linksFromRecord(world.links) };
    foreign.set(world, maps);
  }
  return maps;
}

const tenantsMapOf = (world: World) => PersistentWorld.tenantsOf(world);
const linksMapOf = (world: World) => PersistentWorld.linksOf(world);

/** The last app's tenant map looked up: the guards of one connect ask for it several times. */
let memoLinks: Links | null = null;
let memoApp = '';
let memoTenants: TenantLinks | undefined;

function tenantsOfApp(world: World, app: string): TenantLinks | undefined {
  const links = linksMapOf(world);
  if (links !== memoLinks || app !== memoApp) {
    memoLinks = links;
    memoApp = app;
    memoTenants = pget(links, app);
  }
  return memoTenants;
}

/** The connections of an app, tenant → user → connection. */
export function linksOf(world: World, app: string): AppLinks {
  return appLinksView(tenantsOfApp(world, app) ?? EMPTY_PMAP);
}

/** The connection of (user, app, tenant), if live. */
export function connectionOf(world: World, app: string, tenant: string, user: string): Connection | undefined {
  const tenants = tenantsOfApp(world, app);
  return tenants === undefined ? undefined : pget(tenants, tenant)?.connectionOf(user);
}

/** Whether any user connects the app to the tenant. */
export function isLinked(world: World, app: string, tenant: string): boolean {
  const tenants = tenantsOfApp(world, app);
  return tenants !== undefined && pget(tenants, tenant) !== undefined;
}

/** The tenant record, if declared (the same as `world.tenants[id]`, without the view). */
export function tenantRecord(world: World, id: string): Tenant | undefined {
  return pget(tenantsMapOf(world), id);
}

/** Visit each tenant linked to the app (any order). */
export function forEachLinkedTenant(world: World, app: string, visit: (tenant: string) => void): void {
  const tenants = tenantsOfApp(world, app);
  if (tenants !== undefined) pforEach(tenants, visit);
}

/** How many tenants are linked to the app. */
export function linkedTenantCount(world: World, app: string): number {
  return tenantsOfApp(world, app)?.size ?? 0;
}

/** Visit each app linked to the tenant (any order). */
export function forEachAppOn(world: World, tenant: string, visit: (app: string) => void): void {
  const apps = pget(appsOnTenant(linksMapOf(world)), tenant);
  if (apps !== undefined) for (const app of apps) visit(app);
}

/** The world with this app record (declared or changed). */
export function withApp(world: World, app: App): World {
  return new PersistentWorld(
    { ...world.apps, [app.id]: app },
    tenantsMapOf(world),
    linksMapOf(world),
    world.connectionSerial,
    world.authEventSerial,
  );
}

/** The world with this tenant record (declared or changed). */
export function withTenant(world: World, tenant: Tenant): World {
  return new PersistentWorld(
    world.apps,
    pset(tenantsMapOf(world), tenant.id, tenant),
    linksMapOf(world),
    world.connectionSerial,
    world.authEventSerial,
  );
}

/** The world with the next authEventId handed out. */
export function withNewAuthEvent(world: World): World {
  return new PersistentWorld(world.apps, tenantsMapOf(world), linksMapOf(world), world.connectionSerial, world.authEventSerial + 1);
}

/** The authEventId of the consent in progress. */
export function currentAuthEventId(world: World): string {
  return `e${world.authEventSerial}`;
}

/** The world with a connection record set for (user, app, tenant). */
export function withConnection(world: World, app: string, tenant: string, user: string, connection: Connection, serial: number): World {
  return new PersistentWorld(
    world.apps,
    tenantsMapOf(world),
    withUserAt(linksMapOf(world), app, tenant, user, connection),
    serial,
    world.authEventSerial,
  );
}

/** The world without the connection of (user, app, tenant). */
export function withoutConnection(world: World, app: string, tenant: string, user: string): World {
  if (connectionOf(world, app, tenant, user) === undefined) return world;
  return new PersistentWorld(
    world.apps,
    tenantsMapOf(world),
    withoutUserAt(linksMapOf(world), app, [tenant], user),
    world.connectionSerial,
    world.authEventSerial,
  );
}

/** The world without any connection of this user to this app (other users' stay). */
export function withoutUserOfApp(world: World, app: string, user: string): World {
  // The tenants this user holds, in key order, as removing each in turn from the records would.
  const held = pkeysWhere(tenantsOfApp(world, app) ?? EMPTY_PMAP, (_tenant, users) => users.connectionOf(user) !== undefined);
  if (held.length === 0) return world;
  return new PersistentWorld(
    world.apps,
    tenantsMapOf(world),
    withoutUserAt(linksMapOf(world), app, held, user),
    world.connectionSerial,
    world.authEventSerial,
  );
}

/** Every live connection, flattened (for invariants and reports). */
export function* allConnections(world: World): Generator<{ app: string; tenant: string; user: string; connection: Connection }> {
  const links = linksMapOf(world);
  for (const app of pkeys(links)) {
    const tenants = pget(links, app) ?? EMPTY_PMAP;
    for (const tenant of pkeys(tenants)) {
      for (const [user, connection] of Object.entries(pget(tenants, tenant)?.record ?? {})) yield { app, tenant, user, connection };
    }
  }
}
