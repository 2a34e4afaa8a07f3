// Race detector: many short rounds from fresh state (setup per round), all workers released together
// by a barrier, workers kept alive across rounds. A race window of nanoseconds at the start of a round
// (check-then-act) is hit in a good share of rounds; jcstress and Lincheck's stress mode work the same way.
import type { CounterRow } from '../checks/counters.js';
import type { Finding, Warning } from '../checks/findings.js';
import type { RaceReport } from '../report/types.js';
import { ContentionTracker } from './contention.js';
import { closeSession, openSession, type StrategyContext, type StrategyOutcome } from './context.js';
import { playRound } from './round.js';
import { RACE_KINDS, shrinkRace } from './shrink.js';

/**
 * Contention evidence is measured in one round of every OVERLAP_EVERY (round 0 included): its Atomics
 * on shared cache lines pace the workers and would shrink the race windows of every round it ran in.
 */
export const OVERLAP_EVERY = 8;

/** Time budget of the search for the smallest failing configuration (ADAPTER_HAMMER_SHRINK_MS=0: off). */
export const SHRINK_BUDGET_MS = (() => {
  const v = Number(process.env.ADAPTER_HAMMER_SHRINK_MS);
  return Number.isFinite(v) && v >= 0 && process.env.ADAPTER_HAMMER_SHRINK_MS !== '' ? v : 4000;
})();

/** A round's counters as one jcstress-style outcome string, e.g. "count=1999". */
export function outcomeOf(rows: CounterRow[]): string {
  return rows.length ? rows.map((r) => `${r.name}=${r.actual ?? 'missing'}`).join(', ') : '(no counters)';
}

export async function runRace(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { plan, loaded } = ctx;
  const t0 = performance.now();
  const session = await openSession(ctx, plan.workers);
  const contention = new ContentionTracker(loaded.opNames);
  const called = new Set<string>();
  const findings: Finding[] = [];
  const warnings: Warning[] = [];
  const outcomes = new Map<string, { rounds: number; failed: boolean }>();
  const lostPerFailed: number[] = [];
  const calls = Array.from({ length: plan.workers }, () => plan.iterations);
  let rounds = 0;
  let contentionRounds = 0;
  let failedRounds = 0;
  let stoppedEarly = false;
  let lostUpdates = 0;
  let firstFailed: number | null = null;
  let firstFailedMs: number | null = null;
  let counters: CounterRow[] = [];
  /** Findings are summarised per kind: the first occurrence's message, and in how many rounds. */
  const byKind = new Map<string, { finding: Finding; rounds: number; total: number }>();
  try {
    for (let r = 0; r < plan.rounds && !ctx.interrupted(); r++) {
      const overlap = r % OVERLAP_EVERY === 0;
      const played = await playRound(ctx, session, 'race', { round: r, calls, overlap, sampleEvery: 0 });
      rounds++;
      if (played.tallies) {
        if (overlap && !played.tallies.interrupted) {
          contention.add(played.tallies);
          contentionRounds++;
        }
        for (const o of played.tallies.ops) if (o.started > 0) called.add(o.name);
      }
      if (played.tallies?.interrupted) rounds--;
      for (const w of played.warnings) if (!warnings.some((x) => x.message === w.message)) warnings.push(w);
      if (played.counters.length) {
        const key = outcomeOf(played.counters);
        const bucket = outcomes.get(key) ?? { rounds: 0, failed: played.failed };
        bucket.rounds++;
        outcomes.set(key, bucket);
      }
      if (played.failed) {
        failedRounds++;
        lostUpdates += played.lostUpdates;
        if (played.lostUpdates > 0) lostPerFailed.push(played.lostUpdates);
        if (firstFailed === null) {
          firstFailed = r;
          firstFailedMs = performance.now() - t0;
          counters = played.counters;
        }
        for (const f of played.findings) {
          const key = `${f.kind}:${f.op ?? ''}:${f.hook ?? ''}:${f.kind === 'lost-update' || f.kind === 'mismatch' ? f.message.split("'")[1] : ''}:${f.workerId ?? ''}`;
          const entry = byKind.get(key) ?? { finding: f, rounds: 0, total: 0 };
          entry.rounds++;
          entry.total += f.count ?? 0;
          byKind.set(key, entry);
        }
      } else if (firstFailed === null) counters = played.counters;
      ctx.progress?.({ strategy: 'race', phase: 'rounds', done: r + 1, total: plan.rounds });
      if (played.hookFailed || session.broken) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    await closeSession(ctx, session);
  }
  // Shrink only what is a race: counters, invariant, duplicates. An error that every round throws, a
  // hang or a crash is not an interleaving, and a smaller configuration would only repeat it.
  const raceKinds = new Set([...byKind.values()].map((e) => e.finding.kind).filter((k) => RACE_KINDS.has(k)));
  let minimal: RaceReport['minimal'];
  if (raceKinds.size > 0 && !stoppedEarly && !ctx.interrupted() && SHRINK_BUDGET_MS > 0) {
    minimal = await shrinkRace(ctx, { budgetMs: SHRINK_BUDGET_MS, failRate: failedRounds / Math.max(1, rounds), kinds: raceKinds, firstRound: plan.rounds });
  }
  for (const { finding, rounds: n, total } of byKind.values()) {
    const suffix = n > 1 ? ` [in ${n} of ${rounds} rounds${total ? `, ${total} in total` : ''}; first in round ${finding.round}]` : '';
    findings.push({ ...finding, message: finding.message + suffix, count: total || finding.count });
  }
  const sorted = [...lostPerFailed].sort((a, b) => a - b);
  const report: RaceReport = {
    name: 'race',
    verdict: failedRounds > 0 || findings.length > 0 ? 'fail' : 'pass',
    durationMs: performance.now() - t0,
    rounds,
    failedRounds,
    lostUpdates,
    counters,
    iterations: plan.iterations,
    workers: plan.workers,
    concurrency: plan.concurrency,
    lostPerFailedRound: sorted.length ? { min: sorted[0]!, median: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted[sorted.length - 1]! } : null,
    firstFailedRound: firstFailed,
    firstFailedMs,
    outcomes: [...outcomes].map(([outcome, b]) => ({ outcome, ...b })).sort((a, b) => b.rounds - a.rounds),
    contention: contention.result,
    contentionRounds,
    ...(minimal !== undefined ? { minimal } : {}),
  };
  if (rounds > 0 && !session.broken && !ctx.interrupted()) warnings.push(...contention.warnings('race', called));
  return { report, findings, warnings, info: contention.info('race') };
}
