// Call histories without a message per call. Each worker writes, per call, its operation, lane and
// start/end times into its own region of one shared Float64 buffer (a few plain stores, like the
// tallies), so the main thread reads even a hung or crashed worker's calls. What a call was asked and
// what it returned stay in the worker and travel once per round, with its answer.
import { performance } from 'node:perf_hooks';
import type { HistoryCall } from '../schema/report.js';

/** Calls recorded per worker and round; later calls run but are not recorded (counted as omitted). */
export const HISTORY_CAP = 16_384;

/** Float64 slots per recorded call. */
export const enum H {
  STRIDE = 4,
  OP = 0,
  LANE = 1,
  START = 2,
  /** NaN while the call is in flight. */
  END = 3,
}

export const historyLength = (workers: number): number => workers * HISTORY_CAP * H.STRIDE;
export const historyBase = (worker: number): number => worker * HISTORY_CAP * H.STRIDE;

/**
 * The offset from this thread's performance.now() to the process's monotonic clock (hrtime), in ms.
 * Every thread's performance.now() counts from its own start; hrtime is one clock for all of them, so
 * `performance.now() + offset` orders calls across threads. Taken from the tightest of several brackets:
 * the error is a fraction of a microsecond (the checker allows more between threads: checks/).
 */
export function monotonicOffset(): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    const h = Number(process.hrtime.bigint()) / 1e6;
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      offset = h - (a + b) / 2;
    }
  }
  return offset;
}

/** What a worker sends with its answer: each recorded call's input, output or error line. */
export interface HistoryValues {
  /** null when no operation has an input. */
  inputs: unknown[] | null;
  outputs: unknown[];
  /** null: returned (or still in flight); a string: the error's first line. */
  errors: (string | null)[];
}

/** One worker's recorded calls, in call order, as report entries (times still absolute). */
export function readWorkerHistory(
  buf: Float64Array,
  /** Where the worker's slots begin in `buf` (its region of the shared buffer, or 0 in an answer's copy). */
  b: number,
  worker: number,
  recorded: number,
  opNames: readonly string[],
  values: HistoryValues | null,
): HistoryCall[] {
  const out: HistoryCall[] = [];
  for (let i = 0; i < recorded; i++) {
    const o = b + i * H.STRIDE;
    const end = buf[o + H.END]!;
    const call: HistoryCall = {
      worker,
      call: i,
      lane: buf[o + H.LANE]!,
      op: opNames[buf[o + H.OP]!] ?? '?',
      start: buf[o + H.START]!,
      end: Number.isNaN(end) ? null : end,
    };
    if (values) {
      if (values.inputs && values.inputs[i] !== undefined) call.input = values.inputs[i];
      const err = values.errors[i];
      if (err !== null && err !== undefined) call.error = err;
      else if (call.end !== null) call.output = values.outputs[i];
    }
    out.push(call);
  }
  return out;
}

/** Every worker's calls on one time line: sorted by start, times in ms from the round's first call. */
export function joinHistories(perWorker: HistoryCall[][]): HistoryCall[] {
  const all = perWorker.flat();
  let t0 = Infinity;
  for (const c of all) t0 = Math.min(t0, c.start);
  // To 0.1 us: finer digits are noise (a clock read costs more), and the JSON stays readable.
  const at = (t: number): number => Math.round((t - t0) * 1e4) / 1e4;
  for (const c of all) {
    c.start = at(c.start);
    if (c.end !== null) c.end = at(c.end);
  }
  return all.sort((a, b) => a.start - b.start);
}
