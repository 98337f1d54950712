/**
 * A draft world: the same records as a persistent world, kept in Maps that one owner updates in
 * place, for the paths that step one world forward and never look back (the oracle's `check`).
 * Read and changed through the accessors of `world.ts`, which answer exactly as for a persistent
 * world (a property proves it); an update returns the draft itself, so an earlier context holding
 * it sees the change. What the last step changed is kept in a journal, so that `rollback` can
 * give back the world before it (the oracle explains a divergent decision from there).
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
import { Journal } from './journal.ts';
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

/** Everything the draft holds of one app, changed in place (journaled). */
interface AppEntry {
  /** The declared record, if declared. */
  record: App | undefined;
  /** tenant → slot, from its first link on (an app once linked keeps its maybe empty map). */
  links: Map<string, Slot> | undefined;
  /** The kinds of its linked tenants. */
  plain: number;
  demo: number;
}

/** Everything the draft holds of one tenant, changed in place (journaled). */
interface TenantEntry {
  record: Tenant | undefined;
  /** The apps linked to it, in the order they were linked. */
  apps: string[] | undefined;
}

const NO_KINDS: KindCounts = Object.freeze({ plain: 0, demo: 0 });

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
  private readonly apps = new Map<string, AppEntry>();
  private readonly tenants = new Map<string, TenantEntry>();
  /** The declared apps and tenants in the order of their first declaration. */
  private readonly appOrder: string[] = [];
  private readonly tenantOrder: string[] = [];
  /** The apps with a links map, in the order of their first link. */
  private linkOrder: string[] = [];
  connectionSerial = 0;
  authEventSerial = 0;
  private nextSeq = 0;
  /** What the current step changed, to undo (see `journal.ts`). */
  private readonly journal = new Journal();
  /**
   * The last entries looked up, and the last link: one step reads the same ones several times
   * (each guard asks again). Entries change in place, so only a new entry, a change of a link and
   * a rollback touch them.
   */
  private appId: string | undefined = undefined;
  private appValue: AppEntry | undefined = undefined;
  private tenantId: string | undefined = undefined;
  private tenantValue: TenantEntry | undefined = undefined;
  private slotApp: string | undefined = undefined;
  private slotTenant: string | undefined = undefined;
  private slotValue: Slot | undefined = undefined;

  /** Start a step: forget the journal of the one before. */
  begin(): void {
    this.journal.begin();
  }

  /** Undo every change since `begin`: the world as it was before the step. */
  rollback(): void {
    this.journal.rollback();
    this.forget();
  }

  /** Drop the last entries and link looked up. */
  private forget(): void {
    this.appId = undefined;
    this.appValue = undefined;
    this.tenantId = undefined;
    this.tenantValue = undefined;
    this.slotApp = undefined;
    this.slotValue = undefined;
  }

  // Reading.

  private appEntry(id: string): AppEntry | undefined {
    if (id !== this.appId) {
      this.appValue = this.apps.get(id);
      this.appId = id;
    }
    return this.appValue;
  }

  private tenantEntry(id: string): TenantEntry | undefined {
    if (id !== this.tenantId) {
      this.tenantValue = this.tenants.get(id);
      this.tenantId = id;
    }
    return this.tenantValue;
  }

  app(id: string): App | undefined {
    return this.appEntry(id)?.record;
  }

  tenant(id: string): Tenant | undefined {
    return this.tenantEntry(id)?.record;
  }

  /** The declared apps, in the order of their first declaration. */
  appIds(): string[] {
    return [...this.appOrder];
  }

  /** The declared tenants, in the order of their first declaration. */
  tenantIds(): string[] {
    return [...this.tenantOrder];
  }

  /** The apps ever linked (since the links were last cleared), in the order of their first link. */
  appsEverLinked(): readonly string[] {
    return this.linkOrder;
  }

  /** The app's links: tenant → slot. */
  linksOf(app: string): Map<string, Slot> | undefined {
    return this.appEntry(app)?.links;
  }

  linkedTenantCount(app: string): number {
    return this.linksOf(app)?.size ?? 0;
  }

  slotOf(app: string, tenant: string): Slot | undefined {
    if (app !== this.slotApp || tenant !== this.slotTenant) {
      this.slotValue = this.linksOf(app)?.get(tenant);
      this.slotApp = app;
      this.slotTenant = tenant;
    }
    return this.slotValue;
  }

  /** The app's (tenant, users) entries in insertion order. */
  entriesOf(app: string): Array<[string, UserLinks]> {
    const map = this.linksOf(app);
    return map === undefined ? [] : [...map].sort(bySeq).map(([tenant, slot]) => [tenant, slot.users]);
  }

  /** The app's linked tenants in insertion order. */
  linkedTenants(app: string): string[] {
    return this.entriesOf(app).map(([tenant]) => tenant);
  }

  /** The kinds of the app's linked tenants (read before the next change: it is the entry itself). */
  kindCounts(app: string): KindCounts {
    return this.appEntry(app) ?? NO_KINDS;
  }

  forEachAppOn(tenant: string, visit: (app: string) => void): void {
    const apps = this.tenantEntry(tenant)?.apps;
    if (apps !== undefined) for (const app of apps) visit(app);
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

  /** A plain snapshot, in the persistent world's order and shape (for `JSON.stringify`). */
  toJSON(): object {
    const connections: Array<{ app: string; tenant: string; user: string; connection: Connection }> = [];
    for (const app of this.linkOrder)
      for (const [tenant, users] of this.entriesOf(app))
        for (let i = 0; i < users.users.length; i++)
          connections.push({ app, tenant, user: users.users[i] as string, connection: users.connections[i] as Connection });
    return {
      apps: this.appOrder.map((id) => this.app(id)),
      tenants: this.tenantOrder.map((id) => this.tenant(id)),
      connections,
      connectionSerial: this.connectionSerial,
      authEventSerial: this.authEventSerial,
    };
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
