// What every strategy receives and returns. Strategies run rounds and produce data + findings;
// they never print (progress goes through the optional callback, rendering is the reporters' job).
import type { LoadedAdapter } from '../adapter/types.js';
import type { Finding, Warning } from '../checks/findings.js';
import { WorkerSession, type SessionOptions } from '../pool/session.js';
import type { RunPlan } from '../run/plan.js';
import type { StrategyReport } from '../report/types.js';

export interface Progress {
  strategy: string;
  phase: string;
  done: number;
  total?: number;
  calls?: number;
}

export interface StrategyContext {
  plan: RunPlan;
  loaded: LoadedAdapter;
  /** Set once the user interrupted: strategies stop starting new rounds. */
  interrupted: () => boolean;
  /** Strategies register their open session so an interrupt can halt it. */
  track(session: WorkerSession | null): void;
  progress?(p: Progress): void;
}

export interface StrategyOutcome {
  report: StrategyReport;
  findings: Finding[];
  warnings: Warning[];
  /** Informational notes (never a failure). */
  info: Warning[];
}

/** Open a worker session for this adapter with the plan's lanes, weights and timeout. */
export async function openSession(ctx: StrategyContext, workers: number, extra: Partial<SessionOptions> = {}): Promise<WorkerSession> {
  const { plan, loaded } = ctx;
  const weights = loaded.opNames.map((n) => (loaded.adapter.weights ? (loaded.adapter.weights[n] ?? 1) : 1));
  const session = await WorkerSession.open({
    adapterPath: loaded.file,
    opNames: loaded.opNames,
    workers,
    lanes: plan.concurrency,
    args: plan.args,
    weights,
    uniqueOps: loaded.opNames.map((n) => loaded.adapter.unique?.includes(n) ?? false),
    timeoutMs: plan.timeoutMs,
    quietStdout: plan.quietStdout,
    resourceLimits: plan.resourceLimits,
    ...extra,
  });
  ctx.track(session);
  return session;
}

export async function closeSession(ctx: StrategyContext, session: WorkerSession): Promise<void> {
  ctx.track(null);
  await session.close();
}
