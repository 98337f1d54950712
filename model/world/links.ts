/**
 * The live connections inside a world: app → tenant → users, in persistent maps, plus an index
 * from each tenant to the apps linked to it. Read through the accessors of `world.ts`. Structure
 * only: nothing here decides a rule.
 * @module
 */
import { EMPTY_PMAP, pdelete, pforEach, pget, pset, type PMap } from './pmap.ts';
import type { Connection } from '../types.ts';

/** The users connecting one app to one tenant, in the order they connected. */
export class UserLinks {
  constructor(
    readonly users: readonly string[],
    readonly connections: readonly Connection[],
  ) {}

  /** The connection of `user`, if any. */
  connectionOf(user: string): Connection | undefined {
    const i = this.users.indexOf(user);
    return i < 0 ? undefined : this.connections[i];
  }

  /** These users with `user`'s connection set: a new user goes last. */
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
}

/** No users yet. */
export const NO_USERS = new UserLinks([], []);

/** One app's links: tenant → users. */
export type TenantLinks = PMap<UserLinks>;
/** Every app's links. */
export type Links = PMap<TenantLinks>;
/** Per tenant, the apps linked to it (derived from the links, cached on them). */
type AppsOnTenant = PMap<readonly string[]>;

/**
 * Per tenant, the apps that may be linked to it: every app linked to it, and maybe apps whose
 * links `withoutSoleUser` removed (read it through `linkedAppsOn`).
 */
function appsOnTenant(links: Links): AppsOnTenant {
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

function isLinkedIn(links: Links, app: string, tenant: string): boolean {
  const map = pget(links, app);
  return map !== undefined && pget(map, tenant) !== undefined;
}

/** Visit each app linked to the tenant (any order). */
export function linkedAppsOn(links: Links, tenant: string, visit: (app: string) => void): void {
  const apps = pget(appsOnTenant(links), tenant);
  if (apps !== undefined) for (const app of apps) if (isLinkedIn(links, app, tenant)) visit(app);
}

/**
 * Whether some app may be linked to the tenant: false only when the index of apps per tenant is
 * at hand and names none linked (no index is derived to answer).
 */
export function mayBeLinked(links: Links, tenant: string): boolean {
  const index = links.memo?.index as AppsOnTenant | undefined;
  if (index === undefined) return links.size > 0;
  return pget(index, tenant)?.some((app) => isLinkedIn(links, app, tenant)) ?? false;
}

/**
 * The index with `app` linked to `tenant` anew: it goes last, in the order the apps were linked
 * (the list may still name it from a revocation, see `withoutSoleUser`: it moves to the end).
 */
function indexed(index: AppsOnTenant, tenant: string, app: string): AppsOnTenant {
  const apps = pget(index, tenant) ?? [];
  return pset(index, tenant, [...(apps.includes(app) ? apps.filter((a) => a !== app) : apps), app]);
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

/**
 * The one user every tenant of an app's links holds alone, when known (kept by `withUserAt` and
 * `withoutUserAt`, so that a revoke of that user empties the app's links at once).
 */
export function soleUser(map: TenantLinks): string | undefined {
  return map.memo?.sole;
}

/** The links with `user`'s connection of `app` to `tenant` set (a new tenant goes last). */
export function withUserAt(links: Links, app: string, tenant: string, user: string, connection: Connection): Links {
  const map = pget(links, app) ?? EMPTY_PMAP;
  const users = pget(map, tenant);
  const index = appsOnTenant(links);
  const after = (users ?? NO_USERS).with(user, connection);
  const next = pset(map, tenant, after);
  if (after.users.length === 1 && (map.size === 0 || soleUser(map) === user)) next.memo = { sole: user };
  return withAppMap(links, app, next, users === undefined ? indexed(index, tenant, app) : index);
}

/**
 * The links without any connection of `app`, when `user` holds each of its tenants alone
 * (`soleUser`): what `withoutUserAt` of every tenant gives, without a step per tenant. The index
 * of apps per tenant is carried as it is, so it may still name `app` on those tenants: it is a
 * list of candidates, and its readers check each against the links (`linkedAppsOn`).
 */
export function withoutSoleUser(links: Links, app: string): Links {
  const next = pset(links, app, EMPTY_PMAP);
  const index = links.memo?.index;
  if (index !== undefined) next.memo = { index };
  return next;
}

/**
 * The links without `user`'s connections of `app` to `tenants`, removed in that order (each must
 * hold one). A tenant left with other users goes last, as a removed key that comes back does.
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
  const sole = soleUser(pget(links, app) ?? EMPTY_PMAP);
  if (sole === user && map.size > 0) map.memo = { ...map.memo, sole };
  return withAppMap(links, app, map, index);
}

/**
 * The links with an (app, tenant) entry that holds no user (a new tenant goes last). No correct
 * update leaves one: the broken variants of the property suite do, to be caught.
 */
export function withNoUsersAt(links: Links, app: string, tenant: string): Links {
  const map = pget(links, app) ?? EMPTY_PMAP;
  const index = appsOnTenant(links);
  return withAppMap(links, app, pset(map, tenant, NO_USERS), pget(map, tenant) === undefined ? indexed(index, tenant, app) : index);
}
