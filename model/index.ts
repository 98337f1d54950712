/**
 * xero-connection-model: an executable model of Xero's OAuth 2.0 connection limits.
 *
 * The rules are one XState machine (`platformMachine`, in `model/platform/`); everything here
 * steps through it. The entry points:
 * - the oracle: {@link check}, {@link checkFile} and {@link run} replay a trace and say what the
 *   platform must do for each event, by which rule, and where an observation diverges;
 *   {@link status} gives the platform's state after it (each app against its cap, each tenant's slots);
 *   {@link infer} says which readings of the open questions (and which caps) its observations allow;
 * - the search: {@link explore} checks every invariant on every reachable state within bounds,
 *   {@link diffPolicies} finds the shortest trace on which two policies differ;
 * - the rules as data: {@link BUILTIN_POLICIES}, {@link resolvePolicy}, {@link PARAMETERS},
 *   the timeline {@link ERAS}, and the invariant registry {@link INVARIANTS};
 * - the trace format: {@link TraceEvent} and its event types, {@link Outcome}, {@link readTrace};
 *   {@link importConnections} makes a trace of `GET /connections` responses.
 * @packageDocumentation
 */

// The trace format and the outcomes (README, "The trace format").
export type {
  AppEvent,
  AuthProtocol,
  CertifyEvent,
  ConnectEvent,
  DisconnectEvent,
  Observed,
  ObservedOutcome,
  Outcome,
  RevokeEvent,
  TenantEvent,
  TenantKind,
  Tier,
  TierEvent,
  TraceEvent,
} from './types.ts';
export { EVENT_TYPES, IMPLICIT_USER, OUTCOMES, TENANT_KINDS, TIERS } from './types.ts';
export { InputError, type InputLocation } from './errors.ts';
export { parseTraceLine, readTrace, type TraceLine } from './io/trace.ts';
export { DEMO_COMPANY, importConnections, type ConnectionsDump, type ImportOptions, type ImportResult } from './io/connections.ts';

// The rules as data: policies, their parameters, the timeline, the invariants, the machines.
export type { OrgLimitReading, ParameterDoc, ParameterValue, Policy, PolicyParameters } from './platform/policy.ts';
export { ORG_LIMIT_READINGS, PARAMETERS } from './platform/policy.ts';
export { BUILTIN_POLICIES, builtinPolicy } from './platform/policies.ts';
export { BUG_WINDOW, ERAS, type Era, TIMELINE_ID, TIERS_REGISTRATION_CUTOFF, TIERS_START } from './platform/timeline.ts';
export { loadPolicyFile, resolvePolicy } from './io/load-policy.ts';
export { INVARIANTS, type Invariant } from './platform/invariants.ts';
export { platformMachine, type PlatformInput, type PlatformSnapshot } from './platform/machine.ts';
export type { AppChanges, PlatformContext, PlatformEvent } from './platform/transitions.ts';
export { appLifecycleMachine, type LifecycleEvent } from './platform/lifecycle.ts';
export type { World } from './world/world.ts';
export type { App, Connection, Tenant } from './types.ts';

// The oracle.
export {
  check,
  checkFile,
  run,
  SAMPLE_SIZE,
  type CheckOptions,
  type CheckResult,
  type Divergence,
  type OracleOptions,
  type RunRecord,
} from './oracle/oracle.ts';
export type { RuleName } from './oracle/explain.ts';
export { impact, impactFile, type AppImpact, type ImpactChange, type ImpactOptions, type ImpactResult } from './oracle/impact.ts';
export { status, type AppStatus, type StatusOptions, type StatusResult, type TenantStatus } from './oracle/status.ts';
export {
  infer,
  type CapRange,
  type InferOptions,
  type InferredParameter,
  type InferResult,
  type Refutation,
  type Together,
} from './oracle/infer.ts';

// The search.
export { explore, DEFAULT_BOUNDS, type ExploreOptions, type ExploreResult } from './search/explore.ts';
export { diffPolicies, type DiffOptions, type DiffResult } from './search/diff.ts';
export type { AppKind, Bounds } from './search/bounds.ts';
