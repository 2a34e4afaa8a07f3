// Library entry: exactly what docs/reference/api.md documents. `hammer()` (the programmatic API, which validates every
// option as the command line does), `defineAdapter()` (types for an adapter), `AdapterError`, the
// adapter-author toolkit, and the types of the adapter contract and of the report object.
export { hammer, type HammerOptions } from './api.js';
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
