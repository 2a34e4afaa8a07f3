// Messages between the main thread and a worker: one per worker per round each way, never per call.
import type { MessagePort } from 'node:worker_threads';
import type { AdapterArgs, Counters } from '../adapter/types.js';
import type { StackFrame } from '../errors.js';
import type { ErrorSample } from './error-samples.js';

/** The long-lived tinypool task each worker runs for a whole session. */
export interface SessionTask {
  workerId: number;
  workers: number;
  adapterPath: string;
  args: AdapterArgs;
  ctl: SharedArrayBuffer;
  tally: SharedArrayBuffer;
  lanes: number;
  weights: number[];
  uniqueOps: boolean[];
  port: MessagePort;
  /** Spin iterations at the barrier before sleeping (small when workers outnumber cores). */
  barrierSpins: number;
  /** Send the worker's console output to stderr (JSON report goes to stdout). */
  quietStdout: boolean;
  /** Pin this worker to its own CPU (src/pool/affinity.ts). */
  pinCpus: boolean;
  cpuOffset?: number;
}

export interface RoundRequest {
  type: 'round';
  round: number;
  seed: number;
  shared: unknown;
  /** Calls this worker makes; Infinity with durationMode. */
  calls: number;
  /** Run until the main thread sets STOP instead of a fixed number of calls. */
  durationMode: boolean;
  /** Track calls in flight per operation with Atomics (contention evidence). */
  overlap: boolean;
  /** Time one call in `sampleEvery` (a power of two; 0 = none) for latency percentiles. */
  sampleEvery: number;
}

export type { ErrorSample } from './error-samples.js';

export type WorkerReply =
  | { type: 'ready'; threadId: number }
  | { type: 'load-error'; message: string }
  | {
      type: 'done';
      round: number;
      errors: ErrorSample[];
      values: Record<string, unknown[]>;
      workerStats: Counters | null;
      /** Per operation: most calls of it in flight at once (all workers), as seen by this worker. */
      maxCalls: number[];
      /** Per operation: 1 if a call of it was ever in flight together with any other call. */
      overlapped: number[];
      /** Per operation: most workers inside it at once, as seen by this worker. */
      maxWorkers: number[];
      startedAt: number;
      endedAt: number;
      samples: Float64Array | null;
      sampleStride: number;
    }
  | { type: 'hook-error'; round: number; hook: 'init' | 'workerStats'; message: string; stack: StackFrame[] }
  /** The round failed inside the tool (a bug of adapter-hammer): the worker's state is unknown. */
  | { type: 'internal-error'; round: number; message: string }
  | { type: 'aborted'; round: number };

export type StopRequest = { type: 'stop' };
