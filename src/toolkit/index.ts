/**
 * Toolkit for adapter authors: the thread-safety patterns of the Snakepit guide, for JavaScript.
 *
 * Where the state lives decides the tool:
 *
 * 1. **Shared read-only** (pattern 1): data built once and never modified — config, lookup tables,
 *    a loaded model. Build it in `setup` (it is cloned to each worker) or at module load, then only
 *    read it. No tool, no lock. Freeze it (`Object.freeze`) to make "read-only" enforced.
 * 2. **Thread-local** (pattern 2): state each worker keeps privately — caches, buffers,
 *    connections. Use {@link threadLocal}. No lock between workers; but a worker's async lanes
 *    share it, so a read-`await`-write on it still needs {@link AsyncLock}.
 * 3. **Locked shared mutable** (pattern 3): state every worker reads *and* writes. Compute outside
 *    the lock, then take it only for the short read-modify-write:
 *    - a number that only goes up/down: {@link SharedCounter} / {@link SharedCounters}
 *      (lock-free, Atomics);
 *    - several cells updated together across workers: {@link Mutex} — `withLock` for a
 *      synchronous section, `withLockAsync` when the section awaits;
 *    - async state within one worker (an in-memory map, a per-worker client) touched across
 *      `await`s: {@link AsyncLock} — cheaper than a Mutex and never blocks the thread.
 *
 * @module
 */
export { Mutex, MutexDeadlockError, MutexTimeoutError } from './mutex.js';
export type { LockOptions, MutexOptions } from './mutex.js';
export { AsyncLock } from './async-lock.js';
export type { LockKey } from './async-lock.js';
export { SharedCounter, SharedCounters } from './shared-counter.js';
export { threadLocal } from './thread-local.js';
export type { ThreadLocal } from './thread-local.js';
export { HttpGate, HttpGateHostError, isLoopback } from './http-gate.js';
export type { GateContext, HttpGateOptions, HttpRequestSpec, HttpResponse } from './http-gate.js';
export { localServer, startServer, ServerStartError } from './server.js';
export type { LocalServer, ServerArgs, ServerOptions, ServerProcess } from './server.js';
export { postgres, findPostgres } from './postgres.js';
export type { PgClient, Postgres, PostgresArgs, PostgresOptions, PostgresRound } from './postgres.js';
export { redis, findRedis } from './redis.js';
export type { Redis, RedisArgs, RedisClient, RedisOptions, RedisRound } from './redis.js';
export { DatabaseUnavailableError } from './db-server.js';
export { LaneClients } from './lanes.js';
