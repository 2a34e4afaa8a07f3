// Unit tests of the linearizability checker (checks/linearizability.ts), the history windows
// (checks/history-window.ts) and the history table (reporters/history-table.ts), on hand-made and
// simulated histories. Pure: no workers, no timing (the checker's cost is in test/bench/checker.bench.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable, stateKey } from '../dist/checks/linearizability.js';
import { counterWindow, modelWindow } from '../dist/checks/history-window.js';
import { CULPRIT_MARK, historyTable, historyText } from '../dist/reporters/history-table.js';
import { makeChalk } from '../dist/reporters/color.js';
import { counterModel, counterObject, kvModel, kvObject, simulate, unpartitioned } from './helpers/histories.mjs';

const OPTS = { maxSteps: 100_000, crossWorkerMarginMs: 0 };
const check = (model, calls, opts = {}) => checkLinearizable(model, calls, { ...OPTS, ...opts });
/** A call: [worker, op, input, output, start, end], lane 0 unless given. */
const call = (worker, op, input, output, start, end, lane = 0) => ({ worker, lane, op, ...(input !== undefined ? { input } : {}), output, start, end });

const register = {
  init: () => 0,
  step: (s, op, input, out) => (op === 'write' ? { ok: true, state: input } : { ok: out === s, state: s }),
};
const queue = {
  init: () => [],
  step(s, op, input, out) {
    if (op === 'enqueue') return { ok: true, state: [...s, input] };
    if (s.length === 0) return { ok: out instanceof Error && out.message === 'empty', state: s };
    return { ok: out === s[0], state: s.slice(1) };
  },
};

// ---------------------------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------------------------

test('register: a read overlapping a write may see either value; a read after it must see the new one', () => {
  const overlapping = [call(0, 'write', 1, undefined, 0, 10), call(1, 'read', undefined, 1, 2, 3), call(1, 'read', undefined, 0, 4, 5)];
  // Two reads in order saw 1 then 0: the write cannot be both before and after them.
  assert.equal(check(register, overlapping).outcome, 'violation');
  const ok = [call(0, 'write', 1, undefined, 0, 10), call(1, 'read', undefined, 0, 2, 3), call(1, 'read', undefined, 1, 4, 5)];
  assert.deepEqual(check(register, ok).outcome, 'ok');
  const stale = [call(0, 'write', 1, undefined, 0, 1), call(1, 'read', undefined, 0, 2, 3)];
  const r = check(register, stale);
  assert.equal(r.outcome, 'violation');
  assert.equal(r.culprit, 1, 'the stale read is the call no order explains');
  assert.deepEqual(r.order, [0]);
});

test('real-time order is respected: linearizable only if it were ignored -> violation', () => {
  // write 1, then write 2 (sequential), then a read of 1: only the order write2, write1, read explains it.
  const calls = [call(0, 'write', 1, undefined, 0, 1), call(0, 'write', 2, undefined, 2, 3), call(1, 'read', undefined, 1, 4, 5)];
  const r = check(register, calls);
  assert.equal(r.outcome, 'violation');
  assert.equal(r.culprit, 2);
  // The same calls, all overlapping in time: now that order is allowed.
  const overlapping = calls.map((c) => ({ ...c, start: 0, end: 10 }));
  assert.equal(check(register, overlapping).outcome, 'ok');
});

test('margin: calls on different workers closer than the margin are concurrent; on one worker never', () => {
  // write 2 ends at 1.000, the read of the old value starts 0.004 ms later on another worker.
  const calls = [call(0, 'write', 2, undefined, 0, 1), call(1, 'read', undefined, 0, 1.004, 2)];
  assert.equal(check(register, calls, { crossWorkerMarginMs: 0 }).outcome, 'violation');
  assert.equal(check(register, calls, { crossWorkerMarginMs: 0.005 }).outcome, 'ok', 'within the margin: the read may have come first');
  assert.equal(check(register, calls, { crossWorkerMarginMs: 0.003 }).outcome, 'violation', 'beyond the margin: it may not');
  // On one worker (one clock, another lane) the margin does not apply.
  const sameWorker = [call(0, 'write', 2, undefined, 0, 1), call(0, 'read', undefined, 0, 1.004, 2, 1)];
  assert.equal(check(register, sameWorker, { crossWorkerMarginMs: 0.005 }).outcome, 'violation');
  // Equal times are concurrent (no order is invented from a tie).
  assert.equal(check(register, [call(0, 'write', 2, undefined, 0, 1), call(0, 'read', undefined, 0, 1, 2, 1)]).outcome, 'ok');
});

test('counter: two overlapping increments that both answer 1 are a lost update', () => {
  const lost = [call(0, 'inc', undefined, 1, 0, 10), call(1, 'inc', undefined, 1, 1, 11)];
  const r = check(counterModel, lost);
  assert.equal(r.outcome, 'violation');
  assert.equal(r.culprit, 1);
  // Overlapping increments may answer in either order.
  assert.equal(check(counterModel, [call(0, 'inc', undefined, 2, 0, 10), call(1, 'inc', undefined, 1, 1, 11)]).outcome, 'ok');
  // In sequence they may not.
  assert.equal(check(counterModel, [call(0, 'inc', undefined, 2, 0, 1), call(1, 'inc', undefined, 1, 2, 3)]).outcome, 'violation');
});

test('queue: an item handed out twice or lost is a violation; enqueues in flight together may go either way', () => {
  const enq = (w, x, s, e) => call(w, 'enqueue', x, undefined, s, e);
  const deq = (w, out, s, e) => call(w, 'dequeue', undefined, out, s, e);
  assert.equal(check(queue, [enq(0, 1, 0, 5), enq(1, 2, 1, 6), deq(0, 2, 7, 8), deq(0, 1, 9, 10)]).outcome, 'ok');
  assert.equal(check(queue, [enq(0, 1, 0, 1), enq(1, 2, 2, 3), deq(0, 2, 7, 8), deq(0, 1, 9, 10)]).outcome, 'violation', 'FIFO broken');
  const twice = check(queue, [enq(0, 1, 0, 1), deq(0, 1, 2, 5), deq(1, 1, 3, 6)]);
  assert.equal(twice.outcome, 'violation', 'one item handed out twice');
  const lost = [enq(0, 1, 0, 1), enq(0, 2, 2, 3), deq(1, 2, 4, 5)];
  assert.equal(check(queue, lost).outcome, 'violation', 'item 1 lost');
});

test('a call that threw reaches the model as an Error with its message', () => {
  const seen = [];
  const model = { init: queue.init, step: (s, op, input, out) => (seen.push(out), queue.step(s, op, input, out)) };
  const calls = [{ worker: 0, lane: 0, op: 'dequeue', error: 'empty', start: 0, end: 1 }];
  assert.equal(check(model, calls).outcome, 'ok');
  assert.ok(seen[0] instanceof Error);
  assert.equal(seen[0].message, 'empty');
  // The same call that returned undefined instead is not what the model says an empty queue does.
  assert.equal(check(queue, [{ worker: 0, lane: 0, op: 'dequeue', output: undefined, start: 0, end: 1 }]).outcome, 'violation');
});

test('key-value store: the partition by key changes the cost, not the answer', () => {
  for (const racy of [false, true]) {
    const calls = simulate({ workers: 2, lanes: 8, callsPerWorker: 100, object: kvObject(), racy, seed: 3 });
    const parted = check(kvModel, calls, { maxSteps: 2_000_000 });
    const whole = check(unpartitioned(kvModel), calls, { maxSteps: 2_000_000 });
    assert.equal(parted.outcome, racy ? 'violation' : 'ok');
    assert.equal(whole.outcome, parted.outcome);
    // Deterministic histories (seeded): without the partition the search interleaves every key's calls.
    assert.ok(parted.steps * (racy ? 100 : 3) < whole.steps, `partitioned ${parted.steps} steps, whole ${whole.steps}`);
    if (racy) {
      // The violation names its key, and the culprit and the order are calls of that key.
      const key = parted.partition;
      const keyOf = (c) => (c.op === 'get' ? c.input : c.input[0]);
      assert.match(key, /^k\d$/);
      assert.equal(keyOf(calls[parted.culprit]), key);
      assert.ok(parted.order.every((i) => keyOf(calls[i]) === key));
      assert.ok(parted.group.every((i) => keyOf(calls[i]) === key) && parted.group.includes(parted.culprit));
      assert.equal(whole.partition, undefined);
    }
  }
});

test('a call without a partition key touches every key: the whole history is checked together', () => {
  // clear() has no key; the get of 'a' after it must see 0, which only the whole history can tell.
  const model = {
    init: () => ({}),
    step(s, op, input, out) {
      if (op === 'clear') return { ok: true, state: {} };
      if (op === 'get') return { ok: out === (s[input] ?? 0), state: s };
      return { ok: true, state: { ...s, [input[0]]: input[1] } };
    },
    partition: (op, input) => (op === 'clear' ? undefined : op === 'get' ? input : input[0]),
  };
  const calls = [call(0, 'put', ['a', 5], undefined, 0, 1), call(1, 'clear', undefined, undefined, 2, 3), call(0, 'get', 'a', 5, 4, 5)];
  const r = check(model, calls);
  assert.equal(r.outcome, 'violation');
  assert.equal(r.partition, undefined);
  assert.equal(check(model, calls.slice(0, 2).concat(call(0, 'get', 'a', 0, 4, 5))).outcome, 'ok');
});

test('budget: out of steps is unknown, never a wrong answer; the same history decides with enough steps', () => {
  const calls = simulate({ workers: 2, lanes: 8, callsPerWorker: 100, object: counterObject(), racy: true, seed: 3 });
  const full = check(counterModel, calls);
  assert.equal(full.outcome, 'violation');
  const short = check(counterModel, calls, { maxSteps: Math.floor(full.steps / 2) });
  assert.equal(short.outcome, 'unknown');
  assert.equal(short.steps, Math.floor(full.steps / 2));
  assert.match(short.reason, /budget/);
});

test('calls that never returned make the history uncheckable; an empty one is linearizable', () => {
  const r = check(counterModel, [call(0, 'inc', undefined, 1, 0, 1), { worker: 1, lane: 0, op: 'inc', start: 0.5, end: null }]);
  assert.equal(r.outcome, 'unknown');
  assert.match(r.reason, /1 of 2 calls never returned/);
  assert.deepEqual(check(counterModel, []), { outcome: 'ok', steps: 0 });
});

test('a model that throws or answers nonsense is a model-error naming the function', () => {
  const calls = [call(0, 'inc', undefined, 1, 0, 1)];
  const throws = check(
    {
      init: () => 0,
      step: () => {
        throw new RangeError('boom');
      },
    },
    calls,
  );
  assert.deepEqual(throws, { outcome: 'model-error', steps: 1, message: "the model's step('inc') threw: RangeError: boom" });
  assert.equal(check({ init: () => 0, step: () => true }, calls).outcome, 'model-error');
  assert.match(
    check(
      {
        init: () => {
          throw new Error('no');
        },
        step: counterModel.step,
      },
      calls,
    ).message,
    /init\(\) threw: no/,
  );
  assert.match(check({ ...counterModel, partition: () => ({}) }, calls).message, /partition\('inc'\) returned object/);
  const cyclic = {
    init: () => ({}),
    step: () => {
      const s = {};
      s.self = s;
      return { ok: true, state: s };
    },
  };
  assert.match(check(cyclic, calls).message, /cycle/);
});

test('stress: 200 calls, 16 in flight, linearizable, decided in few steps; its racy twin is a violation', () => {
  for (const seed of [1, 2, 3, 4]) {
    const calls = simulate({ workers: 16, lanes: 1, callsPerWorker: 13, object: counterObject(), seed });
    const r = check(counterModel, calls, { crossWorkerMarginMs: 0.005 });
    assert.equal(r.outcome, 'ok');
    // At most every call in flight tried at every step of the way: no backtracking blow-up.
    assert.ok(r.steps <= calls.length * 16, `${r.steps} steps`);
    const racy = simulate({ workers: 16, lanes: 1, callsPerWorker: 13, object: counterObject(), racy: true, seed });
    assert.equal(check(counterModel, racy, { crossWorkerMarginMs: 0.005 }).outcome, 'violation');
  }
});

test('stateKey: equal states give equal keys whatever their key order; different states never share one', () => {
  assert.equal(stateKey({ a: 1, b: [1, { c: 2, d: 3 }] }), stateKey({ b: [1, { d: 3, c: 2 }], a: 1 }));
  assert.equal(
    stateKey(
      new Map([
        ['x', 1],
        ['y', new Set([2, 1])],
      ]),
    ),
    stateKey(
      new Map([
        ['y', new Set([1, 2])],
        ['x', 1],
      ]),
    ),
  );
  const distinct = [1, '1', 1n, null, undefined, [], {}, { a: undefined }, new Map(), new Set(), [undefined], [null], new Date(0), new Uint8Array([1])];
  assert.equal(new Set(distinct.map(stateKey)).size, distinct.length);
  assert.notEqual(stateKey(new Map([[1, 'a']])), stateKey(new Map([['1', 'a']])));
  const a = [];
  a.push(a);
  assert.throws(() => stateKey(a), /cycle/);
  // A shared (not cyclic) object is fine.
  const shared = { v: 1 };
  assert.equal(stateKey([shared, shared]), stateKey([{ v: 1 }, { v: 1 }]));
});

// ---------------------------------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------------------------------

test('modelWindow keeps the culprit, the calls in flight with it and those just before, bounded', () => {
  // 30 sequential increments on worker 0, then two overlapping ones that both answer 31.
  const calls = Array.from({ length: 30 }, (_, i) => call(0, 'inc', undefined, i + 1, i * 2, i * 2 + 1));
  calls.push(call(0, 'inc', undefined, 31, 100, 110), call(1, 'inc', undefined, 31, 101, 111));
  const r = check(counterModel, calls);
  assert.equal(r.outcome, 'violation');
  const w = modelWindow(calls, r, 6);
  assert.equal(w.calls.length, 6);
  assert.equal(w.omitted, 26);
  assert.equal(w.calls[w.culprit], calls[r.culprit]);
  assert.ok(w.calls.includes(calls[30]) && w.calls.includes(calls[31]), 'both overlapping increments');
  assert.ok(w.calls.includes(calls[29]) && !w.calls.includes(calls[0]), 'the calls just before, not the first ones');
  assert.deepEqual(
    w.calls,
    [...w.calls].sort((x, y) => x.start - y.start),
  );
});

test('modelWindow of a partitioned violation shows only calls of its key', () => {
  const calls = simulate({ workers: 2, lanes: 8, callsPerWorker: 100, object: kvObject(), racy: true, seed: 3 });
  const r = check(kvModel, calls);
  const w = modelWindow(calls, r, 10);
  assert.ok(w.calls.every((c) => (c.op === 'get' ? c.input : c.input[0]) === r.partition));
  assert.equal(w.omitted, calls.length - w.calls.length);
});

test('counterWindow shows the earliest overlap of one operation across lanes', () => {
  const calls = [
    call(0, 'get', undefined, 0, 0, 5),
    call(1, 'inc', undefined, 1, 1, 2), // overlaps the get: another operation
    ...Array.from({ length: 10 }, (_, i) => call(0, 'inc', undefined, i + 2, 10 + i * 2, 11 + i * 2)),
    call(1, 'inc', undefined, 5, 14.5, 16), // overlaps worker 0's inc at [14, 15]
  ];
  const w = counterWindow(calls, 4);
  assert.equal(w.calls.length, 4);
  assert.equal(w.omitted, calls.length - 4);
  assert.ok(w.calls.includes(calls[4]) && w.calls.includes(calls[12]), 'the overlapping increments');
  assert.equal(w.culprit, undefined);
  assert.deepEqual(
    w.calls,
    [...w.calls].sort((x, y) => x.start - y.start),
  );
});

// ---------------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------------

/** The cells of a plain table's body rows (after the header and the rule), trimmed. */
const body = (lines) => lines.slice(2).map((l) => l.split(' │ ').map((s) => s.trim().replace(/ +/g, ' ')));

test('table: one column per worker × lane; overlapping calls visibly overlap, the culprit is marked', () => {
  const h = {
    round: 7,
    omitted: 0,
    culprit: 1,
    calls: [call(0, 'inc', undefined, 1, 0, 10), call(1, 'inc', undefined, 1, 1, 11), call(0, 'get', undefined, 1, 12, 13, 1)],
  };
  const lines = historyText(h).split('\n');
  assert.ok(!lines.some((l) => l.includes(CULPRIT_MARK) !== l.includes('11.000')));
  assert.deepEqual(
    lines[0].split(' │ ').map((s) => s.trim()),
    ['ms', 'w0 l0', 'w0 l1', 'w1 l0'],
  );
  assert.deepEqual(body(lines), [
    ['0.000', '┌ inc()', '', ''],
    ['1.000', '│', '', '┌ inc()'],
    ['10.000', '└→ 1', '', '│'],
    ['11.000', '', '', `└→ 1 ${CULPRIT_MARK}`],
    ['12.000', '', 'get() → 1', ''],
  ]);
});

test('table: a call that overlapped nothing takes one row; inputs, errors and pending calls read as such', () => {
  const h = {
    round: 0,
    omitted: 3,
    calls: [
      call(0, 'put', ['k', 'a long value that will be clipped to keep the table narrow'], undefined, 0, 1),
      { worker: 0, lane: 0, op: 'take', error: 'Error: empty', start: 2, end: 3 },
      { worker: 1, lane: 0, op: 'get', input: 'k', start: 4, end: null },
    ],
  };
  const lines = historyText(h).split('\n');
  const rows = body(lines);
  assert.match(rows[0][1], /^put\("k", "a long value.*…/);
  assert.ok(rows[0][1].length <= 36);
  assert.deepEqual(rows[1].slice(1), ['take() ✗ Error: empty', '']);
  assert.deepEqual(rows[2].slice(1), ['', '┌ get("k")']);
  assert.deepEqual(rows[3].slice(1), ['', '└ … never returned']);
  assert.equal(lines.at(-1), '(3 more calls of round 0 not shown)');
  assert.ok(!lines.some((l) => l.includes(CULPRIT_MARK)));
});

test('table: colour marks the culprit in red; too narrow a width gives one line per event', () => {
  const h = { round: 1, omitted: 0, culprit: 0, calls: [call(0, 'inc', undefined, 1, 0, 10), call(1, 'inc', undefined, 1, 1, 11)] };
  const [redOn] = makeChalk(1).red('x').split('x');
  const colored = historyTable(h, { color: makeChalk(1) });
  const marked = colored.filter((l) => l.includes(CULPRIT_MARK));
  assert.equal(marked.length, 1);
  assert.ok(marked[0].includes(`${redOn}└→ 1`), "the culprit's result in red");
  assert.ok(colored.find((l) => l.includes('┌ inc()')).includes(`${redOn}┌ inc()`), 'and its start');
  assert.ok(!historyText(h).includes('\u001b['));
  const many = { round: 1, omitted: 0, calls: Array.from({ length: 8 }, (_, w) => call(w, 'inc', undefined, w + 1, w, w + 20)) };
  const narrow = historyTable(many, { color: makeChalk(0), width: 60 });
  assert.ok(
    narrow.every((l) => l.length <= 60),
    narrow.join('\n'),
  );
  assert.equal(narrow.length, 16, 'a start and an end line per call');
  assert.match(narrow[0], /^ 0\.000 {2}w0 l0 {2}┌ inc\(\)$/);
  const wide = historyTable(many, { color: makeChalk(0), width: 200 });
  assert.equal(wide[0].split(' │ ').length, 9);
});
