// Throughput: calls/s and latency at 1, 2, 4, ... workers up to --workers, each point measured for
// --duration seconds after a warm-up. A flat curve means the operations serialise (one lock for all).
import { callHook } from '../adapter/hooks.js';
import type { Finding } from '../checks/findings.js';
import { checkRound, callsOf } from '../checks/round.js';
import type { RoundTallies } from '../pool/session.js';
import type { ThroughputPoint, ThroughputReport } from '../report/types.js';
import { closeSession, openSession, type StrategyContext, type StrategyOutcome } from './context.js';

/** 1, 2, 4, ... below max, then max itself. */
export function workerPoints(max: number): number[] {
  const pts: number[] = [];
  for (let w = 1; w < max; w *= 2) pts.push(w);
  pts.push(max);
  return pts;
}

/** Nearest-rank percentiles over the sampled call latencies of every worker. */
export function percentiles(samples: Float64Array[]): ThroughputPoint['latencyMs'] {
  const n = samples.reduce((a, s) => a + s.length, 0);
  if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const all = new Float64Array(n);
  let o = 0;
  for (const s of samples) {
    all.set(s, o);
    o += s.length;
  }
  all.sort();
  const at = (q: number) => all[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: all[n - 1]! };
}

const SAMPLE_EVERY = 64;

export async function runThroughput(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { plan, loaded } = ctx;
  const t0 = performance.now();
  const points: ThroughputPoint[] = [];
  const findings: Finding[] = [];
  const T = plan.timeoutMs;
  let round = 0;
  for (const workers of workerPoints(plan.workers)) {
    if (ctx.interrupted()) break;
    const session = await openSession(ctx, workers);
    let measured: RoundTallies | null = null;
    try {
      for (const phase of ['warm-up', 'measure'] as const) {
        const setup = await callHook<unknown>(loaded.adapter, 'setup', [{ workers, round, args: plan.args }], T);
        if (!setup.ok) {
          findings.push({ strategy: 'throughput', kind: setup.hung ? 'hang' : 'error', hook: 'setup', message: `hook 'setup' ${setup.hung ? '' : 'threw: '}${setup.message}` });
          break;
        }
        ctx.progress?.({ strategy: 'throughput', phase: `${phase} ${workers} worker${workers > 1 ? 's' : ''}`, done: points.length, total: workerPoints(plan.workers).length });
        const durationMs = phase === 'warm-up' ? Math.min(250, plan.duration * 250) : plan.duration * 1000;
        const t = await session.runRound({ round: round++, seed: plan.seed, shared: setup.value, calls: { durationMs }, overlap: false, sampleEvery: SAMPLE_EVERY });
        await callHook(loaded.adapter, 'teardown', [setup.value], T);
        const bad = checkRound('throughput', { tallies: t, calls: callsOf(t), actual: null, expected: null, invariant: null, uniqueOps: [] }).findings;
        if (bad.length || t.interrupted) {
          findings.push(...bad);
          measured = t.interrupted ? null : t;
          break;
        }
        if (phase === 'measure') measured = t;
      }
    } finally {
      await closeSession(ctx, session);
    }
    if (!measured) break;
    const calls = measured.ops.reduce((a, op) => a + op.done + op.errors, 0);
    const errors = measured.ops.reduce((a, op) => a + op.errors, 0);
    const opsPerSec = (calls / Math.max(1e-3, measured.endedAt - measured.startedAt)) * 1000;
    const base = points[0]?.opsPerSec ?? opsPerSec;
    points.push({
      workers,
      opsPerSec,
      latencyMs: percentiles(measured.samples.map((s) => s.data)),
      calls,
      errors,
      speedup: opsPerSec / base,
      efficiency: opsPerSec / base / workers,
    });
    if (findings.length) break;
  }
  const report: ThroughputReport = {
    name: 'throughput',
    verdict: findings.length ? 'fail' : 'pass',
    durationMs: performance.now() - t0,
    points,
    concurrency: plan.concurrency,
  };
  return { report, findings, warnings: [], info: [] };
}
