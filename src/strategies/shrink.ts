// After a failure: search for the smallest configuration (fewer workers, then fewer lanes, then fewer
// operations, then fewer calls per worker) that still fails the same way, within a small time budget. A developer
// debugging a race wants the smallest case: "1 worker x 2 lanes x 2 calls" says the bug is an async
// interleaving inside one thread; "2 workers x 1 lane x 1 call" says two threads and one call each; an
// error, crash or hang that still happens with 1 worker x 1 lane is a plain bug, not a race.
// A failure only controlled rounds show is searched with controlled rounds (each worker's lanes under
// its scheduler): fewer lanes and calls make a smaller interleaving to read, and its failing round is
// the one whose schedule is then shrunk and replayed (strategies/controlled.ts).
import { classifyMinimal } from '../checks/race.js';
import { replayCommand } from '../plan/replay.js';
import type { ControlledSpec, SessionOptions, WorkerSession } from '../pool/session.js';
import type { CallHistory, FindingKind, RaceReport } from '../schema/report.js';
import { weightsOf, type RunContext } from '../rounds/context.js';
import { historyOfFailure } from '../checks/model.js';
import { playRounds } from '../rounds/play.js';
import { batchOf } from './batch.js';

export interface ShrinkOptions {
  /** Wall-clock budget for the whole search, ms. */
  budgetMs: number;
  /** Share of rounds that failed in the full run (sizes each trial). */
  failRate: number;
  /** Finding kinds being shrunk; a trial must reproduce one of them. */
  kinds: ReadonlySet<FindingKind>;
  /** Every finding kind the full run reported: a trial with any other failure is no evidence. */
  allKinds: ReadonlySet<FindingKind>;
  /** Round numbers used by the search start here (so their seeds differ from the main run's). */
  firstRound: number;
  /** Rounds may run ahead of each other, in batches (adapter/independence.ts). */
  batch: boolean;
  /** Search with controlled rounds: the failure needs the scheduler. */
  controlled?: ControlledTrials;
}

/** How a search plays controlled rounds (strategies/controlled.ts, ControlledRounds). */
export interface ControlledTrials {
  /** The spec of round `round` (the policies take turns as in the race). */
  spec(round: number): ControlledSpec;
  /** Calls per worker of a controlled round with `lanes` lanes and `iterations` calls per worker. */
  calls(lanes: number, iterations: number): number;
  instrument: SessionOptions['instrument'];
  /** Rounds of a replay command for every controlled one (the others keep Node's own order). */
  every: number;
}

/** The first failing controlled round of the smallest setup: what its schedules' replay starts from. */
export interface ControlledFailure {
  round: number;
  schedules: string[];
  preemptions: number;
  hung: boolean;
  config: Config;
}

type Minimal = NonNullable<RaceReport['minimal']>;

export interface Config {
  workers: number;
  concurrency: number;
  iterations: number;
  /** The operations called (those of the run that have a weight). */
  ops: string[];
}

/** Values to try for one dimension, smallest first, all below the current one. */
function ladder(current: number, steps: number[]): number[] {
  return [...new Set(steps.filter((v) => v >= 1 && v < current))].sort((a, b) => a - b);
}

const ITERATION_STEPS = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];
const LANE_STEPS = [1, 2, 3, 4, 8, 16, 32, 64];
const WORKER_STEPS = [1, 2, 3, 4, 8, 16, 32, 64];

/**
 * Greedy search: for workers, then lanes, then iterations, take the smallest value that still fails
 * (the others held at their current best). Each trial runs rounds until the first matching failure,
 * up to a round cap sized by the full run's failure rate and a per-trial time slice. The result is
 * confirmed with a short run that measures how often the minimal configuration fails.
 */
export async function shrinkRace(
  run: RunContext,
  opts: ShrinkOptions,
): Promise<{ minimal: Minimal | null; failing: ControlledFailure | null; session?: WorkerSession; played: number }> {
  const { plan } = run;
  const deadline = performance.now() + opts.budgetMs;
  let round = opts.firstRound;
  const left = () => deadline - performance.now();
  // Enough rounds to expect ~6 failures at the full run's rate, within bounds.
  const roundCap = Math.max(30, Math.min(3000, Math.ceil(6 / Math.max(opts.failRate, 1e-3))));
  // The same failure: one of the kinds being shrunk, and nothing the full run did not report.
  const matches = (kinds: FindingKind[]) => kinds.some((k) => opts.kinds.has(k)) && kinds.every((k) => opts.allKinds.has(k));

  const ctl = opts.controlled;
  /** Controlled: no more calls per worker than the lanes' share (the controlled round's size). */
  const sized = (c: Config): Config => (ctl ? { ...c, iterations: ctl.calls(c.concurrency, c.iterations) } : c);
  /** Rounds the search played in all: none, and "it did not fail again" would not be the reason. */
  let total = 0;
  const sessions = new Map<string, WorkerSession>();
  // Controlled: one session per worker count, its rounds run fewer lanes than it has (no worker start per lane count).
  const keyOf = (c: Config): string => `${c.workers}x${ctl ? plan.concurrency : c.concurrency}:${c.ops.join(',')}`;
  const sessionFor = async (c: Config): Promise<WorkerSession> => {
    const key = keyOf(c);
    let s = sessions.get(key);
    if (!s || s.broken) {
      if (s) await run.closeSession(s);
      s = await run.openSession(c.workers, {
        lanes: ctl ? plan.concurrency : c.concurrency,
        history: true,
        weights: weightsOf(run.loaded, c.ops),
        ...(ctl ? { instrument: ctl.instrument } : {}),
      });
      sessions.set(key, s);
    }
    return s;
  };
  const closeAll = async (keep?: string) => {
    for (const [k, s] of sessions) {
      if (k === keep) continue;
      sessions.delete(k);
      await run.closeSession(s);
    }
  };

  /** Run up to `cap` rounds of `c` (within `sliceMs`); count failures, stop at the first one if asked. */
  const trial = async (c: Config, cap: number, sliceMs: number, stopAfter: number) => {
    // The slice counts from the session's start: a worker start (slow with the instrumenting loader) is no round.
    const session = await sessionFor(c);
    const end = performance.now() + Math.min(sliceMs, left());
    const calls = Array.from({ length: c.workers }, () => c.iterations);
    let rounds = 0;
    let failed = 0;
    let history: CallHistory | undefined;
    let failing: ControlledFailure | null = null;
    let roundMs = 0;
    trials: while (rounds < cap && performance.now() < end && !run.interrupted && !session.broken) {
      // Quick rounds in batches, as the race plays them (strategies/batch.ts).
      const k = opts.batch ? Math.min(cap - rounds, batchOf(roundMs, run.plan.env.batch, end - performance.now())) : 1;
      const t = performance.now();
      const played = await playRounds(
        run,
        session,
        Array.from({ length: k }, () => {
          const r = round++;
          return {
            strategy: 'race' as const,
            round: r,
            calls,
            overlap: false,
            sampleEvery: 0,
            stopAfterMs: Math.max(1, end - performance.now()),
            history: true,
            ...(ctl ? { controlled: ctl.spec(r), lanes: c.concurrency } : {}),
          };
        }),
      );
      roundMs = (performance.now() - t) / Math.max(1, played.length);
      for (const p of played) {
        if (p.tallies?.interrupted) break trials;
        rounds++;
        total++;
        if (p.failed && matches(p.findings.map((f) => f.kind))) {
          failed++;
          // How the smallest scenario fails: the model's window, else the calls around the failure.
          history ??= p.findings.find((f) => f.history)?.history ?? (p.history ? historyOfFailure(p.round, p.history) : undefined);
          const schedules = p.tallies?.schedules ?? [];
          // Replayable only with every worker's schedule.
          if (ctl && failing === null && schedules.length === c.workers)
            failing = {
              round: p.round,
              schedules: [...schedules].sort((a, b) => a.workerId - b.workerId).map((x) => x.schedule),
              preemptions: schedules.reduce((a, x) => a + x.preemptions, 0),
              hung: (p.tallies?.hangs.length ?? 0) > 0,
              config: c,
            };
          if (failed >= stopAfter) break trials;
        } else if (p.failed || p.hookFailed || !p.complete) break trials; // another failure: no evidence either way
      }
      if (played.length < k) break;
    }
    return { rounds, failed, history, failing };
  };

  const allOps = run.loaded.opNames.filter((_, i) => weightsOf(run.loaded, plan.ops)[i]! > 0);
  let best: Config = sized({ workers: plan.workers, concurrency: plan.concurrency, iterations: plan.iterations, ops: allOps });
  const start = best;
  let bestStats: { rounds: number; failed: number; history?: CallHistory; failing: ControlledFailure | null } = { rounds: 0, failed: 0, failing: null };
  let tried = 0;
  try {
    // Controlled: calls before lanes. Fewer calls need no new session (each costs a worker start with
    // the instrumenting loader), and lanes beyond the calls have nothing to do: only those are tried.
    const dims: [keyof Config, number[]][] = ctl
      ? [
          ['workers', WORKER_STEPS],
          ['iterations', ITERATION_STEPS],
          ['concurrency', LANE_STEPS],
          ['ops', []],
        ]
      : [
          ['workers', WORKER_STEPS],
          ['concurrency', LANE_STEPS],
          ['ops', []],
          ['iterations', ITERATION_STEPS],
        ];
    for (const [dim, steps] of dims) {
      // Operations: drop one at a time, from the best so far, while the failure persists (fewer kinds
      // of calls to read). Numbers: the smallest failing value (the ladder is ascending).
      const candidates: (() => Config | null)[] =
        dim === 'ops'
          ? best.ops.map((o) => () => (best.ops.length > 1 ? { ...best, ops: best.ops.filter((x) => x !== o) } : null))
          : ladder(best[dim], steps)
              // Controlled: one lane cannot interleave with itself (natural rounds would have shown such a bug).
              .filter((v) => !ctl || dim !== 'concurrency' || (v >= 2 && v <= best.iterations))
              .map((v) => () => sized({ ...best, [dim]: v }));
      for (const next of candidates) {
        const c = next();
        if (c === null || left() <= 0 || run.interrupted) break;

        tried++;
        run.progress({ strategy: 'race', phase: 'shrink', done: tried });
        // Leave time for the remaining dimensions: a trial gets at most a third of what is left.
        const r = await trial(c, roundCap, Math.max(150, left() / 3), 1);
        if (r.failed > 0) {
          best = c;
          bestStats = r;
          if (dim !== 'ops') break;
        }
      }
      // Sessions of other worker/lane counts are no longer needed.
      await closeAll(keyOf(best));
    }
    if (run.interrupted) return { minimal: null, failing: null, played: total };
    // Confirm: how often does the minimal configuration fail? A short run (up to 20 failures or 1,000
    // rounds, at least 300 ms), added to the trial that found it.
    // Controlled: half of what is left, the rest goes to the replay of its failing schedule.
    const confirm = await trial(best, 1000, Math.max(300, ctl ? left() / 2 : left()), 20);
    const sum = { rounds: bestStats.rounds + confirm.rounds, failed: bestStats.failed + confirm.failed };
    const failing = bestStats.failing ?? confirm.failing;
    if (sum.failed === 0) return { minimal: null, failing: null, played: total };
    const rate = sum.failed / sum.rounds;
    // Suggest enough rounds that the replay fails with high probability (~10 expected failures); with
    // the scheduler, only one round in `every` of the replay is controlled.
    const rounds = Math.max(sum.rounds, Math.min(100_000, Math.ceil(10 / rate))) * (ctl?.every ?? 1);
    const fewerOps = best.ops.length < allOps.length;
    const smaller = best.workers < start.workers || best.concurrency < start.concurrency || best.iterations < start.iterations || fewerOps;
    const history = bestStats.history ?? confirm.history;
    const minimal: Minimal = {
      workers: best.workers,
      concurrency: best.concurrency,
      iterations: best.iterations,
      failedRounds: sum.failed,
      rounds: sum.rounds,
      ...(fewerOps ? { ops: best.ops } : {}),
      command: replayCommand(plan, {
        strategies: ['race'],
        workers: best.workers,
        concurrency: best.concurrency,
        iterations: best.iterations,
        rounds,
        ...(fewerOps ? { ops: best.ops } : {}),
      }),
      ...(history ? { history } : {}),
      smaller,
      tried,
      ...classifyMinimal(best),
    };
    // The smallest setup's session, open with it: its failing schedule is replayed there next (strategies/controlled.ts).
    const session = failing ? sessions.get(keyOf(best)) : undefined;
    if (session) sessions.delete(keyOf(best));
    return { minimal, failing, played: total, ...(session ? { session } : {}) };
  } finally {
    await closeAll();
  }
}
