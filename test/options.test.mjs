// What derives from the option table (src/options/table.ts) without running anything: the reference
// docs/reference/cli.md (a changed option without `npm run docs:reference` fails here) and the config
// file's checks (cli/config.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/cli.mjs';
import { cliReference } from '../dist/options/reference.js';
import { OPTIONS } from '../dist/options/table.js';
import { buildProgram } from '../dist/cli/program.js';
import { loadConfig } from '../dist/cli/config.js';
import { makePlan } from '../dist/plan/plan.js';

test('docs/reference/cli.md is up to date with the option table (else: npm run docs:reference)', () => {
  const committed = readFileSync(path.join(ROOT, 'docs/reference/cli.md'), 'utf8');
  assert.ok(committed === cliReference(), 'docs/reference/cli.md is out of date: run `npm run docs:reference` and commit it');
});

test('the reference has a row for every flag the command line has, and the reverse', () => {
  const reference = cliReference();
  const rows = [...reference.matchAll(/^\| `((?:-\w, )?--[\w-]+)/gm)].map((m) => m[1].replace(/^-\w, /, ''));
  const flags = buildProgram('0.0.0')
    .options.filter((o) => !['--version', '--help'].includes(o.long))
    // A switch's opposite (--no-strict) is in its row, not a row of its own.
    .filter((o) => !OPTIONS.some((x) => x.kind === 'flag' && o.long === `--${x.negate ? '' : 'no-'}${x.long}`))
    .map((o) => o.long);
  assert.deepEqual(rows.sort(), flags.sort());
  for (const o of OPTIONS) assert.ok(reference.includes(o.help), `${o.long}: its help is in the reference`);
});

/** loadConfig on a config file holding `config`, in a temp dir (removed after the test). */
async function configOf(t, config) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'adapter-hammer.config.json');
  writeFileSync(file, JSON.stringify(config));
  return loadConfig(file, dir);
}

test("config file: every option by the API's name or the flag's, as command-line tokens; switches by their value", async (t) => {
  const c = await configOf(t, { maxOldSpace: 64, 'min-ops': 3, strategy: ['race', 'hammer'], time: '90s', strict: true, color: false, json: 'out/r.json' });
  assert.deepEqual(c.argv, [
    '--max-old-space',
    '64',
    '--min-ops',
    '3',
    '--strategy',
    'race,hammer',
    '--time',
    '90s',
    '--strict',
    '--no-color',
    '--json',
    'out/r.json',
  ]);
  // A switch left as it is adds no token: the command line's own flags decide.
  assert.deepEqual((await configOf(t, { strict: false, color: true })).argv, []);
});

test("config file: a bad value is the table's one line, naming the file", async (t) => {
  for (const [config, message] of [
    [{ workers: 'lots' }, "adapter-hammer.config.json: workers must be a whole number from 1 to 256, got 'lots'"],
    [{ strategy: ['fuzz'] }, "adapter-hammer.config.json: unknown strategy 'fuzz' (choose from hammer, race, throughput)"],
    [{ strategy: { race: true } }, 'adapter-hammer.config.json: \'strategy\' must be a list of strategy names, got {"race":true}'],
    [{ shard: '3/2' }, "adapter-hammer.config.json: shard must be k/N, shard k of N with 1 <= k <= N <= 10000 (e.g. 2/3), got '3/2'"],
    [{ json: '' }, "adapter-hammer.config.json: json must be a file path, got ''"],
    [{ strict: 'yes' }, 'adapter-hammer.config.json: \'strict\' must be true or false, got "yes"'],
    [{ toString: 1 }, /unknown key 'toString'/],
    [{ timeoutMs: 5 }, /unknown key 'timeoutMs'/],
  ]) {
    await assert.rejects(configOf(t, config), { name: 'UsageError', message }, JSON.stringify(config));
  }
});

test('makePlan: the seed is random by default, yet a shard or a schedule still needs the seed the caller gave', () => {
  const plan = makePlan({ adapter: 'a.mjs' });
  assert.ok(Number.isSafeInteger(plan.seed) && plan.seed >= 1 && plan.seed < 2 ** 31, String(plan.seed));
  assert.throws(() => makePlan({ adapter: 'a.mjs', shard: '1/2' }), /--shard needs --seed/);
  assert.deepEqual(makePlan({ adapter: 'a.mjs', shard: '1/2', seed: 7 }).shard, { index: 1, count: 2 });
  assert.throws(() => makePlan({ adapter: 'a.mjs', strategies: ['race'], schedule: '0:a,b' }), /--schedule needs --seed/);
});
