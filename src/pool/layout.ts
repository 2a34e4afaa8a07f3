// Shared-memory layout between the main thread and the workers of one session.
// Two buffers: an Int32 control block (Atomics: barrier, flags, overlap counters, phases) and a
// Float64 tally block, one cache-line-aligned region per worker, written with plain stores on the
// hot path and read by the main thread (watchdog, and partial tallies when a worker dies).

const LINE = 16; // Int32 slots per 64-byte cache line: keeps hot words of different writers apart

export const C = {
  ARRIVED: 0, // barrier: workers arrived in this generation
  GEN: 1, // barrier: generation, bumped by the last arrival
  HALT: LINE, // lanes stop when non-zero: STOP (duration over) or ABORT (also breaks the barrier)
  ALL_INFLIGHT: 2 * LINE, // calls in flight across every operation and worker
} as const;

export const Halt = { RUN: 0, STOP: 1, ABORT: 2 } as const;

/** Worker phases, written by the worker into its phase slot so the watchdog knows what it is doing. */
export const Phase = { IDLE: 0, INIT: 1, BARRIER: 2, CALLS: 3, STATS: 4, DONE: 5 } as const;
export const PHASE_NAMES = ['idle', 'init', 'barrier', 'calls', 'workerStats', 'done'] as const;

export interface Layout {
  ops: number;
  lanes: number;
  workers: number;
  /** Int32 index of operation `op`'s in-flight call count; +1 is workers inside it. */
  opInflight(op: number): number;
  /** Int32 index of worker `w`'s phase; +1 is the round it is in. */
  phase(w: number): number;
  ctlLength: number;
  /** Float64 base of worker `w`'s region. */
  base(w: number): number;
  /** Offsets inside a region. */
  started(op: number): number;
  done(op: number): number;
  errors(op: number): number;
  laneSeq(lane: number): number;
  laneOp(lane: number): number;
  stride: number;
  tallyLength: number;
}

export function makeLayout(ops: number, lanes: number, workers: number): Layout {
  const opBase = 3 * LINE;
  const phaseBase = opBase + ops * LINE;
  const stride = Math.ceil((3 * ops + 2 * lanes) / 8) * 8 + 8; // Float64: 8 per cache line, +1 line gap
  return {
    ops,
    lanes,
    workers,
    opInflight: (op) => opBase + op * LINE,
    phase: (w) => phaseBase + w * LINE,
    ctlLength: phaseBase + workers * LINE,
    base: (w) => w * stride,
    started: (op) => 3 * op,
    done: (op) => 3 * op + 1,
    errors: (op) => 3 * op + 2,
    laneSeq: (lane) => 3 * ops + 2 * lane,
    laneOp: (lane) => 3 * ops + 2 * lane + 1,
    stride,
    tallyLength: workers * stride,
  };
}
