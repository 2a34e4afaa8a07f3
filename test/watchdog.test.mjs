// The watchdog (src/pool/watchdog.ts) on hand-made shared memory: phases, rounds, lane call indexes
// and operations are written here, `now` is chosen here. No workers, no timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLayout, Phase } from '../dist/pool/layout.js';
import { Watchdog } from '../dist/pool/watchdog.js';

const TIMEOUT = 300;
const ROUND = 3;

function memory({ ops = ['read', 'write'], lanes = 2, workers = 2 } = {}) {
  const layout = makeLayout(ops.length, lanes, workers);
  const ctl = new Int32Array(layout.ctlLength);
  const tally = new Float64Array(layout.tallyLength);
  const mem = { ctl, tally, layout, opNames: ops, timeoutMs: TIMEOUT };
  const m = {
    mem,
    phase(w, phase, round = ROUND) {
      ctl[layout.round(w)] = round;
      ctl[layout.phase(w)] = phase;
      return m;
    },
    lane(w, lane, seq, op = 0) {
      tally[layout.base(w) + layout.laneSeq(lane)] = seq;
      tally[layout.base(w) + layout.laneOp(lane)] = op;
      return m;
    },
    counts(w, op, started, done, errors = 0) {
      const b = layout.base(w);
      tally[b + layout.started(op)] = started;
      tally[b + layout.done(op)] = done;
      tally[b + layout.errors(op)] = errors;
      return m;
    },
  };
  // Every lane of every worker idle (-1), as a worker leaves them after resetting its region.
  for (let w = 0; w < workers; w++) for (let l = 0; l < lanes; l++) m.lane(w, l, -1);
  return m;
}

test("a lane stuck on the same call past the timeout is a hang naming that call's operation", () => {
  const m = memory().phase(0, Phase.CALLS).phase(1, Phase.CALLS);
  m.lane(0, 0, 17, 0).lane(0, 1, 41, 1); // lane 1 is in a call of `write`
  m.counts(0, 0, 9, 9).counts(0, 1, 8, 5, 1); // write: 8 started, 5 returned, 1 threw: 2 pending
  const wd = new Watchdog(m.mem, ROUND, 0);
  assert.deepEqual(wd.tick(0, [0]), []);
  m.lane(0, 0, 18, 0); // lane 0 keeps going
  assert.deepEqual(wd.tick(150, [0]), []);
  m.lane(0, 0, -1); // and finishes
  assert.deepEqual(wd.tick(299, [0]), []);
  assert.deepEqual(wd.tick(320, [0]), [{ workerId: 0, where: 'calls', op: 'write', pending: { write: 2 }, afterMs: 320 }]);
});

test('of several stuck lanes, the hang names the one stuck longest', () => {
  const m = memory().phase(0, Phase.CALLS).lane(0, 0, 5, 0);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0]);
  m.lane(0, 1, 6, 1);
  wd.tick(100, [0]);
  const [h] = wd.tick(450, [0]);
  assert.equal(h.op, 'read');
  assert.equal(h.afterMs, 450);
});

test('lanes that keep making calls never hang, however long the round', () => {
  const m = memory().phase(0, Phase.CALLS).phase(1, Phase.CALLS);
  const wd = new Watchdog(m.mem, ROUND, 0);
  for (let now = 0, seq = 0; now <= 10 * TIMEOUT; now += 50, seq++) {
    m.lane(0, 0, seq, seq % 2)
      .lane(0, 1, seq + 1000, 0)
      .lane(1, 1, seq, 1); // worker 1 lane 0: no call (-1)
    assert.deepEqual(wd.tick(now, [0, 1]), [], `at ${now} ms`);
  }
});

test('every lane ended but still in calls past the timeout: a hang after the calls (a callback left behind)', () => {
  const m = memory().phase(0, Phase.CALLS).lane(0, 0, 4, 0).lane(0, 1, 9, 1).counts(0, 0, 3, 3);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0]);
  m.lane(0, 0, -1);
  wd.tick(100, [0]);
  m.lane(0, 1, -1);
  assert.deepEqual(wd.tick(200, [0]), []);
  assert.deepEqual(wd.tick(200 + TIMEOUT - 1, [0]), []);
  assert.deepEqual(wd.tick(200 + TIMEOUT, [0]), [{ workerId: 0, where: 'after-calls', pending: {}, afterMs: TIMEOUT }]);
});

test('a worker stuck in init or workerStats past the timeout is a hang of that hook', () => {
  const m = memory().phase(0, Phase.INIT).phase(1, Phase.STATS).counts(1, 0, 4, 4);
  const wd = new Watchdog(m.mem, ROUND, 0);
  assert.deepEqual(wd.tick(0, [0, 1]), []);
  assert.deepEqual(wd.tick(TIMEOUT - 1, [0, 1]), []);
  assert.deepEqual(wd.tick(TIMEOUT, [0, 1]), [
    { workerId: 0, where: 'init', pending: {}, afterMs: TIMEOUT },
    { workerId: 1, where: 'workerStats', pending: {}, afterMs: TIMEOUT },
  ]);
});

test('the timer restarts with each new phase', () => {
  const m = memory().phase(0, Phase.INIT);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0]);
  m.phase(0, Phase.BARRIER);
  wd.tick(200, [0]);
  m.phase(0, Phase.STATS);
  assert.deepEqual(wd.tick(400, [0]), []);
  assert.equal(wd.tick(700, [0])[0].afterMs, 300);
});

test('a worker still showing the previous round never took the message: a hang at the start', () => {
  const m = memory()
    .phase(0, Phase.DONE, ROUND - 1)
    .phase(1, Phase.CALLS, ROUND - 1)
    .lane(1, 0, 99, 1);
  const wd = new Watchdog(m.mem, ROUND, 0);
  assert.deepEqual(wd.tick(0, [0, 1]), []);
  const hangs = wd.tick(TIMEOUT, [0, 1]);
  assert.deepEqual(
    hangs.map((h) => [h.workerId, h.where, h.op]),
    [
      [0, 'start', undefined],
      [1, 'start', undefined],
    ],
  );
  // A fresh worker (round 0, phase idle) that never started round 1 is the same.
  const fresh = memory();
  const wd1 = new Watchdog(fresh.mem, 1, 0);
  wd1.tick(0, [0]);
  assert.equal(wd1.tick(TIMEOUT, [0])[0].where, 'start');
});

test('waiting at the barrier or done never hangs (a peer holds them, not this worker)', () => {
  const m = memory().phase(0, Phase.BARRIER).phase(1, Phase.DONE);
  const wd = new Watchdog(m.mem, ROUND, 0);
  for (const now of [0, TIMEOUT, 10 * TIMEOUT, 1e6]) assert.deepEqual(wd.tick(now, [0, 1]), []);
});

test('only the workers asked about are judged', () => {
  const m = memory().phase(0, Phase.INIT).phase(1, Phase.INIT);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0, 1]);
  assert.deepEqual(
    wd.tick(TIMEOUT, [1]).map((h) => h.workerId),
    [1],
  );
});

test('grace expiry: a lane that moved since the abort is stopped, not a hang', () => {
  const m = memory().phase(0, Phase.CALLS).lane(0, 0, 10, 1);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0]);
  // Round called off at 200 (another worker hung); this worker's lane takes one more, slow call.
  m.lane(0, 0, 11, 1);
  wd.observeAll(250, [0]);
  assert.deepEqual(wd.atGraceExpiry(0, 500, false), { stopped: { workerId: 0, reason: 'round-aborted' } });
});

test('grace expiry: a worker merely finishing (lanes done, or in a short workerStats) is stopped', () => {
  const m = memory().phase(0, Phase.CALLS).phase(1, Phase.CALLS).lane(0, 0, 8, 1).lane(1, 0, 3, 0);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0, 1]);
  m.lane(0, 0, -1); // worker 0's last lane ends, it has yet to answer
  m.phase(1, Phase.STATS).lane(1, 0, -1);
  wd.observeAll(100, [0, 1]);
  assert.deepEqual(wd.atGraceExpiry(0, 350, false), { stopped: { workerId: 0, reason: 'round-aborted' } });
  assert.deepEqual(wd.atGraceExpiry(1, 350, false), { stopped: { workerId: 1, reason: 'round-aborted' } });
  // The same hook still running a whole timeout later is a hang after all.
  assert.equal(wd.atGraceExpiry(1, 100 + TIMEOUT, false).hang.where, 'workerStats');
});

test('grace expiry: a lane with no progress for the timeout is a hang, with the operation from its lane', () => {
  const m = memory().phase(0, Phase.CALLS).lane(0, 1, 7, 1).counts(0, 1, 3, 2);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0]);
  const d = wd.atGraceExpiry(0, TIMEOUT + 50, false);
  assert.deepEqual(d, { hang: { workerId: 0, where: 'calls', op: 'write', pending: { write: 1 }, afterMs: TIMEOUT + 50 } });
});

test('grace expiry after an interrupt: never a hang, even if stuck', () => {
  const m = memory().phase(0, Phase.CALLS).lane(0, 0, 7, 1).phase(1, Phase.INIT);
  const wd = new Watchdog(m.mem, ROUND, 0);
  wd.tick(0, [0, 1]);
  assert.deepEqual(wd.atGraceExpiry(0, 10 * TIMEOUT, true), { stopped: { workerId: 0, reason: 'interrupted' } });
  assert.deepEqual(wd.atGraceExpiry(1, 10 * TIMEOUT, true), { stopped: { workerId: 1, reason: 'interrupted' } });
});
