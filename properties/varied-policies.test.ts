import { beforeAll, describe, it } from 'vitest';
import { runBanner, timeoutMs } from './config.ts';
import {
  assertHoldsVaried,
  policyOverrides,
  policyOverridesWithBug,
  UNDER_ANY_VARIANT,
  UNDER_CORRECT_VARIANTS,
} from './varied-policies.ts';

beforeAll(() => console.info(runBanner()));

describe('under varied policies (correct organisation check)', () => {
  it.each(UNDER_CORRECT_VARIANTS.map((p) => [p.name, p] as const))(
    '%s',
    (_name, property) => assertHoldsVaried(property, policyOverrides),
    timeoutMs(),
  );
});

describe('under varied policies, bug readings included', () => {
  it.each(UNDER_ANY_VARIANT.map((p) => [p.name, p] as const))(
    '%s',
    (_name, property) => assertHoldsVaried(property, policyOverridesWithBug),
    timeoutMs(),
  );
});
