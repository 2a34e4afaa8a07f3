// A run's worker threads serve session after session (pool/threads.ts): each thread loads the adapter
// once per run, not once per strategy, throughput point or search trial; a thread that hung is never
// given to a later session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli, tempAdapters } from './helpers/cli.mjs';
import { workerExecArgv } from '../dist/pool/threads.js';

// Each worker thread that evaluates the module appends its threadId to the file named by AH_LOADS.
const LOADS = `import { appendFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
if (!isMainThread) appendFileSync(process.env.AH_LOADS, threadId + '\\n');
`;
const at = tempAdapters({
  'loads.mjs': `${LOADS}export default { threadSafe: true, operations: { a() {} } };`,
  // Worker 1's first call never settles: the hammer's workers are then stopped, not kept.
  'hangs.mjs': `${LOADS}export default { threadSafe: true, timeout: 500, operations: { a: ({ workerId, call }) => workerId === 1 && call === 0 ? new Promise(() => {}) : undefined } };`,
  // Preloaded (NODE_OPTIONS=--import) into every thread: worker threads fail before their task starts.
  'worker-throws.mjs': `import { isMainThread } from 'node:worker_threads';
if (!isMainThread) throw new Error('boom before the task');`,
  'loads.txt': '',
  'hangs.txt': '',
});

/** The threadIds that loaded the adapter, in order. */
const loads = (file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);

test('the threads of a run load the adapter once: the hammer`s workers serve the race and every throughput point', async () => {
  const file = at('loads.txt');
  const r = await runCli([at('loads.mjs'), '-w', '2', '-r', '20', '-d', '0.1', '--scheduler', 'off', '--json', '-'], { env: { AH_LOADS: file } });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.strategies.map((s) => s.verdict),
    ['pass', 'pass', 'pass'],
  );
  const ids = loads(file);
  assert.equal(new Set(ids).size, ids.length, `a thread loaded the adapter twice: ${ids}`);
  assert.equal(ids.length, 2, `3 strategies on 2 workers loaded it ${ids.length} times: ${ids}`);
});

test('a thread that hung is not given to the next strategy: it is stopped, and fresh threads load the adapter', async () => {
  const file = at('hangs.txt');
  writeFileSync(file, '');
  const r = await runCli([at('hangs.mjs'), '-w', '2', '-s', 'hammer,race', '-r', '5', '--scheduler', 'off', '--json', '-'], { env: { AH_LOADS: file } });
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(report.findings.some((f) => f.strategy === 'hammer' && f.kind === 'hang'));
  const ids = loads(file);
  assert.equal(new Set(ids).size, ids.length, `a thread loaded the adapter twice: ${ids}`);
  // The hammer's 2, then the race's: the hung worker's thread is gone, so at least one new thread.
  assert.ok(ids.length >= 3, `the race ran on the hammer's hung threads: ${ids}`);
});

test("workers inherit the process's Node options, but not those about its own entry (--input-type, -e, -p)", () => {
  // Nothing to leave out: Node's own inheritance (which drops what a worker cannot take, e.g. --expose-gc).
  assert.equal(workerExecArgv(['--expose-gc', '--no-warnings']), undefined);
  assert.deepEqual(workerExecArgv(['--input-type=module', '-e', 'code', '--no-warnings']), ['--no-warnings']);
  assert.deepEqual(workerExecArgv(['--input-type', 'module', '--eval', 'code', '--enable-source-maps']), ['--enable-source-maps']);
  // Given explicitly, what a worker refuses is left out too.
  assert.deepEqual(workerExecArgv(['-p', 'expr', '--expose-gc', '--no-deprecation']), ['--no-deprecation']);
});

test('a worker thread that fails before its task starts is a crash with its error, not a wait for --setup-timeout', async () => {
  const r = await runCli([at('loads.mjs'), '-w', '2', '-s', 'hammer', '--setup-timeout', '600000', '--json', '-'], {
    env: { NODE_OPTIONS: `--import ${at('worker-throws.mjs')}`, AH_LOADS: at('loads.txt') },
  });
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  const crash = report.findings.find((f) => f.kind === 'crash');
  assert.match(crash?.message ?? '', /could not start: boom before the task/, JSON.stringify(report.findings));
});
