import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../model/oracle/oracle.ts';
import { scenarioHeader, type TraceLine } from '../model/io/trace.ts';
import { OUTCOMES_OF, type Outcome, type TraceEvent } from '../model/types.ts';
import { traceLines } from '../model/io/trace.ts';
import { replayAll, replayScenario, scenarioFiles } from './replay.ts';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const FILES = scenarioFiles(DIR);

/** Another outcome this event type can have (null: it has only one). */
function otherOutcome(type: TraceEvent['type'], outcome: Outcome): Outcome | null {
  const own = OUTCOMES_OF[type];
  if (own.length < 2) return null;
  return own[(own.indexOf(outcome) + 1) % own.length] ?? null;
}

/**
 * The file's text with the observed outcome on `line` replaced by another its event type can
 * have (for several tenants, the last one's); null when its type has only one outcome.
 */
function flipObserved(content: string, line: number): string | null {
  const rows = content.split('\n');
  const raw = JSON.parse(rows[line - 1] ?? '') as Record<string, unknown>;
  const type = raw.type as TraceEvent['type'];
  const observed = raw.observed;
  if (typeof observed === 'string') {
    const other = otherOutcome(type, observed as Outcome);
    if (other === null) return null;
    raw.observed = other;
  } else {
    const byTenant = { ...(observed as Record<string, Outcome>) };
    const last = Object.keys(byTenant).at(-1) ?? '';
    byTenant[last] = otherOutcome('connect', byTenant[last] ?? 'connected') ?? 'connected';
    raw.observed = byTenant;
  }
  rows[line - 1] = JSON.stringify(raw);
  return rows.join('\n');
}

function observedLines(lines: readonly TraceLine[]): number[] {
  return lines.filter((l) => l.event.observed !== undefined).map((l) => l.line);
}

async function replayUnder(file: string, policy: string) {
  const lines = traceLines(file, readFileSync(file, 'utf8'));
  return { lines, result: await check(lines, { policy }) };
}

describe('the scenarios', () => {
  it('should find scenario files to replay', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  it('should all agree with the model when replayed together', async () => {
    const results = await replayAll(DIR);
    expect(results.map((r) => r.file)).toEqual(FILES);
    expect(results.filter((r) => !r.result.ok).map((r) => ({ file: r.file, divergences: r.result.divergences }))).toEqual([]);
  });

  describe.each(FILES.map((file) => ({ file, name: basename(file) })))('$name', ({ file }) => {
    const content = readFileSync(file, 'utf8');

    it('should have a header with a title, a story and a source, and at least one observed outcome', () => {
      const header = scenarioHeader(content);
      expect(header?.title.trim()).toBeTruthy();
      expect(header?.story.trim()).toBeTruthy();
      expect(header?.source.trim()).toBeTruthy();
      expect(observedLines(traceLines(file, content)).length).toBeGreaterThan(0);
    });

    it('should agree with the model on every observed outcome', async () => {
      const { result } = await replayScenario(file);
      expect(result.divergences).toEqual([]);
      expect(result.ok).toBe(true);
    });

    it('should agree too when stepped through the XState machine itself', async () => {
      const header = scenarioHeader(content);
      const result = await check(traceLines(file, content), { policy: header?.policy, set: header?.set ?? [], engine: 'machine' });
      expect(result.divergences).toEqual([]);
    });

    it('should report a divergence at exactly the line whose observed outcome is flipped, going on from the model', async () => {
      const header = scenarioHeader(content);
      for (const line of observedLines(traceLines(file, content))) {
        const text = flipObserved(content, line);
        if (text === null) continue;
        const result = await check(traceLines(file, text), { policy: header?.policy, set: header?.set ?? [], follow: 'model' });
        expect(
          result.divergences.map((d) => d.line),
          `flipping line ${line}`,
        ).toEqual([line]);
      }
    });

    it('should report the flipped line first when following the observations, judged from its own state', async () => {
      const header = scenarioHeader(content);
      for (const line of observedLines(traceLines(file, content))) {
        const text = flipObserved(content, line);
        if (text === null) continue;
        const result = await check(traceLines(file, text), { policy: header?.policy, set: header?.set ?? [] });
        expect(result.divergences[0]?.line, `flipping line ${line}`).toBe(line);
        expect(result.divergences[0]?.followed, `flipping line ${line}`).toBe(0);
      }
    });
  });
});

describe('what the scenarios tell apart', () => {
  it('should diverge at the 21st organisation when replayed under the partner page claim of 20', async () => {
    const file = join(DIR, 'twenty-vs-twenty-five.jsonl');
    const { lines, result } = await replayUnder(file, 'xero-partner-page-2019');
    const connects = lines.filter((l) => l.event.type === 'connect');
    expect(result.divergences[0]?.line).toBe(connects[20]?.line);
    expect(result.divergences[0]?.rule).toBe('app-cap');
  });

  it.each(['bug-window-demo-company.jsonl', 'bug-window-certified-only-tenant.jsonl'])(
    'should first diverge at the bug-night refusal of %s when the bug window is left out',
    async (name) => {
      const { lines, result } = await replayUnder(join(DIR, name), 'xero-oauth2-2019');
      const refusal = lines.find((l) => l.event.observed === 'rejected:org-limit');
      expect(refusal).toBeDefined();
      expect(result.divergences[0]).toMatchObject({
        line: refusal?.line,
        expected: 'connected',
        observed: 'rejected:org-limit',
        rule: 'org-limit',
      });
    },
  );
});
