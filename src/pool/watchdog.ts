// Hang detection, as a pure state machine over the session's shared memory. The caller (the session)
// owns the clock and the workers: it passes `now` in, and acts on the decisions returned (abort the
// round, terminate a worker). Nothing here sleeps, notifies or holds a worker handle, so it can be
// driven by hand-made memory in tests (test/watchdog.test.mjs).
//
// A worker is judged by what it shows in shared memory: its phase and round (control block), and
// per lane the call index it is in and that call's operation (tally block). Something that has not
// changed for timeoutMs is a hang (setupTimeoutMs in `init`); the barrier and "done" never are (a peer,
// not this worker, holds them).
import { Phase, workerPhase, type Layout } from './layout.js';
import type { Hang, HangWhere, StoppedWorker } from './types.js';

export interface WatchedMemory {
  ctl: Int32Array;
  tally: Float64Array;
  layout: Layout;
  opNames: readonly string[];
  timeoutMs: number;
  /** The limit for a worker in `init` (preparation: --setup-timeout); default timeoutMs. */
  setupTimeoutMs?: number;
}

/** What became of a worker that had not answered when a called-off round's grace ran out. */
export type GraceDecision = { hang: Hang; stopped?: undefined } | { stopped: StoppedWorker; hang?: undefined };

interface Seen {
  /** Phase last seen (IDLE while the worker still shows an earlier round), and since when. */
  phase: number;
  /** Round last seen (a batch moves through several). */
  round: number;
  since: number;
  /** Per lane: call index last seen, and since when. */
  seq: Float64Array;
  seqSince: Float64Array;
}

/** Calls started and not settled in worker `w`, per operation (only those with some). */
export function pendingCalls(mem: WatchedMemory, w: number): Record<string, number> {
  const { layout, tally, opNames } = mem;
  const b = layout.base(w);
  const out: Record<string, number> = {};
  opNames.forEach((name, op) => {
    const p = tally[b + layout.started(op)]! - tally[b + layout.done(op)]! - tally[b + layout.errors(op)]!;
    if (p > 0) out[name] = p;
  });
  return out;
}

/** One round's watch over every worker of a session. */
export class Watchdog {
  private readonly seen: Seen[] = [];

  constructor(
    private readonly mem: WatchedMemory,
    readonly round: number,
    now: number,
    /** The last round of a batch watched as one (its rounds follow each other without a message). */
    readonly lastRound = round,
  ) {
    const { workers, lanes } = mem.layout;
    for (let w = 0; w < workers; w++) {
      this.seen.push({ phase: -1, round: -1, since: now, seq: new Float64Array(lanes).fill(-2), seqSince: new Float64Array(lanes).fill(now) });
    }
  }

  /** Look at each of `workers` (those still owing an answer); returns the hangs found, at most one per worker. */
  tick(now: number, workers: Iterable<number>): Hang[] {
    const hangs: Hang[] = [];
    for (const w of workers) {
      this.observe(w, now);
      const h = this.check(w, now);
      if (h) hangs.push(h);
    }
    return hangs;
  }

  /** Note what `workers` show now without judging them (while a called-off round winds down). */
  observeAll(now: number, workers: Iterable<number>): void {
    for (const w of workers) this.observe(w, now);
  }

  /**
   * The grace after an abort ran out and worker `w` has not answered. After an interrupt it is only
   * stopped. Otherwise it is a hang if what it shows has not moved for timeoutMs (a lane on the same
   * call: the hang names that call's operation); a worker still moving or merely finishing is stopped.
   */
  atGraceExpiry(w: number, now: number, interrupted: boolean): GraceDecision {
    this.observe(w, now);
    if (interrupted) return { stopped: { workerId: w, reason: 'interrupted' } };
    const hang = this.check(w, now);
    return hang ? { hang } : { stopped: { workerId: w, reason: 'round-aborted' } };
  }

  private observe(w: number, now: number): void {
    const { ctl, tally, layout } = this.mem;
    const s = this.seen[w]!;
    const shown = workerPhase(ctl, layout, w);
    // Still showing an earlier round: its event loop never took this round's message.
    const phase = shown.round >= this.round && shown.round <= this.lastRound ? shown.phase : Phase.IDLE;
    // The next round of a batch is progress too, even in the same phase.
    if (phase !== s.phase || shown.round !== s.round) {
      s.phase = phase;
      s.round = shown.round;
      s.since = now;
    }
    const b = layout.base(w);
    for (let l = 0; l < layout.lanes; l++) {
      const seq = tally[b + layout.laneSeq(l)]!;
      if (seq !== s.seq[l]) {
        s.seq[l] = seq;
        s.seqSince[l] = now;
      }
    }
  }

  private check(w: number, now: number): Hang | null {
    const { tally, layout, opNames, timeoutMs } = this.mem;
    const s = this.seen[w]!;
    if (s.phase === Phase.CALLS) {
      // The lane stuck longest on one call; a lane with no call (-1) or moving is fine.
      let stuck = -1;
      for (let l = 0; l < layout.lanes; l++) {
        if (s.seq[l]! >= 0 && now - s.seqSince[l]! >= timeoutMs && (stuck < 0 || s.seqSince[l]! < s.seqSince[stuck]!)) stuck = l;
      }
      if (stuck < 0) return this.checkAfterCalls(w, now);
      const op = tally[layout.base(w) + layout.laneOp(stuck)]!;
      return { workerId: w, where: 'calls', op: opNames[op] ?? `#${op}`, pending: pendingCalls(this.mem, w), afterMs: now - s.seqSince[stuck]! };
    }
    const limit = s.phase === Phase.INIT ? (this.mem.setupTimeoutMs ?? timeoutMs) : timeoutMs;
    if (s.phase === Phase.BARRIER || s.phase === Phase.DONE || now - s.since < limit) return null;
    const where: HangWhere = s.phase === Phase.INIT ? 'init' : s.phase === Phase.STATS ? 'workerStats' : 'start';
    return { workerId: w, where, pending: pendingCalls(this.mem, w), afterMs: now - s.since };
  }

  /**
   * Every lane has ended, yet the worker is still in calls: it takes one event-loop turn before
   * answering (worker.ts), so a callback the calls left behind that never returns blocks it here.
   */
  private checkAfterCalls(w: number, now: number): Hang | null {
    const s = this.seen[w]!;
    let idleSince = s.since;
    for (let l = 0; l < this.mem.layout.lanes; l++) {
      if (s.seq[l]! >= 0) return null;
      idleSince = Math.max(idleSince, s.seqSince[l]!);
    }
    if (now - idleSince < this.mem.timeoutMs) return null;
    return { workerId: w, where: 'after-calls', pending: pendingCalls(this.mem, w), afterMs: now - idleSince };
  }
}
