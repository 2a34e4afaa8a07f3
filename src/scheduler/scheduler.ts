// A seeded scheduler for the async lanes of ONE worker thread. Each lane runs in its own async context;
// every instrumented `await` parks the lane (runtime.ts), and the scheduler lets exactly one lane continue
// at a time. A "step" is what one lane runs from a grant until all its continuations are parked again (or
// it ends): the scheduler lets the microtask queue drain (one macrotask turn), then chooses the next lane
// among the READY ones, those whose awaited value has settled. Threads are not touched: each worker has
// its own scheduler and workers still race for real.
//
// Strategies: a uniform random walk, and PCT (Burckhardt et al., ASPLOS 2010, as Coyote and shuttle run
// it): random distinct lane priorities, d - 1 change points at random steps among the estimated step count,
// always the highest-priority ready lane. Each decision taken while two or more lanes were alive is
// recorded; the string (schedule.ts) replays exactly, and a replay that cannot follow it says where.
//
// Partly controlled: code that resumes without a grant (a timer or I/O callback, a continuation of an
// await the instrumentation did not rewrite, e.g. inside node_modules) runs outside the scheduler. It is
// noticed when it reaches its next instrumented await while another lane (or none) holds the grant, and
// counted as an uncontrolled resumption: a run with any cannot promise exact replay.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { OptionError } from '../errors.js';
import { laneContext, type Parker } from './runtime.js';
import { decodeSchedule, encodeSchedule, MAX_LANES, type Schedule, type StrategyName } from './schedule.js';

/** Where a lane stands before its first step, and at the start of each call (beginCall). */
export const START_SITE = 'start';
export const CALL_SITE = 'call';

export interface SchedulerOptions {
  strategy: StrategyName;
  seed: number;
  /** The round and the worker: a fresh schedule per (seed, round, worker). */
  round?: number;
  workerId?: number;
  lanes: number;
  /** PCT's bug depth d: d - 1 priority change points. Default 3. */
  depth?: number;
  /** PCT: the steps a round is expected to take, where change points are drawn (the last round's `steps`). */
  estimatedSteps?: number;
  /** A schedule string to replay instead of choosing. */
  replay?: string | null;
  /** Replay as far as the schedule fits, then continue without preempting (for shrinking); never diverges. */
  lenient?: boolean;
  /** How long to wait for a lane to become ready before declaring a stall (or, replaying, a divergence). */
  stallMs?: number;
}

export interface TraceStep {
  step: number;
  lane: number;
  /** The operation the lane was running and its call number in the lane (-1 before its first call). */
  op: string | null;
  call: number;
  /** The await the lane resumed from (`file:line:col`, or 'start' / 'call'). */
  from: string;
  /** Where the step ended: the await it parked at, 'end' (the lane finished), or null (it blocked on something uninstrumented). */
  to: string | null;
  /** The lane switched away from although it was ready to continue: this step is a preemption. */
  preempted: number | null;
}

export interface UncontrolledResumption {
  /** The step during which it happened (0: before the first). */
  step: number;
  lane: number;
  site: string;
}

export interface ScheduleRun {
  /** The decisions taken, replayable (schedule.ts). */
  schedule: string;
  steps: number;
  preemptions: number;
  trace: TraceStep[];
  uncontrolled: UncontrolledResumption[];
  /** A replay that could not follow its schedule: where and why. */
  divergence: string | null;
  /** No lane became ready within stallMs: the rest ran uncontrolled. */
  stalled: string | null;
}

interface Parked {
  site: string;
  settled: boolean;
  ok: boolean;
  value: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Lane {
  parked: Parked[];
  done: boolean;
  op: string | null;
  call: number;
}

/** One 32-bit seed from (seed, round, worker): murmur3's finaliser over each part. */
export function roundSeed(seed: number, round = 0, workerId = 0): number {
  let h = 0x1b873593;
  for (const part of [seed, round, workerId]) {
    h ^= part >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h | 0;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler implements Parker {
  readonly lanes: Lane[];
  private readonly strategy: StrategyName;
  private readonly depth: number;
  private readonly rng;
  private readonly replay: Schedule | null;
  private readonly lenient: boolean;
  private readonly stallMs: number;
  /** PCT: each lane's priority (higher runs first) and the steps at which the running lane's drops. */
  private readonly priority: number[] = [];
  private readonly changeAt = new Map<number, number>();
  private running = -1;
  private released = false;
  private wake: (() => void) | null = null;
  private readonly decisions: number[] = [];
  private readonly trace: TraceStep[] = [];
  private readonly uncontrolled: UncontrolledResumption[] = [];
  private preemptions = 0;
  private divergence: string | null = null;
  private stalled: string | null = null;

  constructor(opts: SchedulerOptions) {
    if (!Number.isInteger(opts.lanes) || opts.lanes < 1 || opts.lanes > MAX_LANES)
      throw new OptionError(`lanes: ${opts.lanes} (1..${MAX_LANES} under the scheduler)`);
    this.replay = opts.replay ? decodeSchedule(opts.replay) : null;
    if (this.replay && this.replay.lanes !== opts.lanes)
      throw new OptionError(`schedule: it was recorded with ${this.replay.lanes} lanes, this run has ${opts.lanes}`);
    this.strategy = this.replay?.strategy ?? opts.strategy;
    this.depth = this.replay ? this.replay.depth : this.strategy === 'pct' ? (opts.depth ?? 3) : 0;
    if (this.strategy === 'pct' && (!Number.isInteger(this.depth) || this.depth < 1)) throw new OptionError(`depth: ${String(opts.depth)} (an integer >= 1)`);
    this.lenient = opts.lenient ?? false;
    this.stallMs = opts.stallMs ?? 10_000;
    this.lanes = Array.from({ length: opts.lanes }, () => ({ parked: [], done: false, op: null, call: -1 }));
    this.rng = xoroshiro128plus(roundSeed(opts.seed, opts.round, opts.workerId));
    if (this.strategy === 'pct') this.initPct(opts.estimatedSteps ?? 8 * opts.lanes);
  }

  /** Distinct priorities d .. d+n-1 in random order; d - 1 distinct change points in 1..k, the i-th lowering to i. */
  private initPct(k: number): void {
    const n = this.lanes.length;
    const prio = Array.from({ length: n }, (_, i) => this.depth + i);
    for (let i = n - 1; i > 0; i--) {
      const j = uniformInt(this.rng, 0, i);
      [prio[i], prio[j]] = [prio[j]!, prio[i]!];
    }
    this.priority.push(...prio);
    const steps = Math.max(1, Math.floor(k));
    for (let i = 1; i < this.depth && this.changeAt.size < steps;) {
      const at = uniformInt(this.rng, 1, steps);
      if (!this.changeAt.has(at)) this.changeAt.set(at, i++);
    }
  }

  /** Called (through runtime.ts) by every instrumented await of a lane. */
  park(lane: number, value: unknown, site: string): Promise<unknown> {
    if (this.released) return Promise.resolve(value);
    if (lane !== this.running) {
      // Code of this lane ran although the lane was not granted: it resumed from outside the scheduler.
      this.uncontrolled.push({ step: this.trace.length, lane, site });
    } else {
      const step = this.trace.at(-1);
      if (step && step.lane === lane && step.to === null) step.to = site;
    }
    return this.enqueue(lane, value, site);
  }

  private enqueue(lane: number, value: unknown, site: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const p: Parked = { site, settled: false, ok: true, value: undefined, resolve, reject };
      this.lanes[lane]!.parked.push(p);
      Promise.resolve(value).then(
        (v) => this.settle(p, true, v),
        (e: unknown) => this.settle(p, false, e),
      );
      this.notify();
    });
  }

  private settle(p: Parked, ok: boolean, value: unknown): void {
    p.settled = true;
    p.ok = ok;
    p.value = value;
    if (this.released) this.releaseAll();
    this.notify();
  }

  private notify(): void {
    this.wake?.();
  }

  /** Resolves true on any change (a settlement, a park, a lane's end), false after `ms` without one. */
  private changed(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve(true);
      };
    });
  }

  /**
   * Mark the start of a call in the current lane (the trace names it); also a scheduling point, except
   * for the lane's first call, which begins in the step its start was granted (a step with nothing in it
   * would be a choice, and a "preemption", that changes nothing).
   */
  beginCall(op: string, call: number): Promise<unknown> | undefined {
    const c = laneContext.getStore();
    if (!c || c.scheduler !== this) return undefined;
    const lane = this.lanes[c.lane]!;
    const first = lane.op === null;
    lane.op = op;
    lane.call = call;
    const step = this.trace.at(-1);
    if (first && step && step.lane === c.lane && step.op === null) {
      step.op = op;
      step.call = call;
      return undefined;
    }
    return this.park(c.lane, undefined, CALL_SITE);
  }

  /** Run the lanes to the end under this scheduler. A lane's rejection is rethrown after all have ended. */
  async run(laneFns: readonly (() => unknown)[]): Promise<ScheduleRun> {
    if (laneFns.length !== this.lanes.length) throw new OptionError(`lanes: ${laneFns.length} lane functions for a scheduler of ${this.lanes.length}`);
    const ended = laneFns.map((fn, i) =>
      laneContext.run({ scheduler: this, lane: i }, async () => {
        try {
          await this.enqueue(i, undefined, START_SITE); // a lane starts only when it is granted
          await fn();
        } finally {
          this.laneEnded(i);
        }
      }),
    );
    await this.loop();
    await Promise.all(ended);
    const unused = (this.replay?.decisions.length ?? 0) - this.decisions.length;
    if (!this.lenient && this.divergence === null && this.stalled === null && unused > 0)
      this.divergence = `schedule diverged at step ${this.trace.length + 1}: the run ended with ${unused} decision(s) of the schedule unused`;
    return this.result();
  }

  private laneEnded(i: number): void {
    this.lanes[i]!.done = true;
    const step = this.trace.at(-1);
    if (step && step.lane === i && step.to === null && this.running === i) step.to = 'end';
    this.notify();
  }

  private readonly isReady = (i: number): boolean => this.lanes[i]!.parked.some((p) => p.settled);

  private async loop(): Promise<void> {
    for (;;) {
      await turn(); // the granted lane runs until every continuation of it is parked or blocked
      this.running = -1;
      if (this.released) return;
      const live = this.lanes.flatMap((l, i) => (l.done ? [] : [i]));
      if (live.length === 0) return;
      const lane = this.replay ? await this.replayed(live) : await this.chosen(live);
      if (lane === null) {
        this.releaseAll();
        return;
      }
      this.grant(lane, live.length);
    }
  }

  /** Exploring: wait until some lane is ready, then let the strategy choose. */
  private async chosen(live: number[]): Promise<number | null> {
    let ready = live.filter(this.isReady);
    while (ready.length === 0) {
      if (!(await this.changed(this.stallMs))) {
        this.stalled = `no lane became ready within ${this.stallMs} ms at step ${this.trace.length + 1} (lanes ${live.join(', ')} blocked outside the scheduler)`;
        return null;
      }
      live = live.filter((i) => !this.lanes[i]!.done);
      if (live.length === 0) return null;
      ready = live.filter(this.isReady);
    }
    if (live.length < 2 || ready.length === 1) return ready[0]!;
    return this.strategy === 'pct' ? this.pctChoice(ready) : ready[uniformInt(this.rng, 0, ready.length - 1)]!;
  }

  /**
   * PCT. The lane that ran last keeps running while it is ready, except at a change point, where its
   * priority drops below every initial one; otherwise the highest-priority ready lane runs. A lane made
   * ready by I/O does not take over a lane that can continue (that would make the outside world's timing
   * a preemption): so the only preemptions are the d - 1 change points, and depth 1 never preempts.
   */
  private pctChoice(ready: number[]): number {
    const top = (): number => ready.reduce((a, b) => (this.priority[b]! > this.priority[a]! ? b : a));
    const prev = this.trace.at(-1)?.lane;
    const canContinue = prev !== undefined && ready.includes(prev);
    const change = this.changeAt.get(this.decisions.length + 1);
    if (change === undefined) return canContinue ? prev : top();
    this.priority[canContinue ? prev : top()] = change; // below every initial priority (>= d)
    return top();
  }

  /** Replaying: the recorded lane, once it is ready; or where the run left the schedule. */
  private async replayed(live: number[]): Promise<number | null> {
    const n = this.decisions.length;
    const want = live.length < 2 ? live[0]! : this.replay!.decisions[n];
    const at = `schedule diverged at step ${n + 1}`;
    if (want === undefined) return this.lenient ? this.fallback(live) : this.diverge(`${at}: it ends there, but lanes ${live.join(', ')} are still running`);
    for (;;) {
      if (this.isReady(want)) return want;
      if (this.lanes[want]!.done) return this.lenient ? this.fallback(live) : this.diverge(`${at}: lane ${want} has already finished`);
      // Shrinking tries schedules that may not fit: a lane blocked outside the scheduler is not waited for.
      if (this.lenient && !this.lanes[want]!.parked.length) return this.fallback(live);
      if (!(await this.changed(this.stallMs)))
        return this.lenient ? this.fallback(live) : this.diverge(`${at}: lane ${want} not ready within ${this.stallMs} ms`);
    }
  }

  /** Off the schedule (lenient replay): the lane that ran last if it can continue, else the lowest ready lane. */
  private async fallback(live: number[]): Promise<number | null> {
    const last = this.trace.at(-1)?.lane;
    if (last !== undefined && this.isReady(last)) return last;
    const ready = live.filter(this.isReady);
    if (ready.length > 0) return ready[0]!;
    return this.chosen(live);
  }

  private diverge(message: string): null {
    this.divergence = message;
    return null;
  }

  private grant(lane: number, live: number): void {
    const prev = this.trace.at(-1)?.lane;
    const preempted = prev !== undefined && prev !== lane && this.isReady(prev) ? prev : null;
    if (preempted !== null) this.preemptions++;
    if (live >= 2) this.decisions.push(lane);
    const l = this.lanes[lane]!;
    const i = l.parked.findIndex((p) => p.settled);
    const [p] = l.parked.splice(i, 1);
    this.trace.push({ step: this.trace.length + 1, lane, op: l.op, call: l.call, from: p!.site, to: null, preempted });
    this.running = lane;
    if (p!.ok) p!.resolve(p!.value);
    else p!.reject(p!.value);
  }

  /** Stop controlling: every parked continuation runs as soon as its value settles, as without a scheduler. */
  private releaseAll(): void {
    this.released = true;
    for (const l of this.lanes) {
      const waiting = l.parked.filter((p) => !p.settled);
      for (const p of l.parked) if (p.settled) (p.ok ? p.resolve : p.reject)(p.value);
      l.parked = waiting;
    }
  }

  private result(): ScheduleRun {
    return {
      schedule: encodeSchedule({ strategy: this.strategy, depth: this.depth, lanes: this.lanes.length, decisions: this.decisions }),
      steps: this.trace.length,
      preemptions: this.preemptions,
      trace: this.trace,
      uncontrolled: this.uncontrolled,
      divergence: this.divergence,
      stalled: this.stalled,
    };
  }
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  return new Scheduler(opts);
}
