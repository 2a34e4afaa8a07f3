// The race loop against the bare reference loop (issue "Real adapters finish on time", item 4): the
// same check-then-act fixture and settings, run alternately in fresh processes, several times each;
// prints per loop the medians of rounds/s, share of rounds failed and failing rounds/s, and ours/bare.
//
// "bare" is ../shared/design/bare-rounds.mjs (persistent workers, a spin barrier, one message per
// worker per round, no pinning, no instrumentation). "ours" is adapter-hammer's own round loop as the
// race strategy drives it (RunContext + playRound from dist/, a WorkerSession, contention evidence in
// one round of 8), over a fixed number of rounds: the strategy's early stop (20 failing rounds) and
// its time budget would end it after a few hundred rounds, so it is driven here directly.
//
//   node test/bench/race-loop.bench.mjs [--runs N] [--rounds R] [--iterations I] [--workers W]
//        [--fixture FILE] [--dist DIR ...]        (several --dist: A/B of builds, alternated too)
//        [--batch K ...]                          (rounds per exchange with the workers; `32s`: checked before the
//                                                 next batch goes out; default 1, 32s and 32)
//        [--history]                              (every round records its calls, as a race does until its first
//                                                 failing round: all of a passing run's rounds)
// Figures only, no thresholds (2 noisy cores).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BARE = path.resolve(ROOT, '../shared/design/bare-rounds.mjs');

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const opts = (name) => argv.flatMap((a, i) => (a === `--${name}` ? [argv[i + 1]] : []));
const RUNS = Number(opt('runs', process.env.BENCH_RUNS ?? 5));
const ROUNDS = Number(opt('rounds', 4000));
const ITER = Number(opt('iterations', 10));
const WORKERS = Number(opt('workers', 2));
const FIXTURE = path.resolve(ROOT, opt('fixture', 'fixtures/lazy-init-unsafe.mjs'));
/** Rounds per exchange with the workers: each --batch value is a loop of its own (default: 1 and the race strategy's default). */
const BATCHES = opts('batch');
const BATCH = Number(opt('batch-child', 1));
/** --serial: batches checked before the next one goes out (as for an adapter whose rounds share state). */
const SERIAL = argv.includes('--serial');
/** --history: every round records its call history (README, "Tuning the race detector", item 9). */
const HISTORY = argv.includes('--history');

/** One run of adapter-hammer's round loop in this process; prints {rounds, failed, roundsPerSec}. */
async function child(dist) {
  const imp = (p) => import(pathToFileURL(path.join(dist, p)).href);
  const [{ loadAdapter }, { makePlan }, { RunContext }, { playRound, startRounds, finishRounds }, { OVERLAP_EVERY }] = await Promise.all([
    imp('adapter/load.js'),
    imp('plan/plan.js'),
    imp('rounds/context.js'),
    imp('rounds/play.js'),
    imp('strategies/race.js'),
  ]);
  const loaded = await loadAdapter(FIXTURE);
  const plan = makePlan({ adapter: FIXTURE, strategies: ['race'], workers: WORKERS, concurrency: 1, iterations: ITER, rounds: ROUNDS }, loaded);
  const run = new RunContext(plan, loaded);
  const session = await run.openSession(WORKERS, { history: true });
  const calls = Array.from({ length: WORKERS }, () => ITER);
  let failed = 0;
  let rounds = 0;
  const count = (results) => {
    for (const played of results) {
      rounds++;
      if (played.failed) failed++;
      if (played.hookFailed || session.broken) throw new Error(`round ${played.round}: ${played.findings.map((f) => f.message).join('; ') || 'workers lost'}`);
    }
  };
  // As the race strategy plays them (src/strategies/race.ts): batches of BATCH rounds, the next one sent
  // as soon as the last one's answers are in and checked meanwhile (1: one round per exchange, not
  // pipelined, as for an adapter whose rounds share state), minus its early stop, budget and the
  // histories of its rounds before the first failure.
  const batchOf = (r) =>
    Array.from({ length: Math.min(BATCH, ROUNDS - r) }, (_, i) => ({
      strategy: 'race',
      round: r + i,
      calls,
      overlap: (r + i) % OVERLAP_EVERY === 0,
      sampleEvery: 0,
      history: HISTORY,
    }));
  const t0 = performance.now();
  try {
    if (!startRounds) {
      // An older build (--dist) has no batches: its rounds one by one.
      for (let r = 0; r < ROUNDS; r++) count([await playRound(run, session, batchOf(r)[0])]);
    } else if (BATCH === 1 || SERIAL) {
      for (let r = 0; r < ROUNDS; r += BATCH) count(await finishRounds(run, await startRounds(run, session, batchOf(r))));
    } else {
      let r = 0;
      let current = await startRounds(run, session, batchOf(r));
      while (current) {
        await current.tallies;
        r += BATCH;
        const next = r < ROUNDS ? await startRounds(run, session, batchOf(r)) : null;
        count(await finishRounds(run, current));
        current = next;
      }
    }
  } finally {
    const dt = performance.now() - t0;
    await run.closeSession(session);
    run.dispose();
    console.log(JSON.stringify({ rounds, failed, roundsPerSec: Math.round((rounds / dt) * 1000) }));
  }
}

if (argv[0] === '--child') {
  await child(path.resolve(argv[1]));
  process.exit(0);
}

const dists = opts('dist').map((d) => path.resolve(d));
if (!dists.length) dists.push(path.join(ROOT, 'dist'));
const loops = [];
if (existsSync(BARE)) loops.push({ name: 'bare', cmd: [BARE, FIXTURE, String(ROUNDS), String(ITER), String(WORKERS)] });
else console.log(`reference loop unavailable (${BARE} is missing): only adapter-hammer's figures, no ratio`);
if (!BATCHES.length) BATCHES.push('1', '32s', '32');
for (const d of dists) {
  for (const b of BATCHES) {
    const name = `ours${dists.length === 1 ? '' : ` (${path.relative(process.cwd(), d) || d})`}${BATCHES.length > 1 ? ` b${b}` : ''}`;
    const serial = b.endsWith('s') ? ['--serial'] : [];
    loops.push({ name, cmd: [fileURLToPath(import.meta.url), '--child', d, ...argv, '--batch-child', String(parseInt(b, 10)), ...serial] });
  }
}

console.log(
  `race loop vs bare loop · node ${process.version} · ${availableParallelism()} cores · load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `${path.relative(ROOT, FIXTURE)}, ${WORKERS} workers x 1 lane x ${ITER} calls, ${ROUNDS} rounds per run${HISTORY ? ' (ours: every round records its history)' : ''}, ${RUNS} runs per loop, alternated\n`,
);
const results = new Map(loops.map((l) => [l.name, []]));
for (let i = 0; i < RUNS; i++) {
  // Rotate the order each time, so neither loop always runs first.
  for (let j = 0; j < loops.length; j++) {
    const l = loops[(i + j) % loops.length];
    const r = spawnSync(process.execPath, l.cmd, { encoding: 'utf8', env: { ...process.env, ADAPTER_HAMMER_SHRINK_MS: '0' } });
    const last = r.stdout.trim().split('\n').pop();
    if (r.status !== 0 || !last?.startsWith('{')) {
      console.log(`  run ${i + 1} ${l.name}: failed (exit ${r.status}) ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      continue;
    }
    const { rounds, failed, roundsPerSec } = JSON.parse(last);
    const res = { rps: roundsPerSec, share: failed / rounds, frps: (roundsPerSec * failed) / rounds };
    results.get(l.name).push(res);
    console.log(
      `  run ${i + 1} ${l.name.padEnd(8)} ${String(roundsPerSec).padStart(6)} rounds/s, ${(100 * res.share).toFixed(1).padStart(5)}% failed, ${res.frps.toFixed(0).padStart(5)} failing rounds/s`,
    );
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
};
const med = new Map(
  [...results].map(([n, rs]) => [
    n,
    { rps: median(rs.map((r) => r.rps)), share: median(rs.map((r) => r.share)), frps: median(rs.map((r) => r.frps)), n: rs.length },
  ]),
);
const bare = med.get('bare');
const ratio = (a, b) => (Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');
const rows = [...med].map(([n, m]) => [
  n,
  m.rps.toFixed(0),
  `${(100 * m.share).toFixed(1)}%`,
  m.frps.toFixed(0),
  n === 'bare' ? '1.00x' : ratio(m.rps, bare?.rps),
  n === 'bare' ? '1.00x' : ratio(m.frps, bare?.frps),
  String(m.n),
]);
const head = ['loop', 'rounds/s', 'failed', 'failing rounds/s', 'rounds/s vs bare', 'failing/s vs bare', 'runs'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`\nmedians:`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
