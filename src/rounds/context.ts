// The state of one run, in one object: its plan and adapter, its interrupt, every worker session it
// has open, its pending main-thread hooks, how far its first round got, and its progress sink. Every
// strategy and every round receives it; nothing about a run lives in a module, so two runs in one
// process (two hammer() calls) never see each other.
import { callHook, interruptHooks, type HookCall, type HookFailure, type PendingHooks } from '../adapter/hooks.js';
import type { HookName, LoadedAdapter } from '../adapter/types.js';
import { AdapterSetupError } from '../errors.js';
import { shareOf } from '../plan/budget.js';
import type { StrategyName } from '../options/table.js';
import type { RunPlan } from '../plan/plan.js';
import { WorkerSession, type SessionOptions } from '../pool/session.js';
import type { ProgressEvent, RetryCount, Warning } from '../schema/report.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * The run-level hooks' deadline at least: they start servers (a cold database takes seconds, tens on a
 * loaded machine), which is no call that hangs; `--timeout` still wins when it is longer.
 */
export const GLOBAL_HOOK_MS = 60_000;

/** Each operation's weight: the adapter's (1 if it gives none), 0 for those --ops leaves out. */
export const weightsOf = (loaded: LoadedAdapter, ops: readonly string[] | undefined): number[] =>
  loaded.opNames.map((n) => (ops && !ops.includes(n) ? 0 : (loaded.adapter.weights?.[n] ?? 1)));

export class RunContext {
  private readonly sessions = new Set<WorkerSession>();
  private readonly pendingHooks: PendingHooks = new Set();
  /** How far the run's first round got: a setup or init that throws before any call is exit 2. */
  private firstRound: 'pending' | 'setup-ok' | 'done' = 'pending';
  private stop: StopSignal | null = null;
  private readonly onAbort: () => void;
  /** The current strategy's calls retried after a declared error, by code. */
  private retried = new Map<string, number>();
  /** globalSetup returned: globalTeardown runs at the end. */
  private globalUp = false;
  /** performance.now() when the run began: the budget (--time) counts from here, hooks included. */
  private readonly startedAt = performance.now();
  /** performance.now() by which the current strategy should be done (its share of the budget). */
  private strategyEnd = Infinity;
  /** The current strategy's share of the budget, ms. */
  strategyBudgetMs = Infinity;

  constructor(
    readonly plan: RunPlan,
    readonly loaded: LoadedAdapter,
    private readonly sink?: (p: ProgressEvent) => void,
    private readonly signal?: AbortSignal,
  ) {
    this.onAbort = () => this.interrupt(signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Set once the run was interrupted: strategies start no new rounds. */
  get interrupted(): boolean {
    return this.stop !== null;
  }

  get stopSignal(): StopSignal | null {
    return this.stop;
  }

  /** Halt every open session's round and stop waiting for every pending hook, now. */
  interrupt(signal: StopSignal = 'SIGINT'): void {
    this.stop ??= signal;
    for (const s of this.sessions) s.interrupt();
    interruptHooks(this.pendingHooks);
  }

  progress(p: ProgressEvent): void {
    this.sink?.({ ...p, timeLeftMs: Math.max(0, this.startedAt + this.plan.budgetMs - performance.now()) });
  }

  /** Give `name`, the first of `toRun`, its share of what is left of the budget. */
  beginStrategy(name: StrategyName, toRun: readonly StrategyName[]): void {
    this.retried = new Map();
    const now = performance.now();
    this.strategyBudgetMs = shareOf(name, toRun, this.startedAt + this.plan.budgetMs - now);
    this.strategyEnd = now + this.strategyBudgetMs;
  }

  /** A played round's retries (its tallies'), added to the current strategy's. */
  noteRetries(retries: Record<string, number> | null): void {
    if (retries) for (const [code, n] of Object.entries(retries)) this.retried.set(code, (this.retried.get(code) ?? 0) + n);
  }

  /** The current strategy's retries, most first; undefined when none. */
  retries(): RetryCount[] | undefined {
    if (!this.retried.size) return undefined;
    return [...this.retried].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count);
  }

  /** What is left of the current strategy's share of the budget, ms (never below 0). */
  timeLeft(): number {
    return Math.max(0, this.strategyEnd - performance.now());
  }

  /** Open a worker session with the plan's lanes, weights and timeout; an interrupt halts it too. */
  async openSession(workers: number, extra: Partial<SessionOptions> = {}): Promise<WorkerSession> {
    const { plan, loaded } = this;
    const session = await WorkerSession.open({
      adapterPath: loaded.file,
      opNames: loaded.opNames,
      workers,
      lanes: plan.concurrency,
      args: plan.args,
      weights: weightsOf(loaded, plan.ops),
      uniqueOps: loaded.opNames.map((n) => loaded.adapter.unique?.includes(n) ?? false),
      timeoutMs: plan.timeoutMs,
      quietStdout: plan.quietStdout,
      resourceLimits: plan.resourceLimits,
      pinCpus: plan.env.pinCpus,
      ...extra,
    });
    this.sessions.add(session);
    if (this.stop) session.interrupt();
    return session;
  }

  async closeSession(session: WorkerSession): Promise<void> {
    this.sessions.delete(session);
    await session.close();
  }

  /** Close whatever a strategy left open (a thrown error on its way out). */
  async closeAll(): Promise<void> {
    for (const s of [...this.sessions]) await this.closeSession(s);
  }

  /** Call a main-thread hook with the run's timeout; an interrupt stops the wait. */
  hook<T>(hook: HookName, args: unknown[]): HookCall<T> {
    return callHook<T>(this.loaded.adapter, hook, args, this.plan.timeoutMs, this.pendingHooks);
  }

  /**
   * The adapter's globalSetup, once, before the first strategy. Throws AdapterSetupError (exit 2) when
   * it threw or did not settle in time; an interrupt only ends the wait (the run then stops).
   */
  async globalSetup(): Promise<void> {
    const deadline = Math.max(GLOBAL_HOOK_MS, this.plan.timeoutMs);
    const r = await callHook(this.loaded.adapter, 'globalSetup', [{ workers: this.plan.workers, args: this.plan.args }], deadline, this.pendingHooks);
    if (r.ok) this.globalUp = true;
    else if (!r.interrupted) {
      const why = r.hung ? `did not settle within ${deadline} ms` : `threw: ${r.message}`;
      throw new AdapterSetupError([`${this.plan.adapter}: cannot set up the adapter: hook 'globalSetup' ${why}`]);
    }
  }

  /** The adapter's globalTeardown, when its globalSetup returned: its failure as a warning. */
  async globalTeardown(): Promise<Warning | null> {
    if (!this.globalUp) return null;
    this.globalUp = false;
    const r = await callHook(this.loaded.adapter, 'globalTeardown', [], Math.max(GLOBAL_HOOK_MS, this.plan.timeoutMs), this.pendingHooks);
    if (r.ok || r.interrupted) return null;
    return { code: 'global-teardown', message: `hook 'globalTeardown' ${r.hung ? 'did not settle in time' : `threw: ${r.message}`}` };
  }

  /** After the run's first setup: throws AdapterSetupError when it threw (not hung, not interrupted). */
  checkFirstSetup(failed: HookFailure | null): void {
    if (this.firstRound !== 'pending') return;
    this.firstRound = failed ? 'done' : 'setup-ok';
    if (failed && !failed.hung && !failed.interrupted) throw this.cannotSetUp('setup', failed.message);
  }

  /** After the run's first round: throws AdapterSetupError when init threw in a worker before any call. */
  checkFirstInit(failed: { message: string; workerId: number } | undefined): void {
    if (this.firstRound !== 'setup-ok') return;
    this.firstRound = 'done';
    if (failed) throw this.cannotSetUp('init', failed.message, failed.workerId);
  }

  private cannotSetUp(hook: 'setup' | 'init', message: string, workerId?: number): AdapterSetupError {
    const where = workerId === undefined ? '' : ` in worker ${workerId}`;
    return new AdapterSetupError([`${this.plan.adapter}: cannot set up the adapter: hook '${hook}' threw${where} before any call: ${message}`]);
  }

  /** Forget the caller's signal (the run is over). */
  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
