// Controlled rounds inside the race strategy (issue 14), end to end through the CLI: every other round
// runs each worker's lanes under its seeded scheduler; the lessons whose races Node's own order never
// shows fail, and only in controlled rounds; the failing round's schedule is shrunk, replayed strictly
// and printed, and `--schedule` replays it again, exactly; safe twins pass; a sync adapter's threads
// still race for real; resumptions from outside the scheduler are reported, not hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, fixture, runCli, scratchDir, tempAdapters } from './helpers/cli.mjs';

/** The CLI's JSON report (`--json -`) and its race strategy. */
async function race(args, opts) {
  const r = await runCli([...args, '--json', '-'], { timeoutMs: 120_000, ...opts });
  const report = JSON.parse(r.stdout);
  return { ...r, report, race: report.strategies.find((s) => s.name === 'race') };
}

const LESSONS = ['ticket', 'retry'];

for (const name of LESSONS) {
  test(`${name}-unsafe: found in controlled rounds only; the shrunk schedule replays 3 of 3, and again with --schedule`, async () => {
    const file = fixture(`controlled/${name}-unsafe.mjs`);
    const { code, race: s } = await race([file, '-s', 'race', '--seed', '7']);
    assert.equal(code, 1);
    assert.ok(s.scheduler.failedControlledRounds > 0, JSON.stringify(s.scheduler));
    assert.equal(s.scheduler.failedNaturalRounds, 0, 'the natural order never shows this race');
    assert.ok(s.scheduler.naturalRounds > 0);
    const sc = s.schedule;
    assert.equal(sc.replays, 3);
    assert.equal(sc.replaysFailed, 3, 'a fully controlled schedule fails every time');
    assert.equal(sc.uncontrolled, 0);
    assert.equal(sc.diverged, null);
    assert.ok(sc.preemptions >= 1 && sc.preemptions <= sc.preemptionsBefore, `${sc.preemptionsBefore} -> ${sc.preemptions}`);
    // The steps name the fixture's own awaits, with their source, and the calls the history holds.
    assert.ok(sc.steps.some((x) => x.to?.startsWith(file)));
    assert.ok(Object.entries(sc.sources).some(([site, text]) => site.startsWith(file) && text.includes('await')));
    assert.ok(sc.steps.some((x) => x.preempted !== null));
    assert.ok(sc.history.calls.every((c) => Number.isInteger(c.call)));
    assert.match(sc.command, new RegExp(`--schedule ${sc.value.replace(/[.]/g, '\\.')}`));
    // Only controlled rounds failed: the smallest failing setup was searched with them, and the schedule
    // is the one its failing round followed, on that setup (fast-check's tutorial shrinks to 4 calls).
    const m = s.minimal;
    assert.ok(m, `no smallest setup: ${s.unavailable?.minimal}`);
    assert.equal(m.workers, 1, JSON.stringify(m));
    assert.ok(m.concurrency <= 3 && m.iterations <= 4, JSON.stringify(m));
    assert.deepEqual(sc.setup, { workers: m.workers, concurrency: m.concurrency, iterations: m.iterations });
    assert.match(sc.command, new RegExp(` -w 1 -c ${m.concurrency} -i ${m.iterations} `));
    // The replay the report prints, run twice: every round fails, none diverges.
    const printed = sc.command.split(' ').slice(3);
    for (let k = 0; k < 2; k++) {
      const again = await race([file, ...printed]);
      assert.equal(again.code, 1);
      assert.equal(again.race.rounds, 3);
      assert.equal(again.race.failedRounds, 3);
      assert.equal(again.race.scheduler.mode, 'replay');
      assert.equal(again.race.scheduler.divergedRounds, 0);
      // A replay measures no contention, so it claims nothing about it.
      assert.deepEqual(
        again.report.warnings.filter((w) => w.code === 'no-contention' || w.code === 'schedule-diverged'),
        [],
      );
    }
  });

  test(`${name}-safe: passes, with controlled rounds that could have failed`, async () => {
    for (const seed of ['1', '2']) {
      const { code, race: s } = await race([fixture(`controlled/${name}-safe.mjs`), '-s', 'race', '-r', '400', '--seed', seed]);
      assert.equal(code, 0);
      assert.ok(s.scheduler.controlledRounds >= 100, JSON.stringify(s.scheduler));
      assert.equal(s.scheduler.failedControlledRounds, 0);
      assert.equal(s.schedule, undefined);
    }
  });
}

test('--scheduler off: the natural order alone passes ticket-unsafe (the scheduler is what finds it)', async () => {
  const { code, race: s } = await race([fixture('controlled/ticket-unsafe.mjs'), '-s', 'race', '-r', '400', '--seed', '3', '--scheduler', 'off']);
  assert.equal(code, 0);
  assert.equal(s.failedRounds, 0);
  assert.equal(s.scheduler, undefined);
});

test('the terminal report and the JUnit failure show the schedule, its replay and the steps around the preemption', async () => {
  const junit = path.join(scratchDir('ah-ctl-'), 'r.xml');
  const { code, stdout } = await runCli([fixture('controlled/ticket-unsafe.mjs'), '-s', 'race', '--seed', '7', '--junit', junit], { timeoutMs: 120_000 });
  assert.match(readFileSync(junit, 'utf8'), /failing schedule of round \d+[^]*⤷ preempts L\d/);
  assert.equal(code, 1);
  assert.match(stdout, /controlled rounds: [\d,]+ of [\d,]+ \(mixed, 16 calls\/worker\), [\d,]+ failed; natural order: 0 of/);
  assert.match(stdout, /failing schedule of round \d+ on the smallest failing setup \(1 worker × \d lanes × \d calls\): \d+ preemptions?\b.*failed 3 of 3/);
  assert.match(stdout, /smallest failing setup: 1 worker × \d lanes × \d calls/);
  assert.match(stdout, /fully controlled/);
  assert.match(stdout, /--schedule \d+:/);
  assert.match(stdout, /⤷ preempts L\d/);
  assert.match(stdout, /ticket-unsafe\.mjs:\d+ +await audit/);
});

test('threads still race for real: a sync shared-memory counter fails, with nothing to schedule', async () => {
  const { code, race: s } = await race([fixture('counter-unsafe.mjs'), '-s', 'race', '--seed', '3']);
  assert.equal(code, 1);
  assert.ok(s.failedRounds > 0);
  assert.equal(s.scheduler.controlledRounds, 0);
  assert.match(s.scheduler.note, /nothing to schedule/);
});

test("resumptions from a dependency's timer are counted (partly controlled); opting the dependency in controls them", async () => {
  const adapter = path.join(ROOT, 'test/fixtures-controlled/callback.mjs');
  const partly = await race([adapter, '-s', 'race', '-r', '20', '-c', '2', '--seed', '1'], { cwd: path.join(ROOT, 'test/fixtures-controlled') });
  assert.equal(partly.code, 0, partly.stderr);
  assert.ok(partly.race.scheduler.controlledRounds > 0);
  assert.ok(partly.race.scheduler.uncontrolledResumptions > 0, JSON.stringify(partly.race.scheduler));
  assert.equal(partly.race.scheduler.partlyControlledRounds, partly.race.scheduler.controlledRounds);
  const opted = await race([adapter, '-s', 'race', '-r', '20', '-c', '2', '--seed', '1', '--instrument', 'node_modules/slow-lib/**'], {
    cwd: path.join(ROOT, 'test/fixtures-controlled'),
  });
  assert.equal(opted.code, 0, opted.stderr);
  assert.ok(opted.race.scheduler.controlledRounds > 0);
  assert.equal(opted.race.scheduler.uncontrolledResumptions, 0, JSON.stringify(opted.race.scheduler));
});

test('a bad --schedule is exit 2 with one line, before any round', async () => {
  const file = fixture('controlled/ticket-unsafe.mjs');
  const cases = [
    [['--schedule', 'nonsense', '--seed', '1'], /schedule must be <round>:<schedule>/],
    [['--schedule', '1:rw-8-0101-zz,rw-8-0101-zz', '--seed', '1'], /checksum mismatch/],
    // A continuation number (`_1_`, as reports print it) is of the format: the checksum is what is wrong.
    [['--schedule', '1:rw-8-0_1_1-zz,rw-8-0_1_1-zz', '--seed', '1'], /checksum mismatch/],
    [['--schedule', '1:rw-8-01-6t', '--seed', '1'], /one per worker, but the run has 2 worker/],
    [['--schedule', '1:rw-8-01-6t,rw-8-01-6t'], /--schedule needs --seed/],
    [['--scheduler', 'pct:0'], /scheduler must be mixed, random, pct, pct:<depth 1-99> or off/],
    [['-s', 'hammer', '--schedule', '1:rw-8-01-6t,rw-8-01-6t', '--seed', '1'], /--schedule replays race rounds: it needs the race strategy/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([file, '-s', 'race', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
  }
});

test('a TypeScript adapter: its awaits are scheduling points, and the steps name its own .mts lines', async () => {
  const adapter = path.join(ROOT, 'test/fixtures-controlled/ticket.mts');
  const { code, race: s } = await race([adapter, '-s', 'race', '--seed', '4']);
  assert.equal(code, 1);
  assert.ok(s.scheduler.failedControlledRounds > 0 && s.scheduler.failedNaturalRounds === 0, JSON.stringify(s.scheduler));
  // The await between the check and the act is on line 23 of the .mts file, as written.
  assert.ok(
    s.schedule.steps.some((x) => x.to === `${adapter}:23:9`),
    JSON.stringify([...new Set(s.schedule.steps.map((x) => x.to))]),
  );
  assert.match(s.schedule.sources[`${adapter}:23:9`], /await audit\('hold'\)/);
  assert.equal(s.schedule.replaysFailed, s.schedule.replays);
});

// fast-check's race-condition tutorial (website/docs/tutorials/detect-race-conditions/), its queues as
// lessons: each lane records its answer after `await queued(id)`. Correct queues pass (a promise settled
// because an earlier one settled resumes after it, as in JavaScript); the buggy ones fail under the
// scheduler only, with a smallest setup of one worker.
const { hammer } = await import('../dist/index.js');
const raceOf = (r) => r.strategies.find((s) => s.name === 'race');

for (const name of ['queue-order-safe', 'queue-chain-safe', 'queue-overlap-safe']) {
  test(`${name}: a correct queue passes under the scheduler (3 seeds), its controlled rounds all checked`, async () => {
    for (const seed of [1, 2, 3]) {
      const r = await hammer(fixture(`controlled/${name}.mjs`), { strategy: ['race'], rounds: 300, seed });
      const s = raceOf(r);
      assert.equal(r.verdict, 'pass', `seed ${seed}: ${r.findings.map((f) => f.message).join('; ')}`);
      assert.ok(s.scheduler.controlledRounds >= 100, JSON.stringify(s.scheduler));
      assert.equal(s.scheduler.stalledRounds, 0, 'no controlled round stalled');
      assert.equal(s.caveats, undefined);
    }
  });
}

for (const name of ['queue-order-unsafe', 'queue-chain-unsafe']) {
  test(`${name}: answers out of order under the scheduler only; a smallest setup of one worker and its schedule replayed`, async () => {
    const r = await hammer(fixture(`controlled/${name}.mjs`), { strategy: ['race'], seed: 4 });
    const s = raceOf(r);
    assert.equal(r.verdict, 'fail');
    assert.ok(s.scheduler.failedControlledRounds > 0 && s.scheduler.failedNaturalRounds === 0, JSON.stringify(s.scheduler));
    assert.ok(r.findings.some((f) => f.message.includes('outOfOrder')));
    assert.equal(s.minimal?.workers, 1, `${JSON.stringify(s.minimal)} ${s.unavailable?.minimal}`);
    assert.ok(s.schedule && s.schedule.replaysFailed === s.schedule.replays, `${JSON.stringify(s.schedule)} ${s.unavailable?.schedule}`);
    assert.equal(s.schedule.uncontrolled, 0);
  });
}

test('queue-overlap-unsafe (fast-check queueCodeV3): fails in both kinds of rounds; a failing schedule and a smallest setup', async () => {
  const r = await hammer(fixture('controlled/queue-overlap-unsafe.mjs'), { strategy: ['race'], seed: 2 });
  const s = raceOf(r);
  assert.equal(r.verdict, 'fail');
  assert.ok(s.scheduler.failedControlledRounds > 0, JSON.stringify(s.scheduler));
  assert.ok(s.schedule, `no failing schedule: ${s.unavailable?.schedule}`);
  assert.equal(s.schedule.replaysFailed, s.schedule.replays);
  assert.ok(s.minimal, `no smallest setup: ${s.unavailable?.minimal}`);
  assert.equal(s.minimal.workers, 1);
});

test('a controlled round that stalls is reported: counted, a warning, and the pass has a caveat (never a plain PASS)', async () => {
  // Every call waits on a timer outside the scheduler (node:timers/promises) longer than half the timeout.
  const at = tempAdapters({
    'slow.mjs': `import { setTimeout as sleep } from 'node:timers/promises';
let n = 0;
export default {
  threadSafe: true,
  init() { n = 0; },
  operations: { async call() { await null; await sleep(800); n++; } },
  workerStats: () => ({ call: n }),
};`,
  });
  const lines = [];
  const r = await hammer(at('slow.mjs'), {
    strategy: ['race'],
    rounds: 4,
    workers: 1,
    concurrency: 2,
    iterations: 2,
    timeout: 1200,
    seed: 1,
    print: { write: (t) => lines.push(t) },
  });
  const s = raceOf(r);
  assert.equal(r.verdict, 'pass');
  assert.ok(s.scheduler.stalledRounds > 0, JSON.stringify(s.scheduler));
  assert.deepEqual(s.caveats, ['scheduler-stalled']);
  assert.match(
    r.warnings.find((w) => w.code === 'scheduler-stalled')?.message ?? '',
    /stalled, nothing could run for half of --timeout \(worker 0: nothing could run within 600 ms/,
  );
  const text = lines.join('');
  assert.match(text, /RACE {2}PASS .* but see warnings: scheduler-stalled/);
  assert.match(text, /1 round stalled/);
  assert.match(text, /race passed, with caveats \(scheduler-stalled: see warnings\)/);
});

test('a race that plays a sliver of its planned rounds in its budget says so: a few-rounds warning, a caveat', async () => {
  const at = tempAdapters({
    'sluggish.mjs': `let n = 0;
export default {
  threadSafe: true,
  init() { n = 0; },
  operations: { async call() { await new Promise((r) => setTimeout(r, 150)); n++; } },
  workerStats: () => ({ call: n }),
};`,
  });
  const r = await hammer(at('sluggish.mjs'), { strategy: ['race'], rounds: 2000, workers: 1, concurrency: 1, iterations: 2, time: 2, seed: 1 });
  const s = raceOf(r);
  assert.equal(r.verdict, 'pass');
  assert.equal(s.stopReason, 'budget');
  assert.ok(s.rounds < 100, `${s.rounds} rounds`);
  assert.ok(s.caveats.includes('few-rounds'));
  assert.match(r.warnings.find((w) => w.code === 'few-rounds').message, /^race: only \d+ of 2,000 planned rounds fit in its \d+ s share of the --time budget/);
});

// The words of the report, from hand-made figures (no run): every reason a schedule or a smallest setup
// can be missing has its sentence; a pass with caveats is never a plain PASS; the caveats' rules.
const { renderTerminal } = await import('../dist/reporters/terminal/index.js');
const { raceCaveats, SLIVER } = await import('../dist/checks/race.js');
const { judgeRun } = await import('../dist/checks/run.js');
const { warningMessage } = await import('../dist/reporters/sentences.js');
const { makeReport, raceStrategy } = await import('./helpers/report.mjs');

test('every reason a smallest setup or a failing schedule is missing has its own sentence, never a guess', () => {
  const reasons = ['interrupted', 'hook-failed', 'workers-lost', 'hung', 'incomplete', 'no-time', 'hang-needs-time', 'not-reproduced'];
  const failing = { status: 'fail', verdict: 'fail', failedRounds: 3 };
  const said = new Set();
  for (const why of reasons) {
    const m = renderTerminal(makeReport({ strategies: [raceStrategy({ ...failing, minimal: null, unavailable: { minimal: why } })] }), 0);
    const s = renderTerminal(makeReport({ strategies: [raceStrategy({ ...failing, schedule: null, unavailable: { schedule: why } })] }), 0);
    const lineOf = (text, re) => text.split('\n').find((l) => re.test(l)) ?? '';
    const ml = lineOf(m, /smaller failing setup/);
    const sl = lineOf(s, /failing controlled round/);
    assert.ok(ml && !ml.includes('was found)'), `${why}: ${ml}`);
    assert.ok(sl && sl !== '  (the failing controlled round could not be replayed)', `${why}: ${sl}`);
    if (why !== 'no-time') assert.doesNotMatch(ml + sl, /no time was left/);
    said.add(ml).add(sl);
  }
  assert.equal(said.size, reasons.length * 2, 'a sentence of its own for each');
});

test('caveats: a sliver of rounds in the budget, stalled controlled rounds; a pass with them is never a plain PASS', () => {
  const base = { rounds: 4, plannedRounds: 2000, stopReason: 'budget', budgetMs: 15_000, durationMs: 14_800, scheduler: undefined };
  assert.deepEqual(
    raceCaveats(base, null).map((w) => w.code),
    ['few-rounds'],
  );
  assert.deepEqual(raceCaveats({ ...base, rounds: 2000 * SLIVER }, null), [], 'at the threshold: no caveat');
  assert.deepEqual(raceCaveats({ ...base, stopReason: 'evidence' }, null), [], 'stopped by its evidence: no caveat');
  const scheduler = { mode: 'mixed', controlledRounds: 10, stalledRounds: 3, failedControlledRounds: 0, naturalRounds: 10, failedNaturalRounds: 0 };
  const stalled = raceCaveats(
    { ...base, rounds: 1000, scheduler },
    'worker 1: nothing could run within 2500 ms at step 4 (lanes 0 blocked outside the scheduler)',
  );
  assert.deepEqual(
    stalled.map((w) => w.code),
    ['scheduler-stalled'],
  );
  assert.deepEqual(stalled[0], {
    code: 'scheduler-stalled',
    strategy: 'race',
    stalledRounds: 3,
    controlledRounds: 10,
    stall: 'worker 1: nothing could run within 2500 ms at step 4 (lanes 0 blocked outside the scheduler)',
  });
  assert.match(warningMessage(stalled[0]), /^race: 3 of 10 controlled rounds stalled, nothing could run for half of --timeout \(worker 1: nothing could run/);
  assert.match(
    warningMessage(raceCaveats(base, null)[0]),
    /^race: only 4 of 2,000 planned rounds fit in its 15 s share of the --time budget, 3\.7 s a round: /,
  );
  const race = raceStrategy({ status: 'pass', verdict: 'pass', caveats: ['scheduler-stalled'] });
  assert.match(renderTerminal(makeReport({ strategies: [race] }), 0), /RACE {2}PASS .*· but see warnings: scheduler-stalled/);
  const j = judgeRun({ strategies: [race], findingKinds: [], warnings: stalled, strict: false, threadSafe: true, stopSignal: null });
  assert.equal(j.exitCode, 0);
  assert.equal(j.headline, 'race passed, with caveats (scheduler-stalled: see warnings)');
  assert.equal(
    judgeRun({ strategies: [race], findingKinds: [], warnings: stalled, strict: true, threadSafe: true, stopSignal: null }).exitCode,
    1,
    '--strict fails it',
  );
});
