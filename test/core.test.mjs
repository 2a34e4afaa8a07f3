// Unit tests of the core decisions (checks/, plan/, options/): hand-built inputs, exact outputs.
// Pure: no workers, no child processes, no timing, no dependence on this machine's core count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCounters, defaultExpected, lostUpdates, mergeCounters, numbersOnly, rowFails } from '../dist/checks/counters.js';
import { displayValue, findDuplicates } from '../dist/checks/unique.js';
import { callsOf, checkRound, hookFinding, invariantOutcome, resultsChecked, roundComplete } from '../dist/checks/round.js';
import { judgeStrategy, statusOf } from '../dist/checks/strategy.js';
import { RACE_KINDS, classifyMinimal, outcomeOf, summariseRoundFindings } from '../dist/checks/race.js';
import { effectiveSetup } from '../dist/strategies/shrink.js';
import { FLAT_BELOW, SUB_LINEAR_BELOW, minOpsOf, scalingOf } from '../dist/checks/throughput.js';
import { aboutConcurrency, findingSubject, judgeMulti, judgeRun } from '../dist/checks/run.js';
import { isStartFailure } from '../dist/schema/report.js';
import { ContentionTracker } from '../dist/checks/contention.js';
import { makePlan, split } from '../dist/plan/plan.js';
import { replayCommand } from '../dist/plan/replay.js';
import { OPTIONS, RUN_OPTIONS, apiName, optionByKey } from '../dist/options/table.js';
import { apiOptionsProblem, parseText, planFieldsOf, valueProblem } from '../dist/options/validate.js';
import { OptionError } from '../dist/errors.js';
import { findingObject as said, warningObject } from '../dist/reporters/json.js';
import { tallies, tpPoint } from './helpers/report.mjs';

// ---------------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------------

const ENV = Object.freeze({ cores: 2, pinCpus: true, shrinkMs: 0, batch: 32 });

/** What checkRound receives for a round; by default a complete, clean round of 10 calls of `x`. */
function evidence(over = {}) {
  const t = over.tallies ?? tallies();
  return { tallies: t, calls: callsOf(t), actual: { x: 10 }, expected: { x: 10 }, invariant: true, uniqueOps: [], ...over };
}

const raceFigures = (over = {}) => ({
  name: 'race',
  durationMs: 12,
  rounds: 4,
  failedRounds: 0,
  lostUpdates: 0,
  counters: [],
  iterations: 100,
  workers: 2,
  concurrency: 8,
  lostPerFailedRound: null,
  firstFailedRound: null,
  outcomes: [],
  contention: [],
  ...over,
});

const strategyEvidence = (over = {}) => ({
  figures: raceFigures(),
  findings: [],
  warnings: [],
  info: [],
  interrupted: false,
  completedCalls: 800,
  completeRounds: 4,
  ...over,
});

const strat = (name, status) => ({ name, status, verdict: status === 'pass' ? 'pass' : 'fail', durationMs: 1 });

const runInput = (over = {}) => ({
  strategies: [strat('race', 'pass')],
  findingKinds: [],
  warnings: [],
  strict: false,
  threadSafe: null,
  stopSignal: null,
  ...over,
});

const point = (workers, opsPerSec, speedup, efficiency) => tpPoint(workers, opsPerSec, speedup, efficiency);

// ---------------------------------------------------------------------------------------------------
// checks/counters
// ---------------------------------------------------------------------------------------------------

test('numbersOnly keeps finite numbers and converts bigints and decimal strings (pg count(*), Redis GET)', () => {
  const problems = [];
  assert.deepEqual(numbersOnly({ a: 1, b: 2n, c: -0.5, d: '40', e: ' -7 ', f: '4000.50' }, problems, 'stats'), {
    a: 1,
    b: 2,
    c: -0.5,
    d: 40,
    e: -7,
    f: 4000.5,
  });
  assert.deepEqual(problems, []);
});

test('numbersOnly reports every non-number as a problem and drops it', () => {
  const problems = [];
  const out = numbersOnly(
    { ok: 3, s: 'four', x: '0x10', exp: '1e3', big: '9007199254740993', empty: '', n: null, inf: Infinity, nan: NaN, o: {} },
    problems,
    'stats',
  );
  assert.deepEqual(out, { ok: 3 });
  assert.deepEqual(
    problems.map((p) => [p.code, p.source, p.counter, p.got]),
    [
      ['stats-not-number', 'stats', 's', 'string'],
      ['stats-not-number', 'stats', 'x', 'string'],
      ['stats-not-number', 'stats', 'exp', 'string'],
      ['stats-not-number', 'stats', 'big', 'string'],
      ['stats-not-number', 'stats', 'empty', 'string'],
      ['stats-not-number', 'stats', 'n', 'null'],
      ['stats-not-number', 'stats', 'inf', 'number'],
      ['stats-not-number', 'stats', 'nan', 'number'],
      ['stats-not-number', 'stats', 'o', 'object'],
    ],
  );
  assert.equal(warningObject(problems[0]).message, "stats: counter 's' is not a finite number (string)");
});

test('numbersOnly: a non-object is one problem, undefined and null are no counters and no problem', () => {
  const problems = [];
  assert.deepEqual(numbersOnly(42, problems, 'workerStats', 3), {});
  assert.deepEqual(problems.map(warningObject), [
    {
      code: 'stats-not-number',
      source: 'workerStats',
      workerId: 3,
      got: 'number',
      message: 'workerStats of worker 3 returned number, expected an object of numbers',
    },
  ]);
  assert.deepEqual(numbersOnly(undefined, problems, 'stats'), {});
  assert.deepEqual(numbersOnly(null, problems, 'stats'), {});
  assert.equal(problems.length, 1);
});

test("mergeCounters sums the workers' counters, then adds the main thread's stats", () => {
  assert.deepEqual(mergeCounters({ x: 100, main: 1 }, [{ x: 3, w: 1 }, { x: 4, w: 2 }, {}]), { x: 107, w: 3, main: 1 });
  assert.deepEqual(mergeCounters({}, []), {});
});

test('defaultExpected: total_requests is calls.total, op-named counters are their calls, `total` and others ignored', () => {
  const calls = { total: 30, inc: 20, get: 10 };
  assert.deepEqual(defaultExpected({ total_requests: 29, inc: 19, total: 5, other: 7 }, calls), { total_requests: 30, inc: 20 });
});

test('compareCounters: expected rows first (null actual when missing), then unexpected counters with null expected', () => {
  const rows = compareCounters({ a: 8, extra: 2 }, { a: 10, b: 5 });
  assert.deepEqual(rows, [
    { name: 'a', expected: 10, actual: 8 },
    { name: 'b', expected: 5, actual: null },
    { name: 'extra', expected: null, actual: 2 },
  ]);
});

test('rowFails: a row fails when expected is set and actual differs (missing included); unchecked rows never fail', () => {
  assert.equal(rowFails({ name: 'a', expected: 10, actual: 8 }), true);
  assert.equal(rowFails({ name: 'a', expected: 10, actual: 12 }), true);
  assert.equal(rowFails({ name: 'a', expected: 10, actual: null }), true);
  assert.equal(rowFails({ name: 'a', expected: 10, actual: 10 }), false);
  assert.equal(rowFails({ name: 'a', expected: null, actual: 3 }), false);
});

test('lostUpdates sums only shortfalls (not excess, not missing counters)', () => {
  const rows = [
    { name: 'a', expected: 10, actual: 8 },
    { name: 'b', expected: 5, actual: 2 },
    { name: 'c', expected: 5, actual: 9 },
    { name: 'd', expected: 5, actual: null },
    { name: 'e', expected: null, actual: 1 },
  ];
  assert.equal(lostUpdates(rows), 5);
  assert.equal(lostUpdates([]), 0);
});

// ---------------------------------------------------------------------------------------------------
// checks/unique
// ---------------------------------------------------------------------------------------------------

test('findDuplicates: null when all values are distinct', () => {
  assert.equal(findDuplicates([1, 2, 3, '1']), null);
  assert.equal(findDuplicates([]), null);
});

test('findDuplicates counts duplicate calls, distinct repeated values, and the most repeated example', () => {
  // 7 three times (2 duplicates), 5 twice (1 duplicate), 1 once.
  assert.deepEqual(findDuplicates([7, 5, 7, 1, 5, 7]), { duplicates: 3, values: 2, example: 7, exampleTimes: 3 });
});

test('findDuplicates: JSON-keyed object values come back as the objects the adapter returned', () => {
  const key = '\u0000json:{"id":1,"tag":"a"}';
  const d = findDuplicates([key, '\u0000json:{"id":2}', key]);
  assert.deepEqual(d, { duplicates: 1, values: 1, example: { id: 1, tag: 'a' }, exampleTimes: 2 });
});

test('displayValue: plain values unchanged, tagged keys shown by their body, bad JSON shown as text', () => {
  assert.equal(displayValue(5), 5);
  assert.equal(displayValue('abc'), 'abc');
  assert.deepEqual(displayValue('\u0000json:[1,2]'), [1, 2]);
  assert.equal(displayValue('\u0000bigint:12345678901234567890'), '12345678901234567890');
  assert.equal(displayValue('\u0000json:{broken'), '{broken');
});

// ---------------------------------------------------------------------------------------------------
// checks/round
// ---------------------------------------------------------------------------------------------------

test('callsOf: calls that returned, per operation and in total', () => {
  const t = tallies({
    ops: [
      { name: 'a', started: 5, done: 4, errors: 1 },
      { name: 'b', started: 3, done: 3, errors: 0 },
    ],
  });
  assert.deepEqual(callsOf(t), { total: 7, a: 4, b: 3 });
});

test('checkRound: a clean complete round has no findings and its counter rows', () => {
  const v = checkRound('race', evidence());
  assert.deepEqual(v, { counters: [{ name: 'x', expected: 10, actual: 10 }], findings: [], lostUpdates: 0, failed: false, warnings: [] });
});

test('checkRound: a counter below expected is one lost-update finding with the exact message', () => {
  const v = checkRound('race', evidence({ actual: { x: 8 } }));
  assert.deepEqual(v.findings.map(said), [
    {
      strategy: 'race',
      kind: 'lost-update',
      round: 3,
      counter: 'x',
      expected: 10,
      actual: 8,
      count: 2,
      message: "counter 'x' is 8, expected 10: 2 lost updates",
    },
  ]);
  assert.equal(v.lostUpdates, 2);
  assert.equal(v.failed, true);
});

test('checkRound: one lost update is singular', () => {
  const v = checkRound('race', evidence({ actual: { x: 9 } }));
  assert.equal(said(v.findings[0]).message, "counter 'x' is 9, expected 10: 1 lost update");
});

test('checkRound: a counter above expected is a mismatch, not a lost update', () => {
  const v = checkRound('hammer', evidence({ actual: { x: 12 } }));
  assert.deepEqual(v.findings.map(said), [
    {
      strategy: 'hammer',
      kind: 'mismatch',
      round: 3,
      counter: 'x',
      expected: 10,
      actual: 12,
      count: 2,
      message: "counter 'x' is 12, expected 10: 2 more than the calls account for (an action ran more often than it should, e.g. a check-then-act)",
    },
  ]);
  assert.equal(v.lostUpdates, 0);
});

test('checkRound: an expected counter the adapter did not report is a mismatch', () => {
  const v = checkRound('race', evidence({ actual: {}, expected: { x: 10 } }));
  assert.deepEqual(v.findings.map(said), [
    {
      strategy: 'race',
      kind: 'mismatch',
      round: 3,
      counter: 'x',
      expected: 10,
      actual: null,
      message: "counter 'x' was expected (10) but the adapter's stats did not report it",
    },
  ]);
  assert.deepEqual(v.counters, [{ name: 'x', expected: 10, actual: null }]);
});

test('checkRound: an invariant string is an invariant finding', () => {
  const v = checkRound('race', evidence({ invariant: 'balance is -5' }));
  assert.deepEqual(v.findings.map(said), [
    { strategy: 'race', kind: 'invariant', round: 3, violation: 'balance is -5', message: 'invariant violated: balance is -5' },
  ]);
  assert.equal(checkRound('race', evidence({ invariant: null })).findings.length, 0);
});

test('checkRound: duplicates returned by a unique operation', () => {
  const t = tallies({ ops: [{ name: 'id', started: 6, done: 6, errors: 0 }], values: { id: [7, 7, 7, 5, 5, 1] } });
  const v = checkRound('race', evidence({ tallies: t, actual: null, expected: null, uniqueOps: ['id'] }));
  assert.deepEqual(v.findings.map(said), [
    {
      strategy: 'race',
      kind: 'duplicate',
      round: 3,
      op: 'id',
      duplicates: 3,
      count: 3,
      values: 2,
      example: 7,
      exampleTimes: 3,
      message: "operation 'id' returned 3 duplicates (2 values handed out more than once; e.g. 7 3 times)",
    },
  ]);
});

test('checkRound: values of an operation not declared unique are not checked', () => {
  const t = tallies({ values: { x: [1, 1] } });
  assert.deepEqual(checkRound('race', evidence({ tallies: t })).findings, []);
});

test('checkRound: errors are one finding per operation with the count and the first message', () => {
  const t = tallies({
    ops: [
      { name: 'a', started: 10, done: 7, errors: 3 },
      { name: 'b', started: 4, done: 3, errors: 1 },
      { name: 'c', started: 2, done: 2, errors: 0 },
    ],
    errors: [
      { op: 'b', message: 'b broke', count: 1, stack: [] },
      { op: 'a', message: 'first a', count: 1, stack: [] },
      { op: 'a', message: 'second a', count: 2, stack: [] },
    ],
  });
  const v = checkRound('hammer', evidence({ tallies: t, actual: null, expected: null }));
  assert.deepEqual(v.findings.map(said), [
    {
      strategy: 'hammer',
      kind: 'error',
      round: 3,
      op: 'a',
      count: 3,
      calls: 10,
      threw: 3,
      error: 'first a',
      message: "operation 'a' threw 3 times of 10 calls; first: first a",
      errors: [
        { message: 'second a', count: 2, stack: [] },
        { message: 'first a', count: 1, stack: [] },
      ],
    },
    {
      strategy: 'hammer',
      kind: 'error',
      round: 3,
      op: 'b',
      count: 1,
      calls: 4,
      threw: 1,
      error: 'b broke',
      message: "operation 'b' threw 1 time of 4 calls; first: b broke",
      errors: [{ message: 'b broke', count: 1, stack: [] }],
    },
  ]);
});

test('checkRound: an error whose message was not collected says so', () => {
  const t = tallies({ ops: [{ name: 'a', started: 2, done: 1, errors: 1 }] });
  const v = checkRound('hammer', evidence({ tallies: t, actual: null, expected: null }));
  assert.equal(v.findings[0].error, undefined);
  assert.equal(said(v.findings[0]).message, "operation 'a' threw 1 time of 2 calls; first: (message not collected)");
});

test('checkRound: a hung operation is a hang finding naming the op, the worker and the pending calls', () => {
  const t = tallies({ hangs: [{ workerId: 1, where: 'calls', op: 'x', pending: { x: 3, y: 1 }, afterMs: 5000.4 }] });
  const v = checkRound('race', evidence({ tallies: t }));
  assert.equal(v.findings.length, 1);
  const f = v.findings[0];
  assert.equal(f.kind, 'hang');
  assert.equal(f.op, 'x');
  assert.equal(f.workerId, 1);
  assert.equal(f.count, 4);
  assert.equal(f.hook, undefined);
  assert.deepEqual([f.stuckIn, f.afterMs, f.pending, f.paused], ['calls', 5000.4, { x: 3, y: 1 }, undefined]);
  const { message } = said(f);
  assert.ok(message.startsWith("operation 'x' in worker 1 did not settle within 5000 ms (calls still pending: 3 x, 1 y). A deadlock"), message);
});

test('checkRound: a hung worker hook names the hook; a worker that never took the round names the event loop', () => {
  const t = tallies({
    hangs: [
      { workerId: 0, where: 'workerStats', pending: {}, afterMs: 100 },
      { workerId: 2, where: 'start', pending: {}, afterMs: 100 },
    ],
  });
  const [hook, start] = checkRound('race', evidence({ tallies: t })).findings;
  assert.deepEqual([hook.hook, hook.stuckIn], ['workerStats', 'hook']);
  assert.ok(said(hook).message.startsWith("hook 'workerStats' in worker 0 did not settle within 100 ms (calls still pending: none)."), said(hook).message);
  assert.deepEqual([start.hook, start.stuckIn], [undefined, 'start']);
  assert.ok(
    said(start).message.startsWith(
      'round 3: the event loop, blocked since the previous round (e.g. a timer running an endless loop), in worker 2 did not settle',
    ),
    said(start).message,
  );
});

test('checkRound: a crash record is a crash finding (exit code appended unless the message has one)', () => {
  const t = tallies({
    crashes: [
      { workerId: 0, message: 'out of memory', exitCode: 134 },
      { workerId: 1, message: 'worker exited with code 1', exitCode: 1 },
    ],
  });
  const v = checkRound('race', evidence({ tallies: t }));
  assert.deepEqual(v.findings.map(said), [
    {
      strategy: 'race',
      kind: 'crash',
      round: 3,
      workerId: 0,
      error: 'out of memory',
      exitCode: 134,
      message: 'worker 0 crashed: out of memory (exit code 134)',
    },
    {
      strategy: 'race',
      kind: 'crash',
      round: 3,
      workerId: 1,
      error: 'worker exited with code 1',
      exitCode: 1,
      message: 'worker 1 crashed: worker exited with code 1',
    },
  ]);
});

test('checkRound: a worker hook error is an error finding', () => {
  const t = tallies({ hookErrors: [{ hook: 'init', workerId: 2, message: 'no db', stack: [] }] });
  assert.deepEqual(checkRound('race', evidence({ tallies: t })).findings.map(said), [
    { strategy: 'race', kind: 'error', round: 3, workerId: 2, hook: 'init', error: 'no db', message: "hook 'init' failed in worker 2: no db" },
  ]);
});

test('checkRound: a round cut short by a hang does not check counters, invariant or uniqueness', () => {
  const t = tallies({ hangs: [{ workerId: 0, where: 'calls', op: 'x', pending: { x: 1 }, afterMs: 10 }], values: { x: [1, 1] } });
  const v = checkRound('race', evidence({ tallies: t, actual: { x: 2 }, invariant: 'broken', uniqueOps: ['x'] }));
  assert.deepEqual(
    v.findings.map((f) => f.kind),
    ['hang'],
  );
  assert.deepEqual(v.counters, []);
  assert.equal(v.lostUpdates, 0);
});

test('checkRound: an interrupted round does not check counters (no lost update) and is not a failure', () => {
  const t = tallies({ interrupted: true });
  const v = checkRound('race', evidence({ tallies: t, actual: { x: 2 }, invariant: 'broken' }));
  assert.deepEqual(v, { counters: [], findings: [], lostUpdates: 0, failed: false, warnings: [] });
});

test('roundComplete: false with any hang, crash, hook error or interruption', () => {
  assert.equal(roundComplete(tallies()), true);
  assert.equal(roundComplete(tallies({ interrupted: true })), false);
  assert.equal(roundComplete(tallies({ crashes: [{ workerId: 0, message: 'x' }] })), false);
  assert.equal(roundComplete(tallies({ hookErrors: [{ hook: 'init', workerId: 0, message: 'x', stack: [] }] })), false);
  assert.equal(roundComplete(tallies({ hangs: [{ workerId: 0, where: 'init', pending: {}, afterMs: 1 }] })), false);
});

test('hookFinding: hung -> hang, thrown -> error, interrupted -> null', () => {
  assert.deepEqual(
    said(hookFinding('race', 4, { ok: false, hook: 'stats', message: 'did not settle within 100 ms', hung: true, afterMs: 100, interrupted: false })),
    {
      strategy: 'race',
      kind: 'hang',
      round: 4,
      hook: 'stats',
      stuckIn: 'hook',
      afterMs: 100,
      message: "hook 'stats' did not settle within 100 ms",
    },
  );
  assert.deepEqual(said(hookFinding('hammer', 1, { ok: false, hook: 'stats', message: 'TypeError: boom', hung: false, interrupted: false })), {
    strategy: 'hammer',
    kind: 'error',
    round: 1,
    hook: 'stats',
    error: 'TypeError: boom',
    message: "hook 'stats' threw: TypeError: boom",
  });
  assert.equal(hookFinding('race', 1, { ok: false, hook: 'stats', message: 'interrupted before it settled', hung: false, interrupted: true }), null);
});

// ---------------------------------------------------------------------------------------------------
// checks/contention
// ---------------------------------------------------------------------------------------------------

test('ContentionTracker keeps maxima across rounds and ignores ops that did not run in a round', () => {
  const tr = new ContentionTracker(['a', 'b']);
  const ops = (a, b) => [
    { name: 'a', started: a, done: a, errors: 0 },
    { name: 'b', started: b, done: b, errors: 0 },
  ];
  tr.add(tallies({ ops: ops(5, 5), maxCalls: [3, 1], maxWorkers: [2, 1], overlapped: [true, false] }));
  tr.add(tallies({ ops: ops(5, 0), maxCalls: [2, 9], maxWorkers: [1, 9], overlapped: [false, true] }));
  assert.deepEqual(tr.result, [
    { op: 'a', maxInFlight: 3, maxWorkers: 2, overlapped: true },
    { op: 'b', maxInFlight: 1, maxWorkers: 1, overlapped: false },
  ]);
  assert.deepEqual(tr.warnings('race', new Set(['a', 'b'])).map(warningObject), [
    {
      code: 'no-contention',
      strategy: 'race',
      op: 'b',
      message:
        "race: operation 'b' never ran at the same time as another call, so this run could not have revealed a race in it (more --workers or --concurrency, or a slower/async operation, would)",
    },
  ]);
  assert.deepEqual(tr.info('race').map(warningObject), [
    {
      code: 'concurrent-access',
      strategy: 'race',
      op: 'a',
      maxWorkers: 2,
      maxInFlight: 3,
      message: "race: operation 'a' was accessed by 2 workers concurrently (up to 3 calls in flight at once)",
    },
  ]);
});

// ---------------------------------------------------------------------------------------------------
// checks/strategy
// ---------------------------------------------------------------------------------------------------

test('judgeStrategy: findings -> status fail, verdict fail, findings kept', () => {
  const finding = { strategy: 'race', kind: 'lost-update', message: 'm' };
  const o = judgeStrategy(strategyEvidence({ findings: [finding] }));
  assert.equal(o.report.status, 'fail');
  assert.equal(o.report.verdict, 'fail');
  assert.deepEqual(o.findings, [finding]);
  assert.equal('interrupted' in o.report, false);
});

test('judgeStrategy: interrupted with no findings -> partial, verdict fail, marked interrupted, no inconclusive', () => {
  const o = judgeStrategy(strategyEvidence({ interrupted: true, completedCalls: 0, completeRounds: 0 }));
  assert.equal(o.report.status, 'partial');
  assert.equal(o.report.verdict, 'fail');
  assert.equal(o.report.interrupted, true);
  assert.deepEqual(o.findings, []);
});

test('judgeStrategy: interrupted with findings is fail, not partial', () => {
  const o = judgeStrategy(strategyEvidence({ interrupted: true, findings: [{ strategy: 'race', kind: 'hang', message: 'h' }] }));
  assert.equal(o.report.status, 'fail');
});

test('judgeStrategy: zero completed calls -> fail with one inconclusive finding', () => {
  const o = judgeStrategy(strategyEvidence({ figures: { name: 'hammer', durationMs: 1 }, completedCalls: 0, completeRounds: 0 }));
  assert.equal(o.report.status, 'fail');
  assert.equal(o.report.verdict, 'fail');
  assert.deepEqual(o.findings.map(said), [
    { strategy: 'hammer', kind: 'inconclusive', reason: 'no-calls', message: 'hammer: no call completed, so nothing was checked; this is not a pass' },
  ]);
});

test('judgeStrategy: calls but zero complete rounds -> fail with one inconclusive finding', () => {
  const o = judgeStrategy(strategyEvidence({ completedCalls: 50, completeRounds: 0 }));
  assert.equal(o.report.status, 'fail');
  assert.deepEqual(o.findings.map(said), [
    {
      strategy: 'race',
      kind: 'inconclusive',
      reason: 'rounds-cut-short',
      message: "race: every round was cut short, so no round's counters were checked; this is not a pass",
    },
  ]);
});

test('judgeStrategy: every complete round checked by the model alone and undecided -> fail with one inconclusive finding', () => {
  const o = judgeStrategy(strategyEvidence({ figures: { name: 'hammer', durationMs: 1 }, completedCalls: 2000, completeRounds: 1, undecidedRounds: 1 }));
  assert.equal(o.report.status, 'fail');
  assert.deepEqual(o.findings.map(said), [
    {
      strategy: 'hammer',
      kind: 'inconclusive',
      reason: 'model-undecided',
      message:
        'hammer: the model was the only check of what the calls returned (no counter, invariant or unique), and it could not decide any round; this is not a pass (smaller rounds: fewer --requests, --workers or --concurrency, or a model with partition)',
    },
  ]);
  // One round the model decided (or that something else checked) is a check that could have failed: a pass.
  assert.equal(judgeStrategy(strategyEvidence({ completedCalls: 50, completeRounds: 2, undecidedRounds: 1 })).report.status, 'pass');
});

test('resultsChecked: an undecided model checked nothing only when no counter, invariant or unique did', () => {
  assert.equal(resultsChecked([], false, undefined), false);
  assert.equal(resultsChecked([{ name: 'visits', expected: null, actual: 3 }], false, []), false);
  assert.equal(resultsChecked([{ name: 'visit', expected: 3, actual: 3 }], false, []), true);
  assert.equal(resultsChecked([{ name: 'money', expected: null, actual: 3, invariant: 'held' }], false, []), true);
  assert.equal(resultsChecked([], true, []), true);
  assert.equal(resultsChecked([], false, ['nextId']), true);
});

test('judgeStrategy: otherwise pass, with the figures, warnings and info passed through', () => {
  const w = [{ code: 'no-contention', message: 'w' }];
  const i = [{ code: 'concurrent-access', message: 'i' }];
  const o = judgeStrategy(strategyEvidence({ warnings: w, info: i }));
  assert.deepEqual(o.report, { ...raceFigures(), verdict: 'pass', status: 'pass' });
  assert.deepEqual(o.findings, []);
  assert.equal(o.warnings, w);
  assert.equal(o.info, i);
});

test('statusOf: findings fail, else interrupted is partial, else pass', () => {
  assert.equal(statusOf([{}], true), 'fail');
  assert.equal(statusOf([], true), 'partial');
  assert.equal(statusOf([], false), 'pass');
});

// ---------------------------------------------------------------------------------------------------
// checks/race
// ---------------------------------------------------------------------------------------------------

test('outcomeOf: counters as name=value, missing shown, no counters said so', () => {
  assert.equal(
    outcomeOf([
      { name: 'count', expected: 2000, actual: 1999 },
      { name: 'b', expected: 1, actual: null },
    ]),
    'count=1999, b=missing',
  );
  assert.equal(outcomeOf([]), '(no counters)');
});

test('RACE_KINDS: interleaving kinds only', () => {
  assert.deepEqual([...RACE_KINDS].sort(), ['duplicate', 'invariant', 'linearizability', 'lost-update', 'mismatch']);
});

test('summariseRoundFindings: a single occurrence is kept, counted as 1 of the rounds, without a suffix', () => {
  const f = { strategy: 'race', kind: 'lost-update', round: 5, counter: 'x', expected: 10, actual: 8, count: 2 };
  assert.deepEqual(summariseRoundFindings([f], 100).map(said), [
    { ...f, rounds: 1, roundsPlayed: 100, firstRound: 5, message: "counter 'x' is 8, expected 10: 2 lost updates" },
  ]);
});

test('summariseRoundFindings: groups by kind/op/counter, the earliest round shown, with rounds, total and first round as fields', () => {
  const lu = (round, counter, count) => ({ strategy: 'race', kind: 'lost-update', round, counter, expected: 10, actual: 10 - count, count });
  const out = summariseRoundFindings(
    [
      lu(7, 'x', 3),
      lu(4, 'y', 1),
      lu(2, 'x', 2),
      { strategy: 'race', kind: 'invariant', round: 4, violation: 'a' },
      { strategy: 'race', kind: 'invariant', round: 9, violation: 'b' },
      lu(8, 'x', 5),
    ],
    50,
  );
  assert.deepEqual(out.map(said), [
    {
      ...lu(2, 'x', 10),
      actual: 8,
      rounds: 3,
      roundsPlayed: 50,
      firstRound: 2,
      message: "counter 'x' is 8, expected 10: 2 lost updates [in 3 of 50 rounds, 10 in total; first in round 2]",
    },
    { ...lu(4, 'y', 1), rounds: 1, roundsPlayed: 50, firstRound: 4, message: "counter 'y' is 9, expected 10: 1 lost update" },
    // no counts: no "in total" part, and no count
    {
      strategy: 'race',
      kind: 'invariant',
      round: 4,
      violation: 'a',
      rounds: 2,
      roundsPlayed: 50,
      firstRound: 4,
      message: 'invariant violated: a [in 2 of 50 rounds; first in round 4]',
    },
  ]);
});

test('summariseRoundFindings: different operations of one kind stay apart', () => {
  const d = (op, round) => ({ strategy: 'race', kind: 'duplicate', op, round, duplicates: 1, count: 1, values: 1, example: 7, exampleTimes: 2 });
  const out = summariseRoundFindings([d('a', 1), d('b', 1), d('a', 2)], 3);
  assert.deepEqual(
    out.map((f) => said(f).message),
    [
      "operation 'a' returned 1 duplicate (1 value handed out more than once; e.g. 7 2 times) [in 2 of 3 rounds, 2 in total; first in round 1]",
      "operation 'b' returned 1 duplicate (1 value handed out more than once; e.g. 7 2 times)",
    ],
  );
});

test('summariseRoundFindings: findings already summed up (a shard each) add up their rounds, counts and first round', () => {
  const shard = (firstRound, rounds, count, shardName) => ({
    strategy: 'race',
    kind: 'lost-update',
    round: firstRound,
    counter: 'x',
    expected: 10,
    actual: 9,
    count,
    rounds,
    roundsPlayed: 100,
    firstRound,
    shard: shardName,
  });
  const [f] = summariseRoundFindings([shard(5, 3, 7, '1/2'), shard(2, 4, 9, '2/2')], 200);
  assert.deepEqual([f.rounds, f.roundsPlayed, f.firstRound, f.count, f.shard], [7, 200, 2, 16, '2/2']);
  assert.equal(said(f).message, "counter 'x' is 9, expected 10: 1 lost update [in 7 of 200 rounds, 16 in total; first in round 2]");
});

test('invariantOutcome: true or nothing holds; a string is the message; what says nothing by itself is named', () => {
  assert.equal(invariantOutcome(true), true);
  assert.equal(invariantOutcome(undefined), true);
  assert.equal(invariantOutcome('money is 3990, expected 4000'), 'money is 3990, expected 4000');
  assert.equal(invariantOutcome(false), 'invariant returned false');
  assert.equal(invariantOutcome(''), 'invariant returned an empty string');
  assert.equal(invariantOutcome(0), 'invariant returned 0');
  assert.equal(invariantOutcome(null), 'invariant returned null');
  assert.equal(invariantOutcome({ ok: false }), 'invariant returned an object');
});

test('classifyMinimal: 1 worker x 1 lane is a plain bug', () => {
  assert.deepEqual(classifyMinimal({ workers: 1, concurrency: 1 }), {
    classification: 'bug',
    concurrent: false,
    meaning: 'fails with 1 worker × 1 lane: a bug, not a race',
  });
});

test('effectiveSetup: lanes beyond the calls take none: 1 worker x 2 lanes x 1 call is a bug one call at a time, not an async race', () => {
  assert.deepEqual(effectiveSetup({ workers: 1, concurrency: 2, iterations: 1 }), { workers: 1, concurrency: 1, iterations: 1 });
  assert.equal(classifyMinimal(effectiveSetup({ workers: 1, concurrency: 2, iterations: 1 })).classification, 'bug');
  assert.deepEqual(effectiveSetup({ workers: 2, concurrency: 8, iterations: 3 }), { workers: 2, concurrency: 3, iterations: 3 });
  assert.deepEqual(effectiveSetup({ workers: 1, concurrency: 2, iterations: 5 }), { workers: 1, concurrency: 2, iterations: 5 });
});

test('classifyMinimal: 1 worker x 2 lanes is an async race', () => {
  assert.deepEqual(classifyMinimal({ workers: 1, concurrency: 2 }), {
    classification: 'async',
    concurrent: true,
    meaning: "needs 2 lanes in one worker: an async interleaving (at the calls' awaits)",
  });
});

test('classifyMinimal: 2 workers x 1 lane and 3 x 2 are thread races; the sentence names what was needed, not shared memory', () => {
  assert.deepEqual(classifyMinimal({ workers: 2, concurrency: 1 }), {
    classification: 'threads',
    concurrent: true,
    meaning: 'needs 2 workers: threads (shared memory, a file, a database)',
  });
  assert.equal(classifyMinimal({ workers: 3, concurrency: 2 }).meaning, 'needs 3 workers: threads (shared memory, a file, a database)');
});

test('classifyMinimal: a dimension the search could not try at 1 leaves the setup unclassified; 1 x 1 is a bug all the same', () => {
  const lanes = classifyMinimal({ workers: 1, concurrency: 8 }, undefined, ['concurrency']);
  assert.equal(lanes.classification, undefined);
  assert.equal(lanes.concurrent, undefined);
  assert.match(lanes.meaning, /^fails with 1 worker × 8 lanes; the search could not try fewer lanes /);
  // Only a dimension above 1 is in doubt.
  assert.equal(classifyMinimal({ workers: 1, concurrency: 2 }, undefined, ['workers']).classification, 'async');
  assert.equal(classifyMinimal({ workers: 1, concurrency: 1 }, undefined, ['workers', 'concurrency']).classification, 'bug');
});

test("classifyMinimal: over a database, lanes and workers are clients of it, and the advice is the database's", () => {
  const lanes = classifyMinimal({ workers: 1, concurrency: 2 }, 'pg');
  assert.equal(lanes.classification, 'database');
  assert.match(lanes.meaning, /^needs 2 clients of the database \(pg\), 1 worker × 2 lanes with a connection each: as several instances of your app would be/);
  assert.match(lanes.meaning, /lock in the database/);
  assert.equal(classifyMinimal({ workers: 2, concurrency: 1 }, true).meaning.startsWith('needs 2 clients of the database, 2 workers × 1 lane'), true);
  // One client is still a plain bug.
  assert.equal(classifyMinimal({ workers: 1, concurrency: 1 }, 'pg').classification, 'bug');
});

// ---------------------------------------------------------------------------------------------------
// checks/throughput
// ---------------------------------------------------------------------------------------------------

test('thresholds are the documented ones', () => {
  assert.equal(SUB_LINEAR_BELOW, 0.6);
  assert.equal(FLAT_BELOW, 1.2);
});

test('scalingOf: undefined with fewer than two points', () => {
  assert.equal(scalingOf([], 8), undefined);
  assert.equal(scalingOf([point(1, 100, 1, 1)], 8), undefined);
});

test('scalingOf: efficiency exactly at SUB_LINEAR_BELOW scales', () => {
  const s = scalingOf([point(1, 100, 1, 1), point(4, 240, 2.4, 0.6)], 8);
  assert.deepEqual(s, {
    kind: 'scales',
    speedup: 2.4,
    efficiency: 0.6,
    workers: 4,
    cores: 8,
    oversubscribed: false,
    subLinearBelow: 0.6,
    flatBelow: 1.2,
    message: '4 workers make 2.40x the successful calls of 1 (60% efficiency)',
  });
});

test('scalingOf: just below SUB_LINEAR_BELOW with speedup exactly FLAT_BELOW is sub-linear', () => {
  const s = scalingOf([point(1, 100, 1, 1), point(2, 120, 1.2, 0.59)], 8);
  assert.equal(s.kind, 'sub-linear');
  assert.equal(s.message, 'sub-linear: 2 workers make 1.20x the successful calls of 1 (59% efficiency): the calls contend for something shared');
});

test('scalingOf: speedup just below FLAT_BELOW is flat', () => {
  const s = scalingOf([point(1, 100, 1, 1), point(4, 119, 1.19, 0.2975)], 8);
  assert.equal(s.kind, 'flat');
  assert.equal(
    s.message,
    'flat: 4 workers make 1.19x the successful calls of 1 — the calls serialise (a lock, or one shared resource such as a contended counter)',
  );
});

test('scalingOf: more workers than cores changes the message (machine, not lock) but not the kind', () => {
  const s = scalingOf([point(1, 100, 1, 1), point(4, 100, 1, 0.25)], 2);
  assert.equal(s.kind, 'flat');
  assert.equal(s.oversubscribed, true);
  assert.equal(
    s.message,
    'flat: 4 workers on 2 cores make 1.00x the successful calls of 1; with more workers than cores this measures the machine, not a lock (try --workers 2)',
  );
  const one = scalingOf([point(1, 100, 1, 1), point(2, 130, 1.3, 0.65 - 0.1)], 1);
  assert.equal(
    one.message,
    'sub-linear: 2 workers on 1 core make 1.30x the successful calls of 1; with more workers than cores this measures the machine, not a lock (try --workers 1)',
  );
});

test('scalingOf: workers equal to cores is not oversubscribed', () => {
  const s = scalingOf([point(1, 100, 1, 1), point(2, 100, 1, 0.5)], 2);
  assert.equal(s.oversubscribed, false);
  assert.ok(s.message.startsWith('flat: 2 workers make'));
});

test('minOpsOf: no --min-ops -> nothing', () => {
  assert.deepEqual(minOpsOf(undefined, 4, [point(4, 10, 1, 1)]), {});
});

test('minOpsOf: below the gate -> result not ok and a throughput finding', () => {
  assert.deepEqual(minOpsOf(2000, 4, [point(1, 500, 1, 1), point(4, 1234.4, 2.47, 0.62)]), {
    result: { required: 2000, actual: 1234.4, workers: 4, ok: false },
    finding: { strategy: 'throughput', kind: 'throughput', minOps: 2000, workers: 4, opsPerSec: 1234.4, count: 1234 },
  });
  assert.equal(said(minOpsOf(2000, 4, [point(4, 1234.4, 2.47, 0.62)]).finding).message, '1,234 calls/s at 4 workers is below --min-ops 2,000');
});

test('minOpsOf: at or above the gate -> result ok and no finding', () => {
  assert.deepEqual(minOpsOf(1000, 2, [point(1, 600, 1, 1), point(2, 1000, 1.67, 0.83)]), { result: { required: 1000, actual: 1000, workers: 2, ok: true } });
  assert.deepEqual(minOpsOf(1000, 2, [point(2, 5000, 1, 1)]), { result: { required: 1000, actual: 5000, workers: 2, ok: true } });
});

test('minOpsOf: the top point at another worker count (or no point) -> finding without a result', () => {
  assert.deepEqual(minOpsOf(1000, 4, [point(1, 600, 1, 1), point(2, 5000, 1, 1)]), {
    finding: { strategy: 'throughput', kind: 'throughput', minOps: 1000, workers: 4 },
  });
  assert.equal(said(minOpsOf(1000, 4, []).finding).message, 'no measurement at 4 workers to compare with --min-ops 1000');
  assert.equal(said(minOpsOf(1000, 1, []).finding).message, 'no measurement at 1 worker to compare with --min-ops 1000');
});

// ---------------------------------------------------------------------------------------------------
// checks/run
// ---------------------------------------------------------------------------------------------------

test('judgeRun: all strategies passed -> pass, exit 0, headline lists them', () => {
  const j = judgeRun(runInput({ strategies: [strat('hammer', 'pass'), strat('race', 'pass')] }));
  assert.deepEqual(j, { verdict: 'pass', status: 'pass', exitCode: 0, headline: 'hammer, race passed', strictFailure: false, warnings: [] });
});

test('judgeRun: a failed strategy -> fail, exit 1, headline names it (no claim when threadSafe is not declared)', () => {
  const j = judgeRun(runInput({ strategies: [strat('hammer', 'pass'), strat('race', 'fail')], findingKinds: ['lost-update'] }));
  assert.deepEqual(j, { verdict: 'fail', status: 'fail', exitCode: 1, headline: 'race failed', strictFailure: false, warnings: [] });
});

test('judgeRun: threadSafe: true and a race kind -> "but it raced", plus declared-safe-but-raced', () => {
  const j = judgeRun(runInput({ strategies: [strat('race', 'fail')], findingKinds: ['lost-update'], threadSafe: true }));
  assert.equal(j.headline, 'race failed — the adapter declares threadSafe: true, but it raced');
  assert.deepEqual(j.warnings.map(warningObject), [
    { code: 'declared-safe-but-raced', strategies: ['race'], message: 'adapter declares threadSafe: true, but race failed: the claim is wrong' },
  ]);
  assert.equal(j.exitCode, 1);
});

test('judgeRun: threadSafe: true with only error/hang kinds -> "but it failed under concurrency"', () => {
  for (const kind of ['error', 'hang']) {
    const j = judgeRun(runInput({ strategies: [strat('hammer', 'fail'), strat('race', 'fail')], findingKinds: [kind], threadSafe: true }));
    assert.equal(j.headline, 'hammer, race failed — the adapter declares threadSafe: true, but it failed under concurrency');
    assert.equal(warningObject(j.warnings[0]).message, 'adapter declares threadSafe: true, but hammer, race failed: the claim is wrong');
  }
});

test('judgeRun: errors the race made fail with 1 worker x 1 lane are a bug, not evidence against threadSafe: true', () => {
  const race = { ...strat('race', 'fail'), minimal: { workers: 1, concurrency: 1, classification: 'bug' } };
  const j = judgeRun(runInput({ strategies: [strat('hammer', 'fail'), race], findingKinds: ['error', 'error'], threadSafe: true }));
  assert.equal(j.headline, 'hammer, race failed — not a race: it fails with 1 worker × 1 lane, one call at a time (a bug)');
  assert.deepEqual(j.warnings, []);
  assert.equal(j.exitCode, 1);
  // A lost update beside the error, or a search that needed concurrency, still disproves the claim.
  const lost = judgeRun(runInput({ strategies: [race], findingKinds: ['error', 'lost-update'], threadSafe: true }));
  assert.equal(lost.headline, 'race failed — the adapter declares threadSafe: true, but it raced');
  // A lost update alone that one call at a time reproduces (the main thread's copy of module state, read
  // in stats) is a bug too, as is any one kind alone.
  for (const kind of ['lost-update', 'invariant', 'duplicate']) {
    const alone = judgeRun(runInput({ strategies: [strat('hammer', 'fail'), race], findingKinds: [kind, kind, 'inconclusive'], threadSafe: true }));
    assert.equal(alone.headline, 'hammer, race failed — not a race: it fails with 1 worker × 1 lane, one call at a time (a bug)');
    assert.deepEqual(alone.warnings, []);
  }
  const threads = { ...race, minimal: { ...race.minimal, workers: 2, classification: 'threads' } };
  assert.equal(judgeRun(runInput({ strategies: [threads], findingKinds: ['error'], threadSafe: true })).warnings[0].code, 'declared-safe-but-raced');
});

test('judgeRun: a bug one call at a time explains only the findings its setup showed; a second counter lost under concurrency still disproves the claim', () => {
  const race = { ...strat('race', 'fail'), minimal: { workers: 1, concurrency: 1, classification: 'bug', ops: ['a'], reproduces: ['lost-update:a'] } };
  const input = (findingSubjects) =>
    runInput({ strategies: [race], findingKinds: findingSubjects.map(() => 'lost-update'), findingSubjects, threadSafe: true });
  const both = judgeRun(input(['lost-update:a', 'lost-update:b']));
  assert.equal(both.headline, 'race failed — the adapter declares threadSafe: true, but it raced');
  assert.deepEqual(
    both.warnings.map((w) => w.code),
    ['declared-safe-but-raced'],
  );
  assert.equal(judgeRun(input(['lost-update:a'])).headline, 'race failed — not a race: it fails with 1 worker × 1 lane, one call at a time (a bug)');
  // A setup that recorded nothing it reproduced (a report from before `reproduces`) explains nothing.
  const unrecorded = { ...race, minimal: { ...race.minimal, reproduces: undefined } };
  assert.equal(
    judgeRun(runInput({ strategies: [unrecorded], findingKinds: ['lost-update'], findingSubjects: ['lost-update:a'], threadSafe: true })).headline,
    'race failed — the adapter declares threadSafe: true, but it raced',
  );
});

test('findingSubject: the kind and what the finding is about', () => {
  assert.equal(findingSubject({ strategy: 'race', kind: 'lost-update', counter: 'n', expected: 2, actual: 1, count: 1 }), 'lost-update:n');
  assert.equal(findingSubject({ strategy: 'race', kind: 'error', op: 'get' }), 'error:get');
  assert.equal(findingSubject({ strategy: 'race', kind: 'invariant', violation: 'x' }), 'invariant:');
});

test("aboutConcurrency: adapter-hammer's own failure (internal), a failed setup, a slow init are no evidence against threadSafe: true", () => {
  assert.equal(aboutConcurrency({ strategy: 'race', kind: 'crash', error: 'DataCloneError', internal: true }), false);
  assert.equal(aboutConcurrency({ strategy: 'race', kind: 'error', hook: 'setup' }), false);
  // Hooks that run after every call of the round, alone: a teardown or stats that throws is a bug of its own.
  for (const hook of ['stats', 'workerStats', 'expected', 'teardown']) {
    assert.equal(aboutConcurrency({ strategy: 'race', kind: 'error', hook }), false, hook);
    assert.equal(aboutConcurrency({ strategy: 'race', kind: 'hang', hook }), false, hook);
  }
  assert.equal(aboutConcurrency({ strategy: 'race', kind: 'hang', hook: 'init' }), false);
  assert.equal(aboutConcurrency({ strategy: 'race', kind: 'crash', error: 'worker exited', workerId: 1 }), true);
  assert.equal(aboutConcurrency({ strategy: 'race', kind: 'error', hook: 'init' }), true);
});

test('judgeRun: threadSafe: false failing is no claim and no warning', () => {
  const j = judgeRun(runInput({ strategies: [strat('race', 'fail')], findingKinds: ['lost-update'], threadSafe: false }));
  assert.equal(j.headline, 'race failed');
  assert.deepEqual(j.warnings, []);
});

test('judgeRun: a --min-ops gate failure does not say a threadSafe: true claim is wrong (docs: the warning is for a race)', () => {
  const j = judgeRun(runInput({ strategies: [strat('race', 'pass'), strat('throughput', 'fail')], findingKinds: ['throughput'], threadSafe: true }));
  assert.equal(j.status, 'fail');
  assert.deepEqual(j.warnings, []);
});

test('judgeRun: --strict with warnings and no failure -> strictFailure, exit 1, headline counts warnings', () => {
  const one = judgeRun(runInput({ strict: true, warnings: [{ code: 'undeclared', message: 'u' }] }));
  assert.deepEqual(one, { verdict: 'fail', status: 'fail', exitCode: 1, headline: '--strict: 1 warning', strictFailure: true, warnings: [] });
  const two = judgeRun(
    runInput({
      strict: true,
      warnings: [
        { code: 'a', message: 'a' },
        { code: 'b', message: 'b' },
      ],
    }),
  );
  assert.equal(two.headline, '--strict: 2 warnings');
});

test('judgeRun: warnings without --strict pass; --strict without warnings passes', () => {
  assert.equal(judgeRun(runInput({ warnings: [{ code: 'a', message: 'a' }] })).status, 'pass');
  assert.equal(judgeRun(runInput({ strict: true })).strictFailure, false);
});

test('judgeRun: a real failure under --strict is not a strictFailure', () => {
  const j = judgeRun(runInput({ strict: true, strategies: [strat('race', 'fail')], findingKinds: ['invariant'], warnings: [{ code: 'a', message: 'a' }] }));
  assert.equal(j.strictFailure, false);
  assert.equal(j.headline, 'race failed');
});

test('judgeRun: SIGINT -> 130, SIGTERM -> 143, status partial when nothing failed', () => {
  const i = judgeRun(runInput({ stopSignal: 'SIGINT', strategies: [strat('race', 'partial')] }));
  assert.deepEqual(i, {
    verdict: 'fail',
    status: 'partial',
    exitCode: 130,
    headline: 'interrupted: partial report of what finished',
    strictFailure: false,
    warnings: [],
  });
  const t = judgeRun(runInput({ stopSignal: 'SIGTERM', strategies: [strat('hammer', 'pass')] }));
  assert.equal(t.exitCode, 143);
  assert.equal(t.status, 'partial');
});

test('judgeRun: interrupted after a failure keeps fail, says partial in the headline, exits by signal', () => {
  const j = judgeRun(runInput({ stopSignal: 'SIGINT', strategies: [strat('race', 'fail')], findingKinds: ['lost-update'] }));
  assert.equal(j.status, 'fail');
  assert.equal(j.exitCode, 130);
  assert.equal(j.headline, 'race failed (interrupted: partial report)');
});

const report = (over) => ({ adapter: 'a.mjs', verdict: 'pass', status: 'pass', exitCode: 0, interrupted: false, ...over });
const notStarted = (adapter) => ({
  adapter,
  verdict: 'fail',
  exitCode: 2,
  notStarted: true,
  problems: ['missing'],
  strategies: [],
  findings: [],
  warnings: [],
});

test('isStartFailure tells a start failure from a report', () => {
  assert.equal(isStartFailure(notStarted('x')), true);
  assert.equal(isStartFailure(report()), false);
});

test('judgeMulti: all passed -> 0; one failed -> 1; none started -> 2', () => {
  assert.deepEqual(judgeMulti([report(), report()]), { verdict: 'pass', status: 'pass', exitCode: 0, interrupted: false });
  assert.deepEqual(judgeMulti([report(), report({ verdict: 'fail', status: 'fail', exitCode: 1 })]), {
    verdict: 'fail',
    status: 'fail',
    exitCode: 1,
    interrupted: false,
  });
  assert.deepEqual(judgeMulti([report(), notStarted('b')]), { verdict: 'fail', status: 'fail', exitCode: 1, interrupted: false });
  assert.deepEqual(judgeMulti([notStarted('a'), notStarted('b')]), { verdict: 'fail', status: 'fail', exitCode: 2, interrupted: false });
});

test('judgeMulti: an interruption wins the exit code', () => {
  const stopped = report({ verdict: 'fail', status: 'partial', exitCode: 130, interrupted: true });
  assert.deepEqual(judgeMulti([report(), stopped]), { verdict: 'fail', status: 'partial', exitCode: 130, interrupted: true });
  const failedThenStopped = judgeMulti([
    report({ verdict: 'fail', status: 'fail', exitCode: 1 }),
    report({ verdict: 'fail', status: 'partial', exitCode: 143, interrupted: true }),
  ]);
  assert.equal(failedThenStopped.exitCode, 143);
  assert.equal(failedThenStopped.status, 'fail');
});

test('judgeMulti: no adapters at all is a failure', () => {
  assert.equal(judgeMulti([]).status, 'fail');
});

// ---------------------------------------------------------------------------------------------------
// plan/replay
// ---------------------------------------------------------------------------------------------------

const plan = (input, loaded) => makePlan({ seed: 42, ...input }, loaded, ENV);

test("replayCommand: all three strategies replay every run option in the table's order", () => {
  assert.equal(
    replayCommand(plan({ adapter: 'fixtures/counter.mjs' })),
    'npx adapter-hammer fixtures/counter.mjs -s hammer,race,throughput -w 2 -c 8 -n 20000 -i 100 -r 2000 -d 1 --seed 42 --timeout 5000 --time 20s --scheduler mixed',
  );
});

test('replayCommand: only race -> no -n (hammer) and no -d (throughput)', () => {
  assert.equal(
    replayCommand(plan({ adapter: 'a.mjs', strategies: ['race'] })),
    'npx adapter-hammer a.mjs -s race -w 2 -c 8 -i 100 -r 2000 --seed 42 --timeout 5000 --time 20s --scheduler mixed',
  );
});

test('replayCommand: only hammer -> -n but no -i/-r/-d; only throughput -> -d and --min-ops', () => {
  assert.equal(
    replayCommand(plan({ adapter: 'a.mjs', strategies: ['hammer'], minOps: 500 })),
    'npx adapter-hammer a.mjs -s hammer -w 2 -c 8 -n 20000 --seed 42 --timeout 5000 --time 20s',
  );
  assert.equal(
    replayCommand(plan({ adapter: 'a.mjs', strategies: ['throughput'], minOps: 500, duration: 0.5 })),
    'npx adapter-hammer a.mjs -s throughput -w 2 -c 8 -d 0.5 --min-ops 500 --seed 42 --timeout 5000 --time 20s',
  );
});

test('replayCommand: --max-old-space and --strict are replayed; seed 0 is replayed', () => {
  assert.equal(
    replayCommand(plan({ adapter: 'a.mjs', strategies: ['race'], maxOldSpace: 64, strict: true, seed: 0 })),
    'npx adapter-hammer a.mjs -s race -w 2 -c 8 -i 100 -r 2000 --seed 0 --timeout 5000 --time 20s --max-old-space 64 --scheduler mixed --strict',
  );
});

test('replayCommand: adapter args after --: booleans, kebab-case keys once, arrays repeated, positionals quoted', () => {
  const p = plan({
    adapter: 'my adapters/a.mjs',
    strategies: ['race'],
    args: { _: ['plain', 'two words', "it's", 3], 'db-path': '/tmp/x y', dbPath: '/tmp/x y', verbose: true, cache: false, tag: ['a', 'b'] },
  });
  assert.equal(
    replayCommand(p),
    "npx adapter-hammer 'my adapters/a.mjs' -s race -w 2 -c 8 -i 100 -r 2000 --seed 42 --timeout 5000 --time 20s --scheduler mixed -- --db-path='/tmp/x y' --verbose --no-cache --tag=a --tag=b plain 'two words' 'it'\\''s' 3",
  );
});

test('replayCommand: no adapter args -> no --', () => {
  assert.ok(!replayCommand(plan({ adapter: 'a.mjs', args: { _: [] } })).includes(' -- '));
});

test('replayCommand: overrides replace plan fields (the smallest failing setup)', () => {
  assert.equal(
    replayCommand(plan({ adapter: 'a.mjs', strategies: ['race'] }), { workers: 1, concurrency: 2, iterations: 10 }),
    'npx adapter-hammer a.mjs -s race -w 1 -c 2 -i 10 -r 2000 --seed 42 --timeout 5000 --time 20s --scheduler mixed',
  );
});

// ---------------------------------------------------------------------------------------------------
// plan/plan
// ---------------------------------------------------------------------------------------------------

test('makePlan: defaults from the table, workers = min(8, max(2, cores)) of the given environment', () => {
  const p = makePlan({ adapter: 'a.mjs', seed: 7 }, undefined, { cores: 4, pinCpus: false, shrinkMs: 0, batch: 32 });
  assert.deepEqual(p, {
    adapter: 'a.mjs',
    args: { _: [] },
    quietStdout: false,
    env: { cores: 4, pinCpus: false, shrinkMs: 0, batch: 32 },
    strategies: ['hammer', 'race', 'throughput'],
    workers: 4,
    concurrency: 8,
    requests: 20000,
    iterations: 100,
    rounds: 2000,
    duration: 1,
    seed: 7,
    timeoutMs: 5000,
    setupTimeoutMs: 60000,
    budgetMs: 20000,
    scheduler: 'mixed',
    strict: false,
  });
  assert.equal(makePlan({ adapter: 'a.mjs' }, undefined, { ...ENV, cores: 1 }).workers, 2);
  assert.equal(makePlan({ adapter: 'a.mjs' }, undefined, { ...ENV, cores: 16 }).workers, 8);
});

test('makePlan: a seed is drawn when none is given', () => {
  const p = makePlan({ adapter: 'a.mjs' }, undefined, ENV);
  assert.ok(Number.isSafeInteger(p.seed) && p.seed >= 1, String(p.seed));
});

test('makePlan: given values win, strategies are deduplicated', () => {
  const p = makePlan({ adapter: 'a.mjs', workers: 3, concurrency: 1, strategies: ['race', 'race', 'hammer'], seed: 1 }, undefined, ENV);
  assert.equal(p.workers, 3);
  assert.equal(p.concurrency, 1);
  assert.deepEqual(p.strategies, ['race', 'hammer']);
});

const loaded = (extra = {}) => ({ adapter: { operations: { a() {} }, timeout: 300, ...extra }, file: '/x', opNames: ['a'] });

test("makePlan: the adapter's own timeout is used when no timeoutMs is given, overridden when one is", () => {
  assert.equal(makePlan({ adapter: 'a.mjs', seed: 1 }, loaded(), ENV).timeoutMs, 300);
  assert.equal(makePlan({ adapter: 'a.mjs', seed: 1, timeoutMs: 900 }, loaded(), ENV).timeoutMs, 900);
});

test("makePlan: maxOldSpace goes into resourceLimits over the adapter's own resourceLimits", () => {
  const l = loaded({ resourceLimits: { maxOldGenerationSizeMb: 512, stackSizeMb: 8 } });
  assert.deepEqual(makePlan({ adapter: 'a.mjs', seed: 1, maxOldSpace: 64 }, l, ENV).resourceLimits, { maxOldGenerationSizeMb: 64, stackSizeMb: 8 });
  assert.deepEqual(makePlan({ adapter: 'a.mjs', seed: 1 }, l, ENV).resourceLimits, { maxOldGenerationSizeMb: 512, stackSizeMb: 8 });
  assert.deepEqual(makePlan({ adapter: 'a.mjs', seed: 1, maxOldSpace: 32 }, undefined, ENV).resourceLimits, { maxOldGenerationSizeMb: 32 });
  assert.equal('resourceLimits' in makePlan({ adapter: 'a.mjs', seed: 1 }, loaded(), ENV), false);
});

test("makePlan: invalid values throw OptionError (a TypeError) with the table's message", () => {
  const bad = [
    [{ workers: 0 }, "workers must be a whole number from 1 to 256, got '0'"],
    [{ workers: 257 }, "workers must be a whole number from 1 to 256, got '257'"],
    [{ concurrency: 1.5 }, "concurrency must be a whole number from 1 to 10000, got '1.5'"],
    [{ duration: 0 }, "duration must be a number above 0, got '0'"],
    [{ seed: -1 }, "seed must be a whole number from 0 to 4294967295, got '-1'"],
    [{ strategies: ['race', 'fuzz'] }, "unknown strategy 'fuzz' (choose from hammer, race, throughput)"],
    [{ strategies: [] }, 'give at least one of hammer, race, throughput'],
    [{ strict: 'yes' }, "strict must be true or false, got 'yes'"],
    [{ timeoutMs: '100' }, "timeout must be a whole number from 1 to 9007199254740991, got '100'"],
  ];
  for (const [input, problem] of bad) {
    assert.throws(
      () => makePlan({ adapter: 'a.mjs', ...input }, undefined, ENV),
      (e) => {
        assert.ok(e instanceof OptionError);
        assert.ok(e instanceof TypeError);
        assert.equal(e.message, `adapter-hammer: option ${problem}`);
        return true;
      },
    );
  }
  assert.throws(() => makePlan({ adapter: '' }, undefined, ENV), { name: 'OptionError', message: 'adapter-hammer: option adapter must be a path' });
});

test('split: as even as possible, the remainder on the first parts', () => {
  assert.deepEqual(split(10, 3), [4, 3, 3]);
  assert.deepEqual(split(2, 4), [1, 1, 0, 0]);
});

// ---------------------------------------------------------------------------------------------------
// options/table and options/validate
// ---------------------------------------------------------------------------------------------------

test("table: API names are the camelCase long names; run options are the plan's fields", () => {
  assert.equal(apiName(optionByKey('minOps')), 'minOps');
  assert.equal(apiName(optionByKey('timeoutMs')), 'timeout');
  assert.equal(apiName(optionByKey('strategies')), 'strategy');
  assert.deepEqual(
    RUN_OPTIONS.map((o) => o.key),
    [
      'strategies',
      'workers',
      'concurrency',
      'requests',
      'iterations',
      'rounds',
      'duration',
      'minOps',
      'ops',
      'seed',
      'timeoutMs',
      'setupTimeoutMs',
      'budgetMs',
      'maxOldSpace',
      'shard',
      'scheduler',
      'schedule',
      'instrument',
      'confidence',
      'strict',
    ],
  );
  assert.deepEqual(
    OPTIONS.filter((o) => o.scope === 'output').map((o) => o.name),
    ['json', 'junit', 'html', 'color'],
  );
  assert.throws(() => optionByKey('nope'), { message: "no option 'nope'" });
});

test('apiOptionsProblem: unknown keys are rejected, naming the known ones', () => {
  assert.equal(
    apiOptionsProblem({ timeoutMs: 3 }),
    "'timeoutMs' is not an option (options: args, signal, print, color, progress, cwd, strategy, workers, concurrency, requests, iterations, rounds, duration, minOps, ops, seed, timeout, setupTimeout, time, maxOldSpace, shard, scheduler, schedule, instrument, confidence, strict, html)",
  );
});

test("apiOptionsProblem: bad values are rejected with the table's message; good ones pass", () => {
  assert.equal(apiOptionsProblem({ ops: [] }), "ops must be a comma list of names (an array of strings in the API), got ''");
  assert.equal(apiOptionsProblem({ ops: 'incr' }), "ops must be a comma list of names (an array of strings in the API), got 'incr'");
  assert.equal(apiOptionsProblem({ ops: ['incr'] }), null);
  assert.equal(apiOptionsProblem({ workers: 300 }), "workers must be a whole number from 1 to 256, got '300'");
  assert.equal(apiOptionsProblem({ strategy: ['race', 'x'] }), "unknown strategy 'x' (choose from hammer, race, throughput)");
  assert.equal(apiOptionsProblem({ minOps: -5 }), "min-ops must be a number above 0, got '-5'");
  assert.equal(apiOptionsProblem({ strategy: 'race' }), 'strategy must be an array of hammer, race, throughput');
  assert.equal(apiOptionsProblem({ workers: 4, strategy: ['race'], timeout: 100, minOps: 0.5, strict: true, args: {}, print: false }), null);
});

test('planFieldsOf: API names to plan keys, strategies deduplicated', () => {
  assert.deepEqual(planFieldsOf({ timeout: 100, strategy: ['race', 'race'], maxOldSpace: 64, print: true }), {
    strategies: ['race'],
    timeoutMs: 100,
    maxOldSpace: 64,
  });
});

test("parseText count: digits (trimmed) to a number; anything else is the table's message", () => {
  const w = optionByKey('workers');
  assert.equal(parseText(w, '12'), 12);
  assert.equal(parseText(w, ' 7 '), 7);
  assert.throws(() => parseText(w, '1.5'), { message: "workers must be a whole number from 1 to 256, got '1.5'" });
  assert.throws(() => parseText(w, '-3'), { message: "workers must be a whole number from 1 to 256, got '-3'" });
  assert.throws(() => parseText(w, '1e2'), { message: "workers must be a whole number from 1 to 256, got '1e2'" });
  assert.throws(() => parseText(w, '0'), { message: "workers must be a whole number from 1 to 256, got '0'" });
});

test('parseText positive: decimals accepted, zero and empty refused', () => {
  const d = optionByKey('duration');
  assert.equal(parseText(d, '0.25'), 0.25);
  assert.throws(() => parseText(d, ''), { message: "duration must be a number above 0, got ''" });
  assert.throws(() => parseText(d, '0'), { message: "duration must be a number above 0, got '0'" });
  assert.throws(() => parseText(d, 'abc'), { message: "duration must be a number above 0, got 'abc'" });
});

test('parseText seed: 0 and 2^32-1 accepted, 2^32 refused', () => {
  const s = optionByKey('seed');
  assert.equal(parseText(s, '0'), 0);
  assert.equal(parseText(s, '4294967295'), 4294967295);
  assert.throws(() => parseText(s, '4294967296'), { message: "seed must be a whole number from 0 to 4294967295, got '4294967296'" });
});

test('parseText strategies: comma list, trimmed, deduplicated; unknown and empty refused', () => {
  const s = optionByKey('strategies');
  assert.deepEqual(parseText(s, 'race, hammer,race'), ['race', 'hammer']);
  assert.throws(() => parseText(s, 'race,fuzz'), { message: "unknown strategy 'fuzz' (choose from hammer, race, throughput)" });
  assert.throws(() => parseText(s, ' , '), { message: 'give at least one of hammer, race, throughput' });
});

test('parseText path: any non-empty text; empty refused', () => {
  const j = optionByKey('json');
  assert.equal(parseText(j, 'out/report.json'), 'out/report.json');
  assert.equal(parseText(j, '-'), '-');
  assert.throws(() => parseText(j, ''), { message: "json must be a file path, got ''" });
});

test('valueProblem flag: only booleans', () => {
  const s = optionByKey('strict');
  assert.equal(valueProblem(s, true), null);
  assert.equal(valueProblem(s, false), null);
  assert.equal(valueProblem(s, 1), "strict must be true or false, got '1'");
  assert.throws(() => parseText(s, 'true'), { message: "strict must be true or false, got 'true'" });
});

test('checkRound: an internal error of a worker is a crash finding that names the tool, and the round is incomplete', () => {
  const t = tallies({ internalErrors: [{ workerId: 1, message: 'TypeError: boom' }] });
  const v = checkRound('race', evidence({ tallies: t, actual: { x: 3 } }));
  assert.equal(roundComplete(t), false);
  assert.deepEqual(
    v.findings.map((f) => [f.kind, f.workerId, f.internal, said(f).message]),
    [['crash', 1, true, 'worker 1: internal error of adapter-hammer (please report it): TypeError: boom']],
  );
});

test('checkRound: a worker stopped after a called-off round makes the round incomplete: counters not checked', () => {
  const t = tallies({ stopped: [{ workerId: 0, reason: 'round-aborted' }] });
  const v = checkRound('race', evidence({ tallies: t, actual: { x: 3 } }));
  assert.equal(roundComplete(t), false);
  assert.deepEqual(v.findings, []);
  assert.deepEqual(v.counters, []);
});

test('checkRound: a hang after every call returned names the event loop, not a hook', () => {
  const t = tallies({ hangs: [{ workerId: 0, where: 'after-calls', pending: {}, afterMs: 300 }] });
  const [f] = checkRound('race', evidence({ tallies: t })).findings;
  assert.equal(f.kind, 'hang');
  assert.equal(f.hook, undefined);
  assert.match(
    said(f).message,
    /^round 3: the event loop, blocked after every call had returned \(a callback the calls left behind, e\.g\. an endless loop in a timer\), in worker 0 did not settle within 300 ms/,
  );
});
