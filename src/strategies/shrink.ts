// After a failure: search for the smallest configuration (fewer workers, then fewer lanes, then fewer
// operations, then fewer calls per worker) that still fails the same way, within a small time budget. A developer
// debugging a race wants the smallest case: "1 worker x 2 lanes x 2 calls" says the bug is an async
// interleaving inside one thread; "2 workers x 1 lane x 1 call" says two threads and one call each; an
// error, crash or hang that still happens with 1 worker x 1 lane is a plain bug, not a race.
import { classifyMinimal } from '../checks/race.js';
import { databaseClient } from '../adapter/load.js';
import { replayCommand } from '../plan/replay.js';
import type { WorkerSession } from '../pool/session.js';
import type { CallHistory, FindingKind, RaceReport } from '../schema/report.js';
import { weightsOf, type RunContext } from '../rounds/context.js';
import { historyOfFailure } from '../checks/model.js';
import { playRounds } from '../rounds/play.js';
import { batchOf } from './batch.js';
import { roundsToReproduce, wilson } from '../maths/confidence.js';

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
}

type Minimal = NonNullable<RaceReport['minimal']>;

interface Config {
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
/** What a trial saw: rounds played, those that failed the same way, and how the first of them failed. */
interface TrialResult {
  rounds: number;
  failed: number;
  history?: CallHistory;
}

/** The search's trials: a session per worker and lane count (kept while the search needs it), rounds until the first matching failure. */
class Trials {
  private readonly sessions = new Map<string, WorkerSession>();
  private round: number;
  private readonly deadline: number;

  constructor(
    private readonly run: RunContext,
    private readonly opts: ShrinkOptions,
  ) {
    this.round = opts.firstRound;
    this.deadline = performance.now() + opts.budgetMs;
  }

  left(): number {
    return this.deadline - performance.now();
  }

  static keyOf(c: Config): string {
    return `${c.workers}x${c.concurrency}:${c.ops.join(',')}`;
  }

  private async sessionFor(c: Config): Promise<WorkerSession> {
    const key = Trials.keyOf(c);
    let s = this.sessions.get(key);
    if (!s || s.broken) {
      if (s) await this.run.closeSession(s);
      s = await this.run.openSession(c.workers, { lanes: c.concurrency, history: true, weights: weightsOf(this.run.loaded, c.ops) });
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Close every session but `keep`'s. */
  async closeAll(keep?: string): Promise<void> {
    for (const [k, s] of this.sessions) {
      if (k === keep) continue;
      this.sessions.delete(k);
      await this.run.closeSession(s);
    }
  }

  /** The same failure: one of the kinds being shrunk, and nothing the full run did not report. */
  private matches(kinds: FindingKind[]): boolean {
    return kinds.some((k) => this.opts.kinds.has(k)) && kinds.every((k) => this.opts.allKinds.has(k));
  }

  /** Run up to `cap` rounds of `c` (within `sliceMs`); count failures, stop after `stopAfter` of them. */
  async trial(c: Config, cap: number, sliceMs: number, stopAfter: number): Promise<TrialResult> {
    const { run, opts } = this;
    const end = performance.now() + Math.min(sliceMs, this.left());
    const session = await this.sessionFor(c);
    const calls = Array.from({ length: c.workers }, () => c.iterations);
    let rounds = 0;
    let failed = 0;
    let history: CallHistory | undefined;
    let roundMs = 0;
    trials: while (rounds < cap && performance.now() < end && !run.interrupted && !session.broken) {
      // Quick rounds in batches, as the race plays them (strategies/batch.ts).
      const k = opts.batch ? Math.min(cap - rounds, batchOf(roundMs, run.plan.env.batch, end - performance.now())) : 1;
      const t = performance.now();
      const played = await playRounds(
        run,
        session,
        Array.from({ length: k }, () => ({
          strategy: 'race' as const,
          round: this.round++,
          calls,
          overlap: false,
          sampleEvery: 0,
          stopAfterMs: Math.max(1, end - performance.now()),
          history: true,
        })),
      );
      roundMs = (performance.now() - t) / Math.max(1, played.length);
      for (const p of played) {
        if (p.tallies?.interrupted) break trials;
        rounds++;
        if (p.failed && this.matches(p.findings.map((f) => f.kind))) {
          failed++;
          // How the smallest scenario fails: the model's window, else the calls around the failure.
          history ??= p.findings.find((f) => f.history)?.history ?? (p.history ? historyOfFailure(p.round, p.history) : undefined);
          if (failed >= stopAfter) break trials;
        } else if (p.failed || p.hookFailed || !p.complete) break trials; // another failure: no evidence either way
      }
      if (played.length < k) break;
    }
    return { rounds, failed, ...(history ? { history } : {}) };
  }
}

export async function shrinkRace(run: RunContext, opts: ShrinkOptions): Promise<Minimal | null> {
  const { plan } = run;
  const trials = new Trials(run, opts);
  // Enough rounds to expect ~6 failures at the full run's rate, within bounds.
  const roundCap = Math.max(30, Math.min(3000, Math.ceil(6 / Math.max(opts.failRate, 1e-3))));

  const allOps = run.loaded.opNames.filter((_, i) => weightsOf(run.loaded, plan.ops)[i]! > 0);
  let best: Config = { workers: plan.workers, concurrency: plan.concurrency, iterations: plan.iterations, ops: allOps };
  let bestStats: TrialResult = { rounds: 0, failed: 0 };
  let tried = 0;
  try {
    const dims: [keyof Config, number[]][] = [
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
          : ladder(best[dim], steps).map((v) => () => ({ ...best, [dim]: v }));
      for (const next of candidates) {
        const c = next();
        if (c === null || trials.left() <= 0 || run.interrupted) break;
        tried++;
        run.progress({ strategy: 'race', phase: 'shrink', done: tried });
        // Leave time for the remaining dimensions: a trial gets at most a third of what is left.
        const r = await trials.trial(c, roundCap, Math.max(150, trials.left() / 3), 1);
        if (r.failed > 0) {
          best = c;
          bestStats = r;
          if (dim !== 'ops') break;
        }
      }
      // Sessions of other worker/lane counts are no longer needed.
      await trials.closeAll(Trials.keyOf(best));
    }
    if (run.interrupted) return null;
    // Confirm: how often does the minimal configuration fail? A short run (up to 20 failures or 1,000
    // rounds, at least 300 ms), added to the trial that found it.
    const confirm = await trials.trial(best, 1000, Math.max(300, trials.left()), 20);
    const total = { rounds: bestStats.rounds + confirm.rounds, failed: bestStats.failed + confirm.failed };
    if (total.failed === 0) return null;
    // Enough rounds that the replay fails at least once with 99% even at the lower end of the failure
    // rate's 95% interval (a few failures in few rounds say little about the rate: size for the worst).
    const rounds = Math.max(total.rounds, Math.min(100_000, roundsToReproduce(wilson(total.failed, total.rounds).low, 0.99)));
    const fewerOps = best.ops.length < allOps.length;
    const smaller = best.workers < plan.workers || best.concurrency < plan.concurrency || best.iterations < plan.iterations || fewerOps;
    const history = bestStats.history ?? confirm.history;
    return {
      workers: best.workers,
      concurrency: best.concurrency,
      iterations: best.iterations,
      failedRounds: total.failed,
      rounds: total.rounds,
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
      // The adapter's word, or a client it loaded (the toolkit loads pg and ioredis only once used: so now, not at load).
      ...classifyMinimal(best, run.loaded.database ?? (run.loaded.adapter.database === false ? undefined : databaseClient())),
    };
  } finally {
    await trials.closeAll();
  }
}
