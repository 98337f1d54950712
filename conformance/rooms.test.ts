import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The room of conformance/ (README, "Layout"): the harness reads the model and the property
 * suite's generators, and reaches an implementation only through an adapter, so it never imports
 * server/. The broken variants (test support) are the exception: they are simulators.
 */
const ROOT = normalize(new URL('..', import.meta.url).pathname);
const HERE = join(ROOT, 'conformance');
const ALLOWED = [join(ROOT, 'model/'), join(ROOT, 'properties/commands.ts'), join(ROOT, 'properties/shapes.ts')];

function forbidden(file: string, text = readFileSync(file, 'utf8')): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((m) => normalize(join(dirname(file), m[1] ?? '')))
    .filter((target) => !target.startsWith(`${HERE}/`) && !ALLOWED.some((a) => target.startsWith(a)))
    .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
}

describe('the room of conformance/', () => {
  it('imports the model, the generators and itself only (never the simulator)', () => {
    const files = readdirSync(HERE).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'variants.ts');
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => forbidden(join(HERE, f)))).toEqual([]);
  });

  it('should catch a harness file that imports the simulator', () => {
    expect(forbidden(join(HERE, 'conform.ts'), "import { x } from '../server/http.ts';")).toEqual([
      'conformance/conform.ts -> server/http.ts',
    ]);
  });
});
