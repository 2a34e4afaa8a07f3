// Race detector: many short rounds from fresh state (setup per round), all workers released together
// by a barrier, workers kept alive across rounds. A race window of nanoseconds at the start of a round
// (check-then-act) is hit in a good share of rounds; jcstress and Lincheck's stress mode work the same way.
import { ContentionTracker } from '../checks/contention.js';
import { EVIDENCE_FAILED_ROUNDS, outcomeOf, SHRINKABLE, summariseRoundFindings } from '../checks/race.js';
import type { StrategyEvidence } from '../checks/strategy.js';
import { uniqueFacts, type CounterRow, type FindingFacts, type FindingKind, type RaceReport, type StopReason, type WarningFacts } from '../schema/report.js';
import type { RunContext } from '../rounds/context.js';
import { discardRounds, finishRounds, startRounds, type PlayedRound, type RoundRequest, type StartedRounds } from '../rounds/play.js';
import { shrinkRace } from './shrink.js';
import { batchOf } from './batch.js';
import { roundIndependence, type RoundIndependence } from '../adapter/independence.js';
import { playShardRounds, type BatchPlayer, type SessionRounds } from './sessions.js';
import { shardRoundCount } from '../plan/shard.js';
import { summaryOf, valueHistogram } from '../maths/distribution.js';
import { historyOfFailure, modelUnknownWarning } from '../checks/model.js';
import { ControlledRounds, instrumentation, replayFailing } from './controlled.js';

/**
 * Contention evidence is measured in one round of every OVERLAP_EVERY (round 0 included): its Atomics
 * on shared cache lines pace the workers and would shrink the race windows of every round it ran in.
 */
export const OVERLAP_EVERY = 8;

/** Calls of the first round may run this long even when the budget is spent. */
const FIRST_ROUND_MS = 1000;

export async function runRace(run: RunContext): Promise<StrategyEvidence> {
  const { plan, loaded } = run;
  const t0 = performance.now();
  const hasModel = loaded.adapter.model !== undefined;
  const model = { checkedRounds: 0, unknownRounds: 0 };
  let unknownReason: string | undefined;
  const contention = new ContentionTracker(loaded.opNames);
  const called = new Set<string>();
  let warnings: WarningFacts[] = [];
  const outcomes = new Map<string, { rounds: number; failed: boolean }>();
  const lostPerFailed: number[] = [];
  const roundFindings: FindingFacts[] = [];
  const calls = Array.from({ length: plan.workers }, () => plan.iterations);
  const plannedRounds = shardRoundCount(plan.rounds, plan.shard);
  let rounds = 0;
  let completeRounds = 0;
  let completedCalls = 0;
  let contentionRounds = 0;
  let failedRounds = 0;
  let stopReason = 'done' as StopReason;
  const budgetMs = run.strategyBudgetMs;
  // Once a round failed, keep time for the smallest-failing-setup search out of the rounds' share.
  const shrinkReserve = Math.min(plan.env.shrinkMs, budgetMs / 4);
  let lostUpdates = 0;
  let firstFailed: number | null = null;
  let firstFailedMs: number | null = null;
  let counters: CounterRow[] = [];
  let note = '';
  let lastRoundMs = 0;
  // Every other round under the workers' schedulers (strategies/controlled.ts), once the calls showed an await to schedule.
  const controlled = new ControlledRounds(plan);
  /** One played round's evidence into the totals; says why the strategy must end, when it must. */
  const take = (played: PlayedRound, kind: RoundKind): StopReason | null => {
    const r = played.round;
    const t = played.tallies;
    // A round the user cut short is no evidence either way.
    if (!t?.interrupted) {
      rounds++;
      controlled.take(played, kind.controlled !== null, kind.as ?? r);
    }
    if (t) {
      if (kind.overlap && !t.interrupted) {
        contention.add(t);
        contentionRounds++;
      }
      for (const o of t.ops) if (o.started > 0) called.add(o.name);
      if (played.complete) {
        completeRounds++;
        completedCalls += t.ops.reduce((a, o) => a + o.done, 0);
      }
    }
    if (played.warnings.length) warnings = uniqueFacts([...warnings, ...played.warnings]);
    if (played.counters.length) {
      const key = outcomeOf(played.counters);
      const bucket = outcomes.get(key) ?? { rounds: 0, failed: played.failed };
      bucket.rounds++;
      outcomes.set(key, bucket);
    }
    if (played.model !== null) model.checkedRounds++;
    if (played.modelUnknown !== undefined) {
      model.unknownRounds++;
      unknownReason ??= played.modelUnknown;
    }
    if (played.failed) {
      failedRounds++;
      lostUpdates += played.lostUpdates;
      if (played.lostUpdates > 0) lostPerFailed.push(played.lostUpdates);
      // The earliest failing round (sessions side by side finish rounds out of order), with its history.
      if (firstFailed === null || r < firstFailed) {
        firstFailedMs ??= performance.now() - t0;
        firstFailed = r;
        counters = played.counters;
        note = played.countersNote;
        const h = played.history;
        if (h) for (const f of played.findings) f.history ??= historyOfFailure(r, h);
      }
      roundFindings.push(...played.findings);
    } else if (firstFailed === null) {
      counters = played.counters;
      note = played.countersNote;
    }
    if (played.hookFailed) return 'failed-hook';
    if (failedRounds >= EVIDENCE_FAILED_ROUNDS) return 'evidence';
    return null;
  };
  // This shard's rounds (plan/shard.ts), on one session or several side by side (strategies/sessions.ts),
  // in batches once rounds are quick (strategies/batch.ts). The first round runs alone. Rounds run ahead
  // of each other (batches, pipelining, sessions side by side) only when each round's state is provably
  // its own (adapter/independence.ts): else another round's setup could reset what this one's stats reads.
  const reserve = () => (failedRounds > 0 ? shrinkReserve : 0);
  const independence = await roundIndependence(loaded.adapter);
  const ahead = independence.independent;
  const batchSize = (started: number): number => {
    if (started === 0 || !ahead) return 1;
    // Once rounds fail, no more than the evidence still missing: the early stop stays exact.
    const missing = failedRounds > 0 ? EVIDENCE_FAILED_ROUNDS - failedRounds : Infinity;
    return Math.max(1, Math.min(batchOf(lastRoundMs, plan.env.batch, run.timeLeft() - reserve()), missing));
  };
  /** What each round of a batch was: its contention evidence, and controlled or not. */
  type RoundKind = { overlap: boolean; controlled: RoundRequest['controlled'] | null; as?: number };
  const player: BatchPlayer<{ started: StartedRounds; at: number; kinds: Map<number, RoundKind> }> = {
    async start(slots, session) {
      if (run.interrupted) {
        stopReason = 'interrupted';
        return null;
      }
      const started = slots[0]!.started;
      // The first round always runs: a strategy that checked nothing could not have failed. Later ones
      // only while one more round (as long as the last one took, hooks included) fits the share.
      if (started > 0 && run.timeLeft() <= reserve() + lastRoundMs) {
        stopReason = 'budget';
        return null;
      }
      // A round of slow calls stops cleanly at the share's end too (the first round gets at least
      // FIRST_ROUND_MS of calls, so even a late strategy checks something).
      const stopAfterMs = started === 0 ? Math.max(FIRST_ROUND_MS, run.timeLeft()) : run.timeLeft();
      // Histories: every round with a model (each is checked); without one, until the first failing
      // round's is kept (it shows how the counters went wrong).
      const history = hasModel || firstFailed === null;
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
          calls: c ? controlledCalls : calls,
          overlap: kind.overlap,
          sampleEvery: 0,
          stopAfterMs,
          history,
          ...(c ?? {}),
        };
      });
      return { started: await startRounds(run, session, reqs), at, kinds };
    },
    answered: (b) => b.started.tallies ?? Promise.resolve(),
    async finish(b, slots, session) {
      const played = await finishRounds(run, b.started);
      // What one round costs, hooks included (the next batch's size and the budget's check use it).
      lastRoundMs = (performance.now() - b.at) / Math.max(1, played.length);
      let stop: StopReason | null = null;
      for (const p of played) stop ??= take(p, b.kinds.get(p.round)!);
      run.progress({ strategy: 'race', phase: 'rounds', done: rounds, total: plannedRounds });
      // A worker that died after its last answer is reported by the next round (a crash only): play it.
      if (stop || (session.broken && !session.deathUnreported)) {
        stopReason = stop ?? 'workers-lost';
        return false;
      }
      if (played.length < slots.length) {
        // Cut short without a failure of its own: the time limit (or an interrupt) stopped it.
        stopReason = run.interrupted ? 'interrupted' : 'budget';
        return false;
      }
      return true;
    },
    discard: (b) => discardRounds(run, b.started),
    // Only rounds with state of their own: it sets the next batch up before this one is torn down.
    pipelined: () => ahead,
  };
  const controlledCalls = Array.from({ length: plan.workers }, () => controlled.calls);
  const fanOut: SessionRounds = await playShardRounds(run, batchSize, player, { instrument: instrumentation(plan, loaded.file) }, ahead);
  const broken = fanOut.sessions.some((s) => s.broken);
  const findings = summariseRoundFindings(roundFindings, rounds);
  // Every failure gets the search: for a race it finds the interleaving's size; for an error, a crash or
  // a hang it answers "does it need concurrency at all?". A hang costs --timeout per trial, so it is
  // searched only when a few trials fit the budget.
  let searchMs = Math.min(plan.env.shrinkMs, run.timeLeft());
  // A failing controlled round: its schedules shrunk and replayed (half the search's time when natural rounds failed too).
  const scheduler = controlled.enabled ? controlled.report() : undefined;
  let schedule: RaceReport['schedule'];
  if (controlled.first && !controlled.first.hung && !controlled.replay && stopReason !== 'failed-hook' && !run.interrupted && !broken) {
    const t = performance.now();
    schedule = await replayFailing(run, controlled, scheduler!.failedNaturalRounds > 0 ? searchMs / 2 : searchMs);
    searchMs = Math.max(0, Math.min(searchMs - (performance.now() - t), run.timeLeft()));
  }
  const allKinds = new Set<FindingKind>(findings.map((f) => f.kind));
  const shrinkKinds = new Set([...allKinds].filter((k) => SHRINKABLE.has(k) && (k !== 'hang' || plan.timeoutMs * 3 <= searchMs)));
  let minimal: RaceReport['minimal'];
  // The search plays natural rounds: worth it only when natural rounds failed.
  const naturalFailed = scheduler === undefined || scheduler.failedNaturalRounds > 0;
  if (shrinkKinds.size > 0 && naturalFailed && stopReason !== 'failed-hook' && !run.interrupted && searchMs > 0) {
    minimal = await shrinkRace(run, {
      budgetMs: searchMs,
      failRate: failedRounds / Math.max(1, rounds),
      kinds: shrinkKinds,
      allKinds,
      firstRound: plan.rounds,
      batch: ahead,
    });
  }
  const lostHistogram = valueHistogram(lostPerFailed);
  // Only rounds that measured it say anything of contention (a --schedule replay measures none).
  if (contentionRounds > 0 && !broken && !run.interrupted) warnings.push(...contention.warnings('race', called));
  // A replay that did not follow its schedule ran something else: its verdict is not the replayed round's.
  if (controlled.divergence) warnings.push({ code: 'schedule-diverged', strategy: 'race', divergence: controlled.divergence });
  if (model.unknownRounds > 0) warnings.push(modelUnknownWarning('race', model.unknownRounds, model.checkedRounds, unknownReason!));
  const info = contention.info('race');
  if (!independence.independent && independence.basis === 'unproven') info.push(oneAtATime(independence));
  return {
    figures: {
      name: 'race',
      durationMs: performance.now() - t0,
      rounds,
      plannedRounds,
      stopReason: run.interrupted ? 'interrupted' : stopReason,
      budgetMs,
      failedRounds,
      lostUpdates,
      counters,
      ...(counters.length ? {} : { countersNote: note }),
      iterations: plan.iterations,
      workers: plan.workers,
      concurrency: plan.concurrency,
      lostPerFailedRound: summaryOf(lostHistogram),
      lostPerFailedRoundHistogram: lostHistogram,
      ...(fanOut.sessions.length > 1 ? { sessions: fanOut.perSession } : {}),
      firstFailedRound: firstFailed,
      firstFailedMs,
      outcomes: [...outcomes].map(([outcome, b]) => ({ outcome, ...b })).sort((a, b) => b.rounds - a.rounds),
      contention: contention.result,
      contentionRounds,
      ...(minimal !== undefined ? { minimal } : {}),
      ...(hasModel ? { model: { ...model, ...(unknownReason ? { unknownReason } : {}) } } : {}),
      independence,
      ...(scheduler ? { scheduler } : {}),
      ...(schedule !== undefined ? { schedule } : {}),
    },
    findings,
    warnings,
    info,
    interrupted: run.interrupted,
    completedCalls,
    completeRounds,
  };
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
