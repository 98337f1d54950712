import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkFile } from '../model/oracle/oracle.ts';
import { client } from './test-client.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'xcm-serve-db-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `xcm serve` in a child process; resolves with its URL once it prints the first line. */
function start(db: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/xcm.ts', 'serve', '--db', db, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  children.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => resolve(line.replace(/^listening on /, '')));
    exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  // A server that refuses to start never prints a URL: that is no unhandled failure of the test file.
  url.catch(() => undefined);
  return { child, url, exited, stderr: () => stderr };
}

const TENANTS = Array.from({ length: 30 }, (_, i) => `org-${i}`);

/**
 * Consents streamed 4 at a time until `killAfter` are acknowledged, then `kill -9`; a restart on
 * the same file; what the restarted server holds.
 */
async function killMidStream(db: string, env: Record<string, string> = {}, killAfter = 40) {
  const first = start(db, env);
  const sim = client(await first.url);
  await sim.clock('2024-05-01T09:00:00+12:00');
  for (const app of ['a1', 'a2', 'a3']) await sim.putApp(app);
  for (const t of TENANTS) await sim.putTenant(t);
  const acknowledged: string[] = [];
  let sent = 0;
  let killed = false;
  const worker = async () => {
    while (!killed) {
      const i = sent++;
      const app = ['a1', 'a2', 'a3'][i % 3] as string;
      const tenant = TENANTS[(i * 7) % TENANTS.length] as string;
      try {
        const answer = await sim.consent(app, `u${i}`, [tenant]);
        if (answer.status === 200 && answer.body.outcomes[tenant] === 'connected') acknowledged.push(`${app}/${tenant}/u${i}`);
      } catch {
        // The connection dropped: the server was killed mid-request, nothing acknowledged.
        return;
      }
      if (acknowledged.length >= killAfter && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await first.exited;
  const second = start(db);
  const again = client(await second.url);
  const state = (await again.state()).body;
  const held = new Set(state.connections.map((c) => `${c.app}/${c.tenant}/${c.user}`));
  const perApp = (app: string) => new Set(state.connections.filter((c) => c.app === app).map((c) => c.tenant)).size;
  const trace = join(TMP, `trace-${Math.random()}.jsonl`);
  writeFileSync(trace, (await again.trace()).text);
  return {
    second,
    again,
    lost: acknowledged.filter((k) => !held.has(k)),
    acknowledged: acknowledged.length,
    maxPerApp: Math.max(...['a1', 'a2', 'a3'].map(perApp)),
    traceOk: (await checkFile(trace)).ok,
    clock: state.clock,
  };
}

describe('xcm serve --db', () => {
  it('should keep every acknowledged connection through kill -9, and go on deciding from it', async () => {
    const db = join(TMP, 'kill.db');
    const result = await killMidStream(db);
    expect(result.acknowledged).toBeGreaterThanOrEqual(40);
    expect(result.lost).toEqual([]);
    expect(result.maxPerApp).toBeLessThanOrEqual(25);
    expect(result.traceOk).toBe(true);
    expect(result.clock).toBe('2024-04-30T21:00:00.000Z');
    const more = await result.again.consent('a1', 'u9', ['org-0']);
    expect(more.status).toBe(200);
    result.second.child.kill('SIGTERM');
    expect(await result.second.exited).toBe(0);
  });

  it('should catch the broken variant that commits after responding', async () => {
    const result = await killMidStream(join(TMP, 'late.db'), { XCM_SERVE_MUTANT: 'commit-after-response' });
    expect(result.lost.length).toBeGreaterThan(0);
  });

  it('should refuse a second server on the same file with one line, exit 2', async () => {
    const db = join(TMP, 'owned.db');
    const owner = start(db);
    const sim = client(await owner.url);
    await sim.putApp('kept');
    const second = start(db);
    expect(await second.exited).toBe(2);
    expect(second.stderr()).toMatch(/^xcm: .*owned\.db: field "--db": in use by another process[^\n]*\n$/);
    owner.child.kill('SIGINT');
    expect(await owner.exited).toBe(0);
    const third = start(db);
    const apps = (await client(await third.url).state()).body.apps;
    expect(apps.map((a) => a.name)).toEqual(['kept']);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});
