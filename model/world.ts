/**
 * The world the platform keeps: apps, tenants and live connections. Plain records only (no Map or
 * Set), so a snapshot serialises as JSON. Every update returns a new world that shares what did
 * not change; nothing here decides a rule.
 * @module
 */
import type { App, Connection, Tenant } from './types.ts';

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

/** A world with nothing declared. */
export const EMPTY_WORLD: World = { apps: {}, tenants: {}, links: {}, connectionSerial: 0, authEventSerial: 0 };

const NO_LINKS: AppLinks = {};

/** The connections of an app, tenant → user → connection. */
export function linksOf(world: World, app: string): AppLinks {
  return world.links[app] ?? NO_LINKS;
}

/** The connection of (user, app, tenant), if live. */
export function connectionOf(world: World, app: string, tenant: string, user: string): Connection | undefined {
  return world.links[app]?.[tenant]?.[user];
}

/** Whether any user connects the app to the tenant. */
export function isLinked(world: World, app: string, tenant: string): boolean {
  return world.links[app]?.[tenant] !== undefined;
}

/** The world with this app record (declared or changed). */
export function withApp(world: World, app: App): World {
  return { ...world, apps: { ...world.apps, [app.id]: app } };
}

/** The world with this tenant record (declared or changed). */
export function withTenant(world: World, tenant: Tenant): World {
  return { ...world, tenants: { ...world.tenants, [tenant.id]: tenant } };
}

/** The world with the next authEventId handed out. */
export function withNewAuthEvent(world: World): World {
  return { ...world, authEventSerial: world.authEventSerial + 1 };
}

/** The authEventId of the consent in progress. */
export function currentAuthEventId(world: World): string {
  return `e${world.authEventSerial}`;
}

/** The world with a connection record set for (user, app, tenant). */
export function withConnection(world: World, app: string, tenant: string, user: string, connection: Connection, serial: number): World {
  const appLinks = linksOf(world, app);
  const users = appLinks[tenant] ?? {};
  return {
    ...world,
    connectionSerial: serial,
    links: { ...world.links, [app]: { ...appLinks, [tenant]: { ...users, [user]: connection } } },
  };
}

/** The world without the connection of (user, app, tenant). */
export function withoutConnection(world: World, app: string, tenant: string, user: string): World {
  const appLinks = linksOf(world, app);
  const users = appLinks[tenant];
  if (users?.[user] === undefined) return world;
  const { [user]: _gone, ...rest } = users;
  const { [tenant]: _tenant, ...otherTenants } = appLinks;
  const nextAppLinks = Object.keys(rest).length === 0 ? otherTenants : { ...otherTenants, [tenant]: rest };
  return { ...world, links: { ...world.links, [app]: nextAppLinks } };
}

/** The world without any connection of this user to this app (other users' stay). */
export function withoutUserOfApp(world: World, app: string, user: string): World {
  let next = world;
  for (const tenant of Object.keys(linksOf(world, app))) next = withoutConnection(next, app, tenant, user);
  return next;
}

/** Every live connection, flattened (for invariants and reports). */
export function* allConnections(world: World): Generator<{ app: string; tenant: string; user: string; connection: Connection }> {
  for (const [app, appLinks] of Object.entries(world.links)) {
    for (const [tenant, users] of Object.entries(appLinks)) {
      for (const [user, connection] of Object.entries(users)) yield { app, tenant, user, connection };
    }
  }
}
