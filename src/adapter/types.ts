// The adapter contract (../shared/design/contract.md, section 1) as TypeScript types.
import type { ResourceLimits } from 'node:worker_threads';
import type { RunDefaults } from '../options/table.js';

/** Arguments that followed `--` on the command line, parsed by yargs-parser. */
export type AdapterArgs = Record<string, unknown> & { _: (string | number)[] };

/** What every operation call receives. */
export interface CallContext {
  /** 0-based index of the worker thread. */
  workerId: number;
  /** Index of this call within its worker (and round). */
  call: number;
  /** Seeded PRNG returning [0, 1); the same --seed replays the same stream per worker. */
  random: () => number;
}

export interface SetupOptions {
  workers: number;
  round: number;
  args: AdapterArgs;
}

export interface InitContext {
  workerId: number;
  workers: number;
  /** This worker's async lanes (`--concurrency`): e.g. one connection each (an addition to the contract). */
  lanes: number;
  round: number;
  args: AdapterArgs;
}

/** Counters reported by `stats` / `workerStats` / `expected`: an object of numbers. */
export type Counters = Record<string, number>;

/** Calls that returned without throwing, across all workers, in one round. */
export type Calls = { total: number } & Record<string, number>;

type MaybePromise<T> = T | Promise<T>;

export type Operation = (ctx: CallContext) => unknown;

/**
 * An operation with an input (an addition to the contract): `input(ctx)` picks what the call is asked,
 * `run(input, ctx)` makes the call. The call history and the model see both the input and the result.
 */
export interface OperationSpec<I = unknown> {
  input(ctx: CallContext): I;
  run(input: I, ctx: CallContext): unknown;
}

/** A plain operation or one with an input. */
export type OperationEntry = Operation | OperationSpec;

/** What `step` answers: does the model accept this call's output, and the state after it. */
export interface ModelStep<S> {
  ok: boolean;
  state: S;
}

/**
 * A sequential model (an addition to the contract): what the code under test should do, one call at a
 * time. A round is correct when some order of its calls, consistent with their real-time order, is
 * accepted by the model call after call (linearizability). `step` must not change `state`: it returns
 * the next state. A call that threw reaches `step` with an `Error` as its output.
 */
export interface Model<S = unknown> {
  init(): S;
  step(state: S, op: string, input: unknown, output: unknown): ModelStep<S>;
  /**
   * Calls whose keys differ touch independent state (keys of a key-value store): each key's calls are
   * checked on their own, from `init()` (P-compositionality). `undefined`: the call touches every key.
   */
  partition?(op: string, input: unknown): string | number | undefined;
}

/** The adapter contract; its own defaults for the run's settings (RunDefaults) are optional fields. */
export interface Adapter<Shared = unknown> extends RunDefaults {
  operations: Record<string, OperationEntry>;
  /** Checks every round's call history for linearizability against it. */
  model?: Model;
  threadSafe?: boolean;
  /**
   * Does every race round have state of its own, so rounds may run ahead of each other (batches set up
   * several rounds before the first runs; pipelining; sessions side by side)? `true`: yes (e.g. a fresh
   * schema or key prefix per round); `false`: never. Absent: only when the main-thread hooks (setup,
   * stats, expected, invariant, teardown) are proven to touch nothing but their own round's memory
   * (adapter/independence.ts); otherwise one round at a time, and the report says which line stopped the proof.
   */
  batch?: boolean;
  setup?(options: SetupOptions): MaybePromise<Shared>;
  init?(shared: Shared, ctx: InitContext): MaybePromise<unknown>;
  stats?(shared: Shared): MaybePromise<Counters>;
  workerStats?(): MaybePromise<Counters>;
  expected?(calls: Calls): MaybePromise<Counters>;
  invariant?(stats: Counters, calls: Calls): MaybePromise<boolean | string | void | undefined>;
  unique?: string[];
  teardown?(shared: Shared): MaybePromise<unknown>;
  weights?: Record<string, number>;
  /** Worker heap/stack limits (--max-old-space adds to them). */
  resourceLimits?: ResourceLimits;
}

/** An adapter that passed validation, with its operation names in a fixed order. */
export interface LoadedAdapter {
  adapter: Adapter;
  file: string;
  opNames: string[];
}

/** Names of the hooks, used for validation and for naming a hook in error messages. */
export const HOOKS = ['setup', 'init', 'stats', 'workerStats', 'expected', 'invariant', 'teardown'] as const;
export type HookName = (typeof HOOKS)[number];
