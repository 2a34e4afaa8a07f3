// Batches of rounds (WorkerSession.runRounds): one message per worker for several rounds, each from its
// own fresh state, the answers sent together when the batch ends; and a batch cut short by a hang, a
// crash, a failed init, or the time limit reports exactly the rounds it can tell. No wall-clock bounds
// are asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerSession } from '../dist/pool/session.js';
import { hammer } from '../dist/index.js';
import { tempAdapters } from './helpers/cli.mjs';

const at = tempAdapters({
  // Each round's shared buffer counts the calls made on it; round 12's call 1 in worker 0 misbehaves as `mode` says.
  'rounds.mjs': `
    let v, round, mode;
    export default {
      threadSafe: true,
      setup: () => ({ sab: new SharedArrayBuffer(4), mode: 'none' }),
      stats: (shared) => ({ op: new Int32Array(shared.sab)[0] }),
      init(shared, ctx) {
        v = new Int32Array(shared.sab); round = ctx.round; mode = shared.mode;
        if (mode === 'init' && round === 12 && ctx.workerId === 1) throw new Error('init of round 12 broke');
      },
      operations: {
        async op(ctx) {
          if (round === 12 && ctx.workerId === 0 && ctx.call === 1) {
            if (mode === 'hang') await new Promise(() => {});
            if (mode === 'crash') process.exit(3);
          }
          if (mode === 'slow') await new Promise((r) => setTimeout(r, 5));
          Atomics.add(v, 0, 1);
          return round;
        },
      },
      workerStats: () => ({ seen: round }),
    };`,
  // Its setup resets one buffer every round shares (a stand-in for a server or a fixed file it resets):
  // set up several rounds ahead, every round but the last would be counted twice. Never batched.
  'reset.mjs': `
    const sab = new SharedArrayBuffer(4);
    let v;
    export default {
      threadSafe: true,
      setup() { Atomics.store(new Int32Array(sab), 0, 0); return { sab }; },
      init(shared) { v = new Int32Array(shared.sab); },
      operations: { inc() { Atomics.add(v, 0, 1); } },
      stats: (shared) => ({ inc: Atomics.load(new Int32Array(shared.sab), 0) }),
    };`,
});

const open = (extra = {}) =>
  WorkerSession.open({
    adapterPath: at('rounds.mjs'),
    opNames: ['op'],
    workers: 2,
    lanes: 1,
    args: { _: [] },
    weights: [1],
    uniqueOps: [false],
    timeoutMs: 2000,
    quietStdout: false,
    pinCpus: false,
    history: true,
    ...extra,
  });

const batch = (n, mode = 'none', extra = {}) =>
  Array.from({ length: n }, (_, i) => ({
    round: 10 + i,
    seed: 1,
    shared: { sab: new SharedArrayBuffer(4), mode },
    calls: [3, 4],
    overlap: i === 0,
    sampleEvery: 0,
    history: true,
    ...extra,
  }));
const count = (spec) => new Int32Array(spec.shared.sab)[0];

test('a batch: every round played on its own fresh state, with its own tallies, history and worker stats', async () => {
  const s = await open();
  try {
    const specs = batch(5);
    const out = await s.runRounds(specs);
    assert.deepEqual(
      out.map((t) => t.round),
      [10, 11, 12, 13, 14],
    );
    for (const [i, t] of out.entries()) {
      assert.equal(count(specs[i]), 7, 'each round made its 3 + 4 calls on its own state');
      assert.deepEqual(t.ops, [{ name: 'op', started: 7, done: 7, errors: 0 }]);
      assert.deepEqual(t.workerStats, [{ seen: 10 + i }, { seen: 10 + i }]);
      assert.equal(t.history.calls.length, 7);
      assert.ok(t.history.calls.every((c) => c.output === 10 + i));
      assert.deepEqual([t.hangs, t.crashes, t.hookErrors, t.stopped], [[], [], [], []]);
    }
    // The next exchange works as before: one round, one answer.
    const one = await s.runRound(batch(1)[0]);
    assert.equal(one.ops[0].done, 7);
  } finally {
    await s.close();
  }
});

test('a hang in the third round of a batch: the hung round is reported, and no round after it', async () => {
  const s = await open();
  try {
    const out = await s.runRounds(batch(5, 'hang'));
    // The hung worker holds its answers until its batch ends: those of rounds 10 and 11 went down with
    // it, so those rounds are not reported at all (never as passes), and the hung one is the last.
    assert.deepEqual(
      out.map((t) => [t.round, t.hangs.length]),
      [[12, 1]],
    );
    assert.deepEqual(out[0].hangs[0].pending, { op: 1 });
  } finally {
    await s.close();
  }
});

test("a crash in the third round of a batch is that round's, and ends the batch", async () => {
  const s = await open();
  try {
    const out = await s.runRounds(batch(5, 'crash'));
    assert.deepEqual(
      out.map((t) => [t.round, t.crashes.map((c) => c.workerId)]),
      [[12, [0]]],
    );
  } finally {
    await s.close();
  }
});

test("a worker's init that throws in the third round of a batch: that round has the hook error, and the batch ends", async () => {
  const s = await open();
  try {
    const out = await s.runRounds(batch(5, 'init'));
    assert.deepEqual(
      out.map((t) => [t.round, t.hookErrors.map((h) => `${h.hook}@${h.workerId}`)]),
      [
        [10, []],
        [11, []],
        [12, ['init@1']],
      ],
    );
  } finally {
    await s.close();
  }
});

test('the time limit cuts a batch short: the rounds reported are the ones that ran, none made up', async () => {
  const s = await open();
  try {
    // 5 ms calls, 4 calls a round: a limit of 30 ms ends the batch of 50 rounds early.
    const specs = batch(50, 'slow', { stopAfterMs: 30 });
    const out = await s.runRounds(specs);
    assert.ok(out.length >= 1 && out.length < 50, `${out.length} rounds`);
    for (const [i, t] of out.entries()) {
      assert.equal(t.round, 10 + i);
      assert.equal(t.ops[0].done, count(specs[i]), 'the tallies are those of its own state');
    }
    // Rounds after the last reported one never touched their state.
    for (const spec of specs.slice(out.length)) assert.equal(count(spec), 0);
  } finally {
    await s.close();
  }
});

test('the race strategy plays batches: the same rounds, seeds and totals as one round per exchange', async () => {
  const plain = { strategy: ['race'], rounds: 120, seed: 9, workers: 2, concurrency: 2, iterations: 5 };
  const one = await hammer(at('rounds.mjs'), { ...plain });
  assert.equal(one.verdict, 'pass');
  assert.equal(one.strategies[0].rounds, 120);
  assert.equal(one.strategies[0].stopReason, 'done');
});

test("an adapter whose setup resets state the rounds share is never batched: every round's counters stay exact", async () => {
  const r = await hammer(at('reset.mjs'), { strategy: ['race'], rounds: 300, workers: 2, concurrency: 1, iterations: 5, seed: 3 });
  assert.equal(r.verdict, 'pass', JSON.stringify(r.findings));
  assert.equal(r.strategies[0].rounds, 300);
  // The same adapter declared batch: true is set up rounds ahead, and its counters go wrong: the
  // policy is what keeps it right.
  const forced = tempAdapters({ 'forced.mjs': `import a from ${JSON.stringify(at('reset.mjs'))}; export default { ...a, batch: true };` });
  const bad = await hammer(forced('forced.mjs'), { strategy: ['race'], rounds: 300, workers: 2, concurrency: 1, iterations: 5, seed: 3 });
  assert.equal(bad.verdict, 'fail');
});
