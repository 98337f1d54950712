import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { applySet, choosePolicy, overridesNote, resolvePolicy } from './load-policy.ts';
import { BUILTIN_POLICIES } from '../platform/policies.ts';
import { PARAMETERS, policyLabel } from '../platform/policy.ts';

const oauth2 = resolvePolicy('xero-oauth2-2019');

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('choosing a policy', () => {
  it('defaults to the timeline xero', () => {
    expect(choosePolicy(undefined).label).toBe('xero');
  });

  it('overrides one parameter with --set, parsed by its kind', () => {
    expect(applySet(oauth2, 'appCap=3').appCap).toBe(3);
    expect(applySet(oauth2, 'certifiedCap=unlimited').certifiedCap).toBeNull();
    expect(applySet(oauth2, 'reconsentAtCap=false').reconsentAtCap).toBe(false);
    expect(applySet(oauth2, 'orgLimitReading=refuses-at-limit').orgLimitReading).toBe('refuses-at-limit');
  });

  it('names the option and the key of a bad --set', () => {
    expect(message(() => applySet(oauth2, 'appcap=3'))).toContain('--set: field "appcap": unknown parameter');
    expect(message(() => applySet(oauth2, 'appCap=many'))).toContain('field "appCap": expected a whole number');
    expect(message(() => applySet(oauth2, 'appCap'))).toContain('expected key=value');
    expect(message(() => choosePolicy(undefined, ['orgCap=-1']))).toContain('field "orgCap"');
  });

  it('reads a --set value as written on a command line: digits, unlimited, true or false, nothing JSON would also take', () => {
    expect(applySet(oauth2, 'appCap=9007199254740991').appCap).toBe(Number.MAX_SAFE_INTEGER);
    expect(applySet(oauth2, 'enterpriseCap=null').enterpriseCap).toBeNull();
    for (const value of ['9007199254740992', '3e0', ' 3', '03', '"3"', '[3]', '-0'])
      expect(message(() => applySet(oauth2, `appCap=${value}`))).toMatch(/expected a whole number from 0 to 9007199254740991/);
    expect(message(() => applySet(oauth2, 'tiered="true"'))).toContain('expected true or false');
  });

  it('refuses a key given twice, and suggests the nearest key to a mistyped one', () => {
    expect(message(() => resolvePolicy('xero-oauth2-2019', ['appCap=1', 'orgCap=1', 'appCap=2']))).toBe(
      '--set: field "appCap": given twice ("appCap=1", then "appCap=2") (give each key once)',
    );
    expect(message(() => applySet(oauth2, 'AppCap=3'))).toContain('(did you mean appCap? parameters: appCap, orgCap');
    expect(message(() => applySet(oauth2, 'reconsentAtCapp=true'))).toContain('did you mean reconsentAtCap?');
    expect(message(() => applySet(oauth2, 'zzz=1'))).not.toContain('did you mean');
    expect(message(() => resolvePolicy('xero-oauth2'))).toContain('did you mean xero-oauth2-2019?');
  });

  it('names an unknown policy id and lists the known ones', () => {
    expect(message(() => resolvePolicy('xero-oauth3'))).toMatch(/unknown policy "xero-oauth3".*xero-oauth2-2019/);
  });

  it('loads a policy file that refines a built-in policy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xcm-policy-'));
    const file = join(dir, 'proposal.json');
    writeFileSync(file, JSON.stringify({ id: 'proposal', extends: 'xero-tiers-2026', appCap: 10 }));
    const policy = resolvePolicy(file, ['orgCap=3']);
    expect([policy.id, policy.tiered, policy.appCap, policy.orgCap]).toEqual(['proposal', true, 10, 3]);
  });

  it('names the file and field of a bad policy file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xcm-policy-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ id: 'bad', appCapp: 10 }));
    expect(message(() => resolvePolicy(file))).toContain(`${file}: field "appCapp": unknown parameter`);
  });

  it('documents every parameter every built-in policy has', () => {
    const keys = PARAMETERS.map((p) => p.key).sort();
    for (const policy of BUILTIN_POLICIES) {
      const own = Object.keys(policy)
        .filter((k) => !['id', 'title', 'inForce', 'sources'].includes(k))
        .sort();
      expect(own).toEqual(keys);
    }
  });
});

describe('a policy file that extends the timeline with a dated change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xcm-dated-'));
  const write = (name: string, body: object) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(body));
    return file;
  };
  const cap20 = write('cap-20.json', { id: 'cap-20', extends: 'xero', from: '2025-07-01T00:00:00+12:00', appCap: 20 });

  it('should change the policies in force from its date on, and no earlier one', () => {
    const choice = choosePolicy(cap20);
    expect(choice.label).toBe('cap-20 (xero, changed from 2025-07-01T00:00:00+12:00)');
    const before = choice.choose(Date.parse('2025-06-30T23:59:59+12:00'), undefined);
    const after = choice.choose(Date.parse('2025-07-01T00:00:00+12:00'), undefined);
    expect([before.id, before.appCap, before.overrides]).toEqual(['xero-oauth2-2019', 25, undefined]);
    expect([after.id, after.appCap, after.overrides]).toEqual([
      'xero-oauth2-2019',
      20,
      ['appCap=20 (cap-20 from 2025-07-01T00:00:00+12:00)'],
    ]);
    expect(choice.choose(null, undefined).id).toBe('xero-tiers-2026');
  });

  it('should refuse the timeline where one policy is needed, naming the policies to pick from', () => {
    expect(() => resolvePolicy(cap20)).toThrow(
      /extends xero: it is the timeline \(a policy per era\), and this command takes one policy \(pick one of its policies: xero-partner-page-2019/,
    );
    expect(() => resolvePolicy('xero')).toThrow(/^xcm: xero is the timeline/);
  });

  it('should refuse a bad date, and a date on a policy that does not extend the timeline', () => {
    expect(() => choosePolicy(write('bad-date.json', { id: 'x', extends: 'xero', from: '2025-07-01' }))).toThrow(
      /field "from": expected an ISO 8601 instant with offset/,
    );
    expect(() => choosePolicy(write('dated.json', { id: 'y', extends: 'xero-oauth2-2019', from: '2025-07-01T00:00:00+12:00' }))).toThrow(
      /field "from": a dated change extends the timeline/,
    );
  });

  it('should say which policies a --set changes and under which it changes nothing', () => {
    expect(overridesNote(undefined, ['appCap=20', 'starterCap=3'])).toBe(
      '--set appCap=20 applies to xero-oauth2-2019, xero-bug-2020-02; it changes nothing under xero-tiers-2026\n--set starterCap=3 applies to xero-tiers-2026; it changes nothing under xero-oauth2-2019, xero-bug-2020-02',
    );
    expect(overridesNote('xero-oauth2-2019', [])).toBeNull();
    expect(applySet(oauth2, 'appCap=20').overrides).toEqual(['appCap=20']);
  });
});

describe('the tier assumptions and the labels of overrides', () => {
  it('should accept either uncertified tier as the assumed one, and no other', () => {
    expect(resolvePolicy('xero-tiers-2026', ['assumedTier=core']).assumedTier).toBe('core');
    expect(resolvePolicy('xero-tiers-2026', ['assumedTier=starter']).assumedTier).toBe('starter');
    expect(resolvePolicy('xero-tiers-2026', ['assumedCertifiedTier=enterprise']).assumedCertifiedTier).toBe('enterprise');
    expect(message(() => resolvePolicy('xero-tiers-2026', ['assumedTier=plus']))).toBe(
      '--set: field "assumedTier": unknown value "plus" (expected one of starter, core)',
    );
  });

  it('should name every override in the label, in order', () => {
    expect(policyLabel(resolvePolicy('xero-oauth2-2019', ['appCap=20', 'orgCap=3']))).toBe('xero-oauth2-2019 with appCap=20, orgCap=3');
    expect(policyLabel(resolvePolicy('xero-oauth2-2019'))).toBe('xero-oauth2-2019');
  });
});
