// Race detector: many short rounds from fresh state (setup per round), all workers released together
// by a barrier, workers kept alive across rounds. A race window of nanoseconds at the start of a round
// (check-then-act) is hit in a good share of rounds; jcstress and Lincheck's stress mode work the same way.
import { ContentionTracker } from '../checks/contention.js';
import { raceCaveats, SHRINKABLE, summariseRoundFindings } from '../checks/race.js';
import { warningCaveats, type StrategyEvidence } from '../checks/strategy.js';
import type { FindingFacts, FindingKind, RaceReport, SearchMissing, StopReason, WarningFacts } from '../schema/report.js';
import type { RunContext } from '../rounds/context.js';
import { discardRounds, finishRounds, startRounds, type RoundRequest, type StartedRounds } from '../rounds/play.js';
import { shrinkRace, type ControlledTrials } from './shrink.js';
import { RacePace, RaceTally, type RoundKind } from './race-loop.js';
import { roundIndependence, type RoundIndependence } from '../adapter/independence.js';
import { databaseOf } from '../adapter/load.js';
import { playShardRounds, type BatchPlayer, type RoundSlot, type SessionRounds } from './sessions.js';
import type { WorkerSession } from '../pool/session.js';
import { shardRoundCount } from '../plan/shard.js';
import { summaryOf, valueHistogram } from '../maths/distribution.js';
import { modelUnknownWarning } from '../checks/model.js';
import { ControlledRounds, instrumentation, replayFailing } from './controlled.js';
import { RaceConfidence } from './confidence.js';

/**
 * Contention evidence is measured in one round of every OVERLAP_EVERY (round 0 included): its Atomics
 * on shared cache lines pace the workers and would shrink the race windows of every round it ran in.
 */
export const OVERLAP_EVERY = 8;

type RaceBatch = { started: StartedRounds; at: number; kinds: Map<number, RoundKind> };

/**
 * How the race plays a batch of rounds on a session (strategies/sessions.ts): which rounds are
 * controlled and which measure contention, when the strategy stops, and each round's evidence into the
 * tally. The rules it asks are RacePace's and RaceTally's (race-loop.ts).
 */
class RaceRounds implements BatchPlayer<RaceBatch> {
  stopReason: StopReason = 'done';
  private readonly t0 = performance.now();
  private readonly calls: number[];
  private readonly controlledCalls: number[];
  private readonly plannedRounds: number;

  constructor(
    private readonly run: RunContext,
    private readonly tally: RaceTally,
    private readonly pace: RacePace,
    private readonly controlled: ControlledRounds,
    private readonly ahead: boolean,
    /** How rare a race the rounds would have caught (checks/confidence.ts), and --confidence's stop. */
    private readonly confidence: RaceConfidence,
  ) {
    const { plan } = run;
    this.calls = Array.from({ length: plan.workers }, () => plan.iterations);
    this.controlledCalls = Array.from({ length: plan.workers }, () => controlled.calls);
    this.plannedRounds = shardRoundCount(plan.rounds, plan.shard);
  }

  async start(slots: RoundSlot[], session: WorkerSession): Promise<RaceBatch | null> {
    const { run, pace, tally, controlled } = this;
    if (run.interrupted) {
      this.stopReason = 'interrupted';
      return null;
    }
    const started = slots[0]!.started;
    if (!pace.mayStart(started, run.timeLeft(), tally.failedRounds)) {
      this.stopReason = 'budget';
      return null;
    }
    const stopAfterMs = pace.stopAfterMs(started, run.timeLeft());
    // Histories: every round with a model (each is checked); without one, until the first failing
    // round's is kept (it shows how the counters went wrong).
    const history = run.loaded.adapter.model !== undefined || tally.firstFailed === null;
    const at = performance.now();
    const kinds = new Map<number, RoundKind>();
    const reqs = slots.map(({ round, position }): RoundRequest => {
      const c = controlled.roundAt(round);
      // Contention evidence from natural rounds only: a controlled worker runs one lane at a time.
      const kind: RoundKind = { overlap: c === null && position % OVERLAP_EVERY === 0, controlled: c?.controlled ?? null, as: c?.as };
      kinds.set(round, kind);
      return {
        strategy: 'race',
        round,
        calls: c ? this.controlledCalls : this.calls,
        overlap: kind.overlap,
        sampleEvery: 0,
        stopAfterMs,
        history,
        ...(c ?? {}),
      };
    });
    return { started: await startRounds(run, session, reqs), at, kinds };
  }

  answered(b: RaceBatch): Promise<unknown> {
    return b.started.tallies ?? Promise.resolve();
  }

  async finish(b: RaceBatch, slots: RoundSlot[], session: WorkerSession): Promise<boolean> {
    const { run, tally, controlled } = this;
    const played = await finishRounds(run, b.started);
    // What one round costs, hooks included but a cold start (the next batch's size and the budget's check use it).
    this.pace.took(run.elapsedSince(b.at), played.length);
    let stop: StopReason | null = null;
    for (const p of played) {
      const kind = b.kinds.get(p.round)!;
      if (!p.tallies?.interrupted) controlled.take(p, kind.controlled !== null, kind.as ?? p.round);
      stop ??= tally.take(p, kind, performance.now() - this.t0);
      stop ??= this.confidence.take(p, kind, tally.rounds);
    }
    run.progress({ strategy: 'race', phase: 'rounds', done: tally.rounds, total: this.plannedRounds });
    // A worker that died after its last answer is reported by the next round (a crash only): play it.
    if (stop || (session.broken && !session.deathUnreported)) {
      this.stopReason = stop ?? 'workers-lost';
      return false;
    }
    if (played.length < slots.length) {
      // Cut short without a failure of its own: the time limit (or an interrupt) stopped it.
      this.stopReason = run.interrupted ? 'interrupted' : 'budget';
      return false;
    }
    return true;
  }

  discard(b: RaceBatch): Promise<void> {
    return discardRounds(this.run, b.started);
  }

  /** Only rounds with state of their own: it sets the next batch up before this one is torn down. */
  pipelined(): boolean {
    return this.ahead;
  }
}

export async function runRace(run: RunContext): Promise<StrategyEvidence> {
  const { plan, loaded } = run;
  const t0 = performance.now();
  const contention = new ContentionTracker(loaded.opNames);
  const tally = new RaceTally(contention);
  const plannedRounds = shardRoundCount(plan.rounds, plan.shard);
  // Rounds run ahead of each other (batches, pipelining, sessions side by side) only when each round's
  // state is provably its own (adapter/independence.ts): else another round's setup could reset what
  // this one's stats reads.
  const independence = await roundIndependence(loaded.adapter);
  const ahead = independence.independent;
  // Once a round failed, keep time for the smallest-failing-setup search out of the rounds' share.
  const pace = new RacePace({ maxBatch: plan.env.batch, ahead, shrinkReserveMs: Math.min(plan.env.shrinkMs, run.strategyBudgetMs / 4) });
  // Every other round under the workers' schedulers (strategies/controlled.ts), once the calls showed an await to schedule.
  const controlled = new ControlledRounds(plan, () => databaseOf(loaded) !== undefined);
  // This shard's rounds (plan/shard.ts), on one session or several side by side (strategies/sessions.ts),
  // in batches once rounds are quick (strategies/batch.ts).
  const confidence = new RaceConfidence(plan, loaded.opNames, plannedRounds);
  const player = new RaceRounds(run, tally, pace, controlled, ahead, confidence);
  const batchSize = (started: number): number => confidence.batch(pace.size(started, run.timeLeft(), tally.failedRounds, tally.missingEvidence), started);
  const fanOut: SessionRounds = await playShardRounds(run, batchSize, player, { instrument: instrumentation(plan, loaded.file) }, ahead, confidence.cap);
  const broken = fanOut.sessions.some((s) => s.broken);
  const findings = summariseRoundFindings(tally.roundFindings, tally.rounds);
  const scheduler = controlled.enabled ? controlled.report() : undefined;
  const { stopReason } = player;
  const { schedule, minimal, unavailable } = await searchFailure(run, { tally, controlled, findings, stopReason, broken, ahead });
  const { model } = tally;
  const durationMs = performance.now() - t0;
  const caveats = raceCaveats({ rounds: tally.rounds, plannedRounds, stopReason, budgetMs: run.strategyBudgetMs, durationMs, scheduler }, controlled.stall);
  const warnings = raceWarnings(run, { tally, contention, controlled, broken, caveats });
  const info = contention.info('race');
  if (!independence.independent && independence.basis === 'unproven') info.push(oneAtATime(independence));
  const lostHistogram = valueHistogram(tally.lostPerFailed);
  return {
    figures: {
      name: 'race',
      durationMs,
      rounds: tally.rounds,
      plannedRounds,
      stopReason: run.interrupted ? 'interrupted' : stopReason,
      budgetMs: run.strategyBudgetMs,
      failedRounds: tally.failedRounds,
      lostUpdates: tally.lostUpdates,
      counters: tally.counters,
      ...(tally.counters.length ? {} : { countersNote: tally.countersNote }),
      iterations: plan.iterations,
      workers: plan.workers,
      concurrency: plan.concurrency,
      lostPerFailedRound: summaryOf(lostHistogram),
      lostPerFailedRoundHistogram: lostHistogram,
      ...(fanOut.sessions.length > 1 ? { sessions: fanOut.perSession } : {}),
      firstFailedRound: tally.firstFailed,
      firstFailedMs: tally.firstFailedMs,
      outcomes: [...tally.outcomes].map(([outcome, b]) => ({ outcome, ...b })).sort((a, b) => b.rounds - a.rounds),
      contention: contention.result,
      contentionRounds: tally.contentionRounds,
      confidence: confidence.report(tally.failedRounds, tally.rounds, run.interrupted, warnings),
      independence,
      ...(minimal !== undefined ? { minimal } : {}),
      ...(loaded.adapter.model !== undefined ? { model: { ...model, ...(tally.unknownReason ? { unknownReason: tally.unknownReason } : {}) } } : {}),
      ...(scheduler ? { scheduler } : {}),
      ...(schedule !== undefined ? { schedule } : {}),
      ...(unavailable.minimal || unavailable.schedule ? { unavailable } : {}),
      ...caveatCodes(caveats, warnings),
    },
    findings,
    warnings,
    info,
    interrupted: run.interrupted,
    completedCalls: tally.completedCalls,
    completeRounds: tally.completeRounds,
    undecidedRounds: tally.undecidedRounds,
  };
}

/**
 * After the rounds, every failure gets a search: the smallest failing setup (for a race it finds the
 * interleaving's size; for an error, a crash or a hang it answers "does it need concurrency at all?"),
 * played with controlled rounds when only they failed; and a failing controlled round's schedules,
 * shrunk and replayed on that smallest setup when there is one. A hang costs --timeout per trial, so it
 * is searched only when a few trials fit the budget. What is missing says why.
 */
async function searchFailure(
  run: RunContext,
  r: { tally: RaceTally; controlled: ControlledRounds; findings: FindingFacts[]; stopReason: StopReason; broken: boolean; ahead: boolean },
): Promise<{ schedule: RaceReport['schedule']; minimal: RaceReport['minimal']; unavailable: NonNullable<RaceReport['unavailable']> }> {
  const { plan } = run;
  const { controlled, tally } = r;
  // Why a search or replay gave nothing, as what happened (reporters/terminal/race.ts says it).
  const unavailable: NonNullable<RaceReport['unavailable']> = {};
  const out = { schedule: undefined as RaceReport['schedule'], minimal: undefined as RaceReport['minimal'], unavailable };
  if (tally.failedRounds === 0) return out;
  // A --schedule replay's schedule is the user's: none to search.
  const controlledFailed = controlled.failedControlled > 0 && !controlled.replay;
  const missing = (what: 'minimal' | 'schedule', why: SearchMissing): void => {
    out[what] = null;
    unavailable[what] = why;
  };
  const stopped: SearchMissing | null = run.interrupted ? 'interrupted' : r.stopReason === 'failed-hook' ? 'hook-failed' : null;
  if (stopped) {
    missing('minimal', stopped);
    if (controlledFailed) missing('schedule', stopped);
    return out;
  }
  const deadline = performance.now() + Math.min(plan.env.shrinkMs, run.timeLeft());
  const left = (): number => Math.max(0, Math.min(deadline - performance.now(), run.timeLeft()));
  const naturalFailed = !controlled.enabled || controlled.report().failedNaturalRounds > 0;
  const allKinds = new Set<FindingKind>(r.findings.map((f) => f.kind));
  let failing = r.broken ? null : controlled.first;
  let session: WorkerSession | undefined;
  const search = async (budgetMs: number, trials?: ControlledTrials): Promise<void> => {
    const kinds = new Set([...allKinds].filter((k) => SHRINKABLE.has(k) && (k !== 'hang' || plan.timeoutMs * 3 <= budgetMs)));
    if (kinds.size === 0) {
      if (allKinds.has('hang')) missing('minimal', 'hang-needs-time');
      return;
    }
    if (budgetMs <= 0) return missing('minimal', 'no-time');
    const found = await shrinkRace(run, {
      budgetMs,
      failRate: tally.failedRounds / Math.max(1, tally.rounds),
      kinds,
      allKinds,
      firstRound: plan.rounds,
      batch: r.ahead,
      ...(trials ? { controlled: trials } : {}),
    });
    if (found.minimal) out.minimal = found.minimal;
    else missing('minimal', run.interrupted ? 'interrupted' : found.played === 0 ? 'no-time' : 'not-reproduced');
    if (found.failing && !found.failing.hung) {
      failing = found.failing;
      session = found.session;
    } else if (found.session) await run.closeSession(found.session);
  };
  // Only controlled rounds failed: the smallest setup is searched with controlled rounds (most of the
  // time: each setup costs a worker start), and the schedule its failing round followed is the one
  // shrunk and replayed, on the search's open session.
  if (controlledFailed && !naturalFailed) await search(left() * 0.75, controlled.trials(instrumentation(plan, run.loaded.file)));
  if (controlledFailed) {
    const cannot = controlled.unreplayable ?? (failing === null ? 'workers-lost' : null);
    if (cannot !== null && (failing === null || failing === controlled.first)) missing('schedule', cannot);
    else if (failing) {
      // Half the search's time when natural rounds failed too.
      const replayed = await replayFailing(run, controlled, naturalFailed ? left() / 2 : left(), failing, session);
      session = undefined;
      if ('schedule' in replayed) out.schedule = replayed.schedule;
      else missing('schedule', replayed.missing);
    }
  }
  if (session) await run.closeSession(session);
  if (naturalFailed) await search(left());
  return out;
}

/**
 * The race's warnings after its rounds: contention (only from rounds that measured it: a --schedule
 * replay measures none), a --schedule replay that could not follow its schedule (it ran something else:
 * its verdict is not the replayed round's), a pass's caveats, rounds the model could not decide.
 */
function raceWarnings(
  run: RunContext,
  r: { tally: RaceTally; contention: ContentionTracker; controlled: ControlledRounds; broken: boolean; caveats: WarningFacts[] },
): WarningFacts[] {
  const { tally, controlled } = r;
  const warnings = tally.warnings;
  if (tally.contentionRounds > 0 && !r.broken && !run.interrupted) warnings.push(...r.contention.warnings('race', tally.called));
  if (controlled.divergence) warnings.push({ code: 'schedule-diverged', strategy: 'race', divergence: controlled.divergence });
  warnings.push(...r.caveats);
  const { model } = tally;
  if (model.unknownRounds > 0) warnings.push(modelUnknownWarning('race', model.unknownRounds, model.checkedRounds, tally.unknownReason!));
  return warnings;
}

/** The race's caveats as codes: its own, and those of its warnings (checks/strategy.ts `warningCaveats`). */
function caveatCodes(caveats: WarningFacts[], warnings: WarningFacts[]): Pick<RaceReport, 'caveats'> {
  const codes: NonNullable<RaceReport['caveats']> = caveats.flatMap((w) => (w.code === 'few-rounds' || w.code === 'scheduler-stalled' ? [w.code] : []));
  codes.push(...warningCaveats(warnings));
  return codes.length ? { caveats: codes } : {};
}

/** Why rounds were played one at a time (a note: how to let them run ahead when that is safe). */
function oneAtATime(i: Extract<RoundIndependence, { independent: false }>): WarningFacts {
  return {
    code: 'rounds-one-at-a-time',
    strategy: 'race',
    ...(i.hook ? { hook: i.hook } : {}),
    ...(i.at ? { at: i.at } : {}),
    ...(i.reason ? { reason: i.reason } : {}),
  };
}
