// Every sentence a report uses to explain itself, checked word for word against hand-made evidence: why
// counters are missing, contention from a hung round, the throughput error rate, what stopped a strategy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countersNote } from '../dist/checks/round.js';
import { ContentionTracker } from '../dist/checks/contention.js';
import { renderTerminal } from '../dist/reporters/terminal/index.js';
import { hammerStrategy, makeReport, raceStrategy, tallies, throughputStrategy, tpPoint } from './helpers/report.mjs';

const lines = (text) => text.split('\n');

test('countersNote: "no counters" only when the adapter has none; otherwise why they were not collected', () => {
  assert.equal(countersNote(tallies(), false), 'the adapter reports no counters: only errors, duplicates and the invariant were checked');
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
  const round = (r, errors) => ({ strategy: 'race', kind: 'error', round: r, op: 'q', count: 1, message: 'threw', errors });
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
  assert.equal(f.message, 'threw [in 2 of 12 rounds, 2 in total; first in round 4]');
  assert.deepEqual(
    f.errors.map((e) => [e.message, e.count]),
    [
      ['locked', 3],
      ['other', 1],
    ],
  );
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
  assert.match(byAdapter.message, /^counter 'money' is 4010, expected 4000: 10 more than expected \(an update that should have lowered it was lost/);
  assert.doesNotMatch(byAdapter.message, /more than the calls account for/);
  // A counter the default rule expects counts calls: an extra count is an action that ran once too often.
  const [byCalls] = checkRound('race', ev(false)).findings;
  assert.match(byCalls.message, /more than the calls account for \(an action ran more often than it should/);
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
