import { describe, expect, it } from 'vitest';

/**
 * Every rule module loads. Imported inside the tests, so that a module that throws while loading
 * fails a test here rather than only leaving the tests of other files uncollected.
 */
describe('the rule modules load', () => {
  it.each([
    ['rules', () => import('./rules.ts')],
    ['transitions', () => import('./transitions.ts')],
    ['lifecycle', () => import('./lifecycle.ts')],
    ['timeline', () => import('./timeline.ts')],
    ['invariants', () => import('./invariants.ts')],
    ['policy', () => import('./policy.ts')],
    ['policies', () => import('./policies.ts')],
    ['machine', () => import('./machine.ts')],
  ] as const)('%s', async (_name, load) => {
    expect(Object.keys(await load()).length).toBeGreaterThan(0);
  });

  it('builds machines whose ids and initial states are the ones the model names', async () => {
    const { platformMachine } = await import('./machine.ts');
    const { appLifecycleMachine } = await import('./lifecycle.ts');
    expect(platformMachine.id).toBe('platform');
    expect(appLifecycleMachine.id).toBe('app');
    expect(Object.keys(platformMachine.root.states)).toEqual(['normal', 'bugWindow']);
    expect(Object.keys(appLifecycleMachine.root.states)).toEqual(['uncertified', 'certified']);
    expect(platformMachine.root.initial?.target[0]?.key).toBe('normal');
    expect(appLifecycleMachine.root.initial?.target[0]?.key).toBe('uncertified');
    expect(appLifecycleMachine.root.states.uncertified?.initial?.target[0]?.key).toBe('starter');
    expect(appLifecycleMachine.root.states.certified?.initial?.target[0]?.key).toBe('plus');
  });
});
