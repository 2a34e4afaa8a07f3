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
import { build, type Histogram } from 'hdr-histogram-js';
import { callHook, checkFirstInit, checkFirstSetup } from '../adapter/hooks.js';
import type { Finding } from '../checks/findings.js';
import { checkRound, callsOf } from '../checks/round.js';
import type { RoundTallies, WorkerSession } from '../pool/session.js';
import type { ThroughputPoint, ThroughputReport } from '../report/types.js';
import { closeSession, openSession, type StrategyContext, type StrategyOutcome } from './context.js';

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
/** Histogram range: 1 ns to 1 hour, 3 significant digits (0.1% value precision). */
const HIGHEST_NS = 3_600_000_000_000;
const NS_PER_MS = 1e6;

function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_NS, numberOfSignificantValueDigits: 3, bitBucketSize: 64 });
}

export interface Latency {
  latencyMs: ThroughputPoint['latencyMs'];
  /** Calls actually timed. */
  samples: number;
}

/**
 * Percentiles from each worker's latency samples (ms): one HDR histogram per worker, every sample
 * counted `stride` times (the calls it stands for), merged into one.
 */
export function latencyOf(workers: { data: Float64Array; stride: number }[]): Latency {
  const merged = histogram();
  let samples = 0;
  for (const w of workers) {
    if (!w.data.length) continue;
    const h = histogram();
    const weight = Math.max(1, w.stride);
    for (const ms of w.data) h.recordValueWithCount(Math.min(HIGHEST_NS, Math.max(1, Math.round(ms * NS_PER_MS))), weight);
    merged.add(h);
    h.destroy();
    samples += w.data.length;
  }
  if (merged.totalCount === 0) return { latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 }, samples: 0 };
  // HDR percentiles are the highest value equivalent to a bucket, which can lie just above the exact max.
  const max = merged.maxValue;
  const at = (q: number) => Math.min(max, merged.getValueAtPercentile(q)) / NS_PER_MS;
  const latencyMs = { p50: at(50), p90: at(90), p99: at(99), max: max / NS_PER_MS };
  merged.destroy();
  return { latencyMs, samples };
}

const PROGRESS_MS = 250;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export async function runThroughput(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { plan, loaded } = ctx;
  const t0 = performance.now();
  const points: ThroughputPoint[] = [];
  const findings: Finding[] = [];
  const T = plan.timeoutMs;
  const all = workerPoints(plan.workers);
  let round = 0;
  let callsSoFar = 0;
  let stopped = false;
  const nowNs = nowCostNs();

  /** One duration-mode round, with a progress report every PROGRESS_MS of the calls made so far. */
  const timedRound = async (session: WorkerSession, workers: number, phase: string, shared: unknown, durationMs: number, sampleEvery: number): Promise<RoundTallies> => {
    const r = round++;
    const report = () =>
      ctx.progress?.({ strategy: 'throughput', phase: `${phase} · ${plural(workers, 'worker')}`, done: points.length, total: all.length, calls: callsSoFar + session.callsStarted(r) });
    report();
    const timer = ctx.progress ? setInterval(report, PROGRESS_MS) : undefined;
    try {
      return await session.runRound({ round: r, seed: plan.seed, shared, calls: { durationMs }, overlap: false, sampleEvery });
    } finally {
      clearInterval(timer);
    }
  };

  for (const workers of all) {
    if (ctx.interrupted() || stopped) break;
    const session = await openSession(ctx, workers);
    let measured: RoundTallies | null = null;
    let warmErrors: Finding[] = [];
    let sampleEvery = WARM_SAMPLE_EVERY;
    try {
      for (const phase of ['warm-up', 'measure'] as const) {
        const setup = await callHook<unknown>(loaded.adapter, 'setup', [{ workers, round, args: plan.args }], T);
        checkFirstSetup(ctx, plan.adapter, setup.ok ? null : setup); // the run's first setup threw: exit 2
        if (!setup.ok) {
          if (!setup.interrupted) findings.push({ strategy: 'throughput', kind: setup.hung ? 'hang' : 'error', hook: 'setup', message: `hook 'setup' ${setup.hung ? '' : 'threw: '}${setup.message}` });
          stopped = true;
          break;
        }
        const durationMs = phase === 'warm-up' ? Math.min(250, plan.duration * 250) : plan.duration * 1000;
        const t = await timedRound(session, workers, phase, setup.value, durationMs, sampleEvery);
        await callHook(loaded.adapter, 'teardown', [setup.value], T);
        checkFirstInit(ctx, plan.adapter, t.hookErrors.find((h) => h.hook === 'init' && !h.message.startsWith('internal:')));
        const bad = checkRound('throughput', { tallies: t, calls: callsOf(t), actual: null, expected: null, invariant: null, uniqueOps: [] }).findings;
        for (const f of bad) f.message = `${plural(workers, 'worker')}, ${phase}: ${f.message}`;
        if (phase === 'warm-up') callsSoFar += t.ops.reduce((a, op) => a + op.started, 0);
        // Hangs, crashes, failed hooks and interrupts end the strategy; errors of calls are counted in the point.
        if (t.interrupted || bad.some((f) => f.kind !== 'error' || f.op === undefined)) {
          findings.push(...bad);
          stopped = true;
          break;
        }
        if (phase === 'warm-up') {
          warmErrors = bad;
          // A call's cost: wall time per call of a worker, or the median sampled latency if lower (a
          // worker descheduled on a busy machine inflates the first; lanes waiting on each other, the second).
          const warmCalls = t.ops.reduce((a, op) => a + op.done + op.errors, 0);
          const wallNs = ((t.endedAt - t.startedAt) * 1e6 * workers) / Math.max(1, warmCalls);
          const p50Ns = latencyOf(t.samples).latencyMs.p50 * NS_PER_MS;
          sampleEvery = sampleEveryFor(p50Ns > 0 ? Math.min(wallNs, p50Ns) : wallNs, nowNs);
        } else {
          measured = t;
          const measuredOps = new Set(bad.map((f) => f.op));
          findings.push(...bad, ...warmErrors.filter((f) => !measuredOps.has(f.op)));
        }
      }
    } finally {
      await closeSession(ctx, session);
    }
    if (!measured) break;
    const calls = measured.ops.reduce((a, op) => a + op.done + op.errors, 0);
    callsSoFar += calls;
    const errors = measured.ops.reduce((a, op) => a + op.errors, 0);
    const opsPerSec = (calls / Math.max(1e-3, measured.endedAt - measured.startedAt)) * 1000;
    const base = points[0]?.opsPerSec ?? opsPerSec;
    const lat = latencyOf(measured.samples);
    points.push({
      workers,
      opsPerSec,
      latencyMs: lat.latencyMs,
      calls,
      errors,
      speedup: base > 0 ? opsPerSec / base : 0,
      efficiency: base > 0 ? opsPerSec / base / workers : 0,
      latencySamples: lat.samples,
      sampleEvery,
    });
    if (findings.length) break; // errors already fail the strategy: no need to measure more points
  }
  // The CI gate: calls/s at --workers (the last point) must reach --min-ops.
  const top = points.at(-1);
  if (plan.minOps !== undefined && !findings.length && !ctx.interrupted()) {
    if (!top || top.workers !== plan.workers) {
      findings.push({ strategy: 'throughput', kind: 'throughput', message: `no measurement at ${plural(plan.workers, 'worker')} to compare with --min-ops ${plan.minOps}` });
    } else if (top.opsPerSec < plan.minOps) {
      findings.push({
        strategy: 'throughput', kind: 'throughput', count: Math.round(top.opsPerSec),
        message: `${Math.round(top.opsPerSec).toLocaleString('en-US')} calls/s at ${plural(top.workers, 'worker')} is below --min-ops ${plan.minOps.toLocaleString('en-US')}`,
      });
    }
  }
  const report: ThroughputReport = {
    name: 'throughput',
    verdict: findings.length ? 'fail' : 'pass',
    durationMs: performance.now() - t0,
    points,
    concurrency: plan.concurrency,
    duration: plan.duration,
    ...(plan.minOps !== undefined ? { minOps: plan.minOps } : {}),
  };
  return { report, findings, warnings: [], info: [] };
}
