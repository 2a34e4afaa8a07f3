// Issue 6, the CI gate: JUnit XML, GitHub Actions annotations and summary, several adapters per run,
// the programmatic API, defineAdapter's types, TypeScript adapters, and the config file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convert } from 'xmlbuilder2';
import { AdapterError, defineAdapter, hammer } from '../dist/index.js';
import { escapeData, escapeProperty, githubAnnotations } from '../dist/reporters/github.js';
import { ROOT, fixture, runCli, tempAdapters } from './helpers/cli.mjs';

// An invariant message with everything XML, Markdown and workflow commands must escape.
const NASTY = `money <lost> & "gone" 'twice' ]]> 100% a:b,c | pipe\nsecond line \u0001 end`;
const at = tempAdapters({
  'pass.mjs': 'export default { threadSafe: true, operations: { a() {} } };',
  'fail.mjs': `export default { threadSafe: true, operations: { a() {} }, invariant() { return ${JSON.stringify(NASTY)}; } };`,
  'broken.mjs': 'export default {\n  operations: { a() { return 1 +; } }\n};\n',
  'slow.mjs': 'export default { threadSafe: true, operations: { async a() { await new Promise((r) => setTimeout(r, 1)); } } };',
  'bad-syntax.ts': 'const a: number = ;\nexport default { operations: { a() {} } };\n',
  'cjs-adapter.cts': 'const step: number = 1;\nmodule.exports = { threadSafe: true, operations: { a(): number { return step; } } };\n',
});
const dirOf = path.dirname(at('pass.mjs'));
const fast = ['-s', 'hammer', '-n', '2000', '-w', '2'];
const tmp = () => mkdtempSync(path.join(tmpdir(), 'ah-ci-'));
// xmlbuilder2's object form keeps entity references as written: decode them for the assertions.
const decode = (v) =>
  typeof v === 'string'
    ? v.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e])
    : Array.isArray(v)
      ? v.map(decode)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]))
        : v;
const parseXml = (xml) => decode(convert(xml, { format: 'object' }));

// ---- 1. JUnit ----------------------------------------------------------------------------------------
test('--junit writes well-formed JUnit XML: suite per adapter, case per strategy, escaped failure text', async () => {
  const out = path.join(tmp(), 'junit.xml');
  const r = await runCli([at('fail.mjs'), '-s', 'hammer,race', '-n', '2000', '-r', '20', '--junit', out]);
  assert.equal(r.code, 1, r.stderr);
  const xml = readFileSync(out, 'utf8');
  assert.doesNotMatch(xml, /\u0001/, 'no raw control characters');
  const doc = parseXml(xml); // throws if not well-formed
  const suites = doc.testsuites;
  assert.equal(suites['@tests'], '2');
  assert.equal(suites['@failures'], '2');
  const suite = suites.testsuite;
  assert.equal(suite['@name'], at('fail.mjs'));
  assert.match(suite['@time'], /^\d+\.\d{3}$/, 'seconds with 3 decimals');
  const cases = suite.testcase;
  assert.deepEqual(
    cases.map((c) => c['@name']),
    ['hammer', 'race'],
  );
  for (const c of cases) {
    assert.match(c['@time'], /^\d+\.\d{3}$/);
    assert.equal(c.failure['@type'], 'invariant');
    assert.match(c.failure['@message'], /money <lost> & "gone" 'twice' \]\]> 100% a:b,c \| pipe second line/);
    assert.match(c.failure['#'], /money <lost> & "gone"/);
  }
  assert.match(xml, /&lt;lost&gt; &amp;/);
});

test('--junit on a passing adapter: no failure elements', async () => {
  const out = path.join(tmp(), 'j.xml');
  const r = await runCli([at('pass.mjs'), ...fast, '--junit', out]);
  assert.equal(r.code, 0, r.stderr);
  const s = parseXml(readFileSync(out, 'utf8')).testsuites;
  assert.equal(s['@failures'], '0');
  assert.equal(s.testsuite.testcase['@name'], 'hammer');
  assert.equal(s.testsuite.testcase.failure, undefined);
});

// ---- 2. GitHub Actions ------------------------------------------------------------------------------
test('workflow-command escaping follows the Actions rules', () => {
  assert.equal(escapeData('100%\r\nx:y,z'), '100%25%0D%0Ax:y,z');
  assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
});

test('GITHUB_ACTIONS=true: one ::error per finding, file= the adapter, and a step summary', async () => {
  const summary = path.join(tmp(), 'summary.md');
  writeFileSync(summary, '# earlier step\n');
  const r = await runCli([at('fail.mjs'), '-s', 'hammer,race', '-n', '2000', '-r', '20', '--json', '-'], {
    env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dirOf },
  });
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout); // JSON on stdout stays clean: annotations go with the terminal report
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('::error '));
  assert.equal(errors.length, report.findings.length);
  assert.equal(errors.length, 2);
  for (const line of errors) {
    assert.match(line, /^::error file=fail\.mjs,title=adapter-hammer (hammer|race)%3A invariant::invariant in /);
    assert.match(line, /100%25 a:b,c \| pipe%0Asecond line/);
    assert.doesNotMatch(line, /\r/);
  }
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^# earlier step\n/, 'appended, not overwritten');
  assert.match(md, /## adapter-hammer: ❌ fail/);
  assert.match(md, /\| `.*fail\.mjs` \| ❌ fail \| hammer ❌ · race ❌ \| 2 \|/);
  assert.match(md, /&lt;lost&gt;/);
  assert.match(md, /\\\| pipe/);
});

test('without GITHUB_ACTIONS no workflow commands are printed', async () => {
  const r = await runCli([at('fail.mjs'), ...fast]);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout + r.stderr, /^::error/m);
});

test('githubAnnotations renders a report it is given (unit)', () => {
  const text = githubAnnotations(
    { adapter: 'a/b.mjs', replay: 'x', findings: [{ strategy: 'race', kind: 'invariant', violation: 'lost 3\nof 10' }], warnings: [] },
    { GITHUB_WORKSPACE: '/repo' },
    '/repo',
  );
  assert.equal(text, '::error file=a/b.mjs,title=adapter-hammer race%3A invariant::invariant in race: invariant violated: lost 3%0Aof 10%0Areplay: x\n');
});

// ---- 3. Several adapters ----------------------------------------------------------------------------
test('several adapters: each hammered, a summary table, exit 1, multi JSON and JUnit cover all', async () => {
  const d = tmp();
  const json = path.join(d, 'r.json');
  const junit = path.join(d, 'r.xml');
  const r = await runCli([at('pass.mjs'), at('fail.mjs'), at('broken.mjs'), ...fast, '--json', json, '--junit', junit]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /SUMMARY/);
  assert.match(r.stdout, /pass\.mjs\s+│\s+PASS/);
  assert.match(r.stdout, /fail\.mjs\s+│\s+FAIL/);
  assert.match(r.stdout, /broken\.mjs\s+│\s+NOT STARTED/);
  assert.match(r.stdout, /1 of 3 adapters passed, 1 could not start/);
  assert.match(r.stderr, /could not start .*broken\.mjs: syntax error in .*broken\.mjs:2/);
  const j = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(j.verdict, 'fail');
  assert.equal(j.exitCode, 1);
  assert.deepEqual(
    j.adapters.map((a) => [path.basename(a.adapter), a.verdict]),
    [
      ['pass.mjs', 'pass'],
      ['fail.mjs', 'fail'],
      ['broken.mjs', 'fail'],
    ],
  );
  assert.equal(j.adapters[0].strategies[0].name, 'hammer');
  assert.equal(j.adapters[2].notStarted, true);
  const x = parseXml(readFileSync(junit, 'utf8')).testsuites;
  assert.equal(x.testsuite.length, 3);
  assert.equal(x['@errors'], '1');
  assert.equal(x['@failures'], '1');
});

test('several adapters that all pass: exit 0; none can start: exit 2', async () => {
  const ok = await runCli([at('pass.mjs'), at('slow.mjs'), ...fast, '-n', '400']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /2 of 2 adapters passed/);
  const none = await runCli([at('broken.mjs'), 'nope/missing.mjs', ...fast]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /adapter file not found: nope\/missing\.mjs/);
});

test('a directory stands for its adapter files; multi-shape JSON', async () => {
  const d = tmp();
  writeFileSync(path.join(d, 'one-safe.mjs'), 'export default { threadSafe: true, operations: { a() {} } };');
  writeFileSync(path.join(d, 'two-safe.cts'), 'module.exports = { threadSafe: true, operations: { b(): void {} } };');
  writeFileSync(path.join(d, 'types.d.ts'), 'export {};');
  writeFileSync(path.join(d, 'notes.txt'), 'not an adapter');
  const r = await runCli([d, ...fast, '--json', '-']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(
    j.adapters.map((a) => path.basename(a.adapter)),
    ['one-safe.mjs', 'two-safe.cts'],
  );
  const empty = tmp();
  const e = await runCli([empty, ...fast]);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /no adapter files in directory/);
});

test("a single adapter keeps the contract's plain report shape", async () => {
  const r = await runCli([at('pass.mjs'), ...fast, '--json', '-']);
  const j = JSON.parse(r.stdout);
  assert.equal(j.adapter, at('pass.mjs'));
  assert.equal(j.adapters, undefined);
});

// ---- 4. Programmatic API ----------------------------------------------------------------------------
test('hammer() returns the report object, prints nothing, never exits', async () => {
  // In a child process, so stdout holds only what the script itself writes (and the test runner's own
  // messages do not interfere).
  const script = `
    import { hammer } from ${JSON.stringify(path.join(ROOT, 'dist/index.js'))};
    const report = await hammer(${JSON.stringify(at('fail.mjs'))}, { strategy: ['hammer'], requests: 1000, workers: 2, seed: 7 });
    process.on('exit', (code) => process.stderr.write('exit ' + code + ' ' + report.verdict + '\\n'));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.stdout, '', 'nothing printed');
  assert.equal(child.stderr, 'exit 0 fail\n', 'no process.exit: a failing run still exits 0 by itself');
  const report = await hammer(at('fail.mjs'), { strategy: ['hammer'], requests: 1000, workers: 2, seed: 7 });
  assert.equal(report.verdict, 'fail');
  assert.equal(report.seed, 7);
  assert.equal(report.exitCode, 1);
  assert.equal(report.strategies[0].requests, 1000);
  assert.equal(report.findings[0].kind, 'invariant');
  const again = await hammer(at('pass.mjs'), { strategy: ['hammer'], requests: 500, args: ['--port', '5432'] });
  assert.equal(again.verdict, 'pass');
  assert.equal(again.config.args.port, 5432);
});

test('hammer() rejects with AdapterError for a broken adapter, TypeError for bad options', async () => {
  await assert.rejects(hammer(at('broken.mjs')), (e) => e instanceof AdapterError && /syntax error/.test(e.message));
  await assert.rejects(hammer(at('pass.mjs'), { strategy: ['fuzz'] }), TypeError);
  await assert.rejects(hammer(at('pass.mjs'), { workers: 0 }), TypeError);
  // The same bounds as the command line's -w (run/plan.ts COUNT_MAX).
  await assert.rejects(hammer(at('pass.mjs'), { workers: 257 }), /workers must be a whole number from 1 to 256/);
});

test('hammer() with an AbortSignal stops like Ctrl-C and resolves with a partial report', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 400);
  const report = await hammer(at('slow.mjs'), { strategy: ['race', 'hammer'], rounds: 100000, iterations: 2, signal: ac.signal });
  assert.equal(report.interrupted, true);
  assert.equal(report.exitCode, 130);
  const pre = await hammer(at('pass.mjs'), { signal: AbortSignal.abort() });
  assert.equal(pre.interrupted, true);
  assert.deepEqual(pre.strategies, []);
});

test('hammer() print: true renders the terminal report to a stream', async () => {
  let text = '';
  const stream = { write: (s) => ((text += s), true) };
  await hammer(at('pass.mjs'), { strategy: ['hammer'], requests: 200, print: stream, color: false });
  assert.match(text, /HAMMER\s+PASS/);
});

// ---- 5. defineAdapter types -------------------------------------------------------------------------
function typecheck(source) {
  const d = tmp();
  writeFileSync(
    path.join(d, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        typeRoots: [path.join(ROOT, 'node_modules/@types')],
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
  writeFileSync(path.join(d, 'adapter.ts'), source.replace('ADAPTER_HAMMER', path.join(ROOT, 'dist/index.js')));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', d], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test("defineAdapter: setup's return type flows into init/stats/teardown; wrong hooks are type errors", () => {
  const good = typecheck(`
    import { defineAdapter } from 'ADAPTER_HAMMER';
    let v: Int32Array;
    export default defineAdapter({
      threadSafe: true,
      async setup({ workers, round, args }) { return { buffer: new SharedArrayBuffer(4), workers, round, port: Number(args.port) }; },
      init(shared, { workerId, workers }) { v = new Int32Array(shared.buffer); void (workerId + workers); },
      operations: { inc({ random, call, workerId }) { return Atomics.add(v, 0, random() < 2 ? 1 : call + workerId); }, read: () => v[0] },
      weights: { read: 0.5 },
      unique: ['inc'],
      workerStats: () => ({ local: 0 }),
      stats: (shared) => ({ inc: new Int32Array(shared.buffer)[0]! }),
      expected: (calls) => ({ inc: calls.inc, local: calls.total * 0 }),
      invariant: (stats, calls) => stats.inc === calls.inc || 'lost ' + (calls.inc - stats.inc!),
      teardown(shared) { return shared.buffer.byteLength; },
    });`);
  assert.equal(good.code, 0, good.out);
  const bad = typecheck(`
    import { defineAdapter } from 'ADAPTER_HAMMER';
    export default defineAdapter({
      setup: () => ({ buffer: new SharedArrayBuffer(4) }),
      init(shared) { return shared.buffr; },
      operations: { inc(ctx) { return ctx.workerid; } },
      unique: ['dec'],
      stats: () => ({ n: 'many' }),
      invariant: (stats, calls) => 42,
    });`);
  assert.notEqual(bad.code, 0);
  assert.match(bad.out, /Property 'buffr' does not exist on type '\{ buffer: SharedArrayBuffer; \}'/);
  assert.match(bad.out, /Property 'workerid' does not exist on type 'CallContext'/);
  assert.match(bad.out, /Type 'string' is not assignable to type 'number'/);
  assert.match(bad.out, /adapter\.ts\(9,/, 'the invariant returning a number is an error');
});

test('defineAdapter returns its argument unchanged (runtime)', () => {
  const a = { operations: { x() {} } };
  assert.equal(defineAdapter(a), a);
});

// ---- 6. TypeScript adapters -------------------------------------------------------------------------
test('TypeScript adapters load in the main thread and in every worker (.ts, .cts)', async () => {
  const r = await runCli([fixture('typed-counter-safe.ts'), '-s', 'hammer,race', '-n', '4000', '-r', '100', '-w', '2', '--json', '-']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.strategies[0].counters[0].actual, 4000, 'workers ran the TypeScript operations');
  const c = await runCli([at('cjs-adapter.cts'), ...fast]);
  assert.equal(c.code, 0, c.stderr);
});

test('the unsafe TypeScript twin (.mts) is caught', async () => {
  const r = await runCli([fixture('typed-counter-unsafe.mts'), '-s', 'hammer,race', '--json', '-']);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(JSON.parse(r.stdout).findings.some((f) => f.kind === 'lost-update'));
});

test('a TypeScript syntax error is exit 2 naming file and line', async () => {
  const r = await runCli([at('bad-syntax.ts'), ...fast]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /syntax error in .*bad-syntax\.ts:1: Unexpected ";"/);
});

// ---- 8. Config file ---------------------------------------------------------------------------------
function project(config, name = 'adapter-hammer.config.json') {
  const d = tmp();
  writeFileSync(path.join(d, 'package.json'), '{"name":"p","private":true}');
  mkdirSync(path.join(d, 'adapters'));
  writeFileSync(
    path.join(d, 'adapters', 'a-safe.mjs'),
    'export default { threadSafe: true, operations: { a() {} }, setup(o) { return o.args; }, init(s) { if (s.port !== 5432) throw new Error("args"); } };',
  );
  writeFileSync(path.join(d, name), typeof config === 'string' ? config : JSON.stringify(config));
  mkdirSync(path.join(d, 'sub'));
  return d;
}

test('config file: adapters and defaults, so a CI step is just `adapter-hammer`; flags override it', async () => {
  const d = project({ adapters: ['adapters/a-safe.mjs'], strategy: ['hammer'], requests: 1500, workers: 2, args: { port: 5432 }, json: 'out.json' });
  const r = await runCli([], { cwd: path.join(d, 'sub') }); // found from a subdirectory too
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(readFileSync(path.join(d, 'out.json'), 'utf8')); // relative to the config file
  assert.equal(j.strategies.length, 1);
  assert.equal(j.strategies[0].requests, 1500);
  const o = await runCli(['-n', '700', '--json', '-'], { cwd: d });
  assert.equal(o.code, 0, o.stderr);
  assert.equal(JSON.parse(o.stdout).strategies[0].requests, 700);
  const dir = project({ adapters: 'adapters', strategy: 'hammer', requests: 300, args: { port: 5432 } });
  const m = await runCli(['--json', '-'], { cwd: dir });
  assert.equal(m.code, 0, m.stderr);
  assert.equal(JSON.parse(m.stdout).adapters.length, 1);
});

test("a config file's flags can be undone on the command line: --no-strict, --color", async () => {
  const d = project({ adapters: 'adapters', strategy: 'hammer', requests: 300, args: { port: 5432 }, strict: true, color: false });
  const ANSI = new RegExp(String.raw`\x1b\[`);
  const env = { FORCE_COLOR: '1' };
  // A sync operation may never overlap another call on a loaded machine (a no-contention warning):
  // strict or not decides whether that warning fails the run.
  const fromConfig = await runCli(['--json', '-'], { cwd: d, env });
  const strict = JSON.parse(fromConfig.stdout).adapters[0];
  assert.equal(strict.config.strict, true);
  assert.equal(fromConfig.code, strict.warnings.length ? 1 : 0, fromConfig.stderr);
  assert.equal(strict.strictFailure, strict.warnings.length > 0);
  assert.doesNotMatch(fromConfig.stderr, ANSI);
  const undone = await runCli(['--no-strict', '--color', '--json', '-'], { cwd: d, env });
  const lenient = JSON.parse(undone.stdout).adapters[0];
  assert.equal(lenient.config.strict, false);
  assert.equal(undone.code, 0, undone.stderr);
  assert.equal(lenient.strictFailure, false);
  assert.match(undone.stderr, ANSI);
});

test('config file as .mjs (default export)', async () => {
  const d = project(`export default { adapters: ['adapters'], strategy: ['hammer'], requests: 300, args: { port: 5432 } };`, 'adapter-hammer.config.mjs');
  const r = await runCli([], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 of 1 adapters passed/);
});

test('a bad config is exit 2 with one line naming the file', async () => {
  for (const [config, pattern] of [
    ['{ "workers": 2, ', /adapter-hammer\.config\.json: invalid JSON/],
    [{ wokers: 2 }, /adapter-hammer\.config\.json: unknown key 'wokers'/],
    [{ workers: 'lots' }, /adapter-hammer\.config\.json: .*workers must be a whole number/],
    [{ strategy: ['fuzz'] }, /adapter-hammer\.config\.json: .*unknown strategy 'fuzz'/],
    [{ strict: 'yes' }, /adapter-hammer\.config\.json: 'strict' must be true or false/],
    [[1, 2], /must hold an object/],
  ]) {
    const r = await runCli([], { cwd: project(config) });
    assert.equal(r.code, 2, `${JSON.stringify(config)}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], pattern);
  }
});
