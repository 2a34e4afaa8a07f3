// One run: plan -> strategies (which drive rounds on the pool) -> checks (every status and verdict) ->
// one report object. All of the run's state is in its RunContext, made here per call.
import { loadAdapter } from '../adapter/load.js';
import type { LoadedAdapter } from '../adapter/types.js';
import { aboutConcurrency, findingSubject, judgeRun } from '../checks/run.js';
import { judgeStrategy, type StrategyEvidence, type StrategyOutcome } from '../checks/strategy.js';
import { AdapterError, SessionStartError, errorLine } from '../errors.js';
import { RUN_OPTIONS, type StrategyName } from '../options/table.js';
import type { RunPlan } from '../plan/plan.js';
import { replayCommand } from '../plan/replay.js';
import type { FindingFacts, ProgressEvent, ReportConfig, RunReport, StrategyReport, WarningFacts } from '../schema/report.js';
import { RunContext } from '../rounds/context.js';
import { runHammer } from '../strategies/hammer.js';
import { runRace } from '../strategies/race.js';
import { runThroughput } from '../strategies/throughput.js';
import { TOOL } from '../tool.js';

const RUNNERS: Record<StrategyName, (run: RunContext) => Promise<StrategyEvidence>> = {
  hammer: runHammer,
  race: runRace,
  throughput: runThroughput,
};

export interface RunOptions {
  /** Already loaded adapter (the CLI loads it first to report problems with exit code 2). */
  loaded?: LoadedAdapter;
  /** Aborting it stops the run like Ctrl-C (reason 'SIGTERM' for a SIGTERM): a partial report. */
  signal?: AbortSignal;
  progress?: (p: ProgressEvent) => void;
}

/** The report's `config`: every run option of the table as the plan has it, the args, the environment. */
function configOf(plan: RunPlan): ReportConfig {
  const p = plan as unknown as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const o of RUN_OPTIONS) if (p[o.key] !== undefined) config[o.key] = p[o.key];
  return { ...config, args: plan.args, env: plan.env } as unknown as ReportConfig;
}

export async function runPlan(plan: RunPlan, opts: RunOptions = {}): Promise<RunReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const loaded = opts.loaded ?? (await loadAdapter(plan.adapter));
  const run = new RunContext(plan, loaded, opts.progress, opts.signal);
  const strategies: StrategyReport[] = [];
  const findings: FindingFacts[] = [];
  const warnings: WarningFacts[] = [];
  const info: WarningFacts[] = [];
  if (typeof loaded.adapter.threadSafe !== 'boolean') {
    warnings.push({ code: 'undeclared' });
  }
  try {
    // Once per run, main thread: a server the rounds share (exit 2 when it cannot be had).
    await run.globalSetup();
    for (const [i, name] of plan.strategies.entries()) {
      if (run.interrupted) break;
      run.beginStrategy(name, plan.strategies.slice(i));
      let outcome: StrategyOutcome;
      try {
        outcome = judgeStrategy(await RUNNERS[name](run));
      } catch (e) {
        if (e instanceof AdapterError) throw e;
        // A pool that could not start is a crash of this strategy, not of the tool.
        const cause =
          e instanceof SessionStartError ? { error: e.message } : { error: e instanceof Error ? (e.stack ?? e.message) : errorLine(e), internal: true };
        outcome = crashed(name, performance.now() - t0, cause);
      } finally {
        await run.closeAll();
      }
      const retries = run.retries();
      if (retries) outcome.report.retries = retries;
      strategies.push(outcome.report);
      findings.push(...outcome.findings);
      warnings.push(...outcome.warnings);
      info.push(...outcome.info);
    }
  } finally {
    // Also after a failure or Ctrl-C; a throw on the way out (exit 2) keeps its own message.
    await run.endThreads();
    const teardown = await run.globalTeardown();
    if (teardown) warnings.push(teardown);
    run.dispose();
  }
  const threadSafe = typeof loaded.adapter.threadSafe === 'boolean' ? loaded.adapter.threadSafe : null;
  // The findings that weigh on the threadSafe claim (checks/run.ts aboutConcurrency), filtered once.
  const concurrent = findings.filter(aboutConcurrency);
  const judged = judgeRun({
    strategies,
    findingKinds: concurrent.map((f) => f.kind),
    findingSubjects: concurrent.map(findingSubject),
    warnings,
    strict: plan.strict,
    threadSafe,
    stopSignal: run.stopSignal,
  });
  warnings.push(...judged.warnings);
  return {
    tool: TOOL,
    adapter: plan.adapter,
    seed: plan.seed,
    verdict: judged.verdict,
    status: judged.status,
    headline: judged.headline,
    strictFailure: judged.strictFailure,
    exitCode: judged.exitCode,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    threadSafe,
    config: configOf(plan),
    strategies,
    findings,
    warnings,
    info,
    replay: replayCommand(plan),
    interrupted: run.stopSignal !== null,
  };
}

function crashed(name: StrategyName, durationMs: number, cause: { error: string; internal?: boolean }): StrategyOutcome {
  const base = { durationMs };
  const figures =
    name === 'hammer'
      ? { ...base, name, requests: 0, completed: 0, errors: 0, counters: [], workers: 0, concurrency: 0, opsPerSec: 0, perOperation: [], contention: [] }
      : name === 'race'
        ? {
            ...base,
            name,
            rounds: 0,
            failedRounds: 0,
            lostUpdates: 0,
            counters: [],
            iterations: 0,
            workers: 0,
            concurrency: 0,
            lostPerFailedRound: null,
            firstFailedRound: null,
            outcomes: [],
            contention: [],
          }
        : { ...base, name, points: [], concurrency: 0 };
  return judgeStrategy({
    figures,
    findings: [{ strategy: name, kind: 'crash', ...cause }],
    warnings: [],
    info: [],
    interrupted: false,
    completedCalls: 0,
    completeRounds: 0,
  });
}
