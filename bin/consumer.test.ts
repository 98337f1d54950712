import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAndInstall, packedFiles } from '../bench/packed.ts';

/**
 * The package as a user gets it: packed, installed from the tarball into an empty project
 * (offline, from the local npm cache that `npm ci` filled), and used there with plain node.
 */
const ROOT = new URL('..', import.meta.url).pathname;
let work = '';
let project = '';
let installed = '';
let xcmPath = '';

function xcm(...args: string[]) {
  const result = spawnSync(xcmPath, args, { cwd: project, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  ({ work, project, installed, xcm: xcmPath } = packAndInstall(['@types/node']));
}, 300_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('ships built JavaScript and no TypeScript sources of the model', () => {
    const paths = packedFiles();
    expect(paths).toContain('dist/bin/xcm.js');
    expect(paths).toContain('dist/model/index.d.ts');
    expect(paths).toContain('dist/server/http.js');
    expect(paths.filter((p) => p.startsWith('dist/server/test-client'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('model/') || p.endsWith('.test.js') || p.startsWith('bench/'))).toEqual([]);
  });

  it('runs xcm --help with plain node', () => {
    const { status, stdout } = xcm('--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^usage: xcm <command>/);
  });

  it('runs every command', () => {
    const scenario = join(installed, 'scenarios/twenty-vs-twenty-five.jsonl');
    expect(xcm('check', scenario)).toMatchObject({ status: 0, stdout: expect.stringMatching(/^ok: 27 events agree/) });
    expect(xcm('check', scenario, '--policy', 'xero-partner-page-2019').status).toBe(1);
    expect(
      xcm('run', scenario, '--json')
        .stdout.split('\n')
        .filter((l) => l.includes('"model":')),
    ).toHaveLength(27);
    expect(xcm('impact', scenario, '--to', 'xero-partner-page-2019')).toMatchObject({
      status: 1,
      stdout: expect.stringContaining('5 outcomes change in 27 events, for 1 app'),
    });
    expect(xcm('infer', scenario)).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('  appCap  default 25  consistent 25..25  refuted'),
    });
    expect(xcm('infer', scenario, '--policy', 'xero-partner-page-2019').status).toBe(1);
    expect(xcm('scenarios')).toMatchObject({ status: 0, stdout: expect.stringMatching(/40 of 40 scenarios agree/) });
    expect(xcm('policies')).toMatchObject({ status: 0, stdout: expect.stringContaining('xero-tiers-2026') });
    expect(xcm('explore', '--apps', '2', '--tenants', '2').status).toBe(0);
    expect(xcm('diff', 'xero-bug-2020-02/refuses-at-limit', 'xero-oauth2-2019')).toMatchObject({
      status: 1,
      stdout: expect.stringContaining('they differ after 2 events'),
    });
    const out = join(work, 'docs');
    expect(xcm('docs', '--out', out).status).toBe(0);
    expect(readFileSync(join(out, 'invariants.md'), 'utf8')).toBe(readFileSync(join(ROOT, 'reports/invariants.md'), 'utf8'));
    expect(xcm('check', join(work, 'missing.jsonl'))).toMatchObject({ status: 2, stderr: expect.stringMatching(/^xcm: .*missing\.jsonl/) });
  });

  it('runs status and import', () => {
    const saas = join(installed, 'scenarios/saas-app-reaches-25-2024.jsonl');
    expect(JSON.parse(xcm('status', saas, '--json').stdout).apps).toEqual([
      { app: 'invoice-sync', certified: false, tier: null, custom: false, auth: 'oauth2', held: 25, cap: 25, headroom: 0, users: ['user'] },
    ]);
    const dump = join(work, 'connections.json');
    const row = (tenantId: string, tenantType: string, tenantName: string) => ({
      id: `c-${tenantId}`,
      authEventId: 'e-1',
      tenantId,
      tenantType,
      tenantName,
      createdDateUtc: '2024-05-01T00:00:00.1234567',
      updatedDateUtc: '2024-05-01T00:00:00.1234567',
    });
    writeFileSync(dump, JSON.stringify([row('t1', 'ORGANISATION', 'Demo Company (AU)'), row('t2', 'PRACTICE', 'Hopkins')]));
    const trace = join(work, 'imported.jsonl');
    expect(xcm('import', dump, '--app', 'mine', '--user', 'ana', '--out', trace)).toMatchObject({ status: 0, stderr: '' });
    expect(xcm('check', trace)).toMatchObject({ status: 0, stdout: 'ok: 4 events agree with the model under xero\n' });
    expect(JSON.parse(xcm('status', trace, '--json').stdout).apps[0]).toMatchObject({ app: 'mine', held: 1, cap: 25, headroom: 24 });
  });

  it('serves the simulator from the build', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(xcmPath, ['serve', '--port', '0'], { cwd: project });
    try {
      const first = await new Promise<string>((resolve) =>
        child.stdout.setEncoding('utf8').once('data', (chunk: string) => resolve(chunk)),
      );
      expect(first).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n/);
      const url = first.trim().replace('listening on ', '');
      expect((await fetch(`${url}/sim/apps/a`, { method: 'PUT', body: '{}' })).status).toBe(201);
      expect((await fetch(`${url}/sim/trace`).then((r) => r.text())).trim()).toBe('{"type":"app","app":"a","observed":"ok"}');
      // xcm conform against it, from the command line and from the library.
      const conformed = xcm('conform', url, '--runs', '4', '--seed', '1', '--json');
      expect(conformed.stderr).toBe('');
      expect(JSON.parse(conformed.stdout)).toMatchObject({ ok: true, url, seed: 1, runs: 4, batches: 2, failure: null });
      const script = join(project, 'conform.mjs');
      writeFileSync(
        script,
        `import { conform, httpAdapter } from 'xero-connection-model/conformance';
const report = await conform(httpAdapter(process.argv[2]), { runs: 3, seed: 2, concurrency: 1 });
console.log(JSON.stringify({ ok: report.ok, runs: report.runs, batches: report.batches }));
`,
      );
      const library = spawnSync(process.execPath, [script, url], { cwd: project, encoding: 'utf8' });
      expect(library.stderr).toBe('');
      expect(JSON.parse(library.stdout)).toEqual({ ok: true, runs: 3, batches: 0 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
  });

  it('is imported and called from a plain ESM script', () => {
    const script = join(project, 'use.mjs');
    writeFileSync(
      script,
      `import { check, checkFile, importConnections, infer, status } from 'xero-connection-model';
const lines = [1, 2, 3].map((n) => ({ line: n, event: { type: 'connect', app: 'a', tenants: ['t' + n], observed: 'connected' } }));
const strict = await check(lines, { policy: 'xero-oauth2-2019', set: ['appCap=2'] });
const file = await checkFile(process.argv[2]);
const held = (await status(lines, { set: ['appCap=2'] })).apps[0].held;
const connections = [{ id: 'c', authEventId: 'e', tenantId: 't', tenantType: 'ORGANISATION', tenantName: 'Acme', createdDateUtc: '2024-05-01T00:00:00' }];
const imported = importConnections([{ file: 'inline', connections }], { app: 'a' }).consents;
const inferred = await infer(process.argv[2]);
const appCap = inferred.parameters.find((p) => p.key === 'appCap');
console.log(JSON.stringify({ ok: strict.ok, line: strict.divergences[0]?.line, fileOk: file.ok, held, imported, defaultsHold: inferred.defaultsHold, appCap: appCap?.default }));
`,
    );
    const result = spawnSync(process.execPath, [script, join(installed, 'scenarios/revoke-frees-capacity.jsonl')], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, line: 3, fileOk: true, held: 3, imported: 1, defaultsHold: true, appCap: 25 });
  });

  it('type-checks in a strict NodeNext TypeScript project', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['use.ts'],
      }),
    );
    writeFileSync(
      join(project, 'use.ts'),
      `import { check, type CheckResult, type Outcome, type Policy, type TraceEvent, BUILTIN_POLICIES, importConnections, status, type StatusResult } from 'xero-connection-model';
const event: TraceEvent = { type: 'connect', app: 'a', tenants: ['t'] };
const outcome: Outcome = 'connected';
const policy: Policy | undefined = BUILTIN_POLICIES[0];
const result: Promise<CheckResult> = check([{ line: 1, event: { ...event, observed: outcome } }], { policy: policy?.id });
const state: Promise<StatusResult> = status(importConnections([{ file: 'inline', connections: [] }], { app: 'a' }).lines, { at: '2024-05-01T00:00:00Z' });
export { result, state };
`,
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
