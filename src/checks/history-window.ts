// The smallest part of a failing round's call history worth showing a human: the calls around the one
// that went wrong, not the round's hundreds. Decided here (checks/), rendered by reporters/history-table.
import type { CallHistory, HistoryCall } from '../schema/report.js';

/** A window of a history: its calls sorted by start, how many were left out, the culprit's index in it. */
export type HistoryWindow = Omit<CallHistory, 'round'>;

const endOf = (c: HistoryCall): number => c.end ?? Infinity;
const overlap = (a: HistoryCall, b: HistoryCall): boolean => a.start <= endOf(b) && b.start <= endOf(a);

/**
 * For a model's failure: the culprit, the calls in flight with it, then the calls that ended just
 * before it started (latest first: the state it saw), at most `max` calls. With `group` (the calls of
 * the culprit's partition) only those: other keys cannot explain it.
 */
export function modelWindow(calls: readonly HistoryCall[], result: { culprit: number; group?: readonly number[] }, max = 24): HistoryWindow {
  const c = calls[result.culprit];
  if (!c) return firstCalls(calls, max);
  const pool = (result.group ?? calls.map((_, i) => i)).filter((i) => i !== result.culprit);
  const concurrent = pool.filter((i) => overlap(calls[i]!, c)).sort((a, b) => Math.abs(calls[a]!.start - c.start) - Math.abs(calls[b]!.start - c.start));
  const before = pool.filter((i) => endOf(calls[i]!) < c.start).sort((a, b) => endOf(calls[b]!) - endOf(calls[a]!));
  return windowOf(calls, [result.culprit, ...concurrent, ...before], max, result.culprit);
}

/**
 * For a counter's failure (no model says which call is wrong): where calls of one operation from
 * different workers or lanes overlapped, i.e. the earliest such pair (failing that, the earliest
 * overlapping pair of any operations), with the calls in flight with it and those just before.
 */
export function counterWindow(calls: readonly HistoryCall[], max = 24): HistoryWindow {
  const pair = earliestOverlap(calls, true) ?? earliestOverlap(calls, false);
  if (!pair) return firstCalls(calls, max);
  const [a, b] = pair;
  const span = { start: Math.min(calls[a]!.start, calls[b]!.start), end: Math.max(endOf(calls[a]!), endOf(calls[b]!)) } as HistoryCall;
  const rest = calls.map((_, i) => i).filter((i) => i !== a && i !== b);
  const concurrent = rest.filter((i) => overlap(calls[i]!, span)).sort((x, y) => calls[x]!.start - calls[y]!.start);
  const before = rest.filter((i) => endOf(calls[i]!) < span.start).sort((x, y) => endOf(calls[y]!) - endOf(calls[x]!));
  return windowOf(calls, [a, b, ...concurrent, ...before], max);
}

/** The first pair (by the later call's start) of overlapping calls from different lanes; `sameOp`: of one operation. */
function earliestOverlap(calls: readonly HistoryCall[], sameOp: boolean): [number, number] | null {
  const order = calls.map((_, i) => i).sort((a, b) => calls[a]!.start - calls[b]!.start);
  const active: number[] = [];
  for (const i of order) {
    const c = calls[i]!;
    // Calls that ended before this one started are over for every later call too.
    for (let k = active.length - 1; k >= 0; k--) if (endOf(calls[active[k]!]!) < c.start) active.splice(k, 1);
    const other = active.find((j) => {
      const d = calls[j]!;
      return (d.worker !== c.worker || d.lane !== c.lane) && (!sameOp || d.op === c.op);
    });
    if (other !== undefined) return [other, i];
    active.push(i);
  }
  return null;
}

function firstCalls(calls: readonly HistoryCall[], max: number): HistoryWindow {
  return windowOf(
    calls,
    calls.map((_, i) => i).sort((a, b) => calls[a]!.start - calls[b]!.start),
    max,
  );
}

/** The first `max` of `priority` (indices into calls), sorted by start; `culprit` re-indexed into the window. */
function windowOf(calls: readonly HistoryCall[], priority: readonly number[], max: number, culprit?: number): HistoryWindow {
  const kept = [...new Set(priority)].slice(0, Math.max(1, max)).sort((a, b) => calls[a]!.start - calls[b]!.start || endOf(calls[a]!) - endOf(calls[b]!));
  return {
    calls: kept.map((i) => calls[i]!),
    omitted: calls.length - kept.length,
    ...(culprit !== undefined ? { culprit: kept.indexOf(culprit) } : {}),
  };
}
