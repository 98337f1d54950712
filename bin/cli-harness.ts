/**
 * Running the real `xcm` in a child process for the CLI tests, and writing their trace files into
 * one temporary folder that is removed when the test file ends. Test support: not in the build.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TMP = mkdtempSync(join(tmpdir(), 'xcm-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Run the real CLI, as a user would. */
export function xcm(...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, ['--import', 'tsx', 'bin/xcm.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status, stdout, stderr };
}

export function file(name: string, lines: readonly unknown[]): string {
  const path = join(TMP, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return path;
}
