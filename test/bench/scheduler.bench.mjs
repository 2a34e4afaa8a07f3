// Controlled scheduling, measured: per fixture, the share of rounds that fail under Node's natural order
// vs under the scheduler (random walk, PCT depth 3), and calls/s of each, side by side. One worker
// thread (runControlled), one call per lane, the lanes each fixture's lesson needs.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { runControlled } = await import(pathToFileURL(path.join(ROOT, 'dist/controlled/run.js')).href);
const ROUNDS = Number(process.env.SCHED_BENCH_ROUNDS ?? 2000);
const FIXTURES = [
  ['ticket-unsafe', 2],
  ['ticket-safe', 2],
  ['retry-unsafe', 3],
  ['retry-safe', 3],
  ['async-counter-unsafe', 2, '../async-counter-unsafe.mjs'],
];

const rows = [];
for (const [name, lanes, file] of FIXTURES) {
  const row = { fixture: name, lanes };
  for (const strategy of ['natural', 'random', 'pct']) {
    const r = await runControlled(path.join(ROOT, 'fixtures/controlled', file ?? `${name}.mjs`), {
      lanes,
      strategy,
      seed: 1,
      rounds: ROUNDS,
      stopOnFailure: false,
    });
    row[strategy] = { failed: r.failedRounds / r.rounds, callsPerSec: r.calls / (r.durationMs / 1000) };
  }
  rows.push(row);
}
const pct = (x) => `${(100 * x).toFixed(1)}%`.padStart(7);
const cps = (x) => Math.round(x).toLocaleString('en-US').padStart(8);
console.log(`${ROUNDS} rounds per cell, 1 call per lane; failing rounds and calls/s (a round's setup/init/checks included)`);
console.log(
  `${'fixture'.padEnd(22)} lanes | ${'natural'.padStart(7)} ${'random'.padStart(7)} ${'pct3'.padStart(7)} | ${'natural'.padStart(8)} ${'random'.padStart(8)} ${'pct3'.padStart(8)}  ratio`,
);
for (const r of rows)
  console.log(
    `${r.fixture.padEnd(22)} ${String(r.lanes).padStart(5)} | ${pct(r.natural.failed)} ${pct(r.random.failed)} ${pct(r.pct.failed)} | ${cps(r.natural.callsPerSec)} ${cps(r.random.callsPerSec)} ${cps(r.pct.callsPerSec)}  ${(r.random.callsPerSec / r.natural.callsPerSec).toFixed(2)}x`,
  );

// The same lessons in the race strategy as a user runs it (`-s race`, default settings): every other
// round controlled. Per fixture: the share of natural and of controlled rounds that failed; for an
// unsafe lesson the time to its first failing round with the scheduler (mixed) and without (off); for
// a safe one (every round played) the race's rounds/s, mixed against off. Alternated runs, medians.
import { spawnSync } from 'node:child_process';

const RACE_RUNS = Number(process.env.SCHED_BENCH_RACE_RUNS ?? 3);
const RACE_FIXTURES = [
  'controlled/ticket-unsafe',
  'controlled/ticket-safe',
  'controlled/retry-unsafe',
  'controlled/retry-safe',
  'async-counter-unsafe',
  'async-counter-safe',
  'lazy-init-unsafe',
  'lazy-init-safe',
];
const raceRun = (fixture, scheduler, seed) => {
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin/adapter-hammer.js'),
      path.join(ROOT, 'fixtures', `${fixture}.mjs`),
      '-s',
      'race',
      '--seed',
      String(seed),
      '--scheduler',
      scheduler,
      '--json',
      '-',
    ],
    { encoding: 'utf8', env: { ...process.env, ADAPTER_HAMMER_SHRINK_MS: '0' }, maxBuffer: 64 << 20 },
  );
  const s = JSON.parse(r.stdout).strategies.find((x) => x.name === 'race');
  return { roundsPerSec: s.rounds / (s.durationMs / 1000), firstFailedMs: s.firstFailedMs, scheduler: s.scheduler };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cell = (text, width) => String(text).padStart(width);
console.log(`\nin the race strategy (-s race, defaults, shrink off), ${RACE_RUNS} alternated runs each, medians`);
console.log(`${'fixture'.padEnd(26)} | natural failed | controlled failed | 1st failure mixed | 1st failure off | rounds/s off | mixed | mixed/off`);
for (const fixture of RACE_FIXTURES) {
  const off = [];
  const on = [];
  for (let k = 0; k < RACE_RUNS; k++) {
    off.push(raceRun(fixture, 'off', 100 + k));
    on.push(raceRun(fixture, 'mixed', 100 + k));
  }
  const share = (f, n) => (n ? `${((100 * f) / n).toFixed(1)}% of ${n}` : 'none');
  const sum = (k) => on.reduce((a, x) => a + x.scheduler[k], 0);
  const first = (runs) => {
    const found = runs.filter((x) => x.firstFailedMs !== null);
    return found.length === runs.length ? `${Math.round(median(found.map((x) => x.firstFailedMs)))} ms` : `${runs.length - found.length}/${runs.length} never`;
  };
  const unsafe = fixture.includes('unsafe');
  const offRate = median(off.map((x) => x.roundsPerSec));
  const onRate = median(on.map((x) => x.roundsPerSec));
  console.log(
    [
      fixture.padEnd(26),
      cell(share(sum('failedNaturalRounds'), sum('naturalRounds')), 14),
      cell(share(sum('failedControlledRounds'), sum('controlledRounds')), 17),
      cell(unsafe ? first(on) : '-', 17),
      cell(unsafe ? first(off) : '-', 15),
      // An unsafe run stops after 20 failing rounds: its rounds/s is start-up, not pace.
      cell(unsafe ? '-' : Math.round(offRate).toLocaleString('en-US'), 12),
      cell(unsafe ? '-' : Math.round(onRate).toLocaleString('en-US'), 5),
      cell(unsafe ? '-' : `${(onRate / offRate).toFixed(2)}x`, 9),
    ].join(' | '),
  );
}
