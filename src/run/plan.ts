// CLI options (or API options) -> a validated run plan. Defaults live here and nowhere else.
import { availableParallelism } from 'node:os';
import { randomInt } from 'node:crypto';
import type { AdapterArgs } from '../adapter/types.js';

export const STRATEGIES = ['hammer', 'race', 'throughput'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface RunPlan {
  /** The adapter path as the user gave it (shown in reports). */
  adapter: string;
  strategies: StrategyName[];
  workers: number;
  concurrency: number;
  requests: number;
  iterations: number;
  rounds: number;
  /** Seconds per measured throughput point. */
  duration: number;
  seed: number;
  timeoutMs: number;
  strict: boolean;
  args: AdapterArgs;
  /** The terminal report is not on stdout (JSON is): keep adapters' console output off stdout too. */
  quietStdout: boolean;
  /** Worker heap/stack limits (adapter `resourceLimits`, `--max-old-space`); none by default. */
  resourceLimits?: import('node:worker_threads').ResourceLimits;
  /** --min-ops: the throughput strategy fails when calls/s at --workers is below this. */
  minOps?: number;
}

/**
 * Defaults: workers = cores (2..8) so shared-memory races run truly in parallel; 8 lanes per worker so
 * `read -> await -> write` in per-worker state interleaves; the race numbers are tuned in the README.
 */
export const DEFAULTS = {
  workers: Math.min(8, Math.max(2, availableParallelism())),
  concurrency: 8,
  requests: 20_000,
  iterations: 100,
  rounds: 2_000,
  duration: 1,
  timeoutMs: 5_000,
};

export type PlanInput = Partial<Omit<RunPlan, 'adapter' | 'args' | 'strategies'>> & {
  adapter: string;
  strategies?: StrategyName[];
  args?: AdapterArgs;
};

export function makePlan(input: PlanInput): RunPlan {
  return {
    adapter: input.adapter,
    strategies: input.strategies ?? [...STRATEGIES],
    workers: input.workers ?? DEFAULTS.workers,
    concurrency: input.concurrency ?? DEFAULTS.concurrency,
    requests: input.requests ?? DEFAULTS.requests,
    iterations: input.iterations ?? DEFAULTS.iterations,
    rounds: input.rounds ?? DEFAULTS.rounds,
    duration: input.duration ?? DEFAULTS.duration,
    seed: input.seed ?? randomInt(1, 2 ** 31 - 1),
    timeoutMs: input.timeoutMs ?? DEFAULTS.timeoutMs,
    strict: input.strict ?? false,
    args: input.args ?? { _: [] },
    quietStdout: input.quietStdout ?? false,
    resourceLimits: input.resourceLimits,
    minOps: input.minOps,
  };
}

/** Split `total` calls over `parts` as evenly as possible. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
