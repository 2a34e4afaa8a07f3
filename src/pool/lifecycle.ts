// The workers' lifecycle on tinypool: start (one long-lived task per worker and a ready handshake),
// deaths (exit events and closed ports turned into crash records), terminating one worker, and a
// bounded close. Every workaround for tinypool's behaviour lives here, each saying why. Rounds are
// not this module's business: it only hands each reply and each death to the session's callbacks.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import Tinypool from 'tinypool';
import { SessionStartError, errorLine } from '../errors.js';
import type { RoundReply, RoundRequest, SessionTask, StopRequest, WorkerReply } from './protocol.js';
import type { SessionOptions } from './types.js';

/** After its error, how long a dead worker's exit code is waited for before it counts as settled. */
const EXIT_WAIT_MS = 300;

export interface WorkerSlot {
  id: number;
  port: MessagePort;
  threadId: number;
  alive: boolean;
  /** Death already recorded (crash, or terminated by the session). */
  dead: boolean;
  exitCode?: number;
  crashMessage?: string;
  /** performance.now() when the death was first noticed. */
  diedAt?: number;
  /** The crash is in some round's tallies already. */
  reported?: boolean;
  /** Every answer to the rounds in progress, in order (a batch has one per round; cleared when rounds are posted). */
  replies: RoundReply[];
}

/** A worker's latest answer to the rounds in progress. */
export const lastReply = (slot: WorkerSlot): RoundReply | undefined => slot.replies[slot.replies.length - 1];

export interface LifecycleEvents {
  /** A worker answered (its answer is the last of slot.replies). */
  reply(slot: WorkerSlot): void;
  /** A worker died on its own (first notice; slot.crashMessage is set). */
  crash(slot: WorkerSlot): void;
  /** A worker's exit code became known. */
  exit(slot: WorkerSlot): void;
}

export class WorkerPool {
  readonly slots: WorkerSlot[] = [];
  private readonly pool: Tinypool;
  closed = false;

  constructor(
    private readonly opts: SessionOptions,
    private readonly ctl: SharedArrayBuffer,
    private readonly tally: SharedArrayBuffer,
    private readonly history: SharedArrayBuffer | null,
    private readonly events: LifecycleEvents,
  ) {
    this.pool = new Tinypool({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: opts.workers,
      maxThreads: opts.workers,
      // With atomics on, tinypool freezes an idle worker's event loop between tasks; ours never idle.
      useAtomics: false,
      idleTimeout: 2 ** 31 - 1,
      resourceLimits: opts.resourceLimits,
    });
    // A worker error with no task attached is emitted here; unhandled it would kill the process.
    this.pool.on('error', () => {});
  }

  /** Start every worker's task and wait until each has loaded the adapter (SessionStartError if not). */
  async start(): Promise<void> {
    const { opts } = this;
    const spins = opts.workers <= availableParallelism() ? 200_000 : 2_000;
    const ready: Promise<void>[] = [];
    for (let id = 0; id < opts.workers; id++) {
      const { port1, port2 } = new MessageChannel();
      const slot: WorkerSlot = { id, port: port1, threadId: -1, alive: true, dead: false, replies: [] };
      this.slots.push(slot);
      const task: SessionTask = {
        workerId: id,
        workers: opts.workers,
        adapterPath: opts.adapterPath,
        args: opts.args,
        ctl: this.ctl,
        tally: this.tally,
        history: this.history,
        lanes: opts.lanes,
        weights: opts.weights,
        uniqueOps: opts.uniqueOps,
        port: port2,
        barrierSpins: spins,
        quietStdout: opts.quietStdout,
        pinCpus: opts.pinCpus,
        cpuOffset: opts.cpuOffset,
        instrument: opts.instrument ?? null,
      };
      ready.push(
        new Promise<void>((resolve, reject) => {
          port1.once('message', (m: WorkerReply) => {
            if (m.type === 'ready') {
              slot.threadId = m.threadId;
              this.watchExit(slot);
              resolve();
            } else if (m.type === 'load-error') reject(new SessionStartError(`worker ${id} could not load the adapter: ${m.message}`));
            else reject(new SessionStartError(`worker ${id} sent ${m.type} before ready`));
          });
          // The task lasts the whole session, so it settles only at its end, or with the error that
          // killed the worker (an uncaught exception: the best description of a crash). After
          // process.exit() in a worker it never settles at all: exits are watched separately.
          this.pool.run(task, { transferList: [port2] }).then(
            () => {},
            (err: unknown) => {
              this.recordCrash(slot, errorLine(err));
              reject(new SessionStartError(`worker ${id} crashed while loading the adapter: ${errorLine(err)}`));
            },
          );
          port1.on('message', (m: WorkerReply | RoundReply[]) => this.received(slot, m));
          // A worker that dies closes its port, sometimes before its exit event or error arrive; wait a
          // little so they describe the crash first (recordCrash keeps the better message anyway).
          port1.on('close', () => {
            if (!this.closed && slot.alive) setTimeout(() => this.recordCrash(slot, 'worker exited'), 50).unref();
          });
        }),
      );
    }
    // Loading the adapter is preparation (a module may connect or compile at import): --setup-timeout's.
    const timeout = Math.max(10_000, opts.setupTimeoutMs ?? opts.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SessionStartError(`workers did not finish loading the adapter within ${timeout} ms`)), timeout);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** An answer, or a batch's answers in one message (worker.ts), one by one. */
  private received(slot: WorkerSlot, m: WorkerReply | RoundReply[]): void {
    if (Array.isArray(m)) {
      for (const r of m) this.received(slot, r);
      return;
    }
    if (m.type !== 'ready' && m.type !== 'load-error') {
      slot.replies.push(m);
      this.events.reply(slot);
    }
  }

  /**
   * Take a worker's queued answers now, without waiting for an event-loop turn to deliver it (the
   * session knows it is there from the REPLIES count); handled exactly as a delivered one.
   */
  takeReplies(slot: WorkerSlot): void {
    for (let m = receiveMessageOnPort(slot.port); m; m = receiveMessageOnPort(slot.port)) this.received(slot, m.message as WorkerReply | RoundReply[]);
  }

  /** Workers that can still serve rounds. */
  live(): WorkerSlot[] {
    return this.slots.filter((s) => s.alive);
  }

  post(slot: WorkerSlot, msg: RoundRequest): void {
    slot.port.postMessage(msg);
  }

  /**
   * A dead worker's record is complete once its exit code is known (its error comes first, the exit
   * just after; an out-of-memory error even after the port closed), or after a short wait for it.
   */
  deathSettled(slot: WorkerSlot, now: number): boolean {
    return slot.dead && (slot.exitCode !== undefined || now - slot.diedAt! > EXIT_WAIT_MS);
  }

  /** Stop a worker that cannot answer (a sync loop never yields): dead, but no crash. */
  terminate(slot: WorkerSlot): void {
    slot.alive = false;
    slot.dead = true;
    void this.worker(slot)
      ?.terminate()
      .catch(() => {});
  }

  private worker(slot: WorkerSlot) {
    return this.pool.threads.find((t) => t.threadId === slot.threadId);
  }

  /** A worker's exit code comes from its Worker object, which tinypool exposes by threadId. */
  private watchExit(slot: WorkerSlot): void {
    this.worker(slot)?.on('exit', (code: number) => {
      slot.exitCode = code;
      // Also when its port's close was noticed first (a loaded machine): the code makes the better message.
      if (!this.closed && (slot.alive || slot.crashMessage === 'worker exited')) this.recordCrash(slot, `worker exited with code ${code}`);
      this.events.exit(slot);
    });
  }

  private recordCrash(slot: WorkerSlot, message: string): void {
    if (this.closed) return; // our own terminate() during close() is no crash
    if (slot.dead) {
      // A later, better description (the error after the exit, or the other way round) completes it.
      // A worker we terminated has no message: its rejected task is no crash.
      // Under load the port's close can beat the exit event by more than its 50 ms: the code, come later, still counts.
      const better = !message.startsWith('worker exited') || (slot.crashMessage === 'worker exited' && message !== slot.crashMessage);
      if (slot.crashMessage?.startsWith('worker exited') && better) slot.crashMessage = message;
      return;
    }
    slot.alive = false;
    slot.dead = true;
    slot.crashMessage = message;
    slot.diedAt = performance.now();
    this.events.crash(slot);
  }

  /**
   * Stop every worker, bounded. tinypool's destroy() awaits an 'exit' event per worker, which a worker
   * that already died fired long ago, so it is started but never awaited; the Worker objects' own
   * terminate() promises are (they resolve at once for a dead worker). The bound timer is ref'd on
   * purpose: if nothing else is left, an unref'd one would let the process end with the run unfinished.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) {
      if (s.alive) {
        try {
          s.port.postMessage({ type: 'stop' } satisfies StopRequest);
        } catch {
          /* port already closed */
        }
      }
    }
    const terminateAll = () =>
      this.pool.threads.map((t) =>
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
    // fresh idle one: make sure no replacement outlives the session.
    if (exited) exited = await Promise.race([Promise.all(terminateAll()).then(() => true), bound(500)]);
    clearTimeout(timer);
    // Only now, with every worker gone, let tinypool forget them. Earlier, its destroy() puts an
    // events.once(worker, 'exit') on each worker, and a worker that then emits 'error' (e.g. out of
    // memory) crashes the whole process (tinypool's ThreadWorker has no removeListener). Its wait for
    // exit events that already fired never ends, so it is not awaited.
    if (exited) void this.pool.destroy().catch(() => {});
    for (const s of this.slots) s.port.close();
  }
}
