// Issue 15: the shipped GitHub Actions workflow (docs/ci/github-shards.yml) and Kubernetes Indexed Job
// (docs/ci/k8s-indexed-job.yaml), parsed and run here: each shard job's commands with its matrix value
// (artifacts copied the way upload/download-artifact would), then the merge job's, as on a runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BIN, ROOT, scratchDir } from './helpers/cli.mjs';

const SEEDED = path.join(ROOT, 'test/fixtures-shard/seeded-counter.mjs');
const CONFIG = { adapters: [SEEDED], strategy: ['race'], workers: 2, concurrency: 1, iterations: 20, rounds: 60, time: '120s' };
const RUN_NUMBER = 7;

/** A workspace with the config the workflow's commands read. */
function workspace() {
  const dir = scratchDir('ah-ci-');
  writeFileSync(path.join(dir, 'adapter-hammer.config.json'), JSON.stringify(CONFIG));
  return dir;
}

/** `${{ expr }}` -> its value; an expression the test does not know fails it. */
const substitute = (text, values) =>
  text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr) => {
    assert.ok(expr in values, `the test does not know \${{ ${expr} }}`);
    return String(values[expr]);
  });

/** Run a step's shell script as the runner would (bash -e), npx adapter-hammer being this checkout's CLI. */
function sh(script, cwd, env = {}) {
  const base = { ...process.env, ADAPTER_HAMMER_SHRINK_MS: '0' };
  delete base.GITHUB_ACTIONS;
  const r = spawnSync('bash', ['-e', '-c', script.replaceAll('npx adapter-hammer', `"${process.execPath}" "${BIN}"`)], {
    cwd,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const isInstall = (step) => /^npm (ci|install)\b/.test(step.run ?? '');

test('the GitHub Actions workflow: N shard jobs and one merge job, run locally, add up to the unsharded run', { timeout: 600_000 }, () => {
  const wf = parse(readFileSync(path.join(ROOT, 'docs/ci/github-shards.yml'), 'utf8'));
  const { shards: shardJob, merge: mergeJob } = wf.jobs;
  const matrix = shardJob.strategy.matrix.shard;
  assert.ok(matrix.length >= 2);
  assert.equal(shardJob.strategy['fail-fast'], false, 'a shard that fails must not cancel the others');
  assert.deepEqual(mergeJob.needs, 'shards');
  assert.match(mergeJob.if, /always\(\)/, 'the merge must run when a shard failed');
  const dir = workspace();
  try {
    const download = mergeJob.steps.find((s) => s.uses?.startsWith('actions/download-artifact'));
    mkdirSync(path.join(dir, download.with.path), { recursive: true });
    let shardRuns = 0;
    for (const shard of matrix) {
      const values = { 'matrix.shard': shard, 'strategy.job-total': matrix.length, 'github.run_number': RUN_NUMBER };
      for (const step of shardJob.steps) {
        if (step.run && !isInstall(step)) {
          const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v)]));
          const r = sh(substitute(step.run, values), dir, env);
          assert.equal(r.code, 0, r.stderr);
          shardRuns++;
        }
        // upload-artifact in the shard job, download-artifact (merge-multiple) in the merge job: the file lands in its path.
        if (step.uses?.startsWith('actions/upload-artifact')) {
          assert.match(substitute(step.with.name, values), new RegExp(download.with.pattern.replace('*', '.*')));
          const file = substitute(step.with.path, values);
          copyFileSync(path.join(dir, file), path.join(dir, download.with.path, path.basename(file)));
        }
      }
    }
    assert.equal(shardRuns, matrix.length);
    const summary = path.join(dir, 'summary.md');
    const steps = mergeJob.steps.filter((s) => s.run && !isInstall(s));
    assert.equal(steps.length, 1);
    const m = sh(steps[0].run, dir, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir });
    // The fixture loses updates: the merged run fails, and so does the job (and the pipeline).
    assert.equal(m.code, 1, m.stderr);
    // One annotation per finding, saying which shard found it (`:` escaped in a property, as the runner wants).
    assert.match(m.stdout, /^::error .*title=adapter-hammer race · shard \d\/\d%3A lost-update/m);
    assert.match(readFileSync(summary, 'utf8'), /## adapter-hammer: ❌ fail/);
    const merged = JSON.parse(readFileSync(path.join(dir, 'merged.json'), 'utf8'));
    assert.ok(existsSync(path.join(dir, 'merged.xml')));
    assert.deepEqual(
      merged.merged.shards,
      matrix.map((k) => `${k}/${matrix.length}`),
    );
    // The same config, unsharded, with the seed the workflow gave every shard.
    const whole = sh(`npx adapter-hammer --seed ${RUN_NUMBER} --json whole.json || true`, dir);
    assert.equal(whole.code, 0, whole.stderr);
    const one = JSON.parse(readFileSync(path.join(dir, 'whole.json'), 'utf8'));
    const race = (r) => r.strategies.find((s) => s.name === 'race');
    for (const k of ['rounds', 'failedRounds', 'lostUpdates', 'firstFailedRound', 'lostPerFailedRoundHistogram']) {
      assert.deepEqual(race(merged)[k], race(one)[k], k);
    }
    const outcomes = (r) => [...race(r).outcomes].sort((a, b) => a.outcome.localeCompare(b.outcome));
    assert.deepEqual(outcomes(merged), outcomes(one));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Kubernetes Indexed Job: JOB_COMPLETION_INDEX becomes --shard, and the pods’ reports merge', { timeout: 600_000 }, () => {
  const job = parse(readFileSync(path.join(ROOT, 'docs/ci/k8s-indexed-job.yaml'), 'utf8'));
  assert.equal(job.spec.completionMode, 'Indexed');
  const container = job.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e) => [e.name, String(e.value)]));
  const dir = workspace();
  try {
    const reports = path.join(dir, 'reports');
    mkdirSync(reports);
    const script = container.args[0].replaceAll('/reports/', `${reports}/`);
    for (let i = 0; i < job.spec.completions; i++) {
      const r = sh(script, dir, { ...env, JOB_COMPLETION_INDEX: String(i) });
      assert.equal(r.code, 0, r.stderr);
    }
    const m = sh(`npx adapter-hammer merge ${reports}/shard-*.json --json merged.json`, dir);
    const whole = sh(`npx adapter-hammer --seed ${env.SEED} --json whole.json`, dir);
    assert.equal(m.code, whole.code, m.stderr);
    const merged = JSON.parse(readFileSync(path.join(dir, 'merged.json'), 'utf8'));
    const one = JSON.parse(readFileSync(path.join(dir, 'whole.json'), 'utf8'));
    assert.equal(merged.merged.shards.length, job.spec.completions);
    assert.deepEqual(merged.merged.missing, []);
    const race = (r) => r.strategies.find((s) => s.name === 'race');
    for (const k of ['rounds', 'failedRounds', 'lostUpdates']) assert.equal(race(merged)[k], race(one)[k], k);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
