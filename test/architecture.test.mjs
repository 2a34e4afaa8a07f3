// The layers of src/ as docs/explanation/how-it-works.md draws them, enforced: data flows one way, so each folder
// may import only from the folders below it; and no module holds a run's state (two runs in one process
// must never see each other). Parsed with the TypeScript compiler's own API, not with regular expressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers/cli.mjs';

const SRC = path.join(ROOT, 'src');

/** What each part of src/ may import (besides itself). The order of this table is the data flow. */
const ALLOWED = {
  errors: [],
  tool: [],
  // The bottom layers every stage reads: the maths of measurements, the option table, the report's schema (what --json writes).
  maths: [],
  options: ['errors'],
  schema: ['errors', 'options', 'maths'],
  adapter: ['errors', 'options', 'schema'],
  plan: ['errors', 'options', 'adapter', 'scheduler'],
  pool: ['errors', 'adapter', 'schema', 'maths', 'scheduler', 'instrument'],
  // The scheduler writes its steps in the report's own type (schema's ScheduleStep).
  scheduler: ['errors', 'schema'],
  instrument: ['errors', 'scheduler'],
  checks: ['errors', 'adapter', 'options', 'pool', 'schema', 'maths'],
  rounds: ['errors', 'adapter', 'options', 'plan', 'pool', 'schema', 'maths', 'checks'],
  strategies: ['errors', 'adapter', 'options', 'plan', 'pool', 'schema', 'maths', 'checks', 'rounds', 'scheduler'],
  run: ['errors', 'tool', 'adapter', 'options', 'plan', 'schema', 'maths', 'checks', 'rounds', 'strategies'],
  merge: ['errors', 'options', 'plan', 'schema', 'maths', 'checks'],
  reporters: ['errors', 'options', 'schema', 'maths', 'scheduler'],
  api: ['errors', 'adapter', 'options', 'plan', 'schema', 'maths', 'reporters', 'run'],
  cli: ['errors', 'tool', 'adapter', 'options', 'plan', 'schema', 'maths', 'reporters', 'run', 'merge'],
  define: ['adapter', 'options'],
  // The toolkit runs inside the user's adapter: it shares only type declarations (schema/waits.ts), checked below.
  toolkit: ['schema'],
  index: ['api', 'define', 'errors', 'adapter', 'options', 'schema', 'maths', 'toolkit'],
};

function sourceFiles(dir = SRC) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `src/pool/session.ts` -> 'pool'; `src/api.ts` -> 'api'. */
const partOf = (file) =>
  path
    .relative(SRC, file)
    .split(path.sep)[0]
    .replace(/\.[jt]s$/, '');

test('every part of src/ is in the layer table', () => {
  for (const f of sourceFiles())
    assert.ok(partOf(f) in ALLOWED, `${path.relative(ROOT, f)}: add '${partOf(f)}' to the layer table (and to docs/explanation/how-it-works.md)`);
});

test('imports follow the layers: nothing imports against the data flow', () => {
  const wrong = [];
  for (const file of sourceFiles()) {
    const from = partOf(file);
    for (const imp of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const to = partOf(path.resolve(path.dirname(file), imp.fileName));
      if (to !== from && !ALLOWED[from].includes(to)) wrong.push(`${path.relative(ROOT, file)} imports ${imp.fileName} (${from} -> ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the toolkit imports types only from below it: nothing of the engine loads into a user adapter through it', () => {
  const loaded = [];
  for (const file of sourceFiles(path.join(SRC, 'toolkit'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const stmt of sf.statements) {
      if (!(ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt)) || !stmt.moduleSpecifier) continue;
      const spec = stmt.moduleSpecifier.text;
      if (!spec.startsWith('.') || partOf(path.resolve(path.dirname(file), spec)) === 'toolkit') continue;
      const typeOnly = ts.isImportDeclaration(stmt) ? stmt.importClause?.isTypeOnly === true : stmt.isTypeOnly;
      if (!typeOnly) loaded.push(`${path.relative(ROOT, file)}: ${stmt.getText(sf)}`);
    }
  }
  assert.deepEqual(loaded, []);
});

test('the layer check itself catches an import against the flow', () => {
  // A reporter deciding a verdict by importing checks/ would be caught by the rule above.
  assert.equal(ALLOWED.reporters.includes('checks'), false);
  assert.equal(ALLOWED.strategies.includes('run'), false);
  assert.equal(ALLOWED.pool.includes('plan'), false);
});

/** Module-level `let`/`var`, and module-level Set, Map, WeakMap or WeakSet not typed as read-only. */
function moduleState(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found = [];
  for (const stmt of sf.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    const list = stmt.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const name = d.name.getText(sf);
      const line = sf.getLineAndCharacterOfPosition(d.getStart(sf)).line + 1;
      if (!isConst) found.push(`${path.relative(ROOT, file)}:${line} module-level let/var '${name}'`);
      // A constant lookup table says so in its type (ReadonlySet / ReadonlyMap): that is no state.
      else if (
        d.initializer &&
        ts.isNewExpression(d.initializer) &&
        /^(Set|Map|WeakMap|WeakSet)$/.test(d.initializer.expression.getText(sf)) &&
        !/^Readonly/.test(d.type?.getText(sf) ?? '')
      ) {
        found.push(`${path.relative(ROOT, file)}:${line} module-level ${d.initializer.expression.getText(sf)} '${name}'`);
      }
    }
  }
  return found;
}

test('no module-level mutable state in src/: a run keeps its state in its RunContext', () => {
  // The toolkit is the adapter author's library (per-thread helpers); the worker entry runs in its own thread.
  const files = sourceFiles().filter((f) => partOf(f) !== 'toolkit');
  assert.deepEqual(files.flatMap(moduleState), []);
});

test('the module-state check catches a module-level Set and let', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-arch-'));
  const file = path.join(dir, 'state.ts');
  writeFileSync(file, "const pending = new Set<string>();\nlet current = 0;\nexport const OK = 1;\nconst KINDS: ReadonlySet<string> = new Set(['a']);\n");
  try {
    assert.equal(moduleState(file).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the folder table of docs/explanation/how-it-works.md names exactly the parts of src/ in the layer table', () => {
  // The diagram a newcomer reads and the rule this file enforces are one description: neither may drift.
  const page = readFileSync(path.join(ROOT, 'docs/explanation/how-it-works.md'), 'utf8');
  const named = new Set([...page.matchAll(/^\| `src\/([\w-]+)(?:\/|\.ts)`/gm)].map((m) => m[1]));
  const folders = new Set(
    readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name),
  );
  assert.deepEqual([...folders].filter((f) => !named.has(f)).sort(), [], 'folders of src/ missing from how-it-works.md');
  assert.deepEqual([...named].filter((f) => !(f in ALLOWED)).sort(), [], 'how-it-works.md names folders the layer table does not know');
});

/** Functions of `file` longer than `max` lines whose comment above does not say why ("Long because ..."). */
function longFunctions(file, max = 80) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const lines = sf.getLineAndCharacterOfPosition(node.end).line - first + 1;
      // The comment above the function, or above the statement or property that holds it.
      let holder = node;
      while (holder.parent && !ts.isSourceFile(holder.parent) && !ts.isClassLike(holder.parent) && !ts.isBlock(holder.parent)) holder = holder.parent;
      const comments = [holder, node].flatMap((n) => ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []).map((c) => text.slice(c.pos, c.end));
      if (lines > max && !comments.some((c) => /Long\s+(?:\*\s*)?because/i.test(c))) {
        const name = node.name?.getText(sf) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(sf) : '(anonymous)');
        found.push(`${path.relative(ROOT, file)}:${first + 1} ${name} (${lines} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test('no function over ~80 lines in src/ without a reason written beside it ("Long because ...")', () => {
  assert.deepEqual(
    sourceFiles()
      .filter((f) => !f.endsWith('.d.ts'))
      .flatMap((f) => longFunctions(f)),
    [],
  );
});

test('the long-function check catches a long function and accepts one with its reason', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-arch-'));
  const body = Array.from({ length: 90 }, (_, i) => `  const x${i} = ${i};`).join('\n');
  const file = path.join(dir, 'long.ts');
  writeFileSync(file, `export function plain() {\n${body}\n}\n/** Long because: one table of steps. */\nexport function explained() {\n${body}\n}\n`);
  try {
    assert.deepEqual(
      longFunctions(file).map((l) => l.replace(/^.*:(\d+) /, '$1 ')),
      ['1 plain (92 lines)'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
