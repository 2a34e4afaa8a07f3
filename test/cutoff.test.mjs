// When a round in progress is called off (src/pool/cutoff.ts), from hand-made clock readings and worker
// phases: the time limit, the abort, the grace period and its early end. No worker, no clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundCutoff } from '../dist/pool/cutoff.js';
import { Phase } from '../dist/pool/layout.js';

test('the time limit starts once every worker is in its calls, and fires once', () => {
  const c = new RoundCutoff({ limitMs: 100, graceMs: 1000, batch: false, round: 5 });
  assert.equal(c.timeUp(0, false), false, 'workers still at the barrier: the clock has not started');
  assert.equal(c.timeUp(500, false), false);
  assert.equal(c.timeUp(1000, true), false, 'started now');
  assert.equal(c.timeUp(1099, true), false);
  assert.equal(c.timeUp(1100, true), true);
  assert.equal(c.timeUp(1200, true), false, 'once');
});

test('no limit: never time up; an aborted round is not halted again', () => {
  assert.equal(new RoundCutoff({ limitMs: null, graceMs: 1000, batch: false, round: 0 }).timeUp(1e9, true), false);
  const c = new RoundCutoff({ limitMs: 10, graceMs: 1000, batch: false, round: 0 });
  c.timeUp(0, true);
  assert.equal(c.abort(5), true);
  assert.equal(c.timeUp(20, true), false);
});

test('abort is decided once; waiting ends when the grace period is over', () => {
  const c = new RoundCutoff({ limitMs: null, graceMs: 1000, batch: false, round: 0 });
  assert.equal(c.stopWaiting(0, false), false, 'nothing to wait for before an abort');
  assert.equal(c.abort(100), true);
  assert.equal(c.abort(200), false);
  assert.equal(c.aborted, true);
  assert.equal(c.stopWaiting(1099, false), false);
  assert.equal(c.waitingOver, false);
  assert.equal(c.stopWaiting(1100, false), true);
  assert.equal(c.waitingOver, true);
  assert.equal(c.stopWaiting(5000, false), false, 'once');
});

test('waiting ends at once when only workers with a hung call are left: they never answer', () => {
  const c = new RoundCutoff({ limitMs: null, graceMs: 1000, batch: false, round: 0 });
  c.abort(100);
  assert.equal(c.stopWaiting(150, true), true);
});

test('a crash calls the round off when its peers would wait for it at a barrier', () => {
  const one = new RoundCutoff({ limitMs: null, graceMs: 1000, batch: false, round: 7 });
  assert.equal(one.crashAborts({ phase: Phase.BARRIER, round: 7 }), true, 'before the calls: the others wait at the barrier');
  assert.equal(one.crashAborts({ phase: Phase.CALLS, round: 7 }), false, 'in its calls: the others finish theirs');
  assert.equal(one.crashAborts({ phase: Phase.DONE, round: 6 }), true, 'died between rounds: it never reached this one');
  const batch = new RoundCutoff({ limitMs: null, graceMs: 1000, batch: true, round: 7 });
  assert.equal(batch.crashAborts({ phase: Phase.CALLS, round: 7 }), true, "in a batch, later rounds' barriers would wait");
});
