// The seeded scheduler (src/scheduler/) end to end through runControlled, and its pure parts: the natural
// order never exposes the controlled fixtures' races, the scheduler does within a few rounds, a failing
// schedule replays 20 times out of 20, safe twins never fail, divergence is reported, PCT of depth 1
// never preempts, shrinking reaches the fewest preemptions, resumptions from outside are counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers/cli.mjs';

const dist = async (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { runControlled } = await dist('controlled/run.js');
const { encodeSchedule, decodeSchedule, switchPoints } = await dist('scheduler/schedule.js');
const { shrinkSchedule, withoutSwitch } = await dist('scheduler/shrink.js');
const { formatTrace } = await dist('scheduler/trace.js');
const fixture = (name) => path.join(ROOT, 'fixtures/controlled', name);

/** Each unsafe lesson and the lanes it needs. */
const LESSONS = [
  { name: 'ticket', lanes: 2, rounds: { random: 150, pct: 150 } },
  // A depth-3 bug (two preemptions at the right steps): PCT's bound is 1 / (n k^2), about 1% of rounds here.
  { name: 'retry', lanes: 3, rounds: { random: 150, pct: 1000 } },
];

for (const { name, lanes, rounds } of LESSONS) {
  test(`${name}-unsafe: the natural order passes 300 rounds`, async () => {
    const r = await runControlled(fixture(`${name}-unsafe.mjs`), { lanes, strategy: 'natural', rounds: 300, stopOnFailure: false });
    assert.equal(r.rounds, 300);
    assert.equal(r.failedRounds, 0, r.round.problems.join('; '));
  });

  for (const strategy of ['random', 'pct']) {
    test(`${name}-unsafe: ${strategy} finds it within ${rounds[strategy]} rounds for each of 3 seeds, and the schedule replays 20 of 20`, async () => {
      for (let seed = 1; seed <= 3; seed++) {
        const r = await runControlled(fixture(`${name}-unsafe.mjs`), { lanes, strategy, seed, rounds: rounds[strategy] });
        assert.equal(r.failedRounds, 1, `seed ${seed}: not found in ${r.rounds} rounds`);
        assert.equal(r.round.run.uncontrolled.length, 0);
        if (seed > 1) continue;
        const replay = await runControlled(fixture(`${name}-unsafe.mjs`), { lanes, schedule: r.round.run.schedule, rounds: 20, stopOnFailure: false });
        assert.equal(replay.failedRounds, 20, replay.round.problems.join('; '));
        assert.equal(replay.round.run.schedule, r.round.run.schedule, 'the replay followed the schedule exactly');
        assert.equal(replay.round.run.divergence, null);
      }
    });
  }

  test(`${name}-safe: never fails, 200 rounds of each strategy over 2 seeds`, async () => {
    for (const strategy of ['random', 'pct'])
      for (const seed of [1, 2]) {
        const r = await runControlled(fixture(`${name}-safe.mjs`), { lanes, strategy, seed, rounds: 200, stopOnFailure: false });
        assert.equal(r.failedRounds, 0, `${strategy} seed ${seed}: ${r.round.problems.join('; ')}`);
        assert.ok(r.round.run.preemptions >= 0 && r.round.run.steps > lanes * 2, 'the scheduler did take steps');
      }
  });
}

test('shrinking: the failing schedule of retry-unsafe shrinks to fewer preemptions and still fails on replay', async () => {
  const r = await runControlled(fixture('retry-unsafe.mjs'), { lanes: 3, strategy: 'random', seed: 3, rounds: 150, shrink: true });
  assert.equal(r.failedRounds, 1);
  const s = r.shrunk;
  assert.ok(s.preemptions < s.preemptionsBefore, `${s.preemptionsBefore} -> ${s.preemptions}`);
  assert.ok(s.preemptions >= 1, 'a race needs at least one preemption');
  assert.ok(s.round.failed, 'the shrunk schedule still fails');
  const text = formatTrace(s.round.run);
  assert.match(text, /retry-unsafe\.mjs:31/, text); // the retry's await, where the other lane cuts in
  assert.match(text, /preempts lane/);
});

test('a replay that cannot follow its schedule says where, instead of doing something else', async () => {
  const base = await runControlled(fixture('ticket-safe.mjs'), { lanes: 2, strategy: 'random', seed: 1 });
  const { decisions } = decodeSchedule(base.round.run.schedule);
  // Three lanes: lane 0 runs to its end, then is chosen again while lanes 1 and 2 still run.
  const tooMuch = encodeSchedule({ strategy: 'random', depth: 0, lanes: 3, decisions: Array(40).fill(0) });
  const r = await runControlled(fixture('ticket-safe.mjs'), { lanes: 3, schedule: tooMuch });
  assert.match(r.round.run.divergence ?? '', /^schedule diverged at step \d+: lane 0 has already finished$/);
  assert.equal(r.round.failed, true, 'a diverged replay is not a pass');
  // Decisions left over when the run ended.
  const longer = encodeSchedule({ strategy: 'random', depth: 0, lanes: 2, decisions: [...decisions, 1, 1] });
  const l = await runControlled(fixture('ticket-safe.mjs'), { lanes: 2, schedule: longer });
  assert.match(l.round.run.divergence ?? '', /the run ended with 2 decision\(s\) of the schedule unused$/);
  // A schedule that ends while lanes still run.
  const cut = encodeSchedule({ strategy: 'random', depth: 0, lanes: 2, decisions: decisions.slice(0, 1) });
  const c = await runControlled(fixture('ticket-safe.mjs'), { lanes: 2, schedule: cut });
  assert.match(c.round.run.divergence ?? '', /^schedule diverged at step 2: it ends there, but lanes 0, 1 are still running$/);
  await assert.rejects(runControlled(fixture('ticket-safe.mjs'), { lanes: 3, schedule: base.round.run.schedule }), /recorded with 2 lanes, this run has 3/);
});

test('PCT of depth 1 never preempts; of depth 3 it does', async () => {
  const d1 = await runControlled(fixture('retry-safe.mjs'), {
    lanes: 3,
    callsPerLane: 3,
    strategy: 'pct',
    depth: 1,
    seed: 5,
    rounds: 100,
    stopOnFailure: false,
  });
  assert.equal(d1.round.run.preemptions, 0);
  let total = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const r = await runControlled(fixture('retry-safe.mjs'), { lanes: 3, callsPerLane: 3, strategy: 'pct', depth: 1, seed });
    assert.equal(r.round.run.preemptions, 0, `seed ${seed}`);
    const r3 = await runControlled(fixture('retry-safe.mjs'), { lanes: 3, callsPerLane: 3, strategy: 'pct', depth: 3, seed });
    total += r3.round.run.preemptions;
  }
  assert.ok(total > 0, 'depth 3 preempted somewhere in 20 seeds');
});

test("a callback resumed by a dependency's timer is counted as an uncontrolled resumption", async () => {
  const r = await runControlled(path.join(ROOT, 'test/fixtures-controlled/callback.mjs'), { lanes: 2, callsPerLane: 2, strategy: 'random', seed: 1 });
  assert.equal(r.round.failed, false, r.round.problems.join('; '));
  assert.ok(r.round.run.uncontrolled.length > 0);
  assert.match(formatTrace(r.round.run), /resumption\(s\) outside the scheduler/);
});

test('schedule strings: run-length decisions, lane count and checksum', () => {
  const s = { strategy: 'pct', depth: 3, lanes: 12, decisions: [0, 0, 0, 0, 11, 2, 2, 1, 1, 1] };
  const text = encodeSchedule(s);
  assert.match(text, /^pct3-c-0\.4\.b221\.3\.-[0-9a-z]{2}$/);
  assert.deepEqual(decodeSchedule(text), s);
  assert.throws(() => decodeSchedule(text.replace('b22', 'b12')), /checksum mismatch/);
  assert.throws(() => decodeSchedule('nonsense'), /expected <strategy>-<lanes>-<decisions>-<check>/);
  assert.equal(decodeSchedule(encodeSchedule({ strategy: 'random', depth: 0, lanes: 1, decisions: [] })).lanes, 1);
  // Beyond 36 lanes each decision takes two digits (--concurrency 50), beyond 1,296 three.
  for (const lanes of [50, 2000]) {
    const wide = { strategy: 'random', depth: 0, lanes, decisions: [49, 0, 0, 0, 7, 49, 49] };
    assert.deepEqual(decodeSchedule(encodeSchedule(wide)), wide);
  }
  assert.match(encodeSchedule({ strategy: 'random', depth: 0, lanes: 50, decisions: [49, 0, 0, 0] }), /^rw-1e-1d00\.3\.-/);
});

test('shrinkSchedule (pure): a fake bug "lane 1 runs between two steps of lane 0" shrinks to one preemption', async () => {
  // Failing iff some lane-1 step sits between two lane-0 steps.
  const fails = (d) => {
    const first0 = d.indexOf(0);
    return d.some((x, i) => x === 1 && i > first0 && first0 >= 0 && d.indexOf(0, i) > i);
  };
  const noisy = [0, 2, 1, 2, 0, 1, 2, 0, 2, 1, 0, 2];
  const start = encodeSchedule({ strategy: 'random', depth: 0, lanes: 3, decisions: noisy });
  const calls = [];
  const res = await shrinkSchedule(start, async (s) => {
    calls.push(s);
    return fails(decodeSchedule(s).decisions);
  });
  assert.ok(fails(decodeSchedule(res.schedule).decisions), res.schedule);
  assert.equal(res.preemptionsBefore, switchPoints(noisy).length);
  assert.equal(res.preemptions, 1);
  assert.equal(res.tries, calls.length);
  // A predicate that never fails keeps the original.
  const kept = await shrinkSchedule(start, async () => false);
  assert.equal(kept.schedule, start);
  assert.deepEqual(withoutSwitch([0, 1, 1, 0, 2], 1), [0, 0, 1, 1, 2]);
});
