// What instrumented code calls. `await x` was rewritten to `await __ahPark(x, site)`: outside a controlled
// lane it returns `x` itself (the await behaves exactly as before); inside one it hands `x` to that lane's
// scheduler, which resolves the returned promise only when it lets the lane continue.
//
// Which lane is calling is read from an AsyncLocalStorage that each lane runs in, not assumed from "the
// lane last granted": so code that resumed without a grant (an I/O callback, an uninstrumented await in a
// library) is recognised when it reaches its next await, and counted as an uncontrolled resumption.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The global names the instrumented code calls (instrument/transform.ts writes them). */
export const PARK_GLOBAL = '__ahPark';
export const PARK_ITER_GLOBAL = '__ahParkIter';

/** A scheduler as the runtime sees it: it parks a lane's continuation. */
export interface Parker {
  park(lane: number, value: unknown, site: string): Promise<unknown>;
}

export interface LaneContext {
  scheduler: Parker;
  lane: number;
}

/** The lane a piece of code belongs to; propagated by Node through awaits, timers and I/O callbacks. */
export const laneContext = new AsyncLocalStorage<LaneContext>();

/**
 * Instrumented awaits this thread went through, in lanes or not. Per thread (each worker has its own
 * copy of this module), never per run: a worker reads it before and after a round to tell whether the
 * adapter's calls have anything a scheduler could order.
 */
export const parkCount = { value: 0 };

export function park(value: unknown, site: string): unknown {
  parkCount.value++;
  const c = laneContext.getStore();
  return c ? c.scheduler.park(c.lane, value, site) : value;
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
        next: (...v: [] | [unknown]) => c.scheduler.park(c.lane, it.next(...v), site) as Promise<IteratorResult<unknown>>,
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
  if (typeof g[PARK_GLOBAL] !== 'function') Object.defineProperty(g, PARK_GLOBAL, { value: park, configurable: true });
  if (typeof g[PARK_ITER_GLOBAL] !== 'function') Object.defineProperty(g, PARK_ITER_GLOBAL, { value: parkIter, configurable: true });
}
