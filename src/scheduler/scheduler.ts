// The scheduler of the async lanes of ONE worker thread: the mechanism. Each lane runs in its own async
// context; every instrumented `await` parks a continuation (runtime.ts), and the scheduler lets one thing
// run at a time. A *step* is what runs from a grant until the microtask queue is empty again (a
// process.nextTick fence: Node runs ticks only once the microtask queue is drained); then the lane
// selector (selectors.ts, injected) chooses what runs next. Threads are not touched: each worker has its
// own scheduler and workers still race for real.
//
// Only orders JavaScript can produce (causality). A parked continuation is one of:
//   free     its value had settled when it was awaited (an already-resolved promise, a plain value, a
//            callee that finished): the stand-in for a slower callee, a scheduling point;
//   bound    its value settled later, during a step (a queue's next step, a .then chain, a call started
//            from another call's callback): it resumes in that step, in JavaScript's own order, as it
//            would without the scheduler, never after something that could only happen after it;
//   outside  its value settled outside any step (real I/O, a timer of uninstrumented code): a
//            scheduling point, but such continuations run in the order their values settled, since a
//            callback's other effects are already visible when it settles one.
// A timer or immediate callback of the user's code (instrument/transform.ts rewrites the calls) is a
// scheduling point of its own: it may run at any later step, as real I/O standing behind it would
// finish in any order. setImmediate and setTimeout of 1 ms or less may run at once; longer timeouts
// once they fall due. Lane starts and call starts are scheduling points too.
//
// Every decision taken while two or more lanes were live is recorded; the string (schedule.ts) replays
// exactly. Code that resumes without a grant (an I/O callback reaching an instrumented await) is counted
// as an uncontrolled resumption: a run with any cannot promise exact replay.
import { AsyncLocalStorage } from 'node:async_hooks';
import { OptionError } from '../errors.js';
import type { ScheduleStep } from '../schema/report.js';
import { laneContext, TIMER_ITEM, type Parker } from './runtime.js';
import { encodeSchedule, MAX_LANES } from './schedule.js';
import { type ControlledSpec, type DecisionView, type LaneSelector, selectorFor, WAIT } from './selectors.js';
import { CALL_SITE, END_SITE, START_SITE, timerSite, type TimerKind } from './sites.js';

/** What one worker's scheduler did in a controlled round (what its answer carries). */
export interface ScheduleRun {
  workerId: number;
  /** The decisions taken, replayable (schedule.ts). */
  schedule: string;
  steps: number;
  preemptions: number;
  /** Lane code that ran without the scheduler's grant (I/O callbacks, uninstrumented awaits), and where the first ones were. */
  uncontrolled: number;
  uncontrolledAt: { step: number; lane: number; site: string }[];
  /** A replay that could not follow its schedule: where and why. */
  divergence: string | null;
  /** Nothing could run within stallMs: the rest ran uncontrolled. */
  stalled: string | null;
  /** Every step, when the spec asked for it (a replay that is shown). */
  trace: ScheduleStep[] | null;
}

/** Timeouts this short (and every setImmediate) may run at the next step: a stand-in for I/O, not a deadline. */
const AT_ONCE_MS = 1;
/** While steps follow each other without a wait, let the event loop turn this often (I/O, due timers). */
const TURN_EVERY_MS = 2;
const UNCONTROLLED_KEPT = 10;

interface Item {
  site: string;
  /** probing: just parked (had its value settled already?); pending: it had not; ready: it may run when granted. */
  state: 'probing' | 'pending' | 'ready';
  /** Ready because its value settled outside any step: runs in the order such values settled. */
  outside: boolean;
  ok: boolean;
  value: unknown;
  /** Continue it: resolve the park's promise, or run the timer's callback. */
  go: (item: Item) => void;
  resolve?: (v: unknown) => void;
  reject?: (e: unknown) => void;
  timer?: { call: () => void; fired: boolean; ran: boolean };
}

interface Lane {
  /** Parked continuations and timer callbacks, in the order they were parked. */
  items: Item[];
  ended: boolean;
  op: string | null;
  call: number;
}

const isThenable = (v: unknown): boolean =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

const resume = (item: Item): void => (item.ok ? item.resolve!(item.value) : item.reject!(item.value));

/** A timer callback of the user's code, in the context it was set in; a throw reaches the worker as it would from a timer. */
function runTimer(item: Item): void {
  const t = item.timer!;
  if (t.ran) return;
  t.ran = true;
  try {
    t.call();
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

const tick = (resolve: () => void): void => process.nextTick(resolve);

export class Scheduler implements Parker {
  private readonly lanes: Lane[];
  private readonly workerId: number;
  private readonly stallMs: number;
  /** 'step': what runs now was granted (settlements are the step's own); 'idle': waiting on the event loop. */
  private phase: 'step' | 'idle' = 'step';
  private released = false;
  /** Parks, settlements, timers and lane ends: the fence waits until a drain brings none. */
  private activity = 0;
  private wake: (() => void) | null = null;
  /** Continuations made ready outside any step, in the order they became ready: only the first may run. */
  private readonly outside: Item[] = [];
  private readonly decisions: number[] = [];
  private readonly items: number[] = [];
  private readonly trace: ScheduleStep[] | null;
  private current: ScheduleStep | null = null;
  private running = -1;
  private steps = 0;
  private preemptions = 0;
  private uncontrolled = 0;
  private readonly uncontrolledAt: ScheduleRun['uncontrolledAt'] = [];
  private divergence: string | null = null;
  private stalled: string | null = null;
  private turnAt = performance.now();

  constructor(
    private readonly selector: LaneSelector,
    opts: { lanes: number; workerId?: number; stallMs?: number; trace?: boolean },
  ) {
    if (!Number.isInteger(opts.lanes) || opts.lanes < 1 || opts.lanes > MAX_LANES)
      throw new OptionError(`lanes: ${opts.lanes} (1..${MAX_LANES} under the scheduler)`);
    this.lanes = Array.from({ length: opts.lanes }, () => ({ items: [], ended: false, op: null, call: -1 }));
    this.workerId = opts.workerId ?? 0;
    this.stallMs = opts.stallMs ?? 10_000;
    this.trace = opts.trace === false ? null : [];
  }

  /** Called (through runtime.ts) by every instrumented await of a lane. */
  park(lane: number, value: unknown, site: string): unknown {
    if (this.released) return value;
    this.touch();
    if (this.phase === 'idle') this.noteUncontrolled(lane, site);
    else if (lane === this.running && this.current?.to === null) this.current.to = site;
    return new Promise((resolve, reject) => {
      const item: Item = { site, state: 'probing', outside: false, ok: true, value: undefined, go: resume, resolve, reject };
      this.lanes[lane]!.items.push(item);
      if (!isThenable(value)) {
        item.state = 'ready';
        item.value = value;
        return;
      }
      Promise.resolve(value).then(
        (v) => this.settled(lane, item, true, v),
        (e: unknown) => this.settled(lane, item, false, e),
      );
      // A settled value's reaction is queued at once, before this probe: a value still probing here was pending.
      queueMicrotask(() => {
        if (item.state === 'probing') item.state = 'pending';
      });
    });
  }

  private settled(lane: number, item: Item, ok: boolean, value: unknown): void {
    item.ok = ok;
    item.value = value;
    if (item.state === 'probing') {
      item.state = 'ready'; // settled before it was awaited: free
      if (this.released) this.releaseItem(lane, item);
      return;
    }
    this.touch();
    if (this.released || this.phase === 'step') {
      // Bound: it resumes in the drain that settled it, in JavaScript's own order.
      this.remove(lane, item);
      resume(item);
      return;
    }
    item.state = 'ready';
    item.outside = true;
    this.outside.push(item);
  }

  /** A timer or immediate set by lane code (runtime.ts): its callback runs when granted. Returns Node's own handle. */
  timer(lane: number, kind: TimerKind, site: string, fn: (...a: unknown[]) => void, args: unknown[], delayMs: number): unknown {
    if (this.released) return kind === 'setImmediate' ? setImmediate(fn, ...args) : setTimeout(fn, delayMs, ...args);
    this.touch();
    const snapshot = AsyncLocalStorage.snapshot();
    const atOnce = kind === 'setImmediate' || !(delayMs > AT_ONCE_MS);
    const item: Item = {
      site: timerSite(kind, site),
      state: atOnce ? 'ready' : 'pending',
      outside: false,
      ok: true,
      value: undefined,
      go: runTimer,
      timer: { call: () => snapshot(fn, ...args), fired: false, ran: false },
    };
    this.lanes[lane]!.items.push(item);
    // Node's own timer keeps the handle real (unref, clear) and runs the callback itself once the round is over.
    const fire = (): void => {
      item.timer!.fired = true;
      if (this.released) runTimer(item);
      else if (item.state === 'pending') {
        item.state = 'ready';
        this.touch();
      }
    };
    const handle = (kind === 'setImmediate' ? setImmediate(fire) : setTimeout(fire, delayMs)) as unknown as Record<symbol, unknown>;
    handle[TIMER_ITEM] = () => this.cancel(lane, item);
    return handle;
  }

  /** clearTimeout / clearImmediate of a timer set in a lane. */
  private cancel(lane: number, item: Item): void {
    item.timer!.ran = true;
    if (this.remove(lane, item)) this.touch();
  }

  /**
   * Mark the start of a call in the current lane (the trace names it); also a scheduling point, except
   * for the lane's first call, which begins in the step its start was granted (a step with nothing in it
   * would be a choice, and a "preemption", that changes nothing).
   */
  beginCall(op: string, call: number): Promise<unknown> | undefined {
    const c = laneContext.getStore();
    if (!c || c.scheduler !== this || this.released) return undefined;
    const lane = this.lanes[c.lane]!;
    const first = lane.op === null;
    lane.op = op;
    lane.call = call;
    if (first && this.current && this.current.lane === c.lane && this.current.op === null) {
      this.current.op = op;
      this.current.call = call;
      return undefined;
    }
    return this.park(c.lane, undefined, CALL_SITE) as Promise<unknown>; // not released: a promise
  }

  /** Run the lanes to the end under this scheduler. */
  async run(laneFns: readonly (() => unknown)[]): Promise<ScheduleRun> {
    if (laneFns.length !== this.lanes.length) throw new OptionError(`lanes: ${laneFns.length} lane functions for a scheduler of ${this.lanes.length}`);
    const ended = laneFns.map((fn, i) =>
      laneContext.run({ scheduler: this, lane: i }, async () => {
        try {
          await this.park(i, undefined, START_SITE); // a lane starts only when it is granted
          await fn();
        } finally {
          this.laneEnded(i);
        }
      }),
    );
    try {
      await this.loop();
    } finally {
      this.releaseAll();
    }
    await Promise.all(ended);
    if (this.divergence === null && this.stalled === null) this.divergence = this.selector.end(this.decisions.length);
    return this.result();
  }

  private laneEnded(i: number): void {
    this.lanes[i]!.ended = true;
    if (this.running === i && this.current?.to === null) this.current.to = END_SITE;
    this.touch();
  }

  private touch(): void {
    this.activity++;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    for (;;) {
      await this.fence();
      if (performance.now() - this.turnAt > TURN_EVERY_MS) await this.turn();
      const next = await this.choose();
      if (next === null) return;
      this.grant(next.lane, next.item, next.decision);
    }
  }

  /** Until the granted code's drain is over: a nextTick runs only once the microtask queue is empty. */
  private async fence(): Promise<void> {
    for (;;) {
      const seen = this.activity;
      await new Promise<void>(tick);
      if (seen === this.activity) return;
    }
  }

  /** One event-loop turn: I/O callbacks and due timers run (outside any step). */
  private async turn(): Promise<void> {
    this.phase = 'idle';
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.turnAt = performance.now();
  }

  /** The continuation of `lane` that may run now: `item` if it may, else its first that may; -1: none. */
  private runnable(lane: number, item = -1): number {
    const items = this.lanes[lane]!.items;
    const ok = (x: Item | undefined): boolean => x !== undefined && x.state === 'ready' && (!x.outside || this.outside[0] === x);
    if (item >= 0) return ok(items[item]) ? item : -1;
    return items.findIndex(ok);
  }

  /** What runs next, waiting for something to become ready when nothing is; null: the round is over (or stalled, or diverged). */
  private async choose(): Promise<{ lane: number; item: number; decision: boolean } | null> {
    for (;;) {
      if (this.released) return null;
      const live: number[] = [];
      const ready: number[] = [];
      let running = false;
      this.lanes.forEach((l, i) => {
        running ||= !l.ended;
        if (!l.ended || l.items.length > 0) live.push(i);
        if (this.runnable(i) >= 0) ready.push(i);
      });
      // Every lane's calls returned: the round is over. What they left behind (a timer, a callback that
      // nothing awaits) runs on its own, as it would without the scheduler.
      if (!running) return null;
      let lane = WAIT;
      let item = -1;
      if (ready.length > 0) {
        const pick = live.length < 2 ? ready[0]! : this.selector.pick(this.view(live, ready));
        if (typeof pick === 'number') lane = pick;
        else if ('diverged' in pick) {
          this.divergence = pick.diverged;
          return null;
        } else ({ lane, item } = pick);
      }
      const at = lane === WAIT ? -1 : this.runnable(lane, item);
      if (at >= 0) return { lane, item: at, decision: live.length >= 2 };
      if (!(await this.idle())) {
        const waiting = lane === WAIT ? `lanes ${live.join(', ')} blocked outside the scheduler` : `the schedule waits for lane ${lane}`;
        this.stalled = `nothing could run within ${this.stallMs} ms at step ${this.steps + 1} (${waiting})`;
        return null;
      }
    }
  }

  private view(live: number[], ready: number[]): DecisionView {
    return { index: this.decisions.length, live, ready, last: this.current?.lane ?? -1, canRun: (lane, item) => this.runnable(lane, item) >= 0 };
  }

  /** Wait for a change (a settlement, a park, a timer, a lane's end); false after stallMs without one. */
  private async idle(): Promise<boolean> {
    this.phase = 'idle';
    const changed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, this.stallMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve(true);
      };
    });
    // The rest of this turn's callbacks (other I/O, immediates) before choosing.
    if (changed) await new Promise<void>((resolve) => setImmediate(resolve));
    this.turnAt = performance.now();
    return changed;
  }

  private grant(lane: number, at: number, decision: boolean): void {
    const l = this.lanes[lane]!;
    const last = this.current?.lane ?? -1;
    const preempted = last >= 0 && last !== lane && this.runnable(last) >= 0 ? last : null;
    if (preempted !== null) this.preemptions++;
    if (decision) {
      this.decisions.push(lane);
      this.items.push(at);
    }
    const [item] = l.items.splice(at, 1);
    if (item!.outside) this.outside.shift();
    this.current = { worker: this.workerId, step: ++this.steps, lane, op: l.op, call: l.call, from: item!.site, to: null, preempted };
    this.trace?.push(this.current);
    this.running = lane;
    this.phase = 'step';
    this.touch();
    item!.go(item!);
  }

  private remove(lane: number, item: Item): boolean {
    const items = this.lanes[lane]!.items;
    const i = items.indexOf(item);
    if (i < 0) return false;
    items.splice(i, 1);
    const o = this.outside.indexOf(item);
    if (o >= 0) this.outside.splice(o, 1);
    return true;
  }

  private noteUncontrolled(lane: number, site: string): void {
    this.uncontrolled++;
    if (this.uncontrolledAt.length < UNCONTROLLED_KEPT) this.uncontrolledAt.push({ step: this.steps, lane, site });
  }

  private releaseItem(lane: number, item: Item): void {
    this.remove(lane, item);
    if (!item.timer) resume(item);
    // A timer's own callback runs when Node's timer fires; one that fired while waiting for its grant runs now.
    else if (item.timer.fired) setImmediate(() => runTimer(item));
  }

  /** Stop controlling: whatever is parked runs as without a scheduler, each as soon as it may. */
  private releaseAll(): void {
    this.released = true;
    this.running = -1;
    this.lanes.forEach((l, lane) => {
      for (const item of [...l.items]) if (item.state === 'ready') this.releaseItem(lane, item);
    });
  }

  private result(): ScheduleRun {
    const items = this.items.some((x) => x > 0) ? this.items : undefined;
    return {
      workerId: this.workerId,
      schedule: encodeSchedule({ strategy: this.selector.strategy, depth: this.selector.depth, lanes: this.lanes.length, decisions: this.decisions, items }),
      steps: this.steps,
      preemptions: this.preemptions,
      uncontrolled: this.uncontrolled,
      uncontrolledAt: this.uncontrolledAt,
      divergence: this.divergence,
      stalled: this.stalled,
      trace: this.trace,
    };
  }
}

/** A worker's scheduler for one controlled round: its selector from the spec (a fresh schedule per (seed, round, worker), or the one to replay). */
export function schedulerFor(spec: ControlledSpec, at: { seed: number; round: number; workerId: number; lanes: number }): Scheduler {
  return new Scheduler(selectorFor(spec, at), { lanes: at.lanes, workerId: at.workerId, stallMs: spec.stallMs, trace: spec.trace });
}
