// The pool on its own (WorkerSession from dist/pool), with tiny adapters under test/fixtures-pool.
// No wall-clock bounds are asserted: timeouts only decide what counts as a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerSession } from '../dist/pool/session.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures-pool');

/** Both fixtures have operations [quick, stall]; weights [0, 1] make every call a `stall`. */
const open = (file, extra = {}) =>
  WorkerSession.open({
    adapterPath: path.join(dir, file),
    opNames: ['quick', 'stall'],
    workers: 2,
    lanes: 1,
    args: {},
    weights: [0, 1],
    uniqueOps: [false, false],
    timeoutMs: 2000,
    quietStdout: false,
    pinCpus: false,
    ...extra,
  });
const spec = (round, calls, extra = {}) => ({ round, seed: 1, shared: null, calls, overlap: false, sampleEvery: 0, ...extra });

test('after an abort, a worker that is merely slow is no hang; the stuck one is, with its operation', async () => {
  // Worker 0's call never settles (a hang after 2000 ms). Worker 1 makes 3 ms calls all along, then,
  // once the round is called off, spends 1300 ms in workerStats: longer than the 1000 ms grace, well
  // under the timeout. It is stopped, not reported as a hang in operation '?'.
  const s = await open('abort-slow.mjs');
  try {
    const t = await s.runRound(spec(1, [1, 1_000_000]));
    assert.deepEqual(
      t.hangs.map((h) => ({ workerId: h.workerId, where: h.where, op: h.op, pending: h.pending })),
      [{ workerId: 0, where: 'calls', op: 'stall', pending: { stall: 1 } }],
    );
    assert.ok(t.hangs[0].afterMs >= 2000);
    assert.deepEqual(t.stopped, [{ workerId: 1, reason: 'round-aborted' }]);
    assert.deepEqual(t.crashes, []);
    assert.equal(t.interrupted, false);
    assert.ok(t.ops[1].done > 0, 'worker 1 made progress');
    assert.equal(s.broken, true);
  } finally {
    await s.close();
  }
});

test('after interrupt(), no hang is ever reported: unanswered workers are stopped', async () => {
  const s = await open('hang.mjs', { timeoutMs: 60_000 });
  try {
    const pending = s.runRound(spec(1, [10, 10]));
    while (s.callsStarted(1) < 2) await new Promise((r) => setTimeout(r, 10));
    s.interrupt();
    const t = await pending;
    assert.equal(t.interrupted, true);
    assert.deepEqual(t.hangs, []);
    assert.deepEqual(
      t.stopped.map((x) => x.reason),
      ['interrupted', 'interrupted'],
    );
    assert.deepEqual(t.crashes, []);
    assert.equal(s.broken, true);
  } finally {
    await s.close();
  }
});

test('a worker whose round fails inside the tool answers internal-error, not a hook error', async () => {
  // sampleEvery -1 is a malformed request no strategy sends: the lane's sampling throws in the worker.
  const s = await open('abort-slow.mjs', { weights: [1, 0] });
  try {
    const t = await s.runRound(spec(1, [2, 2], { sampleEvery: -1 }));
    assert.deepEqual(t.hookErrors, []);
    // The first such answer calls the round off: a slower worker may stop before its first call.
    assert.ok(t.internalErrors.length >= 1);
    for (const e of t.internalErrors) assert.match(e.message, /TypeError/);
    assert.equal(s.broken, true);
  } finally {
    await s.close();
  }
});

test('calls all ended but the event loop never came back (an endless setImmediate): a hang, the round ends', async () => {
  // Before: every lane idle, phase still "calls", so the watchdog never fired and the round never ended.
  const s = await open('blocked-after-calls.mjs', { weights: [1, 0], timeoutMs: 500 });
  try {
    const t = await s.runRound(spec(1, [20, 20]));
    assert.deepEqual(
      t.hangs.map((h) => [h.workerId, h.where, h.op]),
      [[0, 'after-calls', undefined]],
    );
    assert.deepEqual(t.hangs[0].pending, {});
    assert.deepEqual(t.ops[0].done, 40);
    assert.equal(s.broken, true);
  } finally {
    await s.close();
  }
});

test('rounds run back to back, with exact counts', async () => {
  const s = await open('abort-slow.mjs', { weights: [1, 0], lanes: 3 });
  try {
    for (let round = 1; round <= 3; round++) {
      const t = await s.runRound(spec(round, [50, 70]));
      assert.deepEqual(
        t.ops.map((o) => [o.name, o.started, o.done, o.errors]),
        [
          ['quick', 120, 120, 0],
          ['stall', 0, 0, 0],
        ],
      );
      assert.deepEqual([t.hangs, t.crashes, t.hookErrors, t.internalErrors, t.stopped], [[], [], [], [], []]);
      assert.equal(s.callsStarted(round), 120);
    }
    assert.equal(s.broken, false);
  } finally {
    await s.close();
  }
  assert.equal(s.closed, true);
});
