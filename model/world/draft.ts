/**
 * A draft world: the same records as a persistent world, kept in Maps that one owner updates in
 * place, for the paths that step one world forward and never look back (the oracle's `check`).
 * Read and changed through the accessors of `world.ts`, which answer exactly as for a persistent
 * world (a property proves it); an update returns the draft itself, so an earlier context holding
 * it sees the change. What the last step changed is kept in a journal, so that `rollback` can
 * give back the world before it (the oracle explains a divergent decision from there).
 *
 * Listing order is the persistent world's: a new key goes last, replacing keeps its place, a
 * removed key that comes back goes last. Apps and tenants are never removed, so a Map's own order
 * is theirs; an app's tenants carry the number of their insertion, so a rollback can put a
 * removed tenant back in its place. Structure only: nothing here decides a rule.
 * @module
 */
import type { App, Connection, Tenant } from '../types.ts';
import { NO_USERS, type UserLinks } from './links.ts';

/** One app's link to one tenant: its users, and when it was inserted (for listing order). */
interface Slot {
  readonly users: UserLinks;
  readonly seq: number;
}

/** How many of an app's linked tenants are declared, demo tenants apart. */
interface KindCounts {
  readonly plain: number;
  readonly demo: number;
}

const NO_KINDS: KindCounts = { plain: 0, demo: 0 };

type KindClass = 'undeclared' | 'plain' | 'demo';

function classOf(tenant: Tenant | undefined): KindClass {
  return tenant === undefined ? 'undeclared' : tenant.kind === 'demo' ? 'demo' : 'plain';
}

function bySeq(a: [string, Slot], b: [string, Slot]): number {
  return a[1].seq - b[1].seq;
}

/** A world updated in place, with a journal of the last step's changes. */
export class Draft {
  /** A draft (see `draftOf` in `world.ts`). */
  readonly inPlace = true;
  readonly apps = new Map<string, App>();
  readonly tenants = new Map<string, Tenant>();
  /** app → tenant → slot; an app once linked keeps its (maybe empty) map. */
  readonly links = new Map<string, Map<string, Slot>>();
  /** tenant → the apps linked to it, in the order they were linked. */
  private readonly appsOn = new Map<string, readonly string[]>();
  /** app → the kinds of its linked tenants, kept by every update. */
  private readonly kinds = new Map<string, KindCounts>();
  connectionSerial = 0;
  authEventSerial = 0;
  private nextSeq = 0;
  /** How to undo each change since `begin`, in the order made: the first `journaled` entries. */
  private readonly journal: Array<() => void> = [];
  private journaled = 0;

  /** Start a step: forget the journal of the one before (its entries are overwritten). */
  begin(): void {
    this.journaled = 0;
  }

  /** Undo every change since `begin`: the world as it was before the step. */
  rollback(): void {
    const journal = this.journal;
    for (let i = this.journaled - 1; i >= 0; i--) (journal[i] as () => void)();
    this.journaled = 0;
  }

  private undoWith(undo: () => void): void {
    this.journal[this.journaled++] = undo;
  }

  // Reading.

  linkedTenantCount(app: string): number {
    return this.links.get(app)?.size ?? 0;
  }

  slotOf(app: string, tenant: string): Slot | undefined {
    return this.links.get(app)?.get(tenant);
  }

  /** The app's (tenant, users) entries in insertion order. */
  entriesOf(app: string): Array<[string, UserLinks]> {
    const map = this.links.get(app);
    return map === undefined ? [] : [...map].sort(bySeq).map(([tenant, slot]) => [tenant, slot.users]);
  }

  /** The app's linked tenants in insertion order. */
  linkedTenants(app: string): string[] {
    return this.entriesOf(app).map(([tenant]) => tenant);
  }

  kindCounts(app: string): KindCounts {
    return this.kinds.get(app) ?? NO_KINDS;
  }

  forEachAppOn(tenant: string, visit: (app: string) => void): void {
    const apps = this.appsOn.get(tenant);
    if (apps !== undefined) for (const app of apps) visit(app);
  }

  // Updates, each journaled.

  setApp(app: App): void {
    const old = this.apps.get(app.id);
    this.apps.set(app.id, app);
    this.undoWith(old === undefined ? () => this.apps.delete(app.id) : () => this.apps.set(app.id, old));
  }

  setTenant(tenant: Tenant): void {
    const old = this.tenants.get(tenant.id);
    const was = classOf(old);
    const now = classOf(tenant);
    if (was !== now) this.forEachAppOn(tenant.id, (app) => this.recount(app, was, -1, now, 1));
    this.tenants.set(tenant.id, tenant);
    this.undoWith(old === undefined ? () => this.tenants.delete(tenant.id) : () => this.tenants.set(tenant.id, old));
  }

  newAuthEvent(): void {
    const old = this.authEventSerial;
    this.authEventSerial = old + 1;
    this.undoWith(() => {
      this.authEventSerial = old;
    });
  }

  /** Set `user`'s connection of `app` to `tenant` (a new tenant goes last), `serial` the last connection id. */
  connect(app: string, tenant: string, user: string, connection: Connection, serial: number): void {
    const map = this.mapOf(app);
    const slot = map.get(tenant);
    const users = (slot?.users ?? NO_USERS).with(user, connection);
    this.putSlot(app, map, tenant, users, slot);
    const oldSerial = this.connectionSerial;
    this.connectionSerial = serial;
    this.undoWith(() => {
      this.connectionSerial = oldSerial;
    });
  }

  /** Link `app` to `tenant` with no user (the property suite's broken variants only). */
  emptyLink(app: string, tenant: string): void {
    const map = this.mapOf(app);
    this.putSlot(app, map, tenant, NO_USERS, map.get(tenant));
  }

  /** Remove `user`'s connection of `app` to `tenant`; a tenant left with other users goes last. */
  disconnect(app: string, tenant: string, user: string): void {
    const map = this.links.get(app);
    const slot = map?.get(tenant);
    if (map === undefined || slot === undefined || slot.users.connectionOf(user) === undefined) return;
    const rest = slot.users.without(user);
    map.delete(tenant);
    this.undoWith(() => map.set(tenant, slot));
    if (rest !== null) {
      map.set(tenant, { users: rest, seq: this.nextSeq++ });
      this.undoWith(() => map.delete(tenant));
      return;
    }
    this.unindex(app, tenant);
    this.recount(app, classOf(this.tenants.get(tenant)), -1, 'undeclared', 0);
  }

  /** Remove every connection of `user` to `app`, tenant by tenant in insertion order. */
  revoke(app: string, user: string): void {
    for (const [tenant, users] of this.entriesOf(app)) if (users.connectionOf(user) !== undefined) this.disconnect(app, tenant, user);
  }

  /** Remove every connection (apps, tenants and serials stay); an app linked again goes last. */
  clearLinks(): void {
    const links = [...this.links];
    const appsOn = [...this.appsOn];
    const kinds = [...this.kinds];
    this.links.clear();
    this.appsOn.clear();
    this.kinds.clear();
    this.undoWith(() => {
      for (const [k, v] of links) this.links.set(k, v);
      for (const [k, v] of appsOn) this.appsOn.set(k, v);
      for (const [k, v] of kinds) this.kinds.set(k, v);
    });
  }

  /** A plain snapshot, in the persistent world's order and shape (for `JSON.stringify`). */
  toJSON(): object {
    const connections: Array<{ app: string; tenant: string; user: string; connection: Connection }> = [];
    for (const app of this.links.keys())
      for (const [tenant, users] of this.entriesOf(app))
        for (let i = 0; i < users.users.length; i++)
          connections.push({ app, tenant, user: users.users[i] as string, connection: users.connections[i] as Connection });
    return {
      apps: [...this.apps.values()],
      tenants: [...this.tenants.values()],
      connections,
      connectionSerial: this.connectionSerial,
      authEventSerial: this.authEventSerial,
    };
  }

  private mapOf(app: string): Map<string, Slot> {
    let map = this.links.get(app);
    if (map === undefined) {
      const made = new Map<string, Slot>();
      map = made;
      this.links.set(app, made);
      this.undoWith(() => this.links.delete(app));
    }
    return map;
  }

  private putSlot(app: string, map: Map<string, Slot>, tenant: string, users: UserLinks, old: Slot | undefined): void {
    if (old !== undefined) {
      map.set(tenant, { users, seq: old.seq });
      this.undoWith(() => map.set(tenant, old));
      return;
    }
    map.set(tenant, { users, seq: this.nextSeq++ });
    this.undoWith(() => map.delete(tenant));
    this.index(app, tenant);
    this.recount(app, 'undeclared', 0, classOf(this.tenants.get(tenant)), 1);
  }

  private index(app: string, tenant: string): void {
    const old = this.appsOn.get(tenant);
    this.appsOn.set(tenant, old === undefined ? [app] : [...old, app]);
    this.undoWith(old === undefined ? () => this.appsOn.delete(tenant) : () => this.appsOn.set(tenant, old));
  }

  private unindex(app: string, tenant: string): void {
    const old = this.appsOn.get(tenant) ?? [];
    const rest = old.filter((a) => a !== app);
    if (rest.length === 0) this.appsOn.delete(tenant);
    else this.appsOn.set(tenant, rest);
    this.undoWith(() => this.appsOn.set(tenant, old));
  }

  /** Move an app's count of linked tenants: `by` less of class `from`, `add` more of class `to`. */
  private recount(app: string, from: KindClass, by: number, to: KindClass, add: number): void {
    const old = this.kinds.get(app);
    const counts = old ?? NO_KINDS;
    const delta = (k: KindClass) => (from === k ? by : 0) + (to === k ? add : 0);
    this.kinds.set(app, { plain: counts.plain + delta('plain'), demo: counts.demo + delta('demo') });
    this.undoWith(old === undefined ? () => this.kinds.delete(app) : () => this.kinds.set(app, old));
  }
}
