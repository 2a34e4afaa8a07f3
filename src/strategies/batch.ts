// How many rounds go in one exchange with the workers (pool/session.ts, runRounds): quick rounds in
// batches, as jcstress runs many fresh states per barrier pass, so the exchange's cost (a message each
// way, the event loop's wake-ups) is paid once for many rounds; a slow round alone. A batch calls every
// round's setup before the first of them runs, so it is only for adapters whose rounds each have state
// of their own: the adapter says so (`batch`), or its hooks are proven to touch nothing else (adapter/independence.ts).

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
