// The run's worker threads, kept from one session to the next. Each strategy, each throughput point and
// each trial of the smallest-failing-setup search opens a session of its own; a session's worker used
// to be a fresh thread that loaded the adapter again (sequelize and pg: 1.1 s per thread on an idle
// 2-core machine, 3-4 s under load, three sessions a default run: half of a 15 s budget). A thread that
// ended its session cleanly now goes back idle with the adapter in Node's module cache, and the next
// session's worker on it is ready as soon as its task arrives. A thread that hung or was stopped is
// terminated as before; only a run's end (close) stops the rest.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import Tinypool from 'tinypool';

/** More than any session asks for (workers × side-by-side sessions); tinypool only numbers them. */
const MAX_THREADS = 1024;

/**
 * The Node options of the worker threads: the process's own (Node's default, which drops V8 and
 * per-process options), except that those about the process's entry (`--input-type`, `-e`, `-p`) are
 * left out when it has them: a worker started with `--input-type` fails to load any file, so a script
 * run with `node --input-type=module -e` that calls hammer() would wait for workers that never load.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] | undefined {
  const own: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--input-type=') || a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    if (a === '--input-type' || a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++; // and its value
      continue;
    }
    own.push(a);
  }
  return own.length === argv.length ? undefined : acceptedByWorkers(own);
}

/**
 * `args` without what a worker refuses when it is given explicitly (V8 options such as --expose-gc,
 * per-process ones): Node names them in its error, so one probe (a worker that is stopped at once) says.
 */
function acceptedByWorkers(args: string[]): string[] {
  let left = args;
  for (let tries = 0; tries < 3 && left.length; tries++) {
    try {
      void new Worker('', { eval: true, execArgv: left }).terminate();
      return left;
    } catch (e) {
      const m = /invalid execArgv flags: (.*)$/.exec((e as Error).message);
      if (!m) return [];
      const refused = new Set(m[1]!.split(', '));
      left = left.filter((a) => !refused.has(a));
    }
  }
  return [];
}

export class WorkerThreads {
  private tinypool: Tinypool | null = null;
  /**
   * A thread of `tinypool` was stopped under it (terminated, or exited on its own). tinypool only learns
   * of a thread's end through an 'error', so it would hand the next task to that thread, and the task's
   * worker would never load: the next session gets a fresh pool instead.
   */
  private stale = false;
  /** Pools replaced since (threads of a session still running may be in them), stopped at the run's end. */
  private readonly retired: Tinypool[] = [];
  /**
   * The exit listener of each thread's current session, by threadId. tinypool's thread objects have no
   * removeListener: one listener per thread, added once, calls whichever session has the thread now.
   */
  private readonly exitListeners = new Map<number, (code: number) => void>();
  private readonly watched = new Set<number>();
  /** Told of an error of a thread with no task attached (see pool()). */
  readonly errorListeners = new Set<(e: unknown) => void>();

  constructor(private readonly resourceLimits?: ResourceLimits) {}

  /** The threads' pool, made when the first session starts. */
  pool(): Tinypool {
    if (this.tinypool && this.stale) {
      this.retired.push(this.tinypool);
      this.tinypool = null;
      this.stale = false;
    }
    if (this.tinypool) return this.tinypool;
    const pool = new Tinypool({
      filename: new URL('./worker.js', import.meta.url).href,
      // None started ahead: a session's tasks take idle threads first, and new ones only when none is idle.
      minThreads: 0,
      maxThreads: MAX_THREADS,
      // With atomics on, tinypool freezes an idle worker's event loop between tasks; ours never idle in a session.
      useAtomics: false,
      idleTimeout: 2 ** 31 - 1,
      resourceLimits: this.resourceLimits,
      execArgv: workerExecArgv(),
    });
    // A worker error with no task attached is emitted here (unhandled it would kill the process): a
    // thread that could not even start its task, which tinypool would replace again and again.
    pool.on('error', (e: unknown) => {
      for (const listener of this.errorListeners) listener(e);
    });
    this.tinypool = pool;
    return pool;
  }

  /** The thread of `threadId`, while it is alive. */
  thread(threadId: number): Worker | undefined {
    for (const pool of [this.tinypool, ...this.retired]) {
      const t = pool?.threads.find((x) => x.threadId === threadId);
      if (t) return t as unknown as Worker;
    }
    return undefined;
  }

  /** Stop thread `threadId`; resolves when it has exited. */
  terminate(threadId: number): Promise<void> {
    const thread = this.thread(threadId);
    if (!thread) return Promise.resolve();
    this.stale = true;
    return thread.terminate().then(
      () => {},
      () => {},
    );
  }

  /** Call `listener` when thread `threadId` exits, until {@link unwatchExit}. */
  watchExit(threadId: number, listener: (code: number) => void): void {
    this.exitListeners.set(threadId, listener);
    if (this.watched.has(threadId)) return;
    const thread = this.thread(threadId);
    if (!thread) return;
    this.watched.add(threadId);
    thread.on('exit', (code: number) => {
      this.stale = true;
      this.watched.delete(threadId);
      this.exitListeners.get(threadId)?.(code);
      this.exitListeners.delete(threadId);
    });
  }

  unwatchExit(threadId: number): void {
    this.exitListeners.delete(threadId);
  }

  /**
   * Stop every thread, bounded. tinypool's destroy() awaits an 'exit' event per worker, which a worker
   * that already died fired long ago, so it is started but never awaited; the Worker objects' own
   * terminate() promises are (they resolve at once for a dead worker). The bound timer is ref'd on
   * purpose: if nothing else is left, an unref'd one would let the process end with the run unfinished.
   */
  async close(): Promise<void> {
    const pools = [this.tinypool, ...this.retired.splice(0)].filter((p) => p !== null);
    this.tinypool = null;
    this.stale = false;
    await Promise.all(pools.map((p) => stopPool(p)));
  }
}

/** Stop every thread of one tinypool, bounded (see WorkerThreads.close). */
async function stopPool(pool: Tinypool): Promise<void> {
  const terminateAll = () =>
    pool.threads.map((t) =>
      t.terminate().then(
        () => true,
        () => true,
      ),
    );
  let timer: NodeJS.Timeout | undefined;
  const bound = (ms: number) => new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  let exited = await Promise.race([Promise.all(terminateAll()).then(() => true), bound(2000)]);
  clearTimeout(timer);
  // tinypool replaces a worker that died of an 'error' (uncaught exception, out of memory) with a
  // fresh idle one: make sure no replacement outlives the run.
  if (exited) exited = await Promise.race([Promise.all(terminateAll()).then(() => true), bound(500)]);
  clearTimeout(timer);
  // Only now, with every worker gone, let tinypool forget them. Earlier, its destroy() puts an
  // events.once(worker, 'exit') on each worker, and a worker that then emits 'error' (e.g. out of
  // memory) crashes the whole process (tinypool's ThreadWorker has no removeListener). Its wait for
  // exit events that already fired never ends, so it is not awaited.
  if (exited) void pool.destroy().catch(() => {});
}
