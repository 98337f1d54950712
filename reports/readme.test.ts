import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../model/platform/invariants.ts';
import { BUILTIN_POLICIES } from '../model/platform/policies.ts';
import { PARAMETERS } from '../model/platform/policy.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('lists every invariant of the registry by name', () => {
    for (const invariant of INVARIANTS) expect(readme).toContain(`\`${invariant.name}\``);
  });

  it('lists every built-in policy and every parameter', () => {
    for (const policy of BUILTIN_POLICIES) expect(readme).toContain(`\`${policy.id}\``);
    for (const parameter of PARAMETERS) expect(readme).toContain(`\`${parameter.key}\``);
  });
});
