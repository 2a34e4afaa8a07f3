// Hammer: --requests calls split over --workers x --concurrency lanes, all released by one barrier,
// then every check once. The seeds' "concurrent hammer test", minus its blind spots: a barrier so
// threads really overlap, async lanes so read-await-write races in per-worker state interleave.
import { ContentionTracker } from '../checks/contention.js';
import { hammerConfidence } from '../checks/confidence.js';
import { warningCaveats, type StrategyEvidence } from '../checks/strategy.js';
import { split } from '../plan/plan.js';
import { modelUnknownWarning } from '../checks/model.js';
import type { RunContext } from '../rounds/context.js';
import { playRound, type PlayedRound } from '../rounds/play.js';

/** The hammer's calls may run this long even when its share of the budget is spent (as the race's first round). */
const FIRST_CALLS_MS = 1000;

export async function runHammer(run: RunContext): Promise<StrategyEvidence> {
  const { plan, loaded } = run;
  const t0 = performance.now();
  const hasModel = loaded.adapter.model !== undefined;
  const session = await run.openSession(plan.workers, { history: hasModel });
  let played: PlayedRound;
  try {
    run.progress({ strategy: 'hammer', phase: 'calls', done: 0, total: plan.requests });
    // --requests is an upper bound: the calls stop cleanly when the strategy's share of --time is used,
    // but run at least FIRST_CALLS_MS (opening the session, and an `init` that opens connections, may
    // have used the share up): a strategy that checked nothing could not have failed.
    const calls = split(plan.requests, plan.workers);
    played = await playRound(run, session, {
      strategy: 'hammer',
      round: 0,
      calls,
      overlap: true,
      sampleEvery: 0,
      stopAfterMs: Math.max(FIRST_CALLS_MS, run.timeLeft()),
      history: hasModel,
    });
  } finally {
    await run.closeSession(session);
  }
  const t = played.tallies;
  const contention = new ContentionTracker(loaded.opNames);
  if (t) contention.add(t);
  const completed = t ? t.ops.reduce((a, o) => a + o.done, 0) : 0;
  const errors = t ? t.ops.reduce((a, o) => a + o.errors, 0) : 0;
  const elapsed = t ? Math.max(1e-3, t.endedAt - t.startedAt) : 0;
  const called = new Set(t ? t.ops.filter((o) => o.started > 0).map((o) => o.name) : []);
  const started = t ? t.ops.reduce((a, o) => a + o.started, 0) : 0;
  const uncontended = played.complete ? contention.warnings('hammer', called) : [];
  const warnings = [...played.warnings, ...uncontended, ...(played.modelUnknown ? [modelUnknownWarning('hammer', 1, 1, played.modelUnknown)] : [])];
  const caveats = warningCaveats(warnings);
  return {
    figures: {
      name: 'hammer',
      durationMs: performance.now() - t0,
      requests: plan.requests,
      ...(played.complete && started < plan.requests ? { stopReason: 'budget' as const } : {}),
      budgetMs: run.strategyBudgetMs,
      completed,
      errors,
      counters: played.counters,
      ...(played.counters.length ? {} : { countersNote: played.countersNote }),
      workers: plan.workers,
      concurrency: plan.concurrency,
      // Speed counts calls that returned; calls that threw are counted in `errors`.
      opsPerSec: t ? (completed / elapsed) * 1000 : 0,
      perOperation: t ? t.ops.map((o) => ({ name: o.name, calls: o.done, errors: o.errors })) : [],
      contention: contention.result,
      // A pass in which an operation never overlapped another call, or a counter went unchecked, is never a plain PASS.
      ...(caveats.length ? { caveats } : {}),
      confidence: hammerConfidence(loaded.opNames, played, { workers: plan.workers, lanes: plan.concurrency, machines: [plan.env.hostname ?? 'this machine'] }),
      ...(hasModel
        ? {
            model: {
              checkedRounds: played.model === null ? 0 : 1,
              unknownRounds: played.modelUnknown ? 1 : 0,
              ...(played.modelUnknown ? { unknownReason: played.modelUnknown } : {}),
            },
          }
        : {}),
    },
    findings: played.findings,
    warnings,
    info: contention.info('hammer'),
    interrupted: run.interrupted,
    completedCalls: completed,
    completeRounds: played.complete ? 1 : 0,
    undecidedRounds: played.complete && played.undecided ? 1 : 0,
  };
}
