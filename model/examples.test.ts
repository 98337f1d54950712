import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The worked examples in the doc comments of the package face's entry points run, and print
 * what their `// → ` comments say. An example imports from 'xero-connection-model', as a user's
 * code does; here that is the package root's source.
 */
const MODEL = new URL('.', import.meta.url).pathname;
const WORK = new URL('../.tmp/examples/', import.meta.url).pathname;

interface Example {
  where: string;
  code: string;
  expected: string[];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/@example\n \* ```ts\n((?: \*.*\n)*?) \* ```/g)].map((m) => {
    const lines = (m[1] ?? '').split('\n').map((line) => line.replace(/^ \* ?/, ''));
    const expected = lines.flatMap((line) => [...line.matchAll(/\/\/ → (.*)$/g)].map((e) => e[1] ?? ''));
    const line = text.slice(0, m.index).split('\n').length;
    return { where: `${relative(MODEL, file)}:${line}`, code: lines.join('\n'), expected };
  });
}

const EXAMPLES = sources(MODEL).flatMap(examplesOf);
const ENTRY_POINTS = [
  'check',
  'checkFile',
  'run',
  'status',
  'importConnections',
  'infer',
  'explore',
  'diffPolicies',
  'resolvePolicy',
  'loadPolicyFile',
  'builtinPolicy',
  'BUILTIN_POLICIES',
  'INVARIANTS',
  'platformMachine',
  'appLifecycleMachine',
  'readTrace',
  'parseTraceLine',
];

describe('the worked examples', () => {
  it('should give every entry point of the package face an example', () => {
    const text = sources(MODEL)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const withExample = ENTRY_POINTS.filter((name) =>
      new RegExp(`@example(?:(?!\\*/)[\\s\\S])*\\*/\\s*export (?:async )?(?:function\\*? |const )${name}\\b`).test(text),
    );
    expect(withExample).toEqual(ENTRY_POINTS);
  });

  it.each(EXAMPLES.map((e) => [e.where, e] as const))('%s runs and prints what it says', async (where, example) => {
    const printed: string[] = [];
    const log = (...args: unknown[]) => printed.push(format(...args));
    (globalThis as { __exampleLog?: typeof log }).__exampleLog = log;
    mkdirSync(WORK, { recursive: true });
    const file = join(WORK, `${where.replace(/[/:.]/g, '-')}.ts`);
    const code = example.code
      .replaceAll("'xero-connection-model'", `'${join(MODEL, 'index.ts')}'`)
      .replaceAll('console.log(', 'globalThis.__exampleLog(');
    writeFileSync(file, `// @ts-nocheck\n${code}\n`);
    await import(file);
    expect(printed).toEqual(example.expected);
    expect(example.expected.length).toBeGreaterThan(0);
  });
});
