// Compiled by test/types.test.mjs: a consumer that passes every option of hammer() (the test checks it
// names every option of the table) must type-check against the shipped types, in each form a value takes.
import { hammer, type HammerOptions, type Report } from 'adapter-hammer';

export async function everyOption(signal: AbortSignal): Promise<Report[]> {
  const first = await hammer('./adapter.mjs', {
    strategy: ['hammer', 'race', 'throughput'],
    workers: 2,
    concurrency: 4,
    requests: 1000,
    iterations: 20,
    rounds: 50,
    duration: 0.5,
    minOps: 100,
    ops: ['read'],
    seed: 42,
    timeout: 1000,
    setupTimeout: 60_000,
    time: '90s',
    maxOldSpace: 128,
    shard: '1/2',
    scheduler: 'pct:3',
    schedule: '0:a1b2,c3d4',
    instrument: ['node_modules/my-db/**'],
    confidence: '1/5000@99%',
    strict: true,
    html: 'report.html',
    args: { dbPath: 'x.db' },
    signal,
    print: process.stderr,
    color: false,
    progress: ({ strategy, phase, done }) => void [strategy, phase, done],
    cwd: '.',
  });
  // The other forms of the values that take two.
  const second = await hammer('./adapter.mjs', {
    time: 90,
    shard: { index: 2, count: 2 },
    seed: 42,
    scheduler: 'off',
    confidence: { oneIn: 200, probability: 0.95 },
    args: ['--db-path', 'x.db'],
    print: true,
  });
  const defaults: HammerOptions = {};
  return [first, second, await hammer('./adapter.mjs', defaults)];
}
