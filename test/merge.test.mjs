// `adapter-hammer merge` merges findings and warnings by their fields, never by their text: hand-made shard
// reports (no run), merged, and what the merged report says checked field by field and sentence by sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeReports } from '../dist/merge/merge.js';
import { findingObject, reportObject, warningObject } from '../dist/reporters/json.js';
import { makeReport, raceStrategy } from './helpers/report.mjs';

/** Shard k of 2 of one race run, as its --json file holds it (sentences written, as any report file has them). */
function shard(k, { findings = [], warnings = [], info = [], race = {} } = {}) {
  const r = makeReport({ strategies: [raceStrategy({ rounds: 100, plannedRounds: 100, ...race })], findings, warnings, info });
  r.config.shard = { index: k, count: 2 };
  r.config.scheduler = 'mixed';
  return { file: `shard-${k}.json`, json: JSON.parse(JSON.stringify(reportObject(r))) };
}

const lost = (round, rounds, count, actual = 198) => ({
  strategy: 'race',
  kind: 'lost-update',
  round,
  counter: 'count',
  expected: 200,
  actual,
  count,
  rounds,
  roundsPlayed: 100,
  firstRound: round,
});

test('the same failure found by two shards is one finding: rounds, total and first round added up from the fields', () => {
  const merged = mergeReports([shard(1, { findings: [lost(8, 3, 9)] }), shard(2, { findings: [lost(3, 2, 5, 199)] })]);
  assert.deepEqual(merged.findings.map(findingObject), [
    {
      ...lost(3, 5, 14, 199),
      roundsPlayed: 200,
      shard: '2/2',
      message: "counter 'count' is 199, expected 200: 1 lost update [in 5 of 200 rounds, 14 in total; first in round 3]",
    },
  ]);
});

test('a merge never reads a shard’s sentences: a message that says something else is written again from the fields', () => {
  const a = shard(1, { findings: [lost(8, 1, 2)], warnings: [{ code: 'model-unknown', strategy: 'race', unknownRounds: 1, checkedRounds: 9, reason: 'x' }] });
  a.json.findings[0].message = 'everything is fine';
  a.json.warnings[0].message = 'nothing to see';
  a.json.strategies[0].model = { checkedRounds: 9, unknownRounds: 1, unknownReason: 'x' };
  const merged = reportObject(mergeReports([a, shard(2)]));
  assert.equal(merged.findings[0].message, "counter 'count' is 198, expected 200: 2 lost updates");
  // The model's undecided rounds, from the merged model checks (one shard's 9 checked, the other's none).
  assert.deepEqual(
    merged.warnings.filter((w) => w.code === 'model-unknown'),
    [
      {
        code: 'model-unknown',
        strategy: 'race',
        unknownRounds: 1,
        checkedRounds: 9,
        reason: 'x',
        message: "race: the model's check could not decide 1 of 9 rounds (x); those rounds are neither a pass nor a failure",
      },
    ],
  );
});

test('different failures stay apart; each shard’s are tagged with it', () => {
  const inv = { strategy: 'race', kind: 'invariant', round: 5, violation: 'v', rounds: 1, roundsPlayed: 100, firstRound: 5 };
  const merged = mergeReports([shard(1, { findings: [lost(8, 1, 2)] }), shard(2, { findings: [inv] })]);
  assert.deepEqual(
    merged.findings.map((f) => [f.kind, f.shard, f.rounds, f.roundsPlayed]),
    [
      ['lost-update', '1/2', 1, 200],
      ['invariant', '2/2', 1, 200],
    ],
  );
});

test('warnings are merged by their fields: equal ones once, contention ones judged again on the merged contention', () => {
  const undeclared = { code: 'undeclared' };
  const diverged = (divergence) => ({ code: 'schedule-diverged', strategy: 'race', divergence });
  const quiet = { code: 'no-contention', strategy: 'race', op: 'inc' };
  const overlapped = { contention: [{ op: 'inc', maxInFlight: 9, maxWorkers: 2, overlapped: true }] };
  const alone = { contention: [{ op: 'inc', maxInFlight: 1, maxWorkers: 1, overlapped: false }] };
  // One shard saw no overlap, the other did: the merged run did see it, so no no-contention warning.
  const merged = mergeReports([
    shard(1, { warnings: [undeclared, diverged('a'), quiet], race: alone }),
    shard(2, { warnings: [undeclared, diverged('b')], race: overlapped }),
  ]);
  assert.deepEqual(merged.warnings.map(warningObject), [
    { code: 'undeclared', message: 'adapter does not declare thread safety: add `threadSafe: true` (or false) so the report can check the claim' },
    { code: 'schedule-diverged', strategy: 'race', divergence: 'a', message: 'race: the --schedule replay could not follow its schedule (a)' },
    { code: 'schedule-diverged', strategy: 'race', divergence: 'b', message: 'race: the --schedule replay could not follow its schedule (b)' },
  ]);
  // Neither saw an overlap: the merged run warns once, from the merged contention, naming the operation by its field.
  const never = mergeReports([shard(1, { warnings: [quiet], race: alone }), shard(2, { warnings: [quiet], race: alone })]);
  assert.deepEqual(
    never.warnings.filter((w) => w.code === 'no-contention'),
    [quiet],
  );
});

test('missing shards: the inconclusive finding names them and their rounds as fields', () => {
  const merged = mergeReports([shard(1)]);
  const f = merged.findings.find((x) => x.kind === 'inconclusive');
  assert.deepEqual(f, { strategy: 'race', kind: 'inconclusive', reason: 'shards-missing', missing: [{ shard: '2/2', rounds: { index: 2, count: 2 } }] });
  assert.equal(
    findingObject(f).message,
    "shard 2/2 (rounds r with r % 2 = 1) missing from the merge: those rounds were not played, so this is not the whole run and not a pass (run the missing shard, or merge every shard's report)",
  );
});
