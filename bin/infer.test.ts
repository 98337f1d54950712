import { describe, expect, it } from 'vitest';
import { file, xcm } from './cli-harness.ts';

const TWENTY = 'scenarios/twenty-vs-twenty-five.jsonl';

/** 25 organisations, a 26th refused, and the re-consent of the first refused too (2024: the flat cap of 25). */
const RECONSENT_REFUSED = [
  ...Array.from({ length: 25 }, (_, i) => ({
    type: 'connect',
    app: 'app',
    tenant: `org-${String(i + 1).padStart(2, '0')}`,
    ...(i === 0 ? { at: '2024-03-04T09:00:00+13:00' } : {}),
    observed: 'connected',
  })),
  { type: 'connect', app: 'app', tenant: 'org-26', observed: 'rejected:app-limit' },
  { type: 'connect', app: 'app', tenant: 'org-01', observed: 'rejected:app-limit' },
];

describe('xcm infer', () => {
  it('should find appCap consistent with exactly 25 on the seed thread, refuting 20 at line 23, exit 0', () => {
    const { status, stdout, stderr } = xcm('infer', TWENTY);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(
      stdout,
    ).toBe(`infer ${TWENTY} under xero: 27 events, 26 with an observed outcome; 26 tenants and 1 app; it runs under xero-oauth2-2019
each parameter alone, the others at their defaults; caps tried at 0..27 (27 stands for every larger value: 26 tenants and 1 app reach no larger cap):
  appCap  default 25  consistent 25..25  refuted 0 (line 3), 1 (line 4), 2 (line 5), 3 (line 6),
      4 (line 7), 5 (line 8), 6 (line 9), 7 (line 10), 8 (line 11), 9 (line 12), 10 (line 13),
      11 (line 14), 12 (line 15), 13 (line 16), 14 (line 17), 15 (line 18), 16 (line 19),
      17 (line 20), 18 (line 21), 19 (line 22), 20 (line 23), 21 (line 24), 22 (line 25),
      23 (line 26), 24 (line 27), 26 and above (line 28)
  orgCap  default 2   consistent 1 or more  refuted 0 (line 3)
not tested by this trace (every value gives the same verdict): certifiedCap, customCap,
  demoCountsTowardAppCap, demoSubjectToOrgLimit, reconsentAtCap, checkOrder
not asked (the question does not arise under xero-oauth2-2019): starterCap, coreCap, plusCap,
  advancedCap, enterpriseCap, assumedTier, assumedCertifiedTier, orgLimitReading
together: every one of the 16 combinations of demoCountsTowardAppCap, demoSubjectToOrgLimit,
  reconsentAtCap and checkOrder is consistent
the defaults hold: every observed outcome agrees with them
`);
  });

  it('should write the contract as JSON: defaultsHold, and per parameter key, default, consistent and refuted', () => {
    const { status, stdout } = xcm('infer', TWENTY, '--json');
    expect(status).toBe(0);
    const json = JSON.parse(stdout) as {
      defaultsHold: boolean;
      parameters: Array<{ key: string; default: unknown; consistent: unknown; refuted: Array<{ value: unknown; line: number }> }>;
    };
    expect(Object.keys(json).slice(0, 2)).toEqual(['defaultsHold', 'parameters']);
    expect(json.defaultsHold).toBe(true);
    const appCap = json.parameters.find((p) => p.key === 'appCap');
    expect(appCap).toMatchObject({ key: 'appCap', default: 25, consistent: { min: 25, max: 25 } });
    expect(appCap?.refuted).toContainEqual({ value: 20, line: 23 });
    expect(json.parameters.find((p) => p.key === 'orgCap')).toMatchObject({ consistent: { min: 1, max: null } });
    expect(json.parameters.find((p) => p.key === 'reconsentAtCap')).toMatchObject({ consistent: [true, false], refuted: [] });
    // One line per parameter, between the head and the counts.
    expect(stdout.split('\n')[1]).toMatch(/^\{"key":"appCap",/);
  });

  it('should exit 1 when the observations refute a default: the App Partner page 20 at line 23', () => {
    const { status, stdout } = xcm('infer', TWENTY, '--policy', 'xero-partner-page-2019');
    expect(status).toBe(1);
    expect(stdout).toContain('  appCap  default 20  consistent 25..25  refuted 0 (line 3),');
    expect(stdout).toContain(
      `a default is refuted: line 23 disagrees with the defaults; another value alone makes every observed\n  outcome agree: appCap 25..25\n(why: xcm check ${TWENTY})\n`,
    );
  });

  it('should refute reconsentAtCap=true where a re-consent at the cap was refused, exit 1', () => {
    const path = file('reconsent-refused.jsonl', RECONSENT_REFUSED);
    const { status, stdout } = xcm('infer', path);
    expect(status).toBe(1);
    const lines = stdout.replaceAll(path, 'FILE').split('\n');
    expect(lines).toContain('  reconsentAtCap  default true  consistent false  refuted true (line 27)');
    expect(lines).toContain('  orgCap          default 2     consistent none  refuted 0 (line 1), 1 and above (line 27)');
    expect(stdout.replaceAll(path, 'FILE')).toContain(
      `together (16 combinations of demoCountsTowardAppCap, demoSubjectToOrgLimit, reconsentAtCap and
  checkOrder): consistent only with reconsentAtCap=false; demoCountsTowardAppCap,
  demoSubjectToOrgLimit and checkOrder any value
a default is refuted: line 27 disagrees with the defaults; another value alone makes every observed
  outcome agree: reconsentAtCap false
(why: xcm check FILE)
`,
    );
    const json = JSON.parse(xcm('infer', path, '--json').stdout) as { defaultsHold: boolean; parameters: Array<{ key: string }> };
    expect(json.defaultsHold).toBe(false);
    expect(json.parameters.find((p) => p.key === 'reconsentAtCap')).toEqual({
      key: 'reconsentAtCap',
      default: true,
      consistent: [false],
      refuted: [{ value: true, line: 27 }],
      kind: 'reading',
      tested: true,
    });
  });

  it('should say nothing was observed on an empty trace, exit 0', () => {
    const path = file('empty.jsonl', []);
    const { status, stdout } = xcm('infer', path);
    expect(status).toBe(0);
    expect(stdout.replaceAll(path, 'FILE')).toBe(
      'infer FILE under xero: 0 events, 0 with an observed outcome; 0 tenants and 0 apps\n' +
        'nothing observed: the trace has no events, so every reading is consistent\n',
    );
    expect(JSON.parse(xcm('infer', path, '--json').stdout)).toMatchObject({ defaultsHold: true, parameters: [], events: 0 });
  });

  it('should say nothing was observed on a trace without observations, every value consistent, exit 0', () => {
    const path = file('unobserved.jsonl', [
      { type: 'connect', app: 'a', tenant: 't1', at: '2024-01-01T00:00:00Z' },
      { type: 'connect', app: 'a', tenant: 't2' },
    ]);
    const { status, stdout } = xcm('infer', path);
    expect(status).toBe(0);
    expect(
      stdout.replaceAll(path, 'FILE'),
    ).toBe(`infer FILE under xero: 2 events, 0 with an observed outcome; 2 tenants and 1 app; it runs under xero-oauth2-2019
not tested by this trace (every value gives the same verdict): appCap, orgCap, certifiedCap,
  customCap, demoCountsTowardAppCap, demoSubjectToOrgLimit, reconsentAtCap, checkOrder
not asked (the question does not arise under xero-oauth2-2019): starterCap, coreCap, plusCap,
  advancedCap, enterpriseCap, assumedTier, assumedCertifiedTier, orgLimitReading
together: every one of the 16 combinations of demoCountsTowardAppCap, demoSubjectToOrgLimit,
  reconsentAtCap and checkOrder is consistent
nothing observed: no event has an observed outcome, so every reading is consistent
`);
  });

  it('should infer a scenario under the policy and set its header pins, and say so', () => {
    const { status, stdout } = xcm('infer', 'scenarios/regressions/org-first.jsonl');
    expect(status).toBe(0);
    expect(stdout).toContain(
      'scenarios/regressions/org-first.jsonl: inferred under set appCap=3 starterCap=3 coreCap=5 plusCap=7 advancedCap=9 from the scenario header\n',
    );
    expect(stdout).toContain('  appCap      default 3          consistent 3..3  refuted 0 (line 2), 1..2 (line 5),\n');
    expect(stdout).toContain('  checkOrder  default app-first  consistent app-first  refuted org-first (line 6)\n');
  });

  it('should exit 2 on bad input, naming the file, line and field', () => {
    const bad = file('bad-infer.jsonl', [{ type: 'connect', app: 'a', observed: 'connected' }]);
    expect(xcm('infer', bad)).toMatchObject({
      status: 2,
      stdout: '',
      stderr: `xcm: ${bad}:1: field "tenant": missing (a connect needs "tenant" or "tenants")\n`,
    });
    expect(xcm('infer', TWENTY, '--policy', 'nope')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^xcm: --policy: unknown policy "nope"/),
    });
    expect(xcm('infer', TWENTY, '--set', 'appCap=x')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^xcm: --set: field "appCap"/),
    });
    expect(xcm('infer')).toMatchObject({
      status: 2,
      stderr: 'xcm: missing the trace file (usage: xcm infer TRACE [--policy ID|FILE] [--set K=V] [--json])\n',
    });
    expect(xcm('infer', TWENTY, 'extra').status).toBe(2);
    expect(xcm('infer', 'missing.jsonl')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^xcm: missing\.jsonl: cannot read the trace/),
    });
  });

  it('should describe itself with --help, -h and help infer, listing the --set keys', () => {
    const help = xcm('infer', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: xcm infer TRACE \[--policy ID\|FILE\] \[--set K=V\] \[--json\]/);
    expect(help.stdout).toContain('reconsentAtCap');
    expect(xcm('infer', '-h').stdout).toBe(help.stdout);
    expect(xcm('help', 'infer').stdout).toBe(help.stdout);
    expect(xcm('help').stdout).toContain(
      "  infer      which readings of the open questions, and which caps, a trace's observations allow\n",
    );
  });
});
