// Adapter loading: module formats, the doubly-wrapped default of compiled TypeScript, validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAdapter } from '../dist/adapter/load.js';
import { AdapterError } from '../dist/errors.js';
import { tempAdapters } from './helpers/cli.mjs';

const at = tempAdapters({
  'esm-default.mjs': 'export default { operations: { a() {}, b: async () => 1 } };',
  'esm-named.mjs': 'export const operations = { inc() {} }; export function stats() { return {}; }',
  'cjs.cjs': 'module.exports = { operations: { x() {} }, threadSafe: false };',
  'ts-compiled.cjs':
    '"use strict"; Object.defineProperty(exports, "__esModule", { value: true }); exports.default = { operations: { next() {} }, unique: ["next"] };',
  'js-cjs.js': 'exports.operations = { y() {} };',
  'syntax.mjs': 'export default {\n  operations: {\n    a() { return 1 +; }\n  }\n};\n',
  'syntax.cjs': 'module.exports = {\n  operations: { a( }\n};\n',
  'no-ops.mjs': 'export default { threadSafe: true };',
  'empty-ops.mjs': 'export default { operations: {} };',
  'not-fn.mjs': 'export default { operations: { a: 42, b() {} } };',
  'bad-spec.mjs': 'export default { operations: { a: { input: () => 1 }, b: { input: 2, run() {} }, c: { input: () => 1, run: (x) => x } } };',
  'bad-model.mjs': 'export default { operations: { a() {} }, model: { init: () => 0, step: 1, partition: true } };',
  'not-model.mjs': 'export default { operations: { a() {} }, model: [] };',
  'bad-unique.mjs': 'export default { operations: { a() {} }, unique: ["a", "nope"] };',
  'bad-hook.mjs': 'export default { operations: { a() {} }, stats: 3 };',
  'bad-weights.mjs': 'export default { operations: { a() {}, b() {} }, weights: { a: -1, c: 2 } };',
  'throws.mjs': 'throw new Error("boom at load");',
  'wrong.txt': 'hello',
});

test('loads ESM default export, with operation names in order', async () => {
  const l = await loadAdapter(at('esm-default.mjs'));
  assert.deepEqual(l.opNames, ['a', 'b']);
});

test('loads ESM named exports when there is no default', async () => {
  const l = await loadAdapter(at('esm-named.mjs'));
  assert.deepEqual(l.opNames, ['inc']);
  assert.equal(typeof l.adapter.stats, 'function');
});

test('loads CommonJS module.exports and exports.x in a .js file', async () => {
  assert.deepEqual((await loadAdapter(at('cjs.cjs'))).opNames, ['x']);
  assert.equal((await loadAdapter(at('cjs.cjs'))).adapter.threadSafe, false);
  assert.deepEqual((await loadAdapter(at('js-cjs.js'))).opNames, ['y']);
});

test('unwraps the doubly-wrapped default that compiled TypeScript produces', async () => {
  const l = await loadAdapter(at('ts-compiled.cjs'));
  assert.deepEqual(l.opNames, ['next']);
  assert.deepEqual(l.adapter.unique, ['next']);
});

async function problems(name) {
  try {
    await loadAdapter(at(name));
  } catch (e) {
    assert.ok(e instanceof AdapterError, `expected AdapterError, got ${e}`);
    return e.problems;
  }
  assert.fail(`${name} loaded, but should not`);
}

test('missing file', async () => {
  const p = await problems('does-not-exist.mjs');
  assert.match(p[0], /not found/);
});

test('syntax errors name the file and the line (ESM and CJS)', async () => {
  const [esm] = await problems('syntax.mjs');
  assert.match(esm, /syntax error in .*syntax\.mjs:3: /);
  const [cjs] = await problems('syntax.cjs');
  assert.match(cjs, /syntax error in .*syntax\.cjs:2: /);
});

test('no operations, empty operations, non-function operation', async () => {
  assert.match((await problems('no-ops.mjs'))[0], /no `operations`/);
  assert.match((await problems('empty-ops.mjs'))[0], /no operations/);
  const p = await problems('not-fn.mjs');
  assert.equal(p.length, 1);
  assert.match(p[0], /operation 'a' is not a function \(got number; an operation is a function or \{ input, run \}\)/);
});

test('operations with an input and the model are validated, one line per problem', async () => {
  assert.deepEqual(
    (await problems('bad-spec.mjs')).map((l) => l.replace(/^.*?: /, '')),
    ["operation 'a' needs `run` to be a function (got undefined)", "operation 'b' needs `input` to be a function (got number)"],
  );
  assert.deepEqual(
    (await problems('bad-model.mjs')).map((l) => l.replace(/^.*?: /, '')),
    ['`model.step` must be a function (got number)', '`model.partition` must be a function (got boolean)'],
  );
  assert.match((await problems('not-model.mjs'))[0], /`model` must be an object \{ init, step \} \(got array\)/);
});

test('unique, hooks and weights are validated, one line per problem', async () => {
  assert.match((await problems('bad-unique.mjs'))[0], /`unique` names 'nope', which is not an operation/);
  assert.match((await problems('bad-hook.mjs'))[0], /hook 'stats' must be a function/);
  const w = await problems('bad-weights.mjs');
  assert.equal(w.length, 2);
  assert.ok(w.some((l) => /weight of 'a'/.test(l)) && w.some((l) => /names 'c'/.test(l)));
});

test('an adapter that throws while loading, and an unsupported file type', async () => {
  assert.match((await problems('throws.mjs'))[0], /threw while loading: boom at load/);
  assert.match((await problems('wrong.txt'))[0], /unsupported adapter file type '\.txt'/);
});
