// Overhead of the throughput strategy (issue 4): with a no-op operation, 2 workers, 1 lane, the tool's
// calls/s must be at least 0.5x a raw hand-written loop (2 worker threads released by a start
// barrier, `await op()` in a tight loop) measured in this same process. Both kinds of no-op are
// measured (a sync function, which the raw loop still awaits, and an async one); each pair is run
// REPEAT times, alternating, and the medians are compared.
//   node test/bench/throughput.bench.mjs [seconds per measurement, default 1] [repeats, default 3]
import { Worker } from 'node:worker_threads';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makePlan } from '../../dist/plan/plan.js';
import { runPlan } from '../../dist/run/run.js';

const SECONDS = Number(process.argv[2] ?? 1);
const REPEAT = Number(process.argv[3] ?? 3);
const TARGET = 0.5;

const dir = mkdtempSync(path.join(tmpdir(), 'ah-bench-'));
const ADAPTERS = {
  sync: path.join(dir, 'noop-sync.mjs'),
  async: path.join(dir, 'noop-async.mjs'),
};
writeFileSync(ADAPTERS.sync, 'export default { threadSafe: true, operations: { noop() {} } };\n');
writeFileSync(ADAPTERS.async, 'export default { threadSafe: true, operations: { async noop() {} } };\n');

// The raw loop a user would write by hand: no tallies, no schedule, no context object.
const RAW_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const ctl = new Int32Array(workerData.sab); // [0] arrived, [1] go, [2] stop
const op = workerData.kind === 'async' ? async () => {} : () => {};
(async () => {
  Atomics.add(ctl, 0, 1);
  while (Atomics.load(ctl, 1) === 0) {} // spin: start barrier
  const t0 = performance.now();
  let n = 0;
  while (Atomics.load(ctl, 2) === 0) { await op(); n++; }
  parentPort.postMessage({ n, ms: performance.now() - t0 });
})();
`;

async function raw(kind, workers = 2) {
  const sab = new SharedArrayBuffer(16);
  const ctl = new Int32Array(sab);
  const ws = Array.from({ length: workers }, () => new Worker(RAW_WORKER, { eval: true, workerData: { sab, kind } }));
  const results = ws.map(
    (w) =>
      new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  while (Atomics.load(ctl, 0) < workers) await new Promise((r) => setTimeout(r, 1));
  Atomics.store(ctl, 1, 1);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  Atomics.store(ctl, 2, 1);
  const rs = await Promise.all(results);
  await Promise.all(ws.map((w) => w.terminate()));
  const calls = rs.reduce((a, r) => a + r.n, 0);
  return (calls / Math.max(...rs.map((r) => r.ms))) * 1000;
}

async function tool(kind) {
  const plan = makePlan({ adapter: ADAPTERS[kind], strategies: ['throughput'], workers: 2, concurrency: 1, duration: SECONDS, seed: 1, budgetMs: 3_600_000 });
  const report = await runPlan(plan);
  const s = report.strategies[0];
  if (s.verdict !== 'pass') throw new Error(`throughput run failed: ${JSON.stringify(report.findings)}`);
  const p = s.points.find((x) => x.workers === 2);
  return { opsPerSec: p.opsPerSec, latencyMs: p.latencyMs, sampleEvery: p.sampleEvery };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const M = (x) => `${(x / 1e6).toFixed(2)} M/s`;

let worst = Infinity;
for (const kind of ['sync', 'async']) {
  const raws = [];
  const tools = [];
  for (let i = 0; i < REPEAT; i++) {
    raws.push(await raw(kind));
    const t = await tool(kind);
    tools.push(t.opsPerSec);
    console.log(
      `  ${kind} no-op, run ${i + 1}: raw ${M(raws.at(-1))}  tool ${M(t.opsPerSec)}  (tool p50 ${(t.latencyMs.p50 * 1e3).toFixed(2)} us, p99 ${(t.latencyMs.p99 * 1e3).toFixed(2)} us, 1 call in ${t.sampleEvery} timed)`,
    );
  }
  const ratio = median(tools) / median(raws);
  // Pairs run back to back share the machine's load of the moment: their ratios are steadier.
  const pairRatio = median(tools.map((t, i) => t / raws[i]));
  worst = Math.min(worst, ratio);
  console.log(
    `${kind} no-op, 2 workers x 1 lane, ${SECONDS}s, median of ${REPEAT}: raw ${M(median(raws))}  tool ${M(median(tools))}  ` +
      `ratio ${ratio.toFixed(2)}x, median pair ratio ${pairRatio.toFixed(2)}x, best vs best ${(Math.max(...tools) / Math.max(...raws)).toFixed(2)}x (target >= ${TARGET}x)`,
  );
}
console.log(
  `throughput overhead: ${worst.toFixed(2)}x of the raw loop (worst kind) ${worst >= TARGET ? 'OK' : 'BELOW TARGET'}; load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
process.exitCode = worst >= TARGET ? 0 : 1;
