/**
 * The package as a user installs it: packed with `npm pack` (which builds it), then installed
 * from the tarball into a new empty project, offline, from the npm cache that `npm ci` filled.
 * The consumer test and the start-up benchmark both use it.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

interface Locked {
  version: string;
  integrity: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const locked = (JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Locked> }).packages;

/**
 * A lockfile for a project that needs these packages, taken from this project's own lock, so
 * `npm ci --offline` installs them from the cache without asking the registry for metadata.
 */
export function consumerLock(names: readonly string[]) {
  const closure = new Set<string>();
  const visit = (name: string) => {
    const entry = locked[`node_modules/${name}`];
    if (entry === undefined || closure.has(name)) return;
    closure.add(name);
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.peerDependencies })) visit(dep);
  };
  for (const name of names) visit(name);
  const dependencies = Object.fromEntries(names.map((name) => [name, locked[`node_modules/${name}`]?.version ?? '']));
  const packages: Record<string, object> = { '': { name: 'consumer', dependencies } };
  for (const name of closure) {
    const { version, integrity, dependencies: deps, peerDependencies: peers } = locked[`node_modules/${name}`] as Locked;
    const resolved = `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
    packages[`node_modules/${name}`] = { version, resolved, integrity, dependencies: deps, peerDependencies: peers };
  }
  return { dependencies, lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages } };
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A packed and installed copy of the package. */
export interface Installed {
  /** The temporary folder holding the tarball and the project (remove it when done). */
  work: string;
  /** The consumer project. */
  project: string;
  /** The package inside the project's node_modules. */
  installed: string;
  /** The installed `xcm` executable. */
  xcm: string;
}

/** Pack the package and install it, with `extra` packages of this project's lock, into a new project. */
export function packAndInstall(extra: readonly string[] = []): Installed {
  const work = mkdtempSync(join(tmpdir(), 'xcm-consumer-'));
  const tarball = npm(['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop() ?? '';
  const project = join(work, 'project');
  mkdirSync(project);
  const { dependencies, lock } = consumerLock([...Object.keys(manifest.dependencies), ...extra]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock));
  // Without install scripts, then with the native SQLite binding our own install built (the same
  // Node and platform): building better-sqlite3 again from source would take minutes a run.
  npm(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
  const binding = join('node_modules', 'better-sqlite3', 'build');
  cpSync(join(ROOT, binding), join(project, binding), { recursive: true });
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball)], project);
  return { work, project, installed: join(project, 'node_modules/xero-connection-model'), xcm: join(project, 'node_modules/.bin/xcm') };
}

/** The files `npm pack` would ship, without building. */
export function packedFiles(): string[] {
  const listing = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
  return (JSON.parse(listing) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
}
