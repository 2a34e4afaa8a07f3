// `adapter-hammer init`: what it reads from a module (exports, parameters, types, async, classes), the
// adapter it writes (runs as written; a filled-in counter finds the race the lesson announces), the
// templates (each runs), and what it refuses (an existing file, nothing to hammer) with exit 2 and one line.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readModuleShape } from '../dist/cli/init-source.js';
import { ROOT, runCli } from './helpers/cli.mjs';
import { typecheck } from './helpers/typecheck.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'ah-init-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh project directory (optionally with adapter-hammer installed, as a link to this checkout). */
function project(name, files, { installed = false, type = 'module' } = {}) {
  const p = path.join(dir, name);
  mkdirSync(p, { recursive: true });
  writeFileSync(path.join(p, 'package.json'), JSON.stringify({ name, private: true, ...(type ? { type } : {}) }));
  if (installed) {
    mkdirSync(path.join(p, 'node_modules'));
    symlinkSync(ROOT, path.join(p, 'node_modules', 'adapter-hammer'), 'dir');
  }
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(p, f), text);
  return (f) => path.join(p, f);
}

const shapeOf = (file) => readModuleShape(file, path.basename(file));
const byName = (list) => Object.fromEntries(list.map((x) => [x.name, x]));

test('reads an ES module: functions, async, arrow consts, renamed exports, default, classes with inherited methods', () => {
  const at = project('esm-shape', {
    'mod.mjs': `
      let n = 0;
      export function add(by, key) { n += by; }
      export async function load(userId, { force, limit = 3 } = {}) {}
      export const get = (key) => n;
      function hidden(x) {}
      export { hidden as visible };
      export default async function (amount) {}
      class Base { constructor(size) {} size() {} _internal() {} }
      export class Cache extends Base { async get(key) {} set = (key, value) => {}; static make() {} #secret() {} get count() { return 1; } }
      export const VERSION = '1';
      export * from './other.mjs';`,
  });
  const s = shapeOf(at('mod.mjs'));
  assert.equal(s.format, 'esm');
  const f = byName(s.functions);
  assert.deepEqual(Object.keys(f).sort(), ['add', 'default', 'get', 'load', 'visible']);
  assert.equal(f.load.async, true);
  assert.equal(f.add.async, false);
  assert.deepEqual(f.visible.access, ['visible']);
  assert.deepEqual(f.default.access, ['default']);
  assert.deepEqual(
    f.load.params[1].fields.map((x) => [x.name, x.optional]),
    [
      ['force', false],
      ['limit', true],
    ],
  );
  const cache = s.classes[0];
  assert.equal(cache.name, 'Cache');
  assert.deepEqual(
    cache.ctor.map((p) => p.name),
    ['size'],
    'the constructor is inherited',
  );
  assert.deepEqual(
    cache.methods.map((m) => [m.name, m.async]),
    [
      ['size', false],
      ['get', true],
      ['set', false],
    ],
  );
  assert.deepEqual(s.skipped, ['VERSION']);
  assert.deepEqual(s.reexports, ['./other.mjs']);
});

test('reads CommonJS: module.exports = { ... }, exports.x = ..., JSDoc types', () => {
  const at = project('cjs-shape', {
    'mod.cjs': `
      /** @param {number} by @param {'a'|'b'} [key] */
      function add(by, key = 'a') {}
      /** @param {Object} opts @param {string} opts.user @param {boolean} opts.vip */
      const visit = async ({ user, vip }) => {};
      module.exports = { add, visit, limit: 3, reset() {} };
      exports.extra = function (x) {};`,
  });
  const s = shapeOf(at('mod.cjs'));
  assert.equal(s.format, 'cjs');
  const f = byName(s.functions);
  assert.deepEqual(
    f.add.params.map((p) => [p.name, p.hint, p.optional]),
    [
      ['by', { kind: 'number' }, false],
      ['key', { kind: 'string', choices: ['a', 'b'] }, true],
    ],
  );
  assert.deepEqual(
    f.visit.params[0].fields.map((x) => [x.name, x.hint.kind]),
    [
      ['user', 'string'],
      ['vip', 'boolean'],
    ],
  );
  assert.ok(f.reset && f.extra);
  assert.deepEqual(s.skipped, ['limit']);
});

test('reads TypeScript through esbuild: written types, literal unions, optional parameters, object types', () => {
  const at = project('ts-shape', {
    'mod.ts': `
      export async function transfer(from: string, to: 'a' | 'b', amount: number = 1, opts?: Map<string, number>): Promise<void> {}
      export function order({ sku, qty, rush }: { sku: string; qty: number; rush?: boolean }) {}
      export class Counter<T> { private n = 0; constructor(public cap: number) {} add(by: 1 | 2 | 3): void {} }`,
  });
  const s = shapeOf(at('mod.ts'));
  assert.equal(s.typescript, true);
  const f = byName(s.functions);
  assert.deepEqual(
    f.transfer.params.map((p) => [p.name, p.hint, p.optional]),
    [
      ['from', { kind: 'string' }, false],
      ['to', { kind: 'string', choices: ['a', 'b'] }, false],
      ['amount', { kind: 'number' }, true],
      ['opts', { kind: 'unknown' }, true],
    ],
  );
  assert.deepEqual(
    f.order.params[0].fields.map((x) => [x.name, x.hint.kind, x.optional]),
    [
      ['sku', 'string', false],
      ['qty', 'number', false],
      ['rush', 'boolean', true],
    ],
  );
  assert.deepEqual(s.classes[0].ctor[0].hint, { kind: 'number' });
  assert.deepEqual(s.classes[0].methods[0].params[0].hint, { kind: 'number', choices: [1, 2, 3] });
});

// An async counter whose read-await-write loses updates inside one worker: the shape the tutorial starts from.
const ASYNC_COUNTER = `
let count = 0;
const io = () => new Promise((resolve) => setImmediate(resolve));
export async function increment() {
  const current = count;
  await io();
  count = current + 1;
}
export function value() { return count; }
export function reset() { count = 0; }
`;

test('init writes an adapter that runs as written, and finds the race once a counter is filled in', async () => {
  const at = project('async-counter', { 'counter.js': ASYNC_COUNTER });
  const r = await runCli(['init', 'counter.js'], { cwd: path.dirname(at('x')) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wrote counter\.hammer\.mjs: 2 operations \(increment, value\) over counter\.js/);
  assert.match(r.stdout, /init calls reset\(\) before every round/);
  assert.match(r.stdout, /run it: +npx adapter-hammer counter\.hammer\.mjs/);
  const text = readFileSync(at('counter.hammer.mjs'), 'utf8');
  assert.match(text, /import \* as counter from '\.\/counter\.js';/);
  assert.match(text, /increment: \(\) => counter\.increment\(\),/);
  assert.match(text, /Async calls interleave: increment is async/, 'the lesson of an async module');
  assert.match(text, /Module state is per worker/);

  // As written: exit 0, nothing claimed beyond what was checked (no counters), threadSafe undeclared.
  const fast = ['-s', 'hammer,race', '-n', '2000', '-r', '200', '--json', '-'];
  const asIs = await runCli([at('counter.hammer.mjs'), ...fast], { timeoutMs: 120_000 });
  assert.equal(asIs.code, 0, asIs.stderr);
  const report = JSON.parse(asIs.stdout);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(
    report.warnings.map((w) => w.code),
    ['undeclared'],
  );
  assert.ok(report.strategies[0].completed > 0);

  // The user's next step, as the file says: count the module's state per worker (workerStats), reset
  // each round (init does already). Without expected(), a counter named like an operation must equal its calls.
  const filled = text.replace(/\/\/ workerStats: .*/, 'workerStats: () => ({ increment: counter.value() }),');
  assert.notEqual(filled, text);
  writeFileSync(at('counter.hammer.mjs'), filled);
  const raced = await runCli([at('counter.hammer.mjs'), '-s', 'race', '-r', '200', '--json', '-'], { timeoutMs: 120_000 });
  assert.equal(raced.code, 1, raced.stderr);
  assert.ok(
    JSON.parse(raced.stdout).findings.some((x) => x.kind === 'lost-update'),
    'the read-await-write loses increments inside one worker',
  );
});

test('init on a class: one instance per worker, made in init; the lesson says so', async () => {
  const at = project('class', {
    'queue.mjs': `export class Queue { constructor(capacity) { this.items = []; } push(item) { this.items.push(item); } pop() { return this.items.shift(); } }`,
  });
  const r = await runCli(['init', at('queue.mjs')]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(at('queue.hammer.mjs'), 'utf8');
  assert.match(text, /let queue; \/\/ one per worker, made fresh in init/);
  assert.match(text, /queue = new queueModule\.Queue\(10 \/\* capacity \*\/\);/, 'the instance does not shadow the module');
  assert.match(text, /input: \(\{ random \}\) => \(\{ item: pick\(random, KEYS\) \}\),/, 'an item is a key by its name');
  assert.match(text, /run: \(\{ item \}\) => queue\.push\(item\)/);
  assert.match(text, /One Queue per worker/);
  const run = await runCli([at('queue.hammer.mjs'), '-s', 'hammer', '-n', '2000'], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, run.stderr);
});

test('init on CommonJS: the default import is module.exports', async () => {
  const at = project('cjs', { 'ids.cjs': 'let next = 0;\nmodule.exports = { nextId() { return ++next; } };\n' }, { type: null });
  const r = await runCli(['init', at('ids.cjs')]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(at('ids.hammer.mjs'), 'utf8');
  assert.match(text, /import ids from '\.\/ids\.cjs';/);
  assert.match(text, /\/\/ unique: \['nextId'\]/, 'an ID generator is named in the unique hint');
  assert.match(text, /Synchronous calls of one worker never interleave/);
  const run = await runCli([at('ids.hammer.mjs'), '-s', 'hammer', '-n', '2000'], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, run.stderr);
});

test('init on TypeScript: a .mts adapter typed with defineAdapter that tsc accepts and that runs', async () => {
  const at = project(
    'ts',
    {
      'shop.ts': `
        const stock = new Map<string, number>();
        export async function buy(sku: 'apple' | 'pear', qty: number): Promise<boolean> {
          const left = stock.get(sku) ?? 100;
          if (left < qty) return false;
          stock.set(sku, left - qty);
          return true;
        }
        export default function restock(sku: string, { by }: { by: number }): void { stock.set(sku, (stock.get(sku) ?? 0) + by); }`,
    },
    { installed: true },
  );
  const r = await runCli(['init', at('shop.ts')]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(at('shop.hammer.mts'), 'utf8');
  assert.match(text, /import \{ defineAdapter \} from 'adapter-hammer';/);
  assert.match(text, /import \* as shop from '\.\/shop\.js';/);
  assert.match(text, /sku: pick\(random, \['apple', 'pear'\] as const\)/);
  const diagnostics = typecheck(at('shop.hammer.mts'));
  assert.deepEqual(diagnostics, [], 'the generated adapter typechecks');
  const run = await runCli([at('shop.hammer.mts'), '-s', 'hammer', '-n', '2000'], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, run.stderr);
});

test('init on TypeScript that Node treats as CommonJS: its default export is reached', async () => {
  const at = project('ts-cjs', { 'calc.ts': 'export default function double(n: number): number { return 2 * n; }\n' }, { type: null });
  const r = await runCli(['init', at('calc.ts')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(at('calc.hammer.mts'), 'utf8'), /calc\.default\.default\(n\)/);
  const run = await runCli([at('calc.hammer.mts'), '-s', 'hammer', '-n', '2000'], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, run.stderr);
});

async function expectExit2(args, pattern, cwd) {
  const r = await runCli(args, cwd ? { cwd } : undefined);
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '');
}

test('init never overwrites a file: exit 2, one line, the file untouched', async () => {
  const at = project('exists', { 'm.mjs': 'export function a() {}\n', 'm.hammer.mjs': 'mine\n' });
  await expectExit2(['init', at('m.mjs')], /^adapter-hammer: init: .*m\.hammer\.mjs already exists: not overwritten/);
  assert.equal(readFileSync(at('m.hammer.mjs'), 'utf8'), 'mine\n');
  await expectExit2(['init', '--template', 'http', '--out', at('m.hammer.mjs')], /already exists: not overwritten/);
  assert.equal(readFileSync(at('m.hammer.mjs'), 'utf8'), 'mine\n');
  const other = await runCli(['init', at('m.mjs'), '--out', at('other.mjs')]);
  assert.equal(other.code, 0, other.stderr);
});

test('init refuses what it cannot use: exit 2, one line each', async () => {
  const at = project('refuse', {
    'values.mjs': 'export const A = 1;\nexport let b = 2;\n',
    'reexport.mjs': "export * from './values.mjs';\n",
    'broken.mjs': 'export function a() { return 1 +; }\n',
    'broken.ts': 'export function a(x: number) { return x +; }\n',
    'm.mjs': 'export function a() {}\n',
  });
  await expectExit2(['init', at('missing.mjs')], /init: module file not found: .*missing\.mjs/);
  await expectExit2(['init', at('values.mjs')], /values\.mjs exports no function or class to hammer \(it exports A, b/);
  await expectExit2(['init', at('reexport.mjs')], /only re-exports \(from \.\/values\.mjs\)/);
  await expectExit2(['init', at('broken.mjs')], /syntax error in .*broken\.mjs:1/);
  await expectExit2(['init', at('broken.ts')], /syntax error in .*broken\.ts:1/);
  await expectExit2(['init'], /init: name a module .* or a template \(--template http\|/);
  await expectExit2(['init', at('m.mjs'), '--template', 'http'], /give a module or --template, not both/);
  await expectExit2(['init', '--template', 'ftp'], /init: option .*--template.* argument 'ftp' is invalid/);
  await expectExit2(['init', at('m.mjs'), '--out', at('m.cjs')], /name it \.mjs or \.js/);
});

test('init --template shared-memory: runs as written and passes', async () => {
  const at = project('tpl-shm', {});
  const r = await runCli(['init', '--template', 'shared-memory'], { cwd: path.dirname(at('x')) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wrote shared-memory\.hammer\.mjs/);
  const run = await runCli([at('shared-memory.hammer.mjs'), '-s', 'hammer,race', '-n', '4000', '-r', '200', '--json', '-'], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const hit = report.strategies[0].counters.find((c) => c.name === 'hit');
  assert.equal(hit.actual, hit.expected);
  assert.ok(hit.actual > 0);
});

test('init --template http: without a server one clear line; against a running one it hammers it', async () => {
  const at = project('tpl-http', {}, { installed: true });
  const r = await runCli(['init', '--template', 'http'], { cwd: path.dirname(at('x')) });
  assert.equal(r.code, 0, r.stderr);
  await expectExit2([at('http.hammer.mjs')], /cannot set up the adapter: .*no server to start/);

  let visits = 0;
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/visit') visits++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}`;
    const run = await runCli([at('http.hammer.mjs'), '-s', 'hammer', '-n', '200', '--json', '-', '--', '--url', url], { timeoutMs: 120_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).strategies[0].completed, 200);
    assert.ok(visits >= 200, `the server saw ${visits} requests`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

for (const [name, counter] of [
  ['postgres', 'hit'],
  ['redis', 'hit'],
]) {
  test(`init --template ${name}: runs as written on a server started for the run, and passes`, { timeout: 240_000 }, async () => {
    const at = project(`tpl-${name}`, {}, { installed: true });
    const r = await runCli(['init', '--template', name], { cwd: path.dirname(at('x')) });
    assert.equal(r.code, 0, r.stderr);
    const run = await runCli([at(`${name}.hammer.mjs`), '-s', 'hammer,race', '-n', '200', '-r', '40', '--json', '-'], { timeoutMs: 200_000 });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    const row = report.strategies[0].counters.find((c) => c.name === counter);
    assert.equal(row.actual, 200, 'every call counted by the server');
    assert.ok(report.strategies[1].rounds > 0);
  });
}
