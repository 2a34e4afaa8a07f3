// Robustness (issue 5): every broken adapter ends on time, with a named finding, and the process exits
// on its own. Every CLI run here goes through runCli, which kills the child and fails the test if it
// does not exit by itself: so each test below also checks "no stray threads or processes".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, fixture, runCli, tempAdapters } from './helpers/cli.mjs';
import { writeReportFile } from '../dist/reporters/report-file.js';

const out = mkdtempSync(path.join(tmpdir(), 'ah-robust-'));
let n = 0;
const jsonPath = () => path.join(out, `r${n++}.json`);

/** Run the CLI with a JSON report file; returns { code, stdout, stderr, json }. */
async function run(args, opts = {}) {
  const file = jsonPath();
  const r = await runCli([args[0], '--json', file, '--no-color', ...args.slice(1)], { timeoutMs: 60_000, ...opts });
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  let json = null;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* exit 2 writes no report */
  }
  return { ...r, json };
}

const findings = (json, kind) => json.findings.filter((f) => f.kind === kind);

// ---------------------------------------------------------------------------------------------
// 1. Hung call
test('hung promise: hang finding naming operation, worker and pending calls; ends soon after --timeout', async () => {
  const r = await run([fixture('hung-promise-unsafe.mjs'), '-s', 'hammer', '--timeout', '1000']);
  assert.equal(r.code, 1, r.stderr);
  const hangs = findings(r.json, 'hang');
  assert.ok(hangs.length >= 1, JSON.stringify(r.json.findings));
  const h = hangs[0];
  assert.equal(h.op, 'query');
  assert.equal(typeof h.workerId, 'number');
  assert.ok(h.count >= 1);
  assert.match(h.message, /operation 'query' in worker \d+ did not settle within \d+ ms \(calls still pending: \d+ query\)/);
  assert.match(r.stdout, /hang +operation 'query' in worker/);
});

test('hung promise: the adapter `timeout` field is the default, --timeout wins; default without either is 5000', async () => {
  const own = await run([fixture('hung-promise-safe.mjs'), '-s', 'hammer', '-n', '200']);
  assert.equal(own.code, 0, own.stdout);
  assert.equal(own.json.config.timeoutMs, 1000);
  const flag = await run([fixture('hung-promise-safe.mjs'), '-s', 'hammer', '-n', '200', '--timeout', '1500']);
  assert.equal(flag.json.config.timeoutMs, 1500);
  const none = await run([fixture('counter-safe.mjs'), '-s', 'hammer', '-n', '200']);
  assert.equal(none.json.config.timeoutMs, 5000);
});

// ---------------------------------------------------------------------------------------------
// 2. Synchronous infinite loop
test('infinite loop: detected from the main thread, worker terminated, hang, exit 1', async () => {
  const r = await run([fixture('infinite-loop-unsafe.mjs'), '-s', 'hammer,race', '-w', '2', '--timeout', '800']);
  assert.equal(r.code, 1, r.stderr);
  const hangs = findings(r.json, 'hang');
  assert.ok(
    hangs.some((h) => h.strategy === 'hammer' && h.op === 'read'),
    JSON.stringify(hangs),
  );
  assert.ok(
    hangs.some((h) => h.strategy === 'race' && h.op === 'read'),
    JSON.stringify(hangs),
  );
  // the calls before the loop still count (40 = 20 per worker, 2 workers whatever the machine); the rest never ran
  assert.equal(r.json.strategies[0].completed, 40);
});

// ---------------------------------------------------------------------------------------------
// 3. Crashed workers
test('process.exit() in an operation: crash with the exit code, other workers kept, never a hang', async () => {
  // Two workers, whatever this machine's default: worker 0 dies after 49 calls, worker 1 does its share.
  const r = await run([fixture('worker-exit-unsafe.mjs'), '-w', '2', '--timeout', '1000', '-r', '50', '-d', '0.2']);
  assert.equal(r.code, 1, r.stderr);
  const crashes = findings(r.json, 'crash');
  assert.deepEqual(
    crashes.map((c) => c.strategy),
    ['hammer', 'race', 'throughput'],
  );
  for (const c of crashes) assert.match(c.message, /worker 0 crashed: worker exited with code 3/);
  assert.equal(findings(r.json, 'hang').length, 0);
  const hammer = r.json.strategies[0];
  // worker 1 did its 10,000 calls; worker 0 died after 49
  assert.ok(hammer.completed >= 10_000 + 49 && hammer.completed < 20_000, `completed ${hammer.completed}`);
});

test('uncaught exception from a timer: crash with the error message', async () => {
  const r = await run([fixture('timer-throw-unsafe.mjs'), '-s', 'hammer,race', '-r', '50', '--timeout', '1000']);
  assert.equal(r.code, 1);
  const crashes = findings(r.json, 'crash');
  assert.equal(crashes.length, 2, JSON.stringify(r.json.findings));
  for (const c of crashes) assert.match(c.message, /worker 0 crashed: flush: buffer corrupted \(\d+ entries pending\)/);
});

test('unhandled rejection: crash with the rejection message, also in a round that otherwise completed', async () => {
  const r = await run([fixture('unhandled-rejection-unsafe.mjs'), '-s', 'hammer,race', '-r', '50']);
  assert.equal(r.code, 1);
  const crashes = findings(r.json, 'crash');
  assert.deepEqual(
    crashes.map((c) => c.strategy),
    ['hammer', 'race'],
  );
  for (const c of crashes) assert.match(c.message, /worker 0 crashed: audit log write failed for call 30/);
});

test('out of memory under the adapter`s resourceLimits: crash naming the memory limit', async () => {
  const r = await run([fixture('out-of-memory-unsafe.mjs'), '-s', 'hammer']);
  assert.equal(r.code, 1);
  const crashes = findings(r.json, 'crash');
  assert.ok(crashes.length >= 1);
  assert.match(crashes[0].message, /out of memory|memory limit/i);
});

const at = tempAdapters({
  'leak.mjs': `const keep = [];
    export default { threadSafe: true, operations: { grow() { keep.push(new Array(4096).fill(1)); } } };`,
  'bad-limits.mjs': `export default { operations: { a() {} }, resourceLimits: { maxOldGenerationSizeMb: -1 } };`,
  'bad-timeout.mjs': `export default { operations: { a() {} }, timeout: 'soon' };`,
  'exit-between-rounds.mjs': `export default { threadSafe: true, operations: { a({ workerId, call }) {
      if (workerId === 1 && call === 5) setTimeout(() => process.exit(9), 0); // fires after the round's reply
    } } };`,
});

test('--max-old-space <mb> caps each worker heap: a leaking adapter crashes its worker, not the machine', async () => {
  const r = await run([at('leak.mjs'), '-s', 'hammer', '-n', '100000', '--max-old-space', '24']);
  assert.equal(r.code, 1, r.stdout);
  assert.match(findings(r.json, 'crash')[0].message, /memory/i);
});

test('invalid timeout / resourceLimits in the adapter: exit 2, one line', async () => {
  for (const [file, pattern] of [
    ['bad-limits.mjs', /resourceLimits\.maxOldGenerationSizeMb` must be a number above 0/],
    ['bad-timeout.mjs', /`timeout` must be a whole number of milliseconds/],
  ]) {
    const r = await runCli([at(file)]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, pattern);
  }
});

test('a worker dying between two rounds is reported in the next round, never a hang', async () => {
  const r = await run([at('exit-between-rounds.mjs'), '-s', 'race', '-r', '200', '-i', '10', '--timeout', '1000']);
  assert.equal(r.code, 1);
  const crashes = findings(r.json, 'crash');
  assert.equal(crashes.length, 1, JSON.stringify(r.json.findings));
  assert.match(crashes[0].message, /worker 1 crashed: worker exited with code 9/);
});

// ---------------------------------------------------------------------------------------------
// 4. Hooks that fail
const hooks = tempAdapters({
  'hooks.mjs': `
    let A = {}, R = 0;
    const fail = (hook) => {
      if (A.fail !== hook || (A.round !== undefined && A.round !== R)) return undefined;
      if (A.mode === 'hang') return new Promise(() => {});
      const e = new TypeError(hook + ' broke\\nsecond line of ' + hook);
      if (A.mode === 'reject') return Promise.reject(e);
      throw e;
    };
    export default {
      threadSafe: true,
      setup({ args, round }) { A = args; R = round; return fail('setup') ?? { args }; },
      init(shared, { round }) { A = shared.args; R = round; return fail('init'); },
      operations: { a() {} },
      stats() { return fail('stats') ?? {}; },
      workerStats() { return fail('workerStats') ?? {}; },
      expected() { return fail('expected') ?? {}; },
      invariant() { return fail('invariant'); },
      teardown() { process.stderr.write('TEARDOWN ' + R + '\\n'); return fail('teardown'); },
    };`,
});

const hookRun = (hook, mode, extra = []) =>
  run([hooks('hooks.mjs'), '-s', 'hammer', '-n', '200', '--timeout', '500', ...extra, '--', '--fail', hook, '--mode', mode]);

// Each hook x each strategy, thrown and hung, is in rounds.test.mjs (through the API, one round path).
// Here, through the CLI: a rejected promise, the exit code, the first line only, teardown still run.
for (const hook of ['stats', 'workerStats', 'expected', 'invariant', 'teardown']) {
  test(`hook ${hook} rejects (CLI): finding names the hook and the first line; teardown ran; exit 1`, async () => {
    const r = await hookRun(hook, 'reject');
    assert.equal(r.code, 1, r.stderr);
    const f = r.json.findings.find((x) => x.message.includes(`${hook} broke`));
    assert.ok(f, JSON.stringify(r.json.findings));
    assert.match(
      f.message,
      hook === 'invariant'
        ? /invariant threw: TypeError: invariant broke$/
        : new RegExp(`hook '${hook}' (threw|failed in worker \\d+): TypeError: ${hook} broke$`),
    );
    assert.doesNotMatch(f.message, /second line/);
    assert.match(r.stderr, /TEARDOWN 0/, 'teardown still runs after a failed round');
  });
}

test('hook setup hangs in a later round (CLI): hang finding naming the hook and --setup-timeout, exit 1', async () => {
  const r = await run([hooks('hooks.mjs'), '-s', 'race', '-r', '20', '--setup-timeout', '500', '--', '--fail', 'setup', '--mode', 'hang', '--round', '2']);
  assert.equal(r.code, 1, r.stderr);
  const h = findings(r.json, 'hang');
  assert.ok(h.length >= 1 && h.every((x) => x.message === "hook 'setup' did not settle within 500 ms (--setup-timeout)"), JSON.stringify(r.json.findings));
});

for (const hook of ['setup', 'init']) {
  for (const strategy of ['hammer', 'race', 'throughput']) {
    test(`${hook} throwing in the run's first round (${strategy}): cannot set up, exit 2 with one line`, async () => {
      const r = await runCli([hooks('hooks.mjs'), '-s', strategy, '--', '--fail', hook, '--mode', 'throw']);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('TEARDOWN'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0],
        new RegExp(
          `^adapter-hammer: \\S+hooks\\.mjs: cannot set up the adapter: hook '${hook}' threw( in worker \\d+)? before any call: TypeError: ${hook} broke$`,
        ),
      );
      assert.equal(r.stdout, '');
    });
  }
}

test('setup throwing in a later round is a finding (exit 1), and stops the race', async () => {
  const r = await run([hooks('hooks.mjs'), '-s', 'race', '-r', '50', '--', '--fail', 'setup', '--mode', 'reject', '--round', '3']);
  assert.equal(r.code, 1, r.stderr);
  const f = r.json.findings.find((x) => x.hook === 'setup');
  assert.match(f.message, /hook 'setup' threw: TypeError: setup broke$/);
  assert.equal(r.json.strategies[0].rounds, 4);
});

// ---------------------------------------------------------------------------------------------
// 5. Deadlock from a non-reentrant lock
test('deadlock-unsafe: hang suggesting a reentrant lock or lock ordering; deadlock-safe passes', async () => {
  const bad = await run([fixture('deadlock-unsafe.mjs'), '-s', 'hammer']);
  assert.equal(bad.code, 1);
  const h = findings(bad.json, 'hang');
  assert.ok(h.length >= 1);
  assert.ok(['deposit', 'withdraw'].includes(h[0].op));
  assert.match(h[0].message, /reentrant lock/);
  assert.match(h[0].message, /same order/);
  const good = await run([fixture('deadlock-safe.mjs'), '-s', 'hammer,race', '-r', '300']);
  assert.equal(good.code, 0, good.stdout);
});

// The robustness fixtures with default flags (hang and crash lessons) run in fixtures.test.mjs.

// ---------------------------------------------------------------------------------------------
// 6. Ctrl-C and SIGTERM
function spawnCli(args) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve, reject) => {
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit: ${stderr}`));
    }, 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, at: Date.now() });
    });
  });
  return { child, done, stderrSoFar: () => stderr };
}

/** Wait until the adapter said `marker` on stderr (the run is under way), then a little longer. */
async function started(c, extraMs = 300, marker = 'READY') {
  for (let i = 0; i < 400 && !c.stderrSoFar().includes(marker); i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, extraMs));
}

const sig = tempAdapters({
  // counter-safe, saying READY once its first setup ran
  'ready-safe.mjs': `
    let said = false, v;
    export default {
      threadSafe: true,
      setup() { if (!said) { said = true; process.stderr.write('READY\\n'); } return new SharedArrayBuffer(4); },
      init(b) { v = new Int32Array(b); },
      operations: { increment() { Atomics.add(v, 0, 1); } },
      stats(b) { return { increment: new Int32Array(b)[0] }; },
    };`,
  // a teardown that never settles once Ctrl-C was pressed (a connection that will not close)
  'teardown-hangs-after-sigint.mjs': `
    let said = false, sigint = false;
    process.on('SIGINT', () => (sigint = true));
    export default {
      threadSafe: true,
      setup() { if (!said) { said = true; process.stderr.write('READY\\n'); } },
      operations: { a() {} },
      teardown() { if (sigint) { process.stderr.write('TEARDOWN HANGS\\n'); return new Promise(() => {}); } },
    };`,
  // infinite-loop-unsafe, saying READY
  'ready-loop.mjs': `
    export default {
      threadSafe: true,
      setup() { process.stderr.write('READY\\n'); },
      operations: { spin({ call }) { if (call === 3) for (;;) {} } },
    };`,
});

for (const [strategy, signal, code] of [
  ['hammer', 'SIGINT', 130],
  ['race', 'SIGINT', 130],
  ['throughput', 'SIGINT', 130],
  ['race', 'SIGTERM', 143],
]) {
  test(`${signal} during ${strategy}: workers stop, partial report (terminal and --json), exit ${code}, quickly`, async () => {
    const file = jsonPath();
    const c = spawnCli([sig('ready-safe.mjs'), '-s', strategy, '-n', '500000000', '-r', '10000000', '-d', '60', '--json', file, '--no-color']);
    await started(c);
    c.child.kill(signal);
    const r = await c.done;
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, new RegExp(`${signal} — stopping workers`));
    assert.match(r.stdout, /INTERRUPTED/);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(json.interrupted, true);
    assert.equal(json.exitCode, code);
    assert.equal(json.strategies[0].name, strategy);
  });
}

test('SIGINT while a worker is stuck in a synchronous loop: terminated, exit 130 within a couple of seconds', async () => {
  const c = spawnCli([sig('ready-loop.mjs'), '--timeout', '60000']);
  await started(c, 500);
  c.child.kill('SIGINT');
  const r = await c.done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /INTERRUPTED/);
});

test('SIGINT while a main-thread hook hangs: no wait for its deadline', async () => {
  const c = spawnCli([hooks('hooks.mjs'), '-s', 'race', '--timeout', '60000', '--', '--fail', 'setup', '--mode', 'hang', '--round', '5']);
  await started(c, 100, 'TEARDOWN 0');
  c.child.kill('SIGINT');
  const r = await c.done;
  assert.equal(r.code, 130, r.stderr);
  // Waiting out the hook's 60 s deadline would have made the harness kill the run (runCli's limit).
  assert.match(r.stdout, /INTERRUPTED/);
  assert.doesNotMatch(r.stdout, /hook 'setup'/, 'an interrupted hook is not a finding');
});

test('a second Ctrl-C exits at once (here: the teardown after the first one hangs)', async () => {
  const c = spawnCli([sig('teardown-hangs-after-sigint.mjs'), '-s', 'race', '-r', '10000000', '--timeout', '60000']);
  await started(c);
  c.child.kill('SIGINT');
  await started(c, 100, 'TEARDOWN HANGS'); // the interrupted round's teardown: 60 s until its deadline
  c.child.kill('SIGINT');
  const r = await c.done;
  // The hung teardown has a 60 s deadline: only the second Ctrl-C ends the run before it (or the harness's limit).
  assert.equal(r.code, 130);
});

// ---------------------------------------------------------------------------------------------
// 7. Report files and adapter text
test('writeReportFile: temp file + rename, nothing left behind, also when the write fails', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-atomic-'));
  const file = path.join(dir, 'report.json');
  writeFileSync(file, '{"old": true}');
  writeReportFile(file, '{"new": true}\n');
  assert.equal(readFileSync(file, 'utf8'), '{"new": true}\n');
  assert.deepEqual(readdirSync(dir), ['report.json']);
  mkdirSync(path.join(dir, 'taken.json'));
  assert.throws(() => writeReportFile(path.join(dir, 'taken.json'), 'x'));
  assert.deepEqual(readdirSync(dir).sort(), ['report.json', 'taken.json']);
  rmSync(dir, { recursive: true });
});

test('the CLI writes --json atomically: no temp file next to the report', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-atomic-cli-'));
  const r = await runCli([fixture('worker-exit-unsafe.mjs'), '-s', 'hammer', '--json', path.join(dir, 'r.json')]);
  assert.equal(r.code, 1);
  assert.deepEqual(readdirSync(dir), ['r.json']);
  JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8'));
});

test('adapter messages with control characters and huge sizes: truncated at the source, JSON and terminal well-formed', async () => {
  const nasty = tempAdapters({
    'nasty.mjs': `
      const nasty = '\\u001b[31mRED\\u001b[0m \\u0007bell \\r\\rCR "quote" \\\\ back \\u2028LS \\ud800 lone ' + 'x'.repeat(3_000_000) + '\\nsecond line';
      export default {
        threadSafe: true,
        operations: { a({ call }) { if (call % 7 === 0) throw new Error(nasty); } },
        invariant() { return 'bad ' + nasty; },
        teardown() { throw { toString() { throw new Error('hostile'); } }; },
      };`,
  });
  const r = await run([nasty('nasty.mjs'), '-s', 'hammer', '-n', '1000']);
  assert.equal(r.code, 1);
  assert.ok(r.stdout.length < 20_000, `terminal report is ${r.stdout.length} chars`);
  assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f\u2028]/, 'no control characters reach the terminal');
  for (const f of r.json.findings) assert.ok(f.message.length <= 1200, `${f.kind}: ${f.message.length} chars`);
  const err = r.json.findings.find((f) => f.kind === 'error' && f.op === 'a');
  assert.match(err.message, /first: \u001b\[31mRED/);
  assert.doesNotMatch(err.message, /second line/);
  assert.ok(r.json.findings.some((f) => f.kind === 'invariant'));
  assert.ok(r.json.findings.some((f) => f.hook === 'teardown' && /cannot be turned into text/.test(f.message)));
});

// ---------------------------------------------------------------------------------------------
// 9. Stress test of the harness (exact counts only; the timing and memory figures are the bench's)
test('stress: 20 workers x 50 lanes, exact counts (smaller call count than the bench)', async () => {
  const r = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(ROOT, 'test/bench/stress.bench.mjs'), '--calls-per-worker', '10000', '--rounds', '30'], {
      cwd: ROOT,
    });
    let s = '';
    child.stdout.on('data', (d) => (s += d));
    child.stderr.on('data', (d) => (s += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stress bench did not exit:\n${s}`));
    }, 120_000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, s });
    });
  });
  assert.equal(r.code, 0, r.s);
  assert.match(r.s, /200,000 calls: 200,000 ok/);
  assert.match(r.s, /counts {2}exact/);
});

// A worker whose event loop is blocked *between* rounds (a timer that never returns) never takes the
// next round: the watchdog must see it still showing the previous round, not trust its "done" phase.
test('a worker blocked between rounds is a hang, not a stalled run', async () => {
  const file = tempAdapters({
    'late-block.mjs': `
      let armed = false;
      export default {
        threadSafe: true,
        init(shared, ctx) {
          if (ctx.workerId === 0 && !armed) { armed = true; setTimeout(() => { for (;;); }, 30); }
        },
        operations: { a() {} },
      };`,
  })('late-block.mjs');
  const r = await runCli([file, '-s', 'race', '-r', '10000000', '--timeout', '1000', '--json', '-'], { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stderr);
  const hang = JSON.parse(r.stdout).findings.find((f) => f.kind === 'hang');
  assert.ok(hang, r.stdout);
  assert.equal(hang.workerId, 0);
  // Between two exchanges it is "since the previous round"; inside a batch, the round's closing turn runs the timer.
  assert.match(hang.message, /event loop, blocked (since the previous round|after every call had returned)/);
});
