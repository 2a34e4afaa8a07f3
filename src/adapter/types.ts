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

/** What `globalSetup` receives (an addition to the contract). */
export interface GlobalSetupOptions {
  workers: number;
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
  /**
   * Main thread, once per run before its first round (an addition to the contract): start a server,
   * open the main thread's admin connection. Its deadline is a start-up's, not a call's. A throw is
   * exit 2, "cannot set up the adapter".
   */
  globalSetup?(options: GlobalSetupOptions): MaybePromise<unknown>;
  /** Main thread, once at the end of a run whose globalSetup returned: also after a failure or Ctrl-C. */
  globalTeardown?(): MaybePromise<unknown>;
  setup?(options: SetupOptions): MaybePromise<Shared>;
  init?(shared: Shared, ctx: InitContext): MaybePromise<unknown>;
  stats?(shared: Shared): MaybePromise<Counters>;
  workerStats?(): MaybePromise<Counters>;
  expected?(calls: Calls): MaybePromise<Counters>;
  invariant?(stats: Counters, calls: Calls): MaybePromise<boolean | string | void | undefined>;
  unique?: string[];
  teardown?(shared: Shared): MaybePromise<unknown>;
  weights?: Record<string, number>;
  /**
   * The calls are clients of one database or server (each lane its own connection): the report then
   * speaks of clients of the database, and its advice fits an app that runs as several instances.
   * Absent: so when the adapter loaded a known database client (pg, ioredis, sequelize, ...).
   */
  database?: boolean;
  /** Errors a correct application retries: such calls are made again and counted, not errors. */
  retry?: RetryPolicy;
  /** Worker heap/stack limits (--max-old-space adds to them). */
  resourceLimits?: ResourceLimits;
}

/**
 * Errors a correct application retries (an addition to the contract): a serialization failure
 * (SQLSTATE 40001), a deadlock (40P01). A call that throws one is made again, up to `attempts` times
 * in all, and counted as retried, not as an error; an error not listed, or the last attempt's, is an error.
 */
export interface RetryPolicy {
  /** Matched against the error's `code` (or its `parent`'s, `original`'s, `cause`'s: ORMs wrap the driver's error), else its `name`. */
  codes: string[];
  /** Attempts in all, the first included. Default {@link DEFAULT_RETRY_ATTEMPTS}. */
  attempts?: number;
}

export const DEFAULT_RETRY_ATTEMPTS = 100;

/** The code of `e` that `codes` lists, if any: its own, or a wrapped driver error's (depth-bounded), or its name. */
export function retryCode(e: unknown, codes: ReadonlySet<string>): string | null {
  let x: unknown = e;
  for (let depth = 0; depth < 4 && x !== null && typeof x === 'object'; depth++) {
    const o = x as { code?: unknown; name?: unknown; parent?: unknown; original?: unknown; cause?: unknown };
    const code = typeof o.code === 'string' || typeof o.code === 'number' ? String(o.code) : null;
    if (code !== null && codes.has(code)) return code;
    if (typeof o.name === 'string' && codes.has(o.name)) return o.name;
    x = o.parent ?? o.original ?? o.cause;
  }
  return null;
}

/** An adapter that passed validation, with its operation names in a fixed order. */
export interface LoadedAdapter {
  adapter: Adapter;
  file: string;
  opNames: string[];
  /** The database client the adapter loaded (a package name), or true when it says `database: true`; absent: neither. */
  database?: string | true;
}

/** Names of the hooks, used for validation and for naming a hook in error messages. */
export const HOOKS = ['globalSetup', 'setup', 'init', 'stats', 'workerStats', 'expected', 'invariant', 'teardown', 'globalTeardown'] as const;
export type HookName = (typeof HOOKS)[number];
