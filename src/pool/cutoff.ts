// When a round in progress is called off, as a pure state machine (like watchdog.ts beside it): the
// session passes the clock and what it sees in, and acts on the answers (halt new calls, abort, stop
// waiting and terminate). Nothing here touches shared memory or a worker, so every rule is unit-tested
// from hand-made readings (test/cutoff.test.mjs).
//
// The rules:
// - a time limit (a duration round's length, or a count round's budget) starts once every live worker is
//   in its calls, and when it runs out new calls stop (lanes finish the call they are in);
// - a hang, an interrupt, a crash before the calls began (its peers would wait at the barrier), a crash
//   anywhere in a batch (later rounds' barriers would), or an internal error aborts the round;
// - after an abort the workers get a grace period to answer, at most `graceMs`; once it is over, or once
//   every worker that has not answered is one with a hung call (it never will), waiting ends: whoever
//   has not answered is terminated.
import { Phase } from './layout.js';

export interface CutoffOptions {
  /** ms new calls may start for, from the moment every worker is in its calls; null: no limit. */
  limitMs: number | null;
  /** The longest the workers are waited for once the round is aborted. */
  graceMs: number;
  /** Several rounds in one exchange. */
  batch: boolean;
  /** The exchange's first round. */
  round: number;
}

/** What a worker shows when it crashes: its phase and round (layout.ts, workerPhase). */
export interface PhaseReading {
  phase: number;
  round: number;
}

export class RoundCutoff {
  private stopAt = -1;
  private abortedAt = -1;
  private halted = false;
  private waitingEnded = false;

  constructor(private readonly opts: CutoffOptions) {}

  get aborted(): boolean {
    return this.abortedAt >= 0;
  }

  /** Waiting for answers has ended: what is left is to terminate (nothing more to decide). */
  get waitingOver(): boolean {
    return this.waitingEnded;
  }

  /** True once, when new calls must stop: the time limit, counted from when every live worker reached its calls, ran out. */
  timeUp(now: number, allInCalls: boolean): boolean {
    if (this.opts.limitMs === null || this.halted) return false;
    if (this.stopAt < 0 && allInCalls) this.stopAt = now + this.opts.limitMs;
    if (this.stopAt < 0 || now < this.stopAt || this.aborted) return false;
    this.halted = true;
    return true;
  }

  /** Call the round off at `now`; true the first time (the caller then tells the workers). */
  abort(now: number): boolean {
    if (this.aborted) return false;
    this.abortedAt = now;
    return true;
  }

  /** Does a worker's crash call the round off? Its peers wait for it at a barrier it will never reach. */
  crashAborts(at: PhaseReading): boolean {
    return this.opts.batch || at.phase < Phase.CALLS || at.round !== this.opts.round;
  }

  /**
   * After an abort: true once, when waiting for answers ends (the grace period is over, or only workers
   * with a hung call are left unanswered: they never answer).
   */
  stopWaiting(now: number, onlyHungLeft: boolean): boolean {
    if (!this.aborted || this.waitingEnded) return false;
    if (now - this.abortedAt < this.opts.graceMs && !onlyHungLeft) return false;
    this.waitingEnded = true;
    return true;
  }
}
