// defineAdapter(): an identity function whose only job is the types. `Shared` is inferred from what
// setup() returns and flows into init/stats/teardown; `Ops` is inferred from `operations`, so `unique`,
// `weights`, the model's `op` and the `calls` object of expected()/invariant() know the operation names;
// `State` is inferred from the model's init() and flows into step().
import type { ResourceLimits } from 'node:worker_threads';
import type { AdapterArgs, CallContext, Counters, InitContext, SetupOptions } from './adapter/types.js';
import type { RunDefaults } from './options/table.js';

type MaybePromise<T> = T | Promise<T>;

/** An operation the harness hammers: `(ctx) => value`, sync or async. */
export type OperationFn = (ctx: CallContext) => unknown;

/** An operation with an input: `input(ctx)` picks what the call is asked, `run(input, ctx)` makes it. */
export interface OperationWithInput<Input = unknown> {
  input(ctx: CallContext): Input;
  run(input: Input, ctx: CallContext): unknown;
}

/** Either kind of operation. */
export type AnyOperation = OperationFn | OperationWithInput;

/** A sequential model of the operations (`step` returns the next state; it must not change `state`). */
export interface ModelDefinition<State, OpName extends string = string> {
  init(): State;
  /** Does the model accept this call's output? A call that threw arrives with an `Error` as its output. */
  step(state: State, op: OpName, input: unknown, output: unknown): { ok: boolean; state: State };
  /** Calls of different keys are checked on their own (P-compositionality); `undefined`: every key. */
  partition?(op: OpName, input: unknown): string | number | undefined;
}

/** Calls that returned without throwing in one round: `total` and one count per operation. */
export type CallCounts<OpName extends string = string> = { total: number } & { [K in OpName]: number };

/** Every field and hook of the adapter contract, typed (hooks in the order they run), and the adapter's own defaults for the run's settings. */
export interface AdapterDefinition<
  Shared = undefined,
  Ops extends Record<string, AnyOperation> = Record<string, AnyOperation>,
  State = unknown,
> extends RunDefaults {
  /** Your claim: is the code under test thread-safe? Absent: a warning in the report. */
  threadSafe?: boolean;
  /** Every race round has state of its own, so rounds may run ahead of each other. Absent: only when the hooks are proven to touch nothing else. */
  batch?: boolean;
  /** Main thread, before each round. The return value reaches every worker by structured clone. */
  setup?: (options: SetupOptions) => MaybePromise<Shared>;
  /** Each worker, before the round's calls; `shared` is what setup() returned. */
  init?: (shared: Shared, ctx: InitContext) => unknown;
  /** Required: each key is an operation the harness calls concurrently from every worker. */
  operations: Ops;
  /** Operation mix; operations left out weigh 1. */
  weights?: { [K in keyof Ops]?: number };
  /** Operations whose return values must be pairwise distinct across all workers within a round. */
  unique?: readonly (keyof Ops & string)[];
  /** Each worker, after the round: per-worker counters, summed across workers. */
  workerStats?: () => MaybePromise<Counters>;
  /** Main thread, after every worker finished the round: the adapter's own counters. */
  stats?: (shared: Shared) => MaybePromise<Counters>;
  /** What the counters should be, given the calls that returned without throwing. */
  expected?: (calls: CallCounts<keyof Ops & string>) => MaybePromise<Counters>;
  /** Extra rule: true/undefined holds; false, a string or a throw is a violation. */
  invariant?: (stats: Counters, calls: CallCounts<keyof Ops & string>) => MaybePromise<boolean | string | void | undefined>;
  /** Main thread, after the round, also when it failed. */
  teardown?: (shared: Shared) => unknown;
  /** Worker heap/stack limits (--max-old-space adds to them): a leaking adapter crashes its worker, not the machine. */
  resourceLimits?: ResourceLimits;
  /** Every round's calls are checked for linearizability against it. */
  model?: ModelDefinition<State, keyof Ops & string>;
}

/**
 * Type an adapter without changing it:
 *
 * ```ts
 * import { defineAdapter } from 'adapter-hammer';
 * let view: Int32Array;
 * export default defineAdapter({
 *   threadSafe: true,
 *   setup: () => ({ buffer: new SharedArrayBuffer(4) }),
 *   init(shared) { view = new Int32Array(shared.buffer); },   // shared: { buffer: SharedArrayBuffer }
 *   operations: { increment() { Atomics.add(view, 0, 1); } },
 *   stats: (shared) => ({ increment: new Int32Array(shared.buffer)[0]! }),
 * });
 * ```
 */
export function defineAdapter<Shared = undefined, Ops extends Record<string, AnyOperation> = Record<string, AnyOperation>, State = unknown>(
  adapter: AdapterDefinition<Shared, Ops, State>,
): AdapterDefinition<Shared, Ops, State> {
  return adapter;
}

export type { AdapterArgs, CallContext, Counters, InitContext, SetupOptions };
