// Hammer: --requests calls split over --workers x --concurrency lanes, all released by one barrier,
// then every check once. The seeds' "concurrent hammer test", minus its blind spots: a barrier so
// threads really overlap, async lanes so read-await-write races in per-worker state interleave.
import { split } from '../run/plan.js';
import type { HammerReport } from '../report/types.js';
import { ContentionTracker } from './contention.js';
import { closeSession, openSession, type StrategyContext, type StrategyOutcome } from './context.js';
import { playRound } from './round.js';

export async function runHammer(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { plan, loaded } = ctx;
  const t0 = performance.now();
  const session = await openSession(ctx, plan.workers);
  let played;
  try {
    ctx.progress?.({ strategy: 'hammer', phase: 'calls', done: 0, total: plan.requests });
    played = await playRound(ctx, session, 'hammer', { round: 0, calls: split(plan.requests, plan.workers), overlap: true, sampleEvery: 0 });
  } finally {
    await closeSession(ctx, session);
  }
  const t = played.tallies;
  const contention = new ContentionTracker(loaded.opNames);
  if (t) contention.add(t);
  const completed = t ? t.ops.reduce((a, o) => a + o.done, 0) : 0;
  const errors = t ? t.ops.reduce((a, o) => a + o.errors, 0) : 0;
  const elapsed = t ? Math.max(1e-3, t.endedAt - t.startedAt) : 0;
  const called = new Set(t ? t.ops.filter((o) => o.started > 0).map((o) => o.name) : []);
  const report: HammerReport = {
    name: 'hammer',
    verdict: played.failed ? 'fail' : 'pass',
    durationMs: performance.now() - t0,
    requests: plan.requests,
    completed,
    errors,
    counters: played.counters,
    workers: plan.workers,
    concurrency: plan.concurrency,
    opsPerSec: t ? ((completed + errors) / elapsed) * 1000 : 0,
    perOperation: t ? t.ops.map((o) => ({ name: o.name, calls: o.done, errors: o.errors })) : [],
    contention: contention.result,
  };
  const complete = t !== null && !t.interrupted && !t.hangs.length && !t.crashes.length;
  return {
    report,
    findings: played.findings,
    warnings: [...played.warnings, ...(complete ? contention.warnings('hammer', called) : [])],
    info: contention.info('hammer'),
  };
}
