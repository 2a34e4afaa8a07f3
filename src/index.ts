// Library entry: exactly what docs/reference/api.md documents. `hammer()` (the programmatic API, which validates every
// option as the command line does), `defineAdapter()` (types for an adapter), `AdapterError`, the
// adapter-author toolkit, and the types of the adapter contract and of the report object.
import type { HammerOptions } from './api.js';
import type { Report } from './schema/report.js';

export type { HammerOptions };

/**
 * Hammer one adapter and return its report (the object `--json` writes): see api.ts. The run's machinery
 * (~100 modules) is imported on the first call, not with this entry: adapters import `defineAdapter` and
 * the toolkit from here, in the main thread and in every worker, and a TypeScript adapter's workers
 * would load each of those modules through tsx.
 */
export async function hammer(adapterPath: string, options?: HammerOptions): Promise<Report> {
  const api = await import('./api.js');
  return api.hammer(adapterPath, options);
}
export {
  defineAdapter,
  type AdapterDefinition,
  type AnyOperation,
  type CallCounts,
  type ModelDefinition,
  type OperationFn,
  type OperationWithInput,
} from './define.js';
export { AdapterError } from './errors.js';
export type { AdapterArgs, CallContext, Calls, Counters, InitContext, Operation, SetupOptions } from './adapter/types.js';
export type { StrategyName } from './options/table.js';
export type {
  ContentionRow,
  CounterRow,
  CrashFinding,
  DuplicateFinding,
  ErrorFinding,
  Finding,
  FindingFacts,
  FindingKind,
  HangFinding,
  InconclusiveFinding,
  InvariantFinding,
  LinearizabilityFinding,
  LostUpdateFinding,
  MismatchFinding,
  ThroughputFinding,
  HammerReport,
  MultiReport,
  ProgressEvent,
  RaceReport,
  Report,
  ScalingDiagnosis,
  StartFailure,
  Status,
  StrategyReport,
  ThroughputPoint,
  ThroughputReport,
  Verdict,
  Warning,
  WarningCode,
  WarningFacts,
} from './schema/report.js';
export * from './toolkit/index.js';
