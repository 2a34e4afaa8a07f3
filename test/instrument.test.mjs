// Load-time instrumentation (src/instrument/): every await of the user's code becomes a scheduling point,
// semantics unchanged, node_modules untouched unless opted in, and stacks still name the user's lines
// (JavaScript and TypeScript, ES modules and CommonJS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers/cli.mjs';

const { instrumentSource } = await import(pathToFileURL(path.join(ROOT, 'dist/instrument/transform.js')).href);
const { installParkGlobals } = await import(pathToFileURL(path.join(ROOT, 'dist/scheduler/runtime.js')).href);
const { controlledSession } = await import('./helpers/controlled.mjs');
const FIX = path.join(ROOT, 'test/fixtures-controlled');

/** One controlled round of `file` through the pool (1 worker, 1 lane, 8 calls): its tallies. */
async function controlledRound(file, include = []) {
  const c = await controlledSession(path.join(FIX, file), { lanes: 1, include });
  try {
    return await c.round({ calls: 8 });
  } finally {
    await c.close();
  }
}

const SOURCE = `// await in a comment: await nothing
const s = "await in a string";
export const t = \`x \${await Promise.resolve(1)} await y\`;
export async function f(x) { return (await (await x)) + (await g(), 1); }
async function g() { return 0; }
export const o = { async m() { const out = []; for await (const v of [Promise.resolve(1), 2]) out.push(v); return out; } };
export class C { async k() { return await this.v; } static async s() { return await null; } v = 7; }
export const arrow = async () => await 5;
export default await f(Promise.resolve(2));
`;

test('every await is rewritten, strings and comments are not; the module computes the same values', async () => {
  const out = instrumentSource(SOURCE, '/virtual/a.mjs');
  const parks = out.code.match(/__ahPark\(/g)?.length;
  assert.equal(parks, 8, out.code); // template, two nested, sequence, class k, class s, arrow, top-level
  assert.equal(out.code.match(/__ahParkIter\(/g)?.length, 1);
  assert.match(out.code, /\/\/ await in a comment: await nothing/);
  assert.match(out.code, /"await in a string"/);
  assert.match(out.code, /await y`/);
  assert.ok(out.sites.includes('/virtual/a.mjs:3:23'), out.sites.join(' '));
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-instr-'));
  try {
    installParkGlobals();
    writeFileSync(path.join(dir, 'plain.mjs'), SOURCE);
    writeFileSync(path.join(dir, 'instr.mjs'), out.code);
    const plain = await import(pathToFileURL(path.join(dir, 'plain.mjs')).href);
    const instr = await import(pathToFileURL(path.join(dir, 'instr.mjs')).href);
    assert.equal(instr.default, plain.default);
    assert.equal(instr.t, plain.t);
    assert.deepEqual(await instr.o.m(), await plain.o.m());
    assert.equal(await new instr.C().k(), 7);
    assert.equal(await instr.arrow(), 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('code that does not parse, or has no await, is returned unchanged with no map', () => {
  for (const code of ['const x = ;', 'const y = 1; // no awaits here']) {
    const out = instrumentSource(code, '/virtual/b.mjs');
    assert.equal(out.code, code);
    assert.equal(out.map, null);
  }
});

test("timers of the user's code: setTimeout/setImmediate calls carry their site, clears are rewritten, a file's own setTimeout is left alone", async () => {
  const code = [
    'export const later = (f) => setTimeout(f, 5);',
    'export const soon = (f, x) => setImmediate(f, x);',
    'export const stop = (h) => { clearTimeout(h); clearImmediate(h); };',
    'export async function waited(f) { return setTimeout(await f, 1); }',
    'const obj = { setTimeout: () => 1 }; export const m = obj.setTimeout();',
  ].join('\n');
  const out = instrumentSource(code, '/virtual/t.mjs');
  assert.match(out.code, /__ahSetTimeout\("\/virtual\/t\.mjs:1:29", f, 5\)/);
  assert.match(out.code, /__ahSetImmediate\("\/virtual\/t\.mjs:2:31", f, x\)/);
  assert.match(out.code, /__ahClearTimeout\(h\); __ahClearImmediate\(h\)/);
  // The site goes before an await in the first argument, which stays whole.
  assert.match(out.code, /__ahSetTimeout\("\/virtual\/t\.mjs:4:42", await __ahPark\(f, "[^"]+"\), 1\)/);
  assert.match(out.code, /obj\.setTimeout\(\)/, 'a method of that name is no timer');
  // A file that imports its own setTimeout (node:timers/promises) keeps every call of it.
  const own = "import { setTimeout } from 'node:timers/promises';\nexport const nap = () => setTimeout(1);\nexport const go = (f) => setImmediate(f);";
  const kept = instrumentSource(own, '/virtual/own.mjs');
  assert.match(kept.code, /=> setTimeout\(1\)/);
  assert.match(kept.code, /__ahSetImmediate\(/);
  // Outside a controlled lane the rewritten module behaves as before.
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-instr-'));
  try {
    installParkGlobals();
    writeFileSync(path.join(dir, 't.mjs'), out.code);
    const m = await import(pathToFileURL(path.join(dir, 't.mjs')).href);
    const order = [];
    await new Promise((done) => {
      m.later(() => order.push('timeout'));
      const h = m.later(() => order.push('cleared'));
      m.stop(h);
      m.soon((x) => {
        order.push(x);
        setTimeout(done, 20);
      }, 'immediate');
    });
    assert.deepEqual(order, ['immediate', 'timeout']);
    await new Promise((done) => m.waited(Promise.resolve(done)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an input source map is chained: sites name the original line', () => {
  // A map that says generated line 1 came from original line 40 of orig.ts.
  const map = { version: 3, sources: ['orig.ts'], names: [], mappings: ';;;;AAuCA' };
  const out = instrumentSource('\n\n\n\nawait x;\n', '/virtual/c.js', map, { format: 'module' });
  assert.deepEqual(out.sites, ['/virtual/orig.ts:40:1']);
  assert.deepEqual(out.map.sources, ['orig.ts']); // resolved by Node against the module's own URL
});

/** The stack frame of the op's error that names the fixture. */
async function boomFrame(file) {
  const t = await controlledRound(file);
  const failed = t.errors.find((e) => e.op === 'boom');
  assert.ok(failed, `${file}: no boom call`);
  const frame = failed.stack.find((f) => f.text.includes(file));
  return { frame: frame?.text ?? JSON.stringify(failed.stack), t };
}

test('errors thrown from instrumented code name the original line: JavaScript ESM and CommonJS', async () => {
  assert.match((await boomFrame('throws.mjs')).frame, /throws\.mjs:9:/);
  assert.match((await boomFrame('throws.cjs')).frame, /throws\.cjs:7:/);
});

test('errors and await sites name the TypeScript line (.mts through tsx, .cts through tsx as CommonJS)', async () => {
  const mts = await boomFrame('throws.mts');
  assert.match(mts.frame, /throws\.mts:11:/);
  const sites = mts.t.schedules[0].trace.map((s) => s.to);
  assert.ok(
    sites.some((s) => /throws\.mts:10:\d+$/.test(s)),
    sites.join(' '),
  );
  assert.match((await boomFrame('throws.cts')).frame, /throws\.cts:10:/);
});

/** What the `source` operation returned: the text of the instrumented functions. */
const sourceOf = async (file, include) => (await controlledRound(file, include)).history.calls.find((c) => c.op === 'source').output;

test("the user's files are instrumented (ESM, required CommonJS, TypeScript), node_modules is not", async () => {
  const esm = await sourceOf('throws.mjs');
  assert.match(esm.own, /__ahPark\(1, /);
  assert.doesNotMatch(esm.lib, /__ahPark/);
  assert.match(await sourceOf('throws.cjs'), /__ahPark\(null, "[^"]*cjs-pkg\/helper\.cjs:3:3"\)/);
  assert.match(await sourceOf('throws.cts'), /__ahPark\(/);
});

test('node_modules is instrumented when the user opts in with a glob', async () => {
  assert.match((await sourceOf('throws.mjs', ['**/node_modules/slow-lib/**'])).lib, /__ahPark\(null, /);
});

test('a root reached through a symlink selects the files by their real path (modules load by it)', async () => {
  const { createSelector } = await import(pathToFileURL(path.join(ROOT, 'dist/instrument/select.js')).href);
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-link-'));
  try {
    symlinkSync(path.join(ROOT, 'fixtures'), path.join(dir, 'fixtures'), 'dir');
    const select = createSelector({ roots: [path.join(dir, 'fixtures/controlled')], cwd: dir });
    assert.equal(select(path.join(ROOT, 'fixtures/controlled/ticket-unsafe.mjs')), true);
    assert.equal(select(path.join(dir, 'fixtures/controlled/ticket-unsafe.mjs')), true);
    assert.equal(select(path.join(ROOT, 'fixtures/counter-safe.mjs')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("adapter-hammer's own compiled files are never instrumented, even under a root; the user's next to them are", async () => {
  const { createSelector } = await import(pathToFileURL(path.join(ROOT, 'dist/instrument/select.js')).href);
  const select = createSelector({ roots: [ROOT], cwd: ROOT, exclude: [path.join(ROOT, 'dist')] });
  assert.equal(select(path.join(ROOT, 'dist/toolkit/index.js')), false);
  assert.equal(select(path.join(ROOT, 'fixtures/controlled/ticket-unsafe.mjs')), true);
  assert.equal(select(path.join(ROOT, 'node_modules/tsx/dist/esm/index.mjs')), false);
  assert.equal(select(path.join(ROOT, 'README.md')), false);
});
