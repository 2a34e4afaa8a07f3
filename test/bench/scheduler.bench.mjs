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
