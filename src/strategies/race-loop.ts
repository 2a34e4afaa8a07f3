// The race loop's rules as two small state machines, apart from the machinery that plays rounds (as
// pool/watchdog.ts is apart from the session): RaceTally takes each played round's evidence and says
// when the strategy has enough; RacePace says whether another batch may start and how big, from the
// clock readings it is given. Neither plays a round, reads a clock or holds a worker, so both are driven
// by hand-made rounds in tests (test/race-loop.test.mjs).
import type { ContentionTracker } from '../checks/contention.js';
import { historyOfFailure } from '../checks/model.js';
import { EVIDENCE_FAILED_ROUNDS, outcomeOf } from '../checks/race.js';
import type { PlayedRound, RoundRequest } from '../rounds/play.js';
import { factsKey, type CounterRow, type FindingFacts, type StopReason, type WarningFacts } from '../schema/report.js';
import { batchOf } from './batch.js';

/** What one round of a batch was: did it measure contention, was it controlled (and whose calls did it run). */
export interface RoundKind {
  overlap: boolean;
  controlled: RoundRequest['controlled'] | null;
  as?: number;
}

/** The race's evidence so far, round by round. */
export class RaceTally {
  /** Rounds played (a round the user cut short is no evidence either way: not counted). */
  rounds = 0;
  /** Rounds every worker ran to the end, and their calls. */
  completeRounds = 0;
  completedCalls = 0;
  /** Complete rounds only the model would have checked, and it could not decide (checks/strategy.ts). */
  undecidedRounds = 0;
  /** Rounds that measured contention. */
  contentionRounds = 0;
  failedRounds = 0;
  lostUpdates = 0;
  /** The earliest failing round (sessions side by side finish rounds out of order), and when it was seen. */
  firstFailed: number | null = null;
  firstFailedMs: number | null = null;
  /** The earliest failing round's counters, else the last round's; and why they are empty, when they are. */
  counters: CounterRow[] = [];
  countersNote = '';
  readonly called = new Set<string>();
  readonly warnings: WarningFacts[] = [];
  readonly outcomes = new Map<string, { rounds: number; failed: boolean }>();
  readonly lostPerFailed: number[] = [];
  readonly roundFindings: FindingFacts[] = [];
  readonly model = { checkedRounds: 0, unknownRounds: 0 };
  unknownReason: string | undefined;

  constructor(private readonly contention: ContentionTracker) {}

  /** One played round into the totals, `elapsedMs` after the strategy began; says why the strategy must end, when it must. */
  take(played: PlayedRound, kind: RoundKind, elapsedMs: number): StopReason | null {
    const t = played.tallies;
    if (!t?.interrupted) this.rounds++;
    if (t) {
      if (kind.overlap && !t.interrupted) {
        this.contention.add(t);
        this.contentionRounds++;
      }
      for (const o of t.ops) if (o.started > 0) this.called.add(o.name);
      if (played.complete) {
        this.completeRounds++;
        if (played.undecided) this.undecidedRounds++;
        for (const o of t.ops) this.completedCalls += o.done;
      }
    }
    // Each warning once, by its fields.
    for (const w of played.warnings) if (!this.warnings.some((x) => factsKey(x) === factsKey(w))) this.warnings.push(w);
    if (played.counters.length) {
      const key = outcomeOf(played.counters);
      const bucket = this.outcomes.get(key) ?? { rounds: 0, failed: played.failed };
      bucket.rounds++;
      this.outcomes.set(key, bucket);
    }
    if (played.model !== null) this.model.checkedRounds++;
    if (played.modelUnknown !== undefined) {
      this.model.unknownRounds++;
      this.unknownReason ??= played.modelUnknown;
    }
    if (played.failed) this.takeFailure(played, elapsedMs);
    else if (this.firstFailed === null) {
      this.counters = played.counters;
      this.countersNote = played.countersNote;
    }
    if (played.hookFailed) return 'failed-hook';
    if (this.failedRounds >= EVIDENCE_FAILED_ROUNDS) return 'evidence';
    return null;
  }

  private takeFailure(played: PlayedRound, elapsedMs: number): void {
    const r = played.round;
    this.failedRounds++;
    this.lostUpdates += played.lostUpdates;
    if (played.lostUpdates > 0) this.lostPerFailed.push(played.lostUpdates);
    if (this.firstFailed === null || r < this.firstFailed) {
      this.firstFailedMs ??= elapsedMs;
      this.firstFailed = r;
      this.counters = played.counters;
      this.countersNote = played.countersNote;
      // The failing round's history (or the part of it that shows the failure) goes with its findings.
      const h = played.history;
      if (h) for (const f of played.findings) f.history ??= historyOfFailure(r, h);
    }
    this.roundFindings.push(...played.findings);
  }

  /** Failing rounds still missing before the evidence is enough (Infinity before the first failure). */
  get missingEvidence(): number {
    return this.failedRounds > 0 ? EVIDENCE_FAILED_ROUNDS - this.failedRounds : Infinity;
  }
}

/** Calls of the first round may run this long even when the budget is spent. */
export const FIRST_ROUND_MS = 1000;

/**
 * Whether another batch of rounds may start, and how many rounds it holds. The first round always runs
 * (a strategy that checked nothing could not have failed) and runs alone; later ones only while one
 * more round fits the strategy's share of the time, keeping the smallest-failing-setup search's share
 * once a round failed.
 */
export class RacePace {
  /** What one round cost last time, hooks included (0: not known yet). */
  lastRoundMs = 0;

  constructor(
    private readonly opts: {
      /** Most rounds in one exchange (ADAPTER_HAMMER_BATCH). */
      maxBatch: number;
      /** May rounds run ahead of each other at all (adapter/independence.ts)? */
      ahead: boolean;
      /** Time kept for the smallest-failing-setup search once a round failed. */
      shrinkReserveMs: number;
    },
  ) {}

  private reserve(failedRounds: number): number {
    return failedRounds > 0 ? this.opts.shrinkReserveMs : 0;
  }

  /** May a batch start, `started` rounds into the strategy with `timeLeftMs` of its share left? */
  mayStart(started: number, timeLeftMs: number, failedRounds: number): boolean {
    return started === 0 || timeLeftMs > this.reserve(failedRounds) + this.lastRoundMs;
  }

  /** Rounds in the next batch: one until rounds may run ahead and their cost is known; never more than the evidence still missing. */
  size(started: number, timeLeftMs: number, failedRounds: number, missingEvidence: number): number {
    if (started === 0 || !this.opts.ahead) return 1;
    const fit = batchOf(this.lastRoundMs, this.opts.maxBatch, timeLeftMs - this.reserve(failedRounds));
    return Math.max(1, Math.min(fit, missingEvidence));
  }

  /** When a batch's calls stop: at the share's end (the first round gets at least FIRST_ROUND_MS, so even a late strategy checks something). */
  stopAfterMs(started: number, timeLeftMs: number): number {
    return started === 0 ? Math.max(FIRST_ROUND_MS, timeLeftMs) : timeLeftMs;
  }

  /** A batch of `rounds` rounds took `ms`, hooks included. */
  took(ms: number, rounds: number): void {
    this.lastRoundMs = ms / Math.max(1, rounds);
  }
}
