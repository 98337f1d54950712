import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, xcm } from './cli-harness.ts';

describe('xcm explore and xcm diff on bounds out of range', () => {
  const refusals: Array<[string[], string, string, string]> = [
    [['--apps', '1000000'], '--apps', '8', '1000000'],
    [['--tenants', '0'], '--tenants', '64', '0'],
    [['--users', '-1'], '--users', '4', '-1'],
    [['--apps', '1e309'], '--apps', '8', '1e309'],
    [['--apps', '2.5'], '--apps', '8', '2.5'],
    [['--apps', '0x3'], '--apps', '8', '0x3'],
    [['--tenants='], '--tenants', '64', ''],
    [['--max-states', '0'], '--max-states', '16,000,000', '0'],
    [['--max-states', '16000001'], '--max-states', '16,000,000', '16000001'],
    [['--max-states', '99999999999999999999999'], '--max-states', '16,000,000', '99999999999999999999999'],
    [['--workers', '0'], '--workers', '64', '0'],
    [['--workers', '65'], '--workers', '64', '65'],
  ];

  for (const [args, option, max, got] of refusals) {
    it(`should refuse ${args.join(' ')} with one line naming ${option} and its largest value, exit 2`, () => {
      const expected = `xcm: field "${option}": expected a whole number from 1 to ${max}, got "${got}"\n`;
      expect(xcm('explore', ...args)).toEqual({ status: 2, stdout: '', stderr: expected });
    });
  }

  it('should refuse the same bounds in xcm diff, --max-states included', () => {
    expect(xcm('diff', 'xero-oauth2-2019', 'xero-tiers-2026', '--users', '-1')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'xcm: field "--users": expected a whole number from 1 to 4, got "-1"\n',
    });
    expect(xcm('diff', 'xero-oauth2-2019', 'xero-tiers-2026', '--max-states', '0')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'xcm: field "--max-states": expected a whole number from 1 to 16,000,000, got "0"\n',
    });
  });

  it('should name the largest number of apps a diff holds with four users', () => {
    expect(xcm('diff', 'xero-oauth2-2019', 'xero-tiers-2026', '--apps', '7', '--users', '4')).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'xcm: field "--apps": expected a whole number from 1 to 6 with 4 users in a diff, got 7 (a state key holds at most 50 app x user x policy cells)\n',
    });
  });
});

describe('xcm explore --no-memo', () => {
  it('should find the same states and transitions playing every move, and say every one was played', () => {
    const args = ['explore', '--apps', '3', '--tenants', '3', '--set', 'appCap=2', '--json'];
    const recalled = JSON.parse(xcm(...args).stdout);
    const played = JSON.parse(xcm(...args, '--no-memo').stdout);
    expect([played.states, played.transitions, played.depth]).toEqual([recalled.states, recalled.transitions, recalled.depth]);
    expect(recalled.played).toBeLessThan(played.played);
    expect(played.played).toBeLessThan(played.transitions);
    expect(xcm('diff', 'xero-oauth2-2019', 'xero-tiers-2026', '--no-memo').status).toBe(2);
  });
});

describe('xcm explore --workers', () => {
  it('should find the same states, transitions and depth with two threads as with one, and say how many searched', () => {
    const args = ['explore', '--apps', '4', '--tenants', '3', '--set', 'appCap=2', '--set', 'orgCap=2', '--no-symmetry'];
    const one = JSON.parse(xcm(...args, '--json').stdout);
    const two = JSON.parse(xcm(...args, '--json', '--workers', '2').stdout);
    expect([two.states, two.transitions, two.depth, two.complete, two.threads]).toEqual([one.states, one.transitions, one.depth, true, 2]);
    expect(one.threads).toBe(1);
    const text = xcm(...args, '--workers', '2');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/\ntime: [\d.]+ s \([\d,]+ states\/s, 2 threads\)\nholds: /);
  });

  it('should give a shortest counterexample that replays, exit 1', () => {
    const { status, stdout } = xcm('explore', '--policy', 'xero-bug-2020-02/counts-every-app', '--workers', '3', '--json');
    expect(status).toBe(1);
    const result = JSON.parse(stdout);
    expect([result.threads, result.violation.invariant, result.violation.depth]).toEqual([3, 'refusalsAreRequired', 4]);
  });
});

describe('xcm diff --max-states', () => {
  const args = ['diff', 'xero-oauth2-2019', 'xero-oauth2-2019', '--apps', '3', '--tenants', '3'];

  it('should stop at the cap and say no difference was found within it, not exhaustive, exit 0', () => {
    const { status, stdout } = xcm(...args, '--max-states', '50');
    expect(status).toBe(0);
    expect(stdout).toContain('\nno difference found within 50 states, not exhaustive\n');
    expect(stdout).not.toContain('equivalent');
  });

  it('should say complete: false in --json, and not equivalent', () => {
    const { status, stdout } = xcm(...args, '--max-states', '50', '--json');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ complete: false, equivalent: false, difference: null, trace: [] });
  });

  it('should search as before without it: complete and equivalent', () => {
    const { status, stdout } = xcm(...args, '--json');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ complete: true, equivalent: true });
  });
});

describe('a long search: progress on standard error, and stopped by a signal', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  /** Start a long search, wait for its first progress line, send `signal`; the exit and the output. */
  function interrupt(args: string[], signal: NodeJS.Signals) {
    const started = spawn(process.execPath, ['--import', 'tsx', 'bin/xcm.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stdout = '';
    let stderr = '';
    let sent = false;
    started.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
    });
    started.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
      // One signal, once the search is under way (a second would kill it outright, as meant).
      if (!sent && /states after \d+ s\.\.\.\n/.test(stderr)) sent = started.kill(signal);
    });
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      started.on('close', (code, by) => resolve({ code, signal: by, stdout, stderr }));
    });
  }

  // A search that never yields to the event loop never runs the handler: the test times out.
  it('should end an explore on SIGINT with one summary line after its progress lines, exit 130', { timeout: 60_000 }, async () => {
    const result = await interrupt(['explore', '--apps', '3', '--tenants', '4', '--users', '2', '--no-symmetry'], 'SIGINT');
    expect([result.code, result.signal, result.stdout]).toEqual([130, null, '']);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^explore: [\d,]+ states after \d+ s\.\.\.$/);
    expect(lines.at(-1)).toMatch(/^xcm explore: interrupted after [\d,]+ states \(not exhaustive\)$/);
  });

  it('should end an explore of several threads on SIGINT the same way, its workers with it', { timeout: 60_000 }, async () => {
    const result = await interrupt(['explore', '--apps', '4', '--tenants', '4', '--users', '2', '--workers', '2'], 'SIGINT');
    expect([result.code, result.signal, result.stdout]).toEqual([130, null, '']);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(/^xcm explore: interrupted after [\d,]+ states \(not exhaustive\)$/);
  });

  it('should end a diff on SIGTERM with one summary line after its progress lines, exit 143', { timeout: 60_000 }, async () => {
    const args = ['diff', 'xero-oauth2-2019', 'xero-oauth2-2019', '--apps', '3', '--tenants', '4', '--users', '2', '--no-symmetry'];
    const result = await interrupt(args, 'SIGTERM');
    expect([result.code, result.signal, result.stdout]).toEqual([143, null, '']);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^diff: [\d,]+ states after \d+ s\.\.\.$/);
    expect(lines.at(-1)).toMatch(/^xcm diff: terminated after [\d,]+ states \(not exhaustive\)$/);
  });
});

describe('a search that fills the heap', () => {
  it('should stop with one line and exit 2 before the heap runs out, never a crash report', () => {
    // A heap of 150 MB, which these bounds fill in seconds (the default heap: in minutes).
    const args = [
      '--max-old-space-size=150',
      '--import',
      'tsx',
      'bin/xcm.ts',
      'explore',
      '--apps',
      '8',
      '--tenants',
      '64',
      '--no-symmetry',
    ];
    const { status, stdout, stderr } = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    expect([status, stdout]).toEqual([2, '']);
    const lines = stderr.trimEnd().split('\n');
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^explore: [\d,]+ states after \d+ s\.\.\.$/);
    expect(lines.at(-1)).toMatch(
      /^xcm explore: out of memory after [\d,]+ states \(not exhaustive; give --max-states or smaller bounds\)$/,
    );
  });
});
