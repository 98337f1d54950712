/**
 * The state comparison after each step: what the implementation shows (`observe()`: the whole
 * state, and `GET /connections` of every user and app it holds a token for) against the model's
 * world. Nothing here decides a rule: the model's world says which connections exist, which ids
 * are kept and which share an authEventId (the policy's parameters decide that in the model); the
 * comparison only maps the model's ids (`c1`, `e1`, ...) one to one onto the implementation's.
 * @module
 */
import type { App } from '../model/types.ts';
import { allConnections, appIds, appRecord, tenantIds, tenantRecord, type World } from '../model/world/world.ts';
import type { Observation } from './adapter.ts';

/** A difference in state: what the model holds, what the implementation shows, and which check found it. */
export interface StateDifference {
  expected: string;
  observed: string;
  check: string;
}

/** A one-to-one map between the model's ids and the implementation's, kept over a run. */
export class IdMap {
  /** Model id to the implementation's, with where it was first seen. */
  private readonly forward = new Map<string, { impl: string; where: string }>();
  private readonly backward = new Map<string, { model: string; where: string }>();

  constructor(private readonly what: string) {}

  /** Record that `model` is `impl`, or say why that contradicts what was seen before. */
  match(model: string, impl: string, where: string): StateDifference | null {
    const known = this.forward.get(model);
    if (known !== undefined && known.impl !== impl)
      return {
        expected: `${where}: ${this.what} ${known.impl}, the one of the ${known.where}`,
        observed: `${this.what} ${impl}`,
        check: `${this.what} kept`,
      };
    const other = this.backward.get(impl);
    if (other !== undefined && other.model !== model)
      return {
        expected: `${where}: ${/^[aeiou]/i.test(this.what) ? 'an' : 'a'} ${this.what} not seen before`,
        observed: `${this.what} ${impl}, the one of the ${other.where}`,
        check: `${this.what} renewed`,
      };
    if (known === undefined) {
      this.forward.set(model, { impl, where });
      this.backward.set(impl, { model, where });
    }
    return null;
  }

  clone(): IdMap {
    const copy = new IdMap(this.what);
    for (const [m, i] of this.forward) copy.forward.set(m, i);
    for (const [i, m] of this.backward) copy.backward.set(i, m);
    return copy;
  }
}

/** The ids a run maps: connections and auth events. */
export interface RunIds {
  connections: IdMap;
  authEvents: IdMap;
}

export function newRunIds(): RunIds {
  return { connections: new IdMap('connection id'), authEvents: new IdMap('authEventId') };
}

export function cloneRunIds(ids: RunIds): RunIds {
  return { connections: ids.connections.clone(), authEvents: ids.authEvents.clone() };
}

const triple = (app: string, tenant: string, user: string) => `${app}/${tenant}/${user}`;
const said = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));

/** The first difference between the model's world and what the implementation shows, or null. */
export function compareState(world: World, seen: Observation, ids: RunIds): StateDifference | null {
  // Apps and tenants: the same names, the same attributes.
  const apps = appIds(world);
  const seenApps = new Map(seen.apps.map((a) => [a.name, a]));
  if (seenApps.size !== apps.length || apps.some((a) => !seenApps.has(a)))
    return {
      expected: `apps ${said([...apps].sort())}`,
      observed: `apps ${said([...seenApps.keys()].sort())}`,
      check: 'GET /sim/state apps',
    };
  for (const name of apps) {
    const model = appRecord(world, name) as App;
    const impl = seenApps.get(name);
    for (const field of ['certified', 'tier', 'custom', 'auth', 'registered'] as const) {
      const expected = model[field] ?? null;
      const observed = impl?.[field] ?? null;
      if (expected !== observed)
        return {
          expected: `app ${name} ${field} ${String(expected)}`,
          observed: `${field} ${String(observed)}`,
          check: 'GET /sim/state apps',
        };
    }
  }
  const tenants = tenantIds(world);
  const seenTenants = new Map(seen.tenants.map((t) => [t.name, t]));
  if (seenTenants.size !== tenants.length || tenants.some((t) => !seenTenants.has(t)))
    return {
      expected: `tenants ${said([...tenants].sort())}`,
      observed: `tenants ${said([...seenTenants.keys()].sort())}`,
      check: 'GET /sim/state tenants',
    };
  const tenantIdsSeen = new Set<string>();
  for (const name of tenants) {
    const kind = tenantRecord(world, name)?.kind;
    const impl = seenTenants.get(name);
    if (impl === undefined) continue;
    if (impl.kind !== kind)
      return { expected: `tenant ${name} kind ${kind}`, observed: `kind ${impl.kind}`, check: 'GET /sim/state tenants' };
    const type = kind === 'practice' ? 'PRACTICE' : 'ORGANISATION';
    if (impl.tenantType !== type)
      return { expected: `tenant ${name} tenantType ${type}`, observed: `tenantType ${impl.tenantType}`, check: 'GET /sim/state tenants' };
    tenantIdsSeen.add(impl.tenantId);
  }

  // Connections: the same (app, tenant, user) triples, ids mapped one to one.
  const held = new Map<string, { app: string; tenant: string; user: string; id: string; authEventId: string }>();
  for (const c of allConnections(world)) held.set(triple(c.app, c.tenant, c.user), { ...c, ...c.connection });
  const shown = new Map(seen.connections.map((c) => [triple(c.app, c.tenant, c.user), c]));
  for (const [k, model] of held) {
    const impl = shown.get(k);
    if (impl === undefined)
      return {
        expected: `a connection of ${model.user} to ${model.app} on ${model.tenant}`,
        observed: 'none',
        check: 'GET /sim/state connections',
      };
    if (tenantIdsSeen.has(impl.id))
      return { expected: `connection id of ${k} not a tenant id`, observed: `the tenant id ${impl.id}`, check: 'connection id' };
    const id = ids.connections.match(model.id, impl.id, `connection of ${model.user} to ${model.app} on ${model.tenant}`);
    if (id !== null) return id;
    const event = ids.authEvents.match(
      model.authEventId,
      impl.authEventId,
      `connection of ${model.user} to ${model.app} on ${model.tenant}`,
    );
    if (event !== null) return event;
  }
  if (shown.size !== held.size || seen.connections.length !== shown.size) {
    const extra = [...shown.keys()].filter((k) => !held.has(k));
    return {
      expected: `${held.size} connections`,
      observed: extra.length > 0 ? `also ${extra.join(', ')}` : `${seen.connections.length} connections (one shown twice)`,
      check: 'GET /sim/state connections',
    };
  }

  // What each token shows: exactly its user's connections to its app, as the state has them.
  const tenantIdOf = new Map(seen.tenants.map((t) => [t.name, t.tenantId]));
  for (const view of seen.views) {
    const own = [...held.values()].filter((c) => c.app === view.app && c.user === view.user);
    const where = `GET /connections of ${view.user}'s token for ${view.app}`;
    if (view.connections === null) {
      if (own.length === 0) continue;
      return { expected: `${where}: ${said(own.map((c) => c.tenant))}`, observed: 'the token refused (401)', check: where };
    }
    const expected = new Map(own.map((c) => [tenantIdOf.get(c.tenant) ?? '', c]));
    const listed = view.connections;
    const wrong = listed.find((c) => {
      const model = expected.get(c.tenantId);
      const impl = model === undefined ? undefined : shown.get(triple(model.app, model.tenant, model.user));
      return impl === undefined || impl.id !== c.id || impl.authEventId !== c.authEventId;
    });
    if (wrong !== undefined || listed.length !== expected.size) {
      const names = (list: Array<{ tenantName: string }>) => said(list.map((c) => c.tenantName).sort());
      return { expected: `${where}: ${said(own.map((c) => c.tenant).sort())}`, observed: names(listed), check: where };
    }
  }
  return null;
}
