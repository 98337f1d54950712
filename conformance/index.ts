/**
 * Conformance testing: `conform(adapter, options)` drives an implementation of the connection
 * rules and the model side by side, shrinks the first difference to a short trace, and checks
 * concurrent batches for linearizability. `httpAdapter(url)` tests anything that speaks the
 * contract of `xcm serve`; write an {@link Adapter} to test an in-process implementation.
 * @example
 * ```ts
 * import { conform, httpAdapter } from 'xero-connection-model/conformance';
 * const report = await conform(httpAdapter('http://127.0.0.1:8080'), { runs: 50, seed: 1, set: ['appCap=3'] });
 * console.log(report.ok, report.failure?.expected);
 * ```
 * @module
 */
export {
  type Adapter,
  type AppView,
  type ConnectionView,
  type ConsentAnswer,
  ContractError,
  type Observation,
  type TenantView,
  type TokenView,
} from './adapter.ts';
export { type ConformOptions, type ConformReport, conform, DEFAULT_CONCURRENCY, DEFAULT_RUNS } from './conform.ts';
export type { Failure } from './sequential.ts';
export { type HttpAdapterOptions, httpAdapter } from './http-adapter.ts';
