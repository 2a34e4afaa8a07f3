// A round's call history against the adapter's sequential model: linearizable, a `linearizability`
// finding with the smallest failing part of the history, or unknown (the check ran out of its budget:
// counted and reported, a failure only under --strict).
import type { Model } from '../adapter/types.js';
import type { CallHistory, FindingFacts, HistoryCall, WarningFacts } from '../schema/report.js';
import { counterWindow, modelWindow } from './history-window.js';
import { checkLinearizable } from './linearizability.js';

/**
 * Two threads' clocks agree only to within a fraction of a microsecond (pool/history.ts): calls of
 * different workers closer than this are taken as concurrent, so no real-time order is ever invented.
 */
export const CROSS_WORKER_MARGIN_MS = 0.005;

/** Model steps one race round's check may take: a few ms for the default round, unknown beyond. */
export const ROUND_CHECK_STEPS = 200_000;
/** The hammer's one long history gets more. */
export const HAMMER_CHECK_STEPS = 1_000_000;

export type ModelVerdict =
  | { outcome: 'ok' }
  | { outcome: 'violation'; finding: FindingFacts }
  | { outcome: 'unknown'; reason: string }
  /** The model itself threw: a bug of the adapter's model, not of the code under test. */
  | { outcome: 'model-error'; finding: FindingFacts };

export function checkModel(strategy: string, round: number, model: Model, history: { calls: HistoryCall[]; omitted: number }, maxSteps: number): ModelVerdict {
  if (history.omitted > 0)
    return { outcome: 'unknown', reason: `${history.omitted} calls were not recorded (a worker records at most its first calls of a round)` };
  if (history.calls.some((c) => c.end === null)) return { outcome: 'unknown', reason: 'some calls never returned' };
  const r = checkLinearizable(model, history.calls, { maxSteps, crossWorkerMarginMs: CROSS_WORKER_MARGIN_MS });
  if (r.outcome === 'model-error') return { outcome: 'model-error', finding: { strategy, kind: 'error', round, hook: 'model', error: r.message } };
  if (r.outcome === 'ok') return { outcome: 'ok' };
  if (r.outcome === 'unknown') return { outcome: 'unknown', reason: r.reason };
  const culprit = history.calls[r.culprit]!;
  const view = { round, ...modelWindow(history.calls, r) };
  return {
    outcome: 'violation',
    finding: {
      strategy,
      kind: 'linearizability',
      round,
      op: culprit.op,
      calls: history.calls.length,
      ...(r.partition !== undefined ? { partition: r.partition } : {}),
      history: view,
    },
  };
}

/** The part of a failing round's history that shows how it failed, for a finding without a model. */
export function historyOfFailure(round: number, history: { calls: HistoryCall[]; omitted: number }): CallHistory {
  const w = counterWindow(history.calls);
  return { round, ...w, omitted: w.omitted + history.omitted };
}

/** Rounds the model's check could not decide: reported and counted, a failure only under --strict. */
export function modelUnknownWarning(strategy: string, unknownRounds: number, checkedRounds: number, reason: string): WarningFacts {
  return { code: 'model-unknown', strategy, unknownRounds, checkedRounds, reason };
}
