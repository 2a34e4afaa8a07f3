/**
 * A per-thread lock for async critical sections.
 *
 * Inside one worker, JavaScript never runs two statements at once, but async lanes interleave at
 * every `await`: `const v = await db.get(k); await db.set(k, v + 1)` loses updates when two lanes
 * run it concurrently. `AsyncLock` serializes such sections among the lanes of **one thread**. It
 * does not exclude other workers: for state shared across workers use `Mutex.withLockAsync`.
 *
 * @module
 */

/** Anything usable as a Map key: each distinct key (by SameValueZero) is an independent lock. */
export type LockKey = string | number | bigint | boolean | symbol | object;

const DEFAULT_KEY: unique symbol = Symbol('AsyncLock.default');

/**
 * Promise-chain lock: each `run` waits for the previous holder of its key, then runs `fn`.
 * FIFO per key. Not reentrant: `run(k, ...)` awaited inside `run(k, ...)` never finishes.
 *
 * ```js
 * const lock = new AsyncLock();
 * export const operations = {
 *   transfer: ({ random }) => lock.run('accounts', async () => {
 *     const a = await store.get('a');
 *     await store.set('a', a - 1);
 *   }),
 * };
 * ```
 */
export class AsyncLock {
  /** Per key: a promise that settles when the last queued section of that key has finished. */
  readonly #tails = new Map<LockKey, Promise<void>>();

  /** Run `fn` under the lock's single default key. */
  run<T>(fn: () => T | PromiseLike<T>): Promise<T>;
  /** Run `fn` under the lock of `key`; sections with different keys run concurrently. */
  run<T>(key: LockKey, fn: () => T | PromiseLike<T>): Promise<T>;
  run<T>(keyOrFn: LockKey | (() => T | PromiseLike<T>), maybeFn?: () => T | PromiseLike<T>): Promise<T> {
    if (maybeFn === undefined) {
      if (typeof keyOrFn !== 'function') throw new TypeError('AsyncLock.run: missing the function to run');
      return this.#run(DEFAULT_KEY, keyOrFn as () => T | PromiseLike<T>);
    }
    if (typeof maybeFn !== 'function') throw new TypeError('AsyncLock.run: the second argument must be a function');
    return this.#run(keyOrFn, maybeFn);
  }

  /** Whether a section of `key` (default key if omitted) is running or queued. */
  isLocked(key?: LockKey): boolean {
    return this.#tails.has(key === undefined ? DEFAULT_KEY : key);
  }

  /** Number of keys with a running or queued section; drained keys are removed, so this returns to 0. */
  get size(): number {
    return this.#tails.size;
  }

  async #run<T>(key: LockKey, fn: () => T | PromiseLike<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    // `done` only ever resolves, so a failing section never poisons the queue behind it.
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#tails.set(key, done);
    try {
      // Uncontended: no await here, so fn starts synchronously inside run().
      if (previous !== undefined) await previous;
      return await fn();
    } finally {
      release();
      // Only the last section in the queue removes the key; a newer one has replaced the tail otherwise.
      if (this.#tails.get(key) === done) this.#tails.delete(key);
    }
  }
}
