import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The rooms of `model/` and what each may import (README, "Layout"). The vocabulary is the
 * top-level `types.ts` and `errors.ts`; the package face (`index.ts`) may import any room.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  vocabulary: [],
  world: ['vocabulary'],
  platform: ['vocabulary', 'world'],
  io: ['vocabulary', 'platform'],
  engine: ['vocabulary', 'world', 'platform', 'io'],
  oracle: ['vocabulary', 'world', 'platform', 'io', 'engine'],
  search: ['vocabulary', 'world', 'platform', 'io', 'engine'],
  face: ['vocabulary', 'world', 'platform', 'io', 'engine', 'oracle', 'search'],
};

const MODEL = new URL('.', import.meta.url).pathname;

function roomOf(file: string): string {
  const path = relative(MODEL, file);
  if (path === 'index.ts') return 'face';
  if (path === 'types.ts' || path === 'errors.ts') return 'vocabulary';
  return path.includes('/') ? (path.split('/')[0] ?? '') : `unplaced: ${path}`;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => normalize(join(dirname(file), m[1] ?? '')));
}

/** Every import of one model file that the rule forbids, as `file -> target (room)`. */
function forbiddenImports(file: string, imports = importsOf(file)): string[] {
  const room = roomOf(file);
  const allowed = new Set([room, ...(MAY_IMPORT[room] ?? [])]);
  return imports
    .filter((target) => !target.startsWith(MODEL) || !allowed.has(roomOf(target)))
    .map(
      (target) =>
        `${relative(MODEL, file)} -> ${relative(MODEL, target)} (${target.startsWith(MODEL) ? roomOf(target) : 'outside model/'})`,
    );
}

describe('the rooms of model/', () => {
  const files = sources(MODEL);

  it('places every file in a named room, with only the package face and the vocabulary at the top', () => {
    expect(files.map(roomOf).filter((room) => !(room in MAY_IMPORT))).toEqual([]);
  });

  it('lets each room import only the rooms below it, and nothing outside model/', () => {
    expect(files.flatMap((file) => forbiddenImports(file))).toEqual([]);
  });

  it('should catch a rule that imports the oracle, and a model file that imports bin/', () => {
    // A broken variant: platform/rules.ts importing up into oracle/ and out to bin/.
    const up = join(MODEL, 'oracle/oracle.ts');
    const out = normalize(join(MODEL, '../bin/xcm.ts'));
    const world = join(MODEL, 'world/world.ts');
    expect(forbiddenImports(join(MODEL, 'platform/rules.ts'), [world, up, out])).toEqual([
      'platform/rules.ts -> oracle/oracle.ts (oracle)',
      'platform/rules.ts -> ../bin/xcm.ts (outside model/)',
    ]);
  });
});
