import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { applySet, choosePolicy, resolvePolicy } from './load-policy.ts';
import { BUILTIN_POLICIES } from '../platform/policies.ts';
import { PARAMETERS } from '../platform/policy.ts';

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
