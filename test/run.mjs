// `npm test`: build, typecheck, lint (ESLint, zero warnings) and format check (Prettier), then every
// test file with node:test, one file at a time (the tests start worker pools; two at once would
// compete for the cores they measure).
//
//   npm test                                   everything, as CI runs it
//   npm test -- test/race.test.mjs             build, then one file (no lint)
//   npm test -- --name lazy-init               build, then the tests whose name matches, in every file
//   npm test -- test/fixtures.test.mjs --name bank-unsafe
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (p) => path.join(ROOT, 'node_modules', p);

function step(title, args) {
  process.stdout.write(`\n> ${title}\n`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`npm test: ${title} failed\n`);
    process.exit(r.status ?? 1);
  }
}

const argv = process.argv.slice(2);
const files = [];
const names = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--name' || a === '-t') names.push(argv[++i] ?? '');
  else if (a.startsWith('--name=')) names.push(a.slice('--name='.length));
  else files.push(a);
}
const selected = files.length > 0 || names.length > 0;

step('build and typecheck (tsc, strict)', [bin('typescript/bin/tsc'), '-p', 'tsconfig.json']);
/** Steps that only read the tree, side by side (each runs on one thread); the first that failed ends `npm test` with its code. */
async function together(steps) {
  const codes = await Promise.all(
    steps.map(({ title, args }) => {
      process.stdout.write(`\n> ${title}\n`);
      return new Promise((resolve) => spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' }).on('close', (code) => resolve({ title, code })));
    }),
  );
  for (const { title, code } of codes) {
    if (code === 0) continue;
    process.stderr.write(`npm test: ${title} failed\n`);
    process.exit(code ?? 1);
  }
}

if (!selected)
  await together([
    { title: 'lint (ESLint, zero warnings)', args: [bin('eslint/bin/eslint.js'), '--max-warnings=0', '.'] },
    { title: 'format (Prettier)', args: [bin('prettier/bin/prettier.cjs'), '--check', '--log-level=warn', '.'] },
  ]);
const all = readdirSync(path.join(ROOT, 'test'))
  .filter((f) => f.endsWith('.test.mjs'))
  .sort()
  .map((f) => path.join('test', f));
step(`tests (node:test)${selected ? ': ' + [...files, ...names.map((n) => `--name ${n}`)].join(' ') : ''}`, [
  '--test',
  '--test-concurrency=1',
  ...names.map((n) => `--test-name-pattern=${n}`),
  ...(files.length ? files : all),
]);
