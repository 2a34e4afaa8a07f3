/**
 * A cross-worker mutex over a SharedArrayBuffer.
 *
 * Pattern 3 of the toolkit (locked shared mutable state): compute outside the lock, take the lock
 * only for the read-modify-write of the shared state.
 *
 * ```js
 * // adapter.mjs
 * import { Mutex } from 'adapter-hammer/toolkit';
 * let mutex, cells;
 * export function setup() {
 *   return { lock: new Mutex().buffer, cells: new SharedArrayBuffer(8) };
 * }
 * export function init(shared) {
 *   mutex = new Mutex(shared.lock);          // attach: same lock in every worker
 *   cells = new Int32Array(shared.cells);
 * }
 * export const operations = {
 *   add: () => mutex.withLock(() => { cells[0] = cells[0] + 1; }),
 * };
 * ```
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { threadId } from 'node:worker_threads';

/** Options for `new Mutex(...)`. */
export interface MutexOptions {
  /**
   * Allow the holder to lock again without blocking (like Python's `threading.RLock`).
   * The owner of a sync lock is the worker thread; the owner of a `withLockAsync` section is the
   * async call chain that entered it (see {@link Mutex.withLockAsync}).
   * When attaching to an existing buffer and this is omitted, the mode stored in the buffer is used.
   * Default for a new mutex: `false`.
   */
  readonly reentrant?: boolean;
}

/** Options for one acquisition. */
export interface LockOptions {
  /**
   * Give up after this many milliseconds and throw {@link MutexTimeoutError}.
   * Default: wait forever (a self-deadlock then shows up as a hang in adapter-hammer's report).
   */
  readonly timeoutMs?: number;
}

/** Thrown by `lock`, `withLock` and `withLockAsync` when `timeoutMs` elapsed before the lock was acquired. */
export class MutexTimeoutError extends Error {
  override readonly name = 'MutexTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Mutex: not acquired within ${timeoutMs} ms`);
  }
}

/**
 * Thrown by a *reentrant* mutex when a synchronous `lock`/`withLock` is called in a worker while
 * another async lane of the same worker holds the mutex via `withLockAsync`: blocking the thread
 * would stop the holder forever, so it is reported instead of hanging.
 */
export class MutexDeadlockError extends Error {
  override readonly name = 'MutexDeadlockError';
  constructor() {
    super(
      'Mutex: synchronous lock() while another async lane of this thread holds the mutex via ' +
        'withLockAsync(); blocking would deadlock this thread. Use withLockAsync() in that lane.',
    );
  }
}

// Layout of the shared Int32Array (one 32-byte buffer per mutex).
const STATE = 0; // 0 free, 1 locked, 2 locked and maybe waiters (the classic futex mutex)
const OWNER = 1; // reentrant only: threadId + 1 of the holder, 0 when free
const COUNT = 2; // reentrant only: recursion depth
const KIND = 3; // reentrant only: how the outermost hold was taken
const FLAGS = 4; // MAGIC | REENTRANT_BIT, written once at creation
const ID_HI = 5; // random id of this mutex, so every instance attached to it agrees on identity
const ID_LO = 6;
const SLOTS = 8;
const BYTES = SLOTS * Int32Array.BYTES_PER_ELEMENT;

const KIND_SYNC = 0;
const KIND_ASYNC = 1;
const MAGIC = 0x4d757400; // 'Mut\0'; low bits hold flags
const REENTRANT_BIT = 1;

const FREE = 0;
const LOCKED = 1;
const CONTENDED = 2;

/** `threadId + 1`, so 0 can mean "no owner" (the main thread's threadId is 0). */
const SELF = threadId + 1;

/** Upper bound for one async wait: re-check the lock word even if a wake-up was somehow missed. */
const ASYNC_WAIT_SLICE_MS = 250;

type WaitAsyncResult =
  { readonly async: false; readonly value: 'not-equal' | 'timed-out' } | { readonly async: true; readonly value: Promise<'ok' | 'timed-out'> };
type WaitAsync = (array: Int32Array, index: number, value: number, timeout?: number) => WaitAsyncResult;

// Atomics.waitAsync is ES2024; the project's lib is ES2023, so it is looked up untyped.
const waitAsync: WaitAsync | undefined = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/**
 * On Node 20 a pending `Atomics.waitAsync` does not keep the event loop alive: a worker whose only
 * pending work is waiting for the lock would exit (or its loop would stall). One ref'd timer per
 * thread is kept while any async waiter exists.
 */
let asyncWaiters = 0;
let keepAliveTimer: ReturnType<typeof setInterval> | undefined;
function holdLoopOpen(): void {
  if (asyncWaiters++ === 0) keepAliveTimer = setInterval(() => {}, 0x7fffffff);
}
function releaseLoop(): void {
  if (--asyncWaiters === 0 && keepAliveTimer !== undefined) {
    clearInterval(keepAliveTimer);
    keepAliveTimer = undefined;
  }
}

/** Which async call chain holds which reentrant mutex (by mutex id). Created lazily: enabling
 * AsyncLocalStorage adds a cost to every promise of the thread, so only reentrant async use pays it. */
interface Holding {
  readonly id: string;
  readonly token: object;
  readonly parent: Holding | undefined;
}
let holdingStorage: AsyncLocalStorage<Holding> | undefined;
/** Per thread: the token of the async chain currently holding each reentrant mutex. */
const asyncHolderToken = new Map<string, object>();

function heldByCurrentChain(id: string): boolean {
  const token = asyncHolderToken.get(id);
  if (token === undefined || holdingStorage === undefined) return false;
  for (let h = holdingStorage.getStore(); h !== undefined; h = h.parent) {
    if (h.id === id) return h.token === token;
  }
  return false;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
    throw new RangeError(`Mutex: timeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
  }
}

/**
 * A mutual-exclusion lock shared by the main thread and every worker that attaches to its buffer.
 *
 * - `new Mutex()` / `new Mutex({ reentrant: true })` allocates the shared memory (in `setup`);
 *   put {@link Mutex.buffer} into setup's return value.
 * - `new Mutex(buffer)` attaches to it (in `init`); the reentrancy mode travels with the buffer.
 *
 * Waiting is a classic 3-state futex mutex (0 free, 1 locked, 2 locked with waiters): an
 * uncontended lock/unlock is one compare-and-swap each, and unlock only calls `Atomics.notify`
 * when somebody may be waiting.
 *
 * **Non-reentrant** (default): locking again from the thread that holds it blocks forever, like
 * Python's `threading.Lock`. That is intentional: adapter-hammer reports it as a hang.
 *
 * **Don't mix sync and async holders in one worker:** never call the synchronous `lock`/`withLock`
 * in a worker while an async lane of the *same* worker holds the mutex through `withLockAsync`.
 * The sync call blocks the thread, and the holder needs that very thread to finish and unlock:
 * a deadlock. (A reentrant mutex detects this and throws {@link MutexDeadlockError}; a
 * non-reentrant one just hangs.) Calling sync `withLock` *inside* the async section of a reentrant
 * mutex is fine.
 *
 * `lock()`/`unlock()` must not span an `await`: other lanes of the worker would run while the
 * thread holds the lock. Use {@link Mutex.withLockAsync} for critical sections that await.
 */
export class Mutex {
  /** The shared memory of this mutex: pass it to workers (e.g. in setup's return value). */
  readonly buffer: SharedArrayBuffer;
  /** Whether the holder may lock again (fixed when the mutex was created). */
  readonly reentrant: boolean;
  readonly #word: Int32Array;
  readonly #id: string;

  /** Create a new mutex with its own shared memory. */
  constructor(options?: MutexOptions);
  /** Attach to the mutex living in `buffer` (from another thread's `mutex.buffer`). */
  constructor(buffer: SharedArrayBuffer, options?: MutexOptions);
  constructor(bufferOrOptions?: SharedArrayBuffer | MutexOptions, maybeOptions?: MutexOptions) {
    if (bufferOrOptions instanceof SharedArrayBuffer) {
      const buffer = bufferOrOptions;
      if (buffer.byteLength !== BYTES) {
        throw new TypeError(`Mutex: buffer is not a Mutex buffer (${buffer.byteLength} bytes, expected ${BYTES})`);
      }
      const word = new Int32Array(buffer);
      const flags = Atomics.load(word, FLAGS);
      if ((flags & ~REENTRANT_BIT) !== MAGIC) {
        throw new TypeError('Mutex: buffer is not a Mutex buffer (use mutex.buffer from new Mutex())');
      }
      const stored = (flags & REENTRANT_BIT) !== 0;
      if (maybeOptions?.reentrant !== undefined && maybeOptions.reentrant !== stored) {
        throw new TypeError(
          `Mutex: the buffer holds a ${stored ? 'reentrant' : 'non-reentrant'} mutex, but reentrant: ${String(maybeOptions.reentrant)} was requested`,
        );
      }
      this.buffer = buffer;
      this.#word = word;
      this.reentrant = stored;
    } else {
      if (maybeOptions !== undefined) throw new TypeError('Mutex: options must be the first argument when no buffer is given');
      this.buffer = new SharedArrayBuffer(BYTES);
      this.#word = new Int32Array(this.buffer);
      this.reentrant = bufferOrOptions?.reentrant === true;
      // Identity only (not security): 64 random bits make a clash between two mutexes negligible.
      this.#word[ID_HI] = (Math.random() * 0x100000000) | 0;
      this.#word[ID_LO] = (Math.random() * 0x100000000) | 0;
      Atomics.store(this.#word, FLAGS, MAGIC | (this.reentrant ? REENTRANT_BIT : 0));
    }
    this.#id = `${this.#word[ID_HI]}.${this.#word[ID_LO]}`;
  }

  /** Whether anybody holds the mutex right now (a snapshot, for diagnostics and tests). */
  get isLocked(): boolean {
    return Atomics.load(this.#word, STATE) !== FREE;
  }

  /**
   * Acquire, blocking the thread (`Atomics.wait`) until it is free.
   * Waits forever by default; with `timeoutMs` throws {@link MutexTimeoutError} instead.
   */
  lock(options?: LockOptions): void {
    const timeoutMs = options?.timeoutMs;
    if (!this.#acquireSync(timeoutMs)) throw new MutexTimeoutError(timeoutMs ?? 0);
  }

  /**
   * Acquire without blocking (`timeoutMs` 0, the default) or waiting at most `timeoutMs`.
   * Returns whether the lock was acquired. On a non-reentrant mutex held by this same thread it
   * returns `false` (after the timeout) rather than deadlocking.
   */
  tryLock(timeoutMs = 0): boolean {
    return this.#acquireSync(timeoutMs);
  }

  /** Release. Throws if the mutex is not locked, or (reentrant) not held by this thread. */
  unlock(): void {
    const w = this.#word;
    if (this.reentrant) {
      if (Atomics.load(w, OWNER) !== SELF) throw new Error('Mutex: unlock() of a mutex not held by this thread');
      // Inner levels only drop the depth; the outermost unlock releases the word.
      if (Atomics.sub(w, COUNT, 1) > 1) return;
      if (Atomics.load(w, KIND) === KIND_ASYNC) asyncHolderToken.delete(this.#id);
      Atomics.store(w, KIND, KIND_SYNC);
      Atomics.store(w, OWNER, 0);
    }
    this.#release();
  }

  /**
   * Run a synchronous critical section under the lock and return its value; the lock is released
   * even when `fn` throws. `fn` must not return a promise: the lock would be released at its first
   * `await` (a TypeError is thrown to catch that mistake) — use {@link Mutex.withLockAsync}.
   */
  withLock<T>(fn: () => T, options?: LockOptions): T {
    this.lock(options);
    let result: T;
    try {
      result = fn();
    } finally {
      this.unlock();
    }
    if (isThenable(result)) {
      // The part after fn's first await ran (or will run) unprotected: make the mistake loud.
      Promise.resolve(result).catch(() => {});
      throw new TypeError('Mutex.withLock: the critical section returned a promise; use withLockAsync for async code');
    }
    return result;
  }

  /**
   * Run an async critical section under the lock without blocking the thread: other async lanes
   * of the worker keep running while this one waits (`Atomics.waitAsync`) or holds the lock.
   * Excludes other workers, the main thread, and other lanes of the same worker.
   * Returns `fn`'s result; the lock is released when `fn` settles, also when it throws.
   *
   * Reentrant mutex: a nested `withLockAsync` (or sync `withLock`) from inside `fn` — the same async
   * call chain, including promises `fn` starts — re-enters; other lanes of the worker wait.
   */
  async withLockAsync<T>(fn: () => T | PromiseLike<T>, options?: LockOptions): Promise<T> {
    const timeoutMs = options?.timeoutMs;
    checkTimeout(timeoutMs);
    const w = this.#word;

    if (this.reentrant && heldByCurrentChain(this.#id)) {
      Atomics.add(w, COUNT, 1);
      try {
        return await fn();
      } finally {
        this.unlock();
      }
    }

    if (Atomics.compareExchange(w, STATE, FREE, LOCKED) !== FREE && !(await this.#acquireAsync(timeoutMs))) {
      throw new MutexTimeoutError(timeoutMs ?? 0);
    }

    if (!this.reentrant) {
      try {
        return await fn();
      } finally {
        this.#release();
      }
    }

    const token = {};
    Atomics.store(w, OWNER, SELF);
    Atomics.store(w, COUNT, 1);
    Atomics.store(w, KIND, KIND_ASYNC);
    asyncHolderToken.set(this.#id, token);
    holdingStorage ??= new AsyncLocalStorage<Holding>();
    const holding: Holding = { id: this.#id, token, parent: holdingStorage.getStore() };
    try {
      return await holdingStorage.run(holding, fn);
    } finally {
      this.unlock();
    }
  }

  #acquireSync(timeoutMs: number | undefined): boolean {
    checkTimeout(timeoutMs);
    const w = this.#word;
    if (this.reentrant && Atomics.load(w, OWNER) === SELF) {
      // This thread holds it. A sync holder is on this very stack; an async holder may be another lane.
      if (Atomics.load(w, KIND) === KIND_SYNC || heldByCurrentChain(this.#id)) {
        Atomics.add(w, COUNT, 1);
        return true;
      }
      if (timeoutMs === undefined) throw new MutexDeadlockError();
    }
    if (!this.#acquireWord(timeoutMs)) return false;
    if (this.reentrant) {
      Atomics.store(w, OWNER, SELF);
      Atomics.store(w, COUNT, 1);
      Atomics.store(w, KIND, KIND_SYNC);
    }
    return true;
  }

  /** The futex lock: CAS 0->1 fast path, else mark 2 (contended) and sleep until handed a 0. */
  #acquireWord(timeoutMs: number | undefined): boolean {
    const w = this.#word;
    let c = Atomics.compareExchange(w, STATE, FREE, LOCKED);
    if (c === FREE) return true;
    if (timeoutMs === 0) return false;
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    if (c !== CONTENDED) c = Atomics.exchange(w, STATE, CONTENDED);
    while (c !== FREE) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      Atomics.wait(w, STATE, CONTENDED, remaining === Infinity ? undefined : remaining);
      c = Atomics.exchange(w, STATE, CONTENDED);
    }
    return true;
  }

  /** Same protocol as #acquireWord, sleeping with Atomics.waitAsync so the event loop keeps running. */
  async #acquireAsync(timeoutMs: number | undefined): Promise<boolean> {
    const w = this.#word;
    if (timeoutMs === 0) return false;
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    holdLoopOpen();
    try {
      let c = Atomics.exchange(w, STATE, CONTENDED);
      while (c !== FREE) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) return false;
        const slice = Math.min(remaining, ASYNC_WAIT_SLICE_MS);
        if (waitAsync !== undefined) {
          const r = waitAsync(w, STATE, CONTENDED, slice);
          if (r.async) await r.value;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        c = Atomics.exchange(w, STATE, CONTENDED);
      }
      return true;
    } finally {
      releaseLoop();
    }
  }

  #release(): void {
    const prev = Atomics.exchange(this.#word, STATE, FREE);
    if (prev === CONTENDED) Atomics.notify(this.#word, STATE, 1);
    else if (prev === FREE) throw new Error('Mutex: unlock() of a mutex that is not locked');
  }
}
