// Orchestration: plan -> strategies (which run the pool and the checks) -> one report object.
import { readFileSync } from 'node:fs';
import { interruptPendingHooks } from '../adapter/hooks.js';
import { adapterLimits } from '../adapter/limits.js';
import { loadAdapter } from '../adapter/load.js';
import { AdapterError, SessionStartError } from '../errors.js';
import type { LoadedAdapter } from '../adapter/types.js';
import type { Finding, Warning } from '../checks/findings.js';
import type { WorkerSession } from '../pool/session.js';
import type { Report, StrategyReport } from '../report/types.js';
import type { Progress, StrategyContext, StrategyOutcome } from '../strategies/context.js';
import { runHammer } from '../strategies/hammer.js';
import { runRace } from '../strategies/race.js';
import { runThroughput } from '../strategies/throughput.js';
import type { RunPlan, StrategyName } from './plan.js';
import { replayCommand } from './replay.js';

const RUNNERS: Record<StrategyName, (ctx: StrategyContext) => Promise<StrategyOutcome>> = {
  hammer: runHammer,
  race: runRace,
  throughput: runThroughput,
};

export const TOOL = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
})();

/** Lets a caller (the CLI's signal handler, an API user's AbortSignal) stop a run that is under way. */
export class RunControl {
  private session: WorkerSession | null = null;
  signal: 'SIGINT' | 'SIGTERM' | null = null;

  interrupt(signal: 'SIGINT' | 'SIGTERM' = 'SIGINT'): void {
    this.signal ??= signal;
    this.session?.interrupt();
    interruptPendingHooks(); // a hung main-thread hook must not hold the partial report back
  }

  track(session: WorkerSession | null): void {
    this.session = session;
    if (session && this.signal) session.interrupt();
  }
}

export interface RunOptions {
  control?: RunControl;
  progress?: (p: Progress) => void;
  /** Already loaded adapter (the CLI loads it first to report problems with exit code 2). */
  loaded?: LoadedAdapter;
}

export async function runPlan(plan: RunPlan, opts: RunOptions = {}): Promise<Report> {
  const control = opts.control ?? new RunControl();
  const startedAt = new Date();
  const t0 = performance.now();
  const loaded = opts.loaded ?? (await loadAdapter(plan.adapter));
  // The adapter's own worker limits apply unless the plan has some (the CLI merges --max-old-space).
  if (!plan.resourceLimits) plan = { ...plan, resourceLimits: adapterLimits(loaded, plan.adapter).resourceLimits };
  const ctx: StrategyContext = {
    plan,
    loaded,
    interrupted: () => control.signal !== null,
    track: (s) => control.track(s),
    progress: opts.progress,
  };
  const strategies: StrategyReport[] = [];
  const findings: Finding[] = [];
  const warnings: Warning[] = [];
  const info: Warning[] = [];
  if (typeof loaded.adapter.threadSafe !== 'boolean') {
    warnings.push({ code: 'undeclared', message: `adapter does not declare thread safety: add \`threadSafe: true\` (or false) so the report can check the claim` });
  }
  for (const name of plan.strategies) {
    if (control.signal) break;
    try {
      const out = await RUNNERS[name](ctx);
      if (control.signal) out.report.interrupted = true;
      strategies.push(out.report);
      findings.push(...out.findings);
      warnings.push(...out.warnings);
      info.push(...out.info);
    } catch (e) {
      if (e instanceof AdapterError) throw e;
      // A pool that could not start is a crash of this strategy, not of the tool.
      const message = e instanceof SessionStartError ? e.message : `internal error: ${e instanceof Error ? e.stack : String(e)}`;
      findings.push({ strategy: name, kind: 'crash', message });
      strategies.push(failedStrategy(name, performance.now() - t0));
    }
  }
  const failedNames = strategies.filter((s) => s.verdict === 'fail').map((s) => s.name);
  if (loaded.adapter.threadSafe === true && failedNames.length) {
    warnings.push({ code: 'declared-safe-but-raced', message: `adapter declares threadSafe: true, but ${failedNames.join(', ')} failed: the claim is wrong` });
  }
  const interrupted = control.signal !== null;
  const failed = failedNames.length > 0 || (plan.strict && warnings.length > 0);
  const exitCode = control.signal === 'SIGINT' ? 130 : control.signal === 'SIGTERM' ? 143 : failed ? 1 : 0;
  return {
    tool: TOOL,
    adapter: plan.adapter,
    seed: plan.seed,
    verdict: failed ? 'fail' : 'pass',
    exitCode,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    threadSafe: typeof loaded.adapter.threadSafe === 'boolean' ? loaded.adapter.threadSafe : null,
    config: {
      strategies: plan.strategies,
      workers: plan.workers,
      concurrency: plan.concurrency,
      requests: plan.requests,
      iterations: plan.iterations,
      rounds: plan.rounds,
      duration: plan.duration,
      timeoutMs: plan.timeoutMs,
      strict: plan.strict,
      args: plan.args,
    },
    strategies,
    findings,
    warnings,
    info,
    replay: replayCommand(plan),
    interrupted,
  };
}

function failedStrategy(name: StrategyName, durationMs: number): StrategyReport {
  const base = { verdict: 'fail' as const, durationMs };
  if (name === 'hammer') return { ...base, name, requests: 0, completed: 0, errors: 0, counters: [], workers: 0, concurrency: 0, opsPerSec: 0, perOperation: [], contention: [] };
  if (name === 'race') return { ...base, name, rounds: 0, failedRounds: 0, lostUpdates: 0, counters: [], iterations: 0, workers: 0, concurrency: 0, lostPerFailedRound: null, firstFailedRound: null, outcomes: [], contention: [] };
  return { ...base, name, points: [], concurrency: 0 };
}
