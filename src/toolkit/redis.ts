/**
 * A real Redis for the run, and a key prefix of its own for every round.
 *
 * ```js
 * import { redis } from 'adapter-hammer/toolkit';
 * const db = redis();
 * let lanes; // this worker's connections, one per lane, kept across rounds
 * export default {
 *   batch: true, // every round has keys of its own: rounds may be set up ahead of each other
 *   globalSetup: ({ args }) => db.start(args),
 *   globalTeardown: () => db.stop(),
 *   setup: () => db.round(), // { url, prefix }
 *   init: async (shared, ctx) => { lanes = await db.connect(shared, ctx); },
 *   operations: { hit: (ctx) => lanes.use((r) => r.incr(`${shared.prefix}hits`)) },
 *   stats: async ({ prefix }) => ({ hit: Number(await (await db.admin()).get(`${prefix}hits`)) }),
 *   teardown: (shared) => db.drop(shared),
 * };
 * ```
 *
 * The server is the one the user names (`-- --redis redis://...`, or `REDIS_URL`), else the system's
 * `redis-server` started for the run on 127.0.0.1, a free port, a temp directory, no persistence, as an
 * unprivileged user when adapter-hammer runs as root; ready when it answers PING; stopped by its keeper
 * however the run ends. The client is the project's `ioredis` package, loaded only when used.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DatabaseUnavailableError, importPeer, lineOf, noteDatabaseClient, redact, serverDir, serverIds } from './db-server.js';
import { LaneClients } from './lanes.js';
import { freePort, startServer, type ServerProcess } from './server.js';

/** The part of an ioredis client the toolkit uses. */
export interface RedisClient {
  connect(): Promise<unknown>;
  ping(): Promise<string>;
  scan(cursor: string | number, ...args: (string | number)[]): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error' | 'end', listener: (...a: unknown[]) => void): unknown;
}
type RedisModule = new (url: string, options: Record<string, unknown>) => RedisClient;

export interface RedisOptions {
  /** How long a started server may take to answer PING. Default 20,000 ms. */
  startTimeoutMs?: number;
  /** The ioredis constructor to use (default: the project's `ioredis`, imported when first needed). */
  Redis?: RedisModule;
}

/** What `setup` returns and every worker's `init` receives. */
export interface RedisRound {
  url: string;
  /** Every key of this round starts with it (`ah:<run>:<n>:`). */
  prefix: string;
}

/** What follows `--` that {@link Redis.start} reads. */
export interface RedisArgs {
  /** A running server: `-- --redis redis://host:6379/0`. */
  redis?: unknown;
}

export interface Redis {
  /** Main thread, once (e.g. in `globalSetup`): the user's server, or a started one. Resolves with its URL. */
  start(args?: RedisArgs): Promise<string>;
  /** Main thread, in `setup`: a fresh key prefix (starts the server if needed). */
  round(options?: { args?: RedisArgs }): Promise<RedisRound>;
  /** Main thread: the admin connection (e.g. for `stats`). */
  admin(): Promise<RedisClient>;
  /** Main thread, in `teardown`: delete the round's keys. */
  drop(round: RedisRound): Promise<void>;
  /** A worker, in `init`: its connections, one per lane (`ctx.lanes`), opened once and kept across rounds. */
  connect(round: RedisRound, ctx: { lanes: number }): Promise<LaneClients<RedisClient>>;
  /** Main thread (e.g. in `globalTeardown`): close the admin connection, delete keys left, stop a started server. */
  stop(): Promise<void>;
}

const INSTALL_IOREDIS = 'npm install --save-dev ioredis';
const NO_REDIS =
  "no redis-server: apt-get install -y redis-server (or your system's package), or name a running one: -- --redis redis://host:6379 (or REDIS_URL)";

const clientOptions = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 };

export function redis(options: RedisOptions = {}): Redis {
  noteDatabaseClient('ioredis'); // the run is planned as a database's before ioredis is loaded (db-server.ts)
  let server: Promise<{ url: string; process: ServerProcess | null; admin: RedisClient }> | null = null;
  const tag = randomBytes(3).toString('hex');
  let made = 0;
  const live = new Set<string>();
  let lanes: LaneClients<RedisClient> | null = null;
  let lanesOf: string | null = null;
  // Resolved and imported once per thread (a resolve per round would cost file-system lookups).
  let loaded: Promise<RedisModule> | null = null;
  const Ctor = (): Promise<RedisModule> => (loaded ??= options.Redis ? Promise.resolve(options.Redis) : importPeer<RedisModule>('ioredis', INSTALL_IOREDIS));

  const handle: Redis = {
    start(args = {}) {
      server ??= open(options, args, Ctor);
      return server.then((s) => s.url);
    },
    async round(o = {}) {
      const url = await handle.start(o.args);
      const prefix = `ah:${tag}:${++made}:`;
      live.add(prefix);
      return { url, prefix };
    },
    async admin() {
      if (!server) throw new DatabaseUnavailableError('redis(): start() it first (in globalSetup, or let round() start it in setup)');
      return (await server).admin;
    },
    async drop(round) {
      if (!live.delete(round.prefix)) return;
      const admin = await handle.admin();
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${round.prefix}*`, 'COUNT', 1000);
        if (keys.length) await admin.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
    async connect(round, ctx) {
      const Redis = await Ctor();
      if (lanesOf !== round.url) {
        await lanes?.close();
        lanesOf = round.url;
        lanes = new LaneClients<RedisClient>({
          async open() {
            const c = new Redis(round.url, clientOptions);
            c.on('error', () => {}); // ioredis reconnects by itself; an unwatched 'error' would only print
            await c.connect();
            return c;
          },
          watch: (c, broken) => c.on('end', broken),
          close: async (c) => {
            await c.quit().catch(() => c.disconnect());
          },
        });
      }
      await lanes!.fill(ctx.lanes);
      return lanes!;
    },
    async stop() {
      const s = server;
      server = null;
      await lanes?.close();
      lanes = null;
      lanesOf = null;
      if (!s) return;
      const started = await s.catch(() => null);
      if (started && !started.process) for (const prefix of [...live]) await handle.drop({ url: '', prefix }).catch(() => {});
      live.clear();
      if (started) await started.admin.quit().catch(() => started.admin.disconnect());
      await started?.process?.stop();
    },
  };
  return handle;
}

async function open(
  options: RedisOptions,
  args: RedisArgs,
  Ctor: () => Promise<RedisModule>,
): Promise<{ url: string; process: ServerProcess | null; admin: RedisClient }> {
  const Redis = await Ctor();
  const named = typeof args.redis === 'string' ? args.redis : process.env.REDIS_URL;
  if (named) {
    if (!/^rediss?:\/\//.test(named)) throw new DatabaseUnavailableError(`--redis ${redact(named)}: not a redis:// URL`);
    const admin = new Redis(named, clientOptions);
    admin.on('error', () => {});
    try {
      await admin.connect();
      await admin.ping();
    } catch (e) {
      admin.disconnect();
      const from = typeof args.redis === 'string' ? '--redis' : 'REDIS_URL';
      throw new DatabaseUnavailableError(`cannot connect to Redis at ${redact(named)} (${from}): ${lineOf(e)}`);
    }
    return { url: named, process: null, admin };
  }
  const exe = findRedis();
  if (!exe) throw new DatabaseUnavailableError(NO_REDIS);
  const ids = serverIds();
  const dir = serverDir('ah-redis-', ids);
  const port = await freePort();
  let p: ServerProcess;
  try {
    p = await startServer({
      // No persistence (a throw-away server), loopback only, no unix socket, logs on stdout (drained).
      command: [
        exe,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--protected-mode',
        'yes',
        '--daemonize',
        'no',
      ],
      cwd: dir,
      port,
      startTimeoutMs: options.startTimeoutMs ?? 20_000,
      ...ids,
      cleanup: [dir],
      name: 'the server',
      ready: (at) => answersPing(Redis, `redis://127.0.0.1:${at}`),
    });
  } catch (e) {
    throw new DatabaseUnavailableError(`redis-server (${exe}) did not start: ${lineOf(e)}`);
  }
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, clientOptions);
  admin.on('error', () => {});
  await admin.connect();
  return { url, process: p, admin };
}

/** redis-server on PATH, else where Debian puts it. */
export function findRedis(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) if (dir && existsSync(path.join(dir, 'redis-server'))) return path.join(dir, 'redis-server');
  return null;
}

/** Ready means it answers PING (not merely that it accepts a connection). */
async function answersPing(Redis: RedisModule, url: string): Promise<boolean> {
  const c = new Redis(url, { ...clientOptions, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}
