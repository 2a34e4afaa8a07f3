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

/** The adapter contract; its own defaults for the run's settings (RunDefaults) are optional fields. */
export interface Adapter<Shared = unknown> extends RunDefaults {
  operations: Record<string, Operation>;
  threadSafe?: boolean;
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
