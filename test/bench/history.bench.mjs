// What recording call histories costs on the hot path: no-op calls/s with recording off and on, side
// by side in one process (count rounds of HISTORY_CAP calls per worker, so every call of an "on"
// round is recorded), alternated, medians and their ratio. Sync and async no-ops, 2 workers x 1 lane,
// and an operation with an input (its input and output are kept too).
//   node test/bench/history.bench.mjs [--rounds N]
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
const dist = path.join(here, '../../dist');
const ROUNDS = Number(arg('rounds', 15));
const { WorkerSession } = await import(pathToFileURL(path.join(dist, 'pool/session.js')).href);
const { HISTORY_CAP } = await import(pathToFileURL(path.join(dist, 'pool/history.js')).href);

const dir = mkdtempSync(path.join(tmpdir(), 'ah-history-bench-'));
const adapters = {
  sync: 'export default { threadSafe: true, operations: { noop() {} } };\n',
  async: 'export default { threadSafe: true, operations: { async noop() {} } };\n',
  input: 'export default { threadSafe: true, operations: { noop: { input: (ctx) => ctx.call & 7, run: (k) => k } } };\n',
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [kind, source] of Object.entries(adapters)) {
  const file = path.join(dir, `noop-${kind}.mjs`);
  writeFileSync(file, source);
  const s = await openNoopSession(WorkerSession, file, { history: true });
  const rates = { off: [], on: [] };
  try {
    let round = 0;
    for (let i = 0; i < ROUNDS; i++) {
      for (const mode of i % 2 ? ['on', 'off'] : ['off', 'on']) {
        const t = await s.runRound({
          round: round++,
          seed: 1,
          shared: null,
          calls: [HISTORY_CAP, HISTORY_CAP],
          overlap: false,
          sampleEvery: 0,
          history: mode === 'on',
        });
        if (mode === 'on' && t.history.calls.length !== 2 * HISTORY_CAP) throw new Error(`recorded ${t.history.calls.length} calls`);
        rates[mode].push((t.ops[0].done / (t.endedAt - t.startedAt)) * 1000);
      }
    }
  } finally {
    await s.close();
  }
  const off = median(rates.off);
  const on = median(rates.on);
  console.log(
    `${kind.padEnd(6)} no-op, 2 workers x 1 lane, ${HISTORY_CAP} calls/worker, median of ${ROUNDS}: recording off ${(off / 1e6).toFixed(2)} M calls/s · on ${(on / 1e6).toFixed(2)} M calls/s · on/off ${(on / off).toFixed(2)}`,
  );
}
