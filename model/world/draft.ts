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

/** How many of an app's linked tenants are declared, demo tenants apart (changed in place, journaled). */
interface KindCounts {
  plain: number;
  demo: number;
}

const NO_KINDS: Readonly<KindCounts> = Object.freeze({ plain: 0, demo: 0 });

type KindClass = 'undeclared' | 'plain' | 'demo';

function classOf(tenant: Tenant | undefined): KindClass {
  return tenant === undefined ? 'undeclared' : tenant.kind === 'demo' ? 'demo' : 'plain';
}

function bySeq(a: [string, Slot], b: [string, Slot]): number {
  return a[1].seq - b[1].seq;
}

/** In the journal: the key was absent, so undoing removes it. */
const ABSENT: unique symbol = Symbol('absent');
/** What undoing one journal entry does. */
const MAP_SET = 0; // set the key of the map back to the value (delete it when ABSENT)
const FIELD = 1; // set the field of the object back to the value
const POP = 2; // take the last element off the array
const CALL = 3; // call the value

/** A world updated in place, with a journal of the last step's changes. */
export class Draft {
  /** A draft (see `draftOf` in `world.ts`). */
  readonly inPlace = true;
  readonly apps = new Map<string, App>();
  readonly tenants = new Map<string, Tenant>();
  /** app → tenant → slot; an app once linked keeps its (maybe empty) map. */
  readonly links = new Map<string, Map<string, Slot>>();
  /** tenant → the apps linked to it, in the order they were linked. */
  private readonly appsOn = new Map<string, string[]>();
  /** app → the kinds of its linked tenants, kept by every update. */
  private readonly kinds = new Map<string, KindCounts>();
  connectionSerial = 0;
  authEventSerial = 0;
  private nextSeq = 0;
  /**
   * How to undo each change since `begin`, in the order made: the first `journaled` entries of
   * four arrays (no closure per change): what to do (`MAP_SET`, `FIELD`, `POP`, `CALL`), to what,
   * which key, and the value before.
   */
  private readonly undoOps: number[] = [];
  private readonly undoTargets: unknown[] = [];
  private readonly undoKeys: string[] = [];
  private readonly undoValues: unknown[] = [];
  private journaled = 0;
  /**
   * The last record read of an app, a tenant, an app's links and one link: one step reads the same
   * ones several times (each guard asks again). Every write keeps them true, and a rollback drops them.
   */
  private appId: string | undefined = undefined;
  private appValue: App | undefined = undefined;
  private tenantId: string | undefined = undefined;
  private tenantValue: Tenant | undefined = undefined;
  private linksApp: string | undefined = undefined;
  private linksValue: Map<string, Slot> | undefined = undefined;
  private slotApp: string | undefined = undefined;
  private slotTenant: string | undefined = undefined;
  private slotValue: Slot | undefined = undefined;

  /** Start a step: forget the journal of the one before (its entries are overwritten). */
  begin(): void {
    this.journaled = 0;
  }

  /** Undo every change since `begin`: the world as it was before the step. */
  rollback(): void {
    for (let i = this.journaled - 1; i >= 0; i--) {
      const target = this.undoTargets[i];
      const key = this.undoKeys[i] as string;
      const value = this.undoValues[i];
      switch (this.undoOps[i]) {
        case MAP_SET:
          if (value === ABSENT) (target as Map<string, unknown>).delete(key);
          else (target as Map<string, unknown>).set(key, value);
          break;
        case FIELD:
          (target as Record<string, unknown>)[key] = value;
          break;
        case POP:
          (target as unknown[]).pop();
          break;
        case CALL:
          (value as () => void)();
          break;
      }
    }
    this.journaled = 0;
    this.forget();
  }

  /** Drop the last records read. */
  private forget(): void {
    this.appId = undefined;
    this.appValue = undefined;
    this.tenantId = undefined;
    this.tenantValue = undefined;
    this.linksApp = undefined;
    this.linksValue = undefined;
    this.slotApp = undefined;
    this.slotValue = undefined;
  }

  private journal(op: number, target: unknown, key: string, value: unknown): void {
    const i = this.journaled++;
    this.undoOps[i] = op;
    this.undoTargets[i] = target;
    this.undoKeys[i] = key;
    this.undoValues[i] = value;
  }

  /** Journal the value `key` has in `map` now (before a change), or its absence. */
  private undoSet<V>(map: Map<string, V>, key: string, old: V | undefined): void {
    this.journal(MAP_SET, map, key, old === undefined ? ABSENT : old);
  }

  /** Journal a number field of `target` before it changes. */
  private undoField<K extends string>(target: { [k in K]: number }, key: K, old: number): void {
    this.journal(FIELD, target, key, old);
  }

  private undoWith(undo: () => void): void {
    this.journal(CALL, null, '', undo);
  }

  // Reading.

  app(id: string): App | undefined {
    if (id !== this.appId) {
      this.appValue = this.apps.get(id);
      this.appId = id;
    }
    return this.appValue;
  }

  tenant(id: string): Tenant | undefined {
    if (id !== this.tenantId) {
      this.tenantValue = this.tenants.get(id);
      this.tenantId = id;
    }
    return this.tenantValue;
  }

  /** The app's links: tenant → slot. */
  linksOf(app: string): Map<string, Slot> | undefined {
    if (app !== this.linksApp) {
      this.linksValue = this.links.get(app);
      this.linksApp = app;
    }
    return this.linksValue;
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

  kindCounts(app: string): Readonly<KindCounts> {
    return this.kinds.get(app) ?? NO_KINDS;
  }

  forEachAppOn(tenant: string, visit: (app: string) => void): void {
    const apps = this.appsOn.get(tenant);
    if (apps !== undefined) for (const app of apps) visit(app);
  }

  // Updates, each journaled.

  setApp(app: App): void {
    this.undoSet(this.apps, app.id, this.apps.get(app.id));
    this.apps.set(app.id, app);
    this.appId = app.id;
    this.appValue = app;
  }

  setTenant(tenant: Tenant): void {
    const old = this.tenants.get(tenant.id);
    const was = classOf(old);
    const now = classOf(tenant);
    if (was !== now) this.forEachAppOn(tenant.id, (app) => this.recount(app, was, -1, now, 1));
    this.undoSet(this.tenants, tenant.id, old);
    this.tenants.set(tenant.id, tenant);
    this.tenantId = tenant.id;
    this.tenantValue = tenant;
  }

  newAuthEvent(): void {
    this.undoField(this, 'authEventSerial', this.authEventSerial);
    this.authEventSerial++;
  }

  /** Set `user`'s connection of `app` to `tenant` (a new tenant goes last), `serial` the last connection id. */
  connect(app: string, tenant: string, user: string, connection: Connection, serial: number): void {
    const map = this.mapOf(app);
    const slot = map.get(tenant);
    const users = (slot?.users ?? NO_USERS).with(user, connection);
    this.putSlot(app, map, tenant, users, slot);
    this.undoField(this, 'connectionSerial', this.connectionSerial);
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
    this.undoSet(map, tenant, slot);
    map.delete(tenant);
    if (rest !== null) {
      this.undoSet(map, tenant, undefined);
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
    const links = [...this.links];
    const appsOn = [...this.appsOn];
    const kinds = [...this.kinds];
    this.links.clear();
    this.appsOn.clear();
    this.kinds.clear();
    this.forget();
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
    let map = this.linksOf(app);
    if (map === undefined) {
      map = new Map<string, Slot>();
      this.undoSet(this.links, app, undefined);
      this.links.set(app, map);
      this.linksApp = app;
      this.linksValue = map;
    }
    return map;
  }

  private putSlot(app: string, map: Map<string, Slot>, tenant: string, users: UserLinks, old: Slot | undefined): void {
    this.slotApp = undefined;
    this.undoSet(map, tenant, old);
    if (old !== undefined) {
      map.set(tenant, { users, seq: old.seq });
      return;
    }
    map.set(tenant, { users, seq: this.nextSeq++ });
    this.index(app, tenant);
    this.recount(app, 'undeclared', 0, classOf(this.tenant(tenant)), 1);
  }

  private index(app: string, tenant: string): void {
    const apps = this.appsOn.get(tenant);
    if (apps === undefined) {
      this.undoSet(this.appsOn, tenant, undefined);
      this.appsOn.set(tenant, [app]);
      return;
    }
    this.journal(POP, apps, '', undefined);
    apps.push(app);
  }

  private unindex(app: string, tenant: string): void {
    const old = this.appsOn.get(tenant) ?? [];
    const rest = old.filter((a) => a !== app);
    this.undoSet(this.appsOn, tenant, old);
    if (rest.length === 0) this.appsOn.delete(tenant);
    else this.appsOn.set(tenant, rest);
  }

  /** Move an app's count of linked tenants: `by` less of class `from`, `add` more of class `to`. */
  private recount(app: string, from: KindClass, by: number, to: KindClass, add: number): void {
    let counts = this.kinds.get(app);
    if (counts === undefined) {
      counts = { plain: 0, demo: 0 };
      this.undoSet(this.kinds, app, undefined);
      this.kinds.set(app, counts);
    }
    const plain = (from === 'plain' ? by : 0) + (to === 'plain' ? add : 0);
    const demo = (from === 'demo' ? by : 0) + (to === 'demo' ? add : 0);
    if (plain !== 0) {
      this.undoField(counts, 'plain', counts.plain);
      counts.plain += plain;
    }
    if (demo !== 0) {
      this.undoField(counts, 'demo', counts.demo);
      counts.demo += demo;
    }
  }
}
