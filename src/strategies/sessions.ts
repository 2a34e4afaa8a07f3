// The race's rounds on one machine: this shard's round indices (plan/shard.ts), played by one worker
// session or, on a machine with many more cores than workers, by several independent sessions at once,
// each on its own CPUs. Every round is taken by exactly one session (they share one queue of indices),
// keeps its index (so its seed and the `round` the hooks see), and the caller adds the rounds up.
import { cpuOffset, positionInShard, raceSessions, shardRounds } from '../plan/shard.js';
import type { WorkerSession } from '../pool/session.js';
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

/**
 * Open the sessions and play this shard's rounds on them, in batches of `batchSize(started)` rounds a
 * session takes at once; `play` returns false to stop every session (batches already running finish).
 * Sessions are closed before it returns, also on a throw.
 */
export async function playShardRounds(
  run: RunContext,
  batchSize: (started: number) => number,
  play: (slots: RoundSlot[], session: WorkerSession) => Promise<boolean>,
): Promise<SessionRounds> {
  const { plan } = run;
  const count = raceSessions(plan.env, plan.workers);
  const sessions: WorkerSession[] = [];
  const perSession: number[] = [];
  const queue = shardRounds(plan.rounds, plan.shard);
  let started = 0;
  let stop = false;
  try {
    for (let s = 0; s < count; s++) {
      sessions.push(await run.openSession(plan.workers, { cpuOffset: cpuOffset(s, plan.workers), history: true }));
      perSession.push(0);
    }
    const settled = await Promise.allSettled(
      sessions.map(async (session, s) => {
        while (!stop) {
          const slots: RoundSlot[] = [];
          for (let k = batchSize(started); slots.length < k;) {
            const next = queue.next();
            if (next.done) break;
            slots.push({ round: next.value, position: positionInShard(next.value, plan.shard), started: started++, session });
          }
          if (!slots.length) return;
          perSession[s]! += slots.length;
          try {
            if (!(await play(slots, session))) stop = true;
          } catch (e) {
            stop = true; // the others finish their round, then the error (e.g. exit 2: cannot set up) goes up
            throw e;
          }
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
