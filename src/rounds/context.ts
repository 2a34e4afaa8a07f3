// The state of one run, in one object: its plan and adapter, its interrupt, every worker session it
// has open, its pending main-thread hooks, how far its first round got, and its progress sink. Every
// strategy and every round receives it; nothing about a run lives in a module, so two runs in one
// process (two hammer() calls) never see each other.
import { callHook, interruptHooks, PREPARE_HOOKS, type HookCall, type HookFailure, type PendingHooks } from '../adapter/hooks.js';
import type { HookName, LoadedAdapter } from '../adapter/types.js';
import { AdapterSetupError } from '../errors.js';
import { shareOf } from '../plan/budget.js';
import type { StrategyName } from '../options/table.js';
import type { RunPlan } from '../plan/plan.js';
import { WorkerSession, type SessionOptions } from '../pool/session.js';
import { WorkerThreads } from '../pool/threads.js';
import type { ProgressEvent, RetryCount, WarningFacts } from '../schema/report.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Each operation's weight: the adapter's (1 if it gives none), 0 for those --ops leaves out. */
export const weightsOf = (loaded: LoadedAdapter, ops: readonly string[] | undefined): number[] =>
  loaded.opNames.map((n) => (ops && !ops.includes(n) ? 0 : (loaded.adapter.weights?.[n] ?? 1)));

export class RunContext {
  private readonly sessions = new Set<WorkerSession>();
  /** The run's worker threads: each loads the adapter once and serves session after session. */
  private readonly threads: WorkerThreads;
  private readonly pendingHooks: PendingHooks = new Set();
  /** How far the run's first round got: a setup or init that throws before any call is exit 2. */
  private firstRound: 'pending' | 'setup-ok' | 'done' = 'pending';
  private stop: StopSignal | null = null;
  private readonly onAbort: () => void;
  /**
   * performance.now() when the run began: the budget (--time) counts from here, hooks included, except
   * the run's first setup (a cold start: moved forward by its duration, see checkFirstSetup).
   */
  private startedAt = performance.now();
  /** performance.now() when the run's first setup was called, and once it settled, how long it took. */
  private firstSetupAt: number | null = null;
  private coldStart: { at: number; ms: number } | null = null;
  /** The current strategy's calls retried after a declared error, by code. */
  private retried = new Map<string, number>();
  /** globalSetup returned: globalTeardown runs at the end. */
  private globalUp = false;
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
    this.threads = new WorkerThreads(plan.resourceLimits);
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

  /** ms since `t` (a performance.now()), without the run's first setup if it ran since: a cold start is no round's cost. */
  elapsedSince(t: number): number {
    const cold = this.coldStart !== null && this.coldStart.at >= t ? this.coldStart.ms : 0;
    return performance.now() - t - cold;
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
      setupTimeoutMs: plan.setupTimeoutMs,
      quietStdout: plan.quietStdout,
      resourceLimits: plan.resourceLimits,
      pinCpus: plan.env.pinCpus,
      // A database's clients: the race is in the server, which needs the CPU (docs/benchmarks.md, "Databases").
      serverBound: loaded.database !== undefined,
      threads: this.threads,
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

  /** The run is over: close what is open and stop its threads (before globalTeardown stops the servers they use). */
  async endThreads(): Promise<void> {
    await this.closeAll();
    await this.threads.close();
  }

  /**
   * Call a main-thread hook with its deadline (--setup-timeout for the hooks that prepare, --timeout for
   * the others); an interrupt stops the wait.
   */
  hook<T>(hook: HookName, args: unknown[]): HookCall<T> {
    const { plan } = this;
    const prepare = PREPARE_HOOKS.has(hook);
    if (hook === 'setup' && this.firstRound === 'pending') this.firstSetupAt ??= performance.now();
    const deadline = prepare ? { ms: plan.setupTimeoutMs, flag: '--setup-timeout' as const } : { ms: plan.timeoutMs, flag: '--timeout' as const };
    return callHook<T>(this.loaded.adapter, hook, args, deadline, this.pendingHooks);
  }

  /**
   * The adapter's globalSetup, once, before the first strategy. Throws AdapterSetupError (exit 2) when
   * it threw or did not settle in time; an interrupt only ends the wait (the run then stops).
   */
  async globalSetup(): Promise<void> {
    const deadline = this.plan.setupTimeoutMs;
    const t = performance.now();
    const r = await callHook(this.loaded.adapter, 'globalSetup', [{ workers: this.plan.workers, args: this.plan.args }], deadline, this.pendingHooks);
    // A cold start (a database, a container) is not the strategies' time: the budget counts from here.
    this.startedAt += performance.now() - t;
    if (r.ok) this.globalUp = true;
    else if (!r.interrupted) {
      const why = r.hung ? `did not settle within ${deadline} ms (--setup-timeout)` : `threw: ${r.message}`;
      throw new AdapterSetupError([`${this.plan.adapter}: cannot set up the adapter: hook 'globalSetup' ${why}`]);
    }
  }

  /** The adapter's globalTeardown, when its globalSetup returned: its failure as a warning. */
  async globalTeardown(): Promise<WarningFacts | null> {
    if (!this.globalUp) return null;
    this.globalUp = false;
    const r = await callHook(this.loaded.adapter, 'globalTeardown', [], this.plan.setupTimeoutMs, this.pendingHooks);
    if (r.ok || r.interrupted) return null;
    return { code: 'global-teardown', hook: 'globalTeardown', ...(r.hung ? {} : { error: r.message }) };
  }

  /**
   * After the run's first setup: throws AdapterSetupError when it threw or did not settle in time (not
   * when interrupted). The time it took is not the strategies' (a cold database may take tens of
   * seconds to start): the budget's clock moves forward by it.
   */
  checkFirstSetup(failed: HookFailure | null, shared?: unknown): void {
    if (this.firstRound !== 'pending') return;
    // `shared` reaches the workers by structured clone: a value that cannot cross (a function, a class
    // instance's methods, a socket) is the adapter's to fix, said once here rather than as a crash of every round.
    const unsendable = failed ? null : cloneError(shared);
    this.firstRound = failed || unsendable ? 'done' : 'setup-ok';
    if (this.firstSetupAt !== null) {
      const took = performance.now() - this.firstSetupAt;
      this.startedAt += took;
      this.strategyEnd += took;
      this.coldStart = { at: this.firstSetupAt, ms: took };
    }
    if (failed && !failed.interrupted) throw this.cannotSetUp('setup', failed.hung ? failed.message : `threw before any call: ${failed.message}`);
    if (unsendable)
      throw this.cannotSetUp(
        'setup',
        `returned a value the workers cannot receive (it reaches them by structured clone: plain data, typed arrays, SharedArrayBuffer): ${unsendable}`,
      );
  }

  /**
   * After the run's first round: throws AdapterSetupError when init threw in a worker, or did not settle
   * within --setup-timeout, before any call.
   */
  checkFirstInit(failed: { message: string; workerId: number } | undefined, hung?: { workerId: number }): void {
    if (this.firstRound !== 'setup-ok') return;
    this.firstRound = 'done';
    if (failed) throw this.cannotSetUp('init', `threw in worker ${failed.workerId} before any call: ${failed.message}`);
    if (hung) throw this.cannotSetUp('init', `did not settle in worker ${hung.workerId} within ${this.plan.setupTimeoutMs} ms (--setup-timeout)`);
  }

  private cannotSetUp(hook: 'setup' | 'init', what: string): AdapterSetupError {
    return new AdapterSetupError([`${this.plan.adapter}: cannot set up the adapter: hook '${hook}' ${what}`]);
  }

  /** Forget the caller's signal (the run is over). */
  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** Why `value` cannot be structured-cloned (as postMessage would send it), or null when it can. */
function cloneError(value: unknown): string | null {
  try {
    structuredClone(value);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
