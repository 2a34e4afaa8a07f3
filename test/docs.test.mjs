// Every command and code block of README.md and docs/ is run here (the way test/ci-shards.test.mjs runs
// docs/ci/), so no example rots: each page gets a sandbox (a temp project with this checkout installed
// as node_modules/adapter-hammer, and the repository's fixtures/ and docs/ linked in), its blocks run in
// order as their info strings say (test/helpers/doc-blocks.mjs), and its relative links must lead to a
// file and a heading that exist. `npx adapter-hammer` is this checkout's CLI; `npm ci` and `npm install
// adapter-hammer` are what the sandbox already is (test/pack.test.mjs installs the packed tarball for real).
//
//   npm test -- test/docs.test.mjs --name tutorial      one page
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { CODE_DOCS, FINDING_DOCS } from '../dist/reporters/docs-links.js';
import { BIN, fixture, ROOT, runCli } from './helpers/cli.mjs';
import { typecheck } from './helpers/typecheck.mjs';
import { anchorsOf, commandsOf, linksOf, missingLines, notInFile, parseBlocks } from './helpers/doc-blocks.mjs';

/** README.md and every page under docs/, as repository paths. */
function pages() {
  const walk = (dir) =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? walk(path.join(dir, d.name)) : d.name.endsWith('.md') ? [path.join(dir, d.name)] : [],
    );
  return ['README.md', ...walk('docs')];
}

function sandbox() {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-docs-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'docs-sandbox', private: true, type: 'module' }));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'adapter-hammer'), 'dir');
  for (const d of ['fixtures', 'docs']) symlinkSync(path.join(ROOT, d), path.join(dir, d), 'dir');
  return dir;
}

const INSTALLED = /^npm (ci|install( (--save-dev|-D))? adapter-hammer)(\s|$)/;

/** A command as the sandbox runs it: npx adapter-hammer is this checkout's CLI, other npx tools this checkout's. */
function rewrite(command) {
  return command.replace(/\bnpx (--no-install )?([\w@./-]+)/g, (_m, _flag, tool) => {
    if (tool === 'adapter-hammer') return `"${process.execPath}" "${BIN}"`;
    const bin = path.join(ROOT, 'node_modules/.bin', tool);
    assert.ok(existsSync(bin), `the docs test cannot run \`npx ${tool}\`: not a tool of this checkout (skip the block, with a reason)`);
    return `"${bin}"`;
  });
}

/** One shell command in the sandbox, async so that two pages run side by side; killed after `timeout`. */
function run(command, cwd, timeout = 180_000) {
  const env = { ...process.env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'GITHUB_ACTIONS', 'GITHUB_STEP_SUMMARY']) delete env[k];
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Run one page's blocks in order in its own sandbox; returns the blocks it skipped, with their reasons. */
async function runPage(page) {
  const text = readFileSync(path.join(ROOT, page), 'utf8');
  const dir = sandbox();
  const skipped = [];
  let last = null; // the previous command's output, for an `output` block
  const where = (b) => `${page}:${b.line}`;
  const shell = async (b, body) => {
    for (const { command, exit } of commandsOf(body, b.attrs.exit === undefined ? 0 : Number(b.attrs.exit))) {
      if (INSTALLED.test(command)) continue;
      const r = await run(rewrite(command), dir);
      assert.equal(r.code, exit, `${where(b)}: \`${command}\` exited ${r.code}, the page says ${exit}:\n${r.out.slice(-3000)}`);
      last = { command, out: r.out };
    }
  };
  try {
    for (const [i, b] of parseBlocks(text).entries()) {
      const { lang, attrs } = b;
      if (attrs.skip !== undefined) {
        assert.ok(typeof attrs.skip === 'string' && attrs.skip.length > 8, `${where(b)}: a skipped block says why (skip="...")`);
        skipped.push(`${where(b)}: ${attrs.skip}`);
      } else if (attrs.output) {
        assert.ok(last, `${where(b)}: an output block follows a command`);
        const missing = missingLines(b.body, last.out);
        assert.deepEqual(missing, [], `${where(b)}: not printed by \`${last.command}\`:\n${last.out.slice(-4000)}`);
      } else if (attrs.file) {
        const file = path.join(dir, attrs.file);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${b.body}\n`);
        if (attrs.check) assert.deepEqual(typecheck(file), [], `${where(b)}: does not typecheck`);
      } else if (attrs.excerpt) {
        const files = attrs.excerpt.split(',').map((f) => path.join(ROOT, f));
        assert.deepEqual(notInFile(b.body, files), [], `${where(b)}: lines not in ${attrs.excerpt}`);
      } else if (attrs.run) {
        const file = path.join(dir, `block-${i}.${lang === 'ts' ? 'mts' : 'mjs'}`);
        writeFileSync(file, `${b.body}\n`);
        const r = await run(`"${process.execPath}" ${lang === 'ts' ? `--import ${TSX} ` : ''}"${file}"`, dir);
        assert.equal(r.code, Number(attrs.exit ?? 0), `${where(b)}: exited ${r.code}:\n${r.out.slice(-3000)}`);
        last = { command: `the block at line ${b.line}`, out: r.out };
      } else if (attrs.check) {
        const file = path.join(dir, `block-${i}.mts`);
        writeFileSync(file, `${b.body}\n`);
        assert.deepEqual(typecheck(file), [], `${where(b)}: does not typecheck`);
      } else if (lang === 'sh') {
        await shell(b, b.body);
      } else if (lang === 'yaml' && attrs.steps) {
        const steps = parseYaml(b.body);
        assert.ok(Array.isArray(steps) && steps.some((s) => s.run), `${where(b)}: steps with run:`);
        for (const s of steps) if (s.run) await shell(b, s.run);
      } else {
        assert.equal(lang, 'text', `${where(b)}: a ${lang || 'plain'} block must say what to do with it (see test/helpers/doc-blocks.mjs)`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return skipped;
}

/** Relative links that lead nowhere: a missing file, or a heading the target page does not have. */
function brokenLinks(page) {
  const text = readFileSync(path.join(ROOT, page), 'utf8');
  const broken = [];
  for (const { line, target } of linksOf(text)) {
    const [file, anchor] = target.split('#');
    const abs = file ? path.resolve(path.dirname(path.join(ROOT, page)), decodeURIComponent(file)) : path.join(ROOT, page);
    if (!existsSync(abs)) broken.push(`${page}:${line}: ${target} (no such file)`);
    else if (anchor && abs.endsWith('.md') && !anchorsOf(readFileSync(abs, 'utf8')).has(anchor)) broken.push(`${page}:${line}: ${target} (no such heading)`);
  }
  return broken;
}

/** Every warning and note code the source emits (`code: 'no-contention'`), and every finding kind of the schema. */
function codesInSource() {
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? walk(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
    );
  const codes = new Set();
  for (const f of walk(path.join(ROOT, 'src'))) for (const m of readFileSync(f, 'utf8').matchAll(/\bcode: '([a-z][a-z-]*)'/g)) codes.add(m[1]);
  const union = /export type FindingKind =([^;]+);/.exec(readFileSync(path.join(ROOT, 'src/schema/report.ts'), 'utf8'))[1];
  return { codes: [...codes].sort(), kinds: [...union.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]).sort() };
}

test('every finding kind, warning code and note code has its docs entry, on a page and heading that exist', () => {
  const { codes, kinds } = codesInSource();
  assert.ok(kinds.includes('lost-update') && codes.includes('undeclared'), 'the scan sees kinds and codes');
  assert.deepEqual(Object.keys(FINDING_DOCS).sort(), kinds);
  assert.deepEqual(Object.keys(CODE_DOCS).sort(), codes);
  for (const page of [...Object.values(FINDING_DOCS), ...Object.values(CODE_DOCS)]) {
    const [file, anchor] = page.split('#');
    assert.ok(existsSync(path.join(ROOT, file)), `${page}: no such page`);
    assert.ok(anchorsOf(readFileSync(path.join(ROOT, file), 'utf8')).has(anchor), `${page}: no such heading`);
  }
});

test('the terminal report points to the page that explains a finding and a warning, once each', async () => {
  const r = await runCli([fixture('lazy-init-unsafe.mjs'), '-s', 'race', '-r', '300', '--no-strict'], {
    timeoutMs: 120_000,
    env: { ADAPTER_HAMMER_SHRINK_MS: '0' },
  });
  assert.equal(r.code, 1, r.stderr);
  const see = r.stdout.split('\n').filter((l) => l.includes('see: '));
  assert.ok(
    see.some((l) => l.trim() === 'see: docs/reference/findings.md#mismatch'),
    r.stdout,
  );
  assert.equal(see.length, new Set(see).size, 'each page once');
  // From another directory the path still opens: relative to where the tool was run.
  const elsewhere = await runCli([fixture('lazy-init-unsafe.mjs'), '-s', 'race', '-r', '300'], {
    timeoutMs: 120_000,
    cwd: path.join(ROOT, 'fixtures'),
    env: { ADAPTER_HAMMER_SHRINK_MS: '0' },
  });
  assert.match(elsewhere.stdout, /see: \.\.\/docs\/reference\/findings\.md#mismatch/);
});

test("every lesson of fixtures/ is in its guide's table of lessons", () => {
  const listed = (page) => readFileSync(path.join(ROOT, page), 'utf8');
  const lessons = (dir) => readdirSync(path.join(ROOT, dir)).filter((f) => /-(un)?safe\.(mjs|cjs|js)$/.test(f));
  const missing = [
    ...lessons('fixtures').filter((f) => !listed('docs/guides/writing-adapters.md').includes(`\`${f}\``)),
    ...lessons('fixtures/controlled').filter((f) => !listed('docs/guides/writing-adapters.md').includes(`\`controlled/${f}\``)),
    ...lessons('fixtures/db').filter((f) => !listed('docs/guides/databases.md').includes(`\`${f}\``)),
  ];
  assert.deepEqual(missing, []);
});

test('README.md is a front door: at most 300 lines', () => {
  const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length;
  assert.ok(lines <= 300, `README.md has ${lines} lines: move the detail into docs/`);
});

test('every relative link of README.md and docs/ leads to a file and a heading that exist', () => {
  assert.deepEqual(pages().flatMap(brokenLinks), []);
});

// Two pages at a time, each in its own sandbox: most of a page's time is its CLI runs' own budgets.
describe('every page of README.md and docs/', { concurrency: 2 }, () => {
  for (const page of pages()) {
    test(`${page}: every block runs as the page says`, { timeout: 900_000 }, async (t) => {
      const skipped = await runPage(page);
      for (const s of skipped) t.diagnostic(`skipped ${s}`);
    });
  }
});

test("CI runs exactly the commands README gives a newcomer (its 'Working on adapter-hammer' block)", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Working on adapter-hammer'));
  const block = /```sh[^\n]*\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const commands = (text) =>
    text
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l && !l.startsWith('#') && !/^(set|cd) /.test(l));
  const ci = commands(readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).filter((l) => !l.startsWith('#!'));
  assert.deepEqual(commands(block), ci);
  assert.ok(ci.includes('npm test'), ci.join('\n'));
});
