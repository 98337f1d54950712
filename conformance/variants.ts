/**
 * Teeth: deliberately broken implementations the conformance harness must catch
 * (`conform.test.ts`). Most are the simulator serving a broken model (the property suite's
 * mutants, `properties/mutants.ts`), a simulator whose `GET /connections` shows too much, or the
 * simulator told other parameters than the harness tests; one is the simulator with an `await`
 * between reading the state and deciding (only concurrent requests expose it). Beside them, a
 * small in-process implementation of the adapter interface, decided by the model itself, and its
 * racy variant, for fast-check's scheduler. Test support: not in the build.
 * @module
 */
import type { Scheduler } from 'fast-check';
import type { Driver } from '../model/engine/driver.ts';
import { makeDriver } from '../model/oracle/oracle.ts';
import { choosePolicy } from '../model/io/load-policy.ts';
import type { AppChanges } from '../model/platform/transitions.ts';
import { IMPLICIT_USER, type TenantKind, type Tier, type TraceEvent } from '../model/types.ts';
import { allConnections, appIds, currentAuthEventId, appRecord, tenantIds, tenantRecord } from '../model/world/world.ts';
import { mutantByName } from '../properties/mutants.ts';
import type { ServeOptions } from '../server/http.ts';
import { Simulator } from '../server/simulator.ts';
import type { Adapter, ConsentAnswer, Observation } from './adapter.ts';

/** A broken simulator: how to serve it, and what it breaks. */
export interface Variant {
  name: string;
  description: string;
  serve: Pick<ServeOptions, 'model' | 'simulator' | 'set' | 'mutant'>;
}

function modelOf(name: string) {
  const m = mutantByName(name);
  if (m === undefined) throw new Error(`no mutant ${name}`);
  return m.model;
}

/** `GET /connections` answering for every user of the token's app, or for every app of the token's user. */
function leaking(by: 'user' | 'app') {
  return class extends Simulator {
    override connections(grant: { app: string; user: string }, authEventId: string | null) {
      const state = this.state().body as { connections: Array<{ app: string; user: string }> };
      const grants = new Map<string, { app: string; user: string }>([[`${grant.app}/${grant.user}`, grant]]);
      for (const c of state.connections)
        if (by === 'user' ? c.app === grant.app : c.user === grant.user) grants.set(`${c.app}/${c.user}`, { app: c.app, user: c.user });
      const lists = [...grants.values()].map((g) => super.connections(g, authEventId).body as unknown[]);
      return { status: 200, body: lists.flat() };
    }
  };
}

const LeakUsers = leaking('user');
const LeakApps = leaking('app');

/** Every broken simulator the harness must catch. */
export const VARIANTS: readonly Variant[] = [
  { name: 'app-cap-plus-one', description: 'the app cap off by one: allows cap+1', serve: { model: modelOf('app-cap-plus-one') } },
  { name: 'certified-counted', description: 'certified apps take an organisation slot', serve: { model: modelOf('certified-counted') } },
  { name: 'demo-counted', description: "demo tenants counted toward the app's cap", serve: { model: modelOf('demo-counted') } },
  {
    name: 'second-user-counted',
    description: "a second user's connection counted again",
    serve: { model: modelOf('second-user-counted') },
  },
  {
    name: 'disconnect-keeps-count',
    description: 'a disconnect answers 204 but the tenant still counts',
    serve: { model: modelOf('disconnect-keeps-count') },
  },
  {
    name: 'revoke-removes-others',
    description: "a revocation removes other users' connections",
    serve: { model: modelOf('revoke-removes-others') },
  },
  {
    name: 'connections-of-other-users',
    description: "GET /connections shows other users' connections to the app",
    serve: { simulator: (store, options) => new LeakUsers(store, options) },
  },
  {
    name: 'connections-of-other-apps',
    description: "GET /connections shows the user's connections to other apps",
    serve: { simulator: (store, options) => new LeakApps(store, options) },
  },
  {
    name: 'reconsent-new-id',
    description: 'a re-consent gives the connection a new id',
    serve: { set: ['reconsentKeepsConnectionId=false'] },
  },
  {
    name: 'reconsent-keeps-auth-event',
    description: "a re-consent keeps the connection's old authEventId",
    serve: { model: modelOf('reconsent-keeps-auth-event') },
  },
  {
    name: 'await-between-check-and-write',
    description: 'an await between reading the state and deciding the consent (a check-then-act race)',
    serve: { mutant: 'await-between-decide-and-commit' },
  },
];

export function variant(name: string): Variant {
  const v = VARIANTS.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no variant ${name}`);
  return v;
}

const userOf = (user: string) => (user === IMPLICIT_USER ? {} : { user });

/**
 * An in-process implementation of the adapter interface, decided by the model itself (the
 * model's own ids stand for the implementation's). With `racy`, a consent reads the state, awaits
 * (a step the scheduler interleaves), then decides from what it read and writes the result over
 * whatever happened meanwhile: a check-then-act race.
 */
export class ModelAdapter implements Adapter {
  private driver: Driver;
  private readonly tokens = new Set<string>();
  private scheduler: Scheduler | null = null;

  constructor(private readonly options: { policy?: string; set?: readonly string[]; racy?: boolean } = {}) {
    this.driver = this.fresh();
  }

  private fresh(): Driver {
    return makeDriver({}, choosePolicy(this.options.policy, this.options.set ?? [])).driver;
  }

  private at: string | undefined;

  private apply(event: TraceEvent): string[] {
    return this.driver.apply(this.at === undefined ? event : { ...event, at: this.at }).outcomes;
  }

  useScheduler(scheduler: Scheduler | null): void {
    this.scheduler = scheduler;
  }

  private pause(): Promise<void> {
    return this.scheduler === null ? Promise.resolve() : this.scheduler.schedule(Promise.resolve(), 'between check and write');
  }

  async reset(): Promise<void> {
    this.driver = this.fresh();
    this.tokens.clear();
    this.at = undefined;
  }

  async clock(at: string): Promise<void> {
    this.at = at;
  }

  async app(name: string, changes: AppChanges): Promise<string> {
    return this.apply({ type: 'app', app: name, ...changes })[0] as string;
  }

  async tenant(name: string, kind: TenantKind): Promise<string> {
    return this.apply({ type: 'tenant', tenant: name, kind })[0] as string;
  }

  async connect(app: string, user: string, tenants: readonly string[]): Promise<ConsentAnswer> {
    const event: TraceEvent = { type: 'connect', app, tenants: [...tenants], ...userOf(user) };
    let outcomes: string[];
    if (this.options.racy === true) {
      const engine = this.driver.engine;
      const read = engine.context;
      await this.pause();
      engine.adopt(read);
      outcomes = this.apply(event);
    } else {
      await this.pause();
      outcomes = this.apply(event);
    }
    const granted = outcomes.some((o) => o === 'connected' || o === 'reconnected');
    if (granted) this.tokens.add(`${app}\u0000${user}`);
    const id = `auth-${currentAuthEventId(this.driver.engine.context.world)}`;
    return { authEventId: granted ? id : null, outcomes: Object.fromEntries(tenants.map((t, i) => [t, outcomes[i] as string])) };
  }

  async disconnect(app: string, user: string, tenant: string): Promise<string> {
    await this.pause();
    return this.apply({ type: 'disconnect', app, tenant, ...userOf(user) })[0] as string;
  }

  async revoke(app: string, user: string): Promise<string> {
    this.tokens.delete(`${app}\u0000${user}`);
    return this.apply({ type: 'revoke', app, ...userOf(user) })[0] as string;
  }

  async certify(app: string): Promise<string> {
    return this.apply({ type: 'certify', app })[0] as string;
  }

  async tier(app: string, tier: Tier): Promise<string> {
    return this.apply({ type: 'tier', app, tier })[0] as string;
  }

  async observe(): Promise<Observation> {
    const world = this.driver.engine.context.world;
    const connections = [...allConnections(world)].map((c) => ({
      id: `conn-${c.connection.id}`,
      app: c.app,
      tenant: c.tenant,
      user: c.user,
      authEventId: `auth-${c.connection.authEventId}`,
    }));
    return {
      apps: appIds(world).map((name) => {
        const a = appRecord(world, name);
        return {
          name,
          certified: a?.certified ?? false,
          tier: a?.tier ?? null,
          custom: a?.custom ?? false,
          auth: a?.auth ?? 'oauth2',
          registered: a?.registered ?? null,
        };
      }),
      tenants: tenantIds(world).map((name) => {
        const kind = tenantRecord(world, name)?.kind ?? 'organisation';
        return { name, tenantId: `tenant-${name}`, tenantType: kind === 'practice' ? 'PRACTICE' : 'ORGANISATION', kind };
      }),
      connections,
      views: [...this.tokens].map((k) => {
        const [app = '', user = ''] = k.split('\u0000');
        return {
          app,
          user,
          connections: connections
            .filter((c) => c.app === app && c.user === user)
            .map((c) => ({
              id: c.id,
              authEventId: c.authEventId,
              tenantId: `tenant-${c.tenant}`,
              tenantName: c.tenant,
              tenantType: tenantRecord(world, c.tenant)?.kind === 'practice' ? 'PRACTICE' : 'ORGANISATION',
            })),
        };
      }),
    };
  }
}
