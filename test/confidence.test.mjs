// The confidence of a pass (issue 23): the arithmetic against hand-computed values (mpmath, 40 digits),
// the tally from hand-made rounds, the merge of shards, the sentences, and --confidence end to end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  detectionProbability,
  effectiveRounds,
  largestK,
  logMissOf,
  missBound,
  pctRoundProbability,
  roundsNeeded,
  roundsToReproduce,
  wilson,
} from '../dist/maths/confidence.js';
import { ConfidenceTally, confidenceNotReached, hammerConfidence, mergeConfidence } from '../dist/checks/confidence.js';
import { confidenceOf } from '../dist/options/validate.js';
import { claimSentence, confidenceSentences, pctSentence } from '../dist/reporters/confidence.js';
import { warningMessage } from '../dist/reporters/sentences.js';
import { renderTerminal } from '../dist/reporters/terminal/index.js';
import { toJunit } from '../dist/reporters/junit.js';
import { githubSummary } from '../dist/reporters/github.js';
import { hammer } from '../dist/index.js';
import { fixture, runCli } from './helpers/cli.mjs';
import { makeReport, raceStrategy, tallies } from './helpers/report.mjs';

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} is not ${b}`);

// ---------------------------------------------------------------------------------------------------
// The arithmetic (maths/confidence.ts)

test('detectionProbability: 1 - (1 - 1/k)^n', () => {
  close(detectionProbability(3, 2), 0.875);
  close(detectionProbability(1, 4), 0.25);
  assert.equal(detectionProbability(0, 10), 0);
  assert.equal(detectionProbability(5, 1), 1);
  // 23,024 rounds catch a 1-in-5000 race with 99.0000904% (hand-computed), 23,023 with 98.99989%.
  close(detectionProbability(23_024, 5000), 0.990000903513365, 1e-12);
  close(detectionProbability(23_023, 5000), 0.989998903294024, 1e-12);
});

test('largestK: the largest k with p >= 0.95 / 0.99, hand-computed; none from 0 rounds', () => {
  for (const [n, k95, k99] of [
    [6333, 2114, 1375],
    [1000, 334, 217],
    [100, 33, 22],
    [23_024, 7686, 5000],
    [3, 1, 1],
    [1, 1, 1],
  ]) {
    assert.equal(largestK(n, 0.95), k95, `n=${n} at 95%`);
    assert.equal(largestK(n, 0.99), k99, `n=${n} at 99%`);
  }
  assert.equal(largestK(0, 0.95), null);
  // The boundary itself, for every n up to 3000: k qualifies, k + 1 does not.
  for (let n = 1; n <= 3000; n++) {
    const k = largestK(n, 0.95);
    assert.ok(detectionProbability(n, k) >= 0.95 && detectionProbability(n, k + 1) < 0.95, `n=${n}: k=${k}`);
  }
});

test('roundsNeeded: the fewest rounds that catch a 1-in-k race with probability p', () => {
  assert.equal(roundsNeeded(5000, 0.99), 23_024);
  assert.equal(roundsNeeded(50, 0.95), 149);
  assert.equal(roundsNeeded(1, 0.99), 1);
  for (const k of [2, 7, 100, 5000]) assert.ok(largestK(roundsNeeded(k, 0.95), 0.95) >= k && largestK(roundsNeeded(k, 0.95) - 1, 0.95) < k);
});

test('wilson: the 95% score interval, hand-computed, sound at 0 and n', () => {
  const a = wilson(20, 30);
  close(a.low, 0.487800516445438, 1e-12);
  close(a.high, 0.807695019163239, 1e-12);
  assert.deepEqual(wilson(0, 10).low, 0);
  close(wilson(0, 10).high, 0.277532799862889, 1e-12);
  close(wilson(10, 10).low, 0.722467200137111, 1e-12);
  assert.equal(wilson(10, 10).high, 1);
  assert.deepEqual(wilson(0, 0), { low: 0, high: 1 });
});

test('effectiveRounds: counted where measured in every round; estimated from a sample at its lower bound; none unmeasured', () => {
  assert.deepEqual(effectiveRounds(10, 10, 7), { n: 7, method: 'measured' });
  // 232 of 250 measured rounds overlapped; the 1,750 others at the Wilson lower end 0.889071464890164.
  const e = effectiveRounds(2000, 250, 232);
  assert.equal(e.n, 1787);
  assert.equal(e.method, 'sampled');
  close(e.shareLow, 0.889071464890164, 1e-12);
  assert.deepEqual(effectiveRounds(8, 4, 3).n, 4); // 3 + floor(4 * 0.3006)
  assert.deepEqual(effectiveRounds(10, 0, 0), { n: 0, method: 'none' });
});

test('PCT: 1/(L * S^(d-1)) per round, and the miss bound over rounds', () => {
  assert.equal(pctRoundProbability(8, 64, 3), 1 / 32768);
  assert.equal(pctRoundProbability(2, 10, 1), 1 / 2);
  let log = 0;
  for (let i = 0; i < 1000; i++) log += logMissOf(pctRoundProbability(8, 64, 3));
  close(missBound(log), 0.969942930457176, 1e-12);
});

test('roundsToReproduce: a replay sized from the lower end of the failure rate', () => {
  assert.equal(roundsToReproduce(0.5, 0.99), 7);
  assert.equal(roundsToReproduce(1), 1);
  assert.equal(roundsToReproduce(0), Infinity);
});

test('--confidence values: 1/k@p% or 1/k@fraction, or the object', () => {
  assert.deepEqual(confidenceOf('1/5000@99%'), { oneIn: 5000, probability: 0.99 });
  assert.deepEqual(confidenceOf(' 1/200 @ 0.95 '), { oneIn: 200, probability: 0.95 });
  assert.deepEqual(confidenceOf({ oneIn: 10, probability: 0.5 }), { oneIn: 10, probability: 0.5 });
  for (const bad of ['5000@99%', '1/5000', '1/1@99%', '1/5000@100%', '1/5000@0%', '2/5000@99%', { oneIn: 10 }, 42])
    assert.equal(confidenceOf(bad), null, String(bad));
});

// ---------------------------------------------------------------------------------------------------
// The tally (checks/confidence.ts), from hand-made rounds

const two = (overlapped, started = [10, 10]) =>
  tallies({
    ops: [
      { name: 'a', started: started[0], done: started[0], errors: 0 },
      { name: 'b', started: started[1], done: started[1], errors: 0 },
    ],
    overlapped,
    maxCalls: [2, 2],
    maxWorkers: [2, 2],
  });
const round = (t, extra = {}) => ({ tallies: t, complete: true, ...extra });
const natural = (overlap) => ({ overlap, controlled: null });
const setup = { workers: 2, lanes: 2, machines: ['ci-1'] };

test('ConfidenceTally: natural rounds count, measured ones tell the overlap; cut-short, undecided and controlled rounds are no effective rounds', () => {
  const c = new ConfidenceTally(['a', 'b'], setup);
  // 4 measured rounds: a overlapped in 3, b in 1; 4 unmeasured ones.
  c.take(round(two([true, false])), natural(true));
  c.take(round(two([true, false])), natural(true));
  c.take(round(two([true, true])), natural(true));
  c.take(round(two([false, false])), natural(true));
  for (let i = 0; i < 4; i++) c.take(round(two([false, false])), natural(false));
  // Not counted: cut short, the model undecided, interrupted, controlled.
  c.take({ tallies: two([true, true]), complete: false }, natural(true));
  c.take(round(two([true, true]), { modelUnknown: 'out of budget' }), natural(true));
  c.take(round(two([true, true], [10, 10]), {}), { overlap: true, controlled: { strategy: 'random', depth: 0, estimatedSteps: 10, replay: null } });
  c.take(round(tallies({ interrupted: true })), natural(true));
  const r = c.result(0, 12);
  assert.equal(r.rounds, 8);
  assert.equal(r.measuredRounds, 4);
  assert.equal(r.overlappedRounds, 3);
  assert.equal(r.effectiveRounds, 3 + Math.floor(4 * wilson(3, 4).low));
  assert.equal(r.method, 'sampled');
  const [a, b] = r.perOperation;
  assert.equal(a.op, 'a');
  assert.equal(a.overlappedRounds, 3);
  assert.equal(b.overlappedRounds, 1);
  assert.equal(b.effectiveRounds, 1 + Math.floor(4 * wilson(1, 4).low));
  assert.deepEqual(r.machines, ['ci-1']);
  assert.equal(r.failureRate, undefined);
  assert.equal(c.result(3, 12).failureRate.rate, 0.25);
});

test('ConfidenceTally: no overlap claims no rate, and says why', () => {
  const one = new ConfidenceTally(['a'], { workers: 1, lanes: 1, machines: ['m'] });
  one.take(round(tallies({ overlapped: [false] })), natural(true));
  assert.equal(one.result(0, 1).noClaim, 'single-lane');
  assert.equal(one.result(0, 1).k95, null);
  const never = new ConfidenceTally(['a'], setup);
  never.take(round(tallies({ overlapped: [false] })), natural(true));
  assert.equal(never.result(0, 1).noClaim, 'no-overlap');
  const unmeasured = new ConfidenceTally(['a'], setup);
  unmeasured.take(round(tallies()), natural(false));
  assert.equal(unmeasured.result(0, 1).noClaim, 'not-measured');
  assert.equal(new ConfidenceTally(['a'], setup).result(0, 0).noClaim, 'no-rounds');
  assert.match(claimSentence(never.result(0, 1)), /^no rate claimed: the calls never overlapped/);
});

const schedule = (over = {}) => ({
  workerId: 0,
  schedule: 's',
  steps: 20,
  preemptions: 1,
  uncontrolled: 0,
  uncontrolledAt: [],
  divergence: null,
  stalled: null,
  trace: null,
  ...over,
});
const pct = (estimatedSteps = 64) => ({ overlap: false, controlled: { strategy: 'pct', depth: 3, estimatedSteps, replay: null } });

test('ConfidenceTally: PCT rounds give the bound; a lane resumed outside the scheduler voids it', () => {
  const c = new ConfidenceTally(['x'], { workers: 2, lanes: 8, machines: ['m'] });
  for (let i = 0; i < 1000; i++) c.take(round(tallies({ schedules: [schedule(), schedule({ workerId: 1 })] })), pct());
  const p = c.result(0, 1000).pct;
  assert.equal(p.controlledRounds, 1000);
  assert.equal(p.depth, 3);
  assert.equal(p.lanes, 8);
  assert.equal(p.estimatedSteps, 64);
  close(p.missBound, 0.969942930457176, 1e-12);
  assert.match(pctSentence(p), /depth 3 within a worker's first 64 steps would have been missed with probability at most 97\.0% \(1,000 rounds, 8 lanes\)/);
  // One round whose lane ran outside the scheduler: no bound at all.
  c.take(round(tallies({ schedules: [schedule({ uncontrolled: 2 })] })), pct());
  const v = c.result(0, 1001).pct;
  assert.equal(v.missBound, null);
  assert.deepEqual(v.voided, { rounds: 1, reason: 'uncontrolled' });
  assert.match(pctSentence(v), /no PCT bound: 1 PCT round resumed lanes outside the scheduler's control \(uncontrolled\)/);
  // A random walk or a replay adds nothing to PCT's bound.
  const w = new ConfidenceTally(['x'], { workers: 2, lanes: 8, machines: ['m'] });
  w.take(round(tallies({ schedules: [schedule()] })), { overlap: false, controlled: { strategy: 'random', depth: 0, estimatedSteps: 64, replay: null } });
  w.take(round(tallies({ schedules: [schedule()] })), { overlap: false, controlled: { strategy: 'pct', depth: 3, estimatedSteps: 64, replay: ['x'] } });
  assert.equal(w.result(0, 2).pct, undefined);
});

test('ConfidenceTally: the target holds when every operation called reaches it; each shard needs its share', () => {
  const target = { oneIn: 2, probability: 0.99 }; // needs 7 effective rounds
  const c = new ConfidenceTally(['a', 'b'], { ...setup, target });
  for (let i = 0; i < 7; i++) c.take(round(two([true, i < 6])), natural(true));
  assert.equal(c.reached, false, 'b overlapped in 6 rounds of the 7 needed');
  c.take(round(two([false, true])), natural(true));
  assert.equal(c.reached, true);
  assert.deepEqual(c.result(0, 8).target, { oneIn: 2, probability: 0.99, roundsNeeded: 7, reached: true });
  const shard = new ConfidenceTally(['a'], { ...setup, target, shards: 3 });
  for (let i = 0; i < 3; i++) shard.take(round(tallies()), natural(true));
  assert.equal(shard.result(0, 3).target.roundsNeeded, 3, 'ceil(7 / 3)');
  assert.equal(shard.reached, true);
});

test('confidenceNotReached: what was reached instead, for the weakest operation', () => {
  const c = new ConfidenceTally(['a', 'b'], { ...setup, target: { oneIn: 5000, probability: 0.99 } });
  for (let i = 0; i < 100; i++) c.take(round(two([true, true])), natural(true));
  const w = confidenceNotReached('race', c.result(0, 100));
  assert.equal(w.code, 'confidence-not-reached');
  assert.deepEqual(
    { op: w.op, effectiveRounds: w.effectiveRounds, roundsNeeded: w.roundsNeeded, k: w.k },
    { op: 'a', effectiveRounds: 100, roundsNeeded: 23_024, k: 22 },
  );
  assert.equal(
    warningMessage(w),
    "race: --confidence 1/5000@99% not reached within the --time budget: 100 overlapping rounds (the weakest operation, 'a') of the 23,024 needed would have caught a race showing in 1 of 22 overlapping rounds with 99%",
  );
});

test('mergeConfidence: shards add up to what one run of all their rounds says', () => {
  const whole = new ConfidenceTally(['a', 'b'], setup);
  const shards = [new ConfidenceTally(['a', 'b'], { ...setup, machines: ['ci-1'] }), new ConfidenceTally(['a', 'b'], { ...setup, machines: ['ci-2'] })];
  for (let i = 0; i < 40; i++) {
    const t = two([i % 3 !== 0, i % 5 === 0]);
    const kind = natural(i % 4 === 0);
    whole.take(round(t), kind);
    shards[i % 2].take(round(t), kind);
  }
  const merged = mergeConfidence(
    shards.map((s) => s.result(0, 20)),
    0,
    40,
  );
  const one = whole.result(0, 40);
  for (const k of ['rounds', 'measuredRounds', 'overlappedRounds', 'effectiveRounds', 'k95', 'k99']) assert.equal(merged[k], one[k], k);
  assert.deepEqual(
    merged.perOperation.map((o) => [o.op, o.effectiveRounds]),
    one.perOperation.map((o) => [o.op, o.effectiveRounds]),
  );
  assert.deepEqual(merged.machines, ['ci-1', 'ci-2']);
  // PCT: the shards' miss bounds multiply.
  const p = (rounds) => {
    const t = new ConfidenceTally(['x'], { workers: 2, lanes: 8, machines: ['m'] });
    for (let i = 0; i < rounds; i++) t.take(round(tallies({ schedules: [schedule()] })), pct());
    return t.result(0, rounds);
  };
  close(mergeConfidence([p(300), p(700)], 0, 1000).pct.missBound, p(1000).pct.missBound, 1e-12);
});

test('hammerConfidence: its one round overlapped or not, and no rate from one round', () => {
  const c = hammerConfidence(['x'], round(tallies()), setup);
  assert.equal(c.effectiveRounds, 1);
  assert.equal(c.k95, null);
  assert.equal(c.noClaim, 'one-round');
  assert.equal(hammerConfidence(['x'], round(tallies({ overlapped: [false] })), setup).effectiveRounds, 0);
});

// ---------------------------------------------------------------------------------------------------
// The sentences: terminal, JUnit, GitHub

const passing = () => {
  const c = new ConfidenceTally(['inc'], { workers: 2, lanes: 8, machines: ['ci-7'] });
  for (let i = 0; i < 6333; i++) c.take(round(tallies()), natural(true));
  return raceStrategy({ confidence: c.result(0, 6333) });
};

test("every reporter states a passing race's confidence; a failing one its failure rate with the interval", () => {
  const report = makeReport({ strategies: [passing()] });
  const claim = 'a race showing in 1 of 2,114 overlapping rounds or more often would have been caught (95%); 1 of 1,375 (99%)';
  const term = renderTerminal(report, 0);
  assert.ok(term.includes(`  confidence: ${claim}`), term);
  assert.match(term, /6,333 overlapping rounds, measured in every round/);
  assert.match(term, /holds for this machine \(ci-7\), 2 workers × 8 lanes and the load at the time/);
  assert.ok(toJunit(report).includes(`<system-out>confidence: ${claim}`), toJunit(report));
  assert.ok(githubSummary(report).includes(`### Confidence`));
  assert.ok(githubSummary(report).includes(claim));
  const failing = raceStrategy({
    status: 'fail',
    verdict: 'fail',
    failedRounds: 20,
    rounds: 30,
    confidence: { ...passing().confidence, failureRate: { failed: 20, rounds: 30, rate: 2 / 3, low: 0.4878, high: 0.8077, level: 0.95, method: 'wilson' } },
  });
  const lines = confidenceSentences(failing.confidence, 'fail');
  assert.deepEqual(lines, ['failed in 20 of 30 rounds: 66.7% (95% interval 48.8% to 80.8%, Wilson)']);
  assert.match(
    renderTerminal(makeReport({ strategies: [failing] }), 0),
    /confidence: failed in 20 of 30 rounds: 66\.7% \(95% interval 48\.8% to 80\.8%, Wilson\)/,
  );
});

// ---------------------------------------------------------------------------------------------------
// End to end: the JSON of a run, --confidence reached and not reached

const dir = mkdtempSync(path.join(tmpdir(), 'ah-confidence-'));
/** A short race of counter-safe (2 workers x 2 lanes x 20 calls) with these further arguments. */
const smallRace = (...extra) => [fixture('counter-safe.mjs'), '-s', 'race', '-w', '2', '-c', '2', '-i', '20', ...extra];
after(() => rmSync(dir, { recursive: true, force: true }));

test('a passing race reports its confidence in the JSON, overall and per operation; --confidence plays on beyond --rounds until reached', async () => {
  const out = path.join(dir, 'reached.json');
  const r = await runCli(smallRace('-r', '5', '--confidence', '1/20@95%', '--time', '60s', '--json', out));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const s = JSON.parse(readFileSync(out, 'utf8')).strategies[0];
  const c = s.confidence;
  assert.ok(c.effectiveRounds > 0 && c.effectiveRounds <= s.rounds);
  assert.equal(c.k95, largestK(c.effectiveRounds, 0.95));
  assert.equal(c.perOperation[0].op, 'increment');
  assert.deepEqual(c.target, { oneIn: 20, probability: 0.95, roundsNeeded: 59, reached: true });
  assert.ok(c.perOperation[0].effectiveRounds >= 59);
  assert.ok(s.rounds > 5, 'went on beyond --rounds');
  assert.equal(s.stopReason, 'done');
  assert.match(r.stdout, /--confidence 1\/20@95%: reached/);
});

test('--confidence not reached within --time: the warning, the figure reached, exit 1 with --strict', async () => {
  const out = path.join(dir, 'short.json');
  const r = await runCli(smallRace('-r', '5', '--confidence', '1/1000000@99%', '--time', '2s', '--strict', '--json', out));
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(report.strategies[0].confidence.target.reached, false);
  const w = report.warnings.find((x) => x.code === 'confidence-not-reached');
  assert.match(
    w.message,
    /^race: --confidence 1\/1000000@99% not reached within the --time budget: [\d,]+ overlapping rounds \(the weakest operation, 'increment'\) of the 4,605,168 needed/,
  );
  assert.equal(report.strictFailure, true);
});

test('--confidence: a bad value is one line and exit 2; hammer() takes it as an option', async () => {
  const r = await runCli([fixture('counter-safe.mjs'), '--confidence', '1/5000']);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^adapter-hammer: .*confidence must be 1\/<k>@<p>%, e\.g\. 1\/5000@99%/);
  const report = await hammer(fixture('counter-safe.mjs'), {
    strategy: ['race'],
    workers: 2,
    concurrency: 2,
    iterations: 10,
    rounds: 3,
    confidence: '1/5@90%',
  });
  assert.deepEqual(report.config.confidence, { oneIn: 5, probability: 0.9 });
  assert.equal(report.strategies[0].confidence.target.oneIn, 5);
  await assert.rejects(hammer(fixture('counter-safe.mjs'), { confidence: '99%' }), /confidence must be 1\/<k>@<p>%/);
});

test("merge: the shards' overlapping rounds add up; the merged report states the confidence of the whole and the machines it holds for", async () => {
  const shardFile = (k) => path.join(dir, `shard-${k}.json`);
  for (const k of [1, 2]) {
    const r = await runCli(smallRace('-r', '40', '--seed', '7', '--shard', `${k}/2`, '--json', shardFile(k)));
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
  const out = path.join(dir, 'merged.json');
  const m = await runCli(['merge', shardFile(1), shardFile(2), '--json', out]);
  assert.equal(m.code, 0, m.stdout + m.stderr);
  const parts = [1, 2].map((k) => JSON.parse(readFileSync(shardFile(k), 'utf8')).strategies[0].confidence);
  const merged = JSON.parse(readFileSync(out, 'utf8')).strategies[0].confidence;
  for (const k of ['rounds', 'measuredRounds', 'overlappedRounds']) assert.equal(merged[k], parts[0][k] + parts[1][k], k);
  assert.equal(merged.effectiveRounds, effectiveRounds(merged.rounds, merged.measuredRounds, merged.overlappedRounds).n);
  assert.equal(merged.k95, largestK(merged.effectiveRounds, 0.95));
  assert.deepEqual(merged.machines, [...new Set(parts.flatMap((p) => p.machines))]);
  assert.match(m.stdout, /confidence: (a race showing in 1 of [\d,]+ overlapping rounds|no rate claimed)/);
  assert.match(m.stdout, /holds for this machine \(/);
});

test('--confidence as a config file key', async () => {
  const project = mkdtempSync(path.join(dir, 'project-'));
  writeFileSync(path.join(project, 'package.json'), '{}');
  writeFileSync(path.join(project, 'adapter-hammer.config.json'), JSON.stringify({ confidence: '1/3@90%', strategy: ['race'], rounds: 3, iterations: 5 }));
  const out = path.join(project, 'r.json');
  const r = await runCli([fixture('counter-safe.mjs'), '-w', '2', '-c', '2', '--json', out], { cwd: project });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(report.config.confidence, { oneIn: 3, probability: 0.9 });
  assert.equal(report.strategies[0].confidence.target.roundsNeeded, roundsNeeded(3, 0.9));
});
