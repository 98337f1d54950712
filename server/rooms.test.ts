import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The simulator's room (README, "Layout"): server/ may import model/, and nothing else of the project. */
const ROOT = normalize(new URL('..', import.meta.url).pathname);
const SERVER = join(ROOT, 'server');

function forbidden(file: string, text = readFileSync(file, 'utf8')): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((m) => normalize(join(dirname(file), m[1] ?? '')))
    .filter((target) => !target.startsWith(SERVER) && !target.startsWith(join(ROOT, 'model/')))
    .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
}

describe('the room of server/', () => {
  it('lets the simulator import model/ and itself only', () => {
    const files = readdirSync(SERVER).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.flatMap((f) => forbidden(join(SERVER, f)))).toEqual([]);
  });

  it('should catch a simulator file that imports bin/', () => {
    expect(forbidden(join(SERVER, 'http.ts'), "import { x } from '../bin/xcm.ts';")).toEqual(['server/http.ts -> bin/xcm.ts']);
  });
});
