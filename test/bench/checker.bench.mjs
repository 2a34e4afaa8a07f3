// The linearizability checker's cost per round (issue 13, item 7), next to what a round itself costs.
// Histories are simulated (test/helpers/histories.mjs): every worker × lane calls one after another, an
// object that is either atomic (linearizable) or an unguarded read-modify-write (lost updates where
// calls overlap), for a counter (one partition: the hard case) and a key-value store of 8 keys
// (partitioned by key). Sizes: the race strategy's default round, 2 workers × 8 lanes × 100 calls per
// worker (200 calls, 16 in flight), and 8 workers (800 calls, 64 in flight: every lane's calls
// overlap, as async operations' do; sync operations on one worker never overlap, so this is the worst
// case). The reference: a real race round of a no-op adapter at the same size, played by runPlan.
//
//   node test/bench/checker.bench.mjs      (BENCH_SEEDS=5 histories per case, BENCH_ROUNDS=50 real rounds)
// Figures only, no thresholds (2 noisy cores).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkLinearizable } from '../../dist/checks/linearizability.js';
import { makePlan } from '../../dist/plan/plan.js';
import { runPlan } from '../../dist/run/run.js';
import { counterModel, counterObject, kvModel, kvObject, simulate } from '../helpers/histories.mjs';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
/** The budget the checker gets in these figures (a strategy picks its own; see the lead's integration). */
const MAX_STEPS = 200_000;
const OPTS = { maxSteps: MAX_STEPS, crossWorkerMarginMs: 0.005 };
const SIZES = [
  { workers: 2, lanes: 8, callsPerWorker: 100 },
  { workers: 8, lanes: 8, callsPerWorker: 100 },
];
const CASES = [
  { name: 'counter', model: counterModel, object: () => counterObject() },
  { name: 'kv (8 keys)', model: kvModel, object: () => kvObject() },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms per round of a real race strategy on a no-op adapter at this size (workers started once). */
async function roundMs({ workers, lanes, callsPerWorker }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-checker-bench-'));
  const file = path.join(dir, 'noop.mjs');
  writeFileSync(file, 'export default { threadSafe: true, operations: { noop() {} } };\n');
  try {
    const plan = makePlan({ adapter: file, strategies: ['race'], workers, concurrency: lanes, iterations: callsPerWorker, rounds: ROUNDS, time: 0 });
    const report = await runPlan(plan);
    const race = report.strategies.find((s) => s.name === 'race');
    return race.durationMs / race.rounds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`checker: median of ${SEEDS} simulated histories per case, budget ${MAX_STEPS} model steps, cross-worker margin ${OPTS.crossWorkerMarginMs} ms`);
for (const size of SIZES) {
  const n = size.workers * size.callsPerWorker;
  const round = await roundMs(size);
  console.log(
    `\n${size.workers} workers × ${size.lanes} lanes × ${size.callsPerWorker} calls/worker = ${n} calls; a real no-op race round: ${round.toFixed(2)} ms`,
  );
  for (const c of CASES)
    for (const racy of [false, true]) {
      const times = [];
      const steps = [];
      const outcomes = new Map();
      for (let seed = 1; seed <= SEEDS; seed++) {
        const calls = simulate({ ...size, object: c.object(), racy, seed });
        const t0 = performance.now();
        const r = checkLinearizable(c.model, calls, OPTS);
        times.push(performance.now() - t0);
        steps.push(r.steps);
        outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      }
      const ms = median(times);
      const label = `${c.name}, ${racy ? 'racy (lost updates)' : 'linearizable'}`.padEnd(36);
      const out = [...outcomes].map(([o, k]) => `${o} ×${k}`).join(', ');
      console.log(
        `  ${label} ${ms.toFixed(2).padStart(8)} ms/round (${(ms / round).toFixed(2)} × a round)  median ${median(steps)} steps  max ${Math.round(Math.max(...times))} ms  → ${out}`,
      );
    }
}
