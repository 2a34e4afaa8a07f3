// What the toolkit's connections are waiting on, for a hang to name it. When a round hangs, adapter-hammer
// asks each worker (through the inspector, without pausing it) for a snapshot of the toolkit's pools:
// which connection is taken, which query each has in flight and since when, which calls wait for a free
// connection, each with the stack where it waits. On the main thread it asks the toolkit's database
// servers for their own view (PostgreSQL: pg_stat_activity and pg_locks: who waits for a lock, who holds
// it, whose transaction is open). The two registries live on globalThis under Symbol.for keys, so the
// tool finds them without importing the toolkit (and two copies of the toolkit in one thread share them).

import type { ConnectionSnapshot, DatabaseWaits, PoolSnapshot, QuerySnapshot } from '../schema/waits.js';

/** This thread's pools: `globalThis[WAITS_KEY]()` returns a snapshot of each. */
export const WAITS_KEY = Symbol.for('adapter-hammer.waits');
/** The main thread's database servers: `globalThis[DATABASE_WAITS_KEY]` is a set of functions (pids) => sessions. */
export const DATABASE_WAITS_KEY = Symbol.for('adapter-hammer.database-waits');
const SOURCES_KEY = Symbol.for('adapter-hammer.wait-sources');

/** A query sent on a connection: its text, when, and where from (the stack is formatted only when asked for). */
interface Sent {
  text: string;
  at: number;
  where: { stack?: string };
}

/** Frames kept of where a query was sent: the user's few, not the whole async chain (a capture costs by the frame). */
const FRAMES = 6;

/** The stack of the call that called `above` (its own frame and the toolkit's above it left out). */
export function stackFrom(above: (...a: never[]) => unknown): { stack?: string } {
  const where: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES;
  Error.captureStackTrace(where, above);
  Error.stackTraceLimit = limit;
  return where;
}

export type { ConnectionSnapshot, DatabaseSession, DatabaseWaits, PoolSnapshot, QuerySnapshot } from '../schema/waits.js';

const MAX_TEXT = 300;
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);

/** The text of a query as a client's method received it (pg: a string or { text }; ioredis: a Command). */
function textOf(args: unknown[]): string {
  const a = args[0] as { text?: unknown; name?: unknown; args?: unknown } | string | undefined;
  if (typeof a === 'string') return oneLine(a);
  if (a && typeof a.text === 'string') return oneLine(a.text);
  if (a && typeof a.name === 'string') return oneLine([a.name, ...(Array.isArray(a.args) ? a.args.map(String) : [])].join(' '));
  return '(a query)';
}

/** A connection's queries: the ones in flight and the last one. */
export class QueryLog {
  private readonly inFlight = new Set<Sent>();
  private last: Sent | null = null;

  /**
   * Wrap `client[method]` so each call is logged while it is in flight, with the stack it was sent from
   * (captured, not formatted: about a microsecond, against a round trip to the server of 50 us or more).
   */
  static watch<C extends object>(client: C, method: keyof C & string): QueryLog {
    const log = new QueryLog();
    const original = client[method] as unknown as (...a: unknown[]) => unknown;
    if (typeof original !== 'function') return log;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const sent: Sent = { text: textOf(args), at: performance.now(), where: stackFrom(wrapped) };
      log.inFlight.add(sent);
      log.last = sent;
      const done = () => void log.inFlight.delete(sent);
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (e) {
        done();
        throw e;
      }
      // The caller's promise is returned as it is; this derived one only notes the end.
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
      else done();
      return result;
    };
    Object.defineProperty(client, method, { value: wrapped, configurable: true, writable: true });
    return log;
  }

  snapshot(now: number): Pick<ConnectionSnapshot, 'pending' | 'last'> {
    const first = [...this.inFlight][0];
    const shot = (s: Sent, ms: number): QuerySnapshot => ({ text: s.text, ms: Math.round(ms), stack: s.where.stack ?? '' });
    return {
      ...(first ? { pending: shot(first, now - first.at) } : {}),
      ...(this.last && this.last !== first ? { last: shot(this.last, now - this.last.at) } : {}),
    };
  }
}

/** Add a pool to this thread's snapshots; returns its removal. */
export function registerPool(snapshot: () => PoolSnapshot): () => void {
  const g = globalThis as unknown as Record<symbol, unknown>;
  let sources = g[SOURCES_KEY] as Set<() => PoolSnapshot> | undefined;
  if (!sources) {
    const set = new Set<() => PoolSnapshot>();
    sources = set;
    g[SOURCES_KEY] = set;
    // Plain data only: the inspector returns it by value.
    g[WAITS_KEY] = () => [...set].map((f) => f());
  }
  sources.add(snapshot);
  const own = sources;
  return () => void own.delete(snapshot);
}

/** Add a database server's view to the main thread's; returns its removal. */
export function registerDatabase(waits: DatabaseWaits): () => void {
  const g = globalThis as unknown as Record<symbol, unknown>;
  let set = g[DATABASE_WAITS_KEY] as Set<DatabaseWaits> | undefined;
  if (!set) {
    set = new Set();
    g[DATABASE_WAITS_KEY] = set;
  }
  set.add(waits);
  const own = set;
  return () => void own.delete(waits);
}
