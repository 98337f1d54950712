import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Connection, Tenant } from '../types.ts';
import * as W from './world.ts';

/** The world as plain records updated by spreads: what the persistent world must read as. */
type Records = { tenants: Record<string, Tenant>; links: Record<string, Record<string, Record<string, Connection>>> };

function plainWith(r: Records, app: string, tenant: string, user: string, c: Connection): Records {
  const appLinks = r.links[app] ?? {};
  return { ...r, links: { ...r.links, [app]: { ...appLinks, [tenant]: { ...appLinks[tenant], [user]: c } } } };
}

function plainWithout(r: Records, app: string, tenant: string, user: string): Records {
  const appLinks = r.links[app] ?? {};
  const users = appLinks[tenant];
  if (users?.[user] === undefined) return r;
  const { [user]: _gone, ...rest } = users;
  const { [tenant]: _t, ...others } = appLinks;
  return { ...r, links: { ...r.links, [app]: Object.keys(rest).length === 0 ? others : { ...others, [tenant]: rest } } };
}

const apps = ['A', 'B', '7'];
const tenants = ['T1', '2', 'T3', '10', 'T5'];
const users = ['u', '3', 'w'];
const op = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('connect' as const),
      app: fc.constantFrom(...apps),
      tenant: fc.constantFrom(...tenants),
      user: fc.constantFrom(...users),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('disconnect' as const),
      app: fc.constantFrom(...apps),
      tenant: fc.constantFrom(...tenants),
      user: fc.constantFrom(...users),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('revoke' as const), app: fc.constantFrom(...apps), user: fc.constantFrom(...users) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tenant' as const), tenant: fc.constantFrom(...tenants), demo: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('spread' as const), json: fc.boolean() }) },
);

describe('the persistent world', () => {
  it('should read exactly as plain records updated by spreads, key order included, and never change an earlier world', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 60, size: 'max' }), (ops) => {
        let world = W.EMPTY_WORLD;
        let plain: Records = { tenants: {}, links: {} };
        const history: Array<[W.World, string]> = [];
        ops.forEach((o, i) => {
          const c: Connection = { id: `c${i}`, authEventId: 'e1', createdDateUtc: null, updatedDateUtc: null };
          if (o.kind === 'connect') {
            world = W.withConnection(world, o.app, o.tenant, o.user, c, i);
            plain = plainWith(plain, o.app, o.tenant, o.user, c);
          }
          if (o.kind === 'disconnect') {
            world = W.withoutConnection(world, o.app, o.tenant, o.user);
            plain = plainWithout(plain, o.app, o.tenant, o.user);
          }
          if (o.kind === 'revoke') {
            world = W.withoutUserOfApp(world, o.app, o.user);
            for (const t of Object.keys(plain.links[o.app] ?? {})) plain = plainWithout(plain, o.app, t, o.user);
          }
          if (o.kind === 'tenant') {
            const t: Tenant = { id: o.tenant, kind: o.demo ? 'demo' : 'organisation' };
            world = W.withTenant(world, t);
            plain = { ...plain, tenants: { ...plain.tenants, [t.id]: t } };
          }
          if (o.kind === 'spread') world = o.json ? (JSON.parse(JSON.stringify(world)) as W.World) : { ...world, apps: { ...world.apps } };
          expect(JSON.stringify({ tenants: world.tenants, links: world.links })).toBe(JSON.stringify(plain));
          for (const a of apps) {
            expect(Object.keys(W.linksOf(world, a))).toEqual(Object.keys(plain.links[a] ?? {}));
            expect(W.linkedTenantCount(world, a)).toBe(Object.keys(plain.links[a] ?? {}).length);
            for (const t of tenants) for (const u of users) expect(W.connectionOf(world, a, t, u)).toEqual(plain.links[a]?.[t]?.[u]);
          }
          for (const t of tenants) {
            const on: string[] = [];
            W.forEachAppOn(world, t, (a) => on.push(a));
            expect(on.sort()).toEqual(apps.filter((a) => plain.links[a]?.[t] !== undefined).sort());
            expect(W.tenantRecord(world, t)).toEqual(plain.tenants[t]);
          }
          expect([...W.allConnections(world)].map((x) => `${x.app}/${x.tenant}/${x.user}/${x.connection.id}`)).toEqual(
            Object.entries(plain.links).flatMap(([a, ts]) =>
              Object.entries(ts).flatMap(([t, us]) => Object.entries(us).map(([u, x]) => `${a}/${t}/${u}/${x.id}`)),
            ),
          );
          history.push([world, JSON.stringify(world)]);
        });
        for (const [earlier, json] of history) expect(JSON.stringify(earlier)).toBe(json);
      }),
      { seed: 20200210, numRuns: 120 },
    );
  });

  it('should refuse writes to its records', () => {
    const world = W.withTenant(W.EMPTY_WORLD, { id: 'T', kind: 'organisation' });
    expect(() => {
      (world.tenants as Record<string, Tenant>).U = { id: 'U', kind: 'demo' };
    }).toThrow(TypeError);
    expect(world.tenants.U).toBeUndefined();
  });
});
