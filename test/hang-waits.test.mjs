// A hang whose calls wait on the database or a pool, named from hand-made evidence: the toolkit's pool
// snapshots (what each worker's connections were doing) and the database's view (pg_stat_activity).
// The real thing, against a real PostgreSQL, is in db.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitsOf } from '../dist/pool/waits.js';
import { waitsOfWorker } from '../dist/checks/round.js';
import { waitsSentence } from '../dist/reporters/hang-waits.js';

const TOOL = '/opt/adapter-hammer/dist/';
const at = (fn, line) => `Error\n    at ${fn} (/app/shop.mjs:${line}:5)\n    at async LaneClients.use (/opt/adapter-hammer/dist/toolkit/lanes.js:60:20)`;
const conn = (index, pid, extra = {}) => ({ index, busy: false, pid, ...extra });
const pool = (connections, waiting = []) => ({ name: 'postgres() connections', size: connections.length, waiting, connections });
const SELECT = 'SELECT stock FROM item WHERE id = 1 FOR UPDATE';

test('a transaction left open: the lock waits name the row, the table, and the idle transaction holding it, with where each query was sent', () => {
  const workers = [
    // Worker 0's connection 1 returned from its call with the transaction open; 0 and 2 wait behind it.
    {
      workerId: 0,
      pools: [
        pool([
          conn(0, 100, { busy: true, pending: { text: SELECT, ms: 5100, stack: at('buy', 12) } }),
          conn(1, 101, { last: { text: SELECT, ms: 5200, stack: at('buy', 12) } }),
          conn(2, 102, { busy: true, pending: { text: SELECT, ms: 5000, stack: at('buy', 12) } }),
        ]),
      ],
    },
    { workerId: 1, pools: [pool([conn(0, 200, { busy: true, pending: { text: SELECT, ms: 4900, stack: at('buy', 12) } })])] },
  ];
  const sessions = [
    // The first waiter waits for the holder's transaction; the others queue behind the first (the tuple lock).
    { pid: 100, state: 'active', lockWait: 'transactionid', table: 'item', query: SELECT, stateMs: 5100, blockedBy: [101] },
    { pid: 102, state: 'active', lockWait: 'tuple', table: 'item', query: SELECT, stateMs: 5000, blockedBy: [100] },
    { pid: 200, state: 'active', lockWait: 'tuple', table: 'item', query: SELECT, stateMs: 4900, blockedBy: [100] },
    { pid: 101, state: 'idle in transaction', query: SELECT, transactionMs: 5300, stateMs: 5200, blockedBy: [] },
  ];
  const waits = waitsOf(workers, sessions, TOOL);
  assert.deepEqual(
    waits.map((w) => [w.kind, w.workerId, w.count, w.lock?.type, w.lock?.table, w.holder?.pid]),
    [
      ['lock', 0, 2, 'row', 'item', 101],
      ['lock', 1, 1, 'row', 'item', 101],
    ],
    'both waits of worker 0 come down to one holder (the queue is followed to its head), as one row lock',
  );
  const [w0] = waits;
  assert.equal(w0.forMs, 5100);
  assert.equal(w0.stack[0].text, 'buy (/app/shop.mjs:12:5)');
  assert.equal(w0.stack[0].user, true);
  assert.equal(
    w0.stack.some((f) => f.user && f.file.includes('adapter-hammer')),
    false,
    "the toolkit's frames are not the user's",
  );
  assert.deepEqual(
    { ...w0.holder, stack: w0.holder.stack[0].text },
    {
      workerId: 0,
      connection: 1,
      pid: 101,
      state: 'idle in transaction',
      transactionMs: 5300,
      stateMs: 5200,
      query: SELECT,
      stack: 'buy (/app/shop.mjs:12:5)',
    },
  );
  const text = waitsSentence(waitsOfWorker(waits, 0));
  assert.match(
    text,
    /^In the database, 2 connections wait for a row lock on 'item' for 5\.1 s \(their query: SELECT stock FROM item WHERE id = 1 FOR UPDATE, at buy \(\/app\/shop\.mjs:12:5\)\)/,
  );
  assert.match(text, /held by connection 1 of worker 0 \(pid 101\), whose transaction was left open by a call that returned: idle in transaction for 5\.2 s/);
  assert.match(text, /end the transaction on every path/);
  assert.equal(waitsOfWorker(waits, 1).length, 1);
});

test('a pool with no free connection: the calls waiting for one, the pool, its size and where they wait; a lock held by a call in flight is not "left open"', () => {
  const workers = [
    {
      workerId: 0,
      pools: [
        pool(
          [0, 1, 2, 3].map((i) =>
            conn(i, 300 + i, { busy: true, last: { text: 'UPDATE account SET balance = balance + $1 WHERE id = $2', ms: 3000, stack: at('move', 30) } }),
          ),
          [
            { ms: 3100, stack: at('audit', 40) },
            { ms: 3050, stack: at('audit', 40) },
          ],
        ),
      ],
    },
  ];
  const sessions = [
    { pid: 301, state: 'active', lockWait: 'transactionid', table: 'account', query: 'UPDATE account', stateMs: 3000, blockedBy: [300] },
    { pid: 300, state: 'idle in transaction', query: 'UPDATE account', transactionMs: 3100, stateMs: 3000, blockedBy: [] },
  ];
  const waits = waitsOf(workers, sessions, TOOL);
  assert.deepEqual(
    waits.map((w) => w.kind),
    ['pool', 'lock'],
  );
  const [p, l] = waits;
  assert.deepEqual([p.count, p.forMs, p.pool, p.stack[0].text], [2, 3100, { name: 'postgres() connections', size: 4 }, 'audit (/app/shop.mjs:40:5)']);
  assert.equal(l.holder.inCall, true, "the holder's connection is taken by a call in flight");
  const text = waitsSentence(waits);
  assert.match(text, /^2 calls wait for a free connection of the worker's postgres\(\) connections, at audit \(\/app\/shop\.mjs:40:5\): all 4 are taken/);
  assert.match(text, /whose transaction stays open while its call waits for something else/);
  assert.doesNotMatch(text, /left open by a call that returned/);
  assert.match(text, /Do the work on the connection the call already holds/);
});

test('queries that wait for no lock, connections no pool names, and no evidence at all', () => {
  const workers = [{ workerId: 1, pools: [pool([conn(0, 400, { busy: true, pending: { text: 'SELECT pg_sleep(60)', ms: 6000, stack: at('slow', 7) } })])] }];
  const sessions = [
    { pid: 400, state: 'active', query: 'SELECT pg_sleep(60)', stateMs: 6000, blockedBy: [] },
    // An ORM's own connection (not the toolkit's): the database still names its wait and the holder.
    { pid: 500, state: 'active', lockWait: 'relation', table: 'users', query: 'ALTER TABLE users ADD c int', stateMs: 4000, blockedBy: [501] },
    { pid: 501, state: 'idle in transaction (aborted)', query: 'INSERT INTO users VALUES (1)', transactionMs: 4500, stateMs: 4400, blockedBy: [] },
  ];
  const waits = waitsOf(workers, sessions, TOOL);
  assert.deepEqual(
    waits.map((w) => [w.kind, w.workerId]),
    [
      ['lock', undefined],
      ['query', 1],
    ],
  );
  assert.equal(waitsOfWorker(waits, 1).length, 2, "a wait no worker's pool names concerns every hung worker");
  const text = waitsSentence(waits);
  assert.match(text, /1 connection of the database waits for a lock of table 'users' for 4\.0 s/);
  assert.match(text, /held by the connection with pid 501, whose transaction failed and was never rolled back/);
  assert.match(text, /A query sent 6\.0 s ago has not answered \(SELECT pg_sleep\(60\), at slow \(\/app\/shop\.mjs:7:5\)\), and it waits for no lock/);
  assert.equal(waitsSentence([]), null);
  assert.deepEqual(waitsOf([], [], TOOL), []);
  // A worker that answered nothing useful (no toolkit pool) adds nothing.
  assert.deepEqual(waitsOf([{ workerId: 0, pools: [] }], [], TOOL), []);
});
