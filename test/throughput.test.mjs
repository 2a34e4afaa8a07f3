// The throughput strategy (issue 4): point set, JSON shape, percentiles, --min-ops gate, errors,
// progress output. Short runs (-d 0.2) and no timing assertions: these machines are noisy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { fixture, runCli, tempAdapters } from './helpers/cli.mjs';
import { latencyOf, workerPoints } from '../dist/strategies/throughput.js';
import { createProgress } from '../dist/reporters/progress.js';

const at = tempAdapters({
  'noop.mjs': 'export default { threadSafe: true, operations: { noop() {}, async later() { await null; } } };\n',
  'throws.mjs': `export default { threadSafe: true, operations: { a({ call }) { if (call % 100 === 7) throw new RangeError('bad ' + call); } } };\n`,
});

const quick = ['-s', 'throughput', '-d', '0.2', '-c', '2', '--seed', '7'];

async function runJson(args) {
  const r = await runCli([...args, '--json', '-']);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    assert.fail(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, report, tp: report.strategies.find((s) => s.name === 'throughput') };
}

test('workerPoints: 1, 2, 4, ... up to and including --workers', () => {
  assert.deepEqual(workerPoints(1), [1]);
  assert.deepEqual(workerPoints(2), [1, 2]);
  assert.deepEqual(workerPoints(3), [1, 2, 3]);
  assert.deepEqual(workerPoints(5), [1, 2, 4, 5]);
  assert.deepEqual(workerPoints(8), [1, 2, 4, 8]);
});

test('latencyOf merges per-worker HDR histograms, weighting each sample by its stride', () => {
  // Worker 0 timed every call (3 calls of 1 ms); worker 1 timed one call in 100 (10 ms): it stands for 100 calls.
  const l = latencyOf([
    { data: Float64Array.of(1, 1, 1), stride: 1 },
    { data: Float64Array.of(10), stride: 100 },
  ]);
  assert.equal(l.samples, 4);
  assert.ok(Math.abs(l.latencyMs.p50 - 10) < 0.02, `p50 ${l.latencyMs.p50}`);
  assert.ok(Math.abs(l.latencyMs.max - 10) < 0.02, `max ${l.latencyMs.max}`);
  const one = latencyOf([{ data: Float64Array.of(0.5, 1, 2, 4), stride: 1 }]);
  assert.ok(Math.abs(one.latencyMs.p50 - 1) < 0.002, `p50 ${one.latencyMs.p50}`);
  assert.ok(one.latencyMs.p99 <= one.latencyMs.max && Math.abs(one.latencyMs.max - 4) < 0.005);
  assert.deepEqual(latencyOf([]).latencyMs, { p50: 0, p90: 0, p99: 0, max: 0 });
});

for (const [w, expected] of [
  [1, [1]],
  [2, [1, 2]],
  [3, [1, 2, 3]],
  [5, [1, 2, 4, 5]],
]) {
  test(`--workers ${w} measures points ${expected.join(', ')}`, async () => {
    const { code, tp, stderr } = await runJson([at('noop.mjs'), ...quick, '-w', String(w)]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      tp.points.map((p) => p.workers),
      expected,
    );
  });
}

test('JSON shape as contract section 3; percentiles ordered; speedup relative to 1 worker', async () => {
  const { code, report, tp } = await runJson([at('noop.mjs'), ...quick, '-w', '2']);
  assert.equal(code, 0);
  assert.equal(report.verdict, 'pass');
  assert.equal(tp.verdict, 'pass');
  assert.ok(Array.isArray(tp.points) && tp.points.length === 2);
  for (const p of tp.points) {
    assert.equal(typeof p.workers, 'number');
    assert.ok(Number.isFinite(p.opsPerSec) && p.opsPerSec > 0, `opsPerSec ${p.opsPerSec}`);
    assert.deepEqual(Object.keys(p.latencyMs).sort(), ['max', 'p50', 'p90', 'p99']);
    const { p50, p90, p99, max } = p.latencyMs;
    for (const v of [p50, p90, p99, max]) assert.ok(Number.isFinite(v) && v > 0, `latency ${v}`);
    assert.ok(p50 <= p90 && p90 <= p99 && p99 <= max, `ordered: ${JSON.stringify(p.latencyMs)}`);
    assert.equal(p.errors, 0);
    assert.ok(p.calls > 0 && p.latencySamples > 0 && p.latencySamples <= p.calls);
    assert.ok(Math.abs(p.efficiency - p.speedup / p.workers) < 1e-9);
  }
  assert.equal(tp.points[0].speedup, 1);
});

test('--min-ops: a huge one fails the run (exit 1, finding kind throughput), a tiny one passes', async () => {
  const huge = await runJson([at('noop.mjs'), ...quick, '-w', '2', '--min-ops', '1e15']);
  assert.equal(huge.code, 1, huge.stderr);
  assert.equal(huge.tp.verdict, 'fail');
  assert.equal(huge.tp.minOps, 1e15);
  const f = huge.report.findings.find((x) => x.strategy === 'throughput');
  assert.equal(f.kind, 'throughput');
  assert.match(f.message, /calls\/s at 2 workers is below --min-ops/);
  assert.match(huge.report.replay, /--min-ops 1000000000000000/);

  const tiny = await runJson([at('noop.mjs'), ...quick, '-w', '2', '--min-ops', '1']);
  assert.equal(tiny.code, 0, tiny.stderr);
  assert.equal(tiny.tp.verdict, 'pass');
});

test('--min-ops must be a positive number', async () => {
  const r = await runCli([at('noop.mjs'), '--min-ops', 'fast']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /min-ops must be a number above 0/);
});

test('errors fail the strategy and are counted in the point', async () => {
  const { code, report, tp } = await runJson([at('throws.mjs'), ...quick, '-w', '2']);
  assert.equal(code, 1);
  assert.equal(tp.verdict, 'fail');
  const f = report.findings.find((x) => x.strategy === 'throughput' && x.kind === 'error');
  assert.ok(f, JSON.stringify(report.findings));
  assert.match(f.message, /RangeError: bad 7/);
  assert.ok(tp.points.length >= 1 && tp.points[0].errors > 0);
});

test('terminal report: table and bar chart; no progress output when stderr is not a TTY', async () => {
  const r = await runCli([fixture('counter-safe.mjs'), ...quick, '-w', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr: no progress line when it is not a terminal');
  assert.match(r.stdout, /THROUGHPUT\s+PASS/);
  assert.match(r.stdout, /calls\/s.*p50.*p90.*p99.*max.*speedup.*efficiency/);
  assert.match(r.stdout, /calls\/s by workers\n\s+1 █+/);
  assert.doesNotMatch(r.stdout, /\r|\u001b\[\d*[GK]/, 'no cursor control in the report');
});

test('progress reporter: draws on a TTY stream and clears its line on stop; nothing when disabled', async () => {
  const chunks = [];
  const stream = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  stream.isTTY = true;
  stream.columns = 100;
  const p = createProgress({ stream, enabled: true });
  p.update({ strategy: 'throughput', phase: 'measure · 2 workers', done: 1, total: 2, calls: 123456 });
  p.stop();
  p.stop();
  const out = chunks.join('');
  assert.match(out, /throughput · measure · 2 workers · 1\/2 · 0:00 · 123\.5 k calls/);
  assert.match(out, /\u001b\[2K$/, 'line cleared at the end');

  const quiet = [];
  const s2 = new Writable({
    write(c, _e, cb) {
      quiet.push(String(c));
      cb();
    },
  });
  s2.isTTY = true;
  const off = createProgress({ stream: s2, jsonToStdout: true });
  off.update({ strategy: 'race', phase: 'rounds', done: 1, total: 10 });
  off.stop();
  assert.equal(quiet.join(''), '', 'no progress when the JSON report goes to stdout');
});
