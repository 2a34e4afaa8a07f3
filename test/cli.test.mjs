// The CLI end to end: exit codes, one-line errors, verdicts on the fixtures, JSON shape, colour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ANSI, fixture, runCli, tempAdapters } from './helpers/cli.mjs';

const at = tempAdapters({
  'syntax.mjs': 'export default {\n  operations: {\n    a() { return 1 +; }\n  }\n};\n',
  'no-ops.mjs': 'export default { threadSafe: true };',
  'not-fn.mjs': 'export default { operations: { a: "x" } };',
  'bad-unique.mjs': 'export default { operations: { a() {} }, unique: ["b"] };',
  'args.mjs': `
    let seen;
    export default {
      threadSafe: true,
      setup(o) { return { args: o.args, workers: o.workers }; },
      init(shared, ctx) { seen = ctx.args; },
      operations: { a() {} },
      workerStats() { return { ok_init: seen.port === 5432 && seen.dbPath === 'x.db' ? 1 : 0 }; },
      expected() { return {}; },
      invariant(stats) { return stats.ok_init === 2 || 'args did not reach init: ' + JSON.stringify(seen); },
    };`,
  'ids-unsafe.mjs': `
    let v;
    export default {
      threadSafe: false,
      unique: ['next'],
      setup() { return new SharedArrayBuffer(4); },
      init(b) { v = new Int32Array(b); },
      operations: { async next() { const id = v[0]; await null; v[0] = id + 1; return id; } },
    };`,
  'throws.mjs': `export default { threadSafe: true, operations: { a({ call }) { if (call % 10 === 3) throw new TypeError('bad input ' + call); } } };`,
  'invariant.mjs': `export default { threadSafe: true, operations: { a() {} }, stats() { return { money: 299 }; }, expected() { return {}; }, invariant(s) { return s.money === 300 || 'money is ' + s.money + ', expected 300'; } };`,
  'extra.mjs': `export default { threadSafe: true, operations: { a() {} }, stats() { return { inits: 2 }; }, expected() { return { inits: 1 }; } };`,
});

const fast = ['-s', 'hammer', '-n', '2000'];

async function expectExit2(args, pattern) {
  const r = await runCli(args);
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout, '');
}

test('exit 2: missing adapter file, naming it', () => expectExit2(['nope/missing.mjs'], /adapter file not found: nope\/missing\.mjs/));
test('exit 2: syntax error names file and line', () => expectExit2([at('syntax.mjs')], /syntax error in .*syntax\.mjs:3/));
test('exit 2: adapter without operations', () => expectExit2([at('no-ops.mjs')], /no-ops\.mjs has no `operations`/));
test('exit 2: an operation that is not a function', () => expectExit2([at('not-fn.mjs')], /operation 'a' is not a function/));
test('exit 2: unique names an unknown operation', () => expectExit2([at('bad-unique.mjs')], /`unique` names 'b'/));
test('exit 2: unknown flag', () => expectExit2([fixture('counter-safe.mjs'), '--wokers', '3'], /unknown option '--wokers'/));
test('exit 2: invalid number', () => expectExit2([fixture('counter-safe.mjs'), '-w', 'lots'], /workers must be a whole number/));
test('exit 2: zero is not a valid count', () => expectExit2([fixture('counter-safe.mjs'), '-n', '0'], /requests must be a whole number from 1/));
test('exit 2: unknown strategy', () => expectExit2([fixture('counter-safe.mjs'), '-s', 'hammer,fuzz'], /unknown strategy 'fuzz'/));
test('exit 2: no adapter given', () => expectExit2([], /missing required argument 'adapter'/));

test('--help and --version exit 0', async () => {
  const h = await runCli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--concurrency <n>/);
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
});

test('safe fixtures pass (exit 0) under hammer and race', async () => {
  for (const f of ['counter-safe.mjs', 'async-counter-safe.mjs']) {
    const r = await runCli([fixture(f), '-s', 'hammer,race', '-r', '200', '--json', '-']);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.equal(j.verdict, 'pass');
    assert.deepEqual(j.findings, []);
    const hammer = j.strategies.find((s) => s.name === 'hammer');
    assert.equal(hammer.counters[0].expected, hammer.counters[0].actual);
    assert.equal(hammer.counters[0].actual, 20000);
  }
});

test('async read-await-write counter: the hammer alone finds lost updates, with a table', async () => {
  const r = await runCli([fixture('async-counter-unsafe.mjs'), ...fast]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /counter\s+│\s+expected\s+│\s+actual/);
  assert.match(r.stdout, /lost-update/);
  assert.match(r.stdout, /FAIL/);
  assert.match(r.stdout, /declares threadSafe: true, but it raced/);
});

test('async race needs lanes: --concurrency 1 cannot reveal it, and says so', async () => {
  const r = await runCli([fixture('async-counter-unsafe.mjs'), ...fast, '-c', '1', '-w', '1', '--json', '-']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(
    j.warnings.some((w) => w.code === 'no-contention'),
    JSON.stringify(j.warnings),
  );
  const s = await runCli([fixture('async-counter-unsafe.mjs'), ...fast, '-c', '1', '-w', '1', '--strict']);
  assert.equal(s.code, 1, '--strict turns the no-contention warning into a failure');
});

test('shared-memory counter: lost updates reported with how many', async () => {
  const r = await runCli([fixture('counter-unsafe.mjs'), '-s', 'hammer,race', '-r', '1000', '--json', '-']);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  const lost = j.findings.filter((f) => f.kind === 'lost-update');
  assert.ok(lost.length > 0, JSON.stringify(j.findings));
  assert.ok(lost.every((f) => f.count > 0));
  assert.ok(j.warnings.some((w) => w.code === 'declared-safe-but-raced'));
});

test('duplicates from a unique operation, with an example value', async () => {
  const r = await runCli([at('ids-unsafe.mjs'), ...fast, '--json', '-']);
  assert.equal(r.code, 1);
  const d = JSON.parse(r.stdout).findings.find((f) => f.kind === 'duplicate');
  assert.ok(d, r.stdout);
  assert.equal(d.op, 'next');
  assert.ok(d.count > 0 && typeof d.example === 'number');
});

test('errors: count, first message and operation', async () => {
  const r = await runCli([at('throws.mjs'), ...fast, '-w', '1', '-c', '1', '--json', '-']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout);
  const e = j.findings.find((f) => f.kind === 'error');
  assert.equal(e.op, 'a');
  assert.equal(e.count, 200);
  assert.match(e.message, /TypeError: bad input 3/);
  assert.equal(j.strategies[0].errors, 200);
  assert.equal(j.strategies[0].completed, 1800);
});

test('invariant violations show the adapter message; counters above expected are a mismatch', async () => {
  const r = await runCli([at('invariant.mjs'), ...fast, '--json', '-']);
  assert.equal(r.code, 1);
  assert.match(JSON.parse(r.stdout).findings[0].message, /invariant violated: money is 299, expected 300/);
  const x = await runCli([at('extra.mjs'), ...fast, '--json', '-']);
  const f = JSON.parse(x.stdout).findings[0];
  assert.equal(f.kind, 'mismatch');
  assert.equal(f.count, 1);
});

test('arguments after -- reach setup and init (parsed by yargs-parser)', async () => {
  const r = await runCli([at('args.mjs'), ...fast, '-w', '2', '--json', '-', '--', '--port', '5432', '--db-path', 'x.db']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.config.args.port, 5432);
  assert.match(j.replay, /-- --port=5432 --db-path=x\.db$/);
});

test('JSON report: contract fields, to a file and to stdout', async () => {
  const [file] = [at('report.json')];
  const r = await runCli([fixture('counter-safe.mjs'), '-s', 'hammer,race,throughput', '-r', '50', '-d', '0.2', '-w', '2', '--seed', '42', '--json', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /PASS/);
  const j = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(j.adapter, fixture('counter-safe.mjs'));
  assert.equal(j.seed, 42);
  assert.equal(j.verdict, 'pass');
  assert.ok(Array.isArray(j.findings) && Array.isArray(j.warnings));
  const [h, race, tp] = j.strategies;
  assert.deepEqual(
    Object.keys(h)
      .filter((k) => ['name', 'verdict', 'requests', 'completed', 'errors', 'counters'].includes(k))
      .sort(),
    ['completed', 'counters', 'errors', 'name', 'requests', 'verdict'],
  );
  assert.deepEqual(h.counters[0], { name: 'increment', expected: 20000, actual: 20000 });
  assert.equal(race.name, 'race');
  for (const k of ['rounds', 'failedRounds', 'lostUpdates', 'counters']) assert.ok(k in race, k);
  assert.equal(race.rounds, 50);
  assert.equal(tp.name, 'throughput');
  assert.deepEqual(
    tp.points.map((p) => p.workers),
    [1, 2],
  );
  for (const p of tp.points) {
    assert.ok(p.opsPerSec > 0);
    assert.ok(p.latencyMs.p50 <= p.latencyMs.p90 && p.latencyMs.p90 <= p.latencyMs.p99 && p.latencyMs.p99 <= p.latencyMs.max);
  }
  // --json - : JSON alone on stdout, the terminal report on stderr.
  const s = await runCli([fixture('counter-safe.mjs'), ...fast, '--json', '-']);
  assert.equal(JSON.parse(s.stdout).verdict, 'pass');
  assert.match(s.stderr, /HAMMER/);
});

test('colour: off when piped, on with FORCE_COLOR, off with NO_COLOR and --no-color', async () => {
  const args = [fixture('counter-safe.mjs'), ...fast];
  assert.doesNotMatch((await runCli(args)).stdout, ANSI, 'non-TTY: no colour');
  assert.match((await runCli(args, { env: { FORCE_COLOR: '1' } })).stdout, ANSI);
  assert.doesNotMatch((await runCli(args, { env: { NO_COLOR: '1' } })).stdout, ANSI);
  assert.doesNotMatch((await runCli([...args, '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout, ANSI);
  assert.doesNotMatch((await runCli(args, { env: { FORCE_COLOR: '0' } })).stdout, ANSI);
});

test('the seed is printed and replays the same operation mix', async () => {
  const mix = `export default { threadSafe: true, operations: { a() {}, b() {}, c() {} }, weights: { a: 5, b: 1 } };`;
  const file = tempAdapters({ 'mix.mjs': mix })('mix.mjs');
  const run = async () => JSON.parse((await runCli([file, ...fast, '--seed', '7', '--json', '-'])).stdout).strategies[0].perOperation;
  const first = await run();
  assert.deepEqual(await run(), first);
  assert.ok(first[0].calls > first[1].calls * 3, `weights respected: ${JSON.stringify(first)}`);
  const r = await runCli([file, ...fast, '--seed', '7']);
  assert.match(r.stdout, /seed 7/);
});
