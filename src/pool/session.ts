// Main-thread side of the worker pool: rounds. A session is one set of workers (src/pool/lifecycle.ts)
// serving as many rounds as a strategy needs. A round is one message per worker each way; everything
// per call stays in shared memory, which the watchdog (src/pool/watchdog.ts) reads to find hangs.
// Here: post the round, tick the watchdog, call the round off (hang, early crash, interrupt) and give
// the workers that do not answer a grace period, then collect the raw tallies.
import { fileURLToPath } from 'node:url';
import { C, Halt, Phase, PHASE_NAMES, makeLayout, workerPhase, type Layout } from './layout.js';
import { lastReply, WorkerPool, type WorkerSlot } from './lifecycle.js';
import type { RoundReply, RoundRequest } from './protocol.js';
import type { Hang, RoundSpec, RoundTallies, SessionOptions, StoppedWorker } from './types.js';
import { Watchdog, type WatchedMemory } from './watchdog.js';
import { RoundCutoff } from './cutoff.js';
import { mergeSamples } from './error-samples.js';
import { probeWorker } from './stack-probe.js';
import { readWaits } from './waits.js';
import { HISTORY_CAP, historyBase, historyLength, joinHistories, readWorkerHistory } from './history.js';
import type { HistoryCall } from '../schema/report.js';

export type {
  ControlledSpec,
  Crash,
  Hang,
  HangWhere,
  InternalWorkerError,
  OpTally,
  RoundSpec,
  RoundTallies,
  SessionOptions,
  StoppedWorker,
  WorkerHookError,
  ScheduleRun,
} from './types.js';

/** How long workers get to answer once a round is called off, at most (and at most the timeout). */
/** How long a hung worker is given to pause for its stack (an idle one never does). */
const PROBE_MS = 500;
/** adapter-hammer's own code (dist/): its frames are not the user's. */
const TOOL_ROOT = fileURLToPath(new URL('../', import.meta.url));
const GRACE_MS = 1000;

/**
 * A count round's answers usually arrive within microseconds of its calls: the main thread waits for
 * them this long, blocked in Atomics.wait on the REPLIES count, and takes them off the ports at once
 * (no event-loop wake-up per message: 100-300 us a round, measured). Longer rounds go the event
 * loop's way; so does everything after a miss (a crash, a hang, slow calls), with a growing back-off,
 * so an adapter whose workers need the main thread (a server running there) loses at most this much.
 */
const REPLY_WAIT_MS = 2;
const REPLY_WAIT_BACKOFF_MAX = 1024;

/** The round in progress, as the lifecycle's callbacks need it. */
interface Current {
  settle(): void;
  crashed(slot: WorkerSlot): void;
  internalError(): void;
  tick(): void;
}

export class WorkerSession {
  readonly layout: Layout;
  private readonly ctl: Int32Array;
  private readonly tally: Float64Array;
  private readonly history: Float64Array | null;
  private readonly mem: WatchedMemory;
  private readonly workers: WorkerPool;
  private current: Current | null = null;
  private interruptRequested = false;
  /** Epoch ms the current round's requests were posted (time span of a round some worker never answered). */
  private roundPostedAt = 0;
  /**
   * The rounds' tick, one interval for the whole session (not one per round): ref'd while a round is in
   * progress, unref'd between rounds, re-created only when a round needs another period.
   */
  private ticker: NodeJS.Timeout | null = null;
  private tickerMs = 0;
  /** Rounds posted so far (the DOORBELL the workers wait on). */
  private posted = 0;
  /** Rounds left to play without waiting for answers synchronously, and the next back-off. */
  private replyWaitSkip = 0;
  private replyWaitBackoff = 1;
  /** A hang, crash, internal error or abort happened: the workers are no longer a complete set, no further rounds. */
  broken = false;
  closed = false;

  private constructor(private readonly opts: SessionOptions) {
    this.layout = makeLayout(opts.opNames.length, opts.lanes, opts.workers);
    this.ctl = new Int32Array(new SharedArrayBuffer(this.layout.ctlLength * 4));
    this.tally = new Float64Array(new SharedArrayBuffer(this.layout.tallyLength * 8));
    this.history = opts.history ? new Float64Array(new SharedArrayBuffer(historyLength(opts.workers) * 8)) : null;
    this.mem = { ctl: this.ctl, tally: this.tally, layout: this.layout, opNames: opts.opNames, timeoutMs: opts.timeoutMs, setupTimeoutMs: opts.setupTimeoutMs };
    this.workers = new WorkerPool(
      opts,
      this.ctl.buffer as SharedArrayBuffer,
      this.tally.buffer as SharedArrayBuffer,
      (this.history?.buffer as SharedArrayBuffer | undefined) ?? null,
      {
        reply: (slot) => {
          if (lastReply(slot)?.type === 'internal-error') this.current?.internalError();
          this.current?.settle();
        },
        crash: (slot) => {
          this.broken = true;
          this.current?.crashed(slot);
        },
        exit: () => this.current?.settle(),
      },
    );
  }

  /** Start the workers, each loading the adapter once. Rejects with a SessionStartError. */
  static async open(opts: SessionOptions): Promise<WorkerSession> {
    const s = new WorkerSession(opts);
    try {
      await s.workers.start();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /** Workers that died between rounds and that no round has reported yet: the next round does (runRounds). */
  private unreportedDeaths(): WorkerSlot[] {
    return this.workers.slots.filter((s) => s.dead && !s.reported && s.crashMessage !== undefined);
  }

  /** One more round would report a worker's death (a crash only). */
  get deathUnreported(): boolean {
    return this.unreportedDeaths().length > 0;
  }

  /** Calls started so far in round `round`, all workers (read from shared memory; for progress). */
  callsStarted(round: number): number {
    const { layout, tally, ctl, opts } = this;
    let n = 0;
    for (let w = 0; w < opts.workers; w++) {
      // A worker not yet past resetting its tallies for this round still shows the previous round's.
      const p = workerPhase(ctl, layout, w);
      if (p.round !== round || p.phase < Phase.BARRIER) continue;
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
    return (await this.runRounds([spec]))[0]!;
  }

  /**
   * Several rounds in one exchange, as jcstress runs many fresh states per barrier pass: one message per
   * worker carries them all (each with its own `shared` from its own setup), the workers play them one
   * after the other, each behind its own barrier, and answer each as it ends. The rounds share `calls`,
   * `seed`, `sampleEvery` and the time limit. Returns the tallies of the rounds played, in order: all of
   * them, or fewer when one was cut short (a hang, a crash, a failed worker hook, an interrupt or the
   * time limit), which is then the last.
   */
  async runRounds(specs: readonly RoundSpec[]): Promise<RoundTallies[]> {
    const spec = specs[0]!;
    if (this.closed) throw new Error('session is closed');
    if (this.broken) {
      // A worker died between rounds (e.g. a timer it left behind threw): this round reports it, no calls.
      const dead = this.unreportedDeaths();
      if (!dead.length) throw new Error('session cannot run more rounds');
      // This round reports it; the rest of a batch is not played.
      return [this.collect(spec.round, dead, [], [], false)];
    }
    const { ctl } = this;
    const batch = specs.length > 1;
    const first = spec.round;
    const lastRound = specs[specs.length - 1]!.round;
    const live = this.workers.live();
    Atomics.store(ctl, C.ARRIVED, 0);
    Atomics.store(ctl, C.REPLIES, 0);
    Atomics.store(ctl, C.HALT, this.interruptRequested ? Halt.ABORT : Halt.RUN);
    for (const s of live) s.replies = [];
    const duration = Array.isArray(spec.calls) ? null : spec.calls.durationMs;
    // When new calls stop: a duration round's length, or a count round's time budget.
    const limit = duration ?? spec.stopAfterMs ?? null;
    this.roundPostedAt = performance.timeOrigin + performance.now();
    this.post(specs, live, duration !== null);
    const hangs: Hang[] = [];
    const stopped: StoppedWorker[] = [];
    await new Promise<void>((resolve) => this.watch({ live, batch, first, lastRound, limit, duration, hangs, stopped }, resolve));
    return this.collectBatch(specs, live, hangs, stopped);
  }

  /**
   * Watch the exchange until every worker answered or was stopped: ticks for the watchdog and the time
   * limit, the lifecycle's callbacks (answers, crashes, internal errors), and the end of a called-off
   * round (probe the hung workers, terminate whoever did not answer). Long because it is the one place
   * these events meet; what each decides is in cutoff.ts and watchdog.ts, unit-tested there.
   */
  private watch(
    w: {
      live: WorkerSlot[];
      batch: boolean;
      first: number;
      lastRound: number;
      limit: number | null;
      duration: number | null;
      hangs: Hang[];
      stopped: StoppedWorker[];
    },
    resolve: () => void,
  ): void {
    const { ctl, opts, layout } = this;
    const { live, batch, first, lastRound, limit, duration, hangs, stopped } = w;
    // Made at the first tick: most race rounds are over long before it (the watch starts from the post either way).
    const watchStart = performance.now();
    let watchdog: Watchdog | null = null;
    const cutoff = new RoundCutoff({ limitMs: limit, graceMs: Math.min(GRACE_MS, opts.timeoutMs), batch, round: first });
    const watchMs = Math.max(10, Math.min(100, opts.timeoutMs / 10));
    const tickMs = duration !== null ? 5 : limit !== null ? Math.max(5, Math.min(watchMs, limit / 20)) : watchMs;
    // A worker is through with the batch once it sent its last answer.
    const answered = (s: WorkerSlot) => lastReply(s)?.last === true;
    const waiting = () => live.filter((s) => !answered(s) && !s.dead);
    const hung = (s: WorkerSlot) => hangs.some((h) => h.workerId === s.id);
    const settled = () => live.every((s) => answered(s) || this.workers.deathSettled(s, performance.now()));
    const done = () => {
      this.ticker?.unref();
      this.current = null;
      resolve();
    };
    const abortRound = () => {
      if (!cutoff.abort(performance.now())) return;
      Atomics.store(ctl, C.HALT, Halt.ABORT);
      Atomics.notify(ctl, C.GEN);
    };
    /** Waiting is over: each worker that has not answered is a hang or was merely slow to stop; probed (hangs), then terminated. */
    const endWaiting = (now: number) => {
      const toStop = waiting();
      for (const s of toStop) {
        if (hung(s)) continue;
        const d = watchdog!.atGraceExpiry(s.id, now, this.interruptRequested);
        if (d.hang) hangs.push(d.hang);
        else stopped.push(d.stopped);
      }
      // Before that, what each hung worker waits on and where it is (bounded).
      void (this.interruptRequested ? Promise.resolve() : this.probe(hangs, toStop)).then(() => {
        for (const s of toStop) this.workers.terminate(s);
        this.broken = true;
        done();
      });
    };
    this.current = {
      settle: () => settled() && done(),
      crashed: (slot) => {
        // (It may also have died between rounds, its phase still the last round's DONE.)
        if (cutoff.crashAborts(workerPhase(ctl, layout, slot.id))) abortRound();
        if (settled()) done();
      },
      tick: () => tick(),
      internalError: () => {
        // Its state is unknown, and peers may be waiting for it at the barrier.
        this.broken = true;
        abortRound();
      },
    };
    const tick = () => {
      if (cutoff.waitingOver) return; // the workers not answered are being probed, then terminated
      const now = performance.now();
      if (this.interruptRequested) abortRound();
      if (
        cutoff.timeUp(
          now,
          live.every((s) => s.dead || this.inCalls(s.id, first)),
        )
      ) {
        Atomics.store(ctl, C.HALT, Halt.STOP);
        // A worker waiting at a later round's barrier of the batch must notice it (barrier.ts).
        Atomics.notify(ctl, C.GEN);
      }
      watchdog ??= new Watchdog(this.mem, first, watchStart, lastRound);
      const ids = waiting().map((s) => s.id);
      if (!cutoff.aborted) {
        const found = watchdog.tick(now, ids);
        hangs.push(...found);
        if (found.length) abortRound();
      } else {
        // The watchdog tells a real hang (nothing moved for the timeout) from a worker merely slow to stop.
        watchdog.observeAll(now, ids);
        if (cutoff.stopWaiting(now, hangs.length > 0 && live.every((s) => answered(s) || s.dead || hung(s)))) return endWaiting(now);
      }
      if (settled()) done();
    };
    // Count rounds take their answers at once when they come quickly; a time limit (the budget) is
    // kept by the ticker after that, at most REPLY_WAIT_MS late. A batch lasts longer: the event
    // loop's wake-up is paid once for all its rounds.
    if (duration === null && !batch) this.takeRepliesNow(live);
    if (this.current === null) return; // settled by those answers
    this.startTicker(tickMs);
    if (settled()) done();
  }

  /**
   * Read what the hung workers' calls wait on (a lock in the database, a pool with no free connection:
   * pool/waits.ts) from every live worker, since a lock's holder may be one that answered; then pause
   * each hung worker once to see where it is (in parallel). The waits first: a pause pending in a worker
   * would stop the evaluation that reads them.
   */
  private async probe(hangs: Hang[], toStop: WorkerSlot[]): Promise<void> {
    const live = this.workers.live().filter((s) => s.threadId >= 0);
    const waits = await readWaits(
      live.map((s) => ({ workerId: s.id, threadId: s.threadId })),
      PROBE_MS,
      TOOL_ROOT,
    ).catch(() => []);
    if (waits.length) for (const h of hangs) h.waits = waits;
    await Promise.all(
      hangs.map(async (h) => {
        const s = toStop.find((x) => x.id === h.workerId);
        const p = s ? await probeWorker(s.threadId, PROBE_MS, TOOL_ROOT) : null;
        if (p) h.probe = p;
      }),
    );
  }

  /** One message per live worker carrying every round of the exchange, then the doorbell that wakes them. */
  private post(specs: readonly RoundSpec[], live: WorkerSlot[], durationMode: boolean): void {
    const spec = specs[0]!;
    const recording = (x: RoundSpec): boolean => this.history !== null && x.history === true;
    const more = specs.slice(1).map((x) => ({
      round: x.round,
      shared: x.shared,
      overlap: x.overlap,
      history: recording(x),
      controlled: x.controlled ?? null,
      as: x.as ?? null,
      lanes: x.lanes ?? null,
      // A controlled round of a batch may make fewer calls than the rest (strategies/controlled.ts).
      ...(Array.isArray(x.calls) && Array.isArray(spec.calls) && x.calls.some((n, w) => n !== (spec.calls as number[])[w]) ? { calls: x.calls } : {}),
    }));
    for (const s of live) {
      const req: RoundRequest = {
        type: 'round',
        round: spec.round,
        seed: spec.seed,
        shared: spec.shared,
        calls: Array.isArray(spec.calls) ? spec.calls[s.id]! : Infinity,
        durationMode,
        overlap: spec.overlap,
        sampleEvery: spec.sampleEvery,
        history: recording(spec),
        more,
        controlled: spec.controlled ?? null,
        as: spec.as ?? null,
        lanes: spec.lanes ?? null,
      };
      this.workers.post(s, req);
    }
    // Every request is in its port's queue now: ring for the workers waiting for it (worker.ts).
    Atomics.store(this.ctl, C.DOORBELL, ++this.posted);
    Atomics.notify(this.ctl, C.DOORBELL);
  }

  /**
   * Each round of a batch, as far as it was played: a round every worker answered as done is complete
   * (its tallies come from the answers); the first that was not (cut short) is the last one reported.
   * A round whose answer went down with a worker later in the batch is left out (its round number is
   * missing from the result).
   */
  private collectBatch(specs: readonly RoundSpec[], live: WorkerSlot[], hangs: Hang[], stopped: StoppedWorker[]): RoundTallies[] {
    const out: RoundTallies[] = [];
    for (const [k, spec] of specs.entries()) {
      const replyOf = (s: WorkerSlot) => s.replies.find((r) => r.round === spec.round);
      const history = this.history !== null && spec.history === true;
      if (live.every((s) => replyOf(s)?.type === 'done')) {
        out.push(this.collect(spec.round, live, [], [], true, history, replyOf));
        continue;
      }
      // A worker got past this round but its answer never came (it holds a batch's answers until the
      // batch ends, and died or hung later in it): the round cannot be told, so it is not reported.
      if (live.some((s) => replyOf(s) === undefined && workerPhase(this.ctl, this.layout, s.id).round > spec.round)) continue;
      // The round that was cut short: only the workers that reached it count (a worker still in the
      // previous round shows that round's tallies). A later round of the batch that every worker that
      // reached it called off at its barrier (the time limit), or that no worker reached, never ran: not reported.
      const reached = live.filter((s) => replyOf(s) !== undefined || workerPhase(this.ctl, this.layout, s.id).round === spec.round);
      const ran = reached.some((s) => replyOf(s)?.type !== 'aborted');
      if (k > 0 && !ran && (reached.length === 0 || (!this.interruptRequested && hangs.length === 0))) break;
      out.push(this.collect(spec.round, k > 0 ? reached : live, hangs, stopped, true, history, replyOf));
      break;
    }
    return out;
  }

  /** Wait briefly for every live worker's answer and take them now (see REPLY_WAIT_MS). */
  private takeRepliesNow(live: WorkerSlot[]): void {
    if (this.replyWaitSkip > 0) {
      this.replyWaitSkip--;
      return;
    }
    const deadline = performance.now() + REPLY_WAIT_MS;
    let n = 0;
    while ((n = Atomics.load(this.ctl, C.REPLIES)) < live.length) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.ctl, C.REPLIES, n, left) === 'timed-out') break;
    }
    if (n >= live.length) this.replyWaitBackoff = 1;
    else {
      this.replyWaitSkip = this.replyWaitBackoff;
      this.replyWaitBackoff = Math.min(REPLY_WAIT_BACKOFF_MAX, 2 * this.replyWaitBackoff);
    }
    // Those that answered are taken even on a miss; each goes through the lifecycle's usual path.
    for (const s of live) if (!s.replies.length && !s.dead && this.current !== null) this.workers.takeReplies(s);
  }

  private startTicker(ms: number): void {
    if (this.ticker && this.tickerMs === ms) {
      this.ticker.ref();
      return;
    }
    if (this.ticker) clearInterval(this.ticker);
    this.tickerMs = ms;
    this.ticker = setInterval(() => this.current?.tick(), ms);
  }

  /** Worker `w` is past the barrier of round `round` (or finished it early, e.g. its init failed), or in a later round of the batch. */
  private inCalls(w: number, round: number): boolean {
    const p = workerPhase(this.ctl, this.layout, w);
    return p.round > round || (p.round === round && p.phase >= Phase.CALLS);
  }

  /**
   * One round's tallies from every worker's answer (or, for a worker that never answered, from shared
   * memory). Long because it is one pass over the workers that fills every field of the tallies; split
   * by field it would walk the answers several times per round, on the main thread's hot path.
   */
  private collect(
    round: number,
    live: WorkerSlot[],
    hangs: Hang[],
    stopped: StoppedWorker[],
    withCounts = true,
    withHistory = false,
    replyOf: (s: WorkerSlot) => RoundReply | undefined = lastReply,
  ): RoundTallies {
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
      internalErrors: [],
      stopped,
      interrupted: this.interruptRequested,
      history: null,
      schedules: null,
      awaits: 0,
      retries: null,
    };
    const histories: (() => HistoryCall[])[] = [];
    let omitted = 0;
    for (const s of live) {
      const r = replyOf(s);
      // Counts come from the answer's copy, or from shared memory: a worker that died, hung or was
      // stopped still contributes what it did.
      const src: ArrayLike<number> = r?.type === 'done' ? r.tally : tally;
      const b = r?.type === 'done' ? 0 : layout.base(s.id);
      let started = 0;
      for (let op = 0; op < n && withCounts; op++) {
        const t = out.ops[op]!;
        started += src[b + layout.started(op)]!;
        t.started += src[b + layout.started(op)]!;
        t.done += src[b + layout.done(op)]!;
        t.errors += src[b + layout.errors(op)]!;
      }
      if (withHistory && withCounts) {
        // From shared memory too: a hung or crashed worker's calls show, without their values.
        const recorded = Math.min(started, HISTORY_CAP);
        omitted += started - recorded;
        if (r?.type === 'done' && r.detail?.historySlots) {
          const { historySlots, history } = r.detail;
          histories.push(() => readWorkerHistory(historySlots, 0, s.id, recorded, opts.opNames, history));
        } else {
          // Read now, not later: the next round writes over shared memory.
          const calls = readWorkerHistory(this.history!, historyBase(s.id), s.id, recorded, opts.opNames, null);
          histories.push(() => calls);
        }
      }
      if (s.dead && s.crashMessage !== undefined && r?.type !== 'done') {
        out.crashes.push({ workerId: s.id, message: s.crashMessage, exitCode: s.exitCode });
        s.reported = true;
      }
      if (!r) continue;
      if (r.type === 'hook-error') out.hookErrors.push({ hook: r.hook, workerId: s.id, message: r.message, stack: r.stack });
      if (r.type === 'internal-error') out.internalErrors.push({ workerId: s.id, message: r.message });
      if (r.type !== 'done') continue;
      const d = r.detail;
      if (d) {
        mergeSamples(out.errors, d.errors);
        // A loop, not push(...vals): spreading a million values overflows the stack.
        for (const [op, vals] of Object.entries(d.values)) {
          const into = (out.values[op] ??= []);
          for (const v of vals) into.push(v);
        }
        if (d.samples) out.samples.push({ data: d.samples, stride: d.sampleStride });
        if (d.schedule) (out.schedules ??= []).push(d.schedule);
        if (d.retries) for (const [code, n] of Object.entries(d.retries)) (out.retries ??= {})[code] = (out.retries[code] ?? 0) + n;
      }
      out.workerStats.push(d?.workerStats ?? null);
      for (let op = 0; op < n; op++) {
        out.maxCalls[op] = Math.max(out.maxCalls[op]!, r.maxCalls[op]!);
        out.overlapped[op] = out.overlapped[op]! || r.overlapped[op] === 1;
        out.maxWorkers[op] = Math.max(out.maxWorkers[op]!, r.maxWorkers[op]!);
      }
      out.startedAt = Math.min(out.startedAt, r.startedAt);
      out.endedAt = Math.max(out.endedAt, r.endedAt);
      out.awaits += r.awaits;
    }
    if (withCounts && live.some((s) => replyOf(s)?.type !== 'done')) {
      // Some worker never answered (hung, crashed, interrupted): its calls ran from about the post until now.
      out.startedAt = Math.min(out.startedAt, this.roundPostedAt);
      out.endedAt = Math.max(out.endedAt, performance.timeOrigin + performance.now());
    }
    if (withHistory && withCounts) out.history = lazyHistory(histories, omitted);
    if (out.startedAt === Infinity) out.startedAt = out.endedAt = performance.timeOrigin + performance.now();
    return out;
  }

  /**
   * Stop every worker, bounded (see WorkerPool.close). After a hang, a crash or an abort every thread
   * goes, not only the stuck ones: what the others hold may be half done (a transaction a returned call
   * left open still holds its locks), and a later session must not inherit it.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.current = null;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    await this.workers.close(!this.broken);
  }
}

export { PHASE_NAMES };

/**
 * A round's recorded calls, read into report entries when `calls` is first read: most race rounds pass
 * and nobody reads theirs (a race records every round's until the first failure), and building 20
 * entries a round was ~7 % of the main thread's time on a cheap adapter (profiled). The answers' copies
 * it reads from are the round's own.
 */
function lazyHistory(perWorker: (() => HistoryCall[])[], omitted: number): NonNullable<RoundTallies['history']> {
  let calls: HistoryCall[] | null = null;
  return {
    get calls(): HistoryCall[] {
      return (calls ??= joinHistories(perWorker.map((read) => read())));
    },
    omitted,
  };
}
