/**
 * The other trace shapes of the oracle benchmark, beside the bench trace of `generate.ts`:
 * - `pairs`: 30 apps and 40 tenants, nothing but connects and disconnects (no time, one user);
 * - `world`: a platform's day, 10,000 apps (a few certified on high tiers, most uncertified on
 *   Starter or Core) and 100,000 tenants, some demo or practice tenants, several users per
 *   tenant, consents of several tenants, disconnects, revocations, certifications, tier moves;
 * - `apps`: connects and disconnects spread evenly over N apps and 100,000 tenants (cost per
 *   event against the size of the world);
 * - `consent`: one app, then one consent of N tenants.
 * Deterministic (a seeded PRNG). Every event carries `observed`, the outcome of the fast plain
 * checker (`plain-fast.ts`); the benchmark checks that the model agrees. Files are cached in the
 * temp folder under a name that hashes the sources they depend on.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tier } from '../model/types.ts';
import { LiveSet, mulberry32, pick } from './generate-parts.ts';
import { FastChecker } from './plain-fast.ts';

/** A generated trace file. */
export interface ShapeTrace {
  file: string;
  lines: number;
  bytes: number;
}

type RawEvent = Record<string, unknown>;
const SOURCES = [
  'bench/generate-shapes.ts',
  'bench/generate-parts.ts',
  'bench/plain-fast.ts',
  'model/platform/timeline.ts',
  'model/platform/policies.ts',
];

function cached(name: string, write: (emit: (event: RawEvent) => void) => void): ShapeTrace {
  const hash = createHash('sha1');
  for (const s of SOURCES) hash.update(readFileSync(new URL(`../${s}`, import.meta.url)));
  const file = join(tmpdir(), `xcm-bench-${name}-${hash.digest('hex').slice(0, 10)}.jsonl`);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    let lines = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    return { file, lines, bytes: statSync(file).size };
  }
  const checker = new FastChecker();
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let buffer = '';
  let lines = 0;
  write((event) => {
    const outcomes = checker.outcomes(event);
    const tenants = event.tenants as string[] | undefined;
    event.observed = tenants === undefined ? outcomes[0] : Object.fromEntries(tenants.map((t, k) => [t, outcomes[k]]));
    buffer += `${JSON.stringify(event)}\n`;
    lines++;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  });
  writeSync(fd, buffer);
  closeSync(fd);
  renameSync(tmp, file);
  return { file, lines, bytes: statSync(file).size };
}

const id = (prefix: string, n: number, width: number) => `${prefix}${String(n).padStart(width, '0')}`;

/** 30 apps, 40 tenants: connects (60%) and disconnects, no time, the implicit user. */
export function pairsTrace(events = 1_000_000): ShapeTrace {
  return cached(`pairs-${events}`, (emit) => {
    const rand = mulberry32(30_40);
    for (let i = 0; i < events; i++) {
      const app = id('app', 1 + Math.floor(rand() * 30), 2);
      const tenant = id('t', 1 + Math.floor(rand() * 40), 2);
      emit({ type: rand() < 0.6 ? 'connect' : 'disconnect', app, tenant });
    }
  });
}

/** Connects (70%) and disconnects spread evenly over `apps` apps and 100,000 tenants. */
export function appsTrace(apps: number, events = 100_000): ShapeTrace {
  return cached(`apps-${apps}-${events}`, (emit) => {
    const rand = mulberry32(apps);
    const live = new LiveSet();
    for (let i = 0; i < events; i++) {
      const target = rand() < 0.3 ? live.random(rand) : null;
      if (target !== null) {
        const [app, tenant] = target;
        emit({ type: 'disconnect', app, tenant });
        live.remove(app, tenant, 'user');
        continue;
      }
      const app = id('a', 1 + Math.floor(rand() * apps), 6);
      const tenant = id('t', 1 + Math.floor(rand() * 100_000), 6);
      emit({ type: 'connect', app, tenant });
      live.add(app, tenant, 'user');
    }
  });
}

/** One app, then one consent of `tenants` tenants (the app's cap refuses most of them). */
export function consentTrace(tenants: number): ShapeTrace {
  return cached(`consent-${tenants}`, (emit) => {
    emit({ type: 'app', app: 'big', certified: true, tier: 'advanced' });
    emit({ type: 'connect', app: 'big', tenants: Array.from({ length: tenants }, (_, i) => id('t', i + 1, 6)), user: 'admin' });
  });
}

const DAY_START = Date.parse('2026-05-04T00:00:00Z');

/**
 * A platform's day: `apps` apps and `tenants` tenants, `events` events with increasing times
 * over one day of 2026 (the tiers). App i is chosen with weight 1 / i^0.9, so a few apps hold
 * thousands of tenants; the first 50 are certified on Advanced or Enterprise, the next 450
 * certified on Plus, the rest uncertified (a third on Core).
 */
export function worldTrace(events = 1_000_000, apps = 10_000, tenants = 100_000): ShapeTrace {
  return cached(`world-${events}-${apps}-${tenants}`, (emit) => {
    const rand = mulberry32(10_000_100);
    const cumulative = new Float64Array(apps);
    let sum = 0;
    for (let k = 0; k < apps; k++) {
      sum += 1 / (k + 1) ** 0.9;
      cumulative[k] = sum;
    }
    const chooseApp = () => {
      const x = rand() * sum;
      let lo = 0;
      let hi = apps - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cumulative[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      return lo + 1;
    };
    const declared = new Set<number>();
    const seenTenants = new Set<number>();
    const live = new LiveSet();
    let lines = 0;
    const at = () => ({ at: new Date(DAY_START + Math.floor((lines * 86_400_000) / events)).toISOString() });
    const out = (event: RawEvent) => {
      emit(event);
      lines++;
    };
    const appId = (i: number) => id('app', i, 5);
    const tenantId = (t: number) => id('org', t, 6);
    const useApp = (i: number) => {
      if (declared.has(i)) return;
      declared.add(i);
      const tier: Tier | undefined =
        i <= 50 ? (i % 5 === 0 ? 'enterprise' : 'advanced') : i <= 500 ? 'plus' : i % 3 === 0 ? 'core' : undefined;
      out({ type: 'app', app: appId(i), ...(i <= 500 ? { certified: true } : {}), ...(tier === undefined ? {} : { tier }), ...at() });
    };
    const useTenant = (t: number) => {
      if (seenTenants.has(t)) return;
      seenTenants.add(t);
      if (t % 20 === 0) out({ type: 'tenant', tenant: tenantId(t), kind: t % 40 === 0 ? 'demo' : 'practice', ...at() });
    };
    const chooseTenant = () => 1 + Math.floor(rand() * tenants);
    const userOf = (t: number) => (rand() < 0.85 ? `u${t}` : `u${t}b`);
    while (lines < events) {
      const r = rand();
      const target = r >= 0.62 && r < 0.97 ? live.random(rand) : null;
      if (target !== null && r < 0.96) {
        const [app, tenant, user] = target;
        out({ type: 'disconnect', app, tenant, user, ...at() });
        live.remove(app, tenant, user);
      } else if (target !== null) {
        const [app, , user] = target;
        out({ type: 'revoke', app, user, ...at() });
        live.revoke(app, user);
      } else if (r >= 0.97 && r < 0.98) {
        const i = chooseApp();
        useApp(i);
        out({ type: 'certify', app: appId(i), ...at() });
      } else if (r >= 0.98 && r < 0.99) {
        const i = chooseApp();
        useApp(i);
        out({ type: 'tier', app: appId(i), tier: pick(['starter', 'core', 'core', 'plus'] as const, rand), ...at() });
      } else {
        const i = chooseApp();
        useApp(i);
        const first = chooseTenant();
        const several = rand() < 0.08 ? [...new Set([first, first + 1, chooseTenant()].map((t) => 1 + ((t - 1) % tenants)))] : [first];
        for (const t of several) useTenant(t);
        const user = userOf(first);
        const event: RawEvent =
          several.length === 1
            ? { type: 'connect', app: appId(i), tenant: tenantId(first), user, ...at() }
            : { type: 'connect', app: appId(i), tenants: several.map(tenantId), user, ...at() };
        out(event);
        const observed = event.observed;
        for (const t of several) {
          const o = typeof observed === 'string' ? observed : (observed as Record<string, string>)[tenantId(t)];
          if (o === 'connected') live.add(appId(i), tenantId(t), user);
        }
      }
    }
  });
}
