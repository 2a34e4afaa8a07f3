// What a hang's calls waited on, as plain data passed between two parts that never import each other:
// the toolkit (loaded by the user's adapter, in workers and the main thread) registers its pools and
// database servers on globalThis, and the pool reads them when a call hangs (src/pool/waits.ts). Declared
// once here, below both; the toolkit imports these types only (test/architecture.test.mjs keeps it so:
// nothing of the engine is loaded into a user's adapter through the toolkit).

/** A connection's query in flight, or its last one, as a snapshot shows it. */
export interface QuerySnapshot {
  text: string;
  /** In flight: for how long; the last one: how long ago it was sent. */
  ms: number;
  stack: string;
}

export interface ConnectionSnapshot {
  /** Its index in the pool (the order connections were opened). */
  index: number;
  /** Taken by a call. */
  busy: boolean;
  /** The server's id of the connection (PostgreSQL: its backend's pid). */
  pid?: number;
  pending?: QuerySnapshot;
  last?: QuerySnapshot;
}

/** A worker's snapshot of one of the toolkit's pools. */
export interface PoolSnapshot {
  /** What the pool is, as a sentence names it: "postgres() connections". */
  name: string;
  size: number;
  /** Calls waiting for a free connection: for how long, and where each waits. */
  waiting: { ms: number; stack: string }[];
  connections: ConnectionSnapshot[];
}

/** A connection of the database as the server sees it (PostgreSQL: a row of pg_stat_activity). */
export interface DatabaseSession {
  pid: number;
  /** 'active', 'idle', 'idle in transaction', 'idle in transaction (aborted)', ... */
  state: string;
  /** What it waits for, when it waits for a lock: PostgreSQL's lock type ('transactionid', 'tuple', 'relation', 'advisory', ...). */
  lockWait?: string;
  /** The table of the row or table it waits for, when known. */
  table?: string;
  /** Its current query, or the last one when idle. */
  query: string;
  /** Its transaction's age, ms (none open: absent). */
  transactionMs?: number;
  /** Time in its current state, ms. */
  stateMs: number;
  /** The connections it waits for (pg_blocking_pids). */
  blockedBy: number[];
}

/** A database server's answer, from the main thread: the sessions `pids` are and those they wait for. */
export type DatabaseWaits = (pids: number[]) => Promise<DatabaseSession[]>;
