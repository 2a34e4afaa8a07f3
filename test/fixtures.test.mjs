// Every fixture proves its lesson: the verdict is in the file name. A file whose name contains
// `unsafe` must make the CLI exit 1 with at least one finding; every other `*safe*` file must exit 0
// with none. Default flags (the ones a user gets), plus `--json -` to read the findings.
// Fixtures are discovered, not listed, so a new fixture is tested the moment it is added.
// Two CLI runs at a time: each run already uses every core for its workers; more only adds noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from './helpers/cli.mjs';

const DIR = path.join(ROOT, 'fixtures');
const PARALLEL = 2;
const KILL_AFTER_MS = 240_000; // generous: a loaded 2-core machine, and the database fixtures

// FIXTURES=cache,print narrows the run to names containing one of the words (for local use).
const only = (process.env.FIXTURES ?? '').split(',').filter(Boolean);
const names = readdirSync(DIR)
  .filter((name) => name.includes('safe') && statSync(path.join(DIR, name)).isFile())
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort();

/** At most `limit` calls of `fn` in flight; the others queue (FIFO). */
function throttle(limit, fn) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= limit || queue.length === 0) return;
    active++;
    const { args, resolve, reject } = queue.shift();
    fn(...args)
      .then(resolve, reject)
      .finally(() => {
        active--;
        next();
      });
  };
  return (...args) =>
    new Promise((resolve, reject) => {
      queue.push({ args, resolve, reject });
      next();
    });
}

const runFixture = throttle(PARALLEL, async (name) => {
  const t0 = Date.now();
  const result = await runCli([path.join('fixtures', name), '--json', '-'], { timeoutMs: KILL_AFTER_MS });
  return { ...result, ms: Date.now() - t0 };
});

// Start every run up front (throttled); each test below awaits its own result, so the tests report
// one by one while the runs overlap. Errors are kept as values until their test looks at them.
const outcomes = new Map(
  names.map((name) => [
    name,
    runFixture(name).then(
      (value) => ({ ok: true, value }),
      (error) => ({ ok: false, error }),
    ),
  ]),
);

test('fixtures/ has unsafe and safe fixtures to check', { skip: only.length > 0 && 'FIXTURES filter set' }, () => {
  assert.ok(names.some((n) => n.includes('unsafe')), 'no *unsafe* fixture found');
  assert.ok(names.some((n) => !n.includes('unsafe')), 'no *safe* fixture found');
});

for (const name of names) {
  const unsafe = name.includes('unsafe');
  test(`${name}: ${unsafe ? 'exit 1 with findings' : 'exit 0, no findings'} (default flags)`, { timeout: 30 * 60_000 }, async (t) => {
    const outcome = await outcomes.get(name);
    if (!outcome.ok) throw outcome.error; // killed after KILL_AFTER_MS, or could not spawn
    const { code, stdout, stderr, ms } = outcome.value;
    t.diagnostic(`exit ${code} in ${(ms / 1000).toFixed(1)} s`);
    const context = `\n--- stderr (report) ---\n${stderr.slice(-4000)}`;
    let report;
    try {
      report = JSON.parse(stdout);
    } catch {
      assert.fail(`no JSON report on stdout (exit ${code})${context}`);
    }
    const findings = report.findings ?? [];
    const summary = findings.map((f) => `${f.strategy}/${f.kind}: ${f.message}`).join('\n');
    if (unsafe) {
      assert.equal(code, 1, `an unsafe fixture must fail (exit 1), got exit ${code}${context}`);
      assert.equal(report.verdict, 'fail');
      assert.ok(findings.length > 0, `exit 1 but no findings${context}`);
    } else {
      assert.equal(code, 0, `a safe fixture must pass (exit 0), got exit ${code}\n${summary}${context}`);
      assert.equal(report.verdict, 'pass');
      assert.deepEqual(findings, [], `a safe fixture must have no findings:\n${summary}`);
    }
  });
}
