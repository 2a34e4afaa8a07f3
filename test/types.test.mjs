// defineAdapter() types every documented adapter field: compiled with the TypeScript compiler's API
// against the built declarations (dist/index.d.ts), as a user's editor would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers/cli.mjs';

/** Type errors of one file, with 'adapter-hammer' resolved to this package's built types. */
function typeErrors(file) {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules/@types')],
    skipLibCheck: true,
    baseUrl: ROOT,
    paths: { 'adapter-hammer': [path.join(ROOT, 'dist/index.d.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
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
    const dir = mkdtempSync(path.join(tmpdir(), 'ah-types-'));
    const bad = path.join(dir, 'bad.ts');
    writeFileSync(bad, readFileSync(EVERY_FIELD, 'utf8').replace(from, to));
    const errors = typeErrors(bad).join('\n');
    assert.match(errors, pattern);
  });
}
