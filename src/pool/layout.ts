/* eslint-disable @typescript-eslint/no-duplicate-enum-values -- offsets from different bases coincide by design */
// Shared-memory layout between the main thread and the workers of one session.
// Two buffers: an Int32 control block (Atomics: barrier, flags, overlap counters, phases) and a
// Float64 tally block, one cache-line-aligned region per worker, written with plain stores on the
// hot path and read by the main thread (watchdog, and partial tallies when a worker dies).

const LINE = 16; // Int32 slots per 64-byte cache line: keeps hot words of different writers apart

export const C = {
  ARRIVED: 0, // barrier: workers arrived in this generation
  GEN: 1, // barrier: generation, bumped by the last arrival
  SLEEPERS: 2, // barrier: workers asleep in Atomics.wait (the last arrival notifies only when some are)
  HALT: LINE, // lanes stop when non-zero: STOP (duration over) or ABORT (also breaks the barrier)
  ALL_INFLIGHT: 2 * LINE, // calls in flight across every operation and worker
  DOORBELL: 3 * LINE, // rounds posted so far in the session (the main thread writes it after posting a round)
  REPLIES: 4 * LINE, // answers posted to the round in progress (each worker adds 1 after its reply)
} as const;

export const Halt = { RUN: 0, STOP: 1, ABORT: 2 } as const;

/** Worker phases, written by the worker into its phase slot so the watchdog knows what it is doing. */
export const Phase = { IDLE: 0, INIT: 1, BARRIER: 2, CALLS: 3, STATS: 4, DONE: 5 } as const;
export const PHASE_NAMES = ['idle', 'init', 'barrier', 'calls', 'workerStats', 'done'] as const;

/**
 * Offsets inside a worker's tally region (Float64). Per operation, at OP_STRIDE * op: calls started,
 * returned, threw. Per lane, after the operations, at LANE_STRIDE * lane: the call index it is in
 * (-1: none) and that call's operation. A const enum: tsc writes the numbers in place, so the worker's
 * hot loop pays nothing for the names (imported `const`s are a load and a TDZ check each, measured
 * slower on a no-op; see the pool bench).
 */
export const enum Tally {
  OP_STRIDE = 3,
  STARTED = 0,
  DONE = 1,
  ERRORS = 2,
  LANE_STRIDE = 2,
  LANE_SEQ = 0,
  LANE_OP = 1,
}

/** Offsets inside the control block (Int32), relative to an index the layout gives. */
export const enum Ctl {
  /** After `opInflight(op)`: workers with a call of that operation in flight. */
  OP_WORKERS = 1,
  /** After `phase(w)`: the round worker `w` is in (written before the phase). */
  PHASE_ROUND = 1,
}

export interface Layout {
  ops: number;
  lanes: number;
  workers: number;
  /** Int32 index of operation `op`'s in-flight call count; +Ctl.OP_WORKERS is workers inside it. */
  opInflight(op: number): number;
  /** Int32 index of worker `w`'s phase (a Phase). */
  phase(w: number): number;
  /** Int32 index of the round worker `w` is in (phase(w) + Ctl.PHASE_ROUND). */
  round(w: number): number;
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
  const opBase = 5 * LINE;
  const phaseBase = opBase + ops * LINE;
  const laneBase = Tally.OP_STRIDE * ops;
  const stride = Math.ceil((laneBase + Tally.LANE_STRIDE * lanes) / 8) * 8 + 8; // Float64: 8 per cache line, +1 line gap
  return {
    ops,
    lanes,
    workers,
    opInflight: (op) => opBase + op * LINE,
    phase: (w) => phaseBase + w * LINE,
    round: (w) => phaseBase + w * LINE + Ctl.PHASE_ROUND,
    ctlLength: phaseBase + workers * LINE,
    base: (w) => w * stride,
    started: (op) => Tally.OP_STRIDE * op + Tally.STARTED,
    done: (op) => Tally.OP_STRIDE * op + Tally.DONE,
    errors: (op) => Tally.OP_STRIDE * op + Tally.ERRORS,
    laneSeq: (lane) => laneBase + Tally.LANE_STRIDE * lane + Tally.LANE_SEQ,
    laneOp: (lane) => laneBase + Tally.LANE_STRIDE * lane + Tally.LANE_OP,
    stride,
    tallyLength: workers * stride,
  };
}

/** The round worker `w` last entered, and its phase in it. */
export function workerPhase(ctl: Int32Array, layout: Layout, w: number): { round: number; phase: number } {
  // Phase first: the worker writes the round before the phase, so the round read is never older than the phase.
  const phase = Atomics.load(ctl, layout.phase(w));
  return { round: Atomics.load(ctl, layout.round(w)), phase };
}
