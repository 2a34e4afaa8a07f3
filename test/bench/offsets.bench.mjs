// Why layout.ts's hot-path offsets are const enums (numbers written in place by tsc) and not exported
// `const`s: the same lane loop, once with imported constants and once with literals, one thread,
// alternating, median calls/s of each (figures only).
//   node test/bench/offsets.bench.mjs [calls per run, default 5e7] [runs, default 7]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const N = Number(process.argv[2] ?? 5e7);
const RUNS = Number(process.argv[3] ?? 7);
const dir = mkdtempSync(path.join(tmpdir(), 'ah-offsets-'));
const loop = (stride, started, done, errors) => `
export async function lane(tally, fns, sched, n) {
  for (let i = 0; i < n; i++) {
    const op = sched[i & 1023];
    const slot = 8 + ${stride} * op;
    tally[0] = i;
    tally[1] = op;
    tally[slot + ${started}]++;
    try {
      let v = fns[op](i);
      if (v !== null && typeof v === 'object' && typeof v.then === 'function') v = await v;
      tally[slot + ${done}]++;
    } catch {
      tally[slot + ${errors}]++;
    }
  }
}`;
writeFileSync(path.join(dir, 'consts.mjs'), 'export const OP_STRIDE = 3, STARTED = 0, DONE = 1, ERRORS = 2;\n');
writeFileSync(
  path.join(dir, 'imported.mjs'),
  `import { OP_STRIDE, STARTED, DONE, ERRORS } from './consts.mjs';\n${loop('OP_STRIDE', 'STARTED', 'DONE', 'ERRORS')}`,
);
writeFileSync(path.join(dir, 'literal.mjs'), loop(3, 0, 1, 2));
const variants = {
  'imported consts': await import(pathToFileURL(path.join(dir, 'imported.mjs')).href),
  literals: await import(pathToFileURL(path.join(dir, 'literal.mjs')).href),
};
const tally = new Float64Array(new SharedArrayBuffer(8 * 64));
const sched = new Uint16Array(1024).map((_, i) => i % 2);
const fns = [() => {}, () => {}];
const rates = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) {
  for (const [name, m] of Object.entries(variants)) {
    const t0 = performance.now();
    await m.lane(tally, fns, sched, N);
    rates[name].push(N / (performance.now() - t0) / 1e3);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of Object.entries(rates))
  console.log(`${name.padEnd(16)} median ${median(xs).toFixed(1)} M calls/s (runs: ${xs.map((x) => x.toFixed(1)).join(', ')})`);
