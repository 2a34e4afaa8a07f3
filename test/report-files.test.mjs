// Reports never clobber (issue 26 item 3): --json and --junit write through character devices, FIFOs
// and pipes in place; only regular files are replaced atomically (temp + rename). Every target here is
// made in a temp dir: no test writes to the machine's /dev/null (or any other node of /dev) by path.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, runCli, tempAdapters } from './helpers/cli.mjs';
import { writeReportFile } from '../dist/reporters/report-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ah-report-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name) => path.join(dir, name);

const adapters = tempAdapters({
  'tiny.mjs': `
    let v;
    export default {
      threadSafe: true,
      setup: () => ({ buf: new SharedArrayBuffer(4) }),
      init(s) { v = new Int32Array(s.buf); },
      operations: { increment() { Atomics.add(v, 0, 1); } },
      stats: (s) => ({ increment: new Int32Array(s.buf)[0] }),
    };`,
});
after(() => rmSync(path.dirname(adapters('tiny.mjs')), { recursive: true, force: true }));
const ARGS = [adapters('tiny.mjs'), '-s', 'hammer', '-w', '2', '-c', '1', '-n', '100', '--no-color'];

/** `cat` of a FIFO in a child process: its text once the writer closes it. */
function reader(fifo) {
  const child = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (d) => (text += d));
  return { child, text: new Promise((resolve) => child.on('close', () => resolve(text))) };
}

/** mknod in the temp dir, or why it is not permitted here (not root, no CAP_MKNOD, a nodev mount). */
function mknod(name, type, major, minor) {
  const r = spawnSync('mknod', [at(name), type, String(major), String(minor)], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

test('writeReportFile: a regular file is replaced atomically, keeps its mode; a symlink keeps pointing at it', () => {
  const file = at('report.json');
  writeFileSync(file, 'old');
  chmodSync(file, 0o640);
  const inode = statSync(file).ino;
  writeReportFile(file, 'new\n');
  assert.equal(readFileSync(file, 'utf8'), 'new\n');
  assert.notEqual(statSync(file).ino, inode, 'replaced by rename, not rewritten in place');
  assert.equal(statSync(file).mode & 0o777, 0o640);
  const link = at('link.json');
  symlinkSync(file, link);
  writeReportFile(link, 'through the link\n');
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.equal(readlinkSync(link), file);
  assert.equal(readFileSync(file, 'utf8'), 'through the link\n');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('writeReportFile: a directory in the way is one clear error, nothing left behind', () => {
  mkdirSync(at('a-dir'));
  assert.throws(() => writeReportFile(at('a-dir'), 'x'), /is a directory/);
  assert.deepEqual(readdirSync(at('a-dir')), []);
});

test('--json and --junit onto FIFOs: written through in place, the FIFOs stay FIFOs', async () => {
  for (const f of ['json.fifo', 'junit.fifo']) assert.equal(spawnSync('mkfifo', [at(f)]).status, 0, `mkfifo ${f}`);
  // Readers first (each blocks until a writer opens the FIFO), in processes of their own: a FIFO renamed
  // over would leave them waiting forever, and they are killed then instead of hanging the test.
  const json = reader(at('json.fifo'));
  const junit = reader(at('junit.fifo'));
  try {
    const r = await runCli([...ARGS, '--json', at('json.fifo'), '--junit', at('junit.fifo')]);
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['json.fifo', 'junit.fifo']) assert.ok(lstatSync(at(f)).isFIFO(), `${f} is still a FIFO`);
    assert.equal(JSON.parse(await json.text).verdict, 'pass');
    assert.match(await junit.text, /^<\?xml[^>]*>\s*<testsuites/);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  } finally {
    json.child.kill();
    junit.child.kill();
  }
});

test('--json and --junit onto a character device made in a temp dir (a null device): the node stays a device', async (t) => {
  const refused = mknod('null', 'c', 1, 3);
  if (refused) {
    // Not permitted here: said so, and the same check made on another non-regular target (a pipe).
    t.diagnostic(`mknod ${at('null')} c 1 3 is not permitted here (${refused}): writing onto a pipe (/dev/fd/3) instead`);
    const text = await runOnFd3();
    assert.equal(JSON.parse(text).verdict, 'pass');
    return;
  }
  const before = statSync(at('null'));
  assert.ok(before.isCharacterDevice());
  const r = await runCli([...ARGS, '--json', at('null'), '--junit', at('null')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const after = lstatSync(at('null'));
  assert.ok(after.isCharacterDevice(), 'still a character device, not a regular file');
  assert.equal(after.rdev, before.rdev);
  assert.equal(after.ino, before.ino, 'the same node, not a new one renamed over it');
});

/** The CLI with --json /dev/fd/3 (a pipe to this process: what `--json /dev/stdout` is in a pipeline); resolves what it wrote there. */
function runOnFd3() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...ARGS, '--json', '/dev/fd/3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let text = '';
    let stderr = '';
    child.stdio[3].on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new Error(`exit ${code}: ${stderr}`));
    });
  });
}

test('--json /dev/fd/3, a pipe (as /dev/stdout is in a pipeline): the report arrives through it', async () => {
  const text = await runOnFd3();
  assert.equal(JSON.parse(text).verdict, 'pass');
});

test('a block device is refused (a report would overwrite a disk), with one line and exit 1', async (t) => {
  // A block device number no driver serves: even a write that got through would fail to open, so this
  // test cannot touch a disk whatever the code under test does.
  const refused = mknod('disk', 'b', 240, 77);
  if (refused) {
    t.diagnostic(`mknod ${at('disk')} b 240 77 is not permitted here (${refused}): the refusal of block devices is not exercised on this machine`);
    assert.ok(refused.length > 0);
    return;
  }
  const r = await runCli([...ARGS, '--json', at('disk')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^adapter-hammer: could not write JSON report to \S+disk: is a block device \(a disk\)/m);
  assert.ok(lstatSync(at('disk')).isBlockDevice());
});
