// Setup's own deadline (issue 26 item 2): the hooks that prepare (`setup`, `init`) are bounded by
// --setup-timeout, not by --timeout (a call's hang limit). A slow start is never a finding; a first round
// that cannot be set up (its setup or init throws or never settles) is exit 2 with one line, on time.
// Each CLI run gives --timeout far above the test's own limit where it matters: a hook bounded by
// --timeout instead of --setup-timeout would make the harness kill the run and the test fail.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.mjs';
import { hammer } from '../dist/index.js';
import { makePlan, readEnvironment } from '../dist/plan/plan.js';
import { replayCommand } from '../dist/plan/replay.js';
import { loadAdapter } from '../dist/adapter/load.js';
import { RunContext } from '../dist/rounds/context.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ah-setup-timeout-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name) => path.join(dir, name);

// `-- --hook setup|init --mode slow|hang|throw --ms N --round R`: that hook, in round R (default: the
// run's first round of each strategy, round 0), sleeps N ms, never settles, or throws.
writeFileSync(
  at('prepare.mjs'),
  `
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const act = (A, hook, round) => {
    if (A.hook !== hook || (A.round ?? 0) !== round) return undefined;
    if (A.mode === 'hang') return new Promise(() => {});
    if (A.mode === 'throw') throw new Error(hook + ' could not reach the database');
    return sleep(A.ms ?? 0);
  };
  let v;
  export default {
    threadSafe: true,
    async setup({ args, round }) {
      await act(args, 'setup', round);
      return { args, buf: new SharedArrayBuffer(4) };
    },
    async init(shared, { round }) {
      v = new Int32Array(shared.buf);
      await act(shared.args, 'init', round);
    },
    operations: { increment() { Atomics.add(v, 0, 1); } },
    stats: (s) => ({ increment: new Int32Array(s.buf)[0] }),
  };`,
);
// A setup that never settles, with the adapter's own setupTimeout.
writeFileSync(
  at('own-deadline.mjs'),
  `
  export default {
    threadSafe: true,
    setupTimeout: 250,
    setup: () => new Promise(() => {}),
    operations: { a() {} },
  };`,
);

// Hooks that take their time: globalSetup 1.5 s, setup as long as args.slow says (RunContext tests).
writeFileSync(
  at('global.mjs'),
  `
  export default {
    threadSafe: true,
    globalSetup: () => new Promise((r) => setTimeout(r, 1500)),
    setup: ({ args }) => new Promise((r) => setTimeout(() => r({}), args.slow ?? 0)),
    operations: { a() {} },
  };`,
);

let n = 0;
async function run(args, extra = []) {
  const file = at(`r${n++}.json`);
  const r = await runCli([at('prepare.mjs'), '--json', file, '--no-color', ...args, '--', ...extra], { timeoutMs: 60_000 });
  let json = null;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* exit 2 writes no report */
  }
  return { ...r, json };
}

const oneLine = (stderr) => {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  return lines[0];
};

test('a setup slower than --timeout is no hang: the run passes (setup has --setup-timeout)', async () => {
  const r = await run(
    ['-s', 'hammer,race', '-w', '2', '-c', '1', '-n', '200', '-i', '5', '-r', '10', '--timeout', '200'],
    ['--hook', 'setup', '--mode', 'slow', '--ms', '900'],
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(r.json.findings, []);
  assert.equal(r.json.config.setupTimeoutMs, 60_000);
});

test('an init slower than --timeout in every worker is no hang: the run passes', async () => {
  const r = await run(['-s', 'race', '-w', '2', '-c', '1', '-i', '5', '-r', '10', '--timeout', '200'], ['--hook', 'init', '--mode', 'slow', '--ms', '900']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.json.strategies[0].rounds, 10);
});

for (const hook of ['setup', 'init']) {
  test(`${hook} that never settles in the first round: exit 2 "cannot set up" within --setup-timeout (not --timeout)`, async () => {
    const r = await run(['-s', 'race', '-w', '2', '--setup-timeout', '300', '--timeout', '600000'], ['--hook', hook, '--mode', 'hang']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    const where = hook === 'init' ? ' in worker \\d+' : '';
    assert.match(
      oneLine(r.stderr),
      new RegExp(`^adapter-hammer: \\S+prepare\\.mjs: cannot set up the adapter: hook '${hook}' did not settle${where} within 300 ms \\(--setup-timeout\\)$`),
    );
  });

  test(`${hook} that throws in the first round: exit 2 "cannot set up" with the reason`, async () => {
    const r = await run(['-s', 'hammer', '--timeout', '600000'], ['--hook', hook, '--mode', 'throw']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(oneLine(r.stderr), new RegExp(`cannot set up the adapter: hook '${hook}' threw.* before any call: ${hook} could not reach the database$`));
  });
}

test('a first setup whose value cannot reach the workers (not structured-cloneable): exit 2 "cannot set up", saying why', async () => {
  writeFileSync(at('unsendable.mjs'), `export default { threadSafe: true, setup: () => ({ log: () => {} }), operations: { a() {} } };`);
  const r = await runCli([at('unsendable.mjs'), '-s', 'race', '-r', '3']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    oneLine(r.stderr),
    /^adapter-hammer: \S+unsendable\.mjs: cannot set up the adapter: hook 'setup' returned a value the workers cannot receive \(it reaches them by structured clone: .*\): .*could not be cloned/,
  );
});

test('a setup that never settles in a later round: a hang finding of the strategy, no claim that concurrency failed', async () => {
  const r = await run(
    ['-s', 'race', '-w', '2', '-c', '1', '-i', '5', '-r', '20', '--setup-timeout', '300'],
    ['--hook', 'setup', '--mode', 'hang', '--round', '3'],
  );
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const [f] = r.json.findings;
  assert.equal(f.kind, 'hang');
  assert.equal(f.hook, 'setup');
  assert.match(f.message, /^hook 'setup' did not settle within 300 ms \(--setup-timeout\)$/);
  assert.doesNotMatch(r.json.headline, /concurrency|raced/);
  assert.ok(!r.json.warnings.some((w) => w.code === 'declared-safe-but-raced'), JSON.stringify(r.json.warnings));
});

test('an init that never settles in a later round: a hang finding naming --setup-timeout, not a deadlock of the calls', async () => {
  const r = await run(
    ['-s', 'race', '-w', '2', '-c', '1', '-i', '5', '-r', '20', '--setup-timeout', '300'],
    ['--hook', 'init', '--mode', 'hang', '--round', '2'],
  );
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const hangs = r.json.findings.filter((f) => f.kind === 'hang');
  assert.ok(hangs.length >= 1, JSON.stringify(r.json.findings));
  for (const h of hangs) {
    assert.equal(h.hook, 'init');
    assert.match(h.message, /^hook 'init' in worker \d did not settle within \d+ ms \(--setup-timeout: a slower start needs a larger one\)/);
    assert.doesNotMatch(h.message, /reentrant/);
  }
  assert.doesNotMatch(r.json.headline, /concurrency|raced/);
});

test("a cold start is not the strategies' --time: the first setup's and globalSetup's time moves the budget's clock", async () => {
  // In the run's own object, with a 1 s budget and hooks that take 1.5 s each: counted against the
  // budget, nothing would be left of it (timeLeft 0); a cold start is not counted.
  const loaded = await loadAdapter(at('global.mjs'));
  const run = new RunContext(makePlan({ adapter: at('global.mjs'), budgetMs: '1s', seed: 1 }, loaded), loaded);
  await run.globalSetup();
  run.beginStrategy('race', ['race']);
  assert.ok(run.strategyBudgetMs > 500, `share ${run.strategyBudgetMs} ms after a 1.5 s globalSetup`);
  const before = performance.now();
  const setup = await run.hook('setup', [{ workers: 2, round: 0, args: { slow: 1500 } }]);
  run.checkFirstSetup(setup.ok ? null : setup);
  assert.ok(performance.now() - before >= 1400, 'the setup did take its time');
  assert.ok(run.timeLeft() > 500, `${run.timeLeft()} ms left after a 1.5 s first setup`);
  // What one round costs (the race's pace) leaves the cold start out too.
  assert.ok(run.elapsedSince(before) < 500, `round cost ${run.elapsedSince(before)} ms`);
  // A later setup is a round's own cost: counted.
  const t = performance.now();
  await run.hook('setup', [{ workers: 2, round: 1, args: { slow: 300 } }]);
  assert.ok(run.elapsedSince(t) >= 250);
  run.dispose();
});

test("the run's first setup does not eat the race's --time share, end to end", async () => {
  // The first setup takes longer than the whole budget. Counted against the race's share, the race would
  // stop after its first round ('budget'); it plays both.
  const r = await run(['-s', 'race', '-w', '2', '-c', '1', '-i', '5', '-r', '2', '--time', '5s'], ['--hook', 'setup', '--mode', 'slow', '--ms', '5500']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.json.strategies[0].rounds, 2, `stopped by ${r.json.strategies[0].stopReason}`);
});

test("setupTimeout: the adapter's own default, hammer()'s option, and the replay command only when not the default", async () => {
  await assert.rejects(hammer(at('own-deadline.mjs'), { strategy: ['hammer'], requests: 10 }), (e) => {
    assert.equal(e.name, 'AdapterSetupError');
    assert.match(e.message, /hook 'setup' did not settle within 250 ms \(--setup-timeout\)$/);
    return true;
  });
  await assert.rejects(hammer(at('own-deadline.mjs'), { strategy: ['hammer'], requests: 10, setupTimeout: 120 }), /within 120 ms \(--setup-timeout\)$/);
  await assert.rejects(hammer(at('own-deadline.mjs'), { setupTimeout: 0 }), /setup-timeout must be a whole number from 1/);
  const env = readEnvironment();
  assert.doesNotMatch(replayCommand(makePlan({ adapter: 'a.mjs', seed: 1 }, undefined, env)), /setup-timeout/);
  assert.match(replayCommand(makePlan({ adapter: 'a.mjs', seed: 1, setupTimeoutMs: 90_000 }, undefined, env)), / --setup-timeout 90000/);
});
