// The race loop's rules (src/strategies/race-loop.ts) driven by hand-made rounds and clock readings: what
// a round adds to the evidence, when the evidence is enough, when another batch may start and how big it
// is. No worker, no clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RacePace, RaceTally, FIRST_ROUND_MS } from '../dist/strategies/race-loop.js';
import { ContentionTracker } from '../dist/checks/contention.js';
import { EVIDENCE_FAILED_ROUNDS } from '../dist/checks/race.js';

const NATURAL = { overlap: false, controlled: null };
const tallies = (over = {}) => ({
  round: 0,
  interrupted: false,
  ops: [{ name: 'inc', started: 10, done: 10, errors: 0 }],
  maxCalls: [2],
  maxWorkers: [2],
  overlapped: [true],
  hangs: [],
  ...over,
});
const played = (round, over = {}) => ({
  round,
  tallies: tallies({ round }),
  complete: true,
  counters: [{ name: 'inc', expected: 10, actual: 10, ok: true }],
  countersNote: '',
  findings: [],
  lostUpdates: 0,
  failed: false,
  hookFailed: false,
  warnings: [],
  history: null,
  model: null,
  ...over,
});
const failing = (round, lost = 3) =>
  played(round, {
    failed: true,
    lostUpdates: lost,
    counters: [{ name: 'inc', expected: 10, actual: 10 - lost, ok: false }],
    findings: [{ strategy: 'race', kind: 'lost-update', round, message: `lost ${lost}` }],
  });

test('a passing round counts, with its calls and outcome; the last passing counters are shown until a round fails', () => {
  const t = new RaceTally(new ContentionTracker(['inc']));
  assert.equal(t.take(played(0), NATURAL, 5), null);
  assert.equal(t.take(played(1), NATURAL, 6), null);
  assert.equal(t.rounds, 2);
  assert.equal(t.completeRounds, 2);
  assert.equal(t.completedCalls, 20);
  assert.deepEqual([...t.outcomes], [['inc=10', { rounds: 2, failed: false }]]);
  assert.equal(t.firstFailed, null);
  assert.equal(t.missingEvidence, Infinity);
  assert.deepEqual([...t.called], ['inc']);
});

test('the earliest failing round is kept, even when a later one is taken first (sessions side by side)', () => {
  const t = new RaceTally(new ContentionTracker(['inc']));
  t.take(failing(7, 2), NATURAL, 40);
  t.take(failing(3, 5), NATURAL, 50);
  t.take(played(9), NATURAL, 60);
  assert.equal(t.firstFailed, 3);
  assert.equal(t.firstFailedMs, 40, 'the time of the first failure seen');
  assert.equal(t.counters[0].actual, 5, "round 3's counters");
  assert.equal(t.failedRounds, 2);
  assert.equal(t.lostUpdates, 7);
  assert.deepEqual(t.lostPerFailed, [2, 5]);
  assert.equal(t.roundFindings.length, 2);
  assert.equal(t.missingEvidence, EVIDENCE_FAILED_ROUNDS - 2);
});

test('enough failing rounds end the strategy; a failed hook ends it at once', () => {
  const t = new RaceTally(new ContentionTracker(['inc']));
  let stop = null;
  for (let r = 0; r < EVIDENCE_FAILED_ROUNDS; r++) stop = t.take(failing(r), NATURAL, r);
  assert.equal(stop, 'evidence');
  const h = new RaceTally(new ContentionTracker(['inc']));
  assert.equal(h.take(played(0, { hookFailed: true, failed: true }), NATURAL, 1), 'failed-hook');
});

test('an interrupted round is no evidence; contention is taken only from rounds that measured it', () => {
  const c = new ContentionTracker(['inc']);
  const t = new RaceTally(c);
  t.take(played(0, { tallies: tallies({ interrupted: true }) }), { overlap: true, controlled: null }, 1);
  assert.equal(t.rounds, 0);
  assert.equal(t.contentionRounds, 0);
  t.take(played(1), NATURAL, 2);
  assert.equal(c.result[0].overlapped, false, 'a round that did not measure says nothing');
  t.take(played(2), { overlap: true, controlled: null }, 3);
  assert.equal(t.contentionRounds, 1);
  assert.equal(c.result[0].overlapped, true);
});

test('warnings are kept once; model checks and undecided rounds are counted with the first reason', () => {
  const t = new RaceTally(new ContentionTracker(['inc']));
  const w = { code: 'stats-not-number', message: 'stats.x is not a number' };
  t.take(played(0, { warnings: [w], model: 'ok' }), NATURAL, 1);
  t.take(played(1, { warnings: [w], model: null, modelUnknown: 'too many calls' }), NATURAL, 2);
  t.take(played(2, { modelUnknown: 'another reason' }), NATURAL, 3);
  assert.equal(t.warnings.length, 1);
  assert.deepEqual(t.model, { checkedRounds: 1, unknownRounds: 2 });
  assert.equal(t.unknownReason, 'too many calls');
});

test('rounds only the model checked and could not decide are counted, complete ones only', () => {
  const t = new RaceTally(new ContentionTracker(['inc']));
  t.take(played(0, { model: 'unknown', modelUnknown: 'budget', undecided: true }), NATURAL, 1);
  t.take(played(1, { model: 'unknown', modelUnknown: 'budget' }), NATURAL, 2); // a counter checked it
  t.take(played(2, { complete: false, undecided: true }), NATURAL, 3);
  assert.equal(t.undecidedRounds, 1);
  assert.equal(t.completeRounds, 2);
});

test('pace: the first round runs alone and always; later rounds only while one more fits, keeping the search its share once a round failed', () => {
  const p = new RacePace({ maxBatch: 32, ahead: true, shrinkReserveMs: 500 });
  assert.equal(p.mayStart(0, 0, 0), true, 'the first round, even with no time left');
  assert.equal(p.size(0, 10_000, 0, Infinity), 1);
  assert.equal(p.stopAfterMs(0, 10), FIRST_ROUND_MS, 'the first round gets its calls');
  p.took(20, 1); // 20 ms a round
  assert.equal(p.mayStart(1, 25, 0), true);
  assert.equal(p.mayStart(1, 15, 0), false, 'one more round does not fit');
  assert.equal(p.mayStart(1, 510, 1), false, 'the search keeps its 500 ms once a round failed');
  assert.equal(p.mayStart(1, 530, 1), true);
});

test('pace: batches of rounds fill about 20 ms, never more than the evidence still missing, and only when rounds may run ahead', () => {
  const p = new RacePace({ maxBatch: 32, ahead: true, shrinkReserveMs: 0 });
  p.took(10, 100); // 0.1 ms a round
  assert.equal(p.size(5, 60_000, 0, Infinity), 32, 'capped at the most a batch may hold');
  p.took(10, 5); // 2 ms a round
  assert.equal(p.size(5, 60_000, 0, Infinity), 10, '20 ms of 2 ms rounds');
  assert.equal(p.size(5, 60_000, 3, 4), 4, 'no more than the evidence still missing: the early stop stays exact');
  const one = new RacePace({ maxBatch: 32, ahead: false, shrinkReserveMs: 0 });
  one.took(10, 100);
  assert.equal(one.size(5, 60_000, 0, Infinity), 1, 'rounds that share state: one at a time');
});
