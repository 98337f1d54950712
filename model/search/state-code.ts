/**
 * The code of a state for exhaustive search: what decides the future and nothing else. Per app,
 * its lifecycle (tier, certified, custom, protocol); per (app, tenant), which users connect it.
 * Connection ids, authEventIds, serials and timestamps are dropped: no rule reads them, and the
 * one invariant that reads an authEventId compares it with the serial of the same step. The kinds
 * of apps and tenants are fixed by the arena, so they are not coded per state.
 * @module
 */
import type { Arena } from './bounds.ts';
import { TIERS } from '../types.ts';
import { appRecord, sameApps, sameLinksOf, usersOf, type World } from '../world/world.ts';

/** The encoding of one state: a lifecycle code per app and a user mask per (app, tenant). */
export interface Code {
  /** Per app: tier + 5 certified + 10 custom + 20 OAuth 1.0a (6 bits). */
  life: number[];
  /** Per (app, tenant), index `app * tenants + tenant`: bit u set when user u is connected. */
  cells: number[];
}

/** Bits of one app's lifecycle code. */
export const LIFE_BITS = 6;

/** Each app's lifecycle code in a world: tier + 6 certified + 12 custom + 24 OAuth 1.0a. */
export function lifeCode(world: World, appIds: readonly string[]): number[] {
  return appIds.map((id) => {
    const app = appRecord(world, id);
    if (app === undefined) return 2 ** LIFE_BITS - 1;
    // Six tier values (five declared, or none), then the flags: at most 47 < 2 ** LIFE_BITS - 1.
    const tier = app.tier === null ? TIERS.length : TIERS.indexOf(app.tier);
    return tier + (app.certified ? 6 : 0) + (app.custom ? 12 : 0) + (app.auth === 'oauth1' ? 24 : 0);
  });
}

/** Codes the worlds of one arena. */
export class WorldCoder {
  private readonly apps: number;
  private readonly tenants: number;
  private readonly userIndex: Map<string, number>;

  constructor(private readonly arena: Arena) {
    this.apps = arena.appIds.length;
    this.tenants = arena.tenantIds.length;
    this.userIndex = new Map(arena.userIds.map((u, i) => [u, i]));
  }

  /** The code of a world; rows and lifecycles unchanged since `previous` are reused. */
  code(world: World, previous?: { world: World; code: Code }): Code {
    return this.codeInto(world, previous, { life: [], cells: new Array<number>(this.apps * this.tenants) });
  }

  /**
   * `code` written into `out` (whose arrays it overwrites; `out.life` may become `previous`'s),
   * for a code that is read once and dropped: no allocation when the lifecycles are unchanged.
   */
  codeInto(world: World, previous: { world: World; code: Code } | undefined, out: Code): Code {
    const { appIds, tenantIds } = this.arena;
    out.life = previous !== undefined && sameApps(previous.world, world) ? previous.code.life : lifeCode(world, appIds);
    const cells = out.cells;
    for (let a = 0; a < this.apps; a++) {
      const id = appIds[a] ?? '';
      const base = a * this.tenants;
      if (previous !== undefined && sameLinksOf(previous.world, world, id)) {
        for (let t = 0; t < this.tenants; t++) cells[base + t] = previous.code.cells[base + t] ?? 0;
        continue;
      }
      for (let t = 0; t < this.tenants; t++) {
        let mask = 0;
        for (const user of usersOf(world, id, tenantIds[t] ?? '')) {
          const u = this.userIndex.get(user);
          if (u === undefined) throw new Error(`state key: user ${user} is outside the bounds`);
          mask |= 1 << u;
        }
        cells[base + t] = mask;
      }
    }
    return out;
  }
}
