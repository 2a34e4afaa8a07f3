// A round's call history against the adapter's sequential model: linearizable, a `linearizability`
// finding with the smallest failing part of the history, or unknown (the check ran out of its budget:
// counted and reported, a failure only under --strict).
import { shown } from '../errors.js';
import type { Model } from '../adapter/types.js';
import type { CallHistory, Finding, HistoryCall, Warning } from '../schema/report.js';
import { callLabel } from '../schema/words.js';
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
  | { outcome: 'violation'; finding: Finding }
  | { outcome: 'unknown'; reason: string }
  /** The model itself threw: a bug of the adapter's model, not of the code under test. */
  | { outcome: 'model-error'; finding: Finding };

/** `op(input) → output` of one call, as a finding's message names it. */
function callText(c: HistoryCall): string {
  const result = c.error !== undefined ? ` threw ${c.error}` : c.end === null ? ' (never returned)' : ` → ${shown(c.output)}`;
  return `${callLabel(c, shown)}${result}`;
}

export function checkModel(strategy: string, round: number, model: Model, history: { calls: HistoryCall[]; omitted: number }, maxSteps: number): ModelVerdict {
  if (history.omitted > 0)
    return { outcome: 'unknown', reason: `${history.omitted} calls were not recorded (a worker records at most its first calls of a round)` };
  if (history.calls.some((c) => c.end === null)) return { outcome: 'unknown', reason: 'some calls never returned' };
  const r = checkLinearizable(model, history.calls, { maxSteps, crossWorkerMarginMs: CROSS_WORKER_MARGIN_MS });
  if (r.outcome === 'model-error')
    return { outcome: 'model-error', finding: { strategy, kind: 'error', round, hook: 'model', message: `the adapter's model failed: ${r.message}` } };
  if (r.outcome === 'ok') return { outcome: 'ok' };
  if (r.outcome === 'unknown') return { outcome: 'unknown', reason: r.reason };
  const culprit = history.calls[r.culprit]!;
  const part = r.partition !== undefined ? `; key ${r.partition}` : '';
  const view: CallHistory = { round, ...modelWindow(history.calls, r) };
  return {
    outcome: 'violation',
    finding: {
      strategy,
      kind: 'linearizability',
      round,
      op: culprit.op,
      message: `round ${round}: no order of its ${history.calls.length} calls explains ${callText(culprit)} (worker ${culprit.worker}, lane ${culprit.lane}${part}): not linearizable against the model`,
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
export function modelUnknownWarning(strategy: string, unknown: number, checked: number, reason: string): Warning {
  return {
    code: 'model-unknown',
    message: `${strategy}: the model's check could not decide ${unknown} of ${checked} round${checked === 1 ? '' : 's'} (${reason}); those rounds are neither a pass nor a failure`,
  };
}
