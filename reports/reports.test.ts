import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../model/platform/invariants.ts';
import { appLifecycleMachine } from '../model/platform/lifecycle.ts';
import { platformMachine } from '../model/platform/machine.ts';
import { PARAMETERS } from '../model/platform/policy.ts';
import { initialSnapshot, step } from '../model/engine/step.ts';
import type { PlatformEvent } from '../model/platform/transitions.ts';
import { defaultTenant, worldOf } from '../model/world/world.ts';
import { exerciseAll, stepExercises } from './exercise.ts';
import { generateReports, REPORTS_DIR, SCENARIOS_DIR } from './generate.ts';
import { GENERATED_MARK } from './markdown.ts';
import { inferReport } from './infer.ts';
import { invariantsReport } from './invariants.ts';
import { mermaidDiagram } from './mermaid.ts';
import { pathsReport } from './paths.ts';
import { policiesReport } from './policies.ts';
import { walkStory } from './path-finder.ts';
import { scaled, STORIES } from './stories.ts';

/** The reports the generator writes. They are generated inside each test, never at load time, so
 * that a mutation-testing run can tell which tests run which code. */
const REPORTS: Readonly<Record<string, () => string>> = {
  'paths.md': pathsReport,
  'policies.md': () => policiesReport(SCENARIOS_DIR),
  'invariants.md': () => invariantsReport(SCENARIOS_DIR),
  'infer.md': () => inferReport(SCENARIOS_DIR),
};
const REPORT_NAMES = Object.keys(REPORTS);
const report = (name: string) => (REPORTS[name] as () => string)();

describe('the generated reports', () => {
  it('generates exactly the listed reports', () => {
    expect(Object.keys(generateReports())).toEqual(REPORT_NAMES);
  });

  it.each(REPORT_NAMES)('keeps the committed %s identical to what the generator produces now (run `npm run reports` if not)', (name) => {
    expect(readFileSync(join(REPORTS_DIR, name), 'utf8')).toBe(report(name));
  });

  it('marks every report as generated on its first line', () => {
    for (const text of Object.values(generateReports())) expect(text.split('\n')[0]).toBe(GENERATED_MARK);
  });
});

describe('paths.md', () => {
  it('finds the shortest path to every goal of every story, with pinned lengths', () => {
    const lengths = STORIES.map((story) => walkStory(story).map((leg) => leg.steps.length));
    expect(lengths).toEqual([
      [2, 1, 2],
      [2, 1, 1, 2],
      [3, 1, 1],
      [2, 1, 2, 1, 3],
      [1, 3, 1, 1],
    ]);
  });

  it('draws every state node of both machines in their Mermaid diagrams', () => {
    type Node = { path: string[]; states: Record<string, Node> };
    const nodes = (node: Node): Node[] => Object.values(node.states).flatMap((child) => [child, ...nodes(child)]);
    for (const machine of [platformMachine, appLifecycleMachine]) {
      const { diagram } = mermaidDiagram(machine);
      for (const node of nodes(machine.root as unknown as Node)) expect(diagram).toContain(node.path.join('_'));
    }
  });

  it('shows the outcome of every step of every path', () => {
    const paths = report('paths.md');
    expect(paths).toContain('→ **rejected:app-limit**');
    expect(paths).toContain('→ **rejected:org-limit**');
    expect(paths).toContain('→ **rejected:requirements**');
  });
});

describe('policies.md', () => {
  it('lists every parameter of every policy', () => {
    const policies = report('policies.md');
    for (const parameter of PARAMETERS) expect(policies).toContain(`\`${parameter.key}\``);
  });
});

describe('invariants.md', () => {
  it('has one row per invariant of the registry', () => {
    const rows =
      report('invariants.md')
        ?.split('\n')
        .filter((line) => /^\| `[A-Za-z]+` \|/.test(line)) ?? [];
    expect(rows.map((row) => row.split('`')[1])).toEqual(INVARIANTS.map((inv) => inv.name));
  });

  it('finds no scenario breaking an invariant outside the bug window', () => {
    const outside = exerciseAll(SCENARIOS_DIR).flatMap((e) =>
      e.violations.filter((v) => !v.bug).map((v) => `${e.scenario}:${v.line} ${v.invariant}`),
    );
    expect(outside).toEqual([]);
  });

  it('counts a step as exercising an invariant only where a wrong answer would break it', () => {
    const policy = scaled('xero-oauth2-2019', { appCap: 1 });
    const world = worldOf({ apps: ['A'], tenants: ['T1', 'T2'] });
    const connect = (tenant: string): PlatformEvent => ({ type: 'connect', app: 'A', tenant, user: 'u', at: null });
    const start = initialSnapshot({ policy, world });
    const first = step(start, connect('T1'));
    const refused = step(first, connect('T2'));
    const appWithinCap = INVARIANTS.find((inv) => inv.name === 'appWithinCap');
    if (appWithinCap === undefined) throw new Error('appWithinCap is missing');
    expect(stepExercises(appWithinCap, first.context, connect('T2'), refused.context)).toBe(true);
    expect(stepExercises(appWithinCap, start.context, connect('T1'), first.context)).toBe(false);
    const tenant: PlatformEvent = { type: 'tenant', tenant: 'T3', kind: defaultTenant('T3').kind };
    const declared = step(start, tenant);
    expect(INVARIANTS.filter((inv) => stepExercises(inv, start.context, tenant, declared.context))).toEqual([]);
  });
});

describe('what the 2026 tiers would change in earlier traces', () => {
  it('lists the scenarios kept before the tiers with the changes impact finds, and none of the 2026 ones', () => {
    const text = policiesReport(SCENARIOS_DIR);
    const section = text.slice(text.indexOf('## What the 2026 tiers would change'));
    // An uncertified app that declares no tier is on Starter: its 6th to 25th organisations are refused.
    expect(section).toContain('| `saas-app-reaches-25-2024` | 27 | 20 | 8 | `connected -> rejected:app-limit` 20 |');
    expect(section).toContain('| `third-uncertified-app-refused-2024` | 9 | 0 |  | nothing changes |');
    expect(section).not.toContain('starter-cap-2026');
    expect(section).not.toContain('core-2026-past-five');
  });
});

describe('infer.md', () => {
  it('shows the seed thread consistent with a cap of 25 and refuting 20 at its line', () => {
    const infer = report('infer.md');
    expect(infer).toContain('$ npx xcm infer scenarios/twenty-vs-twenty-five.jsonl\n');
    expect(infer).toContain('and refute 20 at line 23, where org-21 is observed connected.');
    expect(infer).toContain('| `appCap` | `25` | 25..25 |');
    expect(infer).toContain('| `orgCap` | `2` | 2..2 |');
  });
});
