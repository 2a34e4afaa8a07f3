// No-op calls/s through the pool alone (WorkerSession, no strategy on top): the hot path's cost.
// Duration rounds of a sync and an async no-op, 2 workers x 1 lane; prints each round and the median.
//   node test/bench/pool.bench.mjs [--dist DIR] [--seconds S] [--rounds N] [--kinds sync,async] [--json]
// --dist points at another build (e.g. of an older commit) to compare the same way: run both
// alternately, several times (the machines are noisy; figures only, no thresholds).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openNoopSession } from './noop-session.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(arg('dist', path.join(here, '../../dist')));
const SECONDS = Number(arg('seconds', 1));
const ROUNDS = Number(arg('rounds', 3));
const KINDS = arg('kinds', 'sync,async').split(',');
const { WorkerSession } = await import(pathToFileURL(path.join(dist, 'pool/session.js')).href);

const dir = mkdtempSync(path.join(tmpdir(), 'ah-pool-bench-'));
const adapters = {
  sync: 'export default { threadSafe: true, operations: { noop() {} } };\n',
  async: 'export default { threadSafe: true, operations: { async noop() {} } };\n',
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = {};
for (const kind of KINDS) {
  const file = path.join(dir, `noop-${kind}.mjs`);
  writeFileSync(file, adapters[kind]);
  const s = await openNoopSession(WorkerSession, file);
  const rates = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const t = await s.runRound({ round, seed: 1, shared: null, calls: { durationMs: SECONDS * 1000 }, overlap: false, sampleEvery: 0 });
      rates.push((t.ops[0].done / (t.endedAt - t.startedAt)) * 1000);
      if (!process.argv.includes('--json')) console.log(`  ${kind} no-op, round ${round}: ${(rates.at(-1) / 1e6).toFixed(2)} M calls/s`);
    }
  } finally {
    await s.close();
  }
  out[kind] = median(rates);
  if (!process.argv.includes('--json'))
    console.log(`${kind} no-op, 2 workers x 1 lane, ${SECONDS}s rounds, median of ${ROUNDS}: ${(out[kind] / 1e6).toFixed(2)} M calls/s (${dist})`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(out));
