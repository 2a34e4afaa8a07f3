/**
 * Thread-local storage (pattern 2 of the Snakepit guide): state each thread owns privately, so no
 * other thread can race on it and no lock is needed.
 *
 * In Node every worker loads its own instance of each module, so module-level variables are
 * already per worker. `threadLocal` makes that intent explicit in the code and keys the value by
 * `threadId`, so the same helper behaves the same on the main thread and in every worker (each
 * gets its own value, created lazily by `factory` on first use in that thread).
 *
 * **Per thread is not per lane.** All async lanes of one worker share the worker's value. A
 * read-`await`-write on it (`const c = tl.get(); await x; tl.set(c + 1)`) races with the worker's
 * other lanes: wrap such sections in `AsyncLock.run`, or keep the read and the write in one
 * synchronous step.
 *
 * @module
 */
import { threadId } from 'node:worker_threads';

/** A value that exists once per thread. */
export interface ThreadLocal<T> {
  /** This thread's value, created by the factory on first use (and after `reset`). */
  get(): T;
  /** Replace this thread's value. */
  set(value: T): void;
  /** Forget this thread's value; the next `get` calls the factory again. */
  reset(): void;
}

/**
 * Create thread-local storage whose per-thread initial value is `factory()`.
 *
 * ```js
 * const cache = threadLocal(() => new Map());           // one Map per worker, never shared
 * export const operations = {
 *   lookup: ({ random }) => {
 *     const key = Math.floor(random() * 100);
 *     const hit = cache.get().get(key);
 *     if (hit !== undefined) return hit;
 *     const value = expensive(key);                     // pattern 1 data can be read freely here
 *     cache.get().set(key, value);
 *     return value;
 *   },
 * };
 * ```
 */
export function threadLocal<T>(factory: () => T): ThreadLocal<T> {
  if (typeof factory !== 'function') throw new TypeError('threadLocal: factory must be a function');
  // Keyed by threadId rather than a single variable so the identity of "this thread" is explicit.
  const values = new Map<number, T>();
  return {
    get(): T {
      if (values.has(threadId)) return values.get(threadId) as T;
      const value = factory();
      values.set(threadId, value);
      return value;
    },
    set(value: T): void {
      values.set(threadId, value);
    },
    reset(): void {
      values.delete(threadId);
    },
  };
}
