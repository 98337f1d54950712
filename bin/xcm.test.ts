import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES } from '../model/platform/policies.ts';

import { file, ROOT, TMP, xcm } from './cli-harness.ts';

/** An uncertified app connects 25 organisations in 2020, then a 26th observed as `last` after a blank line. */
function capTrace(name: string, last: string): { path: string; lastLine: number } {
  const connects = Array.from({ length: 25 }, (_, i) => ({ type: 'connect', app: 'A', tenant: `t${i + 1}`, observed: 'connected' }));
  const lines = [
    { type: 'app', app: 'A', at: '2020-03-02T09:00:00+13:00' },
    ...connects,
    '',
    { type: 'connect', app: 'A', tenant: 't26', observed: last },
  ];
  return { path: file(name, lines), lastLine: lines.length };
}

function expectInputError(result: ReturnType<typeof xcm>, ...fragments: string[]) {
  expect(result.status).toBe(2);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
  expect(result.stderr).not.toContain('    at ');
}

describe('xcm check', () => {
  it('should exit 0 on a trace whose observations agree with the model', () => {
    const { path } = capTrace('agrees.jsonl', 'rejected:app-limit');
    const result = xcm('check', path);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('ok: 27 events agree');
  });

  it('should exit 1 and report the divergence as JSON at its 1-based line, blank lines counted', () => {
    const { path, lastLine } = capTrace('diverges-json.jsonl', 'connected');
    const result = xcm('check', path, '--json');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; divergences: Array<Record<string, unknown>> };
    expect(report.ok).toBe(false);
    expect(report.divergences).toHaveLength(1);
    expect(report.divergences[0]).toMatchObject({ line: lastLine, expected: 'rejected:app-limit', observed: 'connected', rule: 'app-cap' });
    expect(report.divergences[0]?.explanation).toEqual(expect.stringContaining('t26'));
  });

  it('should name the rule and the counts behind it in text output', () => {
    const { path, lastLine } = capTrace('diverges-text.jsonl', 'connected');
    const result = xcm('check', path);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${path}:${lastLine}: expected rejected:app-limit, observed connected [app-cap]`);
    expect(result.stdout).toContain('holds 25 of 25');
  });

  it('should read a policy from a JSON file given to --policy', () => {
    const policy = join(TMP, 'three.json');
    writeFileSync(policy, JSON.stringify({ id: 'x', appCap: 3 }));
    const trace = file('three.jsonl', [
      ...['t1', 't2', 't3'].map((tenant) => ({ type: 'connect', app: 'A', tenant, observed: 'connected' })),
      { type: 'connect', app: 'A', tenant: 't4', observed: 'rejected:app-limit' },
    ]);
    const result = xcm('check', trace, '--policy', policy);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('under x');
  });
});

describe('xcm check: following the platform, counting lines, scenario headers', () => {
  /** 25 connected, a 26th observed connected (the model refuses it), then its consequences; line 27 is the wrong one. */
  function knockOn(name: string): string {
    const { path } = capTrace(name, 'connected');
    writeFileSync(
      path,
      `${[
        { type: 'disconnect', app: 'A', tenant: 't26', observed: 'disconnected' },
        { type: 'connect', app: 'A', tenant: 't27', observed: 'rejected:app-limit' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n')}\n`,
      { flag: 'a' },
    );
    return path;
  }

  it('should report one wrong observation once, at its line, and with --follow model its knock-on divergences', () => {
    const path = knockOn('knock-on.jsonl');
    const followed = xcm('check', path);
    expect(followed.status).toBe(1);
    expect(followed.stdout.split('\n').filter((l) => l.startsWith(`${path}:`))).toEqual([
      `${path}:28: expected rejected:app-limit, observed connected [app-cap]`,
    ]);
    expect(followed.stdout).toContain('1 line diverges in 29 events under xero\n');
    const json = JSON.parse(xcm('check', path, '--json').stdout) as { divergences: Array<{ line: number; followed: number }> };
    expect(json.divergences.map((d) => [d.line, d.followed])).toEqual([[28, 0]]);
    const own = xcm('check', path, '--follow', 'model');
    expect(own.stdout.split('\n').filter((l) => l.startsWith(`${path}:`))).toEqual([
      `${path}:28: expected rejected:app-limit, observed connected [app-cap]`,
      `${path}:29: expected not-connected, observed disconnected [disconnect]`,
    ]);
    expect(own.stdout).toContain('2 lines diverge in 29 events under xero\n');
    expect(xcm('check', path, '--follow', 'nobody')).toMatchObject({ status: 2, stderr: expect.stringContaining('field "--follow"') });
  });

  it('should say how many earlier divergences a divergence was judged after', () => {
    const path = knockOn('judged-after.jsonl');
    writeFileSync(path, `${JSON.stringify({ type: 'connect', app: 'A', tenant: 't28', observed: 'connected' })}\n`, { flag: 'a' });
    const result = xcm('check', path);
    expect(result.stdout).toContain(`${path}:31: expected rejected:app-limit, observed connected [app-cap]`);
    expect(result.stdout).toContain('  judged after following 1 earlier divergent observation\n');
  });

  it('should count lines, not outcomes, in the summary', () => {
    const path = file('consents.jsonl', [
      { type: 'connect', app: 'A', tenants: ['t1', 't2'], observed: { t1: 'rejected:app-limit', t2: 'rejected:app-limit' } },
      { type: 'connect', app: 'A', tenant: 't3', observed: 'connected' },
      { type: 'connect', app: 'B', tenant: 't1', observed: 'rejected' },
    ]);
    const result = xcm('check', path, '--policy', 'xero-oauth2-2019');
    expect(result.stdout).toContain('2 lines diverge (3 outcomes) in 3 events under xero-oauth2-2019\n');
  });

  it("should check a scenario file under its header's policy and set unless --policy or --set is given, and say so", () => {
    const path = file('pinned.jsonl', [
      { type: 'scenario', title: 't', story: 's', source: 'x', policy: 'xero-partner-page-2019', set: ['appCap=1'] },
      { type: 'connect', app: 'A', tenant: 't1', observed: 'connected' },
      { type: 'connect', app: 'A', tenant: 't2', observed: 'rejected:app-limit' },
    ]);
    const pinned = xcm('check', path);
    expect(pinned.status).toBe(0);
    expect(pinned.stdout).toBe(
      `${path}: checked under policy xero-partner-page-2019 and set appCap=1 from the scenario header\nok: 2 events agree with the model under xero-partner-page-2019 with appCap=1\n`,
    );
    expect(JSON.parse(xcm('check', path, '--json').stdout)).toMatchObject({ ok: true, pinned: expect.stringContaining('scenario header') });
    const overridden = xcm('check', path, '--set', 'appCap=2');
    expect(overridden.status).toBe(1);
    expect(overridden.stdout).toContain(`${path}: checked under policy xero-partner-page-2019 from the scenario header\n`);
    expect(xcm('check', path, '--policy', 'xero-oauth2-2019', '--set', 'appCap=5').stdout).not.toContain('scenario header');
  });
});

describe('xcm check on bad input', () => {
  it.each([
    { name: 'malformed JSON', lines: ['{"type":"connect","app":"A"'], at: 1, field: null, words: 'malformed JSON' },
    { name: 'an unknown type', lines: ['', { type: 'link', app: 'A' }], at: 2, field: 'type', words: 'link' },
    { name: 'a missing field', lines: [{ type: 'disconnect', app: 'A' }], at: 1, field: 'tenant', words: 'missing' },
    { name: 'an ill-typed field', lines: [{ type: 'app', app: 'A', certified: 'yes' }], at: 1, field: 'certified', words: 'true or false' },
    {
      name: 'an unknown observed outcome',
      lines: [{ type: 'connect', app: 'A', tenant: 't1', observed: 'accepted' }],
      at: 1,
      field: 'observed',
      words: 'accepted',
    },
  ])('should exit 2 naming the file, line and field on $name, without a stack trace', ({ name, lines, at, field, words }) => {
    const path = file(`${name.replace(/ /g, '-')}.jsonl`, lines);
    const result = xcm('check', path);
    expectInputError(result, `${path}:${at}:`, words, ...(field === null ? [] : [`field "${field}"`]));
  });

  it.each([
    { name: 'an unknown --policy id', args: ['--policy', 'xero-2099'], words: ['--policy', 'xero-2099'] },
    { name: 'an unknown --set key', args: ['--set', 'cap=3'], words: ['--set', 'field "cap"', 'unknown parameter'] },
    { name: 'a bad --set value', args: ['--set', 'appCap=many'], words: ['--set', 'field "appCap"', 'whole number'] },
  ])('should exit 2 on $name, without a stack trace', ({ args, words }) => {
    const path = file('one-connect.jsonl', [{ type: 'connect', app: 'A', tenant: 't1' }]);
    expectInputError(xcm('check', path, ...args), ...words);
  });
});

describe('xcm run and xcm policies', () => {
  it('should print each event as a trace line, annotated with the outcome, the reason and the policy under "model"', () => {
    const path = file('run.jsonl', [
      { type: 'app', app: 'A', at: '2020-03-02T09:00:00+13:00' },
      { type: 'connect', app: 'A', tenants: ['t1', 't2'], user: 'u1' },
      '',
      { type: 'disconnect', app: 'A', tenant: 't1', user: 'u1' },
      { type: 'revoke', app: 'A', user: 'u1' },
    ]);
    const result = xcm('run', path, '--json');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { type: string; model: Record<string, unknown> });
    expect(records.map((r) => [r.model.line, r.model.outcome])).toEqual([
      [1, 'ok'],
      [2, { t1: 'connected', t2: 'connected' }],
      [4, 'disconnected'],
      [5, 'revoked'],
    ]);
    for (const r of records) expect(r.model.reason).toEqual(expect.stringMatching(/\w/));
    expect(records[1]?.model.policy).toBe('xero-oauth2-2019');
    expect(lines[2]).toBe(
      '{"type":"disconnect","app":"A","tenant":"t1","user":"u1","model":{"line":4,"policy":"xero-oauth2-2019","outcome":"disconnected","reason":"removes u1\'s connection of A to t1"}}'.replace(
        "removes u1's connection of A to t1",
        String(records[2]?.model.reason),
      ),
    );
  });

  it('should write an annotated trace that check accepts and judges as the original, header, notes and divergences included', () => {
    const path = file('round-trip.jsonl', [
      { type: 'scenario', title: 't', story: 's', source: 'x', policy: 'xero-oauth2-2019', set: ['appCap=1'] },
      { type: 'connect', app: 'A', tenant: 't1', observed: 'connected', note: 'the first' },
      { type: 'connect', app: 'A', tenants: ['t2', 't3'], user: 'u2', observed: { t2: 'connected', t3: 'rejected' } },
      { type: 'disconnect', app: 'A', tenant: 't1', observed: 'disconnected' },
    ]);
    const annotated = xcm('run', path, '--json');
    expect(annotated.status).toBe(1);
    const again = file('round-trip-annotated.jsonl', []);
    writeFileSync(again, annotated.stdout);
    const original = xcm('check', path);
    const replayed = xcm('check', again);
    expect(replayed.stderr).toBe('');
    expect(replayed.status).toBe(1);
    expect(replayed.stdout.replaceAll(again, path)).toBe(original.stdout);
    expect(JSON.parse(annotated.stdout.split('\n')[1] ?? '')).toMatchObject({ tenant: 't1', note: 'the first', observed: 'connected' });
  });

  it('should exit 1 after a divergence even when the reader closes the pipe early', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => ({ type: 'connect', app: 'A', tenant: `t${i}`, observed: 'rejected' }));
    const path = file('closed-pipe.jsonl', lines);
    for (const command of ['run', 'check']) {
      // Like `xcm run big.jsonl | head -1`: the reader takes the first bytes and goes away.
      const child = spawn(process.execPath, ['--import', 'tsx', 'bin/xcm.ts', command, path], { cwd: ROOT });
      child.stdout.once('data', () => child.stdout.destroy());
      const stderr: Buffer[] = [];
      child.stderr.on('data', (b: Buffer) => stderr.push(b));
      const [status] = (await once(child, 'exit')) as [number | null];
      expect([command, status, Buffer.concat(stderr).toString()]).toEqual([command, 1, '']);
    }
  });

  it('should print a line per tenant of a consent and end with a summary line', () => {
    const path = file('run-text.jsonl', [
      { type: 'connect', app: 'A', tenants: ['t1', 't2'], observed: { t1: 'connected', t2: 'connected' } },
      { type: 'disconnect', app: 'A', tenant: 't2', observed: 'disconnected' },
    ]);
    const result = xcm('run', path, '--policy', 'xero-oauth2-2019', '--set', 'appCap=1');
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '   1  connect app=A tenants=t1,t2',
      '      -> t1=connected t2=rejected:app-limit (xero-oauth2-2019 with appCap=1)  <-- observed differs',
      expect.stringMatching(/^ {6}t1 -> connected: no limit refuses it: /),
      expect.stringMatching(/^ {6}t2 -> rejected:app-limit: t2 would be a new tenant past the cap: /),
    ]);
    expect(lines.at(-1)).toBe('2 events, 3 outcomes, 1 divergence');
  });

  it('should list every built-in policy id', () => {
    const result = xcm('policies');
    expect(result.status).toBe(0);
    const listed = result.stdout.split('\n').filter((l) => l !== '' && !l.startsWith(' ') && !l.startsWith('timeline'));
    expect(listed).toEqual(BUILTIN_POLICIES.map((p) => p.id));
  });
});

describe('xcm impact', () => {
  const trace = () =>
    file('impact.jsonl', [
      { type: 'app', app: 'B', certified: true },
      ...Array.from({ length: 22 }, (_, i) => ({ type: 'connect', app: 'A', tenant: `t${i + 1}` })),
      { type: 'connect', app: 'B', tenants: ['t1', 't2'] },
      { type: 'connect', app: 'C', tenants: ['t21', 't22'] },
    ]);
  const cap20 = () => file('cap-20.json', [{ id: 'cap-20', extends: 'xero-oauth2-2019', appCap: 20 }]);

  it('should list each changed outcome, then the changes per app and a summary, and exit 1', () => {
    const path = trace();
    const result = xcm('impact', path, '--from', 'xero-oauth2-2019', '--to', cap20());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      [
        `impact on ${path} of changing xero-oauth2-2019 to cap-20`,
        `${path}:22: A t21: connected -> rejected:app-limit`,
        `${path}:23: A t22: connected -> rejected:app-limit`,
        '  A: 2 outcomes from line 22 (connected -> rejected:app-limit 2)',
        '2 outcomes change in 25 events, for 1 app',
        '',
      ].join('\n'),
    );
  });

  it('should write one JSON document with the contract keys, and exit 0 when nothing changes', () => {
    const path = trace();
    const json = xcm('impact', path, '--from', 'xero-oauth2-2019', '--to', 'xero-partner-page-2019', '--json');
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['from', 'to', 'lines', 'events', 'changed', 'byApp']);
    expect(doc).toMatchObject({ from: 'xero-oauth2-2019', to: 'xero-partner-page-2019', events: 25, changed: 2 });
    expect(doc.lines).toEqual([
      { line: 22, from: 'connected', to: 'rejected:app-limit', app: 'A', tenant: 't21' },
      { line: 23, from: 'connected', to: 'rejected:app-limit', app: 'A', tenant: 't22' },
    ]);
    expect(doc.byApp).toEqual([{ app: 'A', changed: 2, first: 22, kinds: { 'connected -> rejected:app-limit': 2 } }]);
    const same = xcm('impact', path, '--from', 'xero-oauth2-2019', '--to', 'xero-oauth2-2019');
    expect([same.status, same.stdout.trim().split('\n').at(-1)]).toEqual([0, 'no outcome changes in 25 events']);
  });

  it('should say nothing changes on an empty trace, exit 0', () => {
    const empty = file('impact-empty.jsonl', []);
    const result = xcm('impact', empty, '--to', 'xero-tiers-2026', '--json');
    expect([result.status, JSON.parse(result.stdout)]).toEqual([
      0,
      { from: 'xero', to: 'xero-tiers-2026', lines: [], events: 0, changed: 0, byApp: [] },
    ]);
  });

  it('should refuse a missing --to or an unknown policy with one line, exit 2', () => {
    const path = trace();
    const missing = xcm('impact', path);
    expect([missing.status, missing.stderr.trim().split('\n')]).toEqual([2, [expect.stringContaining('xcm: field "--to": missing --to')]]);
    const unknown = xcm('impact', path, '--to', 'no-such-policy');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('xcm check streaming and --max-divergences', () => {
  const wrong = () =>
    file(
      'all-wrong.jsonl',
      Array.from({ length: 50 }, (_, i) => ({ type: 'connect', app: 'A', tenant: `t${i}`, observed: 'rejected:app-limit' })),
    );

  it('should stop after the line of the N-th divergence, with a summary, exit 1', () => {
    const path = wrong();
    const result = xcm('check', path, '--policy', 'xero-oauth2-2019', '--max-divergences', '3');
    expect(result.status).toBe(1);
    expect(result.stdout.match(/^\S+:\d+: expected/gm)).toHaveLength(3);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      '3 lines diverge in 3 events under xero-oauth2-2019; stopped at line 3 (--max-divergences), the rest not checked',
    );
    const json = JSON.parse(xcm('check', path, '--policy', 'xero-oauth2-2019', '--max-divergences', '3', '--json').stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ ok: false, events: 3, outcomes: 3, lines: 3, stoppedAt: 3 });
    expect(json.divergences).toHaveLength(3);
  });

  it('should write every divergence and the counts when not stopped, and refuse a limit of 0', () => {
    const path = wrong();
    const json = JSON.parse(xcm('check', path, '--policy', 'xero-oauth2-2019', '--json').stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ policy: 'xero-oauth2-2019', ok: false, events: 50, outcomes: 50, lines: 50, stoppedAt: null });
    expect(json.divergences).toHaveLength(50);
    const zero = xcm('check', path, '--max-divergences', '0');
    expect([zero.status, zero.stderr.trim().split('\n')]).toEqual([
      2,
      [expect.stringContaining('field "--max-divergences": expected a whole number from 1')],
    ]);
  });
});
