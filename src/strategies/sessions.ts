// The race's rounds on one machine: this shard's round indices (plan/shard.ts), played by one worker
// session or, on a machine with many more cores than workers, by several independent sessions at once,
// each on its own CPUs. Every round is taken by exactly one session (they share one queue of indices),
// keeps its index (so its seed and the `round` the hooks see), and the caller adds the rounds up.
import { cpuOffset, positionInShard, raceSessions, shardRounds } from '../plan/shard.js';
import type { SessionOptions, WorkerSession } from '../pool/session.js';
import type { RunContext } from '../rounds/context.js';

export interface RoundSlot {
  /** The round's index in the whole (unsharded) run. */
  round: number;
  /** Its position among this shard's rounds: 0 for the shard's first round. */
  position: number;
  /** Rounds started before it on this machine (0: the first, which always runs). */
  started: number;
  session: WorkerSession;
}

export interface SessionRounds {
  sessions: WorkerSession[];
  /** Rounds each session played (index = session). */
  perSession: number[];
}

/** How a strategy plays a batch of rounds, in two halves, so the next batch can go out before this one is checked. */
export interface BatchPlayer<S> {
  /** Set the batch up and send it to the workers; null: the strategy stops (nothing was started). */
  start(slots: RoundSlot[], session: WorkerSession): Promise<S | null>;
  /** Resolves once the workers' answers are in. */
  answered(batch: S): Promise<unknown>;
  /** Check it; false: stop every session (batches already running are discarded). */
  finish(batch: S, slots: RoundSlot[], session: WorkerSession): Promise<boolean>;
  /** A batch started but no longer wanted: torn down, never counted. */
  discard(batch: S): Promise<void>;
  /** May the next batch go out while this one is checked (it reorders setups and teardowns)? */
  pipelined(): boolean;
}

/**
 * Open the sessions and play this shard's rounds on them, in batches of `batchSize(started)` rounds a
 * session takes at once. Where the player allows it, a session's next batch goes to its workers as
 * soon as the last one's answers are in, and the last one is checked while they play: the workers
 * do not wait for the main thread's checks. Sessions are closed before it returns, also on a throw.
 */
export async function playShardRounds<S>(
  run: RunContext,
  batchSize: (started: number) => number,
  player: BatchPlayer<S>,
  extra: Partial<SessionOptions> = {},
  /** May rounds of different sessions run at the same time (each round's state its own: adapter/independence.ts)? */
  sideBySide = true,
  /** Rounds of the whole run to take this shard's from (more than --rounds when --confidence may need them). */
  rounds = run.plan.rounds,
): Promise<SessionRounds> {
  const { plan } = run;
  const count = sideBySide ? raceSessions(plan.env, plan.workers) : 1;
  const sessions: WorkerSession[] = [];
  const perSession: number[] = [];
  const queue = shardRounds(rounds, plan.shard);
  let started = 0;
  let stop = false;
  try {
    for (let s = 0; s < count; s++) {
      sessions.push(await run.openSession(plan.workers, { ...extra, cpuOffset: cpuOffset(s, plan.workers), history: true }));
      perSession.push(0);
    }
    const settled = await Promise.allSettled(
      sessions.map(async (session, s) => {
        /** The next batch's rounds, taken from the shared queue and sent off; null when there are none or the strategy stops. */
        const next = async (): Promise<{ slots: RoundSlot[]; batch: S } | null> => {
          const slots: RoundSlot[] = [];
          for (let k = batchSize(started); slots.length < k;) {
            const r = queue.next();
            if (r.done) break;
            slots.push({ round: r.value, position: positionInShard(r.value, plan.shard), started: started++, session });
          }
          if (!slots.length) return null;
          const batch = await player.start(slots, session);
          if (batch === null) {
            stop = true;
            return null;
          }
          perSession[s]! += slots.length;
          return { slots, batch };
        };
        try {
          let current = stop ? null : await next();
          while (current) {
            await player.answered(current.batch);
            let following = !stop && !session.broken && player.pipelined() ? await next() : null;
            if (!(await player.finish(current.batch, current.slots, session))) stop = true;
            if (stop && following) {
              await player.discard(following.batch);
              perSession[s]! -= following.slots.length;
              following = null;
            }
            current = following ?? (stop ? null : await next());
          }
        } catch (e) {
          stop = true; // the others finish their batch, then the error (e.g. exit 2: cannot set up) goes up
          throw e;
        }
      }),
    );
    const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    for (const s of sessions) await run.closeSession(s);
  }
  return { sessions, perSession };
}
