// The run-level hooks (globalSetup, globalTeardown) and declared retries (`retry`), with throw-away
// adapters over plain memory: what runs when, on which thread, how often; what a retried call counts as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempAdapters } from './helpers/cli.mjs';

const LOG = (dir) => path.join(dir, 'hooks.log');

/** An adapter that appends each hook it runs (and on which thread) to a log file beside it. */
function logging(extra = '') {
  return `
    import { appendFileSync } from 'node:fs';
    import { isMainThread } from 'node:worker_threads';
    const log = (what) => appendFileSync(new URL('./hooks.log', import.meta.url), what + (isMainThread ? '@main' : '@worker') + '\\n');
    export default {
      threadSafe: true,
      globalSetup: (o) => { log('globalSetup:' + o.workers); ${extra} },
      globalTeardown: () => log('globalTeardown'),
      setup: () => { log('setup'); return {}; },
      init: () => {},
      operations: { noop() {} },
    };`;
}

test('globalSetup runs once on the main thread before the first setup; globalTeardown once at the end', async () => {
  const at = tempAdapters({ 'a.mjs': logging() });
  const dir = path.dirname(at('a.mjs'));
  try {
    const { code, stderr } = await runCli([at('a.mjs'), '-w', '2', '-r', '5', '-d', '0.1', '--time', '10s']);
    assert.equal(code, 0, stderr);
    const lines = readFileSync(LOG(dir), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'globalSetup:2@main');
    assert.equal(lines.at(-1), 'globalTeardown@main');
    assert.equal(lines.filter((l) => l.startsWith('global')).length, 2);
    assert.ok(lines.filter((l) => l === 'setup@main').length >= 3, 'the rounds set up in between');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a globalSetup that throws is exit 2 with one line; globalTeardown does not run, nor any round', async () => {
  const at = tempAdapters({ 'a.mjs': logging("throw new Error('no database: npm install x');") });
  const dir = path.dirname(at('a.mjs'));
  try {
    const { code, stderr } = await runCli([at('a.mjs')]);
    assert.equal(code, 2);
    assert.match(stderr.trim(), /^adapter-hammer: .*a\.mjs: cannot set up the adapter: hook 'globalSetup' threw: no database: npm install x$/);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.deepEqual(readFileSync(LOG(dir), 'utf8').trim().split('\n'), ['globalSetup:2@main']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('globalTeardown runs after a failing run and after Ctrl-C', async () => {
  const failing = logging().replace('operations: { noop() {} }', 'operations: { boom() { throw new Error("x"); } }');
  const at = tempAdapters({ 'a.mjs': failing });
  const dir = path.dirname(at('a.mjs'));
  try {
    const { code } = await runCli([at('a.mjs'), '-s', 'hammer']);
    assert.equal(code, 1);
    assert.equal(readFileSync(LOG(dir), 'utf8').trim().split('\n').at(-1), 'globalTeardown@main');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const slow = logging().replace('operations: { noop() {} }', 'operations: { async wait() { await new Promise((r) => setTimeout(r, 5)); } }');
  const at2 = tempAdapters({ 'a.mjs': slow });
  const dir2 = path.dirname(at2('a.mjs'));
  try {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers/cli.mjs');
    const child = spawn(process.execPath, [BIN, at2('a.mjs'), '-s', 'race', '--time', '60s'], { stdio: 'ignore' });
    // Interrupt once the rounds run (the log shows setups), not during startup.
    for (let i = 0; i < 200 && !readLog(dir2).includes('setup@main'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    assert.equal(code, 130);
    assert.equal(readLog(dir2).trim().split('\n').at(-1), 'globalTeardown@main');
  } finally {
    rmSync(dir2, { recursive: true, force: true });
  }
});

const readLog = (dir) => {
  try {
    return readFileSync(LOG(dir), 'utf8');
  } catch {
    return '';
  }
};

/** An operation that throws a serialization failure (code 40001) on its first `fails` attempts of every call. */
const retried = (retry, fails, code = '40001') => `
  let attempts = new Map();
  export default {
    threadSafe: true,
    ${retry}
    operations: {
      async pay({ workerId, call }) {
        const k = workerId + ':' + call;
        const n = (attempts.get(k) ?? 0) + 1;
        attempts.set(k, n);
        if (n <= ${fails}) throw Object.assign(new Error('could not serialize access'), { code: '${code}' });
        attempts.delete(k);
      },
    },
  };`;

test('a declared retry is made again and counted, not an error; the report and the terminal show the count', async () => {
  const at = tempAdapters({ 'a.mjs': retried("retry: { codes: ['40001', '40P01'] },", 2) });
  try {
    const { code, stdout, stderr } = await runCli([at('a.mjs'), '-s', 'hammer', '-w', '2', '-c', '2', '-n', '100', '--json', '-']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    const hammer = report.strategies[0];
    assert.equal(hammer.completed, 100);
    assert.equal(hammer.errors, 0);
    assert.deepEqual(hammer.retries, [{ code: '40001', count: 200 }]);
    assert.match(stderr, /200 calls retried after 40001 \(serialization failure\): declared in the adapter's `retry`, not errors/);
  } finally {
    rmSync(path.dirname(at('a.mjs')), { recursive: true, force: true });
  }
});

test('errors not declared, or past the attempts, are errors: the run fails', async () => {
  const at = tempAdapters({
    'undeclared.mjs': retried('', 1),
    'other-code.mjs': retried("retry: { codes: ['40P01'] },", 1),
    'exhausted.mjs': retried("retry: { codes: ['40001'], attempts: 3 },", 3),
    'bad.mjs': retried("retry: { codes: '40001' },", 0),
  });
  try {
    for (const name of ['undeclared.mjs', 'other-code.mjs', 'exhausted.mjs']) {
      const { code, stdout } = await runCli([at(name), '-s', 'hammer', '-w', '1', '-c', '1', '-n', '10', '--json', '-']);
      assert.equal(code, 1, name);
      const hammer = JSON.parse(stdout).strategies[0];
      assert.equal(hammer.errors, 10, name);
      // Exhausted: two retries per call were counted before the third attempt's error.
      if (name === 'exhausted.mjs') assert.deepEqual(hammer.retries, [{ code: '40001', count: 20 }]);
      else assert.equal(hammer.retries, undefined, name);
    }
    const { code, stderr } = await runCli([at('bad.mjs')]);
    assert.equal(code, 2);
    assert.match(stderr, /`retry` must be \{ codes: \['40001', \.\.\.\], attempts\?: n \}/);
  } finally {
    rmSync(path.dirname(at('bad.mjs')), { recursive: true, force: true });
  }
});

test("an ORM's wrapped driver error is matched by its parent's code", async () => {
  const wrapped = retried("retry: { codes: ['40001'] },", 1).replace(
    "throw Object.assign(new Error('could not serialize access'), { code: '40001' });",
    "throw Object.assign(new Error('SequelizeDatabaseError'), { parent: { code: '40001' } });",
  );
  const at = tempAdapters({ 'a.mjs': wrapped });
  try {
    const { code, stdout } = await runCli([at('a.mjs'), '-s', 'hammer', '-w', '1', '-c', '1', '-n', '10', '--json', '-']);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout).strategies[0].retries, [{ code: '40001', count: 10 }]);
  } finally {
    rmSync(path.dirname(at('a.mjs')), { recursive: true, force: true });
  }
});
