// Installable: `npm pack` ships only what is needed, and the tarball installed into an empty project
// runs as `npx adapter-hammer <adapter>` (JavaScript and TypeScript adapters), as `npx adapter-hammer
// init` (a first adapter for an ordinary module, which then runs), and as a library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/cli.mjs';

function run(cmd, args, cwd, timeout = 240_000) {
  const env = { ...process.env };
  for (const k of ['GITHUB_ACTIONS', 'FORCE_COLOR', 'NO_COLOR']) delete env[k];
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

test('npm pack + install into an empty project: npx adapter-hammer works', { timeout: 300_000 }, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'ah-pack-'));
  // dist/ is already built (npm ci ran `prepare`); --ignore-scripts keeps pack from compiling again.
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  assert.equal(pack.code, 0, pack.stderr);
  const info = JSON.parse(pack.stdout)[0];
  const files = info.files.map((f) => f.path);
  assert.ok(files.includes('bin/adapter-hammer.js'));
  assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('dist/api.d.ts'), 'code and types');
  assert.ok(files.includes('README.md') && files.includes('package.json'));
  // The docs the report's `see:` lines point to (node_modules/adapter-hammer/docs/...).
  assert.ok(files.includes('docs/reference/findings.md'), 'the docs ship');
  const stray = files.filter((f) => !/^(bin\/|dist\/|docs\/|README\.md$|package\.json$|LICENSE)/.test(f) || f.endsWith('.map'));
  assert.deepEqual(stray, [], 'nothing but bin/, dist/ (no source maps), docs/, README.md, package.json');

  const project = path.join(work, 'project');
  spawnSync('mkdir', [project]);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  // --ignore-scripts: a project whose npm runs no dependency's install script (npm 12's default for any
  // not listed in its allowScripts) gets a working adapter-hammer, TypeScript adapters included (esbuild's
  // binary comes from its platform package; its postinstall only checks it).
  const install = run(
    'npm',
    ['install', path.join(work, info.filename), '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    project,
  );
  assert.equal(install.code, 0, `npm install failed:\n${install.stderr}`);

  writeFileSync(
    path.join(project, 'counter-safe.mjs'),
    `let c;
export default {
  threadSafe: true,
  setup: () => ({ buffer: new SharedArrayBuffer(4) }),
  init: (s) => { c = new Int32Array(s.buffer); },
  operations: { increment: () => Atomics.add(c, 0, 1) },
  stats: (s) => ({ increment: new Int32Array(s.buffer)[0] }),
};`,
  );
  const js = run('npx', ['--no-install', 'adapter-hammer', 'counter-safe.mjs', '-s', 'hammer', '-n', '2000', '--json', '-'], project);
  assert.equal(js.code, 0, js.stderr);
  assert.equal(JSON.parse(js.stdout).strategies[0].counters[0].actual, 2000);

  // A TypeScript adapter importing defineAdapter from the installed package, loaded in every worker.
  writeFileSync(
    path.join(project, 'typed-safe.ts'),
    `import { defineAdapter } from 'adapter-hammer';
let c: Int32Array;
export default defineAdapter({
  threadSafe: true,
  setup: () => ({ buffer: new SharedArrayBuffer(4) }),
  init(shared) { c = new Int32Array(shared.buffer); },
  operations: { increment: (): number => Atomics.add(c, 0, 1) },
  stats: (shared) => ({ increment: new Int32Array(shared.buffer)[0]! }),
});`,
  );
  const ts = run('npx', ['--no-install', 'adapter-hammer', 'typed-safe.ts', '-s', 'hammer', '-n', '2000', '--json', '-'], project);
  assert.equal(ts.code, 0, ts.stderr);
  assert.equal(JSON.parse(ts.stdout).strategies[0].counters[0].actual, 2000);

  // A newcomer's first minutes: an ordinary module, `npx adapter-hammer init`, then the adapter it wrote.
  writeFileSync(
    path.join(project, 'mod.js'),
    `let hits = 0;
export async function hit(page) { hits += page.length; }
export function count() { return hits; }
`,
  );
  const init = run('npx', ['--no-install', 'adapter-hammer', 'init', './mod.js'], project);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /wrote mod\.hammer\.mjs: 2 operations \(hit, count\)/);
  assert.match(init.stdout, /run it: +npx adapter-hammer mod\.hammer\.mjs/);
  assert.match(init.stdout, /guide: node_modules\/adapter-hammer\/docs\/tutorial\.md/, 'the docs as installed');
  assert.match(readFileSync(path.join(project, 'mod.hammer.mjs'), 'utf8'), /walks through it: node_modules\/adapter-hammer\/docs\/tutorial\.md/);
  assert.ok(existsSync(path.join(project, 'node_modules/adapter-hammer/docs/tutorial.md')));
  const generated = run('npx', ['--no-install', 'adapter-hammer', 'mod.hammer.mjs', '-s', 'hammer,race', '-n', '2000', '-r', '100', '--json', '-'], project);
  assert.equal(generated.code, 0, generated.stderr);
  assert.deepEqual(JSON.parse(generated.stdout).findings, []);
  const again = run('npx', ['--no-install', 'adapter-hammer', 'init', './mod.js'], project);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^adapter-hammer: init: mod\.hammer\.mjs already exists: not overwritten/);

  // A finding's `see:` line opens in the installed package.
  writeFileSync(path.join(project, 'throws.mjs'), "export default { threadSafe: true, operations: { a() { throw new Error('boom'); } } };\n");
  const failing = run('npx', ['--no-install', 'adapter-hammer', 'throws.mjs', '-s', 'hammer', '-n', '100'], project);
  assert.equal(failing.code, 1, failing.stderr);
  const see = /see: (node_modules\/adapter-hammer\/docs\/reference\/findings\.md)#error/.exec(failing.stdout);
  assert.ok(see, failing.stdout);
  assert.ok(existsSync(path.join(project, see[1])));

  const lib = run(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('adapter-hammer'); console.log(typeof m.hammer, typeof m.defineAdapter)"],
    project,
  );
  assert.equal(lib.stdout.trim(), 'function function', lib.stderr);
});

test('every install script in the lockfile is declared in allowScripts, so a strict npm still builds everything', () => {
  // npm 11.16+ lists dependencies whose install scripts package.json's allowScripts does not cover
  // (`npm ci --strict-allow-scripts` fails on them; npm 12 skips them): better-sqlite3 builds its native
  // binding there. Name-only entries: the lockfile's integrity hashes pin the versions, and a lockfile
  // without "resolved" URLs (omit-lockfile-registry-resolved) never matches a pinned `name@version`.
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const withScripts = Object.entries(lock.packages)
    .filter(([where, p]) => where && p.hasInstallScript)
    .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
  assert.ok(withScripts.includes('better-sqlite3'), 'the check sees the native build');
  assert.deepEqual([...new Set(withScripts)].sort(), Object.keys(pkg.allowScripts ?? {}).sort());
  assert.ok(Object.values(pkg.allowScripts).every((v) => v === true));
});
