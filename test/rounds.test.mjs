// The middle layer: one round path for every strategy, run state that belongs to its run, and a check
// that could not have failed never passing. Through the API (hammer()), in this process: each test would
// break if a strategy handled a hook on its own, or if two runs shared any state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hammer } from '../dist/index.js';
import { makePlan } from '../dist/plan/plan.js';
import { runPlan } from '../dist/run/run.js';
import { loadAdapter } from '../dist/adapter/load.js';
import { RunContext } from '../dist/rounds/context.js';
import { tempAdapters } from './helpers/cli.mjs';

const at = tempAdapters({
  // A counter named unlike its operation ('visits' for 'visit'): nothing compares it (args.expected: expected() does).
  'unchecked.mjs': `
    let view;
    let checked = false;
    export default {
      threadSafe: true,
      setup: ({ args }) => { checked = Boolean(args.expected); return { buffer: new SharedArrayBuffer(4) }; },
      init(shared) { view = new Int32Array(shared.buffer); },
      operations: { visit() { Atomics.add(view, 0, 1); } },
      stats: (shared) => ({ visits: Atomics.load(new Int32Array(shared.buffer), 0) }),
      expected: (calls) => (checked ? { visits: calls.visit } : {}),
    };
  `,
  // The arrow function's object read as a block: expected() returns undefined, and with an \`expected\`
  // hook the counter named like its operation is no longer compared with its calls by default.
  'expected-block.mjs': `
    let n = 0;
    export default {
      threadSafe: true,
      init() { n = 0; },
      operations: { async incr() { const v = n; await null; n = v + 1; } },
      workerStats: () => ({ incr: n }),
      expected: (calls) => { incr: calls.incr },
    };
  `,
  // Two bugs of one kind: 'a' stops counting at 3 (one call at a time), 'b' loses updates across lanes.
  'two-bugs.mjs': `
    let na = 0;
    let nb = 0;
    export default {
      threadSafe: true,
      init() { na = 0; nb = 0; },
      operations: { a() { if (na < 3) na++; }, async b() { const v = nb; await null; nb = v + 1; } },
      workerStats: () => ({ a: na, b: nb }),
    };
  `,
  // A lost update, counted as pg returns count(*) and Redis GET returns every value: a decimal string
  // (args.as: 'object' returns something that is no number at all).
  'string-counter.mjs': `
    let n = 0;
    let asObject = false;
    export default {
      threadSafe: true,
      init(_shared, { args }) { n = 0; asObject = args.as === 'object'; },
      operations: { async incr() { const v = n; await null; n = v + 1; } },
      workerStats: () => ({ incr: asObject ? { n } : String(n) }),
    };
  `,
  // The usual first mistake: a module variable counted in the workers, read by stats on the main thread
  // (its own copy, never touched): 0 lost updates... of every call, with 1 worker and 1 lane too.
  'main-thread-copy.mjs': `
    let n = 0;
    export default {
      threadSafe: true,
      setup() { n = 0; },
      operations: { incr() { n++; } },
      stats: () => ({ incr: n }),
    };
  `,
  // Tickets handed out by Atomics.add, distinct; returned as a class with a #private field (JSON: {}),
  // or as a Map ({ id }); args.local: counted per worker instead (duplicates across workers).
  'opaque-tickets.mjs': `
    class Ticket { #n; constructor(n) { this.#n = n; } get n() { return this.#n; } }
    let view;
    let local = 0;
    let A = {};
    export default {
      threadSafe: true,
      unique: ['take'],
      setup: ({ args }) => ({ buf: new SharedArrayBuffer(4), args }),
      init(s) { view = new Int32Array(s.buf); local = 0; A = s.args; },
      operations: {
        take() {
          const n = A.local ? local++ : Atomics.add(view, 0, 1);
          return A.as === 'map' ? new Map([['id', n]]) : new Ticket(n);
        },
      },
    };
  `,
  // Each hook fails (throws, or never settles) when args.fail names it; every round, every strategy.
  'hooks.mjs': `
    export default {
      threadSafe: true,
      setup({ args }) { return fail(args, 'setup') ?? { args }; },
      init(shared) { return fail(shared.args, 'init'); },
      operations: { a() {} },
      stats({ args }) { return fail(args, 'stats') ?? {}; },
      workerStats() { return undefined; },
      expected() { return fail(A, 'expected') ?? {}; },
      invariant() { return fail(A, 'invariant'); },
      teardown({ args }) { return fail(args, 'teardown'); },
    };
    let A = {};
    function fail(args, hook) {
      A = args;
      if (args.fail !== hook) return undefined;
      if (args.mode === 'hang') return new Promise(() => {});
      throw new TypeError(hook + ' broke');
    }`,
  // workerStats runs in the workers: it reads its failure from init's shared value.
  'worker-hooks.mjs': `
    let A = {};
    export default {
      threadSafe: true,
      setup({ args }) { return { args }; },
      init(shared) { A = shared.args; },
      operations: { a() {} },
      workerStats() {
        if (A.fail !== 'workerStats') return {};
        if (A.mode === 'hang') return new Promise(() => {});
        throw new TypeError('workerStats broke');
      },
    };`,
  'counter-unsafe.mjs': `
    let v;
    export default {
      threadSafe: true,
      setup: () => ({ buf: new SharedArrayBuffer(4) }),
      init(s) { v = new Int32Array(s.buf); },
      operations: { increment() { const x = v[0]; for (let i = 0; i < 50; i++); v[0] = x + 1; } },
      stats: (s) => ({ increment: new Int32Array(s.buf)[0] }),
    };`,
  'counter-safe.mjs': `
    let v;
    export default {
      threadSafe: true,
      setup: () => ({ buf: new SharedArrayBuffer(4) }),
      init(s) { v = new Int32Array(s.buf); },
      operations: { increment() { Atomics.add(v, 0, 1); } },
      stats: (s) => ({ increment: new Int32Array(s.buf)[0] }),
    };`,
  // A call that never settles; the adapter's own timeout says when it is a hang.
  'hangs-timeout.mjs': `
    export default { threadSafe: true, timeout: 300, operations: { stuck({ call }) { return call === 3 ? new Promise(() => {}) : 1; } } };`,
  // Its setup tells the test when it is pending (both runs share this process, as two hammer() calls do).
  'pending-setup.mjs': `
    let v;
    export default {
      threadSafe: true,
      async setup() { globalThis.__pendingSetup?.(); await new Promise((r) => setTimeout(r, 20)); return { buf: new SharedArrayBuffer(4) }; },
      init(s) { v = new Int32Array(s.buf); },
      operations: { increment() { Atomics.add(v, 0, 1); } },
      stats: (s) => ({ increment: new Int32Array(s.buf)[0] }),
    };`,
  // Calls that take a while, so a run is still busy when it is aborted.
  'slow.mjs': `
    export default { threadSafe: true, operations: { async slow() { await new Promise((r) => setTimeout(r, 5)); } } };`,
});

const small = { workers: 2, concurrency: 2, requests: 40, iterations: 5, rounds: 4, duration: 0.05, seed: 7 };
const STRATEGIES = ['hammer', 'race', 'throughput'];
const WORKER_HOOKS = new Set(['init', 'workerStats']);

// ---------------------------------------------------------------------------------------------------
// One round path: each hook x each strategy fails the same way.

for (const hook of ['stats', 'workerStats', 'expected', 'invariant', 'teardown']) {
  test(`hook ${hook} throws: every strategy fails with the same finding`, async () => {
    const seen = [];
    for (const strategy of STRATEGIES) {
      const file = at(hook === 'workerStats' ? 'worker-hooks.mjs' : 'hooks.mjs');
      const r = await hammer(file, { ...small, strategy: [strategy], timeout: 2000, args: { fail: hook, mode: 'throw' } });
      assert.equal(r.strategies[0].status, 'fail', `${strategy}: ${JSON.stringify(r.findings)}`);
      const f = r.findings.find((x) => x.message.includes(`${hook} broke`));
      assert.ok(f, `${strategy}: ${JSON.stringify(r.findings)}`);
      // The contract: an invariant that throws is violated; any other hook that throws is an error.
      seen.push([f.kind, f.hook ?? null]);
      // A hook that runs alone, after every call (not the invariant, a check), shows no race: the strategy
      // fails, but a threadSafe: true claim is not called wrong.
      if (hook !== 'invariant') {
        assert.doesNotMatch(r.headline, /concurrency|raced/, `${strategy}: ${r.headline}`);
        assert.ok(!r.warnings.some((w) => w.code === 'declared-safe-but-raced'), `${strategy}: ${JSON.stringify(r.warnings)}`);
      }
    }
    const expected = hook === 'invariant' ? ['invariant', null] : ['error', hook];
    assert.deepEqual(
      seen,
      STRATEGIES.map(() => expected),
    );
  });
}

for (const hook of ['setup', 'init']) {
  test(`hook ${hook} throws before any call: every strategy rejects with the same "cannot set up" line`, async () => {
    const messages = [];
    for (const strategy of STRATEGIES) {
      await assert.rejects(hammer(at('hooks.mjs'), { ...small, strategy: [strategy], args: { fail: hook, mode: 'throw' } }), (e) => {
        assert.equal(e.name, 'AdapterSetupError');
        messages.push(e.message.replace(/ in worker \d+/, ''));
        return true;
      });
    }
    assert.equal(new Set(messages).size, 1, messages.join('\n'));
    assert.match(messages[0], new RegExp(`cannot set up the adapter: hook '${hook}' threw before any call: TypeError: ${hook} broke$`));
  });
}

for (const hook of ['setup', 'init']) {
  test(`hook ${hook} never settles before any call: every strategy rejects with the same "cannot set up" line, at --setup-timeout`, async () => {
    const messages = [];
    for (const strategy of STRATEGIES) {
      // --timeout far above the test's limit: only --setup-timeout can end these runs.
      const opts = { ...small, strategy: [strategy], timeout: 600_000, setupTimeout: 200, args: { fail: hook, mode: 'hang' } };
      await assert.rejects(hammer(at('hooks.mjs'), opts), (e) => {
        assert.equal(e.name, 'AdapterSetupError');
        messages.push(e.message.replace(/ in worker \d+/, ''));
        return true;
      });
    }
    assert.equal(new Set(messages).size, 1, messages.join('\n'));
    assert.match(messages[0], new RegExp(`cannot set up the adapter: hook '${hook}' did not settle within 200 ms \\(--setup-timeout\\)$`));
  });
}

for (const hook of ['stats', 'workerStats', 'expected', 'invariant', 'teardown']) {
  test(`hook ${hook} hangs: every strategy fails with a hang finding naming the hook`, async () => {
    for (const strategy of STRATEGIES) {
      const file = at(hook === 'workerStats' ? 'worker-hooks.mjs' : 'hooks.mjs');
      const r = await hammer(file, { ...small, strategy: [strategy], timeout: 200, args: { fail: hook, mode: 'hang' } });
      assert.equal(r.strategies[0].status, 'fail', `${strategy}: ${JSON.stringify(r.findings)}`);
      const hangs = r.findings.filter((f) => f.kind === 'hang');
      assert.ok(hangs.length >= 1, `${strategy}: ${JSON.stringify(r.findings)}`);
      for (const h of hangs) assert.equal(h.hook, hook, `${strategy}: ${h.message}`);
      if (WORKER_HOOKS.has(hook)) assert.ok(hangs.every((h) => h.workerId !== undefined));
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Run state belongs to its run.

test('two runs at once, one aborted while the other waits on a hook: the other gets exactly what it gets alone', async () => {
  const opts = { strategy: ['hammer', 'race'], workers: 2, concurrency: 1, requests: 2000, iterations: 50, rounds: 6, seed: 11 };
  const alone = await hammer(at('pending-setup.mjs'), opts);
  const abort = new AbortController();
  let setups = 0;
  // The abort lands while the other run's main-thread setup is pending (its third round's).
  globalThis.__pendingSetup = () => ++setups === 3 && abort.abort();
  try {
    const [other, aborted] = await Promise.all([
      hammer(at('pending-setup.mjs'), opts),
      hammer(at('slow.mjs'), { strategy: ['race'], rounds: 100_000, iterations: 20, signal: abort.signal }),
    ]);
    assert.ok(setups >= 3);
    assert.equal(aborted.interrupted, true);
    assert.equal(aborted.strategies[0].status, 'partial');
    assert.equal(other.interrupted, false);
    assert.equal(other.verdict, alone.verdict);
    assert.equal(other.status, 'pass');
    assert.deepEqual(other.findings, alone.findings);
    const figures = (r) => r.strategies.map((s) => [s.name, s.status, s.name === 'hammer' ? s.completed : s.rounds]);
    assert.deepEqual(figures(other), figures(alone));
    assert.deepEqual(figures(other), [
      ['hammer', 'pass', 2000],
      ['race', 'pass', 6],
    ]);
  } finally {
    delete globalThis.__pendingSetup;
  }
});

test('two failing runs at once keep their own findings', async () => {
  const opts = { strategy: ['race'], workers: 2, concurrency: 1, iterations: 200, rounds: 30, seed: 5 };
  const [unsafe, safe] = await Promise.all([hammer(at('counter-unsafe.mjs'), opts), hammer(at('counter-safe.mjs'), opts)]);
  assert.equal(safe.verdict, 'pass', JSON.stringify(safe.findings));
  assert.deepEqual(safe.findings, []);
  assert.ok(unsafe.findings.every((f) => f.kind === 'lost-update'));
});

test("hammer() honours the adapter's own timeout, as the CLI does", async () => {
  const r = await hammer(at('hangs-timeout.mjs'), { strategy: ['hammer'], workers: 2, concurrency: 1, requests: 20 });
  assert.equal(r.config.timeoutMs, 300);
  assert.ok(
    r.findings.some((f) => f.kind === 'hang' && f.op === 'stuck'),
    JSON.stringify(r.findings),
  );
  const overridden = await hammer(at('hangs-timeout.mjs'), { strategy: ['hammer'], workers: 1, concurrency: 1, requests: 20, timeout: 250 });
  assert.equal(overridden.config.timeoutMs, 250, 'the option wins over the adapter');
});

test('an interrupt halts every session the run has open, not only the last one opened', async () => {
  // The smallest-failing-setup search keeps sessions of several sizes open at once; before the run
  // object, only the last one opened was tracked, so Ctrl-C did not halt a session the search had kept.
  const loaded = await loadAdapter(at('slow.mjs'));
  const run = new RunContext(makePlan({ adapter: at('slow.mjs'), concurrency: 1 }, loaded), loaded);
  const kept = await run.openSession(2);
  const latest = await run.openSession(1);
  try {
    run.interrupt('SIGINT');
    for (const session of [kept, latest]) {
      const t = await session.runRound({ round: 0, seed: 1, shared: undefined, calls: [1000, 1000], overlap: false, sampleEvery: 0 });
      assert.equal(t.interrupted, true);
      assert.equal(t.ops[0].done, 0, 'no call ran after the interrupt');
    }
    assert.equal(run.stopSignal, 'SIGINT');
  } finally {
    await run.closeAll();
  }
});

test('an abort during the smallest-failing-setup search: partial report, the failure found before it kept', async () => {
  const abort = new AbortController();
  let shrinkSeen = false;
  const r = await hammer(at('counter-unsafe.mjs'), {
    strategy: ['race'],
    workers: 2,
    concurrency: 1,
    iterations: 200,
    rounds: 20,
    seed: 3,
    signal: abort.signal,
    progress: (p) => {
      if (p.phase === 'shrink' && !shrinkSeen) {
        shrinkSeen = true;
        abort.abort();
      }
    },
  });
  assert.ok(shrinkSeen, 'the run reached the search');
  assert.equal(r.interrupted, true);
  assert.equal(r.exitCode, 130);
  assert.equal(r.strategies[0].status, 'fail');
  assert.ok(!r.strategies[0].minimal, JSON.stringify(r.strategies[0].minimal));
});

// ---------------------------------------------------------------------------------------------------
// A check that could not have failed never passes.

test('a plan with zero workers is refused, never a pass with zero calls', async () => {
  assert.throws(() => makePlan({ adapter: at('counter-safe.mjs'), workers: 0 }), {
    name: 'OptionError',
    message: /workers must be a whole number from 1 to 256/,
  });
  await assert.rejects(hammer(at('counter-safe.mjs'), { workers: 0 }), TypeError);
  await assert.rejects(hammer(at('counter-safe.mjs'), { worker: 2 }), /'worker' is not an option/);
});

test('a strategy whose every call threw fails (completed 0 is never a pass)', async () => {
  const files = tempAdapters({
    'all-throw.mjs': `export default { threadSafe: true, weights: { a: 0, b: 1 }, operations: { a() {}, b() { throw new Error('always'); } } };`,
  });
  const r = await hammer(files('all-throw.mjs'), { strategy: ['hammer'], workers: 1, concurrency: 1, requests: 10 });
  assert.equal(r.strategies[0].completed, 0);
  assert.equal(r.strategies[0].status, 'fail');
  assert.equal(r.verdict, 'fail');
});

test('runPlan on a hand-made plan runs what the plan says', async () => {
  const plan = makePlan({ adapter: at('counter-safe.mjs'), strategies: ['hammer'], workers: 1, concurrency: 1, requests: 3 });
  const done = await runPlan(plan);
  assert.equal(done.strategies[0].completed, 3);
  assert.equal(done.strategies[0].status, 'pass');
  assert.equal(done.config.env.cores >= 1, true);
});

test('a sync hook answers at once (no promise to await, no timer); a thenable is raced against the timeout', async () => {
  // Race rounds call four hooks each, thousands of rounds a second: a promise and a microtask per hook
  // were a measurable part of the main thread's work (README, "Tuning the race detector").
  const { callHook } = await import('../dist/adapter/hooks.js');
  const pending = new Set();
  const adapter = {
    stats: () => ({ n: 1 }),
    expected() {
      throw new Error('boom');
    },
    invariant: async () => true,
    teardown: () => new Promise(() => {}),
  };
  const stats = callHook(adapter, 'stats', [], 1000, pending);
  assert.ok(!(stats instanceof Promise));
  assert.deepEqual(stats, { ok: true, value: { n: 1 } });
  const expected = callHook(adapter, 'expected', [], 1000, pending);
  assert.ok(!(expected instanceof Promise));
  assert.equal(expected.ok, false);
  assert.equal(expected.message, 'boom');
  assert.deepEqual(callHook(adapter, 'setup', [], 1000, pending), { ok: true, value: undefined });
  const invariant = callHook(adapter, 'invariant', [], 1000, pending);
  assert.ok(invariant instanceof Promise);
  assert.deepEqual(await invariant, { ok: true, value: true });
  const teardown = callHook(adapter, 'teardown', [], 50, pending);
  assert.equal(pending.size, 1);
  const hung = await teardown;
  assert.equal(hung.ok, false);
  assert.equal(hung.hung, true);
  assert.equal(pending.size, 0);
});

test('counters that nothing compares are a warning of each strategy that played them, once; an expected value for them is none', async () => {
  const r = await hammer(at('unchecked.mjs'), { ...small, strategy: ['hammer', 'race'] });
  const unchecked = r.warnings.filter((w) => w.code === 'unchecked-counters');
  assert.deepEqual(
    unchecked.map((w) => [w.strategy, w.counters, w.ops]),
    [
      ['hammer', ['visits'], ['visit']],
      ['race', ['visits'], ['visit']],
    ],
  );
  assert.match(unchecked[0].message, /counter 'visits', but nothing checks it: .*operations: visit/);
  const ok = await hammer(at('unchecked.mjs'), { ...small, strategy: ['hammer', 'race'], args: { expected: true } });
  assert.deepEqual(
    ok.warnings.filter((w) => w.code === 'unchecked-counters'),
    [],
  );
  assert.equal(ok.verdict, 'pass');
});

test('expected() that returns nothing is stats-not-number, and the unchecked counter named like its operation is not said to have no such operation', async () => {
  const r = await hammer(at('expected-block.mjs'), { ...small, strategy: ['race'] });
  assert.equal(r.strategies[0].status, 'pass');
  assert.ok(r.strategies[0].caveats.includes('stats-not-number') && r.strategies[0].caveats.includes('unchecked-counters'), r.strategies[0].caveats);
  const said = (code) => r.warnings.filter((w) => w.code === code).map((w) => w.message);
  assert.deepEqual(said('stats-not-number'), [
    'race: expected returned undefined, expected an object of numbers (`(calls) => { n: calls.n }` is a block that returns nothing: write `(calls) => ({ n: calls.n })`)',
  ]);
  assert.deepEqual(said('unchecked-counters'), [
    "race: the adapter reports counter 'incr', but nothing checks it: what `expected` returned does not name it, a counter named like an operation ('incr') is compared with its calls only without `expected`, and there is no invariant, unique or model, so this run could not have found a lost update (return every counter from expected(calls))",
  ]);
});

test('a counter returned as a decimal string is checked as a number: the lost update fails, with no stats-not-number', async () => {
  const r = await hammer(at('string-counter.mjs'), { ...small, concurrency: 4, iterations: 20, strategy: ['hammer', 'race'] });
  assert.deepEqual(
    r.strategies.map((s) => [s.name, s.status]),
    [
      ['hammer', 'fail'],
      ['race', 'fail'],
    ],
  );
  assert.ok(r.findings.some((f) => f.kind === 'lost-update' && f.counter === 'incr'));
  assert.deepEqual(
    r.warnings.filter((w) => w.code === 'stats-not-number'),
    [],
  );
});

test('a lost update that one call at a time reproduces is a bug, not a race: the headline says so, and the threadSafe claim is not called wrong', async () => {
  const r = await hammer(at('main-thread-copy.mjs'), { ...small, strategy: ['race'] });
  assert.equal(r.strategies[0].minimal?.classification, 'bug', JSON.stringify(r.strategies[0].minimal));
  assert.deepEqual([...new Set(r.findings.map((f) => f.kind))], ['lost-update']);
  assert.equal(r.headline, 'race failed — not a race: it fails with 1 worker × 1 lane, one call at a time (a bug)');
  assert.ok(!r.warnings.some((w) => w.code === 'declared-safe-but-raced'));
  assert.equal(r.exitCode, 1);
});

test('a bug one call at a time beside a race of the same kind: the race is not called "not a race"', async () => {
  const r = await hammer(at('two-bugs.mjs'), { ...small, concurrency: 4, iterations: 20, rounds: 10, strategy: ['race'] });
  assert.deepEqual(new Set(r.findings.map((f) => `${f.kind}:${f.counter}`)), new Set(['lost-update:a', 'lost-update:b']));
  // The search finds 'a' alone one call at a time (when its time allows); it showed nothing of 'b'.
  const m = r.strategies[0].minimal;
  if (m?.classification === 'bug') assert.ok(!m.reproduces.includes('lost-update:b'), JSON.stringify(m.reproduces));
  assert.equal(r.headline, 'race failed — the adapter declares threadSafe: true, but it raced');
  assert.ok(r.warnings.some((w) => w.code === 'declared-safe-but-raced'));
});

test('unique values that cannot be compared (a class with #private state: JSON {}) are not one duplicate: a caveat, never a FAIL nor a plain PASS', async () => {
  const r = await hammer(at('opaque-tickets.mjs'), { ...small, strategy: ['hammer', 'race'] });
  assert.deepEqual(r.findings, []);
  assert.deepEqual(
    r.strategies.map((s) => [s.name, s.status, s.caveats?.includes('unique-not-comparable') ?? false]),
    [
      ['hammer', 'pass', true],
      ['race', 'pass', true],
    ],
  );
  assert.deepEqual(
    r.warnings.filter((w) => w.code === 'unique-not-comparable').map((w) => [w.strategy, w.op, w.type]),
    [
      ['hammer', 'take', 'Ticket'],
      ['race', 'take', 'Ticket'],
    ],
  );
  // A Map is compared by its entries: distinct ones pass plainly, the same ids from two workers are duplicates.
  const map = await hammer(at('opaque-tickets.mjs'), { ...small, strategy: ['race'], args: { as: 'map' } });
  assert.deepEqual([map.verdict, map.warnings.filter((w) => w.code === 'unique-not-comparable')], ['pass', []]);
  const dup = await hammer(at('opaque-tickets.mjs'), { ...small, strategy: ['race'], args: { as: 'map', local: true } });
  assert.equal(dup.verdict, 'fail');
  assert.match(dup.findings.find((f) => f.kind === 'duplicate').message, /\{"Map":\[\["id",0\]\]\}/);
});

test('a pass whose counters went unchecked (nothing compares them, or not a number) carries that caveat: never a plain PASS', async () => {
  const unchecked = await hammer(at('unchecked.mjs'), { ...small, strategy: ['hammer', 'race'] });
  // (A synchronous operation may also never have overlapped: no-contention beside it is not this test's subject.)
  const has = (r, code) => r.strategies.map((s) => [s.name, s.status, s.caveats?.includes(code) ?? false]);
  assert.deepEqual(has(unchecked, 'unchecked-counters'), [
    ['hammer', 'pass', true],
    ['race', 'pass', true],
  ]);
  assert.match(unchecked.headline, /^hammer, race passed, with caveats \(.*unchecked-counters.*: see warnings\)$/);
  // A counter that is no number is left out of the checks: the lost update it would show cannot fail the run.
  const object = await hammer(at('string-counter.mjs'), { ...small, concurrency: 4, iterations: 20, strategy: ['hammer', 'race'], args: { as: 'object' } });
  assert.deepEqual(has(object, 'stats-not-number'), [
    ['hammer', 'pass', true],
    ['race', 'pass', true],
  ]);
  assert.deepEqual(
    object.warnings.filter((w) => w.code === 'stats-not-number' && w.workerId === 0).map((w) => [w.strategy, w.counter, w.message]),
    [
      ['hammer', 'incr', "hammer: workerStats of worker 0: counter 'incr' is not a finite number (object)"],
      ['race', 'incr', "race: workerStats of worker 0: counter 'incr' is not a finite number (object)"],
    ],
  );
});

test('a pass in which an operation never overlapped another call carries the no-contention caveat, and the headline says so', async () => {
  // One worker, one lane: no call can overlap another, so no race could have shown.
  const r = await hammer(at('unchecked.mjs'), { ...small, workers: 1, concurrency: 1, strategy: ['hammer', 'race'], args: { expected: true } });
  assert.equal(r.verdict, 'pass');
  assert.deepEqual(
    r.strategies.map((s) => [s.name, s.status, s.caveats]),
    [
      ['hammer', 'pass', ['no-contention']],
      ['race', 'pass', ['no-contention']],
    ],
  );
  assert.equal(r.headline, 'hammer, race passed, with caveats (no-contention: see warnings)');
  // With overlap there is no such caveat.
  const two = await hammer(at('unchecked.mjs'), { ...small, strategy: ['race'], args: { expected: true } });
  assert.equal(
    two.strategies[0].caveats?.includes('no-contention') ?? false,
    two.warnings.some((w) => w.code === 'no-contention'),
  );
});
