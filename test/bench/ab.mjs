// A/B of the pool's no-op calls/s between builds: runs pool.bench.mjs for each --dist in turn,
// alternating, --times times, and prints per build the median of the per-run medians (noisy
// machines: alternate, repeat, compare medians; figures only).
//   node test/bench/ab.mjs --times 8 [--seconds 0.5] [--rounds 5] DIST_A DIST_B ...
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const times = Number(opt('times', 6));
const seconds = opt('seconds', '0.5');
const rounds = opt('rounds', '5');
const dists = argv.length ? argv : [path.join(path.dirname(fileURLToPath(import.meta.url)), '../../dist')];
const bench = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pool.bench.mjs');
const runs = new Map(dists.map((d) => [d, []]));
for (let i = 0; i < times; i++) {
  // Rotate the order each time, so neither build always runs first.
  for (let j = 0; j < dists.length; j++) {
    const d = dists[(i + j) % dists.length];
    const r = spawnSync(process.execPath, [bench, '--json', '--dist', d, '--seconds', seconds, '--rounds', rounds], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${d}: ${r.stderr}`);
    runs.get(d).push(JSON.parse(r.stdout.trim().split('\n').pop()));
    console.log(
      `  run ${i + 1} ${d}: ${Object.entries(runs.get(d).at(-1))
        .map(([k, v]) => `${k} ${(v / 1e6).toFixed(1)}`)
        .join(', ')} M/s`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [d, rs] of runs) {
  const kinds = Object.keys(rs[0]);
  console.log(
    `${d}: ${kinds.map((k) => `${k} median ${(median(rs.map((r) => r[k])) / 1e6).toFixed(1)} M/s (min ${(Math.min(...rs.map((r) => r[k])) / 1e6).toFixed(1)}, max ${(Math.max(...rs.map((r) => r[k])) / 1e6).toFixed(1)})`).join('; ')} over ${rs.length} runs`,
  );
}
