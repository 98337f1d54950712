/**
 * A realistic trace for the oracle benchmark: 1,000,000 JSON Lines events over 100 apps (mostly
 * uncertified; some certified, custom and OAuth 1.0a; a few registered after the 2026 cutoff)
 * and 2,000 tenants (some demo, some practice), from December 2019 to mid-2027, so the timeline
 * switches policy (the bug window included). Deterministic: a seeded PRNG, never Math.random.
 * Every event carries `observed`, the outcome of the independent reference implementation driven
 * with the policy the driver would choose (`plain.ts`), so `check` does its full comparison work.
 * The file is cached in the temp folder under a name that hashes the sources it depends on.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUG_WINDOW } from '../model/platform/timeline.ts';
import type { Tier } from '../model/types.ts';
import { LiveSet, mulberry32, NzTime, pick } from './generate-parts.ts';
import { PlainChecker, type RawEvent } from './plain.ts';

/** What the generator wrote. */
interface GeneratedTrace {
  file: string;
  lines: number;
  bytes: number;
  /** Whether an identical earlier file was reused. */
  reused: boolean;
}

const SEED = 20200210;
const TENANTS = 2000;
const USERS = 6;
const START = Date.parse('2019-12-01T00:00:00Z');
const END = Date.parse('2027-06-01T00:00:00Z');
const TIERS_FROM = Date.parse('2025-06-01T00:00:00Z');
const BUG_EVENTS = 3000;
const SOURCES = [
  'bench/generate.ts',
  'bench/generate-parts.ts',
  'bench/plain.ts',
  'properties/reference.ts',
  'model/platform/timeline.ts',
  'model/platform/policies.ts',
];
const TIER_CHOICES: readonly Tier[] = ['starter', 'core', 'core', 'core', 'plus', 'plus', 'advanced', 'enterprise'];

type Kind = 'uncertified' | 'certified' | 'custom' | 'oauth1';
interface GenApp {
  id: string;
  kind: Kind;
  pool: string[];
  user: string;
  registered: number | null;
}

/** The cached file for `events` events, named by a hash of the generator and what it reads. */
function tracePath(events: number): string {
  const hash = createHash('sha1');
  for (const s of SOURCES) hash.update(readFileSync(new URL(`../${s}`, import.meta.url)));
  return join(tmpdir(), `xcm-bench-${events}-${SEED}-${hash.digest('hex').slice(0, 10)}.jsonl`);
}

const id = (prefix: string, n: number, width: number) => `${prefix}${String(n).padStart(width, '0')}`;

function makeApps(rand: () => number): GenApp[] {
  return Array.from({ length: 100 }, (_, k) => {
    const i = k + 1;
    const kind: Kind = i % 10 === 3 ? 'certified' : i % 25 === 7 ? 'custom' : i % 33 === 5 ? 'oauth1' : 'uncertified';
    const size = kind === 'certified' ? 40 + Math.floor(rand() * 80) : kind === 'custom' ? 2 : 8 + Math.floor(rand() * 34);
    const offset = Math.floor(rand() * TENANTS);
    const pool = Array.from({ length: size }, (_, j) => id('t', 1 + ((offset + j * 7) % TENANTS), 4));
    // Five uncertified apps register after the 2026 cutoff: on the tiers from the start.
    const registered = kind === 'uncertified' && i > 90 && i % 2 === 0 ? Date.parse('2025-12-10T00:00:00Z') : null;
    return { id: id('app', i, 3), kind, pool, user: `u${1 + (i % USERS)}`, registered };
  });
}

function declaration(app: GenApp): RawEvent {
  const event: RawEvent = { type: 'app', app: app.id };
  if (app.kind === 'certified') event.certified = true;
  if (app.kind === 'custom') event.custom = true;
  if (app.kind === 'oauth1') event.auth = 'oauth1';
  if (app.registered !== null) event.registered = new Date(app.registered).toISOString().slice(0, 10);
  return event;
}

/** Generate (or reuse) the benchmark trace of `events` lines. */
export function generateTrace(events = 1_000_000, progress?: (lines: number, live: number) => void): GeneratedTrace {
  const file = tracePath(events);
  if (existsSync(file)) return { file, lines: events, bytes: statSync(file).size, reused: true };
  const rand = mulberry32(SEED);
  const apps = makeApps(rand);
  const declared = new Set<string>();
  const checker = new PlainChecker();
  const live = new LiveSet();
  const time = new NzTime(START, END, Date.parse(BUG_WINDOW.start), Date.parse(BUG_WINDOW.end), BUG_EVENTS);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let buffer = '';
  let lines = 0;
  const emit = (event: RawEvent) => {
    const outcomes = checker.step(event);
    if (event.type === 'connect') {
      const tenants = (event.tenants as string[] | undefined) ?? [event.tenant as string];
      tenants.forEach((t, k) => {
        if (outcomes[k] === 'connected') live.add(event.app as string, t, (event.user as string | undefined) ?? 'user');
      });
      event.observed = tenants.length === 1 ? outcomes[0] : Object.fromEntries(tenants.map((t, k) => [t, outcomes[k]]));
    } else {
      event.observed = outcomes[0];
      if (event.type === 'disconnect' && outcomes[0] === 'disconnected')
        live.remove(event.app as string, event.tenant as string, (event.user as string | undefined) ?? 'user');
      if (event.type === 'revoke') live.revoke(event.app as string, (event.user as string | undefined) ?? 'user');
    }
    buffer += `${JSON.stringify(event)}\n`;
    lines++;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
    if (progress !== undefined && lines % 100_000 === 0) progress(lines, live.size);
  };
  const declare = (app: GenApp, atMs: number) => {
    declared.add(app.id);
    emit({ ...declaration(app), at: time.format(atMs, rand) });
  };

  for (const app of apps) if (app.registered === null) declare(app, START);
  for (let t = 1; t <= TENANTS; t++) {
    const r = rand();
    emit({ type: 'tenant', tenant: id('t', t, 4), kind: r < 0.05 ? 'demo' : r < 0.15 ? 'practice' : 'organisation' });
  }
  // Popular apps first: app i is chosen with weight 1 / i^0.7.
  const cumulative: number[] = [];
  apps.reduce((sum, _, k) => {
    cumulative.push(sum + 1 / (k + 1) ** 0.7);
    return sum + 1 / (k + 1) ** 0.7;
  }, 0);
  const total = cumulative[cumulative.length - 1] ?? 1;
  const chooseApp = (): GenApp => {
    for (;;) {
      const x = rand() * total;
      const app = apps[cumulative.findIndex((c) => c >= x)];
      if (app !== undefined && declared.has(app.id)) return app;
    }
  };

  const body = events - lines;
  for (let i = 0; lines < events; i++) {
    const atMs = time.at(i, body);
    const late = apps.find((a) => a.registered !== null && !declared.has(a.id) && atMs >= a.registered);
    if (late !== undefined) {
      declare(late, atMs);
      continue;
    }
    const at = rand() < 0.75 ? { at: time.format(atMs, rand) } : {};
    const app = chooseApp();
    const tenant = pick(app.pool, rand);
    // Mostly the app's usual user; sometimes another, sometimes none named (the implicit user).
    const u = rand();
    const who = u < 0.8 ? { user: app.user } : u < 0.95 ? { user: pick(['u1', 'u2', 'u3', 'u4', 'u5', 'u6'], rand) } : {};
    const r = rand();
    if (r < 0.66) {
      const several =
        rand() < 0.1 ? [...new Set(Array.from({ length: 2 + Math.floor(rand() * 3) }, () => pick(app.pool, rand)))] : [tenant];
      emit(
        several.length === 1
          ? { type: 'connect', app: app.id, tenant, ...who, ...at }
          : { type: 'connect', app: app.id, tenants: several, ...who, ...at },
      );
    } else if (r < 0.9) {
      const target = rand() < 0.8 ? live.random(rand) : null;
      const [a, t, user] = target ?? [app.id, tenant, who.user ?? 'user'];
      emit({ type: 'disconnect', app: a, tenant: t, ...(user === 'user' ? {} : { user }), ...at });
    } else if (r < 0.96) {
      const target = rand() < 0.8 ? live.random(rand) : null;
      const [a, , user] = target ?? [app.id, '', who.user ?? 'user'];
      emit({ type: 'revoke', app: a, ...(user === 'user' ? {} : { user }), ...at });
    } else if (r < 0.97) {
      emit({ type: 'certify', app: app.id, ...at });
    } else if (r < 0.985 && atMs >= TIERS_FROM) {
      emit({ type: 'tier', app: app.id, tier: pick(TIER_CHOICES, rand), ...at });
    } else {
      emit({ type: 'connect', app: app.id, tenant, ...who, ...at });
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
  renameSync(tmp, file);
  return { file, lines, bytes: statSync(file).size, reused: false };
}
