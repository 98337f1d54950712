/**
 * Where the package's own files are: the scenarios and reports it ships sit at the package root,
 * both when it runs from its TypeScript sources and when it runs built, from `dist/`.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('xero-connection-model: cannot find the package root above its own modules');
    dir = up;
  }
  return dir;
}

/** The package root: the folder of its `package.json`. */
export const PACKAGE_ROOT = findRoot();

/** A path inside the package, e.g. `packagePath('scenarios')`. */
export function packagePath(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}
