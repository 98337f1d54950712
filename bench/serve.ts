/**
 * The load benchmark of `xcm serve`: consents per second over HTTP, with 1, 8 and 64 concurrent
 * keep-alive clients, the simulator in memory and on SQLite (`--db`, a temporary file), beside the
 * floor: a bare Node `http` server answering a constant JSON of the same shape, driven by the same
 * client code. Every server is its own child process (the built `dist/bin/xcm.js`, plain node), so
 * the load generator never shares a server's event loop. Prints requests per second, p50 and p99
 * latency, the outcome mix, and the issue's target (on SQLite, at 8 clients, at least a third of
 * the bare server's requests per second) as MET or MISSED; asserts nothing.
 *
 * Alone: `npm run build && npx tsx bench/serve.ts` (`npm run bench` runs it as its own section).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { random } from '../server/test-client.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const XCM = join(ROOT, 'dist/bin/xcm.js');

/** On SQLite at 8 clients, the simulator should reach this fraction of the bare server's req/s. */
const TARGET_FRACTION_OF_BARE = 1 / 3;
const TARGET_CLIENTS = 8;
const CLIENTS = [1, 8, 64] as const;
/** Each configuration runs for this long in all (after reset and registration, untimed). */
const SECONDS = 3;
/**
 * ...in this many slices, taken in turn with the other servers' at the same client count (bare,
 * in memory, SQLite, SQLite full, then again): a burst of other work on the machine then slows
 * every server's row alike, not the one that happened to run during it.
 */
const SLICES = 6;
/** Before the first measured configuration, each server runs this long at 8 clients (then reset). */
const WARM_UP_SECONDS = 0.5;

/**
 * The workload, deliberately a mix: 50 apps, 40 of them certified (no cap, not counted by an
 * organisation's limit) and 10 uncertified, 500 organisations, 5 users per app; each consent a
 * seeded random (app, user, one tenant). Four in five consents go to certified apps and connect
 * (a few reconnect: the same user, app and tenant again); one in five goes to an uncertified app,
 * and those reach their cap within the first few hundred consents, so from then on about a fifth
 * of the consents are refused at the app cap, whatever the speed. Small enough that registering
 * everything again after each reset stays a few seconds on SQLite (one fsync per registration).
 */
const APPS = 50;
const UNCERTIFIED_EVERY = 5;
const TENANTS = 500;
const USERS_PER_APP = 5;
const SEED = 11;

/** The floor: a bare `http` server that reads the body and answers one constant JSON. */
const BARE_SERVER = `
const http = require('node:http');
const body = ${JSON.stringify(
  JSON.stringify({
    authEventId: '82de49de-463d-41a1-960b-ca64ccccc535',
    outcomes: { t1: 'connected' },
    code: 'd6Aae2nAU8GOrobDHNVFfu_70OGGCNrW',
  }),
)};
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('listening on http://127.0.0.1:' + server.address().port + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A server under test, in its own process. */
interface Target {
  label: string;
  /** Whether it is the simulator (reset and registration between configurations). */
  simulator: boolean;
  child: ChildProcess;
  url: URL;
  agent?: Agent;
}

const children = new Set<ChildProcess>();
/** The last resort: whatever is still running when this process exits is killed. */
const killLeftovers = () => {
  for (const child of children) child.kill('SIGKILL');
};

/** Spawn a server and resolve with its URL once it prints `listening on URL`. */
function start(label: string, args: readonly string[], simulator: boolean): Promise<Target> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${label}: no "listening on" line within 15 s; stderr: ${err.slice(0, 400)}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^listening on (\S+)\n/m.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ label, simulator, child, url: new URL(m[1] as string) });
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited (${signal ?? code}) before listening; stderr: ${err.slice(0, 400)}`));
    });
  });
}

/** SIGTERM every child (each closes its server and database), SIGKILL any still running after 3 s. */
async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** One request on the target's keep-alive agent: the status and the body text. */
function send(target: Target, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = request(
      {
        host: target.url.hostname,
        port: target.url.port,
        method,
        path,
        headers,
        ...(target.agent === undefined ? {} : { agent: target.agent }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const appName = (i: number) => `app-${i}`;
const tenantName = (i: number) => `org-${i}`;

/** `count` calls of `run(i)`, at most `concurrency` at a time. */
async function pool(count: number, concurrency: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await run(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function expect(target: Target, method: string, path: string, body: string | undefined, status: number[]): Promise<void> {
  const answer = await send(target, method, path, body);
  if (!status.includes(answer.status))
    throw new Error(
      `${target.label}: ${method} ${path}: status ${answer.status}, expected ${status.join(' or ')}: ${answer.text.slice(0, 200)}`,
    );
}

/** The simulator emptied, then the apps and tenants registered (untimed). */
async function prepare(target: Target): Promise<void> {
  if (!target.simulator) return;
  await expect(target, 'POST', '/sim/reset', undefined, [204]);
  await pool(APPS, 8, (i) =>
    expect(target, 'PUT', `/sim/apps/${appName(i)}`, JSON.stringify(i % UNCERTIFIED_EVERY === 0 ? {} : { certified: true }), [201]),
  );
  await pool(TENANTS, 8, (i) => expect(target, 'PUT', `/sim/tenants/${tenantName(i)}`, '{}', [201]));
}

/**
 * Open the agent's `clients` sockets before the clock starts (one 404 each, `GET /bench/connect`):
 * the rows measure requests on open keep-alive connections, not TCP set-up while the server is busy.
 */
async function connect(target: Target, clients: number): Promise<void> {
  await Promise.all(Array.from({ length: clients }, () => send(target, 'GET', '/bench/connect')));
}

interface Measured {
  requests: number;
  seconds: number;
  latenciesMs: Float64Array;
  /** Outcome (or `HTTP status` for a non-200) to count. */
  outcomes: Map<string, number>;
}

/**
 * `clients` workers, each sending consents back to back on its own keep-alive socket, for `seconds`;
 * added to `into` when given (a configuration's earlier slices, which drew from the same `rng`).
 */
async function load(
  target: Target,
  clients: number,
  seconds: number,
  rng = random(SEED + clients),
  into: { latencies: number[]; outcomes: Map<string, number>; seconds: number } = { latencies: [], outcomes: new Map(), seconds: 0 },
): Promise<Measured> {
  const { latencies, outcomes } = into;
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  const started = process.hrtime.bigint();
  const end = started + BigInt(Math.round(seconds * 1e9));
  const worker = async () => {
    while (process.hrtime.bigint() < end) {
      const app = Math.floor(rng() * APPS);
      const body = JSON.stringify({
        app: appName(app),
        user: `user-${app}-${Math.floor(rng() * USERS_PER_APP)}`,
        tenants: [tenantName(Math.floor(rng() * TENANTS))],
      });
      const t0 = process.hrtime.bigint();
      const answer = await send(target, 'POST', '/sim/consent', body);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (answer.status !== 200) {
        count(`HTTP ${answer.status}`);
        continue;
      }
      const reply = JSON.parse(answer.text) as { outcomes: Record<string, string> };
      for (const outcome of Object.values(reply.outcomes)) count(outcome);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  into.seconds += Number(process.hrtime.bigint() - started) / 1e9;
  return { requests: latencies.length, seconds: into.seconds, latenciesMs: Float64Array.from(latencies).sort(), outcomes };
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

function mix(m: Measured, simulator: boolean): string {
  if (!simulator) return '(constant answer)';
  const short = (k: string) => k.replace(/^rejected:/, '');
  return [...m.outcomes]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${short(k)} ${((100 * n) / m.requests).toFixed(0)}%`)
    .join(', ');
}

/** Run the load benchmark and print its section. Every child process is stopped at the end, also on error. */
export async function benchServe(): Promise<void> {
  console.log('== serve: consents per second over HTTP (each server its own process; keep-alive clients) ==');
  if (!existsSync(XCM)) throw new Error(`${XCM} is missing: run npm run build first`);
  const began = process.hrtime.bigint();
  const dir = mkdtempSync(join(os.tmpdir(), 'xcm-bench-serve-'));
  process.once('exit', killLeftovers);
  // Interrupted (Ctrl-C, or a signal to this process alone): every server told to stop, then out.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const targets: Target[] = [];
  try {
    targets.push(await start('bare node http (floor)', ['-e', BARE_SERVER], false));
    targets.push(await start('xcm serve (in memory)', [XCM, 'serve', '--port', '0'], true));
    targets.push(await start('xcm serve (SQLite)', [XCM, 'serve', '--port', '0', '--db', join(dir, 'sim.db')], true));
    targets.push(
      await start('xcm serve (SQLite, full)', [XCM, 'serve', '--port', '0', '--db', join(dir, 'full.db'), '--sync', 'full'], true),
    );
    console.log(
      `workload: POST /sim/consent {app, user, tenants: [one]}, seeded random over ${fmt(APPS)} apps (1 in ${UNCERTIFIED_EVERY} uncertified), ${USERS_PER_APP} users per app, ${fmt(TENANTS)} organisations`,
    );
    console.log(
      `  ${SECONDS} s per configuration in ${SLICES} slices taken in turn with the other servers', after POST /sim/reset and registering every app and tenant (untimed); ${WARM_UP_SECONDS} s warm-up per server first`,
    );
    console.log(
      `  SQLite: ${join(dir, 'sim.db')} (WAL, --sync normal: survives kill -9) and full.db (--sync full: an fsync per commit, survives a power cut); group commit, one commit per turn of the event loop; load average before: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${os.cpus().length} CPUs`,
    );
    for (const target of targets) {
      target.agent = new Agent({ keepAlive: true, maxSockets: TARGET_CLIENTS });
      await prepare(target);
      await load(target, TARGET_CLIENTS, WARM_UP_SECONDS);
      target.agent.destroy();
    }
    console.log(
      `  ${'server'.padEnd(24)} ${'clients'.padStart(7)} ${'requests'.padStart(9)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'vs bare'.padStart(7)}  outcomes`,
    );
    const rps = new Map<string, number>();
    // Interleaved by client count, and each configuration in slices taken in turn, so that the rows
    // compared with each other ran close in time.
    for (const clients of CLIENTS) {
      const runs = [];
      for (const target of targets) {
        target.agent = new Agent({ keepAlive: true, maxSockets: clients });
        await prepare(target);
        await connect(target, clients);
        runs.push({ target, rng: random(SEED + clients), into: { latencies: [], outcomes: new Map<string, number>(), seconds: 0 } });
      }
      const measured = new Map<Target, Measured>();
      for (let slice = 0; slice < SLICES; slice++)
        for (const run of runs) measured.set(run.target, await load(run.target, clients, SECONDS / SLICES, run.rng, run.into));
      for (const target of targets) {
        target.agent?.destroy();
        const m = measured.get(target) as Measured;
        const perSecond = m.requests / m.seconds;
        rps.set(`${target.label}/${clients}`, perSecond);
        const bare = rps.get(`${targets[0]?.label}/${clients}`) ?? perSecond;
        console.log(
          `  ${target.label.padEnd(24)} ${String(clients).padStart(7)} ${fmt(m.requests).padStart(9)} ${fmt(perSecond).padStart(8)} ${ms(percentile(m.latenciesMs, 0.5)).padStart(7)} ${ms(percentile(m.latenciesMs, 0.99)).padStart(7)} ${`${(perSecond / bare).toFixed(2)}x`.padStart(7)}  ${mix(m, target.simulator)}`,
        );
      }
    }
    const sqlite = rps.get(`xcm serve (SQLite)/${TARGET_CLIENTS}`) ?? 0;
    const bare = rps.get(`bare node http (floor)/${TARGET_CLIENTS}`) ?? 1;
    const ratio = sqlite / bare;
    console.log(
      `target: on SQLite at ${TARGET_CLIENTS} clients, at least ${(100 * TARGET_FRACTION_OF_BARE).toFixed(0)}% of the bare server's req/s: ${(100 * ratio).toFixed(1)}% (${fmt(sqlite)} of ${fmt(bare)} req/s) ${ratio >= TARGET_FRACTION_OF_BARE ? 'MET' : 'MISSED'}`,
    );
    console.log(
      `  load average after: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (the load generator shares the CPUs with the servers; other work on the machine slows every row)`,
    );
    console.log(`  section took ${(Number(process.hrtime.bigint() - began) / 1e9).toFixed(0)} s`);
  } finally {
    for (const target of targets) target.agent?.destroy();
    await stopAll();
    process.off('exit', killLeftovers);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await benchServe();
