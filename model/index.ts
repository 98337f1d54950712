/**
 * xero-connection-model: an executable model of Xero's OAuth 2.0 connection limits.
 *
 * The XState machine (`platformMachine`) is the single source of truth of the rules; the oracle
 * (`check`, `run`) replays traces through it; policies are data (`BUILTIN_POLICIES`); the
 * invariant registry (`INVARIANTS`) names every rule with its source.
 * @packageDocumentation
 */
export * from './types.ts';
export * from './policy.ts';
export { BUILTIN_POLICIES, builtinPolicy, parametersOf } from './policies.ts';
export * from './timeline.ts';
export * from './world.ts';
export * as rules from './rules.ts';
export { appLifecycleMachine, lifecycleStep, UNCERTIFIED_TIERS, type LifecycleEvent } from './lifecycle.ts';
export { defaultApp, declaredApp, type AppChanges, type PlatformContext, type PlatformEvent } from './transitions.ts';
export { createPlatformMachine, platformMachine, MODEL_IMPLEMENTATIONS, type PlatformImplementations, type PlatformInput, type PlatformSnapshot } from './machine.ts';
export { compilePlatform, type CompiledState } from './compiled.ts';
export * from './step.ts';
export * from './invariants.ts';
export { Driver, observedOutcomes, type StepReport } from './driver.ts';
export { explain, divergenceRule, type RuleName } from './explain.ts';
export { check, checkFile, createChecker, run, type Checker, type CheckResult, type Divergence, type OracleOptions, type RunRecord } from './oracle.ts';
export { applySet, choosePolicy, loadPolicyFile, resolvePolicy, type PolicyChoice } from './load-policy.ts';
export { parseTraceLine, readLineChunks, readLines, readTrace, scenarioHeader, type ScenarioHeader, type TraceLine } from './trace.ts';
export { InputError, type InputLocation } from './errors.ts';
export { INERT_SCOPE } from './scope.ts';
export { explore, DEFAULT_BOUNDS, type ExploreResult, type ExploreOptions } from './explore.ts';
export { diffPolicies, diffBounds, type DiffResult, type DiffOptions } from './diff.ts';
export { APP_KINDS, formatBounds, type AppKind, type Bounds } from './bounds.ts';
