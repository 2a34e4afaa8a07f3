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

// Rules for the settings' values, shared by the CLI's argument parsers and the API's validation so
// both accept exactly the same values. Each returns the problem as one line, or null.

/** Upper bounds of the whole-number settings (lower bound 1). */
export const COUNT_MAX = {
  workers: 256,
  concurrency: 10_000,
  requests: Number.MAX_SAFE_INTEGER,
  iterations: Number.MAX_SAFE_INTEGER,
  rounds: Number.MAX_SAFE_INTEGER,
  timeout: Number.MAX_SAFE_INTEGER,
  'max-old-space': 1_000_000,
} as const;

export const SEED_MAX = 2 ** 32 - 1;

export function countProblem(name: keyof typeof COUNT_MAX, n: number, shown: unknown = n): string | null {
  const max = COUNT_MAX[name];
  return Number.isSafeInteger(n) && n >= 1 && n <= max ? null : `${name} must be a whole number from 1 to ${max}, got '${String(shown)}'`;
}

export function positiveProblem(name: string, n: number, shown: unknown = n): string | null {
  return Number.isFinite(n) && n > 0 ? null : `${name} must be a number above 0, got '${String(shown)}'`;
}

export function seedProblem(n: number, shown: unknown = n): string | null {
  return Number.isSafeInteger(n) && n >= 0 && n <= SEED_MAX ? null : `seed must be a whole number from 0 to ${SEED_MAX}, got '${String(shown)}'`;
}

export function strategiesProblem(names: readonly string[]): string | null {
  if (!names.length) return `give at least one of ${STRATEGIES.join(', ')}`;
  const unknown = names.find((n) => !(STRATEGIES as readonly string[]).includes(n));
  return unknown === undefined ? null : `unknown strategy '${unknown}' (choose from ${STRATEGIES.join(', ')})`;
}
