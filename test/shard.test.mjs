// Issue 15: --shard k/N, `adapter-hammer merge`, and race sessions side by side on a big machine. The
// fixture's every round has an outcome decided by the seed and the round alone (ctx.random), so a run
// split any way must add up to exactly the same totals: any difference is a bug in the split or the merge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, fixture, runCli } from './helpers/cli.mjs';
import { adaptersOfShard, cpuOffset, raceSessions, shardRounds } from '../dist/plan/shard.js';
import { mergeReports } from '../dist/merge/merge.js';
import { addLatency, latencyHistogram, encodeLatency, percentilesOf, summaryOf, valueHistogram, addHistograms } from '../dist/maths/distribution.js';

const SEEDED = path.join(ROOT, 'test/fixtures-shard/seeded-counter.mjs');
// One lane: each worker's calls draw from its seeded PRNG in call order.
const RUN = [SEEDED, '-s', 'race', '-w', '2', '-c', '1', '-i', '20', '-r', '120', '--seed', '7', '--time', '120s'];
const ENV = { ADAPTER_HAMMER_SHRINK_MS: '0', ADAPTER_HAMMER_CORES: '2' };
const dir = mkdtempSync(path.join(tmpdir(), 'ah-shard-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function runJson(args, env = ENV) {
  const out = path.join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  const cut = args.includes('--') ? args.indexOf('--') : args.length;
  const r = await runCli([...args.slice(0, cut), '--json', out, ...args.slice(cut)], { env, timeoutMs: 120_000 });
  let report;
  try {
    report = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    assert.fail(`no JSON report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  return { ...r, report, file: out, race: report.strategies?.find((s) => s.name === 'race') };
}

const merge = (files, extra = []) => runCli(['merge', ...files, ...extra], { env: ENV });
const raceOf = (report) => report.strategies.find((s) => s.name === 'race');
/** What must be equal between a sharded and an unsharded run of the seeded fixture. */
const totals = (race) => ({
  rounds: race.rounds,
  failedRounds: race.failedRounds,
  lostUpdates: race.lostUpdates,
  outcomes: [...race.outcomes].sort((a, b) => a.outcome.localeCompare(b.outcome)),
  lostPerFailedRound: race.lostPerFailedRound,
  lostPerFailedRoundHistogram: race.lostPerFailedRoundHistogram,
  firstFailedRound: race.firstFailedRound,
});

test('shard rounds: disjoint, together every round once, each keeping its index', () => {
  for (const [total, n] of [
    [10, 3],
    [7, 7],
    [5, 8],
    [2000, 4],
  ]) {
    const seen = [];
    for (let k = 1; k <= n; k++) seen.push(...shardRounds(total, { index: k, count: n }));
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      Array.from({ length: total }, (_, i) => i),
    );
  }
  assert.deepEqual([...shardRounds(10, { index: 2, count: 3 })], [1, 4, 7]);
});

test('several adapters: split over the shards, each played by at least one, their rounds split when shards outnumber them', () => {
  const five = ['a', 'b', 'c', 'd', 'e'];
  const byShard = [1, 2, 3].map((k) => adaptersOfShard(five, { index: k, count: 3 }));
  assert.deepEqual(
    byShard
      .flat()
      .map((p) => p.adapter)
      .sort(),
    five,
  );
  assert.ok(byShard.every((s) => s.length > 0 && s.every((p) => p.rounds.count === 1)));
  // 2 adapters, 5 shards: a on shards 1, 3, 5 (rounds split 3 ways), b on 2, 4 (2 ways).
  const parts = [1, 2, 3, 4, 5].map((k) => adaptersOfShard(['a', 'b'], { index: k, count: 5 })[0]);
  assert.deepEqual(
    parts.map((p) => `${p.adapter} ${p.rounds.index}/${p.rounds.count}`),
    ['a 1/3', 'b 1/2', 'a 2/3', 'b 2/2', 'a 3/3'],
  );
});

test('race sessions: several only where cores are at least twice the workers, on disjoint CPUs', () => {
  assert.equal(raceSessions({ cores: 2 }, 2), 1);
  assert.equal(raceSessions({ cores: 16 }, 1), 1);
  assert.equal(raceSessions({ cores: 3 }, 2), 1);
  assert.equal(raceSessions({ cores: 16 }, 8), 2);
  assert.equal(raceSessions({ cores: 16 }, 2), 8);
  const cpus = [0, 1, 2].flatMap((s) => [0, 1, 2, 3].map((w) => cpuOffset(s, 4) + w));
  assert.equal(new Set(cpus).size, cpus.length);
});

test('lost updates per failing round: carried as a distribution, its summary recomputed exactly', () => {
  const a = [3, 1, 2, 2];
  const b = [5, 1];
  const merged = addHistograms([valueHistogram(a), valueHistogram(b)]);
  assert.deepEqual(merged, valueHistogram([...a, ...b]));
  assert.deepEqual(summaryOf(merged), { min: 1, median: 2, max: 5 });
  assert.equal(summaryOf([]), null);
});

test('latency HDR histograms: encoded, added up, the same as one histogram of every sample', () => {
  const samples = Array.from({ length: 3000 }, (_, i) => 1000 + ((i * 7919) % 50_000));
  const maxes = [];
  const parts = [samples.slice(0, 1000), samples.slice(1000)].map((xs) => {
    const h = latencyHistogram();
    for (const x of xs) h.recordValue(x);
    maxes.push(h.maxValue);
    const text = encodeLatency(h);
    h.destroy();
    return text;
  });
  const whole = latencyHistogram();
  for (const x of samples) whole.recordValue(x);
  const sum = addLatency(parts);
  assert.equal(sum.totalCount, 3000);
  // Percentiles bucket for bucket; the exact max is carried beside the histogram (a decoded one knows only its bucket).
  assert.deepEqual(percentilesOf(sum, Math.max(...maxes)), percentilesOf(whole));
  sum.destroy();
  whole.destroy();
});

let unsharded;
let shards;

test('merged equals unsharded: 3 shards of one seed add up to the same race totals and outcome histogram', { timeout: 300_000 }, async () => {
  unsharded = await runJson(RUN);
  assert.equal(unsharded.code, 1, unsharded.stderr);
  assert.equal(unsharded.race.stopReason, 'done', 'the comparison needs every round played (no early stop, no budget cut)');
  assert.ok(unsharded.race.failedRounds > 0 && unsharded.race.failedRounds < unsharded.race.rounds);
  shards = [];
  for (const k of [1, 2, 3]) shards.push(await runJson([...RUN, '--shard', `${k}/3`]));
  for (const [i, s] of shards.entries()) {
    assert.deepEqual(s.report.config.shard, { index: i + 1, count: 3 });
    assert.match(s.report.replay, new RegExp(`--shard ${i + 1}/3`));
    assert.equal(s.race.plannedRounds, 40);
  }
  const out = path.join(dir, 'merged.json');
  const m = await merge([shards[2].file, shards[0].file, shards[1].file], ['--json', out]);
  assert.equal(m.code, unsharded.code, m.stderr);
  const merged = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(totals(raceOf(merged)), totals(unsharded.race));
  assert.equal(merged.verdict, 'fail');
  assert.deepEqual(merged.merged.shards, ['1/3', '2/3', '3/3']);
  assert.deepEqual(merged.merged.missing, []);
  // The earliest failing round comes with the command that replays its shard.
  const first = unsharded.race.firstFailedRound;
  assert.match(merged.replay, new RegExp(`--shard ${(first % 3) + 1}/3`));
  assert.equal(raceOf(merged).firstFailedReplay, merged.replay);
  // The same failure found by several shards is one finding, summed up by its fields as the unsharded run sums
  // up its rounds: the same rounds, of as many played, the same first round and total. It names the shard
  // that found it first.
  const facts = (fs) => fs.map((f) => JSON.stringify([f.kind, f.counter ?? f.op ?? '', f.rounds, f.roundsPlayed, f.firstRound, f.count])).sort();
  assert.ok(merged.findings.length > 0);
  assert.deepEqual(facts(merged.findings), facts(unsharded.report.findings));
  for (const f of merged.findings) assert.equal(f.shard, `${(f.firstRound % 3) + 1}/3`, JSON.stringify(f));
  assert.ok(shards.reduce((a, s) => a + s.report.findings.length, 0) > merged.findings.length, 'several shards found the same failure');
  assert.match(m.stdout, /merged 3 reports: shard 1\/3, 2\/3, 3\/3/);
  assert.match(m.stdout, /\[race · shard \d\/3\] lost-update/);
});

test('a merge missing a shard fails and says which, never a silent pass', async (t) => {
  if (!shards) return t.skip('needs the shard reports of the previous test');
  const m = await merge([shards[0].file, shards[2].file], ['--json', '-']);
  assert.equal(m.code, 1);
  const report = JSON.parse(m.stdout);
  assert.deepEqual(report.merged.missing, ['2/3']);
  assert.ok(report.findings.some((f) => f.kind === 'inconclusive' && /shard 2\/3 .*missing/.test(f.message)));
  // A run that passed on every shard it has still fails without the others.
  const safe = [];
  for (const k of [1, 2]) safe.push(await runJson([fixture('counter-safe.mjs'), '-s', 'race', '-w', '2', '-r', '40', '--seed', '3', '--shard', `${k}/2`]));
  assert.equal(safe[0].code, 0, safe[0].stderr);
  assert.equal((await merge([safe[0].file, safe[1].file])).code, 0);
  const one = await merge([safe[0].file], ['--json', '-']);
  assert.equal(one.code, 1);
  assert.equal(JSON.parse(one.stdout).status, 'fail');
});

test('reports that are not shards of one run are refused with one line, exit 2', async (t) => {
  if (!shards) return t.skip('needs the shard reports of the first test');
  const variant = (name, change) => {
    const json = JSON.parse(readFileSync(shards[1].file, 'utf8'));
    change(json);
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(json));
    return file;
  };
  const cases = [
    [[shards[0].file, variant('seed.json', (j) => (j.seed = 8))], /different seeds/],
    [[shards[0].file, variant('version.json', (j) => (j.tool.version = '9.9.9'))], /different tool versions/],
    [[shards[0].file, variant('workers.json', (j) => (j.config.workers = 4))], /different settings: --workers/],
    [[shards[0].file, variant('adapter.json', (j) => (j.adapter = 'other.mjs'))], /different adapters/],
    [[shards[0].file, variant('count.json', (j) => (j.config.shard = { index: 2, count: 4 }))], /different shard counts/],
    [[shards[0].file, variant('dup.json', (j) => (j.config.shard = { index: 1, count: 3 }))], /shard 1\/3 is given twice/],
    [[shards[0].file, variant('junk.json', (j) => delete j.tool)], /not a JSON report of adapter-hammer/],
  ];
  for (const [files, message] of cases) {
    const r = await merge(files);
    assert.equal(r.code, 2, `${message}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('--shard is checked by the option table: k/N, and --seed with it (exit 2, one line)', async () => {
  for (const [args, message] of [
    [['--shard', '4/3', '--seed', '1'], /--shard .* must be k\/N/],
    [['--shard', '0/3', '--seed', '1'], /must be k\/N/],
    [['--shard', 'two', '--seed', '1'], /must be k\/N/],
    [['--shard', '1/2'], /--shard needs --seed/],
  ]) {
    const r = await runCli([fixture('counter-safe.mjs'), '-s', 'race', ...args], { env: ENV });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('throughput is kept per machine: shards of one host add up exactly, other hosts stay apart', async () => {
  const args = [fixture('counter-safe.mjs'), '-s', 'throughput', '-w', '2', '-d', '0.1', '--seed', '5'];
  const a = await runJson([...args, '--shard', '1/2']);
  const b = await runJson([...args, '--shard', '2/2']);
  const json = (r) => JSON.parse(readFileSync(r.file, 'utf8'));
  const same = mergeReports([
    { file: 'a', json: json(a) },
    { file: 'b', json: json(b) },
  ]);
  const tp = same.strategies.filter((s) => s.name === 'throughput');
  assert.equal(tp.length, 1);
  assert.deepEqual(tp[0].machine.shards, ['1/2', '2/2']);
  for (const p of tp[0].points) {
    const parts = [a, b].map((r) => r.report.strategies[0].points.find((x) => x.workers === p.workers));
    assert.equal(p.calls, parts[0].calls + parts[1].calls);
    assert.equal(p.latencySamples, parts[0].latencySamples + parts[1].latencySamples);
    const h = addLatency(parts.map((x) => x.latencyHistogram));
    assert.deepEqual(p.latencyMs, percentilesOf(h, Math.round(Math.max(parts[0].latencyMs.max, parts[1].latencyMs.max) * 1e6)));
    h.destroy();
  }
  const elsewhere = json(b);
  elsewhere.config.env.hostname = 'another-runner';
  const apart = mergeReports([
    { file: 'a', json: json(a) },
    { file: 'b', json: elsewhere },
  ]);
  const machines = apart.strategies.filter((s) => s.name === 'throughput');
  assert.deepEqual(machines.map((s) => s.machine.hostname).sort(), [a.report.config.env.hostname, 'another-runner'].sort());
  // Never averaged: each machine's points are its own shard's, unchanged.
  const other = machines.find((s) => s.machine.hostname === 'another-runner');
  assert.deepEqual(
    other.points.map((p) => p.opsPerSec),
    b.report.strategies[0].points.map((p) => p.opsPerSec),
  );
});

test('several adapters: each shard plays its own, the merge has them all', async () => {
  const args = [SEEDED, fixture('counter-safe.mjs'), '-s', 'race', '-w', '2', '-c', '1', '-i', '20', '-r', '30', '--seed', '7'];
  const parts = [];
  for (const k of [1, 2, 3]) parts.push(await runJson([...args, '--shard', `${k}/3`]));
  // 2 adapters on 3 shards: the seeded counter on shards 1 and 3 (its rounds split in two), counter-safe on 2.
  assert.deepEqual(
    parts.map((p) => p.report.adapters.map((a) => path.basename(a.adapter))),
    [['seeded-counter.mjs'], ['counter-safe.mjs'], ['seeded-counter.mjs']],
  );
  assert.deepEqual(parts[2].report.adapters[0].config.shard, { index: 2, count: 2 });
  const whole = await runJson([SEEDED, '-s', 'race', '-w', '2', '-c', '1', '-i', '20', '-r', '30', '--seed', '7']);
  const merged = mergeReports(parts.map((p) => ({ file: p.file, json: p.report })));
  assert.equal(merged.adapters.length, 2);
  assert.deepEqual(totals(raceOf(merged.adapters[0])), totals(whole.race));
  assert.equal(merged.exitCode, 1);
});

test('race sessions side by side (ADAPTER_HAMMER_CORES=16): each round played once by one session, totals add up', { timeout: 300_000 }, async (t) => {
  if (!unsharded) return t.skip('needs the unsharded run of the first test');
  const log = path.join(dir, 'inits.log');
  const r = await runJson([...RUN, '--', '--log', log], { ...ENV, ADAPTER_HAMMER_CORES: '16' });
  const sessions = r.race.sessions;
  assert.equal(sessions.length, 8, 'cores 16 / 2 workers: 8 sessions');
  assert.equal(
    sessions.reduce((a, b) => a + b, 0),
    r.race.rounds,
  );
  // Each round's two inits ran in the two threads of one session; sessions share no thread.
  const byRound = new Map();
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [round, thread] = line.split(' ').map(Number);
    byRound.set(round, [...(byRound.get(round) ?? []), thread]);
  }
  assert.deepEqual(
    [...byRound.keys()].sort((a, b) => a - b),
    Array.from({ length: 120 }, (_, i) => i),
  );
  const sessionOf = new Map();
  for (const [round, threads] of byRound) {
    assert.equal(threads.length, 2, `round ${round} was initialised ${threads.length} times`);
    const key = [...threads].sort((a, b) => a - b).join('+');
    for (const th of threads) {
      assert.equal(sessionOf.get(th) ?? key, key, `thread ${th} served two sessions`);
      sessionOf.set(th, key);
    }
  }
  assert.equal(new Set(sessionOf.values()).size, sessions.filter((n) => n > 0).length);
  // The rounds are the unsharded run's: the same totals.
  assert.deepEqual(totals(r.race), totals(unsharded.race));
});
