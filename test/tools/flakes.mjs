// Flake count (issue 26.7): runs every test file N times, one file at a time as `npm test` does, and
// prints per test how often it failed, and per file its median duration (where the suite's time goes).
//
//   node test/tools/flakes.mjs [--runs 10] [--json out.json] [test/x.test.mjs ...]
//
// Run it in a fresh clone after `npm ci` (README, "Developing"): the clone is what CI tests.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, json: { type: 'string' } },
  allowPositionals: true,
});
const runs = Number(values.runs);
const files = positionals.length
  ? positionals
  : readdirSync(path.join(ROOT, 'test'))
      .filter((f) => f.endsWith('.test.mjs'))
      .sort()
      .map((f) => path.join('test', f));

/** One run of one file: its duration and the names of its failed tests (TAP `not ok` lines). */
function runFile(file) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      // Top-level tests only (no indentation): a failing subtest fails its parent anyway.
      const failed = [...out.matchAll(/^not ok \d+ - (.*)$/gm)].map((m) => m[1]);
      if (code !== 0 && failed.length === 0) failed.push(`(the file exited with code ${code})`);
      resolve({ ms: performance.now() - t0, failed });
    });
  });
}

const failures = new Map(); // "file: test" -> count
const durations = new Map(); // file -> ms[]
for (let r = 1; r <= runs; r++) {
  let total = 0;
  for (const file of files) {
    const { ms, failed } = await runFile(file);
    total += ms;
    durations.set(file, [...(durations.get(file) ?? []), ms]);
    for (const name of failed) failures.set(`${file}: ${name}`, (failures.get(`${file}: ${name}`) ?? 0) + 1);
  }
  process.stdout.write(`run ${r}/${runs}: ${(total / 1000).toFixed(0)} s, failures so far ${[...failures.values()].reduce((a, b) => a + b, 0)}\n`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const byTime = [...durations].map(([file, ms]) => ({ file, medianMs: Math.round(median(ms)) })).sort((a, b) => b.medianMs - a.medianMs);
process.stdout.write(`\nfailures per test over ${runs} runs${failures.size ? '' : ': none'}\n`);
for (const [name, n] of [...failures].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${n}/${runs}  ${name}\n`);
process.stdout.write('\nmedian time per file\n');
for (const { file, medianMs } of byTime) process.stdout.write(`  ${(medianMs / 1000).toFixed(1).padStart(6)} s  ${file}\n`);
if (values.json) writeFileSync(values.json, JSON.stringify({ runs, failures: Object.fromEntries(failures), files: byTime }, null, 2) + '\n');
