/**
 * What a step reads of a world, told to an observer while one is set: the explorer memoizes the
 * machine's steps by what they read (`search/move-memo.ts`). Every accessor and update of
 * `world.ts` tells which part of the world it depends on: an app's record, who connects one app
 * to one tenant or only whether it is linked, the same for every link of an app, which apps are
 * linked to a tenant, a tenant's record, the serials, or everything. An update tells what it reads to make its change, and so every part it may change.
 * With no observer set (every path but the explorer's memo) this costs one comparison per call.
 * @module
 */

/** Told, while it is set, which part of the world each accessor and update reads. */
export interface ReadObserver {
  /** An app's record. */
  app(app: string): void;
  /** Who connects this app to this tenant (the link and its users). */
  link(app: string, tenant: string): void;
  /** Whether this app is linked to this tenant (not by whom). */
  linked(app: string, tenant: string): void;
  /** Who connects each tenant linked to the app. */
  linksOfApp(app: string): void;
  /** Which tenants are linked to the app (not by whom). */
  tenantsLinked(app: string): void;
  /** Which apps are linked to the tenant (not by whom): `apps`, which a walk of them is about to visit. */
  appsLinked(tenant: string, apps: readonly string[]): void;
  /** A tenant's record. */
  tenant(tenant: string): void;
  /** The serials of connection ids and authEventIds, and the records of connections. */
  serials(): void;
  /** The whole world (a listing of every app, tenant or connection). */
  everything(): void;
}

/** The observer now set, if any (read by `world.ts`). */
export let reading: ReadObserver | null = null;

/**
 * Run `read` with `observer` told every read of a world, and return its result; observers do not
 * nest (an observer set already is an error in the caller).
 */
export function observingReads<T>(observer: ReadObserver, read: () => T): T {
  if (reading !== null) throw new Error('world reads: an observer is set already');
  reading = observer;
  try {
    return read();
  } finally {
    reading = null;
  }
}
