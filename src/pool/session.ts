// Main-thread side of the worker pool. A session is one tinypool pool whose workers each run one
// long-lived task (src/pool/worker.ts) for as many rounds as a strategy needs. Rounds are driven by
// one message per worker each way; everything per call stays in shared memory. A watchdog reads that
// memory to find hung calls and hooks, and worker exits are turned into crash records, because
// tinypool itself never settles a task whose worker called process.exit().
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import Tinypool from 'tinypool';
import { SessionStartError, errorLine } from '../errors.js';
import type { AdapterArgs, Counters } from '../adapter/types.js';
import { C, Halt, Phase, PHASE_NAMES, makeLayout, type Layout } from './layout.js';
import type { RoundRequest, SessionTask, WorkerReply } from './protocol.js';

export interface SessionOptions {
  adapterPath: string;
  opNames: string[];
  workers: number;
  lanes: number;
  args: AdapterArgs;
  weights: number[];
  uniqueOps: boolean[];
  /** A call or worker hook that has not settled after this long is a hang. */
  timeoutMs: number;
  quietStdout: boolean;
  resourceLimits?: ResourceLimits;
}

export interface Hang {
  workerId: number;
  /** What was hung: an operation's calls, a worker hook, or the worker never took the round. */
  where: 'calls' | 'init' | 'workerStats' | 'start';
  op?: string;
  /** Calls started and not yet settled in that worker, per operation. */
  pending: Record<string, number>;
  afterMs: number;
}

export interface Crash {
  workerId: number;
  message: string;
  exitCode?: number;
}

export interface WorkerHookError {
  hook: 'init' | 'workerStats';
  workerId: number;
  message: string;
}

export interface OpTally {
  name: string;
  started: number;
  done: number;
  errors: number;
}

/** What one round produced, across all workers: raw tallies, no verdicts. */
export interface RoundTallies {
  round: number;
  ops: OpTally[];
  errors: { op: string; message: string; workerId: number }[];
  values: Record<string, unknown[]>;
  workerStats: (Counters | null)[];
  maxCalls: number[];
  overlapped: boolean[];
  maxWorkers: number[];
  /** Epoch ms (performance.timeOrigin based, comparable across threads) of the first call and last settle. */
  startedAt: number;
  endedAt: number;
  samples: { data: Float64Array; stride: number }[];
  hangs: Hang[];
  crashes: Crash[];
  hookErrors: WorkerHookError[];
  /** Ended early by interrupt(): the counts are partial. */
  interrupted: boolean;
}

export interface RoundSpec {
  round: number;
  seed: number;
  shared: unknown;
  /** Calls per worker, or a duration in ms (run until then, counted from the barrier's release). */
  calls: number[] | { durationMs: number };
  overlap: boolean;
  sampleEvery: number;
}

const GRACE_MS = 1000;
const EXIT_WAIT_MS = 300;

interface WorkerSlot {
  id: number;
  port: MessagePort;
  threadId: number;
  alive: boolean;
  /** Death already recorded (crash or terminated for a hang). */
  dead: boolean;
  exitCode?: number;
  crashMessage?: string;
  /** performance.now() when the death was first noticed. */
  diedAt?: number;
  /** The crash is in some round's tallies already. */
  reported?: boolean;
  reply?: WorkerReply;
}

export class WorkerSession {
  readonly layout: Layout;
  private readonly ctl: Int32Array;
  private readonly tally: Float64Array;
  private readonly slots: WorkerSlot[] = [];
  private readonly pool: Tinypool;
  private current: { finish: () => void; onCrash: (w: WorkerSlot) => void } | null = null;
  private interruptRequested = false;
  /** Epoch ms the current round's requests were posted (time span of a round some worker never answered). */
  private roundPostedAt = 0;
  /** A hang or crash happened: the workers are no longer a complete set, no further rounds. */
  broken = false;
  closed = false;

  private constructor(private readonly opts: SessionOptions) {
    this.layout = makeLayout(opts.opNames.length, opts.lanes, opts.workers);
    this.ctl = new Int32Array(new SharedArrayBuffer(this.layout.ctlLength * 4));
    this.tally = new Float64Array(new SharedArrayBuffer(this.layout.tallyLength * 8));
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

  /** Start the workers, each loading the adapter once. */
  static async open(opts: SessionOptions): Promise<WorkerSession> {
    const s = new WorkerSession(opts);
    try {
      await s.start();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  private async start(): Promise<void> {
    const { opts } = this;
    const spins = opts.workers <= availableParallelism() ? 200_000 : 2_000;
    const ready: Promise<void>[] = [];
    for (let id = 0; id < opts.workers; id++) {
      const { port1, port2 } = new MessageChannel();
      const slot: WorkerSlot = { id, port: port1, threadId: -1, alive: true, dead: false };
      this.slots.push(slot);
      const task: SessionTask = {
        workerId: id,
        workers: opts.workers,
        adapterPath: opts.adapterPath,
        args: opts.args,
        ctl: this.ctl.buffer as SharedArrayBuffer,
        tally: this.tally.buffer as SharedArrayBuffer,
        lanes: opts.lanes,
        weights: opts.weights,
        uniqueOps: opts.uniqueOps,
        port: port2,
        barrierSpins: spins,
        quietStdout: opts.quietStdout,
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
          this.pool.run(task, { transferList: [port2] }).then(
            () => {},
            (err: unknown) => {
              this.recordCrash(slot, errorLine(err));
              reject(new SessionStartError(`worker ${id} crashed while loading the adapter: ${errorLine(err)}`));
            },
          );
          port1.on('message', (m: WorkerReply) => {
            if (m.type !== 'ready' && m.type !== 'load-error') {
              slot.reply = m;
              this.current?.finish();
            }
          });
          port1.on('close', () => {
            if (!this.closed && slot.alive) setTimeout(() => this.recordCrash(slot, 'worker exited'), 50).unref();
          });
        }),
      );
    }
    const timeout = Math.max(10_000, opts.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SessionStartError(`workers did not finish loading the adapter within ${timeout} ms`)), timeout);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** The exit code of a worker comes from its Worker object, which tinypool exposes by threadId. */
  private watchExit(slot: WorkerSlot): void {
    const w = this.pool.threads.find((t) => t.threadId === slot.threadId);
    w?.on('exit', (code: number) => {
      slot.exitCode = code;
      if (!this.closed && slot.alive) this.recordCrash(slot, `worker exited with code ${code}`);
      this.current?.finish();
    });
  }

  private recordCrash(slot: WorkerSlot, message: string): void {
    if (this.closed) return; // our own terminate() during close() is no crash
    if (slot.dead) {
      // A later, better description (the error after the exit, or the other way round) completes it.
      if (slot.crashMessage?.startsWith('worker exited') && !message.startsWith('worker exited')) slot.crashMessage = message;
      return;
    }
    slot.alive = false;
    slot.dead = true;
    slot.crashMessage = message;
    slot.diedAt = performance.now();
    this.broken = true;
    this.current?.onCrash(slot);
  }

  /** The round worker `w` last entered (the slot after its phase; see pool/layout.ts). */
  private roundOf(w: number): number {
    return Atomics.load(this.ctl, this.layout.phase(w) + 1);
  }

  /** Calls started so far in round `round`, all workers (read from shared memory; for progress). */
  callsStarted(round: number): number {
    const { layout, tally, ctl, opts } = this;
    let n = 0;
    for (let w = 0; w < opts.workers; w++) {
      // A worker not yet past resetting its tallies for this round still shows the previous round's.
      if (this.roundOf(w) !== round || Atomics.load(ctl, layout.phase(w)) < Phase.BARRIER) continue;
      for (let op = 0; op < opts.opNames.length; op++) n += tally[layout.base(w) + layout.started(op)]!;
    }
    return n;
  }

  /** Ask the running round (if any) to stop now: lanes halt, what finished is reported. */
  interrupt(): void {
    this.interruptRequested = true;
    Atomics.store(this.ctl, C.HALT, Halt.ABORT);
    Atomics.notify(this.ctl, C.GEN);
  }

  async runRound(spec: RoundSpec): Promise<RoundTallies> {
    if (this.closed) throw new Error('session is closed');
    if (this.broken) {
      // A worker died between rounds (e.g. a timer it left behind threw): this round reports it, no calls.
      const dead = this.slots.filter((s) => s.dead && !s.reported && s.crashMessage !== undefined);
      if (!dead.length) throw new Error('session cannot run more rounds');
      return this.collect(spec.round, dead, [], false);
    }
    const { layout, ctl, opts } = this;
    const live = this.slots.filter((s) => s.alive);
    Atomics.store(ctl, C.ARRIVED, 0);
    Atomics.store(ctl, C.HALT, this.interruptRequested ? Halt.ABORT : Halt.RUN);
    for (const s of live) s.reply = undefined;
    const duration = Array.isArray(spec.calls) ? null : spec.calls.durationMs;
    this.roundPostedAt = performance.timeOrigin + performance.now();
    for (const s of live) {
      const req: RoundRequest = {
        type: 'round',
        round: spec.round,
        seed: spec.seed,
        shared: spec.shared,
        calls: Array.isArray(spec.calls) ? spec.calls[s.id]! : Infinity,
        durationMode: duration !== null,
        overlap: spec.overlap,
        sampleEvery: spec.sampleEvery,
      };
      s.port.postMessage(req);
    }
    const hangs: Hang[] = [];
    await new Promise<void>((resolve) => {
      const postedAt = performance.now();
      let stopAt = -1;
      let abortedAt = -1;
      const seen = live.map(() => ({ phase: -1, since: postedAt, seq: new Float64Array(opts.lanes).fill(-2), seqSince: new Float64Array(opts.lanes) }));
      const tickMs = duration !== null ? 5 : Math.max(10, Math.min(100, opts.timeoutMs / 10));
      // A dead worker counts once its exit code is known (its error comes first, the exit just after;
      // an out-of-memory error even after the port closed), or after a short wait for it.
      const settled = () => live.every((s) => s.reply !== undefined || (s.dead && (s.exitCode !== undefined || performance.now() - s.diedAt! > EXIT_WAIT_MS)));
      const done = () => {
        clearInterval(timer);
        this.current = null;
        resolve();
      };
      const abortRound = () => {
        if (abortedAt < 0) {
          abortedAt = performance.now();
          Atomics.store(ctl, C.HALT, Halt.ABORT);
          Atomics.notify(ctl, C.GEN);
        }
      };
      this.current = {
        finish: () => settled() && done(),
        onCrash: (slot) => {
          // A worker that died before the barrier released would keep the others waiting there.
          // (It may also have died between rounds, its phase still the last round's DONE.)
          const phase = Atomics.load(ctl, layout.phase(slot.id));
          const inThisRound = this.roundOf(slot.id) === spec.round;
          if (phase < Phase.CALLS || !inThisRound) abortRound();
          if (settled()) done();
        },
      };
      const tick = () => {
        const now = performance.now();
        if (this.interruptRequested) abortRound();
        if (duration !== null && stopAt < 0 && live.every((s) => s.dead || Atomics.load(ctl, layout.phase(s.id)) >= Phase.CALLS)) {
          stopAt = now + duration;
        }
        if (stopAt >= 0 && now >= stopAt && Atomics.load(ctl, C.HALT) === Halt.RUN) Atomics.store(ctl, C.HALT, Halt.STOP);
        if (abortedAt < 0) {
          for (let i = 0; i < live.length; i++) {
            const s = live[i]!;
            if (s.dead || s.reply) continue;
            const hang = this.checkHang(s, seen[i]!, now, spec.round);
            if (hang) hangs.push(hang);
          }
          if (hangs.length) abortRound();
        } else if (
          now - abortedAt >= Math.min(GRACE_MS, opts.timeoutMs) ||
          // A worker with a hung call never answers; once all the others have, stop waiting for it.
          (hangs.length > 0 && live.every((s) => s.reply || s.dead || hangs.some((h) => h.workerId === s.id)))
        ) {
          // Whoever has not answered by now cannot: terminate it (a sync loop never yields).
          for (const s of live) {
            if (!s.reply && !s.dead) {
              s.alive = false;
              s.dead = true;
              if (!this.interruptRequested && !hangs.some((h) => h.workerId === s.id)) {
                hangs.push({ workerId: s.id, where: 'calls', pending: this.pending(s.id), afterMs: now - postedAt });
              }
              this.terminate(s);
            }
          }
          this.broken = true;
          done();
          return;
        }
        if (settled()) done();
      };
      const timer = setInterval(tick, tickMs);
      if (settled()) done();
    });
    return this.collect(spec.round, live, hangs);
  }

  private checkHang(
    s: WorkerSlot,
    seen: { phase: number; since: number; seq: Float64Array; seqSince: Float64Array },
    now: number,
    round: number,
  ): Hang | null {
    const { layout, ctl, tally, opts } = this;
    let phase = Atomics.load(ctl, layout.phase(s.id));
    // Still showing an earlier round (its event loop never took this round's message): not started.
    if (this.roundOf(s.id) !== round) phase = Phase.IDLE;
    if (phase !== seen.phase) {
      seen.phase = phase;
      seen.since = now;
    }
    const b = layout.base(s.id);
    if (phase === Phase.CALLS) {
      for (let l = 0; l < opts.lanes; l++) {
        const seq = tally[b + layout.laneSeq(l)]!;
        if (seq !== seen.seq[l]) {
          seen.seq[l] = seq;
          seen.seqSince[l] = now;
        } else if (seq >= 0 && now - seen.seqSince[l]! >= opts.timeoutMs) {
          const op = opts.opNames[tally[b + layout.laneOp(l)]!]!;
          return { workerId: s.id, where: 'calls', op, pending: this.pending(s.id), afterMs: now - seen.seqSince[l]! };
        }
      }
      return null;
    }
    if (phase === Phase.BARRIER || phase === Phase.DONE || now - seen.since < opts.timeoutMs) return null;
    const where = phase === Phase.INIT ? 'init' : phase === Phase.STATS ? 'workerStats' : 'start';
    return { workerId: s.id, where, pending: this.pending(s.id), afterMs: now - seen.since };
  }

  private pending(w: number): Record<string, number> {
    const { layout, tally, opts } = this;
    const b = layout.base(w);
    const out: Record<string, number> = {};
    opts.opNames.forEach((name, op) => {
      const p = tally[b + layout.started(op)]! - tally[b + layout.done(op)]! - tally[b + layout.errors(op)]!;
      if (p > 0) out[name] = p;
    });
    return out;
  }

  private terminate(s: WorkerSlot): void {
    const w = this.pool.threads.find((t) => t.threadId === s.threadId);
    void w?.terminate().catch(() => {});
  }

  private collect(round: number, live: WorkerSlot[], hangs: Hang[], withCounts = true): RoundTallies {
    const { layout, tally, opts } = this;
    const n = opts.opNames.length;
    const out: RoundTallies = {
      round,
      ops: opts.opNames.map((name) => ({ name, started: 0, done: 0, errors: 0 })),
      errors: [],
      values: {},
      workerStats: [],
      maxCalls: new Array<number>(n).fill(0),
      overlapped: new Array<boolean>(n).fill(false),
      maxWorkers: new Array<number>(n).fill(0),
      startedAt: Infinity,
      endedAt: 0,
      samples: [],
      hangs,
      crashes: [],
      hookErrors: [],
      interrupted: this.interruptRequested,
    };
    for (const s of live) {
      // Counts come from shared memory, so a worker that died still contributes what it did.
      const b = layout.base(s.id);
      for (let op = 0; op < n && withCounts; op++) {
        const t = out.ops[op]!;
        t.started += tally[b + layout.started(op)]!;
        t.done += tally[b + layout.done(op)]!;
        t.errors += tally[b + layout.errors(op)]!;
      }
      if (s.dead && s.crashMessage !== undefined) {
        out.crashes.push({ workerId: s.id, message: s.crashMessage, exitCode: s.exitCode });
        s.reported = true;
      }
      const r = s.reply;
      if (!r) continue;
      if (r.type === 'hook-error') out.hookErrors.push({ hook: r.hook, workerId: s.id, message: r.message });
      if (r.type !== 'done') continue;
      for (const e of r.errors) out.errors.push({ ...e, workerId: s.id });
      // A loop, not push(...vals): spreading a million values overflows the stack.
      for (const [op, vals] of Object.entries(r.values)) {
        const into = (out.values[op] ??= []);
        for (const v of vals) into.push(v);
      }
      out.workerStats.push(r.workerStats);
      for (let op = 0; op < n; op++) {
        out.maxCalls[op] = Math.max(out.maxCalls[op]!, r.maxCalls[op]!);
        out.overlapped[op] = out.overlapped[op]! || r.overlapped[op] === 1;
        out.maxWorkers[op] = Math.max(out.maxWorkers[op]!, r.maxWorkers[op]!);
      }
      out.startedAt = Math.min(out.startedAt, r.startedAt);
      out.endedAt = Math.max(out.endedAt, r.endedAt);
      if (r.samples) out.samples.push({ data: r.samples, stride: r.sampleStride });
    }
    if (withCounts && live.some((s) => s.reply?.type !== 'done')) {
      // Some worker never answered (hung, crashed, interrupted): its calls ran from about the post until now.
      out.startedAt = Math.min(out.startedAt, this.roundPostedAt);
      out.endedAt = Math.max(out.endedAt, performance.timeOrigin + performance.now());
    }
    if (out.startedAt === Infinity) out.startedAt = out.endedAt = performance.timeOrigin + performance.now();
    return out;
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
    this.current = null;
    for (const s of this.slots) {
      if (s.alive) {
        try {
          s.port.postMessage({ type: 'stop' });
        } catch {
          /* port already closed */
        }
      }
    }
    const terminateAll = () => this.pool.threads.map((t) => t.terminate().then(() => true, () => true));
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

export { PHASE_NAMES };
