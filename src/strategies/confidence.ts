// The race's confidence tally as the plan sets it up (checks/confidence.ts decides; this only reads the
// plan): the setup the figures hold for, and --confidence's target, each shard playing its share.
import { ConfidenceTally } from '../checks/confidence.js';
import type { RunPlan } from '../plan/plan.js';

export function confidenceTally(plan: RunPlan, opNames: readonly string[]): ConfidenceTally {
  return new ConfidenceTally(opNames, {
    workers: plan.workers,
    lanes: plan.concurrency,
    machines: [plan.env.hostname ?? 'this machine'],
    ...(plan.confidence ? { target: plan.confidence } : {}),
    shards: plan.shard?.count ?? 1,
  });
}

/**
 * Rounds of the whole run the race may take its rounds from: --rounds, or with --confidence as many as
 * it takes (the loop stops once the target is reached and --rounds are played, or at the budget's end).
 */
export const roundsCap = (plan: RunPlan): number => (plan.confidence ? Number.MAX_SAFE_INTEGER : plan.rounds);

/**
 * A batch's size with --confidence: no batch crosses --rounds, so a run whose target is reached by then
 * stops exactly there, as it would without the flag (beyond it, a batch may overshoot the target).
 */
export function batchWithin(plan: RunPlan, size: number, started: number, plannedRounds: number): number {
  return plan.confidence && started < plannedRounds ? Math.max(1, Math.min(size, plannedRounds - started)) : size;
}
