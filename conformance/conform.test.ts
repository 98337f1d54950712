import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile } from '../model/oracle/oracle.ts';
import { serve } from '../server/http.ts';
import { failureScenario } from './cli.ts';
import { type ConformOptions, type ConformReport, conform } from './conform.ts';
import { HttpAdapter } from './http-adapter.ts';
import { ModelAdapter, VARIANTS, variant, type Variant } from './variants.ts';

const TMP = mkdtempSync(join(tmpdir(), 'xcm-conform-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** The caps scaled down, on both sides, so that short traces reach every one of them. */
const SCALED = ['appCap=2', 'starterCap=2', 'coreCap=3', 'plusCap=3', 'advancedCap=4'];

/** Conform against a simulator served on 127.0.0.1, port 0 (stopped after). */
async function against(options: ConformOptions, served: Variant['serve'] & { db?: string } = {}): Promise<ConformReport> {
  const running = await serve({ port: 0, ...served, set: [...(options.set ?? []), ...(served.set ?? [])] });
  try {
    return await conform(new HttpAdapter(running.url), { ...options, url: running.url });
  } finally {
    await running.close();
  }
}

describe('xcm serve conforms', () => {
  it('in memory, over 20 seeds, with the real caps and scaled down', { timeout: 240_000 }, async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const report = await against({ seed, runs: 15, set: seed % 2 === 0 ? SCALED : [] });
      expect(report.failure, `seed ${seed}: ${JSON.stringify(report.failure)}`).toBeNull();
      expect(report).toMatchObject({ ok: true, runs: 15, batches: 8, seed });
      expect(report.events).toBeGreaterThan(15);
    }
  });

  it('on SQLite, over 20 seeds', { timeout: 240_000 }, async () => {
    for (let seed = 101; seed <= 120; seed++) {
      const db = join(TMP, `conform-${seed}.db`);
      const report = await against({ seed, runs: 6, set: SCALED }, { db });
      expect(report.failure, `seed ${seed}: ${JSON.stringify(report.failure)}`).toBeNull();
      expect(report.ok).toBe(true);
    }
  });

  it('under a fixed policy and under varied parameters', { timeout: 120_000 }, async () => {
    for (const [policy, set] of [
      ['xero-tiers-2026', ['starterCap=2', 'coreCap=3']],
      ['xero-oauth2-2019', ['appCap=3', 'reconsentKeepsConnectionId=false', 'reconsentTakesNewAuthEvent=false']],
      ['xero-bug-2020-02', ['appCap=2', 'demoCountsTowardAppCap=true']],
    ] as const) {
      const running = await serve({ port: 0, policy, set: [...set] });
      try {
        const report = await conform(new HttpAdapter(running.url), { policy, set: [...set], seed: 3, runs: 20, url: running.url });
        expect(report.failure, `${policy}: ${JSON.stringify(report.failure)}`).toBeNull();
      } finally {
        await running.close();
      }
    }
  });

  it('reproduces a run from its seed', { timeout: 60_000 }, async () => {
    const a = await against({ seed: 9, runs: 10, set: SCALED });
    const b = await against({ seed: 9, runs: 10, set: SCALED });
    expect(b).toEqual({ ...a, url: b.url });
  });
});

/** Each broken simulator, caught by a sequential run, and the length of the shrunk trace (seed 7, the caps scaled down). */
const CAUGHT: Record<string, number> = {
  'app-cap-plus-one': 3,
  'certified-counted': 8,
  'demo-counted': 4,
  'second-user-counted': 3,
  'disconnect-keeps-count': 6,
  'revoke-removes-others': 4,
  'connections-of-other-users': 3,
  'connections-of-other-apps': 2,
  'reconsent-new-id': 3,
  'reconsent-keeps-auth-event': 3,
};

describe('every broken implementation is caught with a short shrunk trace', () => {
  it('lists every variant', () => {
    expect(Object.keys(CAUGHT).sort()).toEqual(
      VARIANTS.map((v) => v.name)
        .filter((n) => n !== 'await-between-check-and-write')
        .sort(),
    );
  });

  for (const [name, length] of Object.entries(CAUGHT)) {
    it(`${name}: ${variant(name).description}`, { timeout: 120_000 }, async () => {
      const report = await against({ seed: 7, runs: 100, set: SCALED }, variant(name).serve);
      expect(report.ok).toBe(false);
      expect(report.failure?.kind).toBe('sequential');
      expect(report.failure?.trace.length).toBe(length);
      expect(length).toBeLessThanOrEqual(12);
      expect(report.failure?.step).toBe(length);
    });
  }

  it('the check-then-act race only by the concurrent batches (sequential runs alone pass)', { timeout: 180_000 }, async () => {
    const racy = variant('await-between-check-and-write').serve;
    const alone = await against({ seed: 7, runs: 30, set: SCALED, concurrency: 1 }, racy);
    expect(alone).toMatchObject({ ok: true, batches: 0 });
    const batched = await against({ seed: 7, runs: 10, set: SCALED, concurrency: 4 }, racy);
    expect(batched.ok).toBe(false);
    expect(batched.failure?.kind).toBe('concurrent');
    expect(batched.failure?.trace.length).toBeLessThanOrEqual(12);
    expect(batched.failure?.explanation).toMatch(/no order of the 4 concurrent requests explains/);
    expect(batched.failure?.explanation).toMatch(/#1 consent of .*: [\d.]+-[\d.]+ ms, answered/);
  });
});

describe('the library over an in-process adapter, with fast-check scheduling its calls', () => {
  it('the model-backed implementation conforms', { timeout: 60_000 }, async () => {
    const report = await conform(new ModelAdapter({ set: SCALED }), { seed: 7, runs: 40, set: SCALED, scheduler: true });
    expect(report.failure).toBeNull();
    expect(report.batches).toBe(20);
  });

  it('its racy variant is caught by the scheduler only, with a short trace', { timeout: 60_000 }, async () => {
    const alone = await conform(new ModelAdapter({ set: SCALED, racy: true }), { seed: 7, runs: 40, set: SCALED, concurrency: 1 });
    expect(alone.ok).toBe(true);
    const report = await conform(new ModelAdapter({ set: SCALED, racy: true }), { seed: 7, runs: 40, set: SCALED, scheduler: true });
    expect(report.failure?.kind).toBe('concurrent');
    expect(report.failure?.trace.length).toBe(6);
  });
});

describe('a failure replays as a scenario file', () => {
  it('xcm check shows the same divergence at the same step', { timeout: 60_000 }, async () => {
    const report = await against({ seed: 7, runs: 100, set: SCALED }, variant('demo-counted').serve);
    const file = join(TMP, 'demo-counted.jsonl');
    writeFileSync(file, failureScenario(report, { set: SCALED }));
    const check = await checkFile(file, { set: SCALED });
    expect(check.ok).toBe(false);
    const [d] = check.divergences;
    const f = report.failure;
    // Line 1 is the header: step N is line N + 1.
    expect(d?.line).toBe((f?.step ?? 0) + 1);
    expect(f?.expected).toContain(d?.expected ?? '?');
    expect(f?.observed).toContain(d?.observed ?? '?');
    expect(d?.explanation).toBe(f?.explanation);
  });

  it('a state difference is noted on its event', { timeout: 60_000 }, async () => {
    const report = await against({ seed: 7, runs: 100, set: SCALED }, variant('revoke-removes-others').serve);
    const text = failureScenario(report, { set: SCALED });
    const last = JSON.parse(text.trimEnd().split('\n').at(-1) as string);
    expect(last.type).toBe('revoke');
    expect(last.note).toMatch(/^the state after this event differs \(GET \/sim\/state connections\): expected a connection of u2/);
  });
});
