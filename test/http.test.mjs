// HTTP services (issue 16): the toolkit's HttpGate (requests primed in init, released by their last byte)
// and startServer/localServer (the server under test in its own process, never outliving the run), with
// real sockets, real child processes and real adapter-hammer runs killed at each stage.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpGate, HttpGateHostError, isLoopback, localServer, startServer, ServerStartError } from '../dist/toolkit/index.js';
import { BIN, runCli } from './helpers/cli.mjs';

const TOOLKIT_URL = new URL('../dist/toolkit/index.js', import.meta.url).href;
const dir = mkdtempSync(path.join(tmpdir(), 'ah-http-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A server script for startServer: listens on PORT/HOST, writes its pid and its own child's pid (a
// grandchild of the keeper: the whole process group must go) to PID_FILE. `fail` and `exposed` modes.
const SERVER = path.join(dir, 'server.mjs');
writeFileSync(
  SERVER,
  `import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
if (process.argv[2] === 'fail') { console.error('Error: cannot open database shop.db'); console.error('second line'); process.exit(3); }
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const s = http.createServer((req, res) => res.end('ok'));
s.listen(Number(process.env.PORT), process.argv[2] === 'exposed' ? '0.0.0.0' : process.env.HOST, () => {
  if (process.env.PID_FILE) writeFileSync(process.env.PID_FILE, process.pid + ' ' + child.pid);
});
`,
);

/** A process is gone when kill(0) fails, or it is a zombie nobody has reaped yet. */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Wait until every pid is gone (a bounded wait against a hang, not a speed assertion). */
async function gone(pids, ms = 15_000) {
  const end = Date.now() + ms;
  while (pids.some(alive) && Date.now() < end) await sleep(50);
  return pids.filter(alive);
}

async function waitFor(file, ms = 30_000) {
  const end = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`${file} never appeared`);
    await sleep(25);
  }
}

/** An in-process HTTP server recording when each request is complete (its last byte parsed). */
async function recordingServer() {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body });
      res.end(JSON.stringify({ n: seen.length }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { seen, url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('HttpGate', () => {
  test('a primed request reaches the server only when released, whole, POST and GET', async () => {
    const srv = await recordingServer();
    const gate = new HttpGate();
    try {
      for (const spec of [{ method: 'POST', path: '/redeem', json: { code: 'SAVE10' } }, { path: '/get?x=1' }]) {
        srv.seen.length = 0;
        await gate.prime(srv.url, { lanes: 3 }, spec);
        assert.equal(gate.primed, 3);
        await sleep(200); // were a byte missing from the hold-back, the server would have the requests by now
        assert.equal(srv.seen.length, 0, 'the server saw a primed request before release');
        const first = gate.release();
        const rest = await Promise.all([gate.release(), gate.release(), gate.release()]); // the 4th: none primed left, sent whole
        const all = [await first, ...rest];
        assert.deepEqual(
          all.map((r) => r.status),
          [200, 200, 200, 200],
        );
        assert.equal(srv.seen.length, 4);
        for (const s of srv.seen) {
          assert.equal(s.method, spec.json ? 'POST' : 'GET');
          assert.equal(s.url, spec.path);
          assert.equal(s.body, spec.json ? JSON.stringify(spec.json) : '');
        }
      }
      const r = await gate.send({ method: 'PUT', path: '/x', body: 'abc' });
      assert.equal(r.status, 200);
      assert.deepEqual(srv.seen.at(-1), { method: 'PUT', url: '/x', body: 'abc' });
    } finally {
      gate.close();
      await srv.close();
    }
  });

  test('a primed request left unreleased is kept for the next round when the same, replaced when not', async () => {
    const srv = await recordingServer();
    const gate = new HttpGate();
    try {
      await gate.prime(srv.url, { lanes: 2 }, { path: '/a' });
      await gate.release();
      await gate.prime(srv.url, { lanes: 2 }, { path: '/a' }); // one still primed from before: kept
      assert.equal(gate.primed, 2);
      await gate.prime(srv.url, { lanes: 2 }, { path: '/b' }); // a different request: both primed anew
      await Promise.all([gate.release(), gate.release()]);
      assert.deepEqual(
        srv.seen.map((s) => s.url),
        ['/a', '/b', '/b'],
      );
    } finally {
      gate.close();
      await srv.close();
    }
  });

  test('a primed request whose connection the server drops fails at release, not as an unhandled rejection', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const gate = new HttpGate();
    try {
      await gate.prime(`http://127.0.0.1:${server.address().port}`, { lanes: 2 }, { path: '/x' });
      await sleep(200); // the server has dropped both connections by now
      await assert.rejects(gate.release(), /closed the connection before answering/);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      gate.close();
      await new Promise((r) => server.close(r));
    }
  });

  test('a server that answers a primed request before its last byte: that connection is not reused', async () => {
    // Node's server runs the handler once the headers are in; this one answers without reading the body.
    const server = http.createServer((req, res) => res.end(req.method === 'POST' ? 'early' : `ok ${req.url}`));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const gate = new HttpGate();
    try {
      await gate.prime(`http://127.0.0.1:${server.address().port}`, { lanes: 1 }, { method: 'POST', path: '/p', json: { a: 1 } });
      await sleep(200); // answered already: 'early'
      assert.equal(gate.primed, 0);
      // On the old connection the server would read this request's first byte as the POST's last one.
      const r = await gate.send({ path: '/next' });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok /next');
    } finally {
      gate.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('requests go only to loopback hosts unless the host is named', async () => {
    assert.equal(isLoopback('http://127.0.0.1:1/'), true);
    assert.equal(isLoopback('http://localhost/'), true);
    assert.equal(isLoopback('http://[::1]:8080/'), true);
    assert.equal(isLoopback('http://10.0.0.1/'), false);
    assert.equal(isLoopback('http://example.com/'), false);
    const gate = new HttpGate();
    // Refused before any connection is made (nothing is sent: the check comes first).
    await assert.rejects(gate.prime('http://example.com/', {}), HttpGateHostError);
    await assert.rejects(gate.prime('http://192.168.1.10:80/', { args: { url: 'http://example.com/' } }), /refusing to send requests to 192\.168\.1\.10/);
    await assert.rejects(gate.prime('https://127.0.0.1/', {}), /not supported/);
  });
});

describe('startServer', () => {
  test('starts the command on a free port with HOST=127.0.0.1 and stops its whole process group', async () => {
    const pidFile = path.join(dir, 'start.pid');
    const s = await startServer({ command: [process.execPath, SERVER], env: { PID_FILE: pidFile } });
    await waitFor(pidFile);
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await fetch(s.url).then((r) => r.text()), 'ok');
    assert.ok(pids.every(alive));
    await s.stop();
    assert.deepEqual(await gone(pids), [], 'the server or its child outlived stop()');
  });

  test('a server that exits first: one line with its first line of stderr', async () => {
    await assert.rejects(startServer({ command: `${process.execPath} ${SERVER} fail` }), (e) => {
      assert.ok(e instanceof ServerStartError);
      assert.match(e.message, /exited with code 3 before listening: Error: cannot open database shop\.db$/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });

  test('a server that never listens is stopped after startTimeoutMs', async () => {
    await assert.rejects(
      startServer({ command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], startTimeoutMs: 300 }),
      /did not listen on 127\.0\.0\.1:\d+ within 300 ms/,
    );
  });

  test('a server listening beyond 127.0.0.1 is refused (Linux: read from /proc/net)', { skip: !existsSync('/proc/net/tcp') }, async () => {
    await assert.rejects(startServer({ command: [process.execPath, SERVER, 'exposed'] }), /listens beyond 127\.0\.0\.1 \(on 0\.0\.0\.0:\d+\)/);
  });

  test('localServer: started once, --url targets a given server, --server / positional args give the command', async () => {
    const app = localServer({ command: [process.execPath, SERVER] });
    try {
      const a = await app.url({});
      assert.equal(await app.url({ _: [] }), a);
      assert.equal(await app.url({ url: 'http://127.0.0.1:9/' }), 'http://127.0.0.1:9');
      await assert.rejects(app.url({ url: 'ftp://x' }), /not an http:\/\/ URL/);
    } finally {
      await app.stop();
    }
    const fromArgs = localServer();
    try {
      assert.match(await fromArgs.url({ server: `${process.execPath} ${SERVER}` }), /^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await fromArgs.stop();
    }
    await assert.rejects(localServer().url({ _: [] }), /no server to start/);
  });
});

// An adapter that starts the test server (command after `--`, the CLI's way) and can stall in a stage.
const ADAPTER = path.join(dir, 'stall-adapter.mjs');
writeFileSync(
  ADAPTER,
  `import { writeFileSync } from 'node:fs';
import { localServer } from ${JSON.stringify(TOOLKIT_URL)};
const app = localServer();
let shared;
const stall = (stage) => {
  writeFileSync(shared.dir + '/' + stage, '');
  return new Promise((r) => setTimeout(r, 120000));
};
export default {
  threadSafe: true,
  timeout: 180000,
  async setup({ args }) {
    shared = { url: await app.url(args), dir: args.dir, stage: args.stage };
    if (args.stage === 'setup') await stall('setup');
    return shared;
  },
  init(s) { shared = s; },
  operations: {
    async call() {
      await fetch(shared.url).then((r) => r.text());
      if (shared.stage === 'rounds') writeFileSync(shared.dir + '/rounds', '');
    },
  },
  async teardown() { if (shared.stage === 'teardown') await stall('teardown'); },
};
`,
);

describe('the server never outlives adapter-hammer', { concurrency: 3 }, () => {
  for (const stage of ['setup', 'rounds', 'teardown'])
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL']) {
      test(`killed by ${signal} during ${stage}: no server process remains`, { timeout: 120_000 }, async () => {
        const runDir = mkdtempSync(path.join(dir, `${stage}-${signal}-`));
        const pidFile = path.join(runDir, 'server.pid');
        const child = spawn(
          process.execPath,
          [
            BIN,
            ADAPTER,
            '-s',
            'race',
            '-r',
            '100000',
            '-i',
            '4',
            '-w',
            '2',
            '-c',
            '2',
            '--time',
            '300s',
            '--',
            '--server',
            `${process.execPath} ${SERVER}`,
            '--dir',
            runDir,
            '--stage',
            stage,
          ],
          { env: { ...process.env, PID_FILE: pidFile }, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const exited = new Promise((r) => child.once('exit', (code, sig) => r({ code, sig })));
        try {
          await waitFor(path.join(runDir, stage));
          await waitFor(pidFile);
        } catch (e) {
          child.kill('SIGKILL');
          throw new Error(`${e.message}\n${stderr}`);
        }
        const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
        assert.ok(pids.every(alive), 'the server runs while adapter-hammer does');
        child.kill(signal);
        const { code, sig } = await exited;
        if (signal === 'SIGKILL') assert.equal(sig, 'SIGKILL');
        else assert.equal(code, signal === 'SIGINT' ? 130 : 143, stderr);
        assert.deepEqual(await gone(pids), [], `server processes left behind after ${signal} during ${stage}`);
      });
    }
});

test('a server that fails to start: exit 2 with its first line of stderr', { timeout: 60_000 }, async () => {
  const { code, stderr } = await runCli([ADAPTER, '-s', 'hammer', '--', '--server', `${process.execPath} ${SERVER} fail`, '--dir', dir]);
  assert.equal(code, 2, stderr);
  assert.match(
    stderr.trim(),
    /^adapter-hammer: .*stall-adapter\.mjs: cannot set up the adapter: hook 'setup' threw before any call: ServerStartError: server '.*server\.mjs fail' exited with code 3 before listening: Error: cannot open database shop\.db$/,
  );
});

test('-- --url targets a running server: nothing is started, the requests reach it', { timeout: 60_000 }, async () => {
  const srv = await recordingServer();
  try {
    const { code, stderr } = await runCli([ADAPTER, '-s', 'hammer', '-n', '20', '--', '--url', srv.url, '--dir', dir]);
    assert.equal(code, 0, stderr);
    assert.equal(srv.seen.length, 20);
  } finally {
    await srv.close();
  }
});
