// The workers' lifecycle on tinypool: start (one long-lived task per worker and a ready handshake),
// deaths (exit events and closed ports turned into crash records), terminating one worker, and a
// bounded close. Every workaround for tinypool's behaviour lives here, each saying why. Rounds are
// not this module's business: it only hands each reply and each death to the session's callbacks.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { SessionStartError, errorLine } from '../errors.js';
import type { RoundReply, RoundRequest, SessionTask, StopRequest, WorkerReply } from './protocol.js';
import type { SessionOptions } from './types.js';
import { WorkerThreads } from './threads.js';

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
  /** Settles when its task ends: the worker left the session (its thread is then free for the next one). */
  ended?: Promise<void>;
  /** Its task ended (returned or failed): its thread may serve another session. */
  taskDone?: boolean;
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
  /** The run's threads (kept across sessions), or this session's own (an instrumented load, or no run's given). */
  private readonly threads: WorkerThreads;
  private readonly ownThreads: boolean;
  closed = false;

  constructor(
    private readonly opts: SessionOptions,
    private readonly ctl: SharedArrayBuffer,
    private readonly tally: SharedArrayBuffer,
    private readonly history: SharedArrayBuffer | null,
    private readonly events: LifecycleEvents,
  ) {
    // An instrumented load rewrites the adapter's module as it is imported: a thread that loaded it
    // plainly cannot, and one that loaded it instrumented must not serve plain rounds.
    this.ownThreads = !opts.threads || !!opts.instrument;
    this.threads = this.ownThreads ? new WorkerThreads(opts.resourceLimits) : opts.threads!;
  }

  /** Start every worker's task and wait until each has loaded the adapter (SessionStartError if not). */
  async start(): Promise<void> {
    const { opts } = this;
    const spins = opts.workers <= availableParallelism() && !opts.serverBound ? 200_000 : 2_000;
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
          slot.ended = this.threads
            .pool()
            .run(task, { transferList: [port2] })
            .then(
              () => {
                slot.taskDone = true;
              },
              (err: unknown) => {
                slot.taskDone = true;
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
    let threadError: ((e: unknown) => void) | undefined;
    await Promise.race([
      Promise.all(ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SessionStartError(`workers did not finish loading the adapter within ${timeout} ms`)), timeout);
        // A thread that fails before its task starts would be replaced by tinypool again and again.
        threadError = (e) => reject(new SessionStartError(`a worker thread could not start: ${errorLine(e)}`));
        this.threads.errorListeners.add(threadError);
      }),
    ]).finally(() => {
      clearTimeout(timer);
      if (threadError) this.threads.errorListeners.delete(threadError);
    });
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
    void this.threads.terminate(slot.threadId);
  }

  private worker(slot: WorkerSlot): Worker | undefined {
    return this.threads.thread(slot.threadId);
  }

  /** A worker's exit code comes from its Worker object, which tinypool exposes by threadId. */
  private watchExit(slot: WorkerSlot): void {
    // Through the run's threads: the thread may serve later sessions, whose listener then replaces this one.
    this.threads.watchExit(slot.threadId, (code: number) => {
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
   * End the session: each live worker is asked to stop and its thread goes back to the run's threads
   * (the adapter still loaded), when `reuse`. A worker that does not end its task within the bound (still
   * loading the adapter, or busy) is terminated, and so is every thread of a session's own. The bound timer is
   * ref'd on purpose: if nothing else is left, an unref'd one would let the process end unfinished.
   */
  async close(reuse = true): Promise<void> {
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
    if (!this.ownThreads) {
      let timer: NodeJS.Timeout | undefined;
      const ending = reuse ? this.slots.flatMap((s) => (s.alive && s.ended ? [s.ended] : [])) : [];
      await Promise.race([Promise.all(ending), new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
      clearTimeout(timer);
      const stopping: Promise<unknown>[] = [];
      for (const s of this.slots) {
        const thread = this.worker(s);
        this.threads.unwatchExit(s.threadId);
        // Still in its task (loading, or a call that does not end): not a thread to give to a later session.
        if (thread && (!reuse || !s.alive || !s.taskDone)) stopping.push(this.threads.terminate(s.threadId));
      }
      // Gone before the next strategy starts (bounded): what they held (an open transaction, a lock) with them.
      if (stopping.length) {
        await Promise.race([Promise.all(stopping), new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
        clearTimeout(timer);
      }
    } else await this.threads.close();
    for (const s of this.slots) s.port.close();
  }
}

/** How long workers asked to stop get to end their tasks before their threads are terminated. */
const STOP_WAIT_MS = 2000;
