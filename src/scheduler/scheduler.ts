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
// A lane the selector waits for (a replay's recorded lane) whose await has not settled within a short
// bound (blockedMs), while every other lane is parked and something could run, is blocked outside the
// scheduler: in a database, a row lock that a parked lane's open transaction holds answers it only once
// that lane goes on, so waiting longer would wait for ever (until stallMs). As Coyote does with an
// operation paused on uncontrolled concurrency (a bounded wait, then an enabled operation runs), the
// selector is asked which ready lane runs instead, and the run records it (`blocked`). Only an await
// pending on the outside world qualifies: a lane timer falls due by itself and is waited for, and while a
// lane runs outside the scheduler (no parked continuation) it might settle the await, so none is blocked.
// Likewise, at once, a wanted continuation whose value settled outside after another lane's (the
// database answered the lanes in another order than when the schedule was recorded): only that other
// lane's continuation running first would let it run.
//
// Every decision taken while two or more lanes were live is recorded; the string (schedule.ts) replays
// exactly. Code that resumes without a grant (an I/O callback reaching an instrumented await) is counted
// as an uncontrolled resumption: a run with any cannot promise exact replay.
import { AsyncResource } from 'node:async_hooks';
import { inspect } from 'node:util';
import { OptionError } from '../errors.js';
import type { BlockedAt, ScheduleStep } from '../schema/report.js';
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
  /** Lanes the selector waited for that were blocked outside the scheduler (another ran instead): the first ones, and how many. */
  blocked: BlockedAt[];
  blockedCount: number;
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
  timer?: TimerCall;
}

/** A timer callback of lane code: run in the async context it was set in (its lane's, and any other AsyncLocalStorage's). */
interface TimerCall {
  context: AsyncResource;
  fn: (...a: unknown[]) => void;
  args: unknown[];
  /** Its time has come (at once for a stand-in for I/O; a longer timeout once Node's timer fired). */
  fired: boolean;
  ran: boolean;
}

/**
 * The handle of a timer the scheduler runs itself (setImmediate, setTimeout of 1 ms or less): what lane
 * code may do with Node's (unref, ref, hasRef, refresh, a number). `_destroyed` makes Node's own
 * clearImmediate and clearTimeout leave it alone, when code the instrumentation did not rewrite calls them.
 */
class SchedulerTimer {
  readonly _destroyed = true;
  private refed = true;
  constructor(readonly id: number) {}
  ref(): this {
    this.refed = true;
    return this;
  }
  unref(): this {
    this.refed = false;
    return this;
  }
  hasRef(): boolean {
    return this.refed;
  }
  refresh(): this {
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

interface Lane {
  /** Parked continuations and timer callbacks, in the order they were parked. */
  items: Item[];
  ended: boolean;
  op: string | null;
  call: number;
}

/** A microtask: a reaction of this (cheaper than queueMicrotask, which Node wraps in an AsyncResource each). */
const RESOLVED = Promise.resolve();

const isThenable = (v: unknown): boolean =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

const resume = (item: Item): void => (item.ok ? item.resolve!(item.value) : item.reject!(item.value));

/** A timer callback of the user's code, in the context it was set in; a throw reaches the worker as it would from a timer. */
function runTimer(item: Item): void {
  const t = item.timer!;
  if (t.ran) return;
  t.ran = true;
  try {
    t.context.runInAsyncScope(t.fn, undefined, ...t.args);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  } finally {
    t.context.emitDestroy();
  }
}

const enum Choice {
  Go,
  Wait,
  Over,
}

export class Scheduler implements Parker {
  private readonly lanes: Lane[];
  private readonly workerId: number;
  private readonly stallMs: number;
  private readonly blockedMs: number | undefined;
  /** 'step': what runs now was granted (settlements are the step's own); 'idle': waiting on the event loop. */
  private phase: 'step' | 'idle' = 'step';
  private released = false;
  /** While idle: called at any change (a park, a settlement, a timer, a lane's end) to choose again. */
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
  private readonly blocked: BlockedAt[] = [];
  private blockedCount = 0;
  /** The continuation (or, none parked, the lane) the selector waits for, and since when. */
  private waitFor: { key: object; site: string | null; since: number; why: BlockedAt['why'] } | null = null;
  /** Continuations (or lanes) found blocked already: recorded once, and not waited for again. */
  private readonly known = new WeakSet<object>();
  private turnAt = performance.now();
  /** The next grant (choose), and the lane the selector wanted when it had to wait. */
  private readonly next = { lane: 0, item: 0, decision: false };
  /** Ends the round's control (run() awaits it); an error of the mechanism itself, rethrown by run(). */
  private finish: () => void = () => {};
  private failure: unknown = undefined;
  private wanted = WAIT;
  /** Which of the wanted lane's continuations (-1: its first that may run). */
  private wantedItem = -1;
  /** Timers run by the scheduler itself, numbered as their handles are. */
  private timers = 0;
  /** Reused at every decision: the lanes that may still run and those that may run now, and what the selector sees. */
  private live: number[] = [];
  private ready: number[] = [];
  private readonly decision: { index: number; live: number[]; ready: number[]; last: number; canRun: (lane: number, item: number) => boolean };

  constructor(
    private readonly selector: LaneSelector,
    opts: { lanes: number; workerId?: number; stallMs?: number; blockedMs?: number; trace?: boolean },
  ) {
    if (!Number.isInteger(opts.lanes) || opts.lanes < 1 || opts.lanes > MAX_LANES)
      throw new OptionError(`lanes: ${opts.lanes} (1..${MAX_LANES} under the scheduler)`);
    this.lanes = Array.from({ length: opts.lanes }, () => ({ items: [], ended: false, op: null, call: -1 }));
    this.workerId = opts.workerId ?? 0;
    this.stallMs = opts.stallMs ?? 10_000;
    this.blockedMs = opts.blockedMs;
    this.trace = opts.trace === false ? null : [];
    this.decision = { index: 0, live: this.live, ready: this.ready, last: -1, canRun: (lane, item) => this.runnable(lane, item) >= 0 };
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
      // A settled value's reaction is queued at once, before this probe: a value still probing here was
      // pending. (A resolved promise's reaction, not queueMicrotask: Node makes that an AsyncResource each.)
      void RESOLVED.then(() => {
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

  /** A timer or immediate set by lane code (runtime.ts): its callback runs when granted. Returns a handle as Node's. */
  timer(lane: number, kind: TimerKind, site: string, fn: (...a: unknown[]) => void, args: unknown[], delayMs: number): unknown {
    if (this.released) return kind === 'setImmediate' ? setImmediate(fn, ...args) : setTimeout(fn, delayMs, ...args);
    this.touch();
    const atOnce = kind === 'setImmediate' || !(delayMs > AT_ONCE_MS);
    const timer: TimerCall = { context: new AsyncResource('adapter-hammer.timer'), fn, args, fired: atOnce, ran: false };
    const item: Item = { site: timerSite(kind, site), state: atOnce ? 'ready' : 'pending', outside: false, ok: true, value: undefined, go: runTimer, timer };
    this.lanes[lane]!.items.push(item);
    let handle: Record<symbol, unknown>;
    if (atOnce) handle = new SchedulerTimer(++this.timers) as unknown as Record<symbol, unknown>;
    else {
      // Node's own timer says when it falls due, and keeps the handle real (unref, clear).
      handle = setTimeout(() => {
        timer.fired = true;
        if (this.released) runTimer(item);
        else if (item.state === 'pending') {
          item.state = 'ready';
          this.touch();
        }
      }, delayMs) as unknown as Record<symbol, unknown>;
    }
    handle[TIMER_ITEM] = () => this.cancel(lane, item);
    return handle;
  }

  /** clearTimeout / clearImmediate of a timer set in a lane. */
  private cancel(lane: number, item: Item): void {
    const t = item.timer!;
    if (t.ran) return;
    t.ran = true;
    t.context.emitDestroy();
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
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        void RESOLVED.then(this.fence); // the first choice once every lane is parked at its start
      });
    } finally {
      this.releaseAll();
    }
    if (this.failure !== undefined) {
      laneContext.disable();
      throw this.failure instanceof Error ? this.failure : new Error(`scheduler: ${inspect(this.failure)}`);
    }
    await Promise.all(ended);
    // Node pays for an enabled AsyncLocalStorage on every promise: off until the next controlled round
    // (measured: an await-heavy adapter's natural rounds ran at about half speed with it on). What the
    // lanes left behind then runs without a lane, as without the scheduler (it is released already).
    laneContext.disable();
    if (this.divergence === null && this.stalled === null) this.divergence = this.selector.end(this.decisions.length);
    return this.result();
  }

  private laneEnded(i: number): void {
    this.lanes[i]!.ended = true;
    if (this.running === i && this.current?.to === null) this.current.to = END_SITE;
    this.touch();
  }

  private touch(): void {
    this.wake?.();
  }

  /**
   * Step after step, as callbacks rather than an async loop (a step allocates no promise of its own):
   * grant, then a fence (a nextTick runs only once the microtask queue is empty, so the granted code has
   * run to its next await, its end, or I/O), now and then an event-loop turn, then the next choice. A
   * nextTick of the step's own code runs after ours, and what it starts after our choice: in the same
   * drain, in JavaScript's order, so no order this makes is one JavaScript could not (and a replay makes
   * the same choice at the same point).
   */
  private readonly fence = (): void => {
    // Queued as a microtask after the grant: the nextTick goes after the granted continuation's start.
    process.nextTick(this.afterFence);
  };

  private readonly afterFence = (): void => {
    if (performance.now() - this.turnAt > TURN_EVERY_MS) {
      // Let the event loop turn (I/O callbacks, due timers), outside any step.
      this.phase = 'idle';
      setImmediate(this.afterTurn);
    } else this.decide();
  };

  private readonly afterTurn = (): void => {
    this.turnAt = performance.now();
    this.decide();
  };

  private decide(): void {
    let next: Choice;
    let blockedIn = -1;
    try {
      next = this.choose();
      if (next === Choice.Wait) blockedIn = this.blockedDelay();
      if (blockedIn === 0) next = this.letGo();
      if (next === Choice.Go) this.grant(this.next.lane, this.next.item, this.next.decision);
    } catch (e) {
      this.failure = e;
      next = Choice.Over;
    }
    if (next === Choice.Go) void RESOLVED.then(this.fence);
    else if (next === Choice.Over) this.finish();
    else this.idle(blockedIn);
  }

  /**
   * Wait for a change (a settlement, a park, a timer, a lane's end), then the rest of that turn's
   * callbacks; a stall after stallMs without one. When the lane waited for may be blocked outside the
   * scheduler, choose again after `blockedIn` ms too (it is then found blocked).
   */
  private idle(blockedIn: number): void {
    this.phase = 'idle';
    const timer = setTimeout(() => {
      clearTimeout(blocked);
      this.wake = null;
      const waiting = this.wanted === WAIT ? `lanes ${this.live.join(', ')} blocked outside the scheduler` : `the schedule waits for lane ${this.wanted}`;
      this.stalled = `nothing could run within ${this.stallMs} ms at step ${this.steps + 1} (${waiting})`;
      this.finish();
    }, this.stallMs);
    const blocked = blockedIn > 0 && blockedIn < this.stallMs ? setTimeout(() => this.wake?.(), blockedIn) : undefined;
    this.wake = () => {
      clearTimeout(timer);
      clearTimeout(blocked);
      this.wake = null;
      setImmediate(this.afterTurn);
    };
  }

  /**
   * The selector waits for a lane that cannot run: in how many ms it counts as blocked outside the
   * scheduler (0: it is), or -1 when it cannot be (no blockedMs; no other lane could run; the
   * continuation is a lane timer, which falls due by itself; a lane runs outside the scheduler and might
   * settle it). The bound counts from when the selector first waited for that continuation; one whose
   * value settled after another lane's (it is ready, but that one runs first) is blocked at once.
   */
  private blockedDelay(): number {
    const lane = this.wanted;
    // Something else could run: another lane, or another continuation of this one.
    if (this.blockedMs === undefined || lane === WAIT || this.ready.length === 0) return -1;
    const l = this.lanes[lane]!;
    const x = l.items[Math.max(0, this.wantedItem)];
    if (x?.timer && !x.timer.fired) return -1;
    const order = x?.state === 'ready';
    if (!order) for (let i = 0; i < this.lanes.length; i++) if (i !== lane && !this.lanes[i]!.ended && this.lanes[i]!.items.length === 0) return -1;
    const key: object = x ?? l;
    if (this.waitFor?.key !== key) this.waitFor = { key, site: x?.site ?? null, since: performance.now(), why: 'pending' };
    if (order) this.waitFor.why = 'order';
    if (order || this.known.has(key)) return 0;
    const left = this.waitFor.since + this.blockedMs - performance.now();
    // A timer may fire a fraction of a millisecond before its time by our clock.
    return left < 1 ? 0 : Math.ceil(left);
  }

  /** The lane waited for is blocked outside the scheduler: recorded (once per continuation), and the selector's choice of another runs. */
  private letGo(): Choice {
    const lane = this.wanted;
    const w = this.waitFor!;
    if (!this.known.has(w.key)) {
      this.known.add(w.key);
      this.blockedCount++;
      if (this.blocked.length < UNCONTROLLED_KEPT) this.blocked.push({ step: this.steps + 1, lane, site: w.site, why: w.why });
    }
    const view = this.view();
    const pick = this.selector.blocked?.(view, lane) ?? view.ready.find((r) => r !== lane) ?? lane;
    if (typeof pick !== 'number' && 'diverged' in pick) {
      this.divergence = pick.diverged;
      return Choice.Over;
    }
    const [other, item] = typeof pick === 'number' ? [pick, -1] : [pick.lane, pick.item];
    const at = this.runnable(other, item);
    if (at < 0) throw new Error(`scheduler: lane ${lane} was blocked, but the lane chosen instead (${other}) cannot run`);
    this.wanted = other;
    this.next.lane = other;
    this.next.item = at;
    this.next.decision = true;
    return Choice.Go;
  }

  /** The continuation of `lane` that may run now: `item` if it may, else its first that may; -1: none. */
  private runnable(lane: number, item = -1): number {
    const items = this.lanes[lane]!.items;
    if (item >= 0) return this.canRun(items[item]) ? item : -1;
    for (let i = 0; i < items.length; i++) if (this.canRun(items[i])) return i;
    return -1;
  }

  private canRun(x: Item | undefined): boolean {
    return x !== undefined && x.state === 'ready' && (!x.outside || this.outside[0] === x);
  }

  /**
   * What runs next (into `this.next`): Go; Wait, for a change, when nothing can run or the selector waits
   * for a lane; Over: every lane's calls returned, or a replay left its schedule.
   */
  private choose(): Choice {
    if (this.released) return Choice.Over;
    // New arrays each time: truncating the old ones (length = 0) costs V8 more than the young garbage.
    const live: number[] = (this.live = []);
    const ready: number[] = (this.ready = []);
    this.decision.live = live;
    this.decision.ready = ready;
    let running = false;
    for (let i = 0; i < this.lanes.length; i++) {
      const l = this.lanes[i]!;
      running ||= !l.ended;
      if (!l.ended || l.items.length > 0) live.push(i);
      if (this.runnable(i) >= 0) ready.push(i);
    }
    // Every lane's calls returned: the round is over. What they left behind (a timer, a callback that
    // nothing awaits) runs on its own, as it would without the scheduler.
    if (!running) return Choice.Over;
    let lane = WAIT;
    let item = -1;
    if (ready.length > 0) {
      const pick = live.length < 2 ? ready[0]! : this.selector.pick(this.view());
      if (typeof pick === 'number') lane = pick;
      else if ('diverged' in pick) {
        this.divergence = pick.diverged;
        return Choice.Over;
      } else ({ lane, item } = pick);
    }
    this.wanted = lane;
    this.wantedItem = item;
    const at = lane === WAIT ? -1 : this.runnable(lane, item);
    if (at < 0) return Choice.Wait;
    this.next.lane = lane;
    this.next.item = at;
    this.next.decision = live.length >= 2;
    return Choice.Go;
  }

  private view(): DecisionView {
    this.decision.index = this.decisions.length;
    this.decision.last = this.current?.lane ?? -1;
    return this.decision;
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
    const item = l.items[at];
    // Not splice (it allocates the removed part) nor `length--` (V8 shrinks through the runtime).
    l.items.copyWithin(at, at + 1);
    l.items.pop();
    if (item!.outside) this.outside.shift();
    this.steps++;
    if (this.trace || !this.current) {
      this.current = { worker: this.workerId, step: this.steps, lane, op: l.op, call: l.call, from: item!.site, to: null, preempted };
      this.trace?.push(this.current);
    } else {
      // No trace kept: one step object, rewritten (a step costs no garbage).
      const c = this.current;
      c.step = this.steps;
      c.lane = lane;
      c.op = l.op;
      c.call = l.call;
      c.from = item!.site;
      c.to = null;
      c.preempted = preempted;
    }
    this.running = lane;
    this.phase = 'step';
    this.touch();
    item!.go(item!);
  }

  private remove(lane: number, item: Item): boolean {
    const items = this.lanes[lane]!.items;
    const i = items.indexOf(item);
    if (i < 0) return false;
    items.copyWithin(i, i + 1);
    items.pop();
    if (item.outside) this.outside.splice(this.outside.indexOf(item), 1);
    return true;
  }

  private noteUncontrolled(lane: number, site: string): void {
    this.uncontrolled++;
    if (this.uncontrolledAt.length < UNCONTROLLED_KEPT) this.uncontrolledAt.push({ step: this.steps, lane, site });
  }

  private releaseItem(lane: number, item: Item): void {
    this.remove(lane, item);
    if (!item.timer) resume(item);
    // A timer whose time had come runs at the next turn, as Node would have run it; a later one when Node's timer fires.
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
      blocked: this.blocked,
      blockedCount: this.blockedCount,
      trace: this.trace,
    };
  }
}

/** A worker's scheduler for one controlled round: its selector from the spec (a fresh schedule per (seed, round, worker), or the one to replay). */
export function schedulerFor(spec: ControlledSpec, at: { seed: number; round: number; workerId: number; lanes: number }): Scheduler {
  return new Scheduler(selectorFor(spec, at), {
    lanes: at.lanes,
    workerId: at.workerId,
    stallMs: spec.stallMs,
    ...(spec.blockedMs !== undefined ? { blockedMs: spec.blockedMs } : {}),
    trace: spec.trace,
  });
}
