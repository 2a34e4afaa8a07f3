// Throughput: calls/s and latency at 1, 2, 4, ... workers up to --workers, each point measured for
// --duration seconds after a short warm-up. A flat curve means the operations serialise (one lock for all).
//
// Latency is sampled, not timed on every call: performance.now() costs 30-200 ns (more on a loaded VM),
// more than a no-op call, so a pair around every call would halve the figure it measures. The worker
// times one call in `sampleEvery` (a power of two) and keeps a bounded array of samples; when it is
// full it keeps every other sample and samples half as often (src/pool/worker.ts, sample()), so the
// samples stay spread evenly over the whole point. `sampleEvery` is chosen per point from the warm-up:
// the cost of a performance.now() pair (measured here) is kept under SAMPLE_BUDGET of a call's mean
// time, so a no-op is timed about 1 call in 512, and a call of 40 us or more every time.
// The main thread records each worker's samples into an HDR histogram, each sample weighted by the
// number of calls it stands for, and merges the per-worker histograms.
import { summariseRoundFindings } from '../checks/race.js';
import type { StrategyEvidence } from '../checks/strategy.js';
import { minOpsOf, scalingOf } from '../checks/throughput.js';
import type { RoundTallies, WorkerSession } from '../pool/session.js';
import type { FindingFacts, ThroughputPoint } from '../schema/report.js';
import type { RunContext } from '../rounds/context.js';
import { playRound, type PlayedRound } from '../rounds/play.js';
import { plural } from '../schema/words.js';
import { encodeLatency, HIGHEST_NS, latencyHistogram, NS_PER_MS, percentilesOf } from '../maths/distribution.js';

/** 1, 2, 4, ... below max, then max itself. */
export function workerPoints(max: number): number[] {
  const pts: number[] = [];
  for (let w = 1; w < max; w *= 2) pts.push(w);
  pts.push(max);
  return pts;
}

/** Sampling stride of the warm-up rounds. */
const WARM_SAMPLE_EVERY = 64;
/** Timing overhead allowed, as a fraction of a call's mean time. */
const SAMPLE_BUDGET = 0.01;
const MAX_SAMPLE_EVERY = 4096;

/** ns per performance.now() call on this machine (median of a few short loops). */
export function nowCostNs(): number {
  const runs: number[] = [];
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < 2000; i++) sink += performance.now();
    runs.push(((performance.now() - t) * 1e6) / 2000);
  }
  if (sink === -1) runs.push(0); // keep the loop from being optimised away
  return runs.sort((a, b) => a - b)[2]!;
}

/**
 * Smallest power of two such that timing one call in it (a performance.now() pair) costs at most
 * SAMPLE_BUDGET of the calls' time: `meanCallNs` is a worker's wall time per call (1 / its calls/s).
 */
export function sampleEveryFor(meanCallNs: number, nowNs: number): number {
  if (!(meanCallNs > 0) || !(nowNs > 0)) return WARM_SAMPLE_EVERY;
  const want = (2 * nowNs) / (SAMPLE_BUDGET * meanCallNs);
  return Math.min(MAX_SAMPLE_EVERY, 2 ** Math.max(0, Math.ceil(Math.log2(Math.max(1, want)))));
}
export interface Latency {
  latencyMs: ThroughputPoint['latencyMs'];
  /** Calls actually timed. */
  samples: number;
  /** The merged histogram, encoded (report/distribution.ts), so that reports of one machine merge exactly. */
  histogram: string;
}

/**
 * Percentiles from each worker's latency samples (ms): one HDR histogram per worker, every sample
 * counted `stride` times (the calls it stands for), merged into one.
 */
export function latencyOf(workers: { data: Float64Array; stride: number }[]): Latency {
  const merged = latencyHistogram();
  let samples = 0;
  for (const w of workers) {
    if (!w.data.length) continue;
    const h = latencyHistogram();
    const weight = Math.max(1, w.stride);
    for (const ms of w.data) h.recordValueWithCount(Math.min(HIGHEST_NS, Math.max(1, Math.round(ms * NS_PER_MS))), weight);
    merged.add(h);
    h.destroy();
    samples += w.data.length;
  }
  const out = { latencyMs: percentilesOf(merged), samples, histogram: encodeLatency(merged) };
  merged.destroy();
  return out;
}

const PROGRESS_MS = 250;
/** A point's fixed cost besides its measured time: opening its workers, hooks. */
const POINT_OVERHEAD_S = 0.15;
const MIN_DURATION_S = 0.05;

/** Each point's warm-up: a quarter of its measured time, at most 250 ms. */
const warmUpSeconds = (duration: number): number => Math.min(0.25, duration / 4);

/**
 * Seconds to measure each point so that every point (warm-up, measure, overhead) fits the strategy's
 * share of the budget: --duration when it fits, else less (never below MIN_DURATION_S).
 */
export function durationWithin(duration: number, points: number, budgetMs: number): number {
  const perPoint = budgetMs / 1000 / Math.max(1, points);
  const cost = (d: number): number => d + warmUpSeconds(d) + POINT_OVERHEAD_S;
  if (cost(duration) <= perPoint) return duration;
  return Math.max(MIN_DURATION_S, Math.min(duration, (perPoint - POINT_OVERHEAD_S) / 1.25));
}

/** A measured round as a point: calls/s (of calls that returned: calls that threw are an error rate, never speed), latency, scaling against the first point. */
function pointOf(t: RoundTallies, workers: number, firstOpsPerSec: number | undefined, sampleEvery: number): ThroughputPoint {
  const done = t.ops.reduce((a, op) => a + op.done, 0);
  const errors = t.ops.reduce((a, op) => a + op.errors, 0);
  const opsPerSec = (done / Math.max(1e-3, t.endedAt - t.startedAt)) * 1000;
  const base = firstOpsPerSec ?? opsPerSec;
  const lat = latencyOf(t.samples);
  return {
    workers,
    opsPerSec,
    latencyMs: lat.latencyMs,
    calls: done + errors,
    errors,
    errorRate: done + errors > 0 ? errors / (done + errors) : 0,
    speedup: base > 0 ? opsPerSec / base : 0,
    efficiency: base > 0 ? opsPerSec / base / workers : 0,
    latencySamples: lat.samples,
    latencyHistogram: lat.histogram,
    sampleEvery,
  };
}

/** Plays a point's rounds (warm-up, then measure) through the common round path, with progress every PROGRESS_MS. */
class PointMeter {
  /** Rounds played so far (each point's two) and the calls they made. */
  round = 0;
  private callsSoFar = 0;

  constructor(
    private readonly run: RunContext,
    private readonly all: number[],
    private readonly points: ThroughputPoint[],
    private readonly found: FindingFacts[],
    private readonly duration: number,
    private readonly nowNs: number,
  ) {}

  private async timedRound(session: WorkerSession, workers: number, phase: string, durationMs: number, sampleEvery: number): Promise<PlayedRound> {
    const r = this.round++;
    const report = (): void =>
      this.run.progress({
        strategy: 'throughput',
        phase: `${phase} · ${plural(workers, 'worker')}`,
        done: this.points.length,
        total: this.all.length,
        calls: this.callsSoFar + session.callsStarted(r),
      });
    report();
    const timer = setInterval(report, PROGRESS_MS);
    try {
      return await playRound(this.run, session, { strategy: 'throughput', round: r, calls: { durationMs }, overlap: false, sampleEvery });
    } finally {
      clearInterval(timer);
    }
  }

  /** A point's warm-up (it sets how often latency is sampled), then its measured round; `stopped`: the strategy ends here. */
  async measure(session: WorkerSession, workers: number): Promise<{ measured: PlayedRound | null; sampleEvery: number; stopped: boolean }> {
    let sampleEvery = WARM_SAMPLE_EVERY;
    for (const phase of ['warm-up', 'measure'] as const) {
      const durationMs = (phase === 'warm-up' ? warmUpSeconds(this.duration) : this.duration) * 1000;
      const played = await this.timedRound(session, workers, phase, durationMs, sampleEvery);
      for (const f of played.findings) this.found.push({ ...f, point: { workers, phase } });
      const t = played.tallies;
      // Hangs, crashes, failed hooks and interrupts end the strategy; what calls did is in the findings.
      if (!t || !played.complete || played.hookFailed) return { measured: null, sampleEvery, stopped: true };
      const calls = t.ops.reduce((a, op) => a + op.done + op.errors, 0);
      this.callsSoFar += calls;
      if (phase === 'measure') return { measured: played, sampleEvery, stopped: false };
      // A call's cost: wall time per call of a worker, or the median sampled latency if lower (a
      // worker descheduled on a busy machine inflates the first; lanes waiting on each other, the second).
      const wallNs = ((t.endedAt - t.startedAt) * 1e6 * workers) / Math.max(1, calls);
      const p50Ns = latencyOf(t.samples).latencyMs.p50 * NS_PER_MS;
      sampleEvery = sampleEveryFor(p50Ns > 0 ? Math.min(wallNs, p50Ns) : wallNs, this.nowNs);
    }
    return { measured: null, sampleEvery, stopped: true };
  }
}

export async function runThroughput(run: RunContext): Promise<StrategyEvidence> {
  const { plan } = run;
  const t0 = performance.now();
  const points: ThroughputPoint[] = [];
  const found: FindingFacts[] = [];
  const all = workerPoints(plan.workers);
  let completedCalls = 0;
  let stopped = false;
  let cutByBudget = false;
  let lastPointMs = 0;
  const nowNs = nowCostNs();
  const budgetMs = run.strategyBudgetMs;
  const duration = durationWithin(plan.duration, all.length, budgetMs);

  const meter = new PointMeter(run, all, points, found, duration, nowNs);

  for (const workers of all) {
    if (run.interrupted || stopped) break;
    // The first point always runs: a strategy that measured nothing could not have failed.
    // Later points only while one more (as long as the last one took, hooks included) fits the share.
    if (points.length > 0 && run.timeLeft() < lastPointMs) {
      cutByBudget = true;
      break;
    }
    const pointStart = performance.now();
    const session = await run.openSession(workers);
    let m: Awaited<ReturnType<PointMeter['measure']>>;
    try {
      m = await meter.measure(session, workers);
    } finally {
      await run.closeSession(session);
    }
    const { measured, sampleEvery } = m;
    if (m.stopped) stopped = true;
    const t = measured?.tallies;
    if (!t) break;
    const point = pointOf(t, workers, points[0]?.opsPerSec, sampleEvery);
    completedCalls += point.calls - point.errors;
    lastPointMs = performance.now() - pointStart;
    points.push(point);
    if (found.length) break; // the strategy fails already: no need to measure more points
  }
  const findings = summariseRoundFindings(found, meter.round);
  const gate = findings.length || run.interrupted ? {} : minOpsOf(plan.minOps, plan.workers, points);
  if (gate.finding) findings.push(gate.finding);
  const scaling = scalingOf(points, plan.env.cores);
  return {
    figures: {
      name: 'throughput',
      durationMs: performance.now() - t0,
      points,
      concurrency: plan.concurrency,
      duration,
      plannedDuration: plan.duration,
      budgetMs,
      ...(cutByBudget ? { stopReason: 'budget' as const } : {}),
      ...(plan.minOps !== undefined ? { minOps: plan.minOps } : {}),
      ...(gate.result ? { minOpsResult: gate.result } : {}),
      ...(scaling ? { scaling } : {}),
    },
    findings,
    warnings: [],
    info: [],
    interrupted: run.interrupted,
    completedCalls,
    completeRounds: points.length,
  };
}
