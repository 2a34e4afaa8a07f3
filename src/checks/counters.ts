// Expected vs actual counters: the core check of the hammer and race strategies.
import type { Calls, Counters } from '../adapter/types.js';
import type { CounterRow, WarningFacts } from '../schema/report.js';

/** A hook's counters that were not all numbers (a `stats-not-number` warning). */
export type StatsProblem = Extract<WarningFacts, { code: 'stats-not-number' }>;

/**
 * A counter's value as a number, or null. Bigints and decimal strings are numbers written another way:
 * `pg` returns `count(*)` and sums of bigint or numeric as strings ("40"), Redis every value; dropping
 * them would leave the counter unchecked and pass a lost update. A string must be plain decimal, and an
 * integer one exact (within 2^53), so that nothing else (a label, "1e999") is read as a count.
 */
function counterValue(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'string' || !/^\s*-?\d+(\.\d+)?\s*$/.test(v)) return null;
  const n = Number(v);
  return Number.isFinite(n) && (v.includes('.') || Number.isSafeInteger(n)) ? n : null;
}

/**
 * Keep only finite numbers (bigints and decimal strings converted), so a stray field cannot fake a
 * verdict. Each value that is not one is a problem of `source` (of worker `workerId`, for workerStats).
 */
export function numbersOnly(obj: unknown, problems: StatsProblem[], source: StatsProblem['source'], workerId?: number): Counters {
  const out: Counters = {};
  if (obj === undefined || obj === null) return out;
  const at = { code: 'stats-not-number', source, ...(workerId !== undefined ? { workerId } : {}) } as const;
  if (typeof obj !== 'object') {
    problems.push({ ...at, got: typeof obj });
    return out;
  }
  for (const k of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[k];
    const n = counterValue(v);
    if (n !== null) out[k] = n;
    else problems.push({ ...at, counter: k, got: v === null ? 'null' : typeof v });
  }
  return out;
}

/** Sum the per-worker counters, then let the main thread's `stats` add to them. */
export function mergeCounters(stats: Counters, workerStats: Counters[]): Counters {
  if (workerStats.every((ws) => isEmpty(ws))) return stats;
  const out: Counters = {};
  for (const ws of workerStats) for (const k in ws) out[k] = (out[k] ?? 0) + ws[k]!;
  for (const k in stats) out[k] = (out[k] ?? 0) + stats[k]!;
  return out;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Without `expected`: `total_requests` equals calls.total, a counter named like an operation equals its calls. */
export function defaultExpected(actual: Counters, calls: Calls): Counters {
  const out: Counters = {};
  for (const name of Object.keys(actual)) {
    if (name === 'total_requests') out[name] = calls.total;
    else if (name !== 'total' && Object.hasOwn(calls, name)) out[name] = calls[name]!;
  }
  return out;
}

export function compareCounters(actual: Counters, expected: Counters): CounterRow[] {
  const rows: CounterRow[] = [];
  for (const [name, e] of Object.entries(expected)) rows.push({ name, expected: e, actual: Object.hasOwn(actual, name) ? actual[name]! : null });
  for (const [name, a] of Object.entries(actual)) if (!Object.hasOwn(expected, name)) rows.push({ name, expected: null, actual: a });
  return rows;
}

/**
 * `counters` as the adapter's invariant sees them, noting in `read` each counter whose value it reads
 * (reading the values of all, as `Object.values` or `JSON.stringify` do, reads them all). A counter with
 * no expected value that the invariant read was checked by it, and the report says so
 * (CounterRow.invariant). Plain accessor properties, not a Proxy: the invariant may clone the object
 * (`structuredClone` refuses a Proxy) or write to it, as it could the plain one.
 */
export function recordingReads(counters: Counters, read: Set<string>): Counters {
  const view: Counters = {};
  for (const k of Object.keys(counters)) {
    let v = counters[k]!;
    Object.defineProperty(view, k, {
      enumerable: true,
      configurable: true,
      get: () => {
        read.add(k);
        return v;
      },
      set: (x: number) => {
        v = x;
      },
    });
  }
  return view;
}

export const rowFails = (r: CounterRow): boolean => r.expected !== null && r.actual !== r.expected;

/** Lost updates across a round: how far counters fell short of what they should be. */
export function lostUpdates(rows: CounterRow[]): number {
  let lost = 0;
  for (const r of rows) if (r.expected !== null && r.actual !== null && r.actual < r.expected) lost += r.expected - r.actual;
  return lost;
}
