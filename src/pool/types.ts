// What the pool takes and gives back: session options, a round's request, and its raw tallies.
// No verdicts here: the checks (src/checks) decide what the tallies mean.
import type { ResourceLimits } from 'node:worker_threads';
import type { AdapterArgs, Counters } from '../adapter/types.js';
import type { StackFrame } from '../errors.js';
import type { ErrorSample } from './error-samples.js';
import type { HangWait, HistoryCall } from '../schema/report.js';
import type { ControlledSpec } from '../scheduler/selectors.js';
import type { ScheduleRun } from '../scheduler/scheduler.js';
import type { WorkerThreads } from './threads.js';

export type { ControlledSpec, ScheduleRun };

export interface SessionOptions {
  adapterPath: string;
  opNames: string[];
  workers: number;
  lanes: number;
  args: AdapterArgs;
  weights: number[];
  uniqueOps: boolean[];
  /** A call or worker hook that has not settled after this long is a hang. */
  timeoutMs: number;
  /** The same for `init` and for loading the adapter (preparation, --setup-timeout); default timeoutMs. */
  setupTimeoutMs?: number;
  quietStdout: boolean;
  resourceLimits?: ResourceLimits;
  /**
   * Pin each worker to its own CPU (src/pool/affinity.ts). Decided by the caller (the plan reads the
   * environment), never by the pool.
   */
  pinCpus: boolean;
  /**
   * The calls are a server's clients (a database's): workers spin only briefly at the barrier before
   * they sleep. The server's processes need the CPU a spinning worker holds, and a futex wake-up's start
   * skew (~50 us) is nothing to calls that last milliseconds.
   */
  serverBound?: boolean;
  /** Its workers can record call histories (a shared buffer of HISTORY_CAP calls per worker). */
  history?: boolean;
  /** With pinCpus: worker i goes to the (cpuOffset + i)th allowed CPU, so sessions run side by side on disjoint CPUs. */
  cpuOffset?: number;
  /**
   * Load the adapter through the instrumenting loader (src/instrument/), so its awaits and those of the
   * user's files under `roots` (and files matching `include`) are scheduling points of controlled rounds.
   */
  instrument?: { roots: string[]; include: string[]; typescript: boolean } | null;
  /**
   * The run's threads, kept across its sessions (pool/threads.ts): a worker starts on a thread that
   * already loaded the adapter when one is idle. Absent (or instrumented): the session's own threads.
   */
  threads?: WorkerThreads;
}

export interface RoundSpec {
  round: number;
  seed: number;
  shared: unknown;
  /** Calls per worker, or a duration in ms (run until then, counted from the barrier's release). */
  calls: number[] | { durationMs: number };
  /**
   * With calls per worker: stop taking new calls this long after every worker began its calls (a time
   * budget). Calls stop cleanly at a call boundary, so what ran is complete and checked as usual.
   */
  stopAfterMs?: number;
  overlap: boolean;
  sampleEvery: number;
  /** Record this round's calls (the session must have been opened with `history`). */
  history?: boolean;
  /** Run the lanes under each worker's scheduler (the session must have been opened with `instrument`). */
  controlled?: ControlledSpec | null;
  /** Repeat the calls of this round (its seeds, init's and setup's round): a replay under a new round number. */
  as?: number;
  /** Run only the first this many lanes of each worker (a search's smaller setup, without a new session). */
  lanes?: number;
}

/**
 * Where a hang was: an operation's calls, a worker hook, the worker never took the round ('start'), or
 * its calls all ended but its event loop never came back (a callback they left behind, e.g. an endless
 * loop in setImmediate: 'after-calls').
 */
export type HangWhere = 'calls' | 'init' | 'workerStats' | 'start' | 'after-calls';

export interface Hang {
  workerId: number;
  where: HangWhere;
  /** The operation of the stuck call; always set when `where` is 'calls'. */
  op?: string;
  /** Calls started and not yet settled in that worker, per operation. */
  pending: Record<string, number>;
  afterMs: number;
  /**
   * What the worker was doing, paused through the inspector before it was terminated: running
   * JavaScript (its stack, user frames first), or idle (not running JavaScript: its calls await
   * something that never settles). Absent: not probed (the inspector is not available, or interrupted).
   */
  probe?: { running: true; stack: StackFrame[] } | { running: false };
  /** What its calls were waiting on (pool/waits.ts): a lock in the database, a pool with no free connection, a query. */
  waits?: HangWait[];
}

export interface Crash {
  workerId: number;
  message: string;
  exitCode?: number;
}

export interface WorkerHookError {
  hook: 'init' | 'workerStats';
  workerId: number;
  message: string;
  /** The thrown error's stack, user frames first. */
  stack: StackFrame[];
}

/** A worker's round failed inside the tool itself (a bug of adapter-hammer, not of the adapter). */
export interface InternalWorkerError {
  workerId: number;
  message: string;
}

/**
 * A worker that had not answered when a called-off round's grace period ran out, with no proof of a
 * hang (its lanes were still moving, or it was finishing, or the user interrupted): it was terminated.
 * Not a finding by itself; the session is broken.
 */
export interface StoppedWorker {
  workerId: number;
  reason: 'round-aborted' | 'interrupted';
}

export interface OpTally {
  name: string;
  started: number;
  done: number;
  errors: number;
}

/** What one round produced, across all workers: raw tallies, no verdicts. */
export interface RoundTallies {
  round: number;
  ops: OpTally[];
  /** Distinct errors of the round's calls (by operation, message and top user frame), merged across workers. */
  errors: ErrorSample[];
  values: Record<string, unknown[]>;
  workerStats: (Counters | null)[];
  maxCalls: number[];
  overlapped: boolean[];
  maxWorkers: number[];
  /** Epoch ms (performance.timeOrigin based, comparable across threads) of the first call and last settle. */
  startedAt: number;
  endedAt: number;
  samples: { data: Float64Array; stride: number }[];
  hangs: Hang[];
  crashes: Crash[];
  hookErrors: WorkerHookError[];
  internalErrors: InternalWorkerError[];
  stopped: StoppedWorker[];
  /** Ended early by interrupt(): the counts are partial. */
  interrupted: boolean;
  /** The round's calls in time order, when it recorded them; `omitted`: calls beyond what workers record. */
  history: { calls: HistoryCall[]; omitted: number } | null;
  /** Each answering worker's scheduler, in a controlled round; else null. */
  schedules: ScheduleRun[] | null;
  /** Instrumented awaits the calls went through, all workers (0 without instrumentation): is there anything to schedule? */
  awaits: number;
  /** Calls retried after an error the adapter declared (`retry`), by its code, all workers; null: none. */
  retries: Record<string, number> | null;
}
