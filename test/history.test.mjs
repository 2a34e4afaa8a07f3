// Call histories (pool/history.ts), operations with an input, the model's check of every round
// (checks/model.ts), the failing history on findings, and shrinking to fewer operations. Through the
// pool and the API in this process, and the CLI where exit codes matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hammer } from '../dist/index.js';
import { WorkerSession } from '../dist/pool/session.js';
import { loadAdapter } from '../dist/adapter/load.js';
import { makePlan } from '../dist/plan/plan.js';
import { runCli, tempAdapters } from './helpers/cli.mjs';

const at = tempAdapters({
  // An operation with an input; its output says which worker and lane ran it.
  'echo.mjs': `
    export default {
      threadSafe: true,
      operations: { echo: { input: (ctx) => ctx.call * 10, run: (k, ctx) => ({ k, w: ctx.workerId }) }, fn: () => () => 1 },
    };`,
  // Ping-pong between two workers in one round: worker 0's second call starts after its first ended,
  // waits 2 ms, then lets worker 1's first call return; worker 1's second call then does the same for
  // worker 0's third. Each "after" must show after its "before" on the one clock of the history.
  'pingpong.mjs': `
    let v;
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    export default {
      threadSafe: true,
      setup: () => new SharedArrayBuffer(8),
      init(sab) { v = new Int32Array(sab); },
      operations: {
        step(ctx) {
          const [me, other] = ctx.workerId === 0 ? [0, 1] : [1, 0];
          if (ctx.workerId === 0 && ctx.call === 1) { sleep(2); Atomics.store(v, 0, 1); }
          if (ctx.workerId === 1 && ctx.call === 0) while (Atomics.load(v, 0) === 0);
          if (ctx.workerId === 1 && ctx.call === 1) { sleep(2); Atomics.store(v, 1, 1); }
          if (ctx.workerId === 0 && ctx.call === 2) while (Atomics.load(v, 1) === 0);
          return me + other;
        },
      },
    };`,
  // read -> await -> write inside one worker: lanes lose increments; its model says each incr returns the count after it.
  'ctr-unsafe.mjs': `
    let count = 0;
    export default {
      threadSafe: true,
      workers: 1,
      init() { count = 0; },
      operations: { async incr() { const v = count; await null; count = v + 1; return v + 1; }, async read() { await null; return count; } },
      weights: { read: 1 },
      model: {
        init: () => 0,
        step: (s, op, _input, out) => (op === 'incr' ? { ok: out === s + 1, state: s + 1 } : { ok: out === s, state: s }),
      },
    };`,
  'ctr-safe.mjs': `
    let count = 0;
    export default {
      threadSafe: true,
      workers: 1,
      init() { count = 0; },
      operations: { async incr() { await null; count += 1; return count; } },
      model: { init: () => 0, step: (s, _op, _input, out) => ({ ok: out === s + 1, state: s + 1 }) },
    };`,
  // Every order of 16 overlapping calls is distinct to the model, and the last call is never accepted:
  // the check cannot decide within its budget.
  'undecidable.mjs': `
    export default {
      threadSafe: true,
      workers: 1,
      concurrency: 16,
      iterations: 16,
      operations: { async put(ctx) { await new Promise((r) => setTimeout(r, 2)); return ctx.call; } },
      model: { init: () => '', step: (s, _op, _input, out) => ({ ok: s.length < 15 * 3, state: s + String(out).padStart(3, '.') }) },
    };`,
  // The same, with a second check of what the calls return (each call's answer differs: unique).
  'undecidable-unique.mjs': `
    export default {
      threadSafe: true,
      workers: 1,
      concurrency: 16,
      iterations: 16,
      unique: ['put'],
      operations: { async put(ctx) { await new Promise((r) => setTimeout(r, 2)); return ctx.call; } },
      model: { init: () => '', step: (s, _op, _input, out) => ({ ok: s.length < 15 * 3, state: s + String(out).padStart(3, '.') }) },
    };`,
  // A model that throws is the model's bug: reported once, as an error of hook 'model'.
  'bad-model.mjs': `
    export default {
      threadSafe: true,
      workers: 1,
      operations: { a() { return 1; } },
      model: { init: () => 0, step() { throw new Error('step exploded'); } },
    };`,
  // Counters only: the first failing round's history still shows the calls that overlapped.
  'shared-counter.mjs': `
    let v;
    export default {
      threadSafe: true,
      setup: () => new SharedArrayBuffer(4),
      init(sab) { v = new Int32Array(sab); },
      operations: { async increment() { const x = v[0]; await null; v[0] = x + 1; } },
      stats: (sab) => ({ increment: new Int32Array(sab)[0] }),
    };`,
});

async function withSession(file, opNames, workers, fn) {
  const s = await WorkerSession.open({
    adapterPath: at(file),
    opNames,
    workers,
    lanes: 1,
    args: { _: [] },
    weights: opNames.map(() => 1),
    uniqueOps: opNames.map(() => false),
    timeoutMs: 10_000,
    quietStdout: false,
    pinCpus: false,
    history: true,
  });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

test('a recorded round: every call with its worker, lane, input, output and times; none when recording is off', async () => {
  await withSession('echo.mjs', ['echo', 'fn'], 2, async (s) => {
    const t = await s.runRound({ round: 0, seed: 7, shared: null, calls: [20, 20], overlap: false, sampleEvery: 0, history: true });
    const calls = t.history.calls;
    assert.equal(calls.length, 40);
    assert.equal(t.history.omitted, 0);
    for (const c of calls) {
      assert.ok(c.end >= c.start, 'a call ends after it starts');
      if (c.op === 'echo') {
        assert.equal(typeof c.input, 'number');
        assert.deepEqual(c.output, { k: c.input, w: c.worker });
      } else {
        // A function cannot cross threads: it is kept as its inspected text rather than losing the round.
        assert.equal(c.input, undefined);
        assert.match(String(c.output), /Function/);
      }
    }
    // Sorted by start, from the round's first call.
    assert.equal(calls[0].start, 0);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i].start >= calls[i - 1].start);
    // One lane per worker: its calls never overlap each other.
    for (const w of [0, 1]) {
      const mine = calls.filter((c) => c.worker === w);
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i].start >= mine[i - 1].end);
    }
    const off = await s.runRound({ round: 1, seed: 7, shared: null, calls: [5, 5], overlap: false, sampleEvery: 0, history: false });
    assert.equal(off.history, null);
  });
});

test('a batch whose recorded outputs cannot be cloned: every round still answered, with their inspected text', async () => {
  // A batch's answers cross in one message (pool/worker.ts): one answer that cannot be cloned must not lose the others.
  await withSession('echo.mjs', ['echo', 'fn'], 2, async (s) => {
    const spec = (round) => ({ round, seed: 7, shared: null, calls: [8, 8], overlap: false, sampleEvery: 0, history: true });
    const ts = await s.runRounds([spec(0), spec(1), spec(2)]);
    assert.deepEqual(
      ts.map((t) => t.round),
      [0, 1, 2],
    );
    for (const t of ts) {
      assert.equal(t.history.calls.length, 16);
      const fns = t.history.calls.filter((c) => c.op === 'fn');
      assert.ok(fns.length > 0);
      for (const c of fns) assert.match(String(c.output), /Function/);
    }
  });
});

test("one clock across threads: a call that waited for another worker starts after that worker's call ended", async () => {
  await withSession('pingpong.mjs', ['step'], 2, async (s) => {
    const shared = new SharedArrayBuffer(8);
    const t = await s.runRound({ round: 0, seed: 1, shared, calls: [3, 2], overlap: false, sampleEvery: 0, history: true });
    const call = (w, i) => t.history.calls.filter((c) => c.worker === w)[i];
    // worker 0 call 0 ended before its call 1 released worker 1's call 0; so worker 1's call 1 started later.
    assert.ok(call(1, 1).start > call(0, 0).end, `w1 call1 ${call(1, 1).start} after w0 call0 ${call(0, 0).end}`);
    // And back: worker 1's call 0 ended before its call 1 released worker 0's call 2, so worker 0's call 2 ended later.
    assert.ok(call(0, 2).end > call(1, 0).end, `w0 call2 ${call(0, 2).end} after w1 call0 ${call(1, 0).end}`);
  });
});

test('a model: every race round is checked; a lost increment is a linearizability finding with the failing history and the call no order explains', async () => {
  const r = await hammer(at('ctr-unsafe.mjs'), { strategy: ['race'], rounds: 200, seed: 3 });
  assert.equal(r.verdict, 'fail');
  const race = r.strategies[0];
  assert.equal(race.model.checkedRounds, race.rounds);
  const f = r.findings.find((x) => x.kind === 'linearizability');
  assert.ok(f, JSON.stringify(r.findings));
  assert.match(f.message, /no order of its \d+ calls explains (incr|read)\(\) → \d+/);
  const h = f.history;
  assert.ok(h.calls.length > 1 && h.calls.length <= 24, `a window, not the whole round: ${h.calls.length}`);
  const culprit = h.calls[h.culprit];
  assert.ok(culprit, 'the culprit is one of the calls shown');
  // The culprit overlaps some other call shown (the interleaving that lost an update).
  assert.ok(h.calls.some((c) => c !== culprit && c.start < culprit.end && culprit.start < c.end));
  // Shrunk to fewer calls and, here, only the operation that races; the replay names it.
  const m = race.minimal;
  assert.ok(m, 'a smallest failing scenario');
  assert.deepEqual(m.ops, ['incr']);
  assert.match(m.command, /--ops incr/);
  assert.ok(m.history && m.history.calls.length >= 2 && m.history.calls.every((c) => c.op === 'incr'));
});

test('a model: the safe twin passes with every round checked', async () => {
  const r = await hammer(at('ctr-safe.mjs'), { strategy: ['race', 'hammer'], rounds: 100, seed: 3, requests: 2000 });
  assert.equal(r.verdict, 'pass', JSON.stringify(r.findings));
  const race = r.strategies.find((s) => s.name === 'race');
  assert.equal(race.model.checkedRounds, race.rounds);
  assert.equal(race.model.unknownRounds, 0);
  const h = r.strategies.find((s) => s.name === 'hammer');
  assert.deepEqual(h.model, { checkedRounds: 1, unknownRounds: 0 });
});

test('a check out of its budget is unknown: a warning, counted, a failure only under --strict', async () => {
  // Beside another check (unique), an undecided model is a warning: the rounds were still checked.
  const plain = await runCli([at('undecidable-unique.mjs'), '-s', 'race', '-r', '2', '--json', '-']);
  assert.equal(plain.code, 0, plain.stderr);
  const r = JSON.parse(plain.stdout);
  assert.deepEqual({ checked: r.strategies[0].model.checkedRounds, unknown: r.strategies[0].model.unknownRounds }, { checked: 2, unknown: 2 });
  assert.ok(r.warnings.some((w) => w.code === 'model-unknown'));
  assert.equal(r.findings.length, 0);
  // Its pass is weak evidence, never a plain PASS: the caveat is on the strategy and in the headline.
  assert.deepEqual(r.strategies[0].caveats, ['model-unknown']);
  assert.equal(r.headline, 'race passed, with caveats (model-unknown: see warnings)');
  const strict = await runCli([at('undecidable-unique.mjs'), '-s', 'race', '-r', '2', '--strict']);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /model-unknown/);
  // The model the only check of what the calls returned, and undecided in every round: nothing was checked, no pass.
  const alone = await runCli([at('undecidable.mjs'), '-s', 'race', '-r', '2', '--json', '-']);
  assert.equal(alone.code, 1, alone.stderr);
  const a = JSON.parse(alone.stdout);
  assert.deepEqual(
    a.findings.map((f) => [f.strategy, f.kind, f.reason]),
    [['race', 'inconclusive', 'model-undecided']],
  );
  assert.ok(a.warnings.some((w) => w.code === 'model-unknown'));
});

test("a model that throws is the model's error, reported once, and the race stops", async () => {
  const r = await hammer(at('bad-model.mjs'), { strategy: ['race'], rounds: 50 });
  assert.equal(r.verdict, 'fail');
  assert.deepEqual(
    r.findings.map((f) => [f.kind, f.hook]),
    [['error', 'model']],
  );
  assert.match(r.findings[0].message, /step exploded/);
  assert.equal(r.strategies[0].rounds, 1);
});

test('counters without a model: the first failing round keeps its history, showing calls that overlapped', async () => {
  const r = await hammer(at('shared-counter.mjs'), { strategy: ['race'], rounds: 300, concurrency: 4, seed: 5 });
  const f = r.findings.find((x) => x.kind === 'lost-update');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.history.round, r.strategies[0].firstFailedRound);
  const calls = f.history.calls;
  assert.ok(calls.every((c) => c.op === 'increment'));
  assert.ok(
    calls.some((a) => calls.some((b) => a !== b && a.start < b.end && b.start < a.end)),
    'two increments overlapped',
  );
});

test('--ops: only the named operations run; an unknown name is exit 2 with one line', async () => {
  const r = await hammer(at('ctr-safe.mjs'), { strategy: ['hammer'], requests: 50 });
  assert.equal(r.strategies[0].perOperation.length, 1);
  const only = await hammer(at('ctr-unsafe.mjs'), { strategy: ['hammer'], requests: 200, ops: ['read'] });
  assert.deepEqual(
    only.strategies[0].perOperation.map((o) => [o.name, o.calls]),
    [
      ['incr', 0],
      ['read', 200],
    ],
  );
  const bad = await runCli([at('ctr-safe.mjs'), '--ops', 'incr,nope']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--ops names 'nope', which is not an operation \(operations: incr\)/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});

test('an adapter with a model runs small histories by default; the flags and its own counts win', async () => {
  const env = { cores: 2, pinCpus: false, shrinkMs: 0, batch: 32 };
  const withModel = await loadAdapter(at('ctr-safe.mjs'));
  const p = makePlan({ adapter: 'x' }, withModel, env);
  assert.deepEqual([p.iterations, p.requests], [20, 2000]);
  const flags = makePlan({ adapter: 'x', iterations: 100, requests: 500 }, withModel, env);
  assert.deepEqual([flags.iterations, flags.requests], [100, 500]);
  const own = makePlan({ adapter: 'x' }, await loadAdapter(at('undecidable.mjs')), env);
  assert.equal(own.iterations, 16, "the adapter's own iterations");
  const plain = makePlan({ adapter: 'x' }, await loadAdapter(at('shared-counter.mjs')), env);
  assert.deepEqual([plain.iterations, plain.requests], [100, 20_000]);
});
