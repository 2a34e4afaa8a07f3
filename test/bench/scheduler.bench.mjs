// Controlled scheduling, measured on the path users run, side by side with Node's own order.
//
// 1. What a controlled call costs: each lesson's adapter in a real session (worker threads, the adapter
//    loaded through the instrumenting loader), natural and controlled rounds alternated on the same
//    session, the same calls per round (8 lanes x 2 calls per worker: a controlled round's size). Per
//    call: the whole round (the main thread's wait for it: messages, barrier, calls, answers), the calls
//    alone (the workers' own clock), and the process's CPU time. Medians; the ratio controlled/natural.
// 2. The race as a user runs it (`-s race`, defaults, shrink off): the share of natural and controlled
//    rounds that fail, the first failure with the scheduler (mixed) and without (off), rounds/s mixed vs
//    off. Alternated runs, medians.
//
// SCHED_BENCH_ROUNDS (default 300) rounds of each kind per fixture in part 1; SCHED_BENCH_RACE_RUNS
// (default 3) runs per fixture and mode in part 2; SCHED_BENCH_PARTS=1 or 2 runs one part.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { controlledSession } = await import('../helpers/controlled.mjs');
const ROUNDS = Number(process.env.SCHED_BENCH_ROUNDS ?? 300);
const RACE_RUNS = Number(process.env.SCHED_BENCH_RACE_RUNS ?? 3);
const PARTS = (process.env.SCHED_BENCH_PARTS ?? '1,2').split(',');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cell = (text, width) => String(text).padStart(width);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

console.log(
  `${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (${readFileSync('/proc/loadavg', 'utf8').trim()})`,
);

if (PARTS.includes('1')) {
  const FIXTURES = ['controlled/ticket-safe', 'controlled/retry-safe', 'controlled/queue-order-safe', 'controlled/queue-chain-safe', 'async-counter-safe'];
  const LANES = 8;
  const CALLS = 16;
  for (const workers of [1, 2]) {
    console.log(
      `\n1. a controlled call vs a natural one: ${workers} worker(s) x ${LANES} lanes, ${CALLS} calls per worker per round, ${ROUNDS} rounds of each kind alternated; medians per call`,
    );
    console.log(
      `${'fixture'.padEnd(28)} | ${'round: natural'.padStart(14)} ${'controlled'.padStart(10)} ${'ratio'.padStart(6)} | ${'calls: natural'.padStart(14)} ${'controlled'.padStart(10)} ${'ratio'.padStart(6)} | ${'cpu: natural'.padStart(12)} ${'controlled'.padStart(10)} ${'ratio'.padStart(6)}`,
    );
    for (const fixture of FIXTURES) {
      const c = await controlledSession(path.join(ROOT, 'fixtures', `${fixture}.mjs`), { workers, lanes: LANES });
      const m = { natural: { round: [], calls: [], cpu: [] }, controlled: { round: [], calls: [], cpu: [] } };
      try {
        for (let i = 0; i < ROUNDS + 20; i++) {
          for (const kind of i % 2 ? ['natural', 'controlled'] : ['controlled', 'natural']) {
            const pct = (i >> 1) % 2 === 1;
            const t = performance.now();
            const cpu = cpuMs();
            const r = await c.round({ calls: CALLS, seed: i, natural: kind === 'natural', strategy: pct ? 'pct' : 'random', depth: pct ? 3 : 0, trace: false });
            if (i < 20) continue; // warm-up
            const perCall = (ms) => (ms * 1000) / (CALLS * workers);
            m[kind].round.push(perCall(performance.now() - t));
            m[kind].calls.push(perCall(r.endedAt - r.startedAt));
            m[kind].cpu.push(perCall(cpuMs() - cpu));
          }
        }
      } finally {
        await c.close();
      }
      const us = (xs) => `${median(xs).toFixed(1)} us`;
      const ratio = (k) => `${(median(m.controlled[k]) / median(m.natural[k])).toFixed(2)}x`;
      console.log(
        [
          fixture.padEnd(28),
          `${cell(us(m.natural.round), 14)} ${cell(us(m.controlled.round), 10)} ${cell(ratio('round'), 6)}`,
          `${cell(us(m.natural.calls), 14)} ${cell(us(m.controlled.calls), 10)} ${cell(ratio('calls'), 6)}`,
          `${cell(us(m.natural.cpu), 12)} ${cell(us(m.controlled.cpu), 10)} ${cell(ratio('cpu'), 6)}`,
        ].join(' | '),
      );
    }
  }
}

if (PARTS.includes('2')) {
  const RACE_FIXTURES = [
    'controlled/ticket-unsafe',
    'controlled/ticket-safe',
    'controlled/retry-unsafe',
    'controlled/retry-safe',
    'controlled/queue-order-unsafe',
    'controlled/queue-order-safe',
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
  console.log(`\n2. in the race strategy (-s race, defaults, shrink off), ${RACE_RUNS} alternated runs each, medians`);
  console.log(`${'fixture'.padEnd(30)} | natural failed | controlled failed | 1st failure mixed | 1st failure off | rounds/s off | mixed | mixed/off`);
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
      return found.length === runs.length
        ? `${Math.round(median(found.map((x) => x.firstFailedMs)))} ms`
        : `${runs.length - found.length}/${runs.length} never`;
    };
    const unsafe = fixture.includes('unsafe');
    const offRate = median(off.map((x) => x.roundsPerSec));
    const onRate = median(on.map((x) => x.roundsPerSec));
    console.log(
      [
        fixture.padEnd(30),
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
}
