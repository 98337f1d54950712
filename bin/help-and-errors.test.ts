import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { file, ROOT, TMP, xcm } from './cli-harness.ts';

describe('xcm help', () => {
  const commands = ['check', 'run', 'status', 'import', 'impact', 'infer', 'explore', 'diff', 'scenarios', 'policies', 'docs'];

  it('should describe every command with --help, -h and help CMD, exit 0', () => {
    for (const command of commands) {
      const viaFlag = xcm(command, '--help');
      expect(viaFlag.status, command).toBe(0);
      expect(viaFlag.stdout).toMatch(new RegExp(`^usage: xcm ${command}`));
      expect(xcm(command, '-h').stdout).toBe(viaFlag.stdout);
      expect(xcm('help', command).stdout).toBe(viaFlag.stdout);
    }
  });

  it('should list every --set key with its meaning where a command takes --set', () => {
    const { stdout } = xcm('check', '--help');
    for (const key of ['appCap', 'orgCap', 'demoSubjectToOrgLimit', 'reconsentAtCap', 'checkOrder', 'orgLimitReading']) {
      expect(stdout).toMatch(new RegExp(`^  ${key} +\\S`, 'm'));
    }
    expect(xcm('explore', '--help').stdout).toContain('--no-symmetry');
    expect(xcm('explore', '--help').stdout).toContain('--max-states N');
    for (const command of ['explore', 'diff']) {
      const { stdout } = xcm(command, '--help');
      expect(stdout).toMatch(new RegExp(`^usage: xcm ${command} .*\\[--max-states N\\]`));
      expect(stdout).toMatch(/^ {2}--max-states N +stop once N states are known \(1 to 16,000,000/m);
      expect(stdout).toMatch(/130 when\s+interrupted \(Ctrl-C/);
    }
    expect(xcm('help').stdout).toContain('130 interrupted (Ctrl-C)');
    expect(xcm('check', '--help').stdout).toContain('--engine compiled|machine');
    expect(xcm('check', '--help').stdout).toContain('--follow observed|model');
    expect(xcm('run', '--help').stdout).toContain('--follow observed|model');
  });

  it('should print the overview on help and exit 0, and on no command exit 2', () => {
    expect(xcm('help')).toMatchObject({ status: 0, stdout: expect.stringContaining('explore') });
    expect(xcm('--help').status).toBe(0);
    expect(xcm()).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/^usage: xcm <command>/) });
    expect(xcm('help', 'nope')).toMatchObject({ status: 2, stderr: 'xcm: no such command "nope" (see xcm help)\n' });
  });

  it('should refuse to write the reports over a file, with exit 2 and the folder named', () => {
    const path = file('not-a-folder', []);
    expect(xcm('docs', '--out', path)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining(`xcm: ${path}: field "--out": cannot write the reports`),
    });
  });
});

describe('hostile input', () => {
  it('should describe a value nested ten thousand deep, and cut a huge one, in one short line with exit 2', () => {
    const deep = file('deep.jsonl', [`{"type":"connect","app":${'['.repeat(10_000)}${']'.repeat(10_000)},"tenant":"t"}`]);
    expect(xcm('check', deep)).toMatchObject({
      status: 2,
      stderr: `xcm: ${deep}:1: field "app": expected a non-empty string, got an array nested too deep to show (1 items)\n`,
    });
    const huge = file('huge.jsonl', [{ type: 'connect', app: 'a', tenant: 't', observed: 'x'.repeat(1_000_000) }]);
    const result = xcm('check', huge);
    expect(result.status).toBe(2);
    expect(result.stderr.length).toBeLessThan(400);
    expect(result.stderr).toContain('(1000002 characters)');
  });

  it('should refuse output to a full device with exit 2, never a stack trace', () => {
    const trace = file('one.jsonl', [{ type: 'connect', app: 'a', tenant: 't' }]);
    const { status, stderr } = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx bin/xcm.ts run "${trace}" > /dev/full`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect([status, stderr]).toEqual([2, 'xcm: cannot write the output (ENOSPC)\n']);
  });
});

describe('file system errors and impossible observations', () => {
  it('should name a trace it cannot read, whatever the reason, with exit 2', () => {
    const notAFolder = file('plain.txt', []);
    const loop = join(TMP, 'loop-a');
    symlinkSync(join(TMP, 'loop-b'), loop);
    symlinkSync(loop, join(TMP, 'loop-b'));
    expect(xcm('check', join(notAFolder, 'x.jsonl'))).toMatchObject({
      status: 2,
      stderr: `xcm: ${join(notAFolder, 'x.jsonl')}: cannot read the trace (ENOTDIR)\n`,
    });
    expect(xcm('check', loop)).toMatchObject({ status: 2, stderr: `xcm: ${loop}: cannot read the trace (ELOOP)\n` });
    expect(xcm('check', join(TMP, `${'n'.repeat(300)}.jsonl`))).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('(ENAMETOOLONG)'),
    });
  });

  it('should name a broken symlink in a scenario folder instead of skipping it', () => {
    const dir = join(TMP, 'scenario-folder');
    mkdirSync(dir);
    symlinkSync(join(dir, 'nowhere'), join(dir, 'broken.jsonl'));
    expect(xcm('scenarios', dir)).toMatchObject({ status: 2, stderr: `xcm: ${dir}: cannot read "broken.jsonl" (ENOENT)\n` });
  });

  it('should refuse an outcome its event type cannot have with exit 2, not a divergence', () => {
    const trace = file('impossible.jsonl', [{ type: 'disconnect', app: 'a', tenant: 't', observed: 'connected' }]);
    expect(xcm('check', trace)).toMatchObject({
      status: 2,
      stderr: `xcm: ${trace}:1: field "observed": a disconnect event cannot have the outcome "connected" (expected one of disconnected, not-connected)\n`,
    });
  });
});
