// The race's confidence as the race loop uses it (checks/confidence.ts decides; this reads the plan and
// wires the tally to the loop): the setup the figures hold for, --confidence's target (each shard its
// share), when it stops the rounds, and the figures and warning at the end.
import { ConfidenceTally, confidenceNotReached, type ConfidenceKind, type ConfidenceRound } from '../checks/confidence.js';
import type { RunPlan } from '../plan/plan.js';
import type { Confidence, StopReason, WarningFacts } from '../schema/report.js';

export class RaceConfidence {
  private readonly tally: ConfidenceTally;
  /**
   * Rounds of the whole run the race may take its rounds from: --rounds, or with --confidence as many as
   * it takes (the loop stops once the target is reached and --rounds are played, or at the budget's end).
   */
  readonly cap: number;

  constructor(
    private readonly plan: RunPlan,
    opNames: readonly string[],
    /** This shard's share of --rounds. */
    private readonly plannedRounds: number,
  ) {
    this.tally = new ConfidenceTally(opNames, {
      workers: plan.workers,
      lanes: plan.concurrency,
      machines: [plan.env.hostname ?? 'this machine'],
      ...(plan.confidence ? { target: plan.confidence } : {}),
      shards: plan.shard?.count ?? 1,
    });
    this.cap = plan.confidence ? Number.MAX_SAFE_INTEGER : plan.rounds;
  }

  /** One played round; `rounds`: the rounds played so far. With --confidence, `done` once --rounds are played and the target is reached. */
  take(played: ConfidenceRound, kind: ConfidenceKind, rounds: number): StopReason | null {
    this.tally.take(played, kind);
    return this.plan.confidence && rounds >= this.plannedRounds && this.tally.reached ? 'done' : null;
  }

  /**
   * A batch's size with --confidence: no batch crosses --rounds, so a run whose target is reached by then
   * stops exactly there, as it would without the flag (beyond it, a batch may overshoot the target).
   */
  batch(size: number, started: number): number {
    return this.plan.confidence && started < this.plannedRounds ? Math.max(1, Math.min(size, this.plannedRounds - started)) : size;
  }

  /** The figures; into `warnings`, the warning when --confidence was not reached (a failing or interrupted race has other news). */
  report(failed: number, rounds: number, interrupted: boolean, warnings: WarningFacts[]): Confidence {
    const confidence = this.tally.result(failed, rounds);
    const short = failed === 0 && !interrupted ? confidenceNotReached('race', confidence, this.plan.shard?.count) : null;
    if (short) warnings.push(short);
    return confidence;
  }
}
