// Race detector benchmark (issue 3, point 7): for each racy fixture, the share of rounds that failed
// and the time to first detection of adapter-hammer's race strategy (defaults), next to a seed-style
// hand-written hammer: threads created one by one in a loop with `new Worker`, no barrier, one round
// per program run, 10 threads x 1000 calls (the seeds' race detector), same fixture and same checks.
//
//   node test/bench/race.bench.mjs            (BENCH_RUNS=3 adapter-hammer runs, BENCH_TRIALS=10 seed runs)
import { Worker } from 'node:worker_threads';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePlan } from '../../dist/plan/plan.js';
import { runPlan } from '../../dist/run/run.js';
import { loadAdapter } from '../../dist/adapter/load.js';
import { compareCounters, defaultExpected, mergeCounters, numbersOnly, rowFails } from '../../dist/checks/counters.js';
import { findDuplicates } from '../../dist/checks/unique.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = ['counter-unsafe', 'lazy-init-unsafe', 'bank-unsafe', 'async-counter-unsafe', 'ids-unsafe'];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 10);
const SEED_THREADS = 10;
const SEED_CALLS = 1000;

// The seed-style worker: load the adapter, init, then call the operations in a plain loop.
const SEED_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const mod = await import(workerData.url);
  const a = mod.default ?? mod;
  await a.init?.(workerData.shared, { workerId: workerData.id, workers: workerData.workers, round: 0, args: { _: [] } });
  const names = Object.keys(a.operations);
  let s = workerData.id * 7919 + 1;
  const random = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const calls = Object.fromEntries(names.map((n) => [n, 0]));
  const values = Object.fromEntries((a.unique ?? []).map((n) => [n, []]));
  for (let i = 0; i < workerData.calls; i++) {
    const op = names[i % names.length];
    const v = await a.operations[op]({ workerId: workerData.id, call: i, random });
    calls[op]++;
    if (values[op]) values[op].push(v);
  }
  parentPort.postMessage({ calls, values, workerStats: (await a.workerStats?.()) ?? null });
})();
`;

async function seedTrial(file) {
  const { adapter: a } = await loadAdapter(file);
  const shared = await a.setup?.({ workers: SEED_THREADS, round: 0, args: { _: [] } });
  const t0 = performance.now();
  const workers = [];
  for (let id = 0; id < SEED_THREADS; id++) {
    // Started one by one, as the seeds do: no barrier, each begins as soon as it has loaded.
    const w = new Worker(SEED_WORKER, { eval: true, workerData: { url: `file://${file}`, shared, id, workers: SEED_THREADS, calls: SEED_CALLS } });
    workers.push(
      new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }),
    );
  }
  const results = await Promise.all(workers);
  const calls = { total: 0 };
  const values = {};
  for (const r of results) {
    for (const [op, n] of Object.entries(r.calls)) {
      calls[op] = (calls[op] ?? 0) + n;
      calls.total += n;
    }
    for (const [op, v] of Object.entries(r.values)) (values[op] ??= []).push(...v);
  }
  const problems = [];
  const actual = mergeCounters(
    numbersOnly(await a.stats?.(shared), problems, 'stats'),
    results.map((r) => numbersOnly(r.workerStats, problems, 'ws')),
  );
  const expected = a.expected ? await a.expected(calls) : defaultExpected(actual, calls);
  let failed = compareCounters(actual, expected).some(rowFails);
  if (a.invariant) {
    const inv = await a.invariant(actual, calls);
    if (inv !== true && inv !== undefined) failed = true;
  }
  for (const op of a.unique ?? []) if (findDuplicates(values[op] ?? [])) failed = true;
  await a.teardown?.(shared);
  return { failed, ms: performance.now() - t0 };
}

async function seedStyle(file) {
  let failed = 0;
  let elapsed = 0;
  let first = null;
  for (let t = 0; t < TRIALS; t++) {
    const r = await seedTrial(file);
    elapsed += r.ms;
    if (r.failed) {
      failed++;
      first ??= elapsed;
    }
  }
  return { failed, rounds: TRIALS, first, elapsed };
}

async function hammerStyle(file) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    process.env.ADAPTER_HAMMER_SHRINK_MS = '0';
    const rep = await runPlan(makePlan({ adapter: file, strategies: ['race'] }));
    const s = rep.strategies[0];
    runs.push({ failed: s.failedRounds, rounds: s.rounds, first: s.firstFailedMs ?? null, ms: s.durationMs, caught: rep.verdict === 'fail' });
  }
  return runs;
}

const pct = (a, b) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
const msText = (v) => (v === null ? 'never' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);

console.log(
  `race detector benchmark · node ${process.version} · ${availableParallelism()} cores · load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `adapter-hammer: -s race with defaults, ${RUNS} runs each; seed-style: ${SEED_THREADS} threads x ${SEED_CALLS} calls started in a loop, no barrier, ${TRIALS} runs\n`,
);
const rows = [];
for (const name of FIXTURES) {
  const file = path.join(ROOT, 'fixtures', `${name}.mjs`);
  const ah = await hammerStyle(file);
  const seed = await seedStyle(file);
  const failed = ah.reduce((a, r) => a + r.failed, 0);
  const rounds = ah.reduce((a, r) => a + r.rounds, 0);
  const firsts = ah
    .map((r) => r.first)
    .filter((v) => v !== null)
    .sort((a, b) => a - b);
  rows.push([
    name,
    `${ah.filter((r) => r.caught).length}/${ah.length}`,
    `${pct(failed, rounds)} of ${rounds}`,
    firsts.length ? `${msText(firsts[0])} – ${msText(firsts[firsts.length - 1])}` : 'never',
    msText(ah.reduce((a, r) => a + r.ms, 0) / ah.length),
    `${seed.failed}/${seed.rounds}`,
    seed.first === null ? `never (${msText(seed.elapsed)})` : msText(seed.first),
  ]);
  console.error(`  done: ${name}`);
}
const head = ['fixture', 'AH runs caught', 'AH rounds failed', 'AH first detection', 'AH race time', 'seed runs failed', 'seed first detection'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
