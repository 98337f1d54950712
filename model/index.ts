/**
 * xero-connection-model: an executable model of Xero's OAuth 2.0 connection limits.
 *
 * The XState machine (`platformMachine`) is the single source of truth of the rules; the oracle
 * (`check`, `run`) replays traces through it; policies are data (`BUILTIN_POLICIES`); the
 * invariant registry (`INVARIANTS`) names every rule with its source.
 * @packageDocumentation
 */
export * from './types.ts';
export * from './platform/policy.ts';
export { BUILTIN_POLICIES, builtinPolicy, parametersOf } from './platform/policies.ts';
export * from './platform/timeline.ts';
export * from './world/world.ts';
export * as rules from './platform/rules.ts';
export { appLifecycleMachine, lifecycleStep, UNCERTIFIED_TIERS, type LifecycleEvent } from './platform/lifecycle.ts';
export { defaultApp, declaredApp, type AppChanges, type PlatformContext, type PlatformEvent } from './platform/transitions.ts';
export {
  createPlatformMachine,
  platformMachine,
  MODEL_IMPLEMENTATIONS,
  type PlatformImplementations,
  type PlatformInput,
  type PlatformSnapshot,
} from './platform/machine.ts';
export { compilePlatform, type CompiledState } from './engine/compiled.ts';
export * from './engine/step.ts';
export * from './platform/invariants.ts';
export { Driver, type StepReport } from './engine/driver.ts';
export { explain, divergenceRule, type RuleName } from './oracle/explain.ts';
export {
  check,
  checkFile,
  createChecker,
  run,
  type Checker,
  type CheckResult,
  type Divergence,
  type OracleOptions,
  type RunRecord,
} from './oracle/oracle.ts';
export { applySet, choosePolicy, loadPolicyFile, resolvePolicy, type PolicyChoice } from './io/load-policy.ts';
export { observedOutcomes } from './io/trace-line.ts';
export { parseTraceLine, readLineChunks, readLines, readTrace, scenarioHeader, type ScenarioHeader, type TraceLine } from './io/trace.ts';
export { InputError, type InputLocation } from './errors.ts';
export { INERT_SCOPE } from './platform/scope.ts';
export { explore, DEFAULT_BOUNDS, type ExploreResult, type ExploreOptions } from './search/explore.ts';
export { diffPolicies, diffBounds, type DiffResult, type DiffOptions } from './search/diff.ts';
export { APP_KINDS, formatBounds, type AppKind, type Bounds } from './search/bounds.ts';
