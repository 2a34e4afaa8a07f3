// Every sentence a report uses to explain itself, checked word for word against hand-made evidence: why
// counters are missing, contention from a hung round, the throughput error rate, what stopped a strategy,
// and each kind of finding and code of warning, written from its fields (reporters/sentences.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countersNote } from '../dist/checks/round.js';
import { ContentionTracker } from '../dist/checks/contention.js';
import { renderTerminal } from '../dist/reporters/terminal/index.js';
import { findingMessage, warningMessage } from '../dist/reporters/sentences.js';
import { hammerStrategy, makeReport, raceStrategy, tallies, throughputStrategy, tpPoint } from './helpers/report.mjs';

const lines = (text) => text.split('\n');

test('countersNote: "no counters" only when the adapter has none; otherwise why they were not collected', () => {
  // Only the checks the adapter has are named.
  assert.equal(countersNote(tallies(), false), 'the adapter reports no counters: only errors were checked');
  assert.equal(countersNote(tallies(), false, { unique: true }), 'the adapter reports no counters: only errors and duplicates were checked');
  assert.equal(
    countersNote(tallies(), false, { unique: true, invariant: true }),
    'the adapter reports no counters: only errors, duplicates and the invariant were checked',
  );
  assert.equal(countersNote(tallies(), false, { model: true }), 'the adapter reports no counters: its model and errors were checked');
  assert.equal(
    countersNote(tallies(), false, { model: true, invariant: true }),
    'the adapter reports no counters: its model, errors and the invariant were checked',
  );
  assert.equal(countersNote(null, false), 'counters not collected: setup failed, no call ran');
  assert.equal(countersNote(tallies({ interrupted: true }), false), 'counters not collected: the run was interrupted during this round');
  const hang = (workerId) => ({ workerId, where: 'calls', op: 'x', pending: { x: 1 }, afterMs: 5 });
  assert.equal(countersNote(tallies({ hangs: [hang(0), hang(1)] }), false), 'counters not collected: the round was cut short by a hang in worker 0, 1');
  assert.equal(countersNote(tallies({ crashes: [{ workerId: 0, message: 'x' }] }), false), 'counters not collected: a worker crashed during the round');
  assert.equal(
    countersNote(tallies({ stopped: [{ workerId: 0, reason: 'round-aborted' }] }), false),
    'counters not collected: the round was called off and a worker had to be stopped',
  );
  assert.equal(
    countersNote(tallies({ hookErrors: [{ hook: 'workerStats', workerId: 1, message: 'x', stack: [] }] }), false),
    "counters not collected: hook 'workerStats' failed in a worker",
  );
  assert.equal(countersNote(tallies(), true), "counters not collected: the adapter's stats, expected or invariant hook failed");
});

test('contention: calls pending in a hung round count as in flight (never "never overlapped" next to "8 calls still pending")', () => {
  const c = new ContentionTracker(['x', 'y']);
  c.add(
    tallies({
      ops: [
        { name: 'x', started: 8, done: 0, errors: 0 },
        { name: 'y', started: 1, done: 1, errors: 0 },
      ],
      maxCalls: [0, 1],
      overlapped: [false, false],
      maxWorkers: [0, 1],
      hangs: [
        { workerId: 0, where: 'calls', op: 'x', pending: { x: 5 }, afterMs: 1 },
        { workerId: 1, where: 'calls', op: 'x', pending: { x: 3 }, afterMs: 1 },
      ],
    }),
  );
  assert.deepEqual(c.result, [
    { op: 'x', maxInFlight: 8, maxWorkers: 2, overlapped: true },
    { op: 'y', maxInFlight: 1, maxWorkers: 1, overlapped: false },
  ]);
});

test('terminal: the counters note replaces the table; the stop reasons are said as what happened', () => {
  const hammer = hammerStrategy({
    counters: [],
    countersNote: 'counters not collected: the round was cut short by a hang in worker 0',
    stopReason: 'budget',
    budgetMs: 3330,
    completed: 612,
  });
  const race = raceStrategy({
    rounds: 412,
    plannedRounds: 2000,
    stopReason: 'budget',
    budgetMs: 15000,
    failedRounds: 0,
    counters: [],
    countersNote: 'the adapter reports no counters: only errors, duplicates and the invariant were checked',
  });
  const out = lines(renderTerminal(makeReport({ strategies: [hammer, race] }), 0));
  assert.ok(out.includes('  (counters not collected: the round was cut short by a hang in worker 0)'), out.join('\n'));
  assert.ok(out.includes('  (the adapter reports no counters: only errors, duplicates and the invariant were checked)'));
  assert.ok(out.some((l) => l.startsWith('HAMMER  PASS  612 of 2,000 calls ok in its 3.33 s share of the --time budget · ')));
  assert.ok(out.some((l) => l.startsWith('RACE  PASS  412 of 2,000 rounds in its 15.0 s share of the --time budget × ')));
  const evidence = raceStrategy({ rounds: 20, plannedRounds: 2000, stopReason: 'evidence', failedRounds: 20, status: 'fail', verdict: 'fail' });
  assert.ok(
    lines(renderTerminal(makeReport({ strategies: [evidence] }), 0)).some((l) =>
      l.includes('20 of 2,000 rounds (stopped after 20 failing rounds: enough evidence)'),
    ),
  );
});

test('terminal: calls that threw are an error rate, never speed', () => {
  const tp = throughputStrategy({ points: [tpPoint(1, 1000, 1, 1, { calls: 193055, errors: 186003, errorRate: 186003 / 193055 })], scaling: undefined });
  const out = lines(renderTerminal(makeReport({ strategies: [tp] }), 0));
  assert.ok(out.includes('  1 worker: 186,003 of 193,055 calls threw (96.3%); calls/s counts only the calls that returned'), out.join('\n'));
});

test('a finding summarised over rounds adds up its distinct errors (same message and top frame: one entry)', async () => {
  const { summariseRoundFindings } = await import('../dist/checks/race.js');
  const frame = (line) => ({ text: `connect (/w/a.mjs:${line}:8)`, file: '/w/a.mjs', line, column: 8, user: true });
  const round = (r, errors) => ({ strategy: 'race', kind: 'error', round: r, op: 'q', count: 1, calls: 5, threw: 1, error: 'locked', errors });
  const [f] = summariseRoundFindings(
    [
      round(4, [{ message: 'locked', count: 1, stack: [frame(19)] }]),
      round(9, [
        { message: 'locked', count: 2, stack: [frame(19)] },
        { message: 'other', count: 1, stack: [frame(30)] },
      ]),
    ],
    12,
  );
  assert.equal(findingMessage(f), "operation 'q' threw 1 time of 5 calls; first: locked [in 2 of 12 rounds, 2 in total; first in round 4]");
  assert.deepEqual(
    f.errors.map((e) => [e.message, e.count]),
    [
      ['locked', 3],
      ['other', 1],
    ],
  );
});

test('findingMessage: each kind of finding, written from its fields', () => {
  const race = { strategy: 'race', round: 3 };
  const cases = [
    [{ ...race, kind: 'lost-update', counter: 'n', expected: 10, actual: 7, count: 3 }, "counter 'n' is 7, expected 10: 3 lost updates"],
    [
      { ...race, kind: 'mismatch', counter: 'n', expected: 10, actual: 11, count: 1 },
      "counter 'n' is 11, expected 10: 1 more than the calls account for (an action ran more often than it should, e.g. a check-then-act)",
    ],
    [{ ...race, kind: 'mismatch', counter: 'n', expected: 10, actual: null }, "counter 'n' was expected (10) but the adapter's stats did not report it"],
    [{ ...race, kind: 'invariant', violation: 'money is 299, expected 300' }, 'invariant violated: money is 299, expected 300'],
    [
      { ...race, kind: 'duplicate', op: 'id', duplicates: 2, count: 2, values: 1, example: 'a-7', exampleTimes: 3 },
      'operation \'id\' returned 2 duplicates (1 value handed out more than once; e.g. "a-7" 3 times)',
    ],
    [
      { ...race, kind: 'duplicate', op: 'id', duplicates: 1, count: 1, values: 1, example: 12345678901234567890n, exampleTimes: 2 },
      "operation 'id' returned 1 duplicate (1 value handed out more than once; e.g. 12345678901234567890n 2 times)",
    ],
    [{ ...race, kind: 'error', op: 'q', count: 2, calls: 9, threw: 2, error: 'E: boom' }, "operation 'q' threw 2 times of 9 calls; first: E: boom"],
    [{ ...race, kind: 'error', hook: 'stats', error: 'TypeError: x' }, "hook 'stats' threw: TypeError: x"],
    [{ ...race, kind: 'error', hook: 'init', workerId: 1, error: 'no db' }, "hook 'init' failed in worker 1: no db"],
    [{ ...race, kind: 'error', hook: 'model', error: 'step exploded' }, "the adapter's model failed: step exploded"],
    [{ ...race, kind: 'hang', hook: 'teardown', stuckIn: 'hook', afterMs: 100 }, "hook 'teardown' did not settle within 100 ms"],
    [
      { ...race, kind: 'hang', workerId: 0, op: 'q', stuckIn: 'calls', afterMs: 250.2, pending: { q: 2 }, count: 2, paused: 'waiting' },
      "operation 'q' in worker 0 did not settle within 250 ms (calls still pending: 2 q). Paused, worker 0 was not running JavaScript: its pending calls await something that never settles (a promise nobody resolves, a lost wake-up, an async lock nobody releases). If a lock is re-entered, use a reentrant lock (the toolkit's new Mutex({ reentrant: true })) or take it once at the outer call; if two locks, always take them in the same order.",
    ],
    [{ ...race, kind: 'crash', workerId: 2, error: 'out of memory', exitCode: 134 }, 'worker 2 crashed: out of memory (exit code 134)'],
    [
      { ...race, kind: 'crash', workerId: 2, error: 'TypeError: t', internal: true },
      'worker 2: internal error of adapter-hammer (please report it): TypeError: t',
    ],
    [{ strategy: 'race', kind: 'crash', error: 'worker 0 could not load the adapter: x' }, 'worker 0 could not load the adapter: x'],
    [{ strategy: 'race', kind: 'crash', error: 'Error: bug\n    at f', internal: true }, 'internal error: Error: bug\n    at f'],
    [
      { strategy: 'throughput', kind: 'throughput', minOps: 5000, workers: 4, opsPerSec: 4321.6, count: 4322 },
      '4,322 calls/s at 4 workers is below --min-ops 5,000',
    ],
    [{ strategy: 'throughput', kind: 'throughput', minOps: 5000, workers: 1 }, 'no measurement at 1 worker to compare with --min-ops 5000'],
    [{ strategy: 'hammer', kind: 'inconclusive', reason: 'no-calls' }, 'hammer: no call completed, so nothing was checked; this is not a pass'],
    [
      {
        strategy: 'race',
        kind: 'inconclusive',
        reason: 'shards-missing',
        missing: [
          { shard: '2/3', rounds: { index: 2, count: 3 } },
          { shard: '3/3', rounds: null },
        ],
      },
      "shards 2/3 (rounds r with r % 3 = 1), 3/3 (all its rounds) missing from the merge: those rounds were not played, so this is not the whole run and not a pass (run the missing shard, or merge every shard's report)",
    ],
    [
      {
        ...race,
        kind: 'linearizability',
        op: 'pop',
        calls: 40,
        partition: 'k1',
        history: { round: 3, omitted: 0, culprit: 0, calls: [{ worker: 1, lane: 2, op: 'pop', output: 5, start: 0, end: 1 }] },
      },
      'round 3: no order of its 40 calls explains pop() → 5 (worker 1, lane 2; key k1): not linearizable against the model',
    ],
    [{ ...race, kind: 'invariant', violation: 'v', point: { workers: 2, phase: 'warm-up' } }, 'invariant violated: v'.replace(/^/, '2 workers, warm-up: ')],
  ];
  for (const [f, sentence] of cases)
    assert.equal(
      findingMessage(f),
      sentence,
      JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
});

test('findingMessage: summed up over rounds, the rounds, the total (when counted) and the first round close the sentence', () => {
  const f = { strategy: 'race', kind: 'lost-update', round: 4, counter: 'n', expected: 10, actual: 9, count: 12, rounds: 5, roundsPlayed: 80, firstRound: 4 };
  assert.equal(findingMessage(f), "counter 'n' is 9, expected 10: 1 lost update [in 5 of 80 rounds, 12 in total; first in round 4]");
  assert.equal(findingMessage({ ...f, rounds: 1 }), "counter 'n' is 9, expected 10: 1 lost update");
  const inv = { strategy: 'race', kind: 'invariant', round: 2, violation: 'v', rounds: 3, roundsPlayed: 9, firstRound: 2 };
  assert.equal(findingMessage(inv), 'invariant violated: v [in 3 of 9 rounds; first in round 2]');
});

test('warningMessage: each code of warning and note, written from its fields', () => {
  const cases = [
    [{ code: 'undeclared' }, 'adapter does not declare thread safety: add `threadSafe: true` (or false) so the report can check the claim'],
    [{ code: 'declared-safe-but-raced', strategies: ['hammer', 'race'] }, 'adapter declares threadSafe: true, but hammer, race failed: the claim is wrong'],
    [
      { code: 'no-contention', strategy: 'hammer', op: 'get' },
      "hammer: operation 'get' never ran at the same time as another call, so this run could not have revealed a race in it (more --workers or --concurrency, or a slower/async operation, would)",
    ],
    [
      { code: 'concurrent-access', strategy: 'race', op: 'get', maxWorkers: 1, maxInFlight: 4 },
      "race: operation 'get' was accessed by 1 worker concurrently (up to 4 calls in flight at once)",
    ],
    [
      { code: 'model-unknown', strategy: 'race', unknownRounds: 1, checkedRounds: 1, reason: 'some calls never returned' },
      "race: the model's check could not decide 1 of 1 round (some calls never returned); those rounds are neither a pass nor a failure",
    ],
    [
      { code: 'schedule-diverged', strategy: 'race', divergence: 'lane 2 was not ready' },
      'race: the --schedule replay could not follow its schedule (lane 2 was not ready)',
    ],
    [{ code: 'stats-not-number', source: 'stats', counter: 'n', got: 'string' }, "stats: counter 'n' is not a finite number (string)"],
    [
      { code: 'unique-not-comparable', strategy: 'race', op: 'take', type: 'Ticket' },
      "race: operation 'take' is `unique`, but returned Ticket objects whose JSON shows nothing of them (their state in #private fields or accessors), so they cannot be compared across threads and were not checked for duplicates (return the id itself: a string, a number, or a plain object)",
    ],
    [{ code: 'stats-not-number', source: 'workerStats', workerId: 1, got: 'number' }, 'workerStats of worker 1 returned number, expected an object of numbers'],
    [
      { code: 'rounds-one-at-a-time', strategy: 'race', hook: 'setup', at: 'a.mjs:3', reason: 'it writes a module variable' },
      'race: rounds played one at a time, each set up only after the last was checked: setup (a.mjs:3) it writes a module variable. If every round has state of its own (fresh memory, a schema or key prefix per round), `batch: true` in the adapter lets rounds run ahead (faster)',
    ],
  ];
  for (const [w, sentence] of cases) assert.equal(warningMessage(w), sentence, JSON.stringify(w));
});

// ---------------------------------------------------------------------------------------------------
// Messages that said what was not so (issue 26 item 4): each test below failed before its fix.

test('a counter the invariant reads is shown as checked by it, not "not checked"; one it does not read stays unchecked', async () => {
  const { hammer } = await import('../dist/index.js');
  const { tempAdapters } = await import('./helpers/cli.mjs');
  const { rmSync } = await import('node:fs');
  const path = await import('node:path');
  // money is checked by the invariant only (no expected); `moves` is read by nobody.
  const at = tempAdapters({
    'bank.mjs': `
      export default {
        threadSafe: true,
        setup: () => ({ buf: new SharedArrayBuffer(8) }),
        operations: { move() {} },
        stats: (s) => ({ money: globalThis.MONEY ?? 300, moves: 1 }),
        invariant: ({ money }) => money === 300 || 'money is ' + money,
      };`,
  });
  try {
    const ok = await hammer(at('bank.mjs'), { strategy: ['hammer'], workers: 1, concurrency: 1, requests: 10 });
    assert.deepEqual(ok.strategies[0].counters, [
      { name: 'money', expected: null, actual: 300, invariant: 'held' },
      { name: 'moves', expected: null, actual: 1 },
    ]);
    const text = renderTerminal(ok, 0);
    assert.match(text, /│ money +│ +— │ +300 │ ✓ invariant held +│/);
    assert.match(text, /│ moves +│ +— │ +1 │ not checked +│/);
    globalThis.MONEY = 290;
    const bad = await hammer(at('bank.mjs'), { strategy: ['hammer'], workers: 1, concurrency: 1, requests: 10 });
    assert.equal(bad.strategies[0].counters[0].invariant, 'violated');
    assert.match(renderTerminal(bad, 0), /│ money +│ +— │ +290 │ ✗ invariant violated +│/);
  } finally {
    delete globalThis.MONEY;
    rmSync(path.dirname(at('bank.mjs')), { recursive: true, force: true });
  }
});

test('the invariant gets its counters as a plain object: it may clone them, list them or write to them', async () => {
  const { recordingReads } = await import('../dist/checks/counters.js');
  const read = new Set();
  const stats = recordingReads({ money: 300, moves: 2, idle: 0 }, read);
  assert.deepEqual(structuredClone(stats), { money: 300, moves: 2, idle: 0 });
  assert.deepEqual(read, new Set(['money', 'moves', 'idle']), 'cloning reads every value');
  const fresh = new Set();
  const s2 = recordingReads({ money: 300, moves: 2 }, fresh);
  assert.deepEqual(Object.keys(s2), ['money', 'moves']);
  assert.equal(fresh.size, 0, 'listing the names reads no value');
  s2.money -= 10;
  assert.equal(s2.money, 290);
  assert.deepEqual([...fresh], ['money']);
  assert.equal(JSON.stringify(s2), '{"money":290,"moves":2}');
});

test('a counter above what the adapter expects is not explained only as "an action ran more often" (a lost debit creates money)', async () => {
  const { checkRound } = await import('../dist/checks/round.js');
  const ev = (expectedByAdapter) => ({
    tallies: tallies(),
    calls: { total: 10, transfer: 10 },
    actual: { money: 4010 },
    expected: { money: 4000 },
    expectedByAdapter,
    invariant: null,
    uniqueOps: [],
  });
  const [byAdapter] = checkRound('race', ev(true)).findings;
  assert.equal(byAdapter.kind, 'mismatch');
  assert.equal(byAdapter.expectedByAdapter, true);
  assert.match(findingMessage(byAdapter), /^counter 'money' is 4010, expected 4000: 10 more than expected \(.*an update that should have lowered it was lost/);
  assert.doesNotMatch(findingMessage(byAdapter), /more than the calls account for/);
  // A counter the default rule expects counts calls: an extra count is an action that ran once too often.
  const [byCalls] = checkRound('race', ev(false)).findings;
  assert.match(findingMessage(byCalls), /more than the calls account for \(an action ran more often than it should/);
});

test('a strategy with no time left of --time says so, never "0.00 µs share"', () => {
  const race = raceStrategy({ rounds: 1, plannedRounds: 2000, stopReason: 'budget', budgetMs: 0 });
  const hammer = hammerStrategy({ stopReason: 'budget', budgetMs: 0, completed: 3 });
  const tp = throughputStrategy({ duration: 0.05, plannedDuration: 1, budgetMs: 0 });
  const text = renderTerminal(makeReport({ strategies: [hammer, race, tp] }), 0);
  assert.doesNotMatch(text, /µs share|0 ms share/);
  assert.match(text, /HAMMER {2}PASS {2}3 of 2,000 calls ok with no time left of the --time budget · /);
  assert.match(text, /RACE {2}PASS {2}1 of 2,000 rounds with no time left of the --time budget × /);
  assert.match(text, /\(not 1 s: no time was left of --time\)/);
});

test('a failing controlled round that was not replayed says why, as it happened (never "no time was left" when time was not the reason)', () => {
  const failing = { status: 'fail', verdict: 'fail', failedRounds: 3, schedule: null };
  const say = (unavailable) => renderTerminal(makeReport({ strategies: [raceStrategy({ ...failing, ...(unavailable ? { unavailable } : {}) })] }), 0);
  assert.match(say({ schedule: 'workers-lost' }), /\(the failing controlled round could not be replayed: a worker hung or crashed during the replay\)/);
  assert.match(say({ schedule: 'interrupted' }), /\(the failing controlled round could not be replayed: the run was interrupted\)/);
  for (const u of [{ schedule: 'workers-lost' }, { schedule: 'interrupted' }, undefined]) assert.doesNotMatch(say(u), /no time was left/);
  const noMinimal = (minimal) =>
    renderTerminal(makeReport({ strategies: [raceStrategy({ ...failing, schedule: undefined, minimal: null, unavailable: { minimal } })] }), 0);
  assert.match(noMinimal('interrupted'), /\(the search for a smaller failing setup was interrupted\)/);
  assert.match(noMinimal('not-reproduced'), /\(no smaller failing setup: no trial of the search failed the same way again within its time budget/);
});

test('"duplicates were checked" only when a `unique` operation was called: --ops without it checked none', async () => {
  const { hammer } = await import('../dist/index.js');
  const { tempAdapters } = await import('./helpers/cli.mjs');
  const { rmSync } = await import('node:fs');
  const path = await import('node:path');
  const at = tempAdapters({
    'ids.mjs': `
      let next = 0;
      export default {
        threadSafe: true,
        operations: { id: () => next++, ping() {} },
        unique: ['id'],
      };`,
  });
  try {
    // 40 calls a round, each `id` or `ping` at random: a round without any `id` call (2^-40) cannot happen in practice.
    const opts = { strategy: ['hammer', 'race'], workers: 1, concurrency: 1, requests: 40, rounds: 2, iterations: 40 };
    const without = await hammer(at('ids.mjs'), { ...opts, ops: ['ping'] });
    assert.deepEqual(
      without.strategies.map((s) => s.countersNote),
      ['the adapter reports no counters: only errors were checked', 'the adapter reports no counters: only errors were checked'],
    );
    const withIds = await hammer(at('ids.mjs'), opts);
    assert.deepEqual(
      withIds.strategies.map((s) => s.countersNote),
      ['the adapter reports no counters: only errors and duplicates were checked', 'the adapter reports no counters: only errors and duplicates were checked'],
    );
  } finally {
    rmSync(path.dirname(at('ids.mjs')), { recursive: true, force: true });
  }
});
