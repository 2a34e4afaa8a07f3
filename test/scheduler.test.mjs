// The Scheduler (src/scheduler/) on its own, in this thread, with scripted selectors: lanes are async
// functions that call the runtime exactly as instrumented code does (`park` for an await,
// `setImmediateAt` for a timer). The mechanism (park, grant, settle, stall, trace), each policy (random
// walk, PCT, strict and lenient replay), divergence, the causality rules (free, bound, outside), and the
// pure parts (schedule strings, shrinking).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers/cli.mjs';

const dist = async (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { Scheduler } = await dist('scheduler/scheduler.js');
const { pct, randomWalk, replay, roundSeed, selectorFor, WAIT } = await dist('scheduler/selectors.js');
const { park, setImmediateAt, setTimeoutAt, clearTimeoutAt, parkCount } = await dist('scheduler/runtime.js');
const { encodeSchedule, decodeSchedule, switchPoints } = await dist('scheduler/schedule.js');
const { shrinkSchedule, withoutSwitch } = await dist('scheduler/shrink.js');
const { parseSite } = await dist('scheduler/sites.js');
const { xoroshiro128plus } = await import('pure-rand/generator/xoroshiro128plus');

/** A selector that plays `picks` in order (then the lowest ready lane), recording every view it was shown. */
function scripted(picks = []) {
  const views = [];
  return {
    strategy: 'random',
    depth: 0,
    views,
    pick(v) {
      views.push({ index: v.index, live: [...v.live], ready: [...v.ready], last: v.last });
      return picks.length ? picks.shift() : v.ready[0];
    },
    end: () => null,
  };
}

/** Run `lanes` (async functions of (log, lane)) under `selector`; returns the run and the log the lanes wrote. */
async function play(selector, lanes, opts = {}) {
  const log = [];
  const s = new Scheduler(selector, { lanes: lanes.length, stallMs: 2000, trace: true, ...opts });
  const run = await s.run(lanes.map((fn, i) => () => fn(log, i)));
  return { run, log, scheduler: s };
}

/** A lane that logs `<tag><k>` after each of `n` awaits of an already-settled value. */
const steps = (tag, n) => async (log) => {
  for (let k = 0; k < n; k++) {
    await park(k, `${tag}.mjs:${k + 1}:1`);
    log.push(`${tag}${k}`);
  }
};

const decisions = (run) => decodeSchedule(run.schedule).decisions;

test('one lane: runs to its end with no decision to record; every await is a step', async () => {
  const sel = scripted();
  const { run, log } = await play(sel, [steps('a', 3)]);
  assert.deepEqual(log, ['a0', 'a1', 'a2']);
  assert.equal(run.steps, 4, 'its start and three awaits');
  assert.deepEqual(decisions(run), []);
  assert.equal(sel.views.length, 0, 'the selector is never asked when only one lane is live');
  assert.equal(run.preemptions, 0);
  assert.equal(run.divergence, null);
  assert.equal(run.stalled, null);
});

test('the selector decides the order at every step where two lanes are live, and sees live and ready lanes', async () => {
  const sel = scripted([1, 1, 0, 1, 0, 0]);
  const { run, log } = await play(sel, [steps('a', 2), steps('b', 2)]);
  // start b, b past its first await, start a, b past its second (and ends), then a alone: a0, a1.
  assert.deepEqual(log, ['b0', 'b1', 'a0', 'a1']);
  assert.deepEqual(sel.views[0], { index: 0, live: [0, 1], ready: [0, 1], last: -1 });
  assert.deepEqual(sel.views[3], { index: 3, live: [0, 1], ready: [0, 1], last: 0 });
  assert.deepEqual(decisions(run), [1, 1, 0, 1], 'no decision once lane 1 has ended');
  assert.ok(
    sel.views.every((v) => v.live.length >= 2 && v.ready.length >= 1),
    'asked only with two live lanes and something ready',
  );
  // The last step of lane 1 ended it: lane 0 ran alone after, undecided.
  assert.equal(run.steps, 6);
});

test('preemptions: a switch away from a lane that could have continued; not when it finished', async () => {
  const { run } = await play(scripted([0, 1, 0, 1]), [steps('a', 2), steps('b', 2)]);
  // start a, start b (a could continue: preemption), a0 (b could continue: preemption), b0 (preemption), ...
  assert.equal(run.trace.filter((s) => s.preempted !== null).length, run.preemptions);
  assert.ok(run.preemptions >= 3, JSON.stringify(run.trace));
  const one = await play(scripted([0, 0, 0, 1]), [steps('a', 2), steps('b', 2)]);
  assert.equal(one.run.preemptions, 0, 'a ran to its end, then b: no preemption');
});

test('the trace: one step per grant, from the site it resumed to the site it parked at, lane starts and ends, worker', async () => {
  const { run } = await play(scripted([0, 0, 0]), [steps('a', 2), steps('b', 1)], { workerId: 3 });
  assert.deepEqual(
    run.trace.map((s) => [s.worker, s.lane, s.from, s.to]),
    [
      [3, 0, 'start', 'a.mjs:1:1'],
      [3, 0, 'a.mjs:1:1', 'a.mjs:2:1'],
      [3, 0, 'a.mjs:2:1', 'end'],
      [3, 1, 'start', 'b.mjs:1:1'],
      [3, 1, 'b.mjs:1:1', 'end'],
    ],
  );
  assert.deepEqual(
    run.trace.map((s) => s.step),
    [1, 2, 3, 4, 5],
  );
  const none = await play(scripted(), [steps('a', 1), steps('b', 1)], { trace: false });
  assert.equal(none.run.trace, null, 'no steps kept unless asked');
  assert.equal(none.run.steps, 4);
});

test('beginCall names the calls in the trace and is a scheduling point from the second call on', async () => {
  const sel = scripted();
  const sched = new Scheduler(sel, { lanes: 2, trace: true });
  const lane = (tag) => async (log) => {
    for (let k = 0; k < 2; k++) {
      await sched.beginCall(tag, k);
      await park(null, `${tag}.mjs:1:1`);
      log.push(`${tag}${k}`);
    }
  };
  const log = [];
  const run = await sched.run([() => lane('x')(log), () => lane('y')(log)]);
  assert.equal(log.length, 4);
  assert.deepEqual(run.trace[0], { worker: 0, step: 1, lane: 0, op: 'x', call: 0, from: 'start', to: 'x.mjs:1:1', preempted: null });
  assert.ok(run.trace.some((s) => s.from === 'call' && s.op === 'x' && s.call === 1));
  assert.ok(!run.trace.some((s) => s.from === 'call' && s.call === 0), "a lane's first call begins in its start step");
});

test('free: an await of an already-settled value lets another lane run in between (the race is reachable)', async () => {
  let seats = 1;
  let sold = 0;
  const book = async () => {
    await park(undefined, 'io');
    if (seats > 0) {
      await park(Promise.resolve('hold'), 'audit'); // an already-resolved promise: a scheduling point
      seats--;
      sold++;
    }
  };
  // start 0, start 1, 0 past io (checks, parks at audit), 1 past io (checks too), then both act.
  const { run } = await play(scripted([0, 1, 0, 1]), [book, book]);
  assert.equal(sold, 2, 'both lanes saw the last seat');
  assert.ok(run.trace.some((s) => s.from === 'audit'));
});

test('bound: a promise settled by another lane resumes in that step, in JavaScript order, never as a choice', async () => {
  // A correct promise-chain queue: each call runs after the previous one settled; lanes record their answers.
  let last = Promise.resolve();
  const calls = [];
  const queued = (id) => {
    calls.push(id);
    const p = last.then(async () => {
      await park(undefined, 'work'); // the queued work: a scheduling point of its own
      return id;
    });
    last = p;
    return p;
  };
  const seen = [];
  const lane = (id) => async () => seen.push(await park(queued(id), 'await-queued'));
  for (let seed = 1; seed <= 30; seed++) {
    seen.length = 0;
    calls.length = 0;
    last = Promise.resolve();
    const sel = randomWalk(xoroshiro128plus(seed));
    const { run } = await play(sel, [lane(0), lane(1), lane(2)]);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen, calls, `seed ${seed}: the answers in the order of the calls (${run.schedule})`);
    assert.ok(!run.trace.some((s) => s.from === 'await-queued'), 'the awaits of the queue never were a step of their own');
  }
});

test('outside: values settled by I/O outside any step run in the order they settled', async () => {
  const order = [];
  const sel = scripted([0, 1, 2]);
  let a;
  let b;
  const first = new Promise((r) => (a = r));
  const second = new Promise((r) => (b = r));
  // Lane 0 awaits what settles second, lane 1 what settles first; lane 2's step starts plain immediates
  // (outside the scheduler) that settle them in that order while the scheduler waits.
  const lanes = [
    async () => order.push(await park(second, 'io0')),
    async () => order.push(await park(first, 'io1')),
    async () => {
      await park(null, 'go');
      setImmediate(() => {
        a('a');
        setImmediate(() => b('b'));
      });
    },
  ];
  await play(sel, lanes);
  // The scripted selector takes the lowest ready lane: lane 0, were it offered while lane 1's older value waits.
  assert.deepEqual(order, ['a', 'b']);
  assert.ok(sel.views.some((v) => v.ready.includes(1)));
  for (const v of sel.views.slice(3)) assert.ok(!(v.ready.includes(0) && v.ready.includes(1)), `never both at once: ${JSON.stringify(v)}`);
});

test('timers of lane code: an immediate runs only when granted, in any order the selector picks', async () => {
  const order = [];
  const lane = (tag) => async () => {
    await park(new Promise((r) => setImmediateAt(`${tag}.mjs:1:1`, () => r(tag))), `${tag}.mjs:2:1`);
    order.push(tag);
  };
  // Starts in order, then the timers: lane 1's before lane 0's.
  const { run } = await play(scripted([0, 1, 1, 0]), [lane('a'), lane('b')]);
  assert.deepEqual(order, ['b', 'a']);
  const timerStep = run.trace.find((s) => s.from.startsWith('setImmediate '));
  assert.ok(timerStep, JSON.stringify(run.trace));
  assert.deepEqual(parseSite(timerStep.from), { timer: 'setImmediate', file: 'b.mjs', line: 1, col: 1 });
  // The await the timer settled resumed in the timer's own step: it is no step of its own.
  assert.ok(!run.trace.some((s) => s.from === 'b.mjs:2:1'));
});

test('timers: a longer timeout runs once due; a cleared one never runs and blocks nothing', async () => {
  const ran = [];
  const sel = scripted();
  const lanes = [
    async () => {
      await park(new Promise((r) => setTimeoutAt('t.mjs:1:1', r, 30)), 't.mjs:2:1');
      ran.push('due');
    },
    async () => {
      const h = setTimeoutAt('t.mjs:3:1', () => ran.push('cleared'), 5);
      clearTimeoutAt(h);
      await park(null, 't.mjs:4:1');
      ran.push('b');
    },
  ];
  const { run } = await play(sel, lanes);
  assert.deepEqual([...ran].sort(), ['b', 'due']);
  assert.equal(run.stalled, null);
  const step = run.trace.find((x) => x.from === 'setTimeout t.mjs:1:1');
  assert.equal(step?.lane, 0, JSON.stringify(run.trace));
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(!ran.includes('cleared'), 'the cleared callback never ran, also after the round');
});

test('a call started from a callback of a lane that has finished parks in that lane: it is granted, nothing stalls', async () => {
  // Lane 0 hands work to a callback (a queue's runNext) and finishes; the work runs in lane 0's context.
  let handOff;
  const started = new Promise((r) => (handOff = r));
  const result = [];
  const lanes = [
    async () => {
      Promise.resolve().then(() =>
        handOff(
          (async () => {
            await park(null, 'late-work');
            return 'done';
          })(),
        ),
      );
      await park(null, 'a');
    },
    async () => result.push(await park(await started, 'b')),
  ];
  const { run } = await play(scripted(), lanes, { stallMs: 5000 });
  assert.deepEqual(result, ['done']);
  assert.equal(run.stalled, null);
  assert.equal(run.uncontrolled, 0);
  assert.ok(
    run.trace.some((s) => s.lane === 0 && s.from === 'late-work'),
    JSON.stringify(run.trace),
  );
});

test('a stall: nothing can run within stallMs; it is reported and the round goes on uncontrolled', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const done = [];
  const lanes = [
    async () => {
      await park(gate, 'never-until-released');
      done.push('a');
    },
    async () => {
      await park(null, 'b');
      // Outside the scheduler entirely: a plain timer, after the stall.
      setTimeout(() => release(), 150);
      done.push('b');
    },
  ];
  const { run } = await play(scripted(), lanes, { stallMs: 60 });
  assert.match(run.stalled, /^nothing could run within 60 ms at step \d+ \(lanes 0 blocked outside the scheduler\)$/);
  assert.deepEqual(done, ['b', 'a'], 'the stalled lane still ran to its end, uncontrolled');
});

test('uncontrolled: code resumed by a callback outside the scheduler that reaches an await is counted, with where', async () => {
  const lanes = [
    async () => {
      await new Promise((r) => setTimeout(r, 5)); // an uninstrumented await: what follows is not granted
      await park(null, 'after-timer');
    },
    async () => {
      await park(null, 'b');
    },
  ];
  const { run } = await play(scripted(), lanes);
  assert.equal(run.uncontrolled, 1);
  assert.deepEqual(run.uncontrolledAt[0].site, 'after-timer');
  assert.equal(run.uncontrolledAt[0].lane, 0);
});

test('a rejection passes through a park to the awaiting lane', async () => {
  const caught = [];
  const lanes = [
    async () => {
      try {
        await park(Promise.reject(new Error('boom')), 'r');
      } catch (e) {
        caught.push(e.message);
      }
    },
    steps('b', 1),
  ];
  await play(scripted([1, 0]), lanes);
  assert.deepEqual(caught, ['boom']);
});

test('a long microtask chain in a step finishes before the next choice (the nextTick fence)', async () => {
  const order = [];
  const lanes = [
    async () => {
      await park(null, 'a');
      for (let i = 0; i < 200; i++) await null; // uninstrumented awaits: part of the step
      order.push('a-chain-done');
      await park(null, 'a2');
    },
    async () => {
      await park(null, 'b');
      order.push('b');
    },
  ];
  // start a, a's await (its chain), then b: the chain is done before b's step.
  await play(scripted([0, 0, 1, 1]), lanes);
  assert.deepEqual(order, ['a-chain-done', 'b']);
});

test('random walk: the same (seed, round, worker) gives the same schedule, another round another', async () => {
  const spec = { strategy: 'random', depth: 0, estimatedSteps: 0, replay: null, lenient: false, trace: false, stallMs: 1000 };
  const runOf = async (round) => {
    const sel = selectorFor(spec, { seed: 9, round, workerId: 1, lanes: 4 });
    return (
      await play(
        sel,
        [0, 1, 2, 3].map((i) => steps(`l${i}`, 3)),
      )
    ).run.schedule;
  };
  assert.equal(await runOf(5), await runOf(5));
  const others = new Set();
  for (let r = 0; r < 6; r++) others.add(await runOf(r));
  assert.ok(others.size > 1, 'rounds differ');
  assert.notEqual(roundSeed(9, 5, 1), roundSeed(9, 5, 2));
});

test('PCT of depth 1 never preempts; of depth 3 it does, somewhere in 20 seeds', async () => {
  let total = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const d1 = await play(
      pct(xoroshiro128plus(seed), 3, 1, 12),
      [0, 1, 2].map((i) => steps(`l${i}`, 3)),
    );
    assert.equal(d1.run.preemptions, 0, `seed ${seed}`);
    const d3 = await play(
      pct(xoroshiro128plus(seed), 3, 3, 12),
      [0, 1, 2].map((i) => steps(`l${i}`, 3)),
    );
    total += d3.run.preemptions;
    assert.ok(d3.run.preemptions <= 2, 'at most d - 1 preemptions');
  }
  assert.ok(total > 0);
  assert.throws(() => pct(xoroshiro128plus(1), 3, 0, 12), /depth: 0/);
});

test('strict replay: a recorded schedule runs the same steps again, exactly', async () => {
  const lanes = () => [0, 1, 2].map((i) => steps(`l${i}`, 3));
  const first = await play(randomWalk(xoroshiro128plus(4)), lanes());
  assert.ok(first.run.preemptions > 0);
  for (let k = 0; k < 5; k++) {
    const again = await play(replay(decodeSchedule(first.run.schedule), false), lanes());
    assert.deepEqual(again.log, first.log);
    assert.equal(again.run.schedule.split('-').slice(0, 3).join('-').replace(/^rw/, 'rw'), first.run.schedule.split('-').slice(0, 3).join('-'));
    assert.equal(again.run.divergence, null);
  }
});

test('strict replay waits for the recorded lane to be ready, whatever the timing', async () => {
  // Lane 0's value settles by a timer, lane 1's at once: replaying "lane 0 first" waits for lane 0.
  const lanes = () => [
    async (log) => {
      await park(new Promise((r) => setTimeout(r, 15)), 'slow');
      log.push('slow');
    },
    async (log) => {
      await park(null, 'quick');
      log.push('quick');
    },
  ];
  const s = encodeSchedule({ strategy: 'random', depth: 0, lanes: 2, decisions: [0, 1, 0] });
  const { log, run } = await play(replay(decodeSchedule(s), false), lanes());
  assert.deepEqual(log, ['slow', 'quick']);
  assert.equal(run.divergence, null);
});

test('strict replay says where the run left the schedule', async () => {
  const lanes = () => [steps('a', 1), steps('b', 1), steps('c', 1)];
  const at = (decisions) => replay({ strategy: 'random', depth: 0, lanes: 3, decisions }, false);
  const finished = await play(at([0, 0, 0, 1]), lanes());
  assert.equal(finished.run.divergence, 'schedule diverged at step 3: lane 0 has already finished');
  const cut = await play(at([0]), lanes());
  assert.equal(cut.run.divergence, 'schedule diverged at step 2: it ends there, but lanes 0, 1, 2 are still running');
  const longer = await play(at([0, 0, 1, 1, 2, 2, 1]), lanes());
  assert.match(longer.run.divergence, /the run ended with \d+ decision\(s\) of the schedule unused$/);
  // After a divergence the round still runs to its end, uncontrolled.
  assert.deepEqual([...finished.log].sort(), ['a0', 'b0', 'c0']);
  assert.throws(() => selectorFor({ replay: ['rw-2-01-' + 'xx'] }, { seed: 1, round: 0, workerId: 0, lanes: 2 }), /checksum mismatch/);
  const two = encodeSchedule({ strategy: 'random', depth: 0, lanes: 2, decisions: [0] });
  assert.throws(() => selectorFor({ replay: [two] }, { seed: 1, round: 0, workerId: 0, lanes: 3 }), /recorded with 2 lanes, this run has 3/);
});

test('lenient replay: as far as the schedule fits, then without preempting; it never waits while a lane can run', async () => {
  const lanes = () => [
    async (log) => {
      await park(new Promise((r) => setTimeout(r, 300)), 'slow');
      log.push('slow');
    },
    steps('b', 2),
  ];
  // "Lane 0 next" does not fit while lane 0 waits on its timer: lane 1 runs instead of waiting 300 ms.
  const { log, run } = await play(replay({ strategy: 'random', depth: 0, lanes: 2, decisions: [0, 1, 0, 0] }, true), lanes());
  assert.deepEqual(log, ['b0', 'b1', 'slow']);
  assert.equal(run.divergence, null, 'lenient never diverges');
  // Beyond its end: the lane that ran last keeps running.
  const beyond = await play(replay({ strategy: 'random', depth: 0, lanes: 2, decisions: [1] }, true), [steps('a', 2), steps('b', 2)]);
  assert.deepEqual(beyond.log, ['b0', 'b1', 'a0', 'a1']);
  assert.equal(beyond.run.preemptions, 0);
});

test('a decision can name one of two continuations of a lane (Promise.all), and replays it', async () => {
  const lane0 = async (log) => {
    await Promise.all(
      ['x', 'y'].map(async (t) => {
        await park(null, t);
        log.push(t);
      }),
    );
  };
  // Lane 0 parks twice under Promise.all (x, then y); lane 1 starts; lane 0's second continuation (y) runs first.
  const sel = scripted([0, 1, { lane: 0, item: 1 }]);
  const { run, log } = await play(sel, [lane0, steps('b', 1)]);
  assert.deepEqual(log, ['y', 'x', 'b0']);
  const s = decodeSchedule(run.schedule);
  assert.deepEqual(s.items?.slice(0, 3), [0, 0, 1], run.schedule);
  assert.match(run.schedule, /_1_/);
  const again = await play(replay(s, false), [lane0, steps('b', 1)]);
  assert.deepEqual(again.log, log);
  assert.equal(again.run.divergence, null);
});

test('a selector that waits (WAIT) is asked again after a change, without a stall', async () => {
  let asked = 0;
  let waited = 0;
  let open;
  const gate = new Promise((r) => (open = r));
  // Wants lane 0 whenever it can run, else waits; lane 0's value settles outside, once the selector waited.
  const sel = {
    strategy: 'random',
    depth: 0,
    pick(v) {
      asked++;
      if (v.ready.includes(0)) return 0;
      if (waited++ === 0) setImmediate(open);
      return WAIT;
    },
    end: () => null,
  };
  const order = [];
  const lanes = [
    async () => {
      await park(gate, 'x');
      order.push('a');
    },
    async () => {
      await park(null, 'b');
      order.push('b');
    },
  ];
  const before = parkCount.value;
  const { run } = await play(sel, lanes);
  assert.equal(waited, 1);
  assert.ok(asked >= 3, `asked ${asked} times`);
  assert.deepEqual(order, ['a', 'b']);
  assert.equal(run.stalled, null);
  assert.equal(parkCount.value - before, 2, "every await of the lanes' code is counted (the race reads it: anything to schedule?)");
});

test('schedule strings: run-length decisions, continuation numbers, lane count and checksum', () => {
  const s = { strategy: 'pct', depth: 3, lanes: 12, decisions: [0, 0, 0, 0, 11, 2, 2, 1, 1, 1] };
  const text = encodeSchedule(s);
  assert.match(text, /^pct3-c-0\.4\.b221\.3\.-[0-9a-z]{2}$/);
  assert.deepEqual(decodeSchedule(text), s);
  assert.throws(() => decodeSchedule(text.replace('b22', 'b12')), /checksum mismatch/);
  assert.throws(() => decodeSchedule('nonsense'), /expected <strategy>-<lanes>-<decisions>-<check>/);
  assert.equal(decodeSchedule(encodeSchedule({ strategy: 'random', depth: 0, lanes: 1, decisions: [] })).lanes, 1);
  for (const lanes of [50, 2000]) {
    const wide = { strategy: 'random', depth: 0, lanes, decisions: [49, 0, 0, 0, 7, 49, 49] };
    assert.deepEqual(decodeSchedule(encodeSchedule(wide)), wide);
  }
  assert.match(encodeSchedule({ strategy: 'random', depth: 0, lanes: 50, decisions: [49, 0, 0, 0] }), /^rw-1e-1d00\.3\.-/);
  const withItems = { strategy: 'random', depth: 0, lanes: 3, decisions: [0, 2, 2, 2, 2, 1], items: [0, 1, 1, 1, 0, 0] };
  const t = encodeSchedule(withItems);
  assert.match(t, /^rw-3-02_1_\.3\.21-/);
  assert.deepEqual(decodeSchedule(t), withItems);
  assert.throws(
    () => decodeSchedule(encodeSchedule({ strategy: 'random', depth: 0, lanes: 3, decisions: [0] }).replace('-0-', '-0_-')),
    /checksum|continuation/,
  );
});

test('shrinkSchedule (pure): a fake bug "lane 1 runs between two steps of lane 0" shrinks to one preemption', async () => {
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
  const kept = await shrinkSchedule(start, async () => false);
  assert.equal(kept.schedule, start);
  assert.deepEqual(withoutSwitch([0, 1, 1, 0, 2], 1), [0, 0, 1, 1, 2]);
});

test('shrinking a recorded schedule against the scheduler itself: fewer preemptions, still failing when replayed strictly', async () => {
  let seats;
  let sold;
  const book = async () => {
    await park(undefined, 'io');
    if (seats > 0) {
      await park(Promise.resolve(), 'audit');
      seats--;
      sold++;
    }
  };
  for (const lanes of [2, 4]) {
    const round = async (selector) => {
      seats = 1;
      sold = 0;
      // Two calls per lane: room for needless switches.
      const { run } = await play(
        selector,
        Array(lanes).fill(async () => (await book(), book())),
      );
      return { failed: sold > 1, run };
    };
    let found = null;
    for (let seed = 1; seed < 200 && !found; seed++) {
      const r = await round(randomWalk(xoroshiro128plus(seed)));
      if (r.failed && switchPoints(decisions(r.run)).length > 1) found = r.run;
    }
    assert.ok(found, 'a failing round with several preemptions');
    const res = await shrinkSchedule(found.schedule, async (candidate) => {
      const r = await round(replay(decodeSchedule(candidate), true));
      return { failed: r.failed, schedule: r.run.schedule };
    });
    assert.ok(res.preemptions < res.preemptionsBefore, `${lanes} lanes: ${res.preemptionsBefore} -> ${res.preemptions}: ${res.schedule}`);
    const strict = await round(replay(decodeSchedule(res.schedule), false));
    assert.equal(strict.failed, true, 'the shrunk schedule fails when replayed strictly');
    assert.equal(strict.run.divergence, null);
    // Two lanes: one preemption (as the scheduler counts them, knowing who could run) is what the race needs.
    if (lanes === 2) assert.equal(strict.run.preemptions, 1, res.schedule);
    assert.ok(strict.run.preemptions < found.preemptions, `${found.preemptions} -> ${strict.run.preemptions}`);
  }
});

// The policies on their own: what each picks from a hand-made view (no lanes run).
const view = (o) => ({ index: 0, live: [0, 1, 2], ready: [0, 1, 2], last: -1, canRun: (lane) => o?.ready?.includes(lane) ?? true, ...o });

test('randomWalk picks only among the ready lanes, the same ones for the same generator', () => {
  const a = randomWalk(xoroshiro128plus(7));
  const b = randomWalk(xoroshiro128plus(7));
  const picks = [];
  for (let i = 0; i < 50; i++) {
    const v = view({ index: i, ready: [1, 2] });
    const p = a.pick(v);
    assert.ok([1, 2].includes(p));
    assert.equal(b.pick(v), p);
    picks.push(p);
  }
  assert.deepEqual([...new Set(picks)].sort(), [1, 2], 'both lanes come up');
  assert.equal(a.end(50), null);
  assert.deepEqual([a.strategy, a.depth], ['random', 0]);
});

test('pct keeps the lane that ran last while it is ready, and switches only at its d - 1 change points', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const s = pct(xoroshiro128plus(seed), 3, 3, 10);
    let switches = 0;
    let last = -1;
    for (let i = 0; i < 10; i++) {
      const p = s.pick(view({ index: i, last }));
      if (last >= 0 && p !== last) switches++;
      last = p;
    }
    assert.ok(switches <= 2, `seed ${seed}: ${switches} switches away from a ready lane`);
  }
  // Depth 1: no change point, never a switch away from a ready lane.
  const one = pct(xoroshiro128plus(3), 3, 1, 10);
  const first = one.pick(view());
  for (let i = 1; i < 10; i++) assert.equal(one.pick(view({ index: i, last: first })), first);
  // When the last lane cannot go on, the highest-priority ready lane does.
  const blocked = one.pick(view({ index: 10, last: first, ready: [0, 1, 2].filter((l) => l !== first) }));
  assert.notEqual(blocked, first);
});

test('strict replay: the recorded lane and continuation, waiting for it; where it leaves the schedule', () => {
  const s = replay({ strategy: 'pct', depth: 2, lanes: 3, decisions: [2, 0, 1], items: [0, 1, 0] }, false);
  assert.deepEqual([s.strategy, s.depth], ['pct', 2]);
  assert.deepEqual(s.pick(view({ index: 0 })), { lane: 2, item: 0 });
  assert.deepEqual(s.pick(view({ index: 1, ready: [1, 2] })), { lane: 0, item: 1 }, 'not ready: named anyway, the mechanism waits for it');
  assert.deepEqual(s.pick(view({ index: 2, live: [0, 2] })), { diverged: 'schedule diverged at step 3: lane 1 has already finished' });
  assert.deepEqual(s.pick(view({ index: 3, live: [0, 2] })), { diverged: 'schedule diverged at step 4: it ends there, but lanes 0, 2 are still running' });
  assert.equal(s.end(3), null);
  assert.equal(s.end(1), 'schedule diverged at step 2: the run ended with 2 decision(s) of the schedule unused');
});

test('lenient replay never waits while a lane can run, never diverges, and goes on without preempting', () => {
  const s = replay({ strategy: 'random', depth: 0, lanes: 3, decisions: [2, 0] }, true);
  assert.deepEqual(s.pick(view({ index: 0 })), { lane: 2, item: 0 });
  assert.equal(s.pick(view({ index: 1, ready: [1, 2], last: 2 })), 2, 'lane 0 is not ready: the last lane goes on');
  assert.equal(s.pick(view({ index: 1, ready: [1], last: 2 })), 1, 'the last lane cannot go on either: the lowest ready lane');
  assert.equal(s.pick(view({ index: 5, ready: [0, 1], last: 1 })), 1, 'beyond the schedule: the last lane goes on');
  assert.equal(s.pick(view({ index: 0, live: [0, 1], ready: [1], last: 1 })), 1, 'the recorded lane has finished: no divergence');
  assert.equal(s.end(0), null);
});

test('selectorFor: a replay by the worker of its schedule, else the spec policy with PCT depth 3 by default', () => {
  const spec = { strategy: 'pct', depth: 0, estimatedSteps: 10, replay: null, lenient: false, trace: false, stallMs: 100 };
  assert.deepEqual([selectorFor(spec, { seed: 1, round: 2, workerId: 0, lanes: 3 }).depth], [3]);
  assert.equal(selectorFor({ ...spec, strategy: 'random' }, { seed: 1, round: 2, workerId: 0, lanes: 3 }).strategy, 'random');
  const recorded = encodeSchedule({ strategy: 'pct', depth: 4, lanes: 3, decisions: [1, 2] });
  const s = selectorFor({ ...spec, replay: [null, recorded] }, { seed: 1, round: 2, workerId: 1, lanes: 3 });
  assert.deepEqual([s.strategy, s.depth], ['pct', 4]);
  assert.deepEqual(s.pick(view()), { lane: 1, item: 0 });
  assert.equal(
    selectorFor({ ...spec, replay: [null, recorded] }, { seed: 1, round: 2, workerId: 0, lanes: 3 }).strategy,
    'pct',
    'worker 0 has no schedule: it chooses',
  );
});

test('outside any lane, and once a round is over, the runtime is Node itself', async () => {
  const s = new Scheduler(scripted(), { lanes: 1 });
  assert.equal(s.beginCall('x', 0), undefined, 'no lane context: no park');
  const v = {};
  assert.equal(park(v, 'site'), v, 'no lane context: the value itself');
  let leftBehind;
  await s.run([
    async () => {
      await park(null, 'a');
      leftBehind = () => park(7, 'late');
    },
  ]);
  assert.equal(leftBehind(), 7, 'a park after the round: the value itself, no promise');
  const ran = await new Promise((resolve) => {
    // A timer set in the lane's context after the round: Node's own.
    const t = setImmediateAt('late.mjs:1:1', () => resolve('ran'));
    assert.equal(typeof t.hasRef, 'function');
  });
  assert.equal(ran, 'ran');
});

test("a timer the scheduler runs itself has a handle as Node's: ref, unref, a number; Node's own clear leaves it alone", async () => {
  let handle;
  const ran = [];
  await play(scripted(), [
    async () => {
      handle = setImmediateAt('h.mjs:1:1', () => ran.push('kept'));
      assert.equal(handle.hasRef(), true);
      assert.equal(handle.unref(), handle);
      assert.equal(handle.hasRef(), false);
      assert.equal(handle.ref().hasRef(), true);
      assert.equal(typeof +handle, 'number');
      clearImmediate(handle); // not rewritten (this file is not instrumented): harmless
      clearTimeout(handle);
      await park(null, 'a');
    },
  ]);
  assert.deepEqual(ran, ['kept'], 'run by its grant; a clear of code the instrumentation did not rewrite does not reach it');
});

test('the trace: a step that blocks outside the scheduler ends at null; uncontrolled resumptions keep the first ten sites', async () => {
  const { run } = await play(scripted(), [
    async () => {
      await park(null, 'a');
      for (let i = 0; i < 12; i++) {
        await new Promise((r) => setTimeout(r, 1)); // uninstrumented: blocks outside, resumes without a grant
        await park(null, `after-${i}`);
      }
    },
  ]);
  assert.ok(
    run.trace.some((s) => s.from === 'a' && s.to === null),
    JSON.stringify(run.trace.slice(0, 3)),
  );
  assert.equal(run.uncontrolled, 12);
  assert.equal(run.uncontrolledAt.length, 10);
  assert.equal(run.uncontrolledAt[0].site, 'after-0');
});

test('a strict replay that waits for a lane that never becomes ready stalls, and says which lane it waited for', async () => {
  // Start lane 0, start lane 1, lane 0 past 'a' (it parks on the gate), lane 0 again: it cannot run.
  const s = replay({ strategy: 'random', depth: 0, lanes: 2, decisions: [0, 1, 0, 0] }, false);
  let release;
  const gate = new Promise((r) => (release = r));
  const { run, log } = await play(
    s,
    [
      async (l) => {
        await park(null, 'a');
        await park(gate, 'gate'); // pending: lane 0 cannot go on
        l.push('a');
      },
      async (l) => {
        await park(null, 'b');
        l.push('b');
        setTimeout(() => release(), 100);
      },
    ],
    { stallMs: 40 },
  );
  assert.equal(run.stalled, 'nothing could run within 40 ms at step 4 (the schedule waits for lane 0)');
  assert.equal(run.divergence, null);
  assert.deepEqual([...log].sort(), ['a', 'b'], 'the round still ran to its end');
});

test('two schedulers one after the other in one thread do not see each other (the lane context is per run)', async () => {
  const a = await play(scripted([1, 0]), [steps('a', 2), steps('b', 2)]);
  const b = await play(scripted([1, 0]), [steps('a', 2), steps('b', 2)]);
  assert.deepEqual(a.log, b.log);
  assert.equal(a.run.schedule, b.run.schedule);
  assert.equal(b.run.uncontrolled, 0);
});

test('fair in the end: a lane that polls for another (a spin lock over setImmediate) never starves it, under PCT or a lenient replay', async () => {
  let locked = false;
  const sleep = () => new Promise((r) => setImmediateAt('spin.mjs:1:1', r));
  const lane = async () => {
    for (let k = 0; k < 2; k++) {
      while (locked) await park(sleep(), 'spin');
      locked = true;
      await park(sleep(), 'io');
      locked = false;
    }
  };
  const rounds = [];
  for (let seed = 1; seed <= 40; seed++) rounds.push(pct(xoroshiro128plus(seed), 3, 3, 20));
  // Lane 0 takes the lock and waits; lane 1 polls, and would go on polling as "the lane that ran last".
  rounds.push(replay({ strategy: 'random', depth: 0, lanes: 3, decisions: [0, 0, 1, 1] }, true));
  for (const selector of rounds) {
    locked = false;
    const { run } = await play(selector, [lane, lane, lane], { stallMs: 5000, trace: false });
    assert.equal(run.stalled, null);
    assert.ok(run.steps < 2000, `${run.steps} steps`);
  }
});

// A lane blocked outside the scheduler (a database's row lock that a parked lane holds): the rule that
// lets another lane go instead of waiting, and what it must leave alone (exact replay in memory).

/** Lane 1 "holds a row lock" from its first step until its commit step; lane 0's update waits for it, settled outside (as a database's answer). */
function rowLock() {
  let release;
  const lock = new Promise((r) => (release = r));
  return [
    async (log) => {
      await park(null, 'begin0');
      await park(lock, 'update0'); // pending until lane 1 commits: blocked in the "database"
      log.push('0 updated');
    },
    async (log) => {
      await park(null, 'begin1');
      log.push('1 holds');
      await park(null, 'commit1');
      setImmediate(release); // the database answers lane 0 once lane 1 committed
      log.push('1 committed');
    },
  ];
}
/** Recorded where lane 0's update did not wait: start 0, start 1, lane 1 takes the lock, lane 0 to its update, lane 0 past it, lane 1's commit. */
const ROW_LOCK = [0, 1, 1, 0, 0, 1];

test('strict replay: a lane blocked outside the scheduler while the others are parked lets another go, then the schedule goes on', async () => {
  const s = replay({ strategy: 'random', depth: 0, lanes: 2, decisions: ROW_LOCK }, false);
  const { run, log } = await play(s, rowLock(), { blockedMs: 20, stallMs: 5000 });
  assert.deepEqual(log, ['1 holds', '1 committed', '0 updated'], 'the lane holding the lock went first');
  assert.equal(run.stalled, null, 'no wait until the stall');
  assert.equal(run.divergence, null, 'a blocked lane is not a failure to follow');
  assert.equal(run.blockedCount, 1);
  assert.deepEqual(
    run.blocked.map(({ lane, site, why }) => ({ lane, site, why })),
    [{ lane: 0, site: 'update0', why: 'pending' }],
  );
  const instead = run.trace.find((x) => x.step === run.blocked[0].step);
  assert.deepEqual([instead.lane, instead.from], [1, 'commit1'], 'the step it records is the one that ran instead');
  assert.deepEqual(decisions(run), [0, 1, 1, 0, 1], 'the schedule it ran: the commit moved before the blocked update');
});

test('without blockedMs a strict replay waits for the blocked lane until the stall (the rule is the spec’s)', async () => {
  const s = replay({ strategy: 'random', depth: 0, lanes: 2, decisions: ROW_LOCK }, false);
  const { run } = await play(s, rowLock(), { stallMs: 40 });
  assert.equal(run.stalled, 'nothing could run within 40 ms at step 5 (the schedule waits for lane 0)');
  assert.deepEqual(run.blocked, []);
});

test('a continuation that settled outside after another lane’s is let go at once, as order, not as pending', async () => {
  let a;
  let b;
  const first = new Promise((r) => (a = r));
  const second = new Promise((r) => (b = r));
  const lanes = [
    async (log) => log.push(await park(second, 'io0')),
    async (log) => log.push(await park(first, 'io1')),
    async () => {
      await park(null, 'go');
      setImmediate(() => {
        a('a');
        setImmediate(() => b('b'));
      });
    },
  ];
  // Start the three lanes, lane 2 past 'go' (the answers come, lane 1's first), then lane 0 before lane 1.
  const s = replay({ strategy: 'random', depth: 0, lanes: 3, decisions: [0, 1, 2, 2, 0, 1] }, false);
  const { run, log } = await play(s, lanes, { blockedMs: 5000, stallMs: 10000 });
  assert.deepEqual(log, ['a', 'b'], 'settled values still run in the order they settled');
  assert.equal(run.stalled, null, 'not waited for: nothing but lane 1 going first could let lane 0 run');
  assert.deepEqual(
    run.blocked.map(({ lane, why }) => ({ lane, why })),
    [{ lane: 0, why: 'order' }],
  );
  assert.equal(run.divergence, null);
});

test('exact replay in memory is kept with blockedMs: lane timers are waited for, bound and free awaits never block', async () => {
  const lanes = () => [
    async (log) => {
      let done;
      const fired = new Promise((r) => (done = r));
      setTimeoutAt('t0.mjs:1:1', () => done('timer'), 30); // longer than blockedMs: still waited for (it falls due)
      log.push(await park(fired, 'wait-timer'));
    },
    steps('b', 4),
    async (log) => {
      // A promise another lane's step settles (bound) behind a free await.
      await park(null, 'c0');
      const p = Promise.resolve('c');
      log.push(await park(p, 'c1'));
    },
  ];
  for (const seed of [1, 2, 3, 4]) {
    const first = await play(randomWalk(xoroshiro128plus(seed)), lanes());
    const again = await play(replay(decodeSchedule(first.run.schedule), false), lanes(), { blockedMs: 2 });
    assert.deepEqual(again.log, first.log, `seed ${seed}`);
    assert.deepEqual(again.run.blocked, [], `seed ${seed}: nothing blocked`);
    assert.equal(again.run.divergence, null);
    assert.equal(decodeSchedule(again.run.schedule).decisions.join(), decodeSchedule(first.run.schedule).decisions.join());
  }
  // A schedule that wants lane 0's timer callback while lane 1 could run: the timer is waited for, past blockedMs.
  const timerFirst = replay({ strategy: 'random', depth: 0, lanes: 2, decisions: [0, 1, 0] }, false);
  const { run, log } = await play(timerFirst, [lanes()[0], steps('b', 3)], { blockedMs: 2 });
  assert.deepEqual(log, ['timer', 'b0', 'b1', 'b2']);
  assert.deepEqual(run.blocked, []);
  assert.equal(run.divergence, null);
});

test('a lane running outside the scheduler might settle the await waited for: not blocked, waited for', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const lanes = [
    async (log) => {
      await park(gate, 'gate0');
      log.push('0');
    },
    async (log) => {
      await park(null, 'b1');
      await new Promise((r) => setTimeout(r, 40)); // uninstrumented: lane 1 runs outside the scheduler meanwhile
      release();
      log.push('1');
    },
    steps('c', 2),
  ];
  // Start 0, 1, 2; lane 1 past b1 (it leaves the scheduler), then lane 0: lane 2 could run, but lane 1 may settle the gate.
  const s = replay({ strategy: 'random', depth: 0, lanes: 3, decisions: [0, 1, 2, 1, 0, 2, 2] }, false);
  const { run, log } = await play(s, lanes, { blockedMs: 2, stallMs: 5000 });
  assert.deepEqual(run.blocked, []);
  assert.equal(log.indexOf('0') < log.indexOf('c0'), true, JSON.stringify(log));
  assert.equal(run.stalled, null);
});

test('replay.blocked (pure): the next decision that can run moves before the blocked one, else a step is inserted; the tail is followed leniently', () => {
  const s = replay({ strategy: 'random', depth: 0, lanes: 3, decisions: [0, 0, 1, 2, 0] }, false);
  assert.deepEqual(s.pick(view({ index: 0, ready: [1, 2] })), { lane: 0, item: 0 }, 'strict: waits for lane 0');
  // Lane 0 is blocked: the schedule's next lane that can run now (2; lane 1 cannot) goes first.
  assert.deepEqual(s.blocked(view({ index: 0, ready: [2] }), 0), { lane: 2, item: 0 });
  assert.deepEqual(s.pick(view({ index: 1 })), { lane: 0, item: 0 }, 'lane 0 is still the next one wanted');
  // Nothing later in the schedule can run but lane 0 itself: a step of the lane that ran last is inserted.
  const t = replay({ strategy: 'random', depth: 0, lanes: 2, decisions: [1, 1] }, false);
  assert.equal(t.blocked(view({ index: 0, live: [0, 1], ready: [0], last: 0 }), 1), 0);
  assert.deepEqual(t.pick(view({ index: 1, live: [0, 1] })), { lane: 1, item: 0 });
  // Once a step moved, lanes may end in another order: no divergence at the end or for a finished lane.
  assert.equal(s.end(2), null);
  // ... and a continuation's place among its lane's is no longer the recorded one: the lane's first that can run.
  const u = replay({ strategy: 'random', depth: 0, lanes: 2, decisions: [1, 0, 0], items: [0, 1, 0] }, false);
  assert.deepEqual(u.pick(view({ index: 1, live: [0, 1], ready: [0, 1], canRun: () => false })), { lane: 0, item: 1 }, 'not moved: waits for it');
  u.blocked(view({ index: 0, live: [0, 1], ready: [0], last: 0 }), 1);
  assert.equal(u.pick(view({ index: 2, live: [0, 1], ready: [0, 1], canRun: () => false })), 0);
  assert.equal(s.pick(view({ index: 4, live: [1, 2], ready: [1, 2], last: 1 })), 1);
});

test('a blocked lane whose own other continuation is all that can run (a lane inside a nested await): let go, no stall', async () => {
  let open;
  const gate = new Promise((r) => (open = r));
  const lanes = [
    async (log) => {
      // Two continuations of lane 0: the first waits on what the second settles (as an outer await waits on the inner one).
      await Promise.all([
        (async () => log.push(await park(gate, 'outer')))(),
        (async () => {
          await park(null, 'inner');
          log.push('inner');
          open('outer');
        })(),
      ]);
    },
    async (log) => {
      await park(new Promise((r) => setTimeout(r, 300)), 'slow'); // live, but nothing to run for a while
      log.push('slow');
    },
  ];
  // Start 0, start 1, then lane 0's first continuation (the outer one), which only its second can settle.
  const s = replay({ strategy: 'random', depth: 0, lanes: 2, decisions: [0, 1, 0, 0, 1] }, false);
  const { run, log } = await play(s, lanes, { blockedMs: 20, stallMs: 5000 });
  assert.equal(run.stalled, null);
  assert.deepEqual(log, ['inner', 'outer', 'slow'], 'not waiting for lane 1 to become ready');
  assert.deepEqual(
    run.blocked.map(({ lane, site, why }) => ({ lane, site, why })),
    [{ lane: 0, site: 'outer', why: 'pending' }],
  );
});
