/**
 * The live connections inside a world: app → tenant → users, in persistent maps, plus an index
 * from each tenant to the apps linked to it. Shown to readers as the plain records of
 * `World.links` (`world-view.ts`). Structure only: nothing here decides a rule.
 * @module
 */
import { EMPTY_PMAP, pdelete, pforEach, pfromRecord, pget, pset, type PMap } from './pmap.ts';
import type { Connection } from '../types.ts';
import { recordView, viewSource } from './view.ts';

/** The users connecting one app to one tenant, in the order their record lists them. */
export class UserLinks {
  #record: Readonly<Record<string, Connection>> | undefined = undefined;

  constructor(
    readonly users: readonly string[],
    readonly connections: readonly Connection[],
  ) {}

  /** The connection of `user`, if any. */
  connectionOf(user: string): Connection | undefined {
    const i = this.users.indexOf(user);
    return i < 0 ? undefined : this.connections[i];
  }

  /** The users as the record `World.links` shows: user → connection (made once). */
  get record(): Readonly<Record<string, Connection>> {
    if (this.#record === undefined) {
      const record: Record<string, Connection> = {};
      this.users.forEach((user, i) => {
        record[user] = this.connections[i] as Connection;
      });
      this.#record = record;
    }
    return this.#record;
  }

  /** These users with `user`'s connection set: a new user goes last, as a new record key does. */
  with(user: string, connection: Connection): UserLinks {
    const i = this.users.indexOf(user);
    if (i < 0) return new UserLinks([...this.users, user], [...this.connections, connection]);
    const connections = this.connections.slice();
    connections[i] = connection;
    return new UserLinks(this.users, connections);
  }

  /** These users without `user` (null when none is left). */
  without(user: string): UserLinks | null {
    const i = this.users.indexOf(user);
    if (i < 0) return this;
    if (this.users.length === 1) return null;
    return new UserLinks(
      this.users.filter((_, k) => k !== i),
      this.connections.filter((_, k) => k !== i),
    );
  }

  /** The users of a plain record. */
  static of(record: Readonly<Record<string, Connection>>): UserLinks {
    return new UserLinks(Object.keys(record), Object.values(record));
  }
}

/** No users yet. */
export const NO_USERS = new UserLinks([], []);

/** One app's links: tenant → users. */
export type TenantLinks = PMap<UserLinks>;
/** Every app's links. */
export type Links = PMap<TenantLinks>;
/** Per tenant, the apps linked to it (derived from the links, cached on them). */
type AppsOnTenant = PMap<readonly string[]>;

/** The record view of one app's links. */
export const appLinksView = (links: TenantLinks) => recordView(links, (users) => users.record);

/** The record view of every app's links. */
export const linksView = (links: Links) => recordView(links, appLinksView);

/** The links of a plain `World.links` record (or of a view of links, without copying). */
export function linksFromRecord(record: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, Connection>>>>>>): Links {
  const own = viewSource<TenantLinks>(record);
  if (own !== undefined) return own;
  let links: Links = EMPTY_PMAP;
  for (const [app, tenants] of Object.entries(record)) {
    const map =
      viewSource<UserLinks>(tenants) ??
      pfromRecord(Object.fromEntries(Object.entries(tenants).map(([t, users]) => [t, UserLinks.of(users)])));
    links = pset(links, app, map);
  }
  return links;
}

/** The apps linked to each tenant. */
export function appsOnTenant(links: Links): AppsOnTenant {
  links.memo ??= {};
  const memo = links.memo;
  if (memo.index !== undefined) return memo.index as AppsOnTenant;
  let index: AppsOnTenant = EMPTY_PMAP;
  pforEach(links, (app, tenants) =>
    pforEach(tenants, (tenant) => {
      index = pset(index, tenant, [...(pget(index, tenant) ?? []), app]);
    }),
  );
  memo.index = index;
  return index;
}

function indexed(index: AppsOnTenant, tenant: string, app: string): AppsOnTenant {
  return pset(index, tenant, [...(pget(index, tenant) ?? []), app]);
}

function unindexed(index: AppsOnTenant, tenant: string, app: string): AppsOnTenant {
  const rest = (pget(index, tenant) ?? []).filter((a) => a !== app);
  return rest.length === 0 ? pdelete(index, tenant) : pset(index, tenant, rest);
}

function withAppMap(links: Links, app: string, map: TenantLinks, index: AppsOnTenant): Links {
  const next = pset(links, app, map);
  next.memo = { index };
  return next;
}

/** The links with `user`'s connection of `app` to `tenant` set (a new tenant goes last). */
export function withUserAt(links: Links, app: string, tenant: string, user: string, connection: Connection): Links {
  const map = pget(links, app) ?? EMPTY_PMAP;
  const users = pget(map, tenant);
  const index = appsOnTenant(links);
  return withAppMap(
    links,
    app,
    pset(map, tenant, (users ?? NO_USERS).with(user, connection)),
    users === undefined ? indexed(index, tenant, app) : index,
  );
}

/**
 * The links without `user`'s connections of `app` to `tenants`, removed in that order (each must
 * hold one). A tenant left with other users goes last, as deleting and re-adding a record key does.
 */
export function withoutUserAt(links: Links, app: string, tenants: readonly string[], user: string): Links {
  let map = pget(links, app) ?? EMPTY_PMAP;
  let index = appsOnTenant(links);
  for (const tenant of tenants) {
    const rest = (pget(map, tenant) ?? NO_USERS).without(user);
    map = pdelete(map, tenant);
    if (rest !== null) map = pset(map, tenant, rest);
    else index = unindexed(index, tenant, app);
  }
  return withAppMap(links, app, map, index);
}
