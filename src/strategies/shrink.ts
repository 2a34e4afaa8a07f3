// After a failure: search for the smallest configuration (fewer workers, then fewer lanes, then fewer
// operations, then fewer calls per worker) that still fails the same way, within a small time budget. A developer
// debugging a race wants the smallest case: "1 worker x 2 lanes x 2 calls" says the bug is an async
// interleaving inside one thread; "2 workers x 1 lane x 1 call" says two threads and one call each; an
// error, crash or hang that still happens with 1 worker x 1 lane is a plain bug, not a race.
// A failure only controlled rounds show is searched with controlled rounds (each worker's lanes under
// its scheduler): fewer lanes and calls make a smaller interleaving to read, and its failing round is
// the one whose schedule is then shrunk and replayed (strategies/controlled.ts).
import { classifyMinimal } from '../checks/race.js';
import { findingSubject } from '../checks/run.js';
import { databaseOf } from '../adapter/load.js';
import { replayCommand } from '../plan/replay.js';
import type { ControlledSpec, SessionOptions, WorkerSession } from '../pool/session.js';
import type { CallHistory, FindingKind, RaceReport } from '../schema/report.js';
import { weightsOf, type RunContext } from '../rounds/context.js';
import { historyOfFailure } from '../checks/model.js';
import { playRounds, type PlayedRound } from '../rounds/play.js';
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
/** The order of the search. Controlled: calls before lanes (fewer calls need no new session, and lanes beyond the calls have nothing to do). */
const NATURAL_DIMS: readonly [keyof Config, number[]][] = [
  ['workers', WORKER_STEPS],
  ['concurrency', LANE_STEPS],
  ['ops', []],
  ['iterations', ITERATION_STEPS],
];
const CONTROLLED_DIMS: readonly [keyof Config, number[]][] = [
  ['workers', WORKER_STEPS],
  ['iterations', ITERATION_STEPS],
  ['concurrency', LANE_STEPS],
  ['ops', []],
];

/**
 * Greedy search: for workers, then lanes, then iterations, take the smallest value that still fails
 * (the others held at their current best). Each trial runs rounds until the first matching failure,
 * up to a round cap sized by the full run's failure rate and a per-trial time slice. The result is
 * confirmed with a short run that measures how often the minimal configuration fails.
 */
/** What a trial saw: rounds played, those that failed the same way, and how the first of them failed. */
interface TrialResult {
  rounds: number;
  /** Rounds that are evidence either way: failed the same way, or completed without failing. */
  evidence: number;
  failed: number;
  history?: CallHistory;
  /** Controlled: the first failing round with every worker's schedule. */
  failing?: ControlledFailure;
  /** What its failing rounds showed (checks/run.ts, findingSubject). */
  subjects?: Set<string>;
}

/**
 * The search's trials: a session per worker and lane count (kept while the search needs it), rounds
 * until the first matching failure. Controlled trials keep one session per worker count: its rounds run
 * fewer lanes than it has (a worker start with the instrumenting loader is the slow part).
 */
class Trials {
  private readonly sessions = new Map<string, WorkerSession>();
  private round: number;
  private readonly deadline: number;
  /** Rounds played in all: none, and "it did not fail again" would not be the reason. */
  played = 0;
  private readonly ctl: ControlledTrials | undefined;

  constructor(
    private readonly run: RunContext,
    private readonly opts: ShrinkOptions,
  ) {
    this.round = opts.firstRound;
    this.deadline = performance.now() + opts.budgetMs;
    this.ctl = opts.controlled;
  }

  left(): number {
    return this.deadline - performance.now();
  }

  keyOf(c: Config): string {
    return `${c.workers}x${this.ctl ? this.run.plan.concurrency : c.concurrency}:${c.ops.join(',')}`;
  }

  /** Controlled: no more calls per worker than the lanes' share (the controlled round's size). */
  sized(c: Config): Config {
    return this.ctl ? { ...c, iterations: this.ctl.calls(c.concurrency, c.iterations) } : c;
  }

  private async sessionFor(c: Config): Promise<WorkerSession> {
    const key = this.keyOf(c);
    let s = this.sessions.get(key);
    if (!s || s.broken) {
      if (s) await this.run.closeSession(s);
      s = await this.run.openSession(c.workers, {
        lanes: this.ctl ? this.run.plan.concurrency : c.concurrency,
        history: true,
        weights: weightsOf(this.run.loaded, c.ops),
        ...(this.ctl ? { instrument: this.ctl.instrument } : {}),
      });
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Take `c`'s session out of the search, open (the replay of its failing schedule runs there next). */
  take(c: Config): WorkerSession | undefined {
    const s = this.sessions.get(this.keyOf(c));
    this.sessions.delete(this.keyOf(c));
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
    const { run, opts, ctl } = this;
    // The slice counts from the session's start: a worker start (slow with the instrumenting loader) is no round.
    const session = await this.sessionFor(c);
    const end = performance.now() + Math.min(sliceMs, this.left());
    const calls = Array.from({ length: c.workers }, () => c.iterations);
    let rounds = 0;
    let evidence = 0;
    let failed = 0;
    const subjects = new Set<string>();
    let history: CallHistory | undefined;
    let failing: ControlledFailure | undefined;
    let roundMs = 0;
    trials: while (rounds < cap && performance.now() < end && !run.interrupted && !session.broken) {
      // Quick rounds in batches, as the race plays them (strategies/batch.ts).
      const k = opts.batch ? Math.min(cap - rounds, batchOf(roundMs, run.plan.env.batch, end - performance.now())) : 1;
      const t = performance.now();
      const played = await playRounds(
        run,
        session,
        Array.from({ length: k }, () => {
          const round = this.round++;
          return {
            strategy: 'race' as const,
            round,
            calls,
            overlap: false,
            sampleEvery: 0,
            stopAfterMs: Math.max(1, end - performance.now()),
            history: true,
            ...(ctl ? { controlled: ctl.spec(round), lanes: c.concurrency } : {}),
          };
        }),
      );
      roundMs = (performance.now() - t) / Math.max(1, played.length);
      for (const p of played) {
        if (p.tallies?.interrupted) break trials;
        rounds++;
        this.played++;
        if (p.failed && this.matches(p.findings.map((f) => f.kind))) {
          failed++;
          evidence++;
          for (const f of p.findings) subjects.add(findingSubject(f));
          // How the smallest scenario fails: the model's window, else the calls around the failure.
          history ??= p.findings.find((f) => f.history)?.history ?? (p.history ? historyOfFailure(p.round, p.history) : undefined);
          failing ??= ctl ? failingOf(p.round, p.tallies, c) : undefined;
          if (failed >= stopAfter) break trials;
        } else if (p.failed || p.hookFailed || !p.complete)
          break trials; // another failure: no evidence either way
        else evidence++;
      }
      if (played.length < k) break;
    }
    return { rounds, evidence, failed, subjects, ...(history ? { history } : {}), ...(failing ? { failing } : {}) };
  }
}

/** A failing controlled round as its replay needs it; undefined without every worker's schedule. */
function failingOf(round: number, t: PlayedRound['tallies'], c: Config): ControlledFailure | undefined {
  const schedules = t?.schedules ?? [];
  if (schedules.length !== c.workers) return undefined;
  return {
    round,
    schedules: [...schedules].sort((a, b) => a.workerId - b.workerId).map((x) => x.schedule),
    preemptions: schedules.reduce((a, x) => a + x.preemptions, 0),
    hung: (t?.hangs.length ?? 0) > 0,
    config: c,
  };
}

/**
 * A setup as it ran: lanes beyond a worker's calls take none (the lanes share the worker's calls), so
 * 2 lanes × 1 call is 1 lane × 1 call, and is said so: else a bug one call at a time would read as
 * "needs 2 lanes in one worker" (a search may stop at 2 lanes when its 1-lane trial was unlucky).
 */
export function effectiveSetup<C extends { concurrency: number; iterations: number }>(c: C): C {
  return { ...c, concurrency: Math.max(1, Math.min(c.concurrency, c.iterations)) };
}

/** The report's smallest failing setup: how often it failed, the command that replays it, what it means. */
function minimalOf(
  run: RunContext,
  m: {
    best: Config;
    start: Config;
    allOps: string[];
    total: { rounds: number; failed: number };
    /** The trial that found `best`, and its confirmation run. */
    trials: { best: TrialResult; confirm: TrialResult };
    tried: number;
    every: number;
    untried: ('workers' | 'concurrency')[];
  },
): Minimal {
  const { plan } = run;
  const { start, total } = m;
  const best = effectiveSetup(m.best);
  const history = m.trials.best.history ?? m.trials.confirm.history;
  const reproduces = [...new Set([...(m.trials.best.subjects ?? []), ...(m.trials.confirm.subjects ?? [])])].sort();
  // Enough rounds that the replay fails at least once with 99% even at the lower end of the failure
  // rate's 95% interval (a few failures in few rounds say little about the rate: size for the worst);
  // with the scheduler, only one round in `every` of the replay is controlled.
  const rounds = Math.max(total.rounds, Math.min(100_000, roundsToReproduce(wilson(total.failed, total.rounds).low, 0.99))) * m.every;
  const fewerOps = best.ops.length < m.allOps.length;
  const smaller = best.workers < start.workers || best.concurrency < start.concurrency || best.iterations < start.iterations || fewerOps;
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
    tried: m.tried,
    reproduces,
    ...classifyMinimal(best, databaseOf(run.loaded), m.untried),
  };
}

export async function shrinkRace(
  run: RunContext,
  opts: ShrinkOptions,
): Promise<{ minimal: Minimal | null; failing: ControlledFailure | null; session?: WorkerSession; played: number }> {
  const { plan } = run;
  const trials = new Trials(run, opts);
  const ctl = opts.controlled;
  // Enough rounds to expect ~6 failures at the full run's rate, within bounds.
  const roundCap = Math.max(30, Math.min(3000, Math.ceil(6 / Math.max(opts.failRate, 1e-3))));

  const allOps = run.loaded.opNames.filter((_, i) => weightsOf(run.loaded, plan.ops)[i]! > 0);
  let best: Config = trials.sized({ workers: plan.workers, concurrency: plan.concurrency, iterations: plan.iterations, ops: allOps });
  const start = best;
  let bestStats: TrialResult = { rounds: 0, evidence: 0, failed: 0 };
  let tried = 0;
  // Workers or lanes the search could not try at 1 (no time left, or no round of the trial completed:
  // cut short, a hook failed): the smallest setup's classification would otherwise claim what was
  // never measured.
  const untried = new Set<'workers' | 'concurrency'>();
  try {
    for (const [dim, steps] of ctl ? CONTROLLED_DIMS : NATURAL_DIMS) {
      // Operations: drop one at a time, from the best so far, while the failure persists (fewer kinds
      // of calls to read). Numbers: the smallest failing value (the ladder is ascending).
      const candidates: (() => Config | null)[] =
        dim === 'ops'
          ? best.ops.map((o) => () => (best.ops.length > 1 ? { ...best, ops: best.ops.filter((x) => x !== o) } : null))
          : ladder(best[dim], steps)
              // Controlled: one lane cannot interleave with itself (natural rounds would have shown such a bug).
              .filter((v) => !ctl || dim !== 'concurrency' || (v >= 2 && v <= best.iterations))
              .map((v) => () => trials.sized({ ...best, [dim]: v }));
      for (const next of candidates) {
        const c = next();
        if (c === null) break;
        // Only 1 decides the classification (a race needs more than one; a bug fails with one).
        const one = (dim === 'workers' || dim === 'concurrency') && c[dim] === 1 ? dim : null;
        if (trials.left() <= 0 || run.interrupted) {
          if (one) untried.add(one);
          break;
        }
        tried++;
        run.progress({ strategy: 'race', phase: 'shrink', done: tried });
        // Leave time for the remaining dimensions: a trial gets at most a third of what is left.
        const r = await trials.trial(c, roundCap, Math.max(150, trials.left() / 3), 1);
        if (r.evidence === 0 && one) untried.add(one);
        if (r.failed > 0) {
          best = c;
          bestStats = r;
          if (dim !== 'ops') break;
        }
      }
      // Sessions of other worker/lane counts are no longer needed.
      await trials.closeAll(trials.keyOf(best));
    }
    const none = { minimal: null, failing: null, played: trials.played };
    if (run.interrupted) return none;
    // Confirm: how often does the minimal configuration fail? A short run (up to 20 failures or 1,000
    // rounds, at least 300 ms), added to the trial that found it. Controlled: half of what is left, the
    // rest goes to the replay of its failing schedule.
    const confirm = await trials.trial(best, 1000, Math.max(300, ctl ? trials.left() / 2 : trials.left()), 20);
    const total = { rounds: bestStats.rounds + confirm.rounds, failed: bestStats.failed + confirm.failed };
    if (total.failed === 0) return none;
    const failing = bestStats.failing ?? confirm.failing ?? null;
    const trialsOf = { best: bestStats, confirm };
    const minimal = minimalOf(run, { best, start, allOps, total, trials: trialsOf, tried, every: ctl?.every ?? 1, untried: [...untried] });
    // The smallest setup's session, open with it: its failing schedule is replayed there next (strategies/controlled.ts).
    const session = failing ? trials.take(best) : undefined;
    return { minimal, failing, played: trials.played, ...(session ? { session } : {}) };
  } finally {
    await trials.closeAll();
  }
}
