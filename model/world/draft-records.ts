/**
 * What a draft world holds and how it is read (`draft.ts` adds the journaled updates): one entry
 * per app and per tenant, the orders of declaration and of first links, and the last entries and
 * link looked up. Structure only: nothing here decides a rule.
 * @module
 */
import type { App, Connection, Tenant } from '../types.ts';
import type { UserLinks } from './links.ts';

/** One app's link to one tenant: its users, and when it was inserted (for listing order). */
export interface Slot {
  readonly users: UserLinks;
  readonly seq: number;
}

/** How many of an app's linked tenants are declared, demo tenants apart. */
export interface KindCounts {
  readonly plain: number;
  readonly demo: number;
}

/** Everything the draft holds of one app, changed in place (journaled). */
export interface AppEntry {
  /** The declared record, if declared. */
  record: App | undefined;
  /** tenant → slot, from its first link on (an app once linked keeps its maybe empty map). */
  links: Map<string, Slot> | undefined;
  /** The kinds of its linked tenants. */
  plain: number;
  demo: number;
}

/** Everything the draft holds of one tenant, changed in place (journaled). */
export interface TenantEntry {
  record: Tenant | undefined;
  /** The apps linked to it, in the order they were linked. */
  apps: string[] | undefined;
}

const NO_KINDS: KindCounts = Object.freeze({ plain: 0, demo: 0 });

export type KindClass = 'undeclared' | 'plain' | 'demo';

export function classOf(tenant: Tenant | undefined): KindClass {
  return tenant === undefined ? 'undeclared' : tenant.kind === 'demo' ? 'demo' : 'plain';
}

function bySeq(a: [string, Slot], b: [string, Slot]): number {
  return a[1].seq - b[1].seq;
}

/** A draft world's records and the reading of them. */
export class DraftRecords {
  protected readonly apps = new Map<string, AppEntry>();
  protected readonly tenants = new Map<string, TenantEntry>();
  /** The declared apps and tenants in the order of their first declaration. */
  protected readonly appOrder: string[] = [];
  protected readonly tenantOrder: string[] = [];
  /** The apps with a links map, in the order of their first link. */
  protected linkOrder: string[] = [];
  connectionSerial = 0;
  authEventSerial = 0;
  protected nextSeq = 0;
  /**
   * The last entries looked up, and the last link: one step reads the same ones several times
   * (each guard asks again). Entries change in place, so only a new entry, a change of a link, a
   * clearing of the links and a rollback touch them.
   */
  protected appId: string | undefined = undefined;
  protected appValue: AppEntry | undefined = undefined;
  protected tenantId: string | undefined = undefined;
  protected tenantValue: TenantEntry | undefined = undefined;
  protected slotApp: string | undefined = undefined;
  protected slotTenant: string | undefined = undefined;
  protected slotValue: Slot | undefined = undefined;

  /** Drop the last entries and link looked up. */
  protected forget(): void {
    this.appId = undefined;
    this.appValue = undefined;
    this.tenantId = undefined;
    this.tenantValue = undefined;
    this.slotApp = undefined;
    this.slotValue = undefined;
  }

  // Reading.

  protected appEntry(id: string): AppEntry | undefined {
    if (id !== this.appId) {
      this.appValue = this.apps.get(id);
      this.appId = id;
    }
    return this.appValue;
  }

  protected tenantEntry(id: string): TenantEntry | undefined {
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
}
