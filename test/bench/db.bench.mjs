// The bank's race rounds on PostgreSQL (issue 22 item 8): adapter-hammer's race strategy over
// fixtures/db/pg-bank-safe.mjs against a plain hand-written `pg` loop (db-hand-loop.mjs) doing the same
// transactions with the same connections (2 workers × 4 lanes, one transfer per lane per round, a fresh
// schema per round), on one PostgreSQL started for the bench (the toolkit's postgres()), in pairs: each
// run of one is followed at once by a run of the other (which goes first alternates). Prints the medians
// of rounds/s and their ratio, and each pair's ours / hand with the median of those: the goal (>= 0.8x)
// is judged on that median of the pairs' ratios, as the two runs of a pair share the machine's load of
// the moment, where the ratio of the medians also carries the load's drift from one pair to the next
// (on a shared 2-core machine, single runs swing by 1.5x either way). Both count the rounds' own time:
// the hand loop from its first round, the tool from its first round's setup to its last round's teardown
// (test/bench/db-bank-timed.mjs); the start before the rounds (workers, connections) is printed beside it.
//   node test/bench/db.bench.mjs [--runs N] [--seconds S] [--scheduler off|mixed]
// Figures only, no thresholds (2 noisy cores).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgres } from '../../dist/toolkit/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const RUNS = Number(opt('runs', process.env.BENCH_RUNS ?? 3));
const SECONDS = Number(opt('seconds', 6));
const SCHEDULER = opt('scheduler', 'off');
const [WORKERS, LANES] = [2, 4];

const db = postgres();
const url = await db.start();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function hand() {
  const r = spawnSync(process.execPath, [path.join(HERE, 'db-hand-loop.mjs'), url, String(SECONDS), String(WORKERS), String(LANES)], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  if (r.status !== 0) throw new Error(`hand loop: ${r.stderr}`);
  const { rounds, ms, startMs } = JSON.parse(r.stdout.trim().split('\n').pop());
  return { perSec: (rounds / ms) * 1000, startMs };
}

function ours() {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-db-bench-'));
  const out = path.join(dir, 'rounds.json');
  try {
    const args = [path.join(ROOT, 'bin/adapter-hammer.js'), path.join(HERE, 'db-bank-timed.mjs'), '-s', 'race', '--scheduler', SCHEDULER];
    args.push('-w', String(WORKERS), '-c', String(LANES), '-i', String(LANES), '-r', '1000000', '--time', `${SECONDS}s`, '--json', '-', '--', '--db', url);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT, env: { ...process.env, BENCH_OUT: out } });
    if (r.status !== 0) throw new Error(`adapter-hammer exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const race = JSON.parse(r.stdout).strategies[0];
    const { rounds, ms } = JSON.parse(readFileSync(out, 'utf8'));
    return { perSec: (rounds / ms) * 1000, startMs: race.durationMs - ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const figures = { hand: [], ours: [] };
try {
  console.log(
    `PostgreSQL bank, ${WORKERS} workers × ${LANES} lanes, 1 transfer per lane per round, ${SECONDS} s per run, scheduler ${SCHEDULER}, load ${loadavg()[0].toFixed(1)}`,
  );
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so neither always runs on a cooler machine.
    for (const which of i % 2 ? ['ours', 'hand'] : ['hand', 'ours']) {
      const v = which === 'hand' ? hand() : ours();
      figures[which].push(v.perSec);
      console.log(
        `  run ${i + 1} ${which}: ${v.perSec.toFixed(1)} rounds/s, ${(v.startMs / 1000).toFixed(2)} s before the first round (load ${loadavg()[0].toFixed(1)})`,
      );
    }
  }
  const [h, o] = [median(figures.hand), median(figures.ours)];
  const pairs = figures.ours.map((v, i) => v / figures.hand[i]);
  console.log(
    `hand-written pg loop: median ${h.toFixed(1)} rounds/s; adapter-hammer race: median ${o.toFixed(1)} rounds/s; ratio of the medians ${(o / h).toFixed(2)}x`,
  );
  console.log(
    `ours / hand per pair: ${pairs.map((r) => r.toFixed(2)).join(', ')}; median ${median(pairs).toFixed(2)}x (goal >= 0.8x, judged on this median of the pairs' ratios)`,
  );
} finally {
  await db.stop();
}
