import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../model/oracle/oracle.ts';
import { traceLines } from '../model/io/trace.ts';
import { mutantByName } from './mutants.ts';

const DIR = fileURLToPath(new URL('../scenarios/regressions', import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

interface RegressionHeader {
  mutant?: string;
  set?: string[];
  policy?: string;
}

describe('the regression scenarios: shrunk counterexamples kept for good', () => {
  it('keeps at least three of them', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(3);
  });

  describe.each(FILES)('%s', (name) => {
    const file = join(DIR, name);
    const content = readFileSync(file, 'utf8');
    const header = JSON.parse(content.split('\n')[0] ?? '{}') as RegressionHeader;
    const lines = traceLines(file, content);
    const options = { policy: header.policy, set: header.set ?? [] };

    it('agrees with the model on every observed outcome', async () => {
      expect((await check(lines, options)).divergences).toEqual([]);
    });

    it('diverges from the mutant it names, exactly on the lines its notes mark', async () => {
      const mutant = mutantByName(header.mutant ?? '');
      if (mutant === undefined) throw new Error(`${name}: the header names no known mutant (${String(header.mutant)})`);
      const result = await check(lines, { ...options, model: mutant.model });
      const noted = content.split('\n').flatMap((text, i) => (text.includes('"note"') ? [i + 1] : []));
      expect(result.ok).toBe(false);
      expect([...new Set(result.divergences.map((d) => d.line))]).toEqual(noted);
    });
  });
});
