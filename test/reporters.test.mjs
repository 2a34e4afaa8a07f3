// Unit tests of the reporters on hand-built Report / MultiReport objects: every reporter shows the
// status decided in checks/ (the same one everywhere), and adapter-supplied text cannot break a format.
// Pure: no workers, no child processes, no timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTerminal } from '../dist/reporters/terminal/index.js';
import { renderSummary } from '../dist/reporters/terminal/summary.js';
import { safe } from '../dist/reporters/terminal/common.js';
import { toJunit, xmlText } from '../dist/reporters/junit.js';
import { annotationFile, escapeData, escapeProperty, githubAnnotations, githubSummary, inGithubActions } from '../dist/reporters/github.js';
import { toJson } from '../dist/reporters/json.js';
import { colorLevel } from '../dist/reporters/color.js';
import { hammerStrategy, makeMulti, makeReport, makeStartFailure, raceStrategy, throughputStrategy, tpPoint } from './helpers/report.mjs';

// ---------------------------------------------------------------------------------------------------
// Small readers of the outputs
// ---------------------------------------------------------------------------------------------------

const lines = (text) => text.split('\n');
/** The terminal line that starts a strategy's section, e.g. "RACE  PARTIAL  200 rounds ...". */
const heading = (text, name) => lines(text).find((l) => l.startsWith(`${name.toUpperCase()}  `));
/** The last non-empty lines of the terminal report: the verdict line, then (unless pass) the replay line. */
const tail = (text) => lines(text.trimEnd()).slice(-2);

/** One <testcase> of a JUnit document: its attributes and inner XML ('' when self-closing). */
function testcase(xml, name) {
  const re = /<testcase name="([^"]*)"([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) if (m[1] === name) return { attrs: m[2], body: m[3] ?? '' };
  return undefined;
}
/** Attributes of the first <tag ...> element, as an object (values as written, entities kept). */
function attrsOf(xml, tag) {
  const m = xml.match(new RegExp(`<${tag}(\\s[^>]*?)?/?>`));
  if (!m) return undefined;
  return Object.fromEntries([...(m[1] ?? '').matchAll(/(\S+?)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** The GitHub summary's table row of an adapter. */
const summaryRow = (md, adapter) => lines(md).find((l) => l.startsWith(`| \`${adapter}\``));

// Findings and warnings as the core builds them: data, whose sentences the reporters write (reporters/sentences.ts).
const lostUpdate = { strategy: 'race', kind: 'lost-update', round: 3, counter: 'count', expected: 200, actual: 198, count: 2 };
/** A finding or warning carrying adapter text where its sentence quotes it. */
const invariant = (violation) => ({ strategy: 'race', kind: 'invariant', violation });
const diverged = (divergence) => ({ code: 'schedule-diverged', strategy: 'race', divergence });
const undeclared = { code: 'undeclared' };
const UNDECLARED = 'adapter does not declare thread safety: add `threadSafe: true` (or false) so the report can check the claim';

// ---------------------------------------------------------------------------------------------------
// The same status everywhere
// ---------------------------------------------------------------------------------------------------

test('partial race: PARTIAL in the terminal, INTERRUPTED verdict line, replay shown', () => {
  const r = makeReport({ statuses: { race: 'partial' } });
  const out = renderTerminal(r, 0);
  assert.match(heading(out, 'race'), /^RACE {2}PARTIAL {2}200 rounds × 100 calls\/worker/);
  assert.deepEqual(tail(out), ['INTERRUPTED  interrupted: partial report of what finished · seed 42 · 3.5 s', `replay: ${r.replay}`]);
});

test('one worker, one lane: "1 worker × 1 lane" in the strategy lines, not "1 workers × 1 lanes"', () => {
  const one = { workers: 1, concurrency: 1 };
  const out = renderTerminal(makeReport({ strategies: [hammerStrategy(one), raceStrategy(one)] }), 0);
  assert.match(heading(out, 'hammer'), / · 1 worker × 1 lane · /);
  assert.match(heading(out, 'race'), / · 1 worker × 1 lane · /);
  const two = renderTerminal(makeReport({ strategies: [raceStrategy({ workers: 2, concurrency: 8 })] }), 0);
  assert.match(heading(two, 'race'), / · 2 workers × 8 lanes · /);
});

test('partial race: a <skipped> testcase in JUnit, no <failure>, counted as skipped', () => {
  const xml = toJunit(makeReport({ statuses: { race: 'partial' } }));
  const tc = testcase(xml, 'race');
  assert.equal(tc.body.trim(), '<skipped message="interrupted before it could finish; nothing failed in what ran"/>');
  assert.doesNotMatch(xml, /<failure/);
  assert.deepEqual([attrsOf(xml, 'testsuite').tests, attrsOf(xml, 'testsuite').failures, attrsOf(xml, 'testsuite').skipped], ['1', '0', '1']);
  assert.equal(attrsOf(xml, 'testsuites').skipped, '1');
});

test('partial race: ⏸ in the GitHub step summary', () => {
  const md = githubSummary(makeReport({ statuses: { race: 'partial' } }));
  assert.equal(lines(md)[0], '## adapter-hammer: ⏸ partial');
  assert.equal(summaryRow(md, 'fixtures/counter.mjs'), '| `fixtures/counter.mjs` | ⏸ interrupted | race ⏸ | 0 | 42 |');
});

test('failed race: FAIL / <failure> / ❌', () => {
  const r = makeReport({ statuses: { race: 'fail' }, findings: [lostUpdate] });
  const out = renderTerminal(r, 0);
  assert.match(heading(out, 'race'), /^RACE {2}FAIL {2}/);
  assert.equal(tail(out)[0], 'FAIL  race failed · seed 42 · 3.5 s');
  const tc = testcase(toJunit(r), 'race');
  assert.match(tc.body, /<failure message="1 finding: \[lost-update\] \(round 3\) counter 'count' is 198, expected 200: 2 lost updates" type="lost-update">/);
  assert.doesNotMatch(tc.body, /<skipped/);
  const md = githubSummary(r);
  assert.equal(lines(md)[0], '## adapter-hammer: ❌ fail');
  assert.equal(summaryRow(md, 'fixtures/counter.mjs'), '| `fixtures/counter.mjs` | ❌ fail | race ❌ | 1 | 42 |');
});

test('passed race: PASS / a plain testcase / ✅, and no replay line', () => {
  const r = makeReport({ statuses: { race: 'pass' } });
  const out = renderTerminal(r, 0);
  assert.match(heading(out, 'race'), /^RACE {2}PASS {2}/);
  assert.equal(lines(out.trimEnd()).at(-1), 'PASS  race passed · seed 42 · 3.5 s');
  assert.doesNotMatch(out, /replay:/);
  const xml = toJunit(r);
  assert.match(xml, /<testcase name="race" classname="fixtures\/counter.mjs" time="1.500"\/>/);
  assert.equal(testcase(xml, 'race').body, '');
  const md = githubSummary(r);
  assert.equal(lines(md)[0], '## adapter-hammer: ✅ pass');
  assert.equal(summaryRow(md, 'fixtures/counter.mjs'), '| `fixtures/counter.mjs` | ✅ pass | race ✅ | 0 | 42 |');
});

test('mixed statuses: each strategy shows its own in all three reporters', () => {
  const r = makeReport({
    statuses: { hammer: 'pass', race: 'partial', throughput: 'fail' },
    findings: [{ strategy: 'throughput', kind: 'throughput', minOps: 9000, workers: 2, opsPerSec: 10, count: 10 }],
  });
  const out = renderTerminal(r, 0);
  assert.match(heading(out, 'hammer'), /^HAMMER {2}PASS/);
  assert.match(heading(out, 'race'), /^RACE {2}PARTIAL/);
  assert.match(heading(out, 'throughput'), /^THROUGHPUT {2}FAIL/);
  assert.equal(tail(out)[0].split('  ')[0], 'FAIL');
  const xml = toJunit(r);
  assert.equal(testcase(xml, 'hammer').body, '');
  assert.match(testcase(xml, 'race').body, /<skipped /);
  assert.match(testcase(xml, 'throughput').body, /<failure /);
  assert.match(githubSummary(r), /\| hammer ✅ · race ⏸ · throughput ❌ \|/);
});

test('multi-adapter terminal summary: PASS / FAIL / PARTIAL / NOT STARTED per adapter and the counts', () => {
  const multi = makeMulti([
    makeReport({ adapter: 'ok.mjs' }),
    makeReport({ adapter: 'bad.mjs', statuses: { race: 'fail' }, findings: [lostUpdate, { ...lostUpdate, kind: 'invariant' }] }),
    makeStartFailure('gone.mjs', ['cannot find gone.mjs']),
  ]);
  const out = renderSummary(multi, 0);
  const row = (name) =>
    lines(out)
      .find((l) => l.includes(` ${name} `))
      .split('│')
      .map((c) => c.trim())
      .filter(Boolean);
  assert.deepEqual(row('ok.mjs'), ['ok.mjs', 'PASS', 'race ✓']);
  assert.deepEqual(row('bad.mjs'), ['bad.mjs', 'FAIL', 'race ✗', '2 findings: lost-update, invariant']);
  assert.deepEqual(row('gone.mjs'), ['gone.mjs', 'NOT STARTED', '—', 'cannot find gone.mjs']);
  assert.equal(lines(out.trimEnd()).at(-1), 'FAIL  1 of 3 adapters passed, 1 could not start · 5.0 s');
});

test('multi-adapter terminal summary: an interrupted run is INTERRUPTED, its partial strategy marked …, its headline shown', () => {
  const multi = makeMulti([makeReport({ adapter: 'ok.mjs' }), makeReport({ adapter: 'cut.mjs', statuses: { race: 'partial' } })]);
  assert.equal(multi.status, 'partial');
  const out = renderSummary(multi, 0);
  const cut = lines(out)
    .find((l) => l.includes(' cut.mjs '))
    .split('│')
    .map((c) => c.trim())
    .filter(Boolean);
  assert.deepEqual(cut, ['cut.mjs', 'PARTIAL', 'race …', 'interrupted: partial report of what finished']);
  assert.equal(lines(out.trimEnd()).at(-1), 'INTERRUPTED  1 of 2 adapters passed · 5.0 s');
});

test('multi-adapter GitHub summary: one row per adapter, a start failure as ⛔', () => {
  const multi = makeMulti([makeReport({ adapter: 'ok.mjs' }), makeStartFailure('gone.mjs', ['cannot find it', 'second'])]);
  const md = githubSummary(multi);
  assert.equal(lines(md)[0], '## adapter-hammer: ❌ fail');
  assert.equal(summaryRow(md, 'ok.mjs'), '| `ok.mjs` | ✅ pass | race ✅ | 0 | 42 |');
  assert.equal(summaryRow(md, 'gone.mjs'), '| `gone.mjs` | ⛔ could not start | — | cannot find it; second | — |');
});

// ---------------------------------------------------------------------------------------------------
// Terminal
// ---------------------------------------------------------------------------------------------------

test('terminal: the verdict line carries report.headline verbatim', () => {
  const r = makeReport({ statuses: { race: 'fail' }, findings: [lostUpdate], headline: 'race failed — the adapter declares threadSafe: true, but it raced' });
  assert.equal(tail(renderTerminal(r, 0))[0], 'FAIL  race failed — the adapter declares threadSafe: true, but it raced · seed 42 · 3.5 s');
});

test('terminal: header shows adapter, settings and the threadSafe declaration', () => {
  const out = renderTerminal(makeReport({ threadSafe: null }), 0);
  assert.deepEqual(lines(out).slice(0, 2), [
    'adapter-hammer 0.1.0 · fixtures/counter.mjs',
    'workers 2 · lanes 8 · seed 42 · timeout 5000 ms · threadSafe: not declared',
  ]);
});

test('terminal: a --strict failure shows the warnings as failing the run, and the replay', () => {
  const r = makeReport({
    status: 'fail',
    verdict: 'fail',
    strictFailure: true,
    headline: '--strict: 1 warning',
    warnings: [undeclared],
  });
  r.config.strict = true;
  const out = renderTerminal(r, 0);
  assert.ok(lines(out).includes('WARNINGS (1) — --strict: warnings fail the run'));
  assert.ok(lines(out).includes(`  ! undeclared  ${UNDECLARED}`));
  assert.deepEqual(tail(out), ['FAIL  --strict: 1 warning · seed 42 · 3.5 s', `replay: ${r.replay}`]);
});

test('terminal: findings and info are listed', () => {
  const info = [{ code: 'concurrent-access', strategy: 'race', op: 'inc', maxWorkers: 2, maxInFlight: 9 }];
  const r = makeReport({ statuses: { race: 'fail' }, findings: [lostUpdate], info });
  const out = renderTerminal(r, 0);
  assert.ok(lines(out).includes('FINDINGS (1)'));
  assert.ok(lines(out).includes("  ✗ [race] lost-update  counter 'count' is 198, expected 200: 2 lost updates"));
  assert.ok(lines(out).includes("  · concurrent-access  race: operation 'inc' was accessed by 2 workers concurrently (up to 9 calls in flight at once)"));
});

test('terminal: the throughput scaling message comes from report.scaling (not shown when it scales)', () => {
  const scaling = { ...throughputStrategy().scaling, kind: 'flat', speedup: 1, efficiency: 0.5, message: 'flat: MESSAGE FROM THE REPORT' };
  const flat = renderTerminal(makeReport({ strategies: [throughputStrategy({ scaling })] }), 0);
  assert.ok(lines(flat).includes('  flat: MESSAGE FROM THE REPORT'));
  const scales = renderTerminal(makeReport({ strategies: [throughputStrategy()] }), 0);
  assert.doesNotMatch(scales, /successful calls of 1/);
});

test('terminal: the --min-ops line comes from report.minOpsResult', () => {
  const ok = renderTerminal(
    makeReport({ strategies: [throughputStrategy({ minOps: 1000, minOpsResult: { required: 1000, actual: 1900, workers: 2, ok: true } })] }),
    0,
  );
  assert.ok(lines(ok).includes('  ✓ --min-ops 1,000: 1.9 k/s at 2 workers'));
  const low = renderTerminal(
    makeReport({
      strategies: [
        throughputStrategy({ status: 'fail', verdict: 'fail', minOps: 5000, minOpsResult: { required: 5000, actual: 1900, workers: 1, ok: false } }),
      ],
    }),
    0,
  );
  assert.ok(lines(low).includes('  ✗ --min-ops 5,000: 1.9 k/s at 1 worker'));
  const none = renderTerminal(makeReport({ strategies: [throughputStrategy()] }), 0);
  assert.doesNotMatch(none, /--min-ops/);
});

test('terminal: throughput points that threw are reported with their error rate', () => {
  const s = throughputStrategy({ points: [tpPoint(1, 1000, 1, 1), tpPoint(2, 1900, 1.9, 0.95, { errors: 19, calls: 1900, errorRate: 0.01 })] });
  assert.ok(
    lines(renderTerminal(makeReport({ strategies: [s] }), 0)).includes(
      '  2 workers: 19 of 1,900 calls threw (1.0%); calls/s counts only the calls that returned',
    ),
  );
});

test("terminal: the smallest failing setup's meaning and replay command are printed", () => {
  const minimal = {
    workers: 1,
    iterations: 10,
    concurrency: 2,
    failedRounds: 7,
    rounds: 50,
    command: 'npx adapter-hammer a.mjs -s race -w 1 -c 2 -i 10',
    smaller: true,
    tried: 5,
    concurrent: true,
    classification: 'async',
    meaning: 'one worker suffices: the race is between async calls (lanes) inside one thread, at their awaits',
  };
  const s = raceStrategy({
    status: 'fail',
    verdict: 'fail',
    failedRounds: 7,
    lostUpdates: 9,
    firstFailedRound: 3,
    lostPerFailedRound: { min: 1, median: 1, max: 3 },
    minimal,
  });
  const out = renderTerminal(makeReport({ strategies: [s], findings: [lostUpdate] }), 0);
  assert.ok(lines(out).includes('  smallest failing setup: 1 worker × 2 lanes × 10 calls (failed 7 of 50 rounds)'));
  assert.ok(lines(out).includes('    one worker suffices: the race is between async calls (lanes) inside one thread, at their awaits'));
  assert.ok(lines(out).includes('    replay it: npx adapter-hammer a.mjs -s race -w 1 -c 2 -i 10'));
  assert.ok(lines(out).includes('  lost updates: 9 in total; per failing round min 1 · median 1 · max 3'));
  assert.ok(lines(out).includes('  counters of round 3 (the first that failed):'));
});

test('terminal: a search that found nothing smaller says so', () => {
  const out = renderTerminal(
    makeReport({
      strategies: [raceStrategy({ status: 'fail', verdict: 'fail', minimal: null, unavailable: { minimal: 'not-reproduced' } })],
      findings: [lostUpdate],
    }),
    0,
  );
  assert.ok(
    lines(out).includes(
      '  (no smaller failing setup: no trial of the search failed the same way again within its time budget (a rare failure; the replay command replays the run))',
    ),
    out,
  );
});

test('terminal: counter rows say lost, extra, missing and not checked', () => {
  const counters = [
    { name: 'lost', expected: 10, actual: 8 },
    { name: 'extra', expected: 10, actual: 13 },
    { name: 'gone', expected: 10, actual: null },
    { name: 'free', expected: null, actual: 4 },
  ];
  const out = renderTerminal(makeReport({ strategies: [raceStrategy({ counters })] }), 0);
  const verdictOf = (name) =>
    lines(out)
      .find((l) => l.startsWith(`│ ${name} `))
      .split('│')
      .map((c) => c.trim())
      .filter(Boolean);
  assert.deepEqual(verdictOf('lost'), ['lost', '10', '8', '✗ 2 lost']);
  assert.deepEqual(verdictOf('extra'), ['extra', '10', '13', '✗ 3 extra']);
  assert.deepEqual(verdictOf('gone'), ['gone', '10', '—', '✗ missing']);
  assert.deepEqual(verdictOf('free'), ['free', '—', '4', 'not checked']);
});

test('terminal at colour level 0 has no escape sequences; level 1 has', () => {
  const r = makeReport({ statuses: { race: 'fail' }, findings: [lostUpdate] });
  assert.doesNotMatch(renderTerminal(r, 0), /\x1b/);
  assert.match(renderTerminal(r, 1), /\x1b\[/);
});

test('safe(): control characters become U+FFFD, newlines spaces, tabs kept, long text is cut with …', () => {
  assert.equal(safe('a\x1b[2Jb\x00c\u0085d\u2028e\rf\x7fg'), 'a\uFFFD[2Jb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg');
  assert.equal(safe('line1\nline2\ttab'), 'line1 line2\ttab');
  assert.equal(safe('x'.repeat(500)), `${'x'.repeat(399)}…`);
  assert.equal(safe('x'.repeat(400)), 'x'.repeat(400));
  assert.equal(safe('abcdef', 4), 'abc…');
});

test('terminal: adapter texts are neutralised (control characters, huge messages, adapter path)', () => {
  const evil = { strategy: 'race', kind: 'error', hook: 'stats', error: `boom\x1b[31mred\nsecond line ${'y'.repeat(5000)}` };
  const r = makeReport({ adapter: `a\x07.mjs${'z'.repeat(300)}`, statuses: { race: 'fail' }, findings: [evil], warnings: [diverged('w\x1bx')] });
  const out = renderTerminal(r, 0);
  const findingLine = lines(out).find((l) => l.startsWith('  ✗ [race] error  '));
  assert.equal(findingLine, `  ✗ [race] error  ${safe(`hook 'stats' threw: ${evil.error}`, 600)}`);
  assert.ok(findingLine.startsWith("  ✗ [race] error  hook 'stats' threw: boom\uFFFD[31mred second line yyy"));
  assert.ok(findingLine.endsWith('…'));
  assert.equal(findingLine.length, '  ✗ [race] error  '.length + 600);
  assert.equal(lines(out)[0], `adapter-hammer 0.1.0 · ${safe(r.adapter, 200)}`);
  assert.doesNotMatch(out, /[\x07\x1b]/);
});

test('terminal: control characters in the replay line are neutralised too', () => {
  const r = makeReport({ adapter: 'a\x1b[2J.mjs', statuses: { race: 'fail' }, findings: [lostUpdate], replay: "npx adapter-hammer 'a\x1b[2J.mjs' -s race" });
  assert.doesNotMatch(renderTerminal(r, 0), /\x1b/);
});

test('terminal: cutting a long adapter text never leaves half a surrogate pair', () => {
  const out = renderTerminal(makeReport({ adapter: `${'x'.repeat(198)}\u{1F600}tail.mjs` }), 0);
  assert.doesNotMatch(out, LONE_SURROGATE);
});

// ---------------------------------------------------------------------------------------------------
// JUnit
// ---------------------------------------------------------------------------------------------------

test('junit: document shape, properties and timestamp', () => {
  const xml = toJunit(makeReport());
  assert.ok(
    xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="adapter-hammer" tests="1" failures="0" errors="0" skipped="0" time="3.456">'),
  );
  assert.ok(xml.endsWith('</testsuites>\n'));
  assert.deepEqual(attrsOf(xml, 'testsuite'), {
    name: 'fixtures/counter.mjs',
    tests: '1',
    failures: '0',
    errors: '0',
    skipped: '0',
    time: '3.456',
    timestamp: '2024-05-01T10:00:00',
  });
  assert.match(xml, /<property name="seed" value="42"\/>/);
  assert.match(xml, /<property name="status" value="pass"\/>/);
  assert.match(xml, /<property name="threadSafe" value="true"\/>/);
});

test('junit: <, & and quotes are escaped in attributes and text', () => {
  const f = invariant(`a < b & "c" 'd' > e`);
  const xml = toJunit(makeReport({ adapter: 'x&y<z>.mjs', statuses: { race: 'fail' }, findings: [f] }));
  assert.equal(attrsOf(xml, 'testsuite').name, 'x&amp;y&lt;z&gt;.mjs');
  const failure = testcase(xml, 'race').body.match(/<failure message="([^"]*)" type="invariant">([\s\S]*?)<\/failure>/);
  assert.ok(failure, testcase(xml, 'race').body);
  assert.equal(failure[1], `1 finding: [invariant] invariant violated: a &lt; b &amp; &quot;c&quot; 'd' &gt; e`);
  assert.equal(failure[2].split('\n')[0], `[invariant] invariant violated: a &lt; b &amp; "c" 'd' &gt; e`);
});

test('junit: xmlText replaces U+0000..U+0008, U+000B, U+FFFE and lone surrogates with U+FFFD; keeps tab, LF, CR and pairs', () => {
  assert.equal(xmlText('a\u0000b\u0001c\u0008d\u000be\ufffef'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf');
  assert.equal(xmlText('hi\ud800there\udc00!'), 'hi\uFFFDthere\uFFFD!');
  assert.equal(xmlText('tab\there\nlf\rcr \u{1F600}'), 'tab\there\nlf\rcr \u{1F600}');
});

test('junit: characters XML 1.0 cannot carry never reach the document', () => {
  const f = { strategy: 'race', kind: 'error', hook: 'stats', error: 'nul\u0000 bell\u0007 lone\ud83d end' };
  const xml = toJunit(makeReport({ adapter: 'a\u0001.mjs', statuses: { race: 'fail' }, findings: [f], warnings: [diverged('x\u0002')] }));
  assert.doesNotMatch(xml, NOT_XML_CHAR);
  assert.doesNotMatch(xml, LONE_SURROGATE);
  assert.match(xml, /nul\uFFFD bell\uFFFD lone\uFFFD end/);
  assert.equal(attrsOf(xml, 'testsuite').name, 'a\uFFFD.mjs');
});

test('junit: a long attribute cut at its limit never leaves half a surrogate pair', () => {
  const xml = toJunit(makeReport({ adapter: `${'a'.repeat(998)}\u{1F600}b.mjs` }));
  assert.doesNotMatch(xml, LONE_SURROGATE);
});

test('junit: a long attribute is cut to 1000 characters with …', () => {
  const xml = toJunit(makeReport({ adapter: `${'a'.repeat(1200)}.mjs` }));
  assert.equal(attrsOf(xml, 'testsuite').name, `${'a'.repeat(999)}…`);
});

test('junit: tests/failures/skipped on <testsuite> and summed on <testsuites>', () => {
  const one = makeReport({ adapter: 'one.mjs', statuses: { hammer: 'pass', race: 'fail', throughput: 'partial' }, findings: [lostUpdate] });
  const two = makeReport({
    adapter: 'two.mjs',
    statuses: { race: 'fail', throughput: 'fail' },
    findings: [lostUpdate, { strategy: 'throughput', kind: 'throughput', minOps: 9000, workers: 2, opsPerSec: 10, count: 10 }],
  });
  const xml = toJunit(makeMulti([one, two], { durationMs: 9000 }));
  const suites = [...xml.matchAll(/<testsuite (?:[^>]*)>/g)].map((m) => attrsOf(m[0], 'testsuite'));
  assert.deepEqual(
    suites.map(({ name, tests, failures, errors, skipped }) => ({ name, tests, failures, errors, skipped })),
    [
      { name: 'one.mjs', tests: '3', failures: '1', errors: '0', skipped: '1' },
      { name: 'two.mjs', tests: '2', failures: '2', errors: '0', skipped: '0' },
    ],
  );
  assert.deepEqual(attrsOf(xml, 'testsuites'), { name: 'adapter-hammer', tests: '5', failures: '3', errors: '0', skipped: '1', time: '9.000' });
});

test('junit: a planned strategy that did not run is a skipped testcase', () => {
  const r = makeReport({ statuses: { race: 'partial' } });
  r.config.strategies = ['race', 'throughput'];
  const xml = toJunit(r);
  assert.equal(testcase(xml, 'throughput').body.trim(), '<skipped message="interrupted before this strategy ran"/>');
  assert.deepEqual([attrsOf(xml, 'testsuite').tests, attrsOf(xml, 'testsuite').skipped], ['2', '2']);
  r.interrupted = false;
  assert.equal(testcase(toJunit(r), 'throughput').body.trim(), '<skipped message="not run"/>');
});

test('junit: a --strict failure adds a failing "warnings (--strict)" testcase', () => {
  const r = makeReport({
    status: 'fail',
    verdict: 'fail',
    strictFailure: true,
    headline: '--strict: 2 warnings',
    warnings: [undeclared, { code: 'no-contention', strategy: 'race', op: 'inc' }],
  });
  const xml = toJunit(r);
  const overlap =
    "race: operation 'inc' never ran at the same time as another call, so this run could not have revealed a race in it (more --workers or --concurrency, or a slower/async operation, would)";
  assert.equal(
    testcase(xml, 'warnings (--strict)').body.trim(),
    `<failure message="2 warning(s) with --strict: ${UNDECLARED}" type="warning">[undeclared] ${UNDECLARED}\n[no-contention] ${overlap}</failure>`,
  );
  assert.deepEqual([attrsOf(xml, 'testsuite').tests, attrsOf(xml, 'testsuite').failures], ['2', '1']);
  assert.deepEqual([attrsOf(xml, 'testsuites').tests, attrsOf(xml, 'testsuites').failures], ['2', '1']);
  assert.ok(xml.includes(`<system-out>warning undeclared: ${UNDECLARED}\nwarning no-contention: ${overlap}</system-out>`));
});

test('junit: without strictFailure warnings are only system-out', () => {
  const xml = toJunit(makeReport({ warnings: [undeclared] }));
  assert.equal(testcase(xml, 'warnings (--strict)'), undefined);
  assert.equal(attrsOf(xml, 'testsuite').failures, '0');
});

test('junit: an adapter that could not start is a testsuite with one <error>', () => {
  const xml = toJunit(makeMulti([makeReport({ adapter: 'ok.mjs' }), makeStartFailure('gone.mjs', ['cannot find gone.mjs', 'second <problem>'])]));
  const gone = xml.match(/<testsuite name="gone.mjs"[^>]*>[\s\S]*?<\/testsuite>/)[0];
  assert.deepEqual(attrsOf(gone, 'testsuite'), { name: 'gone.mjs', tests: '1', failures: '0', errors: '1', skipped: '0', time: '0.000' });
  assert.equal(
    testcase(gone, 'load').body.trim(),
    '<error message="cannot find gone.mjs" type="not-started">cannot find gone.mjs\nsecond &lt;problem&gt;</error>',
  );
  assert.deepEqual(attrsOf(xml, 'testsuites'), { name: 'adapter-hammer', tests: '2', failures: '0', errors: '1', skipped: '0', time: '5.000' });
});

test('junit: the failure body lists every finding of the strategy, then the replay', () => {
  const second = invariant('again');
  const xml = toJunit(makeReport({ statuses: { race: 'fail' }, findings: [lostUpdate, second] }));
  const body = testcase(xml, 'race').body.match(/<failure [^>]*>([\s\S]*?)<\/failure>/)[1];
  assert.deepEqual(body.split('\n'), [
    "[lost-update] (round 3) counter 'count' is 198, expected 200: 2 lost updates",
    '[invariant] invariant violated: again',
    '',
    'replay: npx adapter-hammer fixtures/counter.mjs -s race -w 2 -c 8 --seed 42 --timeout 5000',
  ]);
  assert.match(testcase(xml, 'race').body, /<failure message="2 findings: /);
});

// Two increments that overlapped, the second of which no order explains.
const modelFailure = {
  strategy: 'race',
  kind: 'linearizability',
  round: 4,
  op: 'incr',
  calls: 2,
  history: {
    round: 4,
    omitted: 0,
    culprit: 1,
    calls: [
      { worker: 0, lane: 0, op: 'incr', start: 0, end: 0.02, output: 1 },
      { worker: 1, lane: 0, op: 'incr', start: 0.01, end: 0.03, output: 1 },
    ],
  },
};

test('a finding with a history: its table in the terminal, the JUnit failure text and the GitHub summary', () => {
  const r = makeReport({ statuses: { race: 'fail' }, findings: [modelFailure] });
  const term = renderTerminal(r, 0);
  assert.match(term, /round 4, calls in time order:/);
  // One column per worker × lane; both calls open before either closes; the culprit is marked.
  const table = term.split('\n').filter((l) => /w0 l0|w1 l0|┌|└|◀/.test(l));
  assert.ok(
    table.some((l) => /w0 l0/.test(l) && /w1 l0/.test(l)),
    table.join('\n'),
  );
  const opened = table.findIndex((l) => /┌ incr\(\)/.test(l) && l.indexOf('┌') > l.indexOf('│'));
  assert.ok(opened > 0, table.join('\n'));
  assert.match(
    table.find((l) => /◀ no order explains this/.test(l)),
    /→ 1/,
  );
  const body = testcase(toJunit(r), 'race').body.match(/<failure [^>]*>([\s\S]*?)<\/failure>/)[1];
  assert.match(body, /\[linearizability\][^\n]*\n[\s\S]*w0 l0[\s\S]*w1 l0[\s\S]*◀ no order explains this/);
  assert.ok(body.includes('round 4: no order of its 2 calls explains incr() → 1 (worker 1, lane 0): not linearizable against the model'), body);
  const md = githubSummary(r);
  assert.match(md, /- ❌ \*\*linearizability\*\*[^\n]*\n\n {2}```\n[\s\S]*◀ no order explains this[\s\S]*\n {2}```/);
});

// ---------------------------------------------------------------------------------------------------
// GitHub
// ---------------------------------------------------------------------------------------------------

test('escapeData: %, CR and LF', () => {
  assert.equal(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b');
  assert.equal(escapeData('%0A'), '%250A');
});

test('escapeProperty: also : and ,', () => {
  assert.equal(escapeProperty('adapter-hammer race: lost-update, x%\n'), 'adapter-hammer race%3A lost-update%2C x%25%0A');
});

test('annotationFile: relative to GITHUB_WORKSPACE with /, absolute when outside it', () => {
  assert.equal(annotationFile('fixtures/a.mjs', { GITHUB_WORKSPACE: '/repo' }, '/repo/pkg'), 'pkg/fixtures/a.mjs');
  assert.equal(annotationFile('/elsewhere/a.mjs', { GITHUB_WORKSPACE: '/repo' }, '/repo'), '/elsewhere/a.mjs');
  assert.equal(annotationFile('a.mjs', {}, '/work'), 'a.mjs');
});

test('githubAnnotations: one ::error per finding with replay, one ::warning per warning', () => {
  const r = makeReport({
    adapter: 'fixtures/counter.mjs',
    statuses: { race: 'fail' },
    findings: [lostUpdate],
    warnings: [diverged('50% overlap,\nnone')],
  });
  const out = githubAnnotations(r, { GITHUB_WORKSPACE: '/repo' }, '/repo/sub');
  assert.equal(
    out,
    `::error file=sub/fixtures/counter.mjs,title=adapter-hammer race%3A lost-update::lost-update in race: counter 'count' is 198, expected 200: 2 lost updates%0Areplay: ${r.replay}\n` +
      '::warning file=sub/fixtures/counter.mjs,title=adapter-hammer%3A schedule-diverged::race: the --schedule replay could not follow its schedule (50%25 overlap,%0Anone)\n',
  );
});

test('githubAnnotations: a passing report with no warnings has none; a start failure is one ::error per problem', () => {
  assert.equal(githubAnnotations(makeReport(), {}, '/w'), '');
  const out = githubAnnotations(makeMulti([makeStartFailure('x,y.mjs', ['missing: x', 'two'])]), { GITHUB_WORKSPACE: '/w' }, '/w');
  assert.equal(
    out,
    '::error file=x%2Cy.mjs,title=adapter-hammer%3A adapter could not start::missing: x\n::error file=x%2Cy.mjs,title=adapter-hammer%3A adapter could not start::two\n',
  );
});

test('github summary: finding and warning cells escape | and neutralise < >, one line each; replay for a failure', () => {
  const r = makeReport({ statuses: { race: 'fail' }, findings: [invariant('a|b <script>\nnext')], warnings: [diverged('x|y>z')] });
  const md = githubSummary(r);
  assert.ok(lines(md).includes('- ❌ **invariant** (race): invariant violated: a\\|b &lt;script&gt; next'));
  assert.ok(lines(md).includes('- ⚠️ **schedule-diverged**: race: the --schedule replay could not follow its schedule (x\\|y&gt;z)'));
  assert.ok(lines(md).includes(`Replay: \`${r.replay}\``));
  assert.ok(lines(md).includes('### `fixtures/counter.mjs`'));
});

test('github summary: a start failure cell escapes | and < >', () => {
  const md = githubSummary(makeMulti([makeStartFailure('g.mjs', ['a|b', '<c>'])]));
  assert.equal(summaryRow(md, 'g.mjs'), '| `g.mjs` | ⛔ could not start | — | a\\|b; &lt;c&gt; | — |');
});

test('github summary: a passing report with warnings lists them but no replay', () => {
  const md = githubSummary(makeReport({ warnings: [undeclared] }));
  assert.ok(lines(md).includes(`- ⚠️ **undeclared**: ${UNDECLARED}`));
  assert.doesNotMatch(md, /Replay:/);
});

test('github summary: an adapter path with | does not break the table row', () => {
  const md = githubSummary(makeReport({ adapter: 'a|b.mjs' }));
  const row = lines(md).find((l) => l.includes('✅ pass |'));
  // A GFM row's cells are split on unescaped pipes: the header has 5 cells, so must the row.
  assert.equal(row.split(/(?<!\\)\|/).length - 2, 5, row);
});

test('inGithubActions only when GITHUB_ACTIONS is "true"', () => {
  assert.equal(inGithubActions({ GITHUB_ACTIONS: 'true' }), true);
  assert.equal(inGithubActions({ GITHUB_ACTIONS: '1' }), false);
  assert.equal(inGithubActions({}), false);
});

// ---------------------------------------------------------------------------------------------------
// JSON and colour
// ---------------------------------------------------------------------------------------------------

test('toJson round-trips a report, pretty-printed and newline-terminated', () => {
  const r = makeReport({ statuses: { race: 'fail' }, findings: [lostUpdate], warnings: [undeclared] });
  const text = toJson(r);
  // The report as data, with each finding's and warning's sentence written from its fields (contract: `message`).
  assert.deepEqual(JSON.parse(text), {
    ...r,
    findings: [{ ...lostUpdate, message: "counter 'count' is 198, expected 200: 2 lost updates" }],
    warnings: [{ ...undeclared, message: UNDECLARED }],
  });
  assert.deepEqual(Object.keys(JSON.parse(text).findings[0]).slice(0, 3), ['strategy', 'kind', 'message']);
  assert.ok(text.endsWith('}\n'));
  assert.ok(text.startsWith('{\n  "tool": {\n    "name": "adapter-hammer",'));
});

test('toJson round-trips a multi-adapter report', () => {
  const m = makeMulti([makeReport(), makeStartFailure('x.mjs')]);
  assert.deepEqual(JSON.parse(toJson(m)), m);
});

test('toJson turns a bigint into a string instead of throwing', () => {
  const r = makeReport({
    findings: [{ strategy: 'race', kind: 'duplicate', op: 'id', duplicates: 1, count: 1, values: 1, example: 12345678901234567890n, exampleTimes: 2 }],
  });
  assert.equal(JSON.parse(toJson(r)).findings[0].example, '12345678901234567890');
});

test('colorLevel: --no-color, FORCE_COLOR levels, NO_COLOR, no TTY', () => {
  assert.equal(colorLevel({ color: false, env: { FORCE_COLOR: '3' } }), 0);
  assert.equal(colorLevel({ env: { FORCE_COLOR: '0' } }), 0);
  assert.equal(colorLevel({ env: { FORCE_COLOR: 'false' } }), 0);
  assert.equal(colorLevel({ env: { FORCE_COLOR: '' } }), 1);
  assert.equal(colorLevel({ env: { FORCE_COLOR: '2', NO_COLOR: '1' } }), 2);
  assert.equal(colorLevel({ env: { FORCE_COLOR: '3' } }), 3);
  assert.equal(colorLevel({ isTTY: true, env: { NO_COLOR: '1' } }), 0);
  assert.equal(colorLevel({ isTTY: false, env: {} }), 0);
});
