// Options -> a validated run plan. Defaults come from the option table; the adapter's own defaults
// (`timeout`, `resourceLimits`) apply under what the caller gave; the environment is read here, once,
// and recorded in the plan (and so in the report's config), never inside a run.
import { availableParallelism, hostname } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import type { AdapterArgs, LoadedAdapter } from '../adapter/types.js';
import { OptionError } from '../errors.js';
import { RUN_OPTIONS, type PlanEnvironment, type RunInput, type RunSettings } from '../options/table.js';
import { combinationProblem, confidenceOf, durationMs, shardOf, valueProblem } from '../options/validate.js';
import { checkScheduleValue } from './schedule.js';

export interface RunPlan extends RunSettings {
  /** The adapter path as the user gave it (shown in reports). */
  adapter: string;
  args: AdapterArgs;
  /** The terminal report is not on stdout (JSON is): keep adapters' console output off stdout too. */
  quietStdout: boolean;
  /** Worker heap/stack limits: the adapter's `resourceLimits` with --max-old-space on top. */
  resourceLimits?: ResourceLimits;
  env: PlanEnvironment;
}

export type PlanInput = { adapter: string; args?: AdapterArgs; quietStdout?: boolean } & RunInput;

/** Most race rounds per exchange with the workers by default (docs/explanation/why-the-defaults.md). */
const DEFAULT_BATCH = 32;

/** Counts for an adapter with a model, where neither the caller nor the adapter gave them (docs/explanation/why-the-defaults.md, "Calls per round"). */
export const MODEL_DEFAULTS = { iterations: 20, requests: 2_000 } as const;

/** Read the environment once per plan. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): PlanEnvironment {
  const int = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : null);
  const cores = int(env.ADAPTER_HAMMER_CORES);
  const shrink = int(env.ADAPTER_HAMMER_SHRINK_MS);
  const batch = int(env.ADAPTER_HAMMER_BATCH);
  return {
    cores: cores !== null && cores >= 1 ? cores : availableParallelism(),
    pinCpus: env.ADAPTER_HAMMER_AFFINITY !== '0',
    shrinkMs: shrink ?? 4000,
    batch: batch !== null && batch >= 1 ? batch : DEFAULT_BATCH,
    hostname: hostname(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

/**
 * Every field checked against the option table (the same rules as the command line's and hammer()'s):
 * a bad value is an OptionError (a TypeError), never a run that "passes" with zero calls.
 */
export function makePlan(input: PlanInput, loaded?: LoadedAdapter, env: PlanEnvironment = readEnvironment()): RunPlan {
  if (typeof input?.adapter !== 'string' || !input.adapter) throw new OptionError('adapter must be a path');
  const given = input as unknown as Record<string, unknown>;
  const fromAdapter = (loaded?.adapter ?? {}) as Record<string, unknown>;
  const plan: Record<string, unknown> = {
    adapter: input.adapter,
    args: input.args ?? { _: [] },
    quietStdout: input.quietStdout ?? false,
    env,
  };
  for (const o of RUN_OPTIONS) {
    let v = given[o.key];
    if (v !== undefined) {
      const problem = valueProblem(o, v);
      if (problem) throw new OptionError(problem);
    }
    // The adapter's own default was checked when it was loaded (adapter/load.ts).
    if (v === undefined && o.adapter) v = fromAdapter[o.name];
    if (v === undefined) v = o.default?.(env);
    if (v === undefined) continue;
    plan[o.key] =
      o.kind === 'strategies' || o.kind === 'names'
        ? [...new Set(v as string[])]
        : o.kind === 'duration'
          ? durationMs(v)
          : o.kind === 'shard'
            ? shardOf(v)
            : o.kind === 'confidence'
              ? confidenceOf(v)
              : v;
  }
  if (loaded && plan.ops) {
    const ops = plan.ops as string[];
    const unknown = ops.find((n) => !loaded.opNames.includes(n));
    if (unknown !== undefined) throw new OptionError(`--ops names '${unknown}', which is not an operation (operations: ${loaded.opNames.join(', ')})`);
    if (ops.every((n) => loaded.adapter.weights?.[n] === 0)) throw new OptionError(`--ops: every operation it names has weight 0, so none would run`);
  }
  // The seed the caller gave: the plan always has one (a random default), but a shard or a replay needs the same seed as its run.
  const combination = combinationProblem({ shard: plan.shard, schedule: plan.schedule, seed: given.seed, scheduler: plan.scheduler });
  if (combination) throw new OptionError(combination);
  if (plan.schedule !== undefined && !(plan.strategies as string[]).includes('race'))
    throw new OptionError('--schedule replays race rounds: it needs the race strategy (-s race, as the replay command gives it)');
  if (plan.schedule !== undefined) checkScheduleValue(plan.schedule as string, plan.workers as number, plan.concurrency as number);
  // With a model, every round's history is checked: keep histories small enough to be decided (Lincheck
  // keeps its scenarios to a few calls per thread), unless the caller or the adapter set the counts.
  if (loaded?.adapter.model) {
    for (const [key, value] of Object.entries(MODEL_DEFAULTS)) {
      const o = RUN_OPTIONS.find((x) => x.key === key)!;
      if (given[key] === undefined && (!o.adapter || fromAdapter[o.name] === undefined)) plan[key] = value;
    }
  }
  const limits = loaded?.adapter.resourceLimits;
  const maxOld = plan.maxOldSpace as number | undefined;
  if (limits || maxOld !== undefined) plan.resourceLimits = { ...limits, ...(maxOld !== undefined ? { maxOldGenerationSizeMb: maxOld } : {}) };
  return plan as unknown as RunPlan;
}

/** Split `total` calls over `parts` as evenly as possible. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
