// Worker thread entry: one long-lived tinypool task per worker for a whole session. It loads the
// adapter once, then serves rounds: init -> start barrier -> all calls in async lanes -> workerStats,
// answering each round with one message. The per-call path is a handful of typed-array writes.
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { errorLine, shown, stackFrames, type StackFrame } from '../errors.js';
import { loadAdapter } from '../adapter/load.js';
import { DEFAULT_RETRY_ATTEMPTS, retryCode, type Adapter, type CallContext, type Counters } from '../adapter/types.js';
import { pinThread } from './affinity.js';
import { barrierWait } from './barrier.js';
import { C, Ctl, Halt, Phase, Tally, makeLayout, type Layout } from './layout.js';
import { mixSeed, mulberry32, opSchedule } from './prng.js';
import {
  VALUE_KEY,
  type DoneDetail,
  type RoundAnswer,
  type RoundReply,
  type RoundRequest,
  type SessionTask,
  type StopRequest,
  type SubRound,
  type WorkerReply,
} from './protocol.js';
import { recordError, SAMPLED_ERRORS, type ErrorSample } from './error-samples.js';
import { H, HISTORY_CAP, historyBase, monotonicOffset, type HistoryValues } from './history.js';
import { schedulerFor, type Scheduler, type ScheduleRun } from '../scheduler/scheduler.js';
import { parkCount } from '../scheduler/runtime.js';

const SAMPLE_CAPACITY = 1 << 16;
/**
 * After answering a round, how long a worker waits (blocked in Atomics.wait, no CPU) for the next
 * round's doorbell before going back to its event loop. The main thread posts the next round ~100 us
 * later (hooks, checks); an event loop that finds the message already there, instead of being woken
 * up for it from epoll, saves most of its latency (README, "Tuning the race detector").
 */
const NEXT_ROUND_WAIT_MS = 2;
const SCHEDULE_MAX = 1 << 16;
/** A batch's later rounds carry no rounds of their own (serveBatch reads the first message's list). */
const NO_MORE: readonly SubRound[] = [];
/**
 * Contention evidence (calls in flight, Atomics on shared cache lines) is measured only on a worker's
 * first OVERLAP_WINDOW calls of a round. Around every call it would pace the workers in lockstep on
 * those cache lines and hide the very races it is there to vouch for (README, "Tuning the race detector").
 */
const OVERLAP_WINDOW = 512;

/**
 * The first barrier pass spins this share of the second's count before it sleeps: it waits for a peer
 * that may be far behind (its hook, its event loop, a core taken by the main thread), and on 2 cores a
 * worker spinning for it holds the very core the peer or the main thread needs (README, "Tuning the race
 * detector"). The second pass starts from workers that are all awake and spins the whole count.
 */
const GATHER_SPIN_SHARE = 0.1;

/** An error's first line, truncated at the source (1000 chars): a huge message never crosses threads. */
const firstLine = errorLine;

/** adapter-hammer's own code (dist/): its stack frames are not the user's. */
const TOOL_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A worker hook's error stack, user frames first. */
const stackOf = (e: unknown): StackFrame[] => stackFrames(e instanceof Error ? e.stack : undefined, TOOL_ROOT);

/** Only a thenable is awaited: a sync operation's value costs no microtask (3-7x the calls/s of an await). */
const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';

/**
 * Unique-checked values must survive structured clone and compare by value: objects become JSON keys;
 * a Map or a Set, its entries. A class instance whose JSON shows nothing (its state in `#private` fields
 * or accessors: every one would be `{}`) cannot be compared: `opaque(type)` gives it a key of its own,
 * and the main thread says it was not checked, rather than call them all one duplicate value.
 */
function valueKey(v: unknown, opaque: (type: string) => string): unknown {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol')) return v;
  if (typeof v === 'object') {
    try {
      if (v instanceof Map || v instanceof Set) return `${VALUE_KEY.json}${JSON.stringify({ [v instanceof Map ? 'Map' : 'Set']: [...v] })}`;
      const json = JSON.stringify(v);
      const proto: unknown = Object.getPrototypeOf(v);
      if (json === '{}' && proto !== Object.prototype && proto !== null) return opaque(v.constructor?.name || 'object');
      return `${VALUE_KEY.json}${json}`;
    } catch {
      // Not JSON (a cycle, a bigint inside): inspect() tells distinct objects apart, String() would not.
      return `${VALUE_KEY.str}${shown(v)}`;
    }
  }
  return `${VALUE_KEY.str}${shown(v)}`;
}

interface RetryPolicy {
  codes: ReadonlySet<string>;
  attempts: number;
}

interface RoundState {
  next: number;
  limit: number;
  sched: Uint16Array | null;
  mask: number;
  random: () => number;
  overlap: boolean;
  sampleEvery: number;
  samples: Float64Array | null;
  nSamples: number;
  errors: ErrorSample[];
  /** Errors of each operation whose stacks were read (the first SAMPLED_ERRORS of the round). */
  errorsSampled: number[];
  values: unknown[][] | null;
  maxCalls: number[];
  overlapped: number[];
  unmarked: number;
  maxWorkers: number[];
  localIn: Int32Array;
  /** The shared history buffer while this round records its calls, else null. */
  rec: Float64Array | null;
  /** Inputs, outputs and error lines of the recorded calls, by call index. */
  recValues: HistoryValues;
  /** Calls retried after a declared error, by its code (`retry`): null until the first. */
  retries: Record<string, number> | null;
}

class Engine {
  private readonly ctl: Int32Array;
  private readonly tally: Float64Array;
  private readonly layout: Layout;
  private readonly base: number;
  /** Per operation: the call (a plain operation's function, or a spec's `run(input, ctx)`). */
  private readonly fns: ((a: unknown, b: CallContext) => unknown)[];
  /** Per operation: a spec's `input(ctx)`, null for a plain operation. */
  private readonly inputs: (((ctx: CallContext) => unknown) | null)[];
  private readonly history: Float64Array | null;
  /** performance.now() + clock = the process's monotonic clock, one for every thread (pool/history.ts). */
  private readonly clock = monotonicOffset();
  private readonly gatherSpins: number;
  /** The adapter's `retry`, compiled; null: no call is retried (the hot path as ever). */
  private readonly retry: RetryPolicy | null;

  get workerId(): number {
    return this.task.workerId;
  }

  private opaqueSeq = 0;
  /** A key no other value has (this worker, a count): a value that cannot be compared is never a duplicate. */
  private readonly opaqueKey = (type: string): string => `${VALUE_KEY.opaque}${type}:${this.task.workerId}:${this.opaqueSeq++}`;

  constructor(
    private readonly task: SessionTask,
    private readonly adapter: Adapter,
    private readonly opNames: string[],
  ) {
    this.ctl = new Int32Array(task.ctl);
    this.tally = new Float64Array(task.tally);
    this.layout = makeLayout(opNames.length, task.lanes, task.workers);
    this.base = this.layout.base(task.workerId);
    this.history = task.history ? new Float64Array(task.history) : null;
    this.gatherSpins = Math.ceil(task.barrierSpins * GATHER_SPIN_SHARE);
    // Bind once so `this` inside an operation is the operations object, as the author wrote it.
    const entries = opNames.map((n) => adapter.operations[n]!);
    this.fns = entries.map((e) => (typeof e === 'function' ? (e.bind(adapter.operations) as (ctx: unknown) => unknown) : e.run.bind(e)));
    this.inputs = entries.map((e) => (typeof e === 'function' ? null : e.input.bind(e)));
    this.retry = adapter.retry ? { codes: new Set(adapter.retry.codes.map(String)), attempts: adapter.retry.attempts ?? DEFAULT_RETRY_ATTEMPTS } : null;
  }

  private setPhase(phase: number, round: number): void {
    // Round first: the watchdog reads the phase first (layout.ts, workerPhase).
    Atomics.store(this.ctl, this.layout.round(this.task.workerId), round);
    Atomics.store(this.ctl, this.layout.phase(this.task.workerId), phase);
  }

  /**
   * One round in this worker: init, the barrier, the lanes' calls, workerStats, the answer. Long because
   * it is the hot path between the barrier's release and the first call (README: "Tuning the race
   * detector", item 8): every step moved into another function was measured to widen the start-of-round
   * skew that decides whether a race window is hit.
   */
  async round(req: RoundRequest): Promise<RoundAnswer> {
    const { task, layout, tally, base } = this;
    const ops = layout.ops;
    // A replay repeats another round's calls: its seeds and init's round (the round number stays its own).
    const as = req.as ?? req.round;
    // A search plays a smaller setup on this session: only the first `lanes` lanes take calls.
    const lanes = Math.min(req.lanes ?? task.lanes, task.lanes);
    const awaitsBefore = parkCount.value;
    this.setPhase(Phase.INIT, req.round);
    tally.fill(0, base, base + layout.stride);
    for (let l = 0; l < task.lanes; l++) tally[base + layout.laneSeq(l)] = -1;
    try {
      await this.adapter.init?.(req.shared, { workerId: task.workerId, workers: task.workers, lanes, round: as, args: task.args });
    } catch (e) {
      // Nobody may wait at the barrier for a worker that will never arrive.
      Atomics.store(this.ctl, C.HALT, Halt.ABORT);
      Atomics.notify(this.ctl, C.GEN);
      this.setPhase(Phase.DONE, req.round);
      return { type: 'hook-error', round: req.round, hook: 'init', message: firstLine(e), stack: stackOf(e) };
    }
    const seed = mixSeed(req.seed, as, task.workerId);
    const schedLen = Math.min(SCHEDULE_MAX, 2 ** Math.ceil(Math.log2(Math.max(2, Number.isFinite(req.calls) ? req.calls : SCHEDULE_MAX))));
    const sched = opSchedule(task.weights, schedLen, mulberry32(seed ^ 0x5bd1e995));
    const st: RoundState = {
      next: 0,
      limit: req.calls,
      sched,
      mask: schedLen - 1,
      random: mulberry32(seed),
      overlap: req.overlap,
      sampleEvery: req.sampleEvery,
      samples: req.sampleEvery > 0 ? new Float64Array(SAMPLE_CAPACITY) : null,
      nSamples: 0,
      errors: [],
      errorsSampled: new Array<number>(ops).fill(0),
      // Timed rounds (throughput) check no uniqueness: keeping millions of values would only cost memory
      // and overflow the stack where they are merged.
      values: task.uniqueOps.some(Boolean) && !req.durationMode ? task.uniqueOps.map(() => []) : null,
      maxCalls: new Array<number>(ops).fill(0),
      overlapped: new Array<number>(ops).fill(0),
      unmarked: ops,
      maxWorkers: new Array<number>(ops).fill(0),
      localIn: new Int32Array(ops),
      rec: req.history ? this.history : null,
      recValues: { inputs: this.inputs.some((f) => f !== null) ? [] : null, outputs: [], errors: [] },
      retries: null,
    };
    this.setPhase(Phase.BARRIER, req.round);
    // Two barrier passes: the first gathers everyone (a worker may have gone to sleep in Atomics.wait
    // while waiting for a slow peer); the second starts from workers that are all awake and spinning,
    // so the release skew is that of a spin (~0.1-1 us), not of a futex wake-up (50+ us). A check-then-act
    // window of nanoseconds at the start of a round is only hit when the start is that tight.
    if (!barrierWait(this.ctl, task.workers, this.gatherSpins)) return this.aborted(req.round);
    // The phase and the start time are written between the passes, not after the release: each costs
    // tens of ns with a tail of hundreds, and anything between the release and the first call adds to
    // the skew between the workers' first calls (the two CPUs do not run it at the same speed), which
    // closes a race window of ~50 ns (README, "Tuning the race detector"). Nothing but this code runs
    // between the passes, so "calls" is never shown for a worker that is waiting on a peer's hook.
    this.setPhase(Phase.CALLS, req.round);
    const t0 = performance.now();
    const startedAt = performance.timeOrigin + t0;
    if (!barrierWait(this.ctl, task.workers, task.barrierSpins)) return this.aborted(req.round);
    let scheduled: ScheduleRun | null = null;
    if (req.controlled) {
      // Lanes start when their scheduler grants them, not at the release: each call's start is read then.
      const scheduler = schedulerFor(req.controlled, { seed: req.seed, round: as, workerId: task.workerId, lanes });
      scheduled = await scheduler.run(Array.from({ length: lanes }, (_, l) => () => this.lane(l, st, NaN, scheduler)));
    } else {
      const running: Promise<void>[] = [];
      for (let l = 0; l < lanes; l++) running.push(this.lane(l, st, l === 0 ? t0 + this.clock : NaN, null));
      await Promise.all(running);
    }
    const endedAt = performance.timeOrigin + performance.now();
    // One event-loop turn before answering (per round, not per call): an unhandled rejection or an
    // immediate that throws, left behind by this round's calls, kills the worker now, so the crash
    // lands in this round instead of passing unnoticed after the last round's reply.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.setPhase(Phase.STATS, req.round);
    let workerStats: Counters | null = null;
    try {
      workerStats = (await this.adapter.workerStats?.()) ?? null;
    } catch (e) {
      this.setPhase(Phase.DONE, req.round);
      return { type: 'hook-error', round: req.round, hook: 'workerStats', message: firstLine(e), stack: stackOf(e) };
    }
    let values: Record<string, unknown[]> | null = null;
    if (st.values) st.values.forEach((v, op) => task.uniqueOps[op] && ((values ??= {})[this.opNames[op]!] = v));
    this.setPhase(Phase.DONE, req.round);
    const detail: DoneDetail | null =
      st.errors.length || values || workerStats || st.samples || st.rec || scheduled || st.retries
        ? {
            errors: st.errors,
            values: values ?? {},
            workerStats,
            samples: st.samples ? st.samples.slice(0, st.nSamples) : null,
            sampleStride: st.sampleEvery,
            history: st.rec ? st.recValues : null,
            // A copy: the next round of a batch starts over in shared memory before the main thread reads
            // it. A typed array: times are doubles, which a plain array would carry as an object each.
            historySlots: st.rec
              ? st.rec.slice(historyBase(task.workerId), historyBase(task.workerId) + Math.min(st.next, st.limit, HISTORY_CAP) * H.STRIDE)
              : null,
            schedule: scheduled,
            retries: st.retries,
          }
        : null;
    return {
      type: 'done',
      round: req.round,
      maxCalls: st.maxCalls,
      overlapped: st.overlapped,
      maxWorkers: st.maxWorkers,
      startedAt,
      endedAt,
      // A copy too (see historySlots above).
      tally: countsOf(tally, base, Tally.OP_STRIDE * ops),
      detail,
      awaits: parkCount.value - awaitsBefore,
    };
  }

  private aborted(round: number): RoundAnswer {
    this.setPhase(Phase.DONE, round);
    return { type: 'aborted', round };
  }

  /**
   * One async lane: takes the next call index until the round's share is used up or HALT is set.
   * `firstStart`: the recorded start of the lane's first call when it was read before the barrier
   * released (NaN: read it then). It is earlier than the call's real start, which only relaxes the
   * real-time order a model's check goes by: never a false violation. `scheduler`: a controlled round's.
   */
  private async lane(l: number, st: RoundState, firstStart: number, scheduler: Scheduler | null): Promise<void> {
    const { tally, ctl, fns, inputs, layout } = this;
    const b = this.base;
    const seqIdx = b + layout.laneSeq(l);
    const opIdx = b + layout.laneOp(l);
    const workerId = this.task.workerId;
    const random = st.random;
    const rec = st.rec;
    const recBase = historyBase(workerId);
    const { inputs: recIn, outputs: recOut, errors: recErr } = st.recValues;
    const clock = this.clock;
    const retry = this.retry;
    for (;;) {
      const i = st.next++;
      if (i >= st.limit || Atomics.load(ctl, C.HALT) !== Halt.RUN) break;
      const op = st.sched === null ? 0 : st.sched[i & st.mask]!;
      // Controlled: each call starts only when this lane is granted (a scheduling point of its own).
      if (scheduler !== null) {
        const granted = scheduler.beginCall(this.opNames[op]!, i);
        if (granted) await granted;
      }
      const slot = b + Tally.OP_STRIDE * op;
      tally[seqIdx] = i;
      tally[opIdx] = op;
      tally[slot + Tally.STARTED]!++;
      const inst = st.overlap && i < OVERLAP_WINDOW;
      if (inst) this.enter(op, st);
      const timed = st.sampleEvery !== 0 && (i & (st.sampleEvery - 1)) === 0;
      const t0 = timed ? performance.now() : 0;
      // Recorded: op, lane, start now; end when it settles (NaN until then: a hang shows as in flight).
      const h = rec !== null && i < HISTORY_CAP ? recBase + i * H.STRIDE : -1;
      if (h >= 0) {
        rec![h + H.OP] = op;
        rec![h + H.LANE] = l;
        rec![h + H.END] = NaN;
        recErr[i] = null;
        rec![h + H.START] = firstStart === firstStart ? firstStart : performance.now() + clock;
        firstStart = NaN;
      }
      try {
        const ctx: CallContext = { workerId, call: i, random };
        const input = inputs[op]!;
        let arg: unknown = ctx;
        if (input !== null) {
          arg = input(ctx);
          if (h >= 0) recIn![i] = arg;
        }
        let v = retry === null ? fns[op]!(arg, ctx) : this.retrying(fns[op]!, arg, ctx, st, retry);
        if (isThenable(v)) v = await v;
        if (h >= 0) {
          rec![h + H.END] = performance.now() + clock;
          recOut[i] = v;
        }
        tally[slot + Tally.DONE]!++;
        if (st.values !== null && this.task.uniqueOps[op]) st.values[op]!.push(valueKey(v, this.opaqueKey));
      } catch (e) {
        if (h >= 0) {
          rec![h + H.END] = performance.now() + clock;
          recErr[i] = firstLine(e);
        }
        tally[slot + Tally.ERRORS]!++;
        if (st.errorsSampled[op]!++ < SAMPLED_ERRORS) recordError(st.errors, this.opNames[op]!, e, TOOL_ROOT);
      }
      if (timed) this.sample(performance.now() - t0, st);
      if (inst) this.exit(op, st);
    }
    tally[seqIdx] = -1;
  }

  /**
   * A call of an adapter that declares `retry`: the operation again, up to `attempts` times, while it
   * throws one of the declared errors (a serialization failure, a deadlock: what the application would
   * retry too). Each retry is counted by its code; the last error, or any other, is the call's error.
   */
  private async retrying(fn: (a: unknown, ctx: CallContext) => unknown, arg: unknown, ctx: CallContext, st: RoundState, retry: RetryPolicy): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(arg, ctx);
      } catch (e) {
        const code = attempt < retry.attempts ? retryCode(e, retry.codes) : null;
        if (code === null) throw e;
        (st.retries ??= {})[code] = (st.retries[code] ?? 0) + 1;
      }
    }
  }

  private enter(op: number, st: RoundState): void {
    const { ctl, layout } = this;
    const idx = layout.opInflight(op);
    const same = Atomics.add(ctl, idx, 1) + 1;
    if (same > st.maxCalls[op]!) st.maxCalls[op] = same;
    // With one operation, its count is the count of all calls: one contended Atomic fewer, at the very
    // moment the workers' first calls should collide.
    const all = layout.ops === 1 ? same : Atomics.add(ctl, C.ALL_INFLIGHT, 1) + 1;
    // Which operations did this call overlap? Only scanned while some are still unmarked.
    if (all > 1 && st.unmarked > 0) {
      for (let o = 0; o < layout.ops; o++) {
        if (st.overlapped[o] === 0 && (o === op || Atomics.load(ctl, layout.opInflight(o)) > 0)) {
          st.overlapped[o] = 1;
          st.unmarked--;
        }
      }
    }
    if (st.localIn[op]!++ === 0) {
      const w = Atomics.add(ctl, idx + Ctl.OP_WORKERS, 1) + 1;
      if (w > st.maxWorkers[op]!) st.maxWorkers[op] = w;
    }
  }

  private exit(op: number, st: RoundState): void {
    const { ctl, layout } = this;
    const idx = layout.opInflight(op);
    Atomics.sub(ctl, idx, 1);
    if (layout.ops !== 1) Atomics.sub(ctl, C.ALL_INFLIGHT, 1);
    if (--st.localIn[op]! === 0) Atomics.sub(ctl, idx + Ctl.OP_WORKERS, 1);
  }

  /** Keep latency samples bounded: when full, keep every other one and sample half as often. */
  private sample(ms: number, st: RoundState): void {
    const s = st.samples!;
    if (st.nSamples === s.length) {
      for (let i = 0; i < s.length / 2; i++) s[i] = s[2 * i]!;
      st.nSamples = s.length / 2;
      st.sampleEvery *= 2;
    }
    s[st.nSamples++] = ms;
  }
}

/**
 * `n` counts of the tally from `base`, as a plain array: small integers travel as such, where a typed
 * array's copy would be an ArrayBuffer each, external memory the collector pays more for.
 */
function countsOf(tally: Float64Array, base: number, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = tally[base + i]!;
  return out;
}

/**
 * Post an answer, or a batch's answers in one message. Recorded inputs and outputs are the adapter's
 * values: one that cannot be cloned (a function, a class with private state) is sent as its inspected
 * text instead of losing the answer.
 */
function post(port: SessionTask['port'], reply: WorkerReply | RoundReply[]): void {
  try {
    port.postMessage(reply);
  } catch (e) {
    const replies = Array.isArray(reply) ? reply : [reply];
    if (!replies.some((r) => r.type === 'done' && r.detail?.history)) throw e;
    const safe = (v: unknown): unknown => {
      try {
        return structuredClone(v);
      } catch {
        return shown(v);
      }
    };
    const cloneable = <R extends WorkerReply>(r: R): R => {
      const h = r.type === 'done' ? r.detail?.history : null;
      if (r.type !== 'done' || !r.detail || !h) return r;
      return { ...r, detail: { ...r.detail, history: { inputs: h.inputs?.map(safe) ?? null, outputs: h.outputs.map(safe), errors: h.errors } } };
    };
    port.postMessage(Array.isArray(reply) ? reply.map(cloneable) : cloneable(reply));
  }
}

/**
 * The worker's one long-lived task: load the adapter, then serve rounds until the session closes. Long
 * because the message loop's answer, hold and doorbell logic share its few variables, and it runs once
 * per worker (not per round).
 */
export default async function runSession(task: SessionTask): Promise<void> {
  const { port } = task;
  if (task.quietStdout) process.stdout.write = process.stderr.write.bind(process.stderr);
  let engine: Engine;
  try {
    // Controlled rounds need the adapter's awaits rewritten as it loads (instrument/): hooks first.
    // Imported only then: the parser and source-map modules are most of an uninstrumented worker's start-up.
    const hooks = task.instrument ? await import('../instrument/register.js') : null;
    if (hooks && task.instrument) await hooks.registerInstrumentation(task.instrument);
    const loaded = await loadAdapter(task.adapterPath, process.cwd(), hooks?.importInstrumented);
    engine = new Engine(task, loaded.adapter, loaded.opNames);
  } catch (e) {
    port.postMessage({ type: 'load-error', message: firstLine(e) } satisfies WorkerReply);
    port.close();
    return;
  }
  if (task.pinCpus) pinThread(task.workerId + (task.cpuOffset ?? 0)); // each worker on its own CPU, so shared-memory races can happen at all
  port.postMessage({ type: 'ready', threadId } satisfies WorkerReply);
  const ctl = new Int32Array(task.ctl);
  /** Round messages taken so far; the session's DOORBELL counts those it posted. */
  let served = 0;
  await new Promise<void>((resolve) => {
    /** A batch's answers before its last: posted together with it (below). */
    let held: RoundReply[] = [];
    const answer = (reply: RoundReply): void => {
      // Each post wakes the main thread's event loop, which then takes a core from the workers in the
      // middle of the batch (2-core machines): a batch's answers go together, when it ends, in one
      // message (a message per answer cost the main thread a wake-up per answer: ~1 ms for 32, measured).
      // If the worker dies or hangs before that, those rounds are lost, never misreported (session.ts).
      if (!reply.last) {
        held.push(reply);
        return;
      }
      if (held.length) {
        held.push(reply);
        post(port, held);
        held = [];
      } else post(port, reply);
      // After the post: once the session counts every worker's last answer, each is in its port's queue.
      Atomics.add(ctl, C.REPLIES, 1);
      Atomics.notify(ctl, C.REPLIES);
      // Not taken here: delivered by the event loop as before (its poll phase, at once, the thread being
      // awake), so timers due between rounds still fire between rounds, and a round's closing turn
      // (setImmediate, above) still comes before any timer that fell due during its calls.
      Atomics.wait(ctl, C.DOORBELL, served, NEXT_ROUND_WAIT_MS);
    };
    const play = (req: RoundRequest): Promise<RoundAnswer> =>
      engine.round(req).catch((e: unknown): RoundAnswer => ({ type: 'internal-error', round: req.round, message: firstLine(e) }));
    /** A batch: its rounds one after the other, each answered as it ends, until one is not done or the round is called off. */
    const serveBatch = async (msg: RoundRequest): Promise<void> => {
      let req = msg;
      for (let i = 0; ; i++) {
        const reply = await play(req);
        const next = msg.more[i];
        const last = next === undefined || reply.type !== 'done' || Atomics.load(ctl, C.HALT) !== Halt.RUN;
        // Set, not spread: a spread followed by more properties costs V8 ~1 us an object (measured),
        // per round here, between one round's calls and the next round's barrier.
        (reply as RoundReply).last = last;
        answer(reply as RoundReply);
        if (last) return;
        req = {
          type: 'round',
          round: next.round,
          seed: msg.seed,
          shared: next.shared,
          calls: next.calls?.[engine.workerId] ?? msg.calls,
          durationMode: msg.durationMode,
          overlap: next.overlap,
          sampleEvery: msg.sampleEvery,
          history: next.history,
          more: NO_MORE,
          controlled: next.controlled,
          as: next.as,
          lanes: next.lanes,
        };
      }
    };
    const serve = (msg: RoundRequest | StopRequest): void => {
      if (msg.type === 'stop') {
        port.close();
        resolve();
        return;
      }
      served++;
      void serveBatch(msg);
    };
    port.on('message', serve);
  });
}
