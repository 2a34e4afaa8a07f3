// How many rounds go in one exchange with the workers (pool/session.ts, runRounds): quick rounds in
// batches, as jcstress runs many fresh states per barrier pass, so the exchange's cost (a message each
// way, the event loop's wake-ups) is paid once for many rounds; a slow round alone. A batch calls every
// round's setup before the first of them runs, so it is only for adapters whose rounds each have state
// of their own: the adapter says so (`batch`), or every setup so far returned new shared memory.

/**
 * A batch lasts about this long: long enough that the exchange is paid once for many rounds, short
 * enough for progress, the early stop and the time budget to follow closely.
 */
export const BATCH_MS = 20;

/** Rounds in the next batch, from the last round's time (0: unknown yet, one round), at most `max`, within `leftMs`. */
export function batchOf(lastRoundMs: number, max: number, leftMs: number): number {
  if (lastRoundMs <= 0) return 1;
  return Math.max(1, Math.min(max, Math.floor(Math.min(BATCH_MS, leftMs) / lastRoundMs)));
}

/**
 * Whether rounds may go in batches. With no word from the adapter, the first rounds run one at a time
 * and each setup's shared memory is looked at: batches once two rounds in a row had shared memory of
 * their own, never again once a setup returned none, or memory an earlier round had (a setup that
 * resets something the rounds share would be reset for every round of a batch before any of them ran).
 */
export class BatchPolicy {
  private fresh: boolean | null;
  private last: SharedArrayBuffer[] | null = null;

  constructor(private readonly declared: boolean | undefined) {
    this.fresh = declared ?? null;
  }

  get allowed(): boolean {
    return this.fresh === true;
  }

  /** A played round's setup gave these buffers (`[]`: none). */
  note(buffers: readonly SharedArrayBuffer[]): void {
    if (this.declared !== undefined || this.fresh === false) return;
    if (!buffers.length || (this.last && buffers.some((b) => this.last!.includes(b)))) this.fresh = false;
    else if (this.last) this.fresh = true;
    this.last = [...buffers];
  }
}
