// defineAdapter() types every documented adapter field, and hammer() every option of the table: compiled
// with the TypeScript compiler's API against the built declarations (dist/index.d.ts), as a user's editor
// would. The option table itself (src/options/table.ts) is compiled too, to show that it fails to
// compile when a field has no entry, an entry no field, or an entry a kind its field's type does not fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT, scratchDir } from './helpers/cli.mjs';
import { program, STRICT } from './helpers/typecheck.mjs';
import { API_ONLY_NAMES, OPTIONS } from '../dist/options/table.js';

/** Type errors of one file, with 'adapter-hammer' resolved to this package's built types (or a copy of them in `dist`). */
function typeErrors(file, dist = path.join(ROOT, 'dist')) {
  const p = program([file], { ...STRICT, baseUrl: ROOT, paths: { 'adapter-hammer': [path.join(dist, 'index.d.ts')] } });
  return ts.getPreEmitDiagnostics(p).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const EVERY_FIELD = path.join(ROOT, 'test/types/every-field.ts');

test('defineAdapter accepts every documented field and hook (timeout and resourceLimits included)', () => {
  assert.deepEqual(typeErrors(EVERY_FIELD), []);
});

for (const [what, from, to, pattern] of [
  ['a timeout that is not a number', 'timeout: 1000', "timeout: 'soon'", /string.*number/],
  ['an unknown resource limit', 'stackSizeMb: 4', 'stackSize: 4', /stackSize/],
  ['a unique name that is not an operation', "unique: ['increment']", "unique: ['nope']", /nope/],
  ['a model step that returns no state', ': { ok: true, state },', ': { ok: true },', /state/],
  ['a model state that does not match init', 'state: { count: state.count + input!.by }', 'state: { total: 1 }', /total/],
  ['an operation with an input but no run', 'run: ({ by }: { by: number }) =>', 'go: ({ by }: { by: number }) =>', /run|go/],
]) {
  test(`defineAdapter rejects ${what}: the type test can fail`, () => {
    const dir = scratchDir('ah-types-');
    const bad = path.join(dir, 'bad.ts');
    writeFileSync(bad, readFileSync(EVERY_FIELD, 'utf8').replace(from, to));
    const errors = typeErrors(bad).join('\n');
    assert.match(errors, pattern);
  });
}

const EVERY_OPTION = path.join(ROOT, 'test/types/every-option.ts');

/** A temp dir, removed after the test. */
function tempDir(t) {
  const dir = scratchDir('ah-types-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('hammer() accepts every option of the table and its own, in each form of their values', () => {
  assert.deepEqual(typeErrors(EVERY_OPTION), []);
});

test('the consumer passes every option: each run option of the table and each of hammer() own', () => {
  const source = ts.createSourceFile(EVERY_OPTION, readFileSync(EVERY_OPTION, 'utf8'), ts.ScriptTarget.ES2022, true);
  const passed = new Set();
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.getText() === 'hammer' && node.arguments[1] && ts.isObjectLiteralExpression(node.arguments[1])) {
      for (const p of node.arguments[1].properties) passed.add(p.name.getText());
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const every = [...OPTIONS.filter((o) => o.scope === 'run' || o.api).map((o) => o.name), ...API_ONLY_NAMES];
  assert.ok(every.includes('ops') && every.includes('cwd') && every.length >= 24, every.join(', '));
  assert.deepEqual(
    every.filter((n) => !passed.has(n)),
    [],
    'test/types/every-option.ts must pass these options to hammer()',
  );
});

for (const [what, file, line, name] of [
  ['a run option', 'options/table.d.ts', /^ *ops\?: string\[\];$/m, 'ops'],
  ["one of hammer()'s own", 'api.d.ts', /^ *cwd\?: string;$/m, 'cwd'],
]) {
  test(`a consumer passing ${what} that the types lack does not compile: the type test can fail`, (t) => {
    const dist = tempDir(t);
    cpSync(path.join(ROOT, 'dist'), dist, { recursive: true, filter: (f) => !f.endsWith('.js') && !f.endsWith('.map') });
    const declarations = readFileSync(path.join(dist, file), 'utf8');
    assert.match(declarations, line);
    writeFileSync(path.join(dist, file), declarations.replace(line, ''));
    const errors = typeErrors(EVERY_OPTION, dist).join('\n');
    assert.match(errors, new RegExp(`'${name}' does not exist in type 'HammerOptions'`));
  });
}

const TABLE_EDITS = {
  'as it is': (s) => `${s}\n`,
  'a field without an entry': (s) => s.replace(/\n {2}ops: \{[^}]*\},/, ''),
  'an entry without a field': (s) => s.replace('  /** Call only these operations (`--ops`); the others weigh 0. */\n  ops?: string[];\n', ''),
  'an output field without an entry': (s) => s.replace('  junit?: string;', '  junit?: string;\n  sarif?: string;'),
  "a kind that does not fit the field's type": (s) => s.replace("    value: '<list>',\n    kind: 'names',", "    value: '<list>',\n    kind: 'count',"),
  'a value placeholder on a switch': (s) => s.replace("strict: { kind: 'flag',", "strict: { kind: 'flag', value: '<b>',"),
};

/**
 * Type errors of copies of src/options/table.ts (it imports nothing of this package), one per edit,
 * compiled in one program (the compiler reads the Node types once).
 */
function tableErrors(t) {
  const dir = tempDir(t);
  const source = readFileSync(path.join(ROOT, 'src/options/table.ts'), 'utf8');
  const files = Object.entries(TABLE_EDITS).map(([what, edit], i) => {
    const changed = edit(source);
    assert.notEqual(changed, source, `the edit '${what}' must change the table`);
    const file = path.join(dir, `table-${i}.ts`);
    writeFileSync(file, changed);
    return [what, file];
  });
  const p = program(files.map(([, file]) => file));
  return Object.fromEntries(
    files.map(([what, file]) => [
      what,
      ts
        .getPreEmitDiagnostics(p, p.getSourceFile(file))
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
        .join('\n'),
    ]),
  );
}

test('the option table fails to compile when a field has no entry, an entry no field, or a kind or value does not fit', (t) => {
  const errors = tableErrors(t);
  assert.equal(errors['as it is'], '');
  assert.match(errors['a field without an entry'], /Property 'ops' is missing/);
  assert.match(errors['an entry without a field'], /'ops' does not exist in type/);
  assert.match(errors['an output field without an entry'], /Property 'sarif' is missing/);
  assert.match(errors["a kind that does not fit the field's type"], /'"count"' is not assignable/);
  assert.match(errors['a value placeholder on a switch'], /'"<b>"' is not assignable to type 'undefined'/);
});
