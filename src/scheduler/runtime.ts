// What instrumented code calls. `await x` was rewritten to `await __ahPark(x, site)`: outside a controlled
// lane it returns `x` itself (the await behaves exactly as before); inside one it hands `x` to that lane's
// scheduler, which resolves the returned promise only when it lets the lane continue. `setTimeout(f, ms)`
// and `setImmediate(f)` were rewritten to `__ahSetTimeout(site, f, ms)` / `__ahSetImmediate(site, f)`:
// outside a controlled lane they are Node's own; inside one the callback runs when the scheduler says.
//
// Which lane is calling is read from an AsyncLocalStorage that each lane runs in, not assumed from "the
// lane last granted": so code that resumed without a grant (an I/O callback, an uninstrumented await in a
// library) is recognised when it reaches its next await, and counted as an uncontrolled resumption.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TimerKind } from './sites.js';

/** The global names the instrumented code calls (instrument/transform.ts writes them). */
export const PARK_GLOBAL = '__ahPark';
export const PARK_ITER_GLOBAL = '__ahParkIter';
/** The timer functions instrumented code calls instead of Node's, by the name it wrote. */
export const TIMER_GLOBALS: Readonly<Record<string, string>> = {
  setTimeout: '__ahSetTimeout',
  setImmediate: '__ahSetImmediate',
  clearTimeout: '__ahClearTimeout',
  clearImmediate: '__ahClearImmediate',
};

/** On a timer's handle set in a controlled lane: forget its callback (clearTimeout, clearImmediate). */
export const TIMER_ITEM = Symbol('adapter-hammer.timer');

/** A scheduler as the runtime sees it: it parks a lane's continuation, and takes its timers' callbacks. */
export interface Parker {
  park(lane: number, value: unknown, site: string): unknown;
  timer(lane: number, kind: TimerKind, site: string, fn: (...a: unknown[]) => void, args: unknown[], delayMs: number): unknown;
}

export interface LaneContext {
  scheduler: Parker;
  lane: number;
}

/** The lane a piece of code belongs to; propagated by Node through awaits, timers and I/O callbacks. */
export const laneContext = new AsyncLocalStorage<LaneContext>();

/**
 * Instrumented awaits and timers this thread went through, in lanes or not. Per thread (each worker has
 * its own copy of this module), never per run: a worker reads it before and after a round to tell
 * whether the adapter's calls have anything a scheduler could order.
 */
export const parkCount = { value: 0 };

export function park(value: unknown, site: string): unknown {
  parkCount.value++;
  const c = laneContext.getStore();
  return c ? c.scheduler.park(c.lane, value, site) : value;
}

/** `setTimeout(fn, ms, ...args)` of instrumented code. */
export function setTimeoutAt(site: string, fn: unknown, ms?: unknown, ...args: unknown[]): unknown {
  parkCount.value++; // something to schedule, awaited or not
  const c = laneContext.getStore();
  if (!c || typeof fn !== 'function') return setTimeout(fn as (...a: unknown[]) => void, ms as number, ...args);
  return c.scheduler.timer(c.lane, 'setTimeout', site, fn as () => void, args, Number(ms) || 0);
}

/** `setImmediate(fn, ...args)` of instrumented code. */
export function setImmediateAt(site: string, fn: unknown, ...args: unknown[]): unknown {
  parkCount.value++;
  const c = laneContext.getStore();
  if (!c || typeof fn !== 'function') return setImmediate(fn as (...a: unknown[]) => void, ...args);
  return c.scheduler.timer(c.lane, 'setImmediate', site, fn as () => void, args, 0);
}

function forget(handle: unknown): void {
  const cancel = handle !== null && typeof handle === 'object' ? (handle as Record<symbol, unknown>)[TIMER_ITEM] : undefined;
  if (typeof cancel === 'function') (cancel as () => void)();
}

export function clearTimeoutAt(handle: unknown): void {
  forget(handle);
  clearTimeout(handle as NodeJS.Timeout);
}

export function clearImmediateAt(handle: unknown): void {
  forget(handle);
  clearImmediate(handle as NodeJS.Immediate);
}

/** `for await (x of it)`: each `next()` result is parked like an await. */
export function parkIter(iterable: unknown, site: string): unknown {
  parkCount.value++;
  const c = laneContext.getStore();
  if (!c) return iterable;
  return {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      const it = asyncIteratorOf(iterable);
      const wrapped: AsyncIterator<unknown> = {
        next: (...v: [] | [unknown]) => Promise.resolve(c.scheduler.park(c.lane, it.next(...v), site)) as Promise<IteratorResult<unknown>>,
      };
      // `break` must still close the source (a stream, a generator's finally).
      if (it.return) wrapped.return = (v?: unknown) => it.return!(v);
      if (it.throw) wrapped.throw = (e?: unknown) => it.throw!(e);
      return wrapped;
    },
  };
}

/** The async iterator `for await` would use: the iterable's own, else its sync iterator with awaited values. */
function asyncIteratorOf(iterable: unknown): AsyncIterator<unknown> {
  const src = iterable as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  const asyncIt = src[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(src);
  const syncIt = src[Symbol.iterator];
  if (typeof syncIt !== 'function') throw new TypeError('for await: the value is not async iterable');
  const it = syncIt.call(src);
  return {
    next: async (...v: [] | [unknown]) => {
      const r = it.next(...v);
      return { done: r.done, value: await r.value } as IteratorResult<unknown>;
    },
    ...(it.return ? { return: (v?: unknown) => Promise.resolve(it.return!(v)) } : {}),
  };
}

/**
 * Define the two globals instrumented code calls, once per thread. They carry no state: the lane and
 * its scheduler come from `laneContext`, so any number of schedulers (one per round) can use them.
 */
export function installParkGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  const fns: Record<string, unknown> = {
    [PARK_GLOBAL]: park,
    [PARK_ITER_GLOBAL]: parkIter,
    [TIMER_GLOBALS.setTimeout!]: setTimeoutAt,
    [TIMER_GLOBALS.setImmediate!]: setImmediateAt,
    [TIMER_GLOBALS.clearTimeout!]: clearTimeoutAt,
    [TIMER_GLOBALS.clearImmediate!]: clearImmediateAt,
  };
  for (const [name, value] of Object.entries(fns)) if (typeof g[name] !== 'function') Object.defineProperty(g, name, { value, configurable: true });
}
