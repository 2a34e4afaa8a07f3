// A run ends on time: the time budget (--time) and its shares, the race's early stop once the evidence
// is in, and the adapter's own defaults for the counts and the budget. Every assertion is on counts and
// statuses, never on how long something took.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hammer } from '../dist/index.js';
import { EVIDENCE_FAILED_ROUNDS } from '../dist/checks/race.js';
import { shareOf } from '../dist/plan/budget.js';
import { durationWithin } from '../dist/strategies/throughput.js';
import { durationMs } from '../dist/options/validate.js';
import { runCli, tempAdapters } from './helpers/cli.mjs';

const at = tempAdapters({
  // Fails every round, the same way: its counter is always one short.
  'always-short.mjs': `
    export default {
      threadSafe: false,
      operations: { a() {} },
      stats: () => ({ a: -1 }),
      expected: (calls) => ({ a: calls.a - 1 - 1 }),
    };`,
  // Each round's setup takes 30 ms: 10,000 rounds would take minutes.
  'slow-setup.mjs': `
    export default {
      threadSafe: true,
      setup: () => new Promise((r) => setTimeout(r, 30)),
      operations: { a() {} },
    };`,
  // Each call takes a few ms: 100,000 of them would take minutes.
  'slow-calls.mjs': `
    let n = 0;
    export default {
      threadSafe: true,
      init() { n = 0; },
      operations: { async a() { await new Promise((r) => setTimeout(r, 2)); n++; } },
      workerStats: () => ({ a: n }),
    };`,
  // The adapter's own defaults for the counts and the budget.
  'own-defaults.mjs': `
    export default {
      threadSafe: true,
      workers: 1, concurrency: 2, requests: 50, iterations: 3, rounds: 7, duration: 0.05, time: '30s',
      operations: { a() {} },
    };`,
  'bad-rounds.mjs': `export default { threadSafe: true, rounds: 0, operations: { a() {} } };`,
  'bad-time.mjs': `export default { threadSafe: true, time: 'soon', operations: { a() {} } };`,
});

test(`the race stops once ${EVIDENCE_FAILED_ROUNDS} rounds failed: enough evidence, the rest is not run`, async () => {
  const r = await hammer(at('always-short.mjs'), { strategy: ['race'], workers: 1, concurrency: 1, iterations: 2, rounds: 2000 });
  const race = r.strategies[0];
  assert.equal(race.status, 'fail');
  assert.equal(race.stopReason, 'evidence');
  assert.equal(race.failedRounds, EVIDENCE_FAILED_ROUNDS);
  assert.equal(race.rounds, EVIDENCE_FAILED_ROUNDS);
  assert.equal(race.plannedRounds, 2000);
  assert.ok(race.outcomes.length >= 1, 'the outcome histogram is there');
});

test('a passing race uses its share of the budget: fewer rounds than planned, status pass, stop reason budget', async () => {
  const r = await hammer(at('slow-setup.mjs'), { strategy: ['race'], workers: 1, concurrency: 1, iterations: 1, rounds: 10_000, time: '1s' });
  const race = r.strategies[0];
  assert.equal(r.config.budgetMs, 1000);
  assert.equal(race.status, 'pass', JSON.stringify(r.findings));
  assert.equal(race.stopReason, 'budget');
  assert.ok(race.rounds >= 1 && race.rounds < 10_000, `${race.rounds} rounds`);
  assert.equal(race.failedRounds, 0);
});

test('the hammer stops its calls cleanly at its share: fewer than --requests, every counter still exact', async () => {
  const r = await hammer(at('slow-calls.mjs'), { strategy: ['hammer'], workers: 2, concurrency: 4, requests: 100_000, time: '1s' });
  const h = r.strategies[0];
  assert.equal(h.status, 'pass', JSON.stringify(r.findings));
  assert.equal(h.stopReason, 'budget');
  assert.ok(h.completed > 0 && h.completed < 100_000, `${h.completed} calls`);
  assert.deepEqual(h.counters, [{ name: 'a', expected: h.completed, actual: h.completed }]);
});

test("the adapter's own counts and budget are the defaults; options win; the report's config says so", async () => {
  const own = await hammer(at('own-defaults.mjs'), { strategy: ['hammer', 'race', 'throughput'] });
  assert.deepEqual(
    [own.config.workers, own.config.concurrency, own.config.requests, own.config.iterations, own.config.rounds, own.config.duration, own.config.budgetMs],
    [1, 2, 50, 3, 7, 0.05, 30_000],
  );
  const [h, race, tp] = own.strategies;
  assert.equal(h.completed, 50);
  assert.equal(race.rounds, 7);
  assert.equal(race.stopReason, 'done');
  assert.equal(tp.duration, 0.05);
  assert.equal(own.status, 'pass');
  const flags = await hammer(at('own-defaults.mjs'), { strategy: ['race'], rounds: 5, time: 20 });
  assert.equal(flags.strategies[0].rounds, 5);
  assert.equal(flags.config.budgetMs, 20_000);
  assert.match(flags.replay, / -r 5 .*--time 20s/);
});

test("the adapter's own defaults apply through the CLI exactly as through the API", async () => {
  const cli = await runCli([at('own-defaults.mjs'), '-s', 'hammer,race', '--json', '-']);
  assert.equal(cli.code, 0, cli.stderr);
  const viaCli = JSON.parse(cli.stdout);
  const viaApi = await hammer(at('own-defaults.mjs'), { strategy: ['hammer', 'race'], seed: viaCli.seed });
  const pick = (r) => [r.config.workers, r.config.concurrency, r.config.requests, r.config.iterations, r.config.rounds, r.config.budgetMs, r.config.timeoutMs];
  assert.deepEqual(pick(viaCli), [1, 2, 50, 3, 7, 30_000, 5000]);
  assert.deepEqual(pick(viaApi), pick(viaCli));
  assert.equal(viaCli.replay, viaApi.replay, 'the same plan, so the same replay command');
  const flag = JSON.parse((await runCli([at('own-defaults.mjs'), '-s', 'race', '-r', '4', '--time', '2m', '--json', '-'])).stdout);
  assert.deepEqual([flag.config.rounds, flag.config.budgetMs, flag.strategies[0].rounds], [4, 120_000, 4]);
});

test('a bad adapter field is exit 2 with one line, through the CLI and the API alike', async () => {
  for (const [file, pattern] of [
    ['bad-rounds.mjs', /adapter field `rounds`: rounds must be a whole number from 1/],
    ['bad-time.mjs', /adapter field `time`: time must be a duration such as 90s, 2m or 1500ms/],
  ]) {
    const cli = await runCli([at(file)]);
    assert.equal(cli.code, 2, cli.stderr);
    assert.equal(cli.stderr.trim().split('\n').length, 1);
    assert.match(cli.stderr, pattern);
    await assert.rejects(hammer(at(file)), (e) => e.name === 'AdapterError' && pattern.test(e.message));
  }
});

test('--time takes 90s, 2m, 1500ms or seconds; anything else is exit 2', async () => {
  assert.deepEqual(['90s', '2m', '1500ms', '1.5', 3].map(durationMs), [90_000, 120_000, 1500, 1500, 3000]);
  assert.deepEqual(['soon', '0', '-1s', ''].map(durationMs), [null, null, null, null]);
  const bad = await runCli([at('own-defaults.mjs'), '--time', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /time must be a duration such as 90s, 2m or 1500ms \(a plain number is seconds\), got 'soon'/);
});

test('budget shares: by weight among the strategies still to run; unused time flows to the next', () => {
  assert.equal(shareOf('hammer', ['hammer', 'race', 'throughput'], 6000), 1000);
  assert.equal(shareOf('race', ['race', 'throughput'], 5000), 3000);
  assert.equal(shareOf('throughput', ['throughput'], 4000), 4000);
  assert.equal(shareOf('race', ['race'], -5), 0);
});

test('throughput fits --duration to its share: unchanged when it fits, shorter when not, never below 50 ms', () => {
  assert.equal(durationWithin(1, 2, 10_000), 1);
  const fitted = durationWithin(1, 2, 2000);
  assert.ok(fitted < 1 && fitted > 0.5, String(fitted));
  assert.equal(durationWithin(1, 4, 100), 0.05);
});
