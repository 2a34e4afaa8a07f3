// Stress test of the harness itself: 20 workers x 50 async lanes x 100,000 calls per worker (2 M calls)
// of a safe adapter through the hammer strategy, then a burst of race rounds at the same width.
// Every count must be exact; prints time and peak RSS (figures only: no thresholds, the machines are noisy).
//   node --expose-gc test/bench/stress.bench.mjs [--calls-per-worker N] [--rounds N]
// Exits 1 if a count is off or the run did not pass. test/robustness.test.mjs runs it smaller.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePlan } from '../../dist/plan/plan.js';
import { runPlan } from '../../dist/run/run.js';
import { loadAdapter } from '../../dist/adapter/load.js';
import { CONTROLLED_EVERY } from '../../dist/strategies/controlled.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const WORKERS = arg('workers', 20);
const LANES = arg('lanes', 50);
const PER_WORKER = arg('calls-per-worker', 100_000);
const ROUNDS = arg('rounds', 200);
const ITERATIONS = 500;

const adapter = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stress-adapter.mjs');
const loaded = await loadAdapter(adapter);
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const rssBefore = process.memoryUsage().rss;
const failures = [];

async function run(strategy, extra) {
  globalThis.gc?.();
  // No time budget: the stress run must make every one of its calls.
  const plan = makePlan({ adapter, strategies: [strategy], workers: WORKERS, concurrency: LANES, seed: 1, timeoutMs: 30_000, budgetMs: 3_600_000, ...extra });
  const t0 = performance.now();
  const report = await runPlan(plan, { loaded });
  const ms = performance.now() - t0;
  const s = report.strategies[0];
  if (report.verdict !== 'pass') failures.push(`${strategy}: verdict ${report.verdict}: ${report.findings.map((f) => f.message).join('; ')}`);
  return { report, s, ms };
}

const total = WORKERS * PER_WORKER;
const h = await run('hammer', { requests: total });
const byName = Object.fromEntries(h.s.counters.map((c) => [c.name, c]));
const calls = h.s.perOperation.reduce((a, o) => a + o.calls, 0);
if (h.s.completed !== total || calls !== total) failures.push(`hammer: ${h.s.completed} calls completed, expected ${total}`);
for (const name of ['inc', 'incAsync', 'total_requests']) {
  const c = byName[name];
  if (!c || c.actual !== c.expected) failures.push(`hammer: counter ${name} ${JSON.stringify(c)}`);
}
if (byName.total_requests?.actual !== total) failures.push(`hammer: total_requests ${byName.total_requests?.actual}, expected ${total}`);
console.log(
  `hammer  ${WORKERS} workers x ${LANES} lanes x ${PER_WORKER.toLocaleString('en-US')} calls = ${total.toLocaleString('en-US')} calls: ${h.s.completed.toLocaleString('en-US')} ok, ${(h.ms / 1000).toFixed(2)} s, ${(total / (h.ms / 1000) / 1e6).toFixed(2)} M calls/s (incl. worker start-up)`,
);

const r = await run('race', { rounds: ROUNDS, iterations: ITERATIONS });
if (r.s.rounds !== ROUNDS || r.s.failedRounds !== 0) failures.push(`race: ${r.s.rounds} rounds, ${r.s.failedRounds} failed`);
const last = Object.fromEntries(r.s.counters.map((c) => [c.name, c]));
// Every other round is controlled (strategies/controlled.ts), with fewer calls: the last round may be one.
const lastControlled = r.s.scheduler?.controlledRounds > 0 && (ROUNDS - 1) % CONTROLLED_EVERY === CONTROLLED_EVERY - 1;
const lastCalls = lastControlled ? r.s.scheduler.calls : ITERATIONS;
if (last.total_requests?.actual !== WORKERS * lastCalls)
  failures.push(`race: last round total_requests ${last.total_requests?.actual}, expected ${WORKERS * lastCalls}`);
console.log(
  `race    ${ROUNDS} rounds x ${WORKERS} workers x ${ITERATIONS} calls (${r.s.scheduler?.controlledRounds ?? 0} of them controlled, ${r.s.scheduler?.calls ?? '-'} calls): ${r.s.failedRounds} failed, ${(r.ms / 1000).toFixed(2)} s, ${(ROUNDS / (r.ms / 1000)).toFixed(0)} rounds/s`,
);

clearInterval(sampler);
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(
  `memory  RSS before ${mb(rssBefore)}, peak ${mb(Math.max(peak, maxRss))} (process-wide, all ${WORKERS} worker threads included), after ${mb(process.memoryUsage().rss)}`,
);
console.log(`counts  ${failures.length ? 'WRONG' : 'exact'}`);
for (const f of failures) console.log(`  ✗ ${f}`);
process.exitCode = failures.length ? 1 : 0;
