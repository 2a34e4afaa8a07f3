// Every fixture proves its lesson: the verdict is in the file name. A file whose name contains
// `unsafe` must make the CLI exit 1 with at least one finding; every other `*safe*` file must exit 0
// with none. Default flags (the ones a user gets), plus `--json -` to read the findings.
// Fixtures are discovered, not listed, so a new fixture is tested the moment it is added.
// Two CLI runs at a time: each run already uses every core for its workers; more only adds noise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from './helpers/cli.mjs';

const DIR = path.join(ROOT, 'fixtures');
const PARALLEL = 2;
/** Lessons about a hang or a crash rather than a race. */
const ROBUSTNESS = /^(deadlock|hung-promise|infinite-loop|worker-exit|timer-throw|unhandled-rejection|out-of-memory)-unsafe/;
/**
 * Lessons checked by a sequential model (a cache, a key-value store, a queue, a rate limiter, the bank):
 * the unsafe ones fail by the kind their model exists for; the safe ones pass with every round decided,
 * since a round the check could not decide in its budget (`model-unknown`) is not a pass of it.
 */
const MODEL = /^model-.*-unsafe/;
const MODEL_SAFE = /^model-.*-safe/;
const KILL_AFTER_MS = 240_000; // generous: a loaded 2-core machine, and the database fixtures

/** Lessons of controlled scheduling (fixtures/controlled/): races Node's own order never shows. */
const CONTROLLED = 'controlled';
/** Lessons over real servers (fixtures/db/: PostgreSQL and Redis, started by the toolkit for each run). */
const DB = 'db';
const names = [
  ...readdirSync(DIR).filter((name) => name.includes('safe') && statSync(path.join(DIR, name)).isFile()),
  ...[CONTROLLED, DB].flatMap((dir) =>
    readdirSync(path.join(DIR, dir))
      .filter((name) => name.includes('safe') && statSync(path.join(DIR, dir, name)).isFile())
      .map((name) => `${dir}/${name}`),
  ),
].sort();

test('fixtures/ has unsafe and safe fixtures to check', () => {
  assert.ok(
    names.some((n) => n.includes('unsafe')),
    'no *unsafe* fixture found',
  );
  assert.ok(
    names.some((n) => !n.includes('unsafe')),
    'no *safe* fixture found',
  );
});

// One test per fixture, PARALLEL at a time; a single lesson runs alone with
// `npm test -- test/fixtures.test.mjs --name bank-unsafe` (a run starts only when its test does).
describe('fixture lessons', { concurrency: PARALLEL }, () => {
  for (const name of names) {
    const unsafe = name.includes('unsafe');
    test(`${name}: ${unsafe ? 'exit 1 with findings' : 'exit 0, no findings'} (default flags)`, async (t) => {
      const { code, stdout, stderr } = await runCli([path.join('fixtures', name), '--json', '-'], { timeoutMs: KILL_AFTER_MS });
      const report = JSON.parse(stdout || 'null');
      assert.ok(report, `no JSON report on stdout (exit ${code})\n--- stderr (report) ---\n${stderr.slice(-4000)}`);
      t.diagnostic(`exit ${code} in ${(report.durationMs / 1000).toFixed(1)} s`);
      const context = `\n--- stderr (report) ---\n${stderr.slice(-4000)}`;
      const findings = report.findings ?? [];
      const summary = findings.map((f) => `${f.strategy}/${f.kind}: ${f.message}`).join('\n');
      if (unsafe) {
        assert.equal(code, 1, `an unsafe fixture must fail (exit 1), got exit ${code}${context}`);
        assert.equal(report.verdict, 'fail');
        assert.ok(findings.length > 0, `exit 1 but no findings${context}`);
        // The robustness lessons fail by the kind their name promises, already in the hammer.
        if (ROBUSTNESS.test(name))
          assert.ok(
            findings.some((f) => f.strategy === 'hammer' && (f.kind === 'hang' || f.kind === 'crash')),
            summary,
          );
        if (MODEL.test(name))
          assert.ok(
            findings.some((f) => f.kind === 'linearizability'),
            summary,
          );
        // Found by the race's controlled rounds, never by its natural ones (unless its header says
        // "Natural rounds: fail too"), and replayed exactly.
        if (name.startsWith(`${CONTROLLED}/`)) {
          const race = report.strategies.find((s) => s.name === 'race');
          const naturalToo = /^\/\/ Natural rounds: fail too/m.test(readFileSync(path.join(DIR, name), 'utf8'));
          assert.ok(race.scheduler.failedControlledRounds > 0, JSON.stringify(race.scheduler));
          if (!naturalToo) assert.equal(race.scheduler.failedNaturalRounds, 0, JSON.stringify(race.scheduler));
          assert.ok(race.schedule, `no failing schedule: ${race.unavailable?.schedule}`);
          assert.equal(race.schedule.replaysFailed, race.schedule.replays);
        }
      } else {
        assert.equal(code, 0, `a safe fixture must pass (exit 0), got exit ${code}\n${summary}${context}`);
        assert.equal(report.verdict, 'pass');
        assert.deepEqual(findings, [], `a safe fixture must have no findings:\n${summary}`);
        if (name.startsWith(`${CONTROLLED}/`)) {
          const race = report.strategies.find((s) => s.name === 'race');
          assert.ok(race.scheduler.controlledRounds > 0, 'no controlled round ran: the pass proves nothing');
        }
        if (MODEL_SAFE.test(name)) {
          const checked = report.strategies.filter((s) => s.model);
          assert.ok(checked.length > 0 && checked.every((s) => s.model.checkedRounds > 0), 'no round was checked against the model');
          assert.deepEqual(
            (report.warnings ?? []).filter((w) => w.code === 'model-unknown').map((w) => w.message),
            [],
            'every round of a model lesson must be decided',
          );
        }
      }
    });
  }
});
