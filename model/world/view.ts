/**
 * Read-only record views of the world's persistent maps. A view behaves as the plain record it
 * stands for (indexing, `in`, `Object.keys`/`values`/`entries`, spread, `JSON.stringify`, deep
 * equality in tests, key order included), builds nothing until it is enumerated, and refuses
 * writes, as the world is immutable. One view per map, cached on the map.
 * @module
 */
import { inspect } from 'node:util';
import { pget, pkeys, type PMap } from './pmap.ts';

/** The key under which a view hands back the map it shows (for worlds rebuilt by a spread). */
export const VIEW_SOURCE: unique symbol = Symbol('world view source');

/** What a view stands on: the map and how its values are shown. */
class Target<V, R> {
  constructor(
    readonly map: PMap<V>,
    readonly project: (value: V) => R,
  ) {}

  /**
   * What `util.inspect` and `console.log` show: they look up this method on a proxy's target,
   * not through its traps, and call it on the proxy, whose spread is the plain record.
   */
  [inspect.custom](depth: number, options: object): string {
    return inspect({ ...this }, { ...options, depth });
  }
}

const handler: ProxyHandler<Target<unknown, unknown>> = {
  get(t, key, receiver) {
    if (key === VIEW_SOURCE) return t.map;
    if (typeof key === 'string') {
      const value = pget(t.map, key);
      if (value !== undefined) return t.project(value);
    }
    return key === inspect.custom ? undefined : Reflect.get(Object.prototype, key, receiver);
  },
  has(t, key) {
    return (typeof key === 'string' && pget(t.map, key) !== undefined) || key in Object.prototype;
  },
  ownKeys(t) {
    return [...pkeys(t.map)];
  },
  getOwnPropertyDescriptor(t, key) {
    if (typeof key !== 'string') return undefined;
    const value = pget(t.map, key);
    return value === undefined ? undefined : { value: t.project(value), writable: true, enumerable: true, configurable: true };
  },
  getPrototypeOf() {
    return Object.prototype;
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
};

/** The record view of a map, each value shown through `project`. */
export function recordView<V, R>(map: PMap<V>, project: (value: V) => R): Readonly<Record<string, R>> {
  map.memo ??= {};
  const memo = map.memo;
  if (memo.view === undefined) {
    memo.view = new Proxy(new Target(map, project) as Target<unknown, unknown>, handler);
  }
  return memo.view as Readonly<Record<string, R>>;
}

/** The map a record view shows, or undefined for any other object. */
export function viewSource<V>(record: object): PMap<V> | undefined {
  return (record as { [VIEW_SOURCE]?: PMap<V> })[VIEW_SOURCE];
}
