// Library entry: the adapter contract's types, the run machinery, and the adapter-author toolkit.
export type { Adapter, AdapterArgs, CallContext, Calls, Counters, InitContext, Operation, SetupOptions } from './adapter/types.js';
export { loadAdapter } from './adapter/load.js';
export { AdapterError } from './errors.js';
export type { Finding, FindingKind, Warning } from './checks/findings.js';
export type { Report, StrategyReport, HammerReport, RaceReport, ThroughputReport, ThroughputPoint, ContentionRow } from './report/types.js';
export { makePlan, DEFAULTS, STRATEGIES, type RunPlan, type StrategyName } from './run/plan.js';
export { runPlan, RunControl } from './run/run.js';
export * from './toolkit/index.js';
export { hammer, type HammerOptions } from './api.js';
export { defineAdapter, type AdapterDefinition, type CallCounts, type OperationFn } from './define.js';
export type { MultiReport, StartFailure } from './report/types.js';
