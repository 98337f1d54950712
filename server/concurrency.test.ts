import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile } from '../model/oracle/oracle.ts';
import { type Mutant, serve } from './http.ts';
import { client, random } from './test-client.ts';

const TMP = mkdtempSync(join(tmpdir(), 'xcm-serve-concurrent-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const APPS = ['a1', 'a2', 'a3', 'a4'];
const OWN = Array.from({ length: 40 }, (_, i) => `own-${i}`);
const SHARED = ['shared-1', 'shared-2', 'shared-3'];

/**
 * 200 consents sent at once (uncertified apps, under xero-oauth2-2019: 25 tenants per app, 2 apps
 * per organisation): a1 on 40 organisations of its own, every app on 3 shared ones. What came back.
 */
async function burst(mutant?: Mutant) {
  const running = await serve({ port: 0, mutant });
  try {
    const sim = client(running.url);
    await sim.clock('2024-05-01T09:00:00+12:00');
    for (const app of APPS) await sim.putApp(app);
    for (const t of [...OWN, ...SHARED]) await sim.putTenant(t);
    const next = random(11);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
    const consents = Array.from({ length: 200 }, (_, i) => {
      const app = i % 2 === 0 ? 'a1' : pick(APPS);
      const tenants = app === 'a1' && next() < 0.7 ? [pick(OWN)] : [pick(SHARED)];
      return { app, user: pick(['u1', 'u2']), tenants };
    });
    const answers = await Promise.all(consents.map((c) => sim.consent(c.app, c.user, c.tenants)));
    const granted = new Map<string, Set<string>>();
    const onTenant = new Map<string, Set<string>>();
    answers.forEach((answer, i) => {
      const { app, tenants } = consents[i] as (typeof consents)[number];
      for (const t of tenants) {
        if (answer.body.outcomes?.[t] !== 'connected' && answer.body.outcomes?.[t] !== 'reconnected') continue;
        granted.set(app, (granted.get(app) ?? new Set()).add(t));
        onTenant.set(t, (onTenant.get(t) ?? new Set()).add(app));
      }
    });
    const state = (await sim.state()).body;
    const held = new Map<string, Set<string>>();
    const heldOn = new Map<string, Set<string>>();
    for (const c of state.connections) {
      held.set(c.app, (held.get(c.app) ?? new Set()).add(c.tenant));
      heldOn.set(c.tenant, (heldOn.get(c.tenant) ?? new Set()).add(c.app));
    }
    const file = join(TMP, `trace-${mutant ?? 'model'}.jsonl`);
    writeFileSync(file, (await sim.trace()).text);
    const most = (m: Map<string, Set<string>>) => Math.max(0, ...[...m.values()].map((s) => s.size));
    return {
      statuses: answers.map((a) => a.status),
      answeredAppMax: most(granted),
      answeredOrgMax: most(onTenant),
      heldAppMax: most(held),
      heldOrgMax: most(heldOn),
      traceOk: (await checkFile(file)).ok,
    };
  } finally {
    await running.close();
  }
}

describe('xcm serve under concurrent consents', () => {
  it('should never exceed a cap when 200 consents arrive at once, and answer every one', async () => {
    const result = await burst();
    expect(result.statuses.every((s) => s === 200)).toBe(true);
    expect(result.statuses).toHaveLength(200);
    expect(result).toMatchObject({ answeredAppMax: 25, heldAppMax: 25, traceOk: true });
    expect(result.answeredOrgMax).toBeLessThanOrEqual(2);
    expect(result.heldOrgMax).toBeLessThanOrEqual(2);
  });

  it('should catch the broken variant that awaits between reading the state and deciding', async () => {
    const result = await burst('await-between-decide-and-commit');
    expect(result.answeredAppMax > 25 || result.answeredOrgMax > 2 || !result.traceOk).toBe(true);
  });
});
