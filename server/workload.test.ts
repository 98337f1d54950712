import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioHeader } from '../model/io/trace.ts';
import { checkFile } from '../model/oracle/oracle.ts';
import { serve } from './http.ts';
import { type AppObject, client, random } from './test-client.ts';

const TMP = mkdtempSync(join(tmpdir(), 'xcm-serve-workload-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const APPS = ['a1', 'a2', 'a3'];
const TENANTS = ['t1', 't2', 't3', 't4', 'practice', 'demo'];
const USERS = ['u1', 'u2'];
const TIERS = ['starter', 'core', 'plus', 'advanced', 'enterprise'];

/** `steps` random requests of every kind through HTTP; the trace file it leaves. */
async function workload(seed: number, steps: number, options: { policy?: string; set?: string[] } = {}): Promise<string> {
  const running = await serve({ port: 0, ...options });
  try {
    const sim = client(running.url);
    const next = random(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
    let clock = Date.parse('2020-01-01T00:00:00Z');
    const apps = new Map<string, AppObject>();
    const tokens: Array<{ app: string; access: string; refresh: string }> = [];
    const codes: Array<{ app: string; code: string }> = [];
    for (const t of TENANTS) await sim.putTenant(t, { kind: t === 'practice' ? 'practice' : t === 'demo' ? 'demo' : 'organisation' });
    for (let i = 0; i < steps; i++) {
      const r = next();
      if (r < 0.1) {
        const body = next() < 0.5 ? {} : next() < 0.5 ? { certified: next() < 0.5 } : { tier: pick(TIERS) };
        const answer = await sim.putApp(pick(APPS), body);
        if (answer.status < 300) apps.set(answer.body.name, answer.body);
      } else if (r < 0.5 && apps.size > 0) {
        const app = pick([...apps.keys()]);
        const tenants = [...new Set([pick(TENANTS), ...(next() < 0.3 ? [pick(TENANTS)] : [])])];
        const answer = await sim.consent(app, pick(USERS), tenants);
        if (answer.body.code !== null) codes.push({ app, code: answer.body.code });
      } else if (r < 0.6 && codes.length > 0) {
        const { app, code } = codes.splice(Math.floor(next() * codes.length), 1)[0] as { app: string; code: string };
        const answer = await sim.exchange(apps.get(app) as AppObject, code);
        if (answer.status === 200) tokens.push({ app, access: answer.body.access_token, refresh: answer.body.refresh_token });
      } else if (r < 0.72 && tokens.length > 0) {
        const token = pick(tokens);
        const list = await sim.connections(token.access);
        const first = list.status === 200 ? list.body[0] : undefined;
        if (first !== undefined) await sim.request('DELETE', `/connections/${first.id}`, { auth: `Bearer ${token.access}` });
      } else if (r < 0.76 && tokens.length > 0) {
        const token = pick(tokens);
        await sim.request('POST', '/connect/revocation', {
          form: { token: token.refresh },
          auth: sim.basic(apps.get(token.app) as AppObject),
        });
      } else if (r < 0.82 && apps.size > 0) {
        await sim.request('POST', `/sim/apps/${pick([...apps.keys()])}/certify`);
      } else if (r < 0.88 && apps.size > 0) {
        await sim.request('POST', `/sim/apps/${pick([...apps.keys()])}/tier`, { json: { tier: pick(TIERS) } });
      } else if (r < 0.95) {
        // Forward in jumps that cross the bug window and reach the tiers.
        clock += Math.floor(next() * 40 * 24 * 3600 * 1000);
        await sim.clock(new Date(clock).toISOString());
      } else {
        await sim.request('POST', '/sim/consent', { raw: '{"app": "a1", "user": "u1", "tenants": ["t1"], "extra": 1}' });
      }
    }
    const file = join(TMP, `trace-${seed}.jsonl`);
    writeFileSync(file, (await sim.trace()).text);
    return file;
  } finally {
    await running.close();
  }
}

describe('xcm serve on a random workload', () => {
  it('should leave a trace on which xcm check holds, for several seeds', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const file = await workload(seed, 300);
      const result = await checkFile(file);
      expect([seed, result.ok, result.divergences]).toEqual([seed, true, []]);
      expect(result.events).toBeGreaterThan(100);
    }
  });

  it('should pin its policy and --set in the trace, so that check holds under them', async () => {
    const file = await workload(7, 200, { policy: 'xero-oauth2-2019', set: ['appCap=2', 'orgCap=1'] });
    // As `xcm check` does: the policy and set the scenario header pins.
    const header = scenarioHeader(readFileSync(file, 'utf8').split('\n')[0] as string, file);
    expect(header).toMatchObject({ policy: 'xero-oauth2-2019', set: ['appCap=2', 'orgCap=1'] });
    const pinned = await checkFile(file, { policy: header?.policy, set: header?.set ?? [] });
    expect([pinned.ok, pinned.divergences]).toEqual([true, []]);
    expect((await checkFile(file, { policy: 'xero-oauth2-2019' })).ok).toBe(false);
  });
});
