// What a hang's calls were waiting on, read before the hung workers are stopped (their connections,
// and the locks those hold, go with them). Two views meet here: each worker's snapshot of the toolkit's
// pools (read through the inspector without pausing it: which connection is taken, which query each has
// in flight and from where, which calls wait for a free connection), and the database's own, from the
// main thread (PostgreSQL's pg_stat_activity and pg_locks: who waits for a lock, who holds it, whose
// transaction is open). The toolkit registers both on globalThis (src/toolkit/waits.ts); the pool does
// not import the toolkit: both read the snapshot's shape from schema/waits.ts.
import { stackFrames } from '../errors.js';
import type { HangWait, HangWaitHolder } from '../schema/report.js';
import type { DatabaseSession, DatabaseWaits, PoolSnapshot } from '../schema/waits.js';
import { evaluateInWorker } from './stack-probe.js';

const STACK_FRAMES = 4;
const WAITS_EXPRESSION = "globalThis[Symbol.for('adapter-hammer.waits')]?.()";
const DATABASE_WAITS = Symbol.for('adapter-hammer.database-waits');

/** The pools a worker's snapshot lists, or none (no toolkit pool, or an answer not in the expected shape). */
function poolsOf(value: unknown): PoolSnapshot[] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is PoolSnapshot => !!p && Array.isArray((p as PoolSnapshot).connections) && Array.isArray((p as PoolSnapshot).waiting));
}

/** The main thread's database servers' view of the connections `pids` and those they wait for; [] when none answers in time. */
async function databaseSessions(pids: number[], timeoutMs: number): Promise<DatabaseSession[]> {
  const servers = (globalThis as unknown as Record<symbol, unknown>)[DATABASE_WAITS] as Set<DatabaseWaits> | undefined;
  if (!servers?.size) return [];
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DatabaseSession[]>((resolve) => (timer = setTimeout(() => resolve([]), timeoutMs)));
  try {
    const views = await Promise.all([...servers].map((f) => Promise.race([f(pids).catch(() => []), late])));
    return views.flat();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What the calls of `workers` wait on: each worker's pools, then the database's view of their
 * connections. Bounded by `timeoutMs` per step; [] when nothing is known (no toolkit pool, no server).
 */
export async function readWaits(workers: { workerId: number; threadId: number }[], timeoutMs: number, toolRoot: string): Promise<HangWait[]> {
  const pools = await Promise.all(
    workers.map(async (w) => ({ workerId: w.workerId, pools: poolsOf(await evaluateInWorker(w.threadId, WAITS_EXPRESSION, timeoutMs)) })),
  );
  const pids = pools.flatMap((w) => w.pools.flatMap((p) => p.connections.flatMap((c) => (c.pid ? [c.pid] : []))));
  return waitsOf(pools, await databaseSessions(pids, timeoutMs), toolRoot);
}

/** PostgreSQL's lock types as a sentence names them: a row's lock shows as its transaction's id or the tuple's. */
const lockType = (t: string): string => (t === 'transactionid' || t === 'tuple' ? 'row' : t === 'relation' ? 'table' : t);

/**
 * The waits, from the evidence: lock waits (grouped by worker, holder and lock), pools whose calls wait
 * for a connection, and queries in flight that wait for no lock. Pure: unit-tested from hand-made snapshots.
 * Long because it reads the three kinds in one pass over the same maps.
 */
export function waitsOf(workers: { workerId: number; pools: PoolSnapshot[] }[], sessions: DatabaseSession[], toolRoot: string): HangWait[] {
  // A few frames are enough to say where a call waits (the report keeps one stack per finding in full).
  const frames = (stack: string | undefined) => (stack ? stackFrames(stack, toolRoot).slice(0, STACK_FRAMES) : []);
  const withStack = (stack: string | undefined) => {
    const f = frames(stack);
    return f.length ? { stack: f } : {};
  };
  const lane = new Map<number, { workerId: number; connection: PoolSnapshot['connections'][number] }>();
  for (const w of workers) for (const p of w.pools) for (const c of p.connections) if (c.pid) lane.set(c.pid, { workerId: w.workerId, connection: c });
  const session = new Map(sessions.map((s) => [s.pid, s]));

  const holderOf = (pid: number): HangWaitHolder | undefined => {
    const s = session.get(pid);
    if (!s) return undefined;
    const mine = lane.get(pid);
    const sent = mine?.connection.pending ?? mine?.connection.last;
    return {
      ...(mine ? { workerId: mine.workerId, connection: mine.connection.index } : {}),
      pid,
      ...(mine?.connection.busy ? { inCall: true } : {}),
      state: s.state,
      ...(s.transactionMs !== undefined ? { transactionMs: s.transactionMs } : {}),
      stateMs: s.stateMs,
      query: s.query,
      ...withStack(sent?.stack),
    };
  };

  /**
   * The connection a lock wait comes down to: waiters queue behind the first one, which waits for the
   * holder; follow the chain to a connection that waits for no lock (or back to a waiter: a cycle).
   */
  const rootOf = (pid: number | undefined): number | undefined => {
    const seen = new Set<number>();
    for (let p = pid; p !== undefined; p = session.get(p)?.blockedBy[0]) {
      if (seen.has(p) || !session.get(p)?.lockWait) return p;
      seen.add(p);
    }
    return pid;
  };

  const locks = new Map<string, HangWait>();
  for (const s of sessions) {
    if (!s.lockWait) continue;
    const mine = lane.get(s.pid);
    const holder = rootOf(s.blockedBy[0]);
    const key = [mine?.workerId ?? '', holder ?? '', lockType(s.lockWait), s.table ?? ''].join(':');
    const forMs = mine?.connection.pending?.ms ?? s.stateMs;
    const seen = locks.get(key);
    if (seen) {
      seen.count++;
      seen.forMs = Math.max(seen.forMs, forMs);
      continue;
    }
    const held = holder !== undefined ? holderOf(holder) : undefined;
    locks.set(key, {
      kind: 'lock',
      ...(mine ? { workerId: mine.workerId } : {}),
      count: 1,
      forMs,
      query: s.query,
      lock: { type: lockType(s.lockWait), ...(s.table ? { table: s.table } : {}) },
      ...(held ? { holder: held } : {}),
      ...withStack(mine?.connection.pending?.stack),
    });
  }

  const pools: HangWait[] = [];
  const queries = new Map<string, HangWait>();
  for (const w of workers) {
    for (const p of w.pools) {
      if (p.waiting.length)
        pools.push({
          kind: 'pool',
          workerId: w.workerId,
          count: p.waiting.length,
          forMs: Math.max(...p.waiting.map((x) => x.ms)),
          pool: { name: p.name, size: p.size },
          ...withStack(p.waiting[0]!.stack),
        });
      for (const c of p.connections) {
        if (!c.pending || (c.pid && session.get(c.pid)?.lockWait)) continue;
        const key = `${w.workerId}:${c.pending.text}`;
        const seen = queries.get(key);
        if (seen) {
          seen.count++;
          seen.forMs = Math.max(seen.forMs, c.pending.ms);
        } else queries.set(key, { kind: 'query', workerId: w.workerId, count: 1, forMs: c.pending.ms, query: c.pending.text, ...withStack(c.pending.stack) });
      }
    }
  }
  // A pool's waits first: a lock's holder whose call is in flight often waits for that very pool.
  return [...pools, ...locks.values(), ...queries.values()];
}
