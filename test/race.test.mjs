// Issue 3, the race detector: detection with defaults, safe twins, report shape, contention evidence,
// checker warnings, --strict, and the search for the smallest failing setup. No timing is asserted;
// detection runs use the tool's defaults (the point is that they catch these races on a loaded machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runCli, tempAdapters } from './helpers/cli.mjs';

const NO_SHRINK = { ADAPTER_HAMMER_SHRINK_MS: '0' };
/**
 * The smallest-failing-setup search with time enough on any machine: it ends on its own (each trial at
 * its first matching failure or its round cap), so only a loaded machine takes longer, and the result
 * never depends on how loaded it is. `--time` lifts the run's budget for the same reason.
 */
const SHRINK = { ADAPTER_HAMMER_SHRINK_MS: '600000' };
const NO_BUDGET = ['--time', '30m'];

async function race(file, args = [], env = NO_SHRINK) {
  const r = await runCli([file, '-s', 'race', '--json', '-', ...args], { env, timeoutMs: 600_000 });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    assert.fail(`no JSON report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  return { ...r, report, race: report.strategies.find((s) => s.name === 'race') };
}

const RACY = [
  ['counter-unsafe.mjs', 'lost-update'],
  ['lazy-init-unsafe.mjs', 'mismatch'],
  ['bank-unsafe.mjs', 'invariant'],
  ['async-counter-unsafe.mjs', 'lost-update'],
  ['ids-unsafe.mjs', 'duplicate'],
];
const SAFE = ['counter-safe.mjs', 'counter-mutex-safe.mjs', 'lazy-init-safe.mjs', 'bank-safe.mjs', 'ids-safe.mjs', 'async-counter-safe.mjs'];

/**
 * Several adapters in one CLI run: a report each, planned and run one after the other exactly as alone
 * (src/cli/main.ts); the tests below share it, each asserting on its adapter's report.
 */
function raceAll(files, args, env) {
  let run;
  return async (file) => {
    run ??= runCli([...files.map(fixture), '-s', 'race', '--json', '-', ...args], { env, timeoutMs: 600_000 }).then((r) => {
      try {
        return { ...r, reports: JSON.parse(r.stdout).adapters };
      } catch {
        assert.fail(`no JSON report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
      }
    });
    const { reports } = await run;
    const report = reports.find((a) => a.adapter === fixture(file));
    assert.ok(report, `no report of ${file}`);
    return { code: report.exitCode, report, race: report.strategies.find((s) => s.name === 'race') };
  };
}

// With the tool's defaults (rounds, budget and all): the point is that they catch these races on a loaded machine.
const racy = raceAll(
  RACY.map(([name]) => name),
  [],
  NO_SHRINK,
);

for (const [name, kind] of RACY) {
  test(`race with defaults catches ${name} (${kind})`, async () => {
    const { code, report, race: s } = await racy(name);
    assert.equal(code, 1, `exit code; findings: ${JSON.stringify(report.findings)}`);
    assert.equal(s.verdict, 'fail');
    assert.ok(s.failedRounds > 0 && s.failedRounds <= s.rounds);
    assert.ok(
      report.findings.some((f) => f.strategy === 'race' && f.kind === kind),
      `a ${kind} finding: ${JSON.stringify(report.findings)}`,
    );
    // Every racy fixture claims threadSafe: true, so the checker says the claim is wrong.
    assert.ok(report.warnings.some((w) => w.code === 'declared-safe-but-raced'));
    assert.equal(typeof s.firstFailedRound, 'number');
  });
}

// Default rounds, with a budget no machine runs out of: every planned round is played, whatever the load.
const safe = raceAll(SAFE, NO_BUDGET, NO_SHRINK);

for (const name of SAFE) {
  test(`race with default rounds passes the safe twin ${name}: every planned round played`, async () => {
    const { code, report, race: s } = await safe(name);
    assert.deepEqual(report.findings, []);
    assert.equal(s.verdict, 'pass');
    assert.equal(s.failedRounds, 0);
    assert.equal(s.rounds, report.config.rounds);
    assert.equal(code, 0);
    assert.equal(s.minimal, undefined, 'no search without a failure');
  });
}

test('report: rounds, failed rounds, lost updates with min/median/max, first failing counters, outcome histogram', async () => {
  const { race: s, report } = await race(fixture('async-counter-unsafe.mjs'), ['-r', '200']);
  // Every natural round fails (a controlled one may not: PCT runs the lanes by priority, one after the
  // other between its change points): the strategy stops once it has enough evidence (20 failing rounds).
  assert.ok(s.rounds >= 20 && s.rounds < 40, `${s.rounds} rounds`);
  assert.equal(s.failedRounds, 20);
  assert.equal(s.scheduler.failedNaturalRounds, s.scheduler.naturalRounds);
  assert.equal(s.stopReason, 'evidence');
  assert.equal(s.plannedRounds, 200);
  assert.ok(s.lostUpdates > 0);
  const l = s.lostPerFailedRound;
  assert.ok(l.min <= l.median && l.median <= l.max && l.min > 0);
  assert.ok(s.lostUpdates >= l.max && s.lostUpdates <= l.max * s.failedRounds);
  // Contract field names, counters of the first failing round.
  for (const k of ['rounds', 'failedRounds', 'lostUpdates', 'counters', 'verdict']) assert.ok(k in s, k);
  assert.equal(s.firstFailedRound, 0);
  const row = s.counters.find((c) => c.name === 'increment');
  assert.ok(row.actual < row.expected);
  // Histogram: sorted by rounds, sums to the rounds run, failing outcomes = failing rounds.
  assert.ok(s.outcomes.length >= 1);
  for (let i = 1; i < s.outcomes.length; i++) assert.ok(s.outcomes[i - 1].rounds >= s.outcomes[i].rounds);
  assert.equal(
    s.outcomes.reduce((a, o) => a + o.rounds, 0),
    s.rounds,
  );
  assert.equal(
    s.outcomes.filter((o) => o.failed).reduce((a, o) => a + o.rounds, 0),
    s.failedRounds,
  );
  assert.match(s.outcomes[0].outcome, /^increment=\d+$/);
  // One finding per kind, summarised over rounds.
  const lost = report.findings.filter((f) => f.kind === 'lost-update');
  assert.equal(lost.length, 1);
  assert.match(lost[0].message, new RegExp(`in 20 of ${s.rounds} rounds`));
});

test('histogram of a lazy init: inits=1 passes, inits=2 fails; counters are those of the first failing round', async () => {
  const { race: s } = await racy('lazy-init-unsafe.mjs');
  const ok = s.outcomes.find((o) => o.outcome === 'inits=1');
  const bad = s.outcomes.find((o) => o.outcome === 'inits=2');
  assert.ok(ok && !ok.failed);
  assert.ok(bad && bad.failed);
  assert.equal(s.counters.find((c) => c.name === 'inits').actual >= 2, true);
  assert.equal(s.lostUpdates, 0, 'an extra init is a mismatch, not a lost update');
  assert.equal(s.lostPerFailedRound, null);
});

test('terminal report: outcomes, lost updates, seed, replay command, verdict line names the wrong claim', async () => {
  const r = await runCli([fixture('counter-unsafe.mjs'), '-s', 'race', '--no-color'], { env: NO_SHRINK, timeoutMs: 120_000 });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /outcomes: increment=\d+: [\d,]+ rounds/);
  assert.match(r.stdout, /lost updates: [\d,]+ in total; per failing round min \d+ · median \d+ · max \d+/);
  assert.match(r.stdout, /declares threadSafe: true, but it raced/);
  assert.match(r.stdout, /seed \d+/);
  assert.match(r.stdout, /replay: npx adapter-hammer \S+counter-unsafe\.mjs -s race -w \d+ -c \d+ -i 100 -r 2000 --seed \d+/);
});

test('contention evidence: calls in flight per operation, measured in a share of the rounds', async () => {
  const { race: s, report } = await race(fixture('async-counter-safe.mjs'), ['-w', '2', '-c', '4', '-r', '64']);
  const row = s.contention.find((c) => c.op === 'increment');
  assert.ok(row.overlapped);
  assert.equal(row.maxWorkers, 2);
  assert.ok(row.maxInFlight >= 4 && row.maxInFlight <= 8, `in flight ${row.maxInFlight}`);
  assert.ok(s.contentionRounds >= 1 && s.contentionRounds < s.rounds);
  assert.ok(report.info.some((i) => i.code === 'concurrent-access' && /'increment' was accessed by 2 workers concurrently/.test(i.message)));
  assert.ok(!report.warnings.some((w) => w.code === 'no-contention'));
});

const at = tempAdapters({
  'lonely.mjs': `export default { threadSafe: true, operations: { a() {} } };`,
  'undeclared.mjs': `export default { operations: { a() {} } };`,
  'throws.mjs': `export default { threadSafe: false, operations: { a() { throw new Error('always'); } } };`,
  'off-by-one.mjs': `
    let n = 0;
    export default {
      threadSafe: false,
      init() { n = 0; },
      operations: { a() { n++; } },
      workerStats() { return { a: n - 1 }; }, // wrong even without any concurrency
    };`,
  // Broken one call at a time, but no trial of the search with 1 worker can complete a round.
  'no-single-worker.mjs': `
    export default {
      threadSafe: true,
      init(shared, { workers }) { if (workers === 1) throw new Error('needs two workers'); },
      operations: { async a() { await null; } },
      invariant: () => 'always broken',
    };`,
});

test('no-contention: one worker, one lane never overlaps; a warning, and a failure with --strict', async () => {
  const plain = await race(at('lonely.mjs'), ['-w', '1', '-c', '1', '-r', '20']);
  assert.equal(plain.code, 0);
  assert.ok(plain.report.warnings.some((w) => w.code === 'no-contention' && /'a' never ran at the same time/.test(w.message)));
  assert.equal(plain.race.contention[0].overlapped, false);
  const strict = await race(at('lonely.mjs'), ['-w', '1', '-c', '1', '-r', '20', '--strict']);
  assert.equal(strict.code, 1);
  assert.equal(strict.report.verdict, 'fail');
});

test('undeclared: no threadSafe is a warning; --strict fails on it', async () => {
  const plain = await race(at('undeclared.mjs'), ['-r', '20']);
  assert.equal(plain.code, 0);
  assert.ok(plain.report.warnings.some((w) => w.code === 'undeclared'));
  const strict = await race(at('undeclared.mjs'), ['-r', '20', '--strict']);
  assert.equal(strict.code, 1);
});

test('shrink: the async read-await-write shrinks to 1 worker x 2 lanes x 2 calls, with a replay command', async () => {
  const { race: s } = await race(fixture('async-counter-unsafe.mjs'), ['-r', '100', ...NO_BUDGET], SHRINK);
  const m = s.minimal;
  assert.ok(m, 'a minimal setup');
  assert.equal(m.workers, 1);
  assert.equal(m.concurrency, 2);
  assert.equal(m.iterations, 2);
  assert.equal(m.smaller, true);
  assert.equal(m.concurrent, true);
  assert.ok(m.failedRounds > 0 && m.failedRounds <= m.rounds);
  assert.match(m.command, /-s race -w 1 -c 2 -i 2 -r \d+ --seed \d+/);
});

test('shrink: a shared-memory race keeps 2 workers and finds a smaller setup', async () => {
  const r = await runCli([fixture('bank-unsafe.mjs'), '-s', 'race', '--no-color', ...NO_BUDGET], { env: SHRINK, timeoutMs: 600_000 });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /smallest failing setup: 2 workers × 1 lane × \d+ calls? \(failed [\d,]+ of [\d,]+ rounds\)/);
  assert.match(r.stdout, /replay it: npx adapter-hammer \S+bank-unsafe\.mjs -s race -w 2 -c 1 -i \d+ -r \d+ --seed \d+/);
});

test('shrink: an error gets the search too, and with 1 worker x 1 lane it is called a bug, not a race', async () => {
  const { code, report, race: s } = await race(at('throws.mjs'), ['-r', '20', ...NO_BUDGET], SHRINK);
  assert.equal(code, 1);
  assert.ok(report.findings.every((f) => f.kind === 'error'));
  assert.equal(s.minimal.workers, 1);
  assert.equal(s.minimal.concurrency, 1);
  assert.equal(s.minimal.classification, 'bug');
  assert.equal(s.minimal.meaning, 'fails with 1 worker × 1 lane: a bug, not a race');
  assert.match(s.minimal.command, /-s race -w 1 -c 1 /);
});

test('shrink: a crash gets a replay and a classification too', async () => {
  const { race: s } = await race(fixture('worker-exit-unsafe.mjs'), ['-r', '20', ...NO_BUDGET], SHRINK);
  assert.equal(s.stopReason, 'workers-lost');
  assert.ok(s.minimal, 'a minimal setup for the crash');
  assert.equal(s.minimal.classification, 'bug');
});

test('shrink: a search that could not try 1 worker claims no race: no "needs 2 workers"', async () => {
  const { race: s } = await race(at('no-single-worker.mjs'), ['-r', '5', ...NO_BUDGET], SHRINK);
  const m = s.minimal;
  assert.ok(m, 'a minimal setup');
  assert.equal(m.workers, 2);
  assert.equal(m.classification, undefined);
  assert.equal(m.concurrent, undefined);
  assert.match(m.meaning, /^fails with 2 workers × \d+ lanes?; the search could not try fewer workers .*is not known$/);
});

test('shrink: a counter wrong without any concurrency is called a plain bug', async () => {
  const { race: s } = await race(at('off-by-one.mjs'), ['-r', '20', ...NO_BUDGET], SHRINK);
  assert.equal(s.minimal.workers, 1);
  assert.equal(s.minimal.concurrency, 1);
  assert.equal(s.minimal.iterations, 1);
  assert.equal(s.minimal.concurrent, false);
  assert.equal(s.minimal.meaning, 'fails with 1 worker × 1 lane: a bug, not a race');
});
