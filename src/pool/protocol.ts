// Messages between the main thread and a worker: one per worker per round each way, never per call.
import type { MessagePort } from 'node:worker_threads';
import type { AdapterArgs, Counters } from '../adapter/types.js';
import type { StackFrame } from '../errors.js';
import type { ErrorSample } from './error-samples.js';
import type { HistoryValues } from './history.js';
import type { ControlledSpec, ScheduleRun } from './types.js';

/**
 * How a `unique` operation's value that is not a primitive travels to the main thread (pool/worker.ts
 * `valueKey` writes it, checks/unique.ts reads it): its JSON, its inspect() text, or, when it cannot be
 * compared, `opaque` + `<type>:<worker>:<n>` (a key no other value has).
 */
export const VALUE_KEY = { json: '\u0000json:', str: '\u0000str:', opaque: '\u0000opaque:' } as const;

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
  /** Where workers record their calls (pool/history.ts); null: this session records none. */
  history: SharedArrayBuffer | null;
  cpuOffset?: number;
  /** Load the adapter instrumented (pool/types.ts SessionOptions.instrument). */
  instrument: { roots: string[]; include: string[]; typescript: boolean } | null;
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
  /** Record this round's calls (pool/history.ts). */
  history: boolean;
  /**
   * Rounds to play right after this one, each from its own fresh state, with the same settings (many
   * fresh states per message, as jcstress runs them): each is answered as it ends. Empty for one round.
   */
  more: readonly SubRound[];
  /** Under the worker's scheduler (pool/types.ts). */
  controlled: ControlledSpec | null;
  /** The round whose calls this one repeats (seeds, init's round); null: its own. */
  as: number | null;
  /** Lanes this round runs (the first ones of the worker's), null: all (a search's smaller setup on one session). */
  lanes: number | null;
}

/** A further round of a batch: what differs from the first. */
export interface SubRound {
  round: number;
  shared: unknown;
  overlap: boolean;
  history: boolean;
  controlled: ControlledSpec | null;
  as: number | null;
  lanes: number | null;
  /** Calls per worker, when they differ from the first round's. */
  calls?: number[];
}

/** Every answer to a round says whether it is the worker's last of the batch (it stops there). */
interface Answer {
  round: number;
  last: boolean;
}

export type { ErrorSample } from './error-samples.js';

export type WorkerReply =
  | { type: 'ready'; threadId: number }
  | { type: 'load-error'; message: string }
  | (Answer & {
      type: 'done';
      /** Per operation: most calls of it in flight at once (all workers), as seen by this worker. */
      maxCalls: number[];
      /** Per operation: 1 if a call of it was ever in flight together with any other call. */
      overlapped: number[];
      /** Per operation: most workers inside it at once, as seen by this worker. */
      maxWorkers: number[];
      startedAt: number;
      endedAt: number;
      /**
       * The worker's per-operation counts after the round (calls started, returned, threw: its tally
       * region's first Tally.OP_STRIDE * ops values; the next round of a batch resets them). A plain
       * array: an ArrayBuffer per answer is external memory, which costs the collector more.
       */
      tally: number[];
      /** The rest, when there is any (most race rounds have none of it). */
      detail: DoneDetail | null;
      /** Instrumented awaits its calls went through this round. */
      awaits: number;
    })
  | (Answer & { type: 'hook-error'; hook: 'init' | 'workerStats'; message: string; stack: StackFrame[] })
  /** The round failed inside the tool (a bug of adapter-hammer): the worker's state is unknown. */
  | (Answer & { type: 'internal-error'; message: string })
  /** Called off before its calls (an abort, or the time limit at the barrier of a batch's next round). */
  | (Answer & { type: 'aborted' });

/**
 * What a round's answer carries only when there is some: errors, unique values, worker stats, latency
 * samples, a history, a schedule. Absent from most race answers: each of a batch's answers is copied
 * to the main thread and collected there, thousands a second, so empty fields cost (measured).
 */
export interface DoneDetail {
  errors: ErrorSample[];
  values: Record<string, unknown[]>;
  workerStats: Counters | null;
  samples: Float64Array | null;
  sampleStride: number;
  /** The recorded calls' inputs and results, when the round recorded its history. */
  history: HistoryValues | null;
  /** Its recorded calls' slots (pool/history.ts), when it recorded them. */
  historySlots: Float64Array | null;
  /** What its scheduler did, in a controlled round. */
  schedule: ScheduleRun | null;
  /** Calls retried after a declared error (the adapter's `retry`), by code; null: none. */
  retries: Record<string, number> | null;
}

/** A worker's answer to one round of a batch. */
export type RoundReply = Extract<WorkerReply, { last: boolean }>;

/** An answer before it is known whether it is the worker's last of the batch. */
export type RoundAnswer = RoundReply extends infer A ? (A extends unknown ? Omit<A, 'last'> : never) : never;

export type StopRequest = { type: 'stop' };
