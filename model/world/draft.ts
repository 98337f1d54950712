/**
 * A draft world: the same records as a persistent world, kept in Maps that one owner updates in
 * place, for the paths that step one world forward and never look back (the oracle's `check`).
 * Read and changed through the accessors of `world.ts`, which answer exactly as for a persistent
 * world (a property proves it); an update returns the draft itself, so an earlier context holding
 * it sees the change. What the last step changed is kept in a journal, so that `rollback` can
 * give back the world before it (the oracle explains a divergent decision from there). What it
 * holds and how it is read are in `draft-records.ts`; here, the journaled updates.
 *
 * Each app and each tenant is one entry, holding what a step reads of it together (an app: its
 * record, its links, the kinds of its linked tenants; a tenant: its record and its apps), so a
 * step looks each up once, as a hand-written checker would.
 *
 * Listing order is the persistent world's: a new key goes last, replacing keeps its place, a
 * removed key that comes back goes last. Apps and tenants are never removed, so the order of
 * their first declaration is theirs, and apps are listed with links in the order of their first
 * link; an app's tenants carry the number of their insertion, so a rollback can put a removed
 * tenant back in its place. Structure only: nothing here decides a rule.
 * @module
 */
import type { App, Connection, Tenant } from '../types.ts';
import { type AppEntry, classOf, DraftRecords, type KindClass, type Slot, type TenantEntry } from './draft-records.ts';
import { Journal } from './journal.ts';
import { NO_USERS, type UserLinks } from './links.ts';

/** A world updated in place, with a journal of the last step's changes. */
export class Draft extends DraftRecords {
  /** A draft (see `draftOf` in `world.ts`). */
  readonly inPlace = true;
  /** What the current step changed, to undo (see `journal.ts`). */
  private readonly journal = new Journal();

  /** Start a step: forget the journal of the one before. */
  begin(): void {
    this.journal.begin();
  }

  /** Undo every change since `begin`: the world as it was before the step. */
  rollback(): void {
    this.journal.rollback();
    this.forget();
  }

  // Updates, each journaled.

  /** The app's entry, made (journaled) when it has none. */
  private appEntryOf(id: string): AppEntry {
    let entry = this.appEntry(id);
    if (entry === undefined) {
      entry = { record: undefined, links: undefined, plain: 0, demo: 0 };
      this.journal.set(this.apps, id, undefined);
      this.apps.set(id, entry);
      this.appValue = entry;
    }
    return entry;
  }

  /** The tenant's entry, made (journaled) when it has none. */
  private tenantEntryOf(id: string): TenantEntry {
    let entry = this.tenantEntry(id);
    if (entry === undefined) {
      entry = { record: undefined, apps: undefined };
      this.journal.set(this.tenants, id, undefined);
      this.tenants.set(id, entry);
      this.tenantValue = entry;
    }
    return entry;
  }

  setApp(app: App): void {
    const entry = this.appEntryOf(app.id);
    if (entry.record === undefined) this.journal.push(this.appOrder, app.id);
    this.journal.field(entry, 'record');
    entry.record = app;
  }

  setTenant(tenant: Tenant): void {
    const entry = this.tenantEntryOf(tenant.id);
    const was = classOf(entry.record);
    const now = classOf(tenant);
    if (was !== now) this.forEachAppOn(tenant.id, (app) => this.recount(app, was, -1, now, 1));
    if (entry.record === undefined) this.journal.push(this.tenantOrder, tenant.id);
    this.journal.field(entry, 'record');
    entry.record = tenant;
  }

  newAuthEvent(): void {
    this.journal.field(this, 'authEventSerial');
    this.authEventSerial++;
  }

  /** Set `user`'s connection of `app` to `tenant` (a new tenant goes last), `serial` the last connection id. */
  connect(app: string, tenant: string, user: string, connection: Connection, serial: number): void {
    const map = this.mapOf(app);
    const slot = map.get(tenant);
    const users = (slot?.users ?? NO_USERS).with(user, connection);
    this.putSlot(app, map, tenant, users, slot);
    this.journal.field(this, 'connectionSerial');
    this.connectionSerial = serial;
  }

  /** Link `app` to `tenant` with no user (the property suite's broken variants only). */
  emptyLink(app: string, tenant: string): void {
    const map = this.mapOf(app);
    this.putSlot(app, map, tenant, NO_USERS, map.get(tenant));
  }

  /** Remove `user`'s connection of `app` to `tenant`; a tenant left with other users goes last. */
  disconnect(app: string, tenant: string, user: string): void {
    const map = this.linksOf(app);
    const slot = map?.get(tenant);
    if (map === undefined || slot === undefined || slot.users.connectionOf(user) === undefined) return;
    const rest = slot.users.without(user);
    this.slotApp = undefined;
    this.journal.set(map, tenant, slot);
    map.delete(tenant);
    if (rest !== null) {
      this.journal.set(map, tenant, undefined);
      map.set(tenant, { users: rest, seq: this.nextSeq++ });
      return;
    }
    this.unindex(app, tenant);
    this.recount(app, classOf(this.tenant(tenant)), -1, 'undeclared', 0);
  }

  /** Remove every connection of `user` to `app`, tenant by tenant in insertion order. */
  revoke(app: string, user: string): void {
    for (const [tenant, users] of this.entriesOf(app)) if (users.connectionOf(user) !== undefined) this.disconnect(app, tenant, user);
  }

  /** Remove every connection (apps, tenants and serials stay); an app linked again goes last. */
  clearLinks(): void {
    const apps = this.linkOrder.map((id) => {
      const entry = this.apps.get(id) as AppEntry;
      return { entry, links: entry.links, plain: entry.plain, demo: entry.demo };
    });
    const tenants = [...this.tenants.values()].map((entry) => ({ entry, apps: entry.apps }));
    const order = this.linkOrder;
    for (const { entry } of apps) {
      entry.links = undefined;
      entry.plain = 0;
      entry.demo = 0;
    }
    for (const { entry } of tenants) entry.apps = undefined;
    this.linkOrder = [];
    this.forget();
    this.journal.call(() => {
      for (const { entry, links, plain, demo } of apps) Object.assign(entry, { links, plain, demo });
      for (const { entry, apps: linked } of tenants) entry.apps = linked;
      this.linkOrder = order;
    });
  }

  private mapOf(app: string): Map<string, Slot> {
    const entry = this.appEntryOf(app);
    let map = entry.links;
    if (map === undefined) {
      map = new Map<string, Slot>();
      this.journal.field(entry, 'links');
      entry.links = map;
      this.journal.push(this.linkOrder, app);
    }
    return map;
  }

  private putSlot(app: string, map: Map<string, Slot>, tenant: string, users: UserLinks, old: Slot | undefined): void {
    this.slotApp = undefined;
    this.journal.set(map, tenant, old);
    if (old !== undefined) {
      map.set(tenant, { users, seq: old.seq });
      return;
    }
    map.set(tenant, { users, seq: this.nextSeq++ });
    this.index(app, tenant);
    this.recount(app, 'undeclared', 0, classOf(this.tenant(tenant)), 1);
  }

  private index(app: string, tenant: string): void {
    const entry = this.tenantEntryOf(tenant);
    if (entry.apps === undefined) {
      this.journal.field(entry, 'apps');
      entry.apps = [app];
    } else this.journal.push(entry.apps, app);
  }

  private unindex(app: string, tenant: string): void {
    const entry = this.tenantEntryOf(tenant);
    const rest = (entry.apps ?? []).filter((a) => a !== app);
    this.journal.field(entry, 'apps');
    entry.apps = rest.length === 0 ? undefined : rest;
  }

  /** Move an app's count of linked tenants: `by` less of class `from`, `add` more of class `to`. */
  private recount(app: string, from: KindClass, by: number, to: KindClass, add: number): void {
    const entry = this.appEntryOf(app);
    const plain = (from === 'plain' ? by : 0) + (to === 'plain' ? add : 0);
    const demo = (from === 'demo' ? by : 0) + (to === 'demo' ? add : 0);
    if (plain !== 0) {
      this.journal.field(entry, 'plain');
      entry.plain += plain;
    }
    if (demo !== 0) {
      this.journal.field(entry, 'demo');
      entry.demo += demo;
    }
  }
}
