// The HTML page (--html), built from hand-made reports: what it shows, that adapter text stays text,
// that it references nothing outside itself, that it stays small, and where it is wired (CLI, config,
// merge, hammer(), JUnit, GitHub). The browser's view of it: html-browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toHtml } from '../dist/reporters/html/page.js';
import { TIMELINE_LIMITS } from '../dist/reporters/html/timeline.js';
import { toJunit } from '../dist/reporters/junit.js';
import { githubAnnotations, githubSummary } from '../dist/reporters/github.js';
import { hammer } from '../dist/index.js';
import { call, failingReport, makeMulti, makeReport, makeStartFailure, raceStrategy, throughputStrategy, tpPoint } from './helpers/report.mjs';
import { fixture, runCli } from './helpers/cli.mjs';

const XSS = '<img src=x onerror="window.__pwned=1">';

function tempDir(t) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-html-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The bar of a call in the page's SVG: its class and its rect's x and width. */
function bar(page, id) {
  const m = new RegExp(`<g class="([^"]*)" id="${id}"[^>]*>.*?<rect x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"`, 's').exec(page);
  assert.ok(m, `no bar ${id}`);
  return { cls: m[1], x0: Number(m[2]), x1: Number(m[2]) + Number(m[3]) };
}

test('html: the verdict bar states verdict, adapter, strategies, seed, machine and the replay command', () => {
  const r = failingReport();
  r.config.env = { ...r.config.env, hostname: 'runner-7', node: 'v20.20.2', platform: 'linux' };
  const page = toHtml(r);
  const bar = page.slice(page.indexOf('<div class="verdict'), page.indexOf('</dl></div>'));
  assert.match(bar, /<span class="word">FAIL<\/span>/);
  assert.match(bar, /fixtures\/store\.mjs/);
  for (const s of ['hammer', 'race', 'throughput']) assert.match(bar, new RegExp(`href="#a0-s\\d">${s} <span class="badge`));
  assert.match(bar, /<dt>seed<\/dt><dd>42<\/dd>/);
  assert.match(bar, /runner-7 · 2 cores · Node v20\.20\.2 · linux/);
  assert.match(bar, /<code id="a0-replay">npx adapter-hammer fixtures\/counter\.mjs -s hammer,race,throughput/);
  assert.match(bar, /data-copy="a0-replay"/);
  assert.match(page, /<title>FAIL · fixtures\/store\.mjs · adapter-hammer<\/title>/);
});

test('html: every finding links to the round it came from, and that round is drawn', () => {
  const page = toHtml(failingReport());
  const items = [...page.matchAll(/<li class="finding" id="(a0-f\d+)">.*?<\/li>/gs)].map((m) => m[0]);
  assert.equal(items.length, 3);
  // The linearizability finding: to its round's timeline; the others (no history): to their strategy's section.
  const link = (li) => /class="goto" href="#([^"]+)"/.exec(li)?.[1];
  assert.equal(link(items[0]), 'a0-s1-r0');
  assert.match(items[0], /round 3 →/);
  assert.equal(link(items[1]), 'a0-s1');
  assert.equal(link(items[2]), 'a0-s0');
  for (const id of items.map(link)) assert.match(page, new RegExp(`id="${id}"`), `link target ${id} exists`);
  assert.match(page, /<figure class="timeline" id="a0-s1-r0">/);
  // Fields shown beside the message; an error's distinct errors with their stack.
  assert.match(items[0], /operation: <b>add<\/b>/);
  assert.match(items[1], /<b>3×<\/b> <code>TypeError: k<\/code>/);
  assert.match(items[2], /The worker’s stack when it was paused/);
});

test('html: the timeline has a row per worker × lane and a bar per call, errors, hangs and the culprit marked', () => {
  const page = toHtml(failingReport());
  const fig = page.slice(page.indexOf('<figure class="timeline" id="a0-s1-r0">'));
  const svg = fig.slice(0, fig.indexOf('</svg>'));
  assert.deepEqual(
    [...svg.matchAll(/<text class="lane-label"[^>]*>([^<]*)</g)].map((m) => m[1]),
    ['w0 · l0', 'w0 · l1', 'w1 · l0', 'w1 · l1'],
  );
  assert.equal([...svg.matchAll(/<g class="call /g)].length, 5);
  assert.match(svg, /<text [^>]*>add\(\{ key: &#39;k&#39;, by: 1 \}\) → 1<\/text>/);
  assert.match(bar(svg, 'a0-s1-r0-w1-c1').cls, /\berr\b/);
  assert.match(svg, /get\(&quot;k&quot;\) ✗ TypeError: k/);
  assert.match(bar(svg, 'a0-s1-r0-w0-c2').cls, /\bhung\b/);
  assert.match(svg, /never returned/);
  assert.match(svg, /class="cut"/);
  assert.match(bar(svg, 'a0-s1-r0-w1-c0').cls, /\bculprit\b/);
  assert.match(svg, /class="culprit-mark"/);
  assert.match(fig, /95 more calls of round 3 are not in the report/);
});

test('html: bars keep the real-time order: overlapping calls overlap, calls one after another do not', () => {
  const page = toHtml(failingReport());
  const a = bar(page, 'a0-s1-r0-w0-c0'); // 0 .. 0.004
  const b = bar(page, 'a0-s1-r0-w1-c0'); // 0.001 .. 0.005: overlaps a
  const c = bar(page, 'a0-s1-r0-w0-c1'); // 0.006 .. 0.007: after both
  const d = bar(page, 'a0-s1-r0-w1-c1'); // 0.0065 .. 0.009: overlaps c
  assert.ok(a.x0 < b.x0 && b.x0 < a.x1 && a.x1 < b.x1, 'a and b overlap, in order');
  assert.ok(b.x1 < c.x0, 'c starts after b ended');
  assert.ok(c.x0 < d.x0 && d.x0 < c.x1);
  // The hung call runs to the cut, past every end.
  const hung = bar(page, 'a0-s1-r0-w0-c2');
  assert.ok(hung.x1 > Math.max(a.x1, b.x1, c.x1, d.x1));
});

test('html: the shrunk round is drawn beside the first failing one', () => {
  const page = toHtml(failingReport());
  const pair = page.slice(page.indexOf('<div class="pair">'));
  const figures = [...pair.slice(0, pair.indexOf('</svg></div>\n\n</figure></div>') + 40).matchAll(/<figure class="timeline" id="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(figures.slice(0, 2), ['a0-s1-r0', 'a0-s1-min']);
  assert.match(page, /Round 3: the first that failed · linearizability/);
  assert.match(page, /Smallest failing setup: 2 workers × 1 lane × 1 call, round 41/);
});

test('html: a controlled round’s steps link to their call bars, and preemptions are marked in both', () => {
  const page = toHtml(failingReport());
  const sched = page.slice(page.indexOf('<div class="schedule"'), page.indexOf('</details>', page.indexOf('<div class="schedule"')));
  const links = [...sched.matchAll(/<a href="#(a0-s1-sched-tl-w\d+-c\d+)">/g)].map((m) => m[1]);
  assert.ok(links.length >= 3);
  for (const id of new Set(links)) assert.match(sched, new RegExp(`<g class="[^"]*" id="${id}"`), `bar ${id} exists`);
  assert.match(sched, /<tr class="preempt" id="a0-s1-sched-tl-step-w0-2" data-k="w0c2">/);
  assert.match(sched, /⤷ preempts L0/);
  assert.match(bar(sched, 'a0-s1-sched-tl-w0-c2').cls, /\bmarked\b/);
  assert.match(sched, /class="preempt-mark"/);
  assert.match(sched, /<a href="#a0-s1-sched-tl-step-w0-2">worker 0, step 2: L1 preempts L0<\/a>/);
  assert.match(sched, /<code>await save\(k\);<\/code>/);
});

test('html: outcomes as jcstress shows them, contention per operation, throughput against the ideal line', () => {
  const page = toHtml(failingReport());
  assert.match(page, /<tr class=""><td><code>count=200<\/code><\/td><td class="num">180<\/td><td class="num">90\.0%<\/td>.*?acceptable/s);
  assert.match(page, /<tr class="bad-row"><td><code>count=199 k<\/code><\/td><td class="num">20<\/td><td class="num">10\.0%<\/td>.*?forbidden/s);
  assert.match(page, /<table class="contention">.*?<code>add<\/code><\/td><td class="num">4<\/td>/s);
  const chart = page.slice(page.indexOf('Calls/s against workers'));
  assert.match(chart, /<line class="ideal"/);
  assert.match(chart, /<polyline class="measured" points="[\d. ,]+">/);
  assert.equal([...chart.slice(0, chart.indexOf('</svg>')).matchAll(/<circle /g)].length, 2);
  assert.match(page, /Latency per point \(log scale\)/);
  assert.match(
    page,
    /<td class="num">2<\/td><td class="num">1\.9 k<\/td><td class="num">500 µs<\/td><td class="num">1\.0 ms<\/td><td class="num">2\.0 ms<\/td>/,
  );
});

test('html: the environment (Node, cores, pinning) and the options the plan had', () => {
  const r = failingReport();
  r.config.env = { ...r.config.env, node: 'v20.1.0', platform: 'linux', arch: 'x64', pinCpus: false };
  const page = toHtml(r);
  const env = page.slice(page.indexOf('id="a0-env"'));
  assert.match(env, /<dt>Node<\/dt><dd>v20\.1\.0<\/dd>/);
  assert.match(env, /<dt>cores<\/dt><dd>2 available to the run<\/dd>/);
  assert.match(env, /<dt>CPU pinning<\/dt><dd>off \(ADAPTER_HAMMER_AFFINITY=0\)<\/dd>/);
  assert.match(env, /<td><code>workers<\/code><\/td><td><code>2<\/code><\/td>/);
  assert.match(env, /<td><code>strategies<\/code><\/td><td><code>\[&quot;hammer&quot;,&quot;race&quot;,&quot;throughput&quot;\]<\/code>/);
});

test('html: the confidence of a pass is shown where the race report has one, and only then', () => {
  const plain = toHtml(makeReport());
  assert.doesNotMatch(plain, /<dt>confidence<\/dt>/);
  // A full report's `confidence` (checks/confidence.ts), worded as every reporter words it (reporters/confidence.ts).
  const count = { rounds: 6333, measuredRounds: 6333, overlappedRounds: 6333, effectiveRounds: 6333, method: 'measured', k95: 2114, k99: 1375 };
  const confidence = {
    ...count,
    perOperation: [{ op: 'inc', ...count }],
    machines: ['ci-7'],
    workers: 2,
    lanes: 8,
    pct: { depth: 3, lanes: 8, estimatedSteps: 64, controlledRounds: 1000, logMiss: Math.log(0.0042), missBound: 0.0042 },
    target: { oneIn: 5000, probability: 0.99, roundsNeeded: 23024, reached: false },
  };
  const page = toHtml(makeReport({ strategies: [raceStrategy({ confidence })] }));
  assert.match(
    page,
    /<dt>confidence<\/dt><dd>race: A race showing in 1 of 2,114 overlapping rounds or more often would have been caught \(95%\); 1 of 1,375 \(99%\)\./,
  );
  assert.match(page, /Holds for this machine \(ci-7\), 2 workers × 8 lanes/);
  assert.match(
    page,
    /PCT, depth 3\): a given ordering bug of depth 3 within a worker&#39;s first 64 steps would have been missed with probability at most 0\.4%/,
  );
  assert.match(page, /--confidence 1\/5000@99%: not reached/);
  const none = toHtml(
    makeReport({
      strategies: [
        raceStrategy({
          confidence: { ...confidence, ...count, effectiveRounds: 0, k95: null, k99: null, noClaim: 'single-lane', pct: undefined, target: undefined },
        }),
      ],
    }),
  );
  assert.match(none, /race: No rate claimed: one worker and one lane: calls never overlapped\./);
});

test('html: markup from the adapter is text everywhere (inputs, outputs, errors, counters, stacks, SVG)', () => {
  const r = failingReport(XSS);
  r.adapter = `fixtures/${XSS}.mjs`;
  r.replay = `npx adapter-hammer '${XSS}'`;
  r.strategies[2].machine = { hostname: XSS, shards: ['1/2'] };
  const page = toHtml(r);
  assert.doesNotMatch(page, /<img/i);
  // Every occurrence of the payload is the escaped text of it (whole, or clipped where a label is short).
  const escaped = '&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;';
  const all = page.split('onerror').length - 1;
  assert.ok(page.split(escaped).length - 1 > 15, 'the payload is shown, whole, in many places');
  assert.equal(page.split('&lt;img src=x onerror').length - 1, all, 'every occurrence is escaped');
  // In the SVG too: a bar's label and its tooltip.
  const svg = page.slice(page.indexOf('<svg class="tl"'), page.indexOf('</svg>', page.indexOf('<svg class="tl"')));
  assert.ok(svg.includes(escaped.slice(0, 30)));
});

test('html: control characters and lone surrogates from the adapter do not reach the page', () => {
  const page = toHtml(failingReport('a\u0000b\u001b[31mc\ud800'));
  assert.doesNotMatch(page, /[\u0000\u001b]/);
  assert.doesNotMatch(page, /[\ud800-\udbff](?![\udc00-\udfff])/);
  assert.match(page, /a\uFFFDb\uFFFD\[31mc/);
});

test('html: the page references nothing outside itself, and its policy forbids any fetch', () => {
  const page = toHtml(failingReport());
  assert.doesNotMatch(page, /https?:|\/\/[a-z]|url\(|@import|\bsrc=/i);
  assert.doesNotMatch(page, /<link|<iframe|<object|<embed/i);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1]?.replaceAll('&#39;', "'");
  assert.ok(csp);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
  // The drawings are in the document itself, before any script runs.
  assert.ok(page.indexOf('<svg class="tl"') < page.indexOf('<script>'));
});

test('html: a round of 200,000 calls gives a page of a few MB at most, and says what was left out', () => {
  const calls = Array.from({ length: 200_000 }, (_, i) =>
    call(i % 16, (i >> 4) % 64, i, 'add', i * 0.001, i * 0.001 + 0.0015, { input: { key: `k${i % 97}`, by: i }, output: 'x'.repeat(40) }),
  );
  const history = { round: 0, calls, omitted: 0, culprit: 150_000 };
  const r = makeReport({
    strategies: [
      raceStrategy({
        verdict: 'fail',
        status: 'fail',
        outcomes: Array.from({ length: 5000 }, (_, i) => ({ outcome: `count=${i}`, rounds: 1, failed: i > 0 })),
        contention: Array.from({ length: 500 }, (_, i) => ({ op: `op${i}`, maxInFlight: 2, maxWorkers: 2, overlapped: true })),
      }),
    ],
    findings: Array.from({ length: 1000 }, (_, i) => ({
      strategy: 'race',
      kind: 'linearizability',
      round: 0,
      message: `finding ${i}`,
      history: i < 10 ? { ...history, culprit: 150_000 + i } : history,
    })),
  });
  const t0 = performance.now();
  const page = toHtml(r);
  const took = performance.now() - t0;
  const mb = Buffer.byteLength(page) / 1e6;
  assert.ok(mb < 4, `page is ${mb.toFixed(2)} MB`);
  const bars = [...page.matchAll(/<g class="call /g)].length;
  assert.ok(bars <= TIMELINE_LIMITS.calls * 6, `${bars} bars drawn`);
  assert.match(
    page,
    /[\d,]+ calls of the report’s 200,000 calls are not drawn \(at most 300 calls in 48 rows: those nearest the marked call, in the first lanes/,
  );
  assert.match(page, /4,940 more outcomes \(4,940 rounds\) not shown/);
  assert.match(page, /440 more operations not shown/);
  assert.match(page, /800 more findings not shown/);
  assert.match(page, /more failing-round histories not drawn/);
  // The drawn window keeps the culprit.
  assert.match(page, /class="call ok culprit"/);
  assert.ok(took < 60_000);
});

test('html: a page draws at most a set number of calls in all, however many adapters and rounds it holds', () => {
  const calls = Array.from({ length: 20_000 }, (_, i) => call(i % 4, (i >> 2) % 4, i, 'inc', i * 0.001, i * 0.001 + 0.0015, { output: i }));
  const adapter = (k) =>
    makeReport({
      adapter: `fixtures/a${k}.mjs`,
      strategies: [raceStrategy({ verdict: 'fail', status: 'fail' })],
      findings: Array.from({ length: 6 }, (_, i) => ({
        strategy: 'race',
        kind: 'lost-update',
        round: i,
        message: `lost ${i}`,
        history: { round: i, calls, omitted: 0 },
      })),
    });
  const page = toHtml(makeMulti(Array.from({ length: 20 }, (_, k) => adapter(k))));
  const bars = [...page.matchAll(/<g class="call /g)].length;
  assert.equal(bars, TIMELINE_LIMITS.pageCalls);
  assert.match(page, /Not drawn: a page draws at most 4,000 calls in all/);
  assert.ok(Buffer.byteLength(page) < 4e6, `${(Buffer.byteLength(page) / 1e6).toFixed(2)} MB`);
});

test('html: a merged report names its machines and shards; an interrupted one says so', () => {
  const r = makeReport({
    strategies: [
      raceStrategy(),
      throughputStrategy({ machine: { hostname: 'runner-a', shards: ['1/2'] } }),
      throughputStrategy({ machine: { hostname: 'runner-b', shards: ['2/2'] } }),
    ],
    merged: { files: ['a.json', 'b.json'], shards: ['1/2', '2/2'], missing: [] },
  });
  const page = toHtml(r);
  assert.match(page, /<dt>machine<\/dt><dd>2 machines: runner-a, runner-b · 2 cores<\/dd>/);
  assert.match(page, /<dt>merged<\/dt><dd>2 reports: shard 1\/2, 2\/2<\/dd>/);
  assert.match(page, /<h3>throughput on runner-b \(shard 2\/2\) <span class="badge pass">PASS<\/span><\/h3>/);
  const cut = toHtml(makeReport({ statuses: { race: 'partial' } }));
  assert.match(cut, /<div class="verdict partial"><span class="word">INTERRUPTED<\/span>/);
  assert.match(cut, /interrupted: figures cover what finished/);
});

test('html: why a smallest setup or a replay is missing, as the report says; counters the invariant checked', () => {
  const r = makeReport({
    strategies: [
      raceStrategy({
        status: 'fail',
        verdict: 'fail',
        minimal: null,
        schedule: null,
        unavailable: { minimal: 'not-reproduced', schedule: 'workers-lost' },
        counters: [{ name: 'money', expected: null, actual: 290, invariant: 'violated' }],
      }),
    ],
  });
  const page = toHtml(r);
  assert.match(page, /No smaller failing setup: no trial of the search failed the same way again/);
  assert.match(page, /The failing controlled round could not be replayed: a worker hung or crashed during the replay\./);
  assert.match(page, /<code>money<\/code><\/td><td class="num">—<\/td><td class="num">290<\/td><td><span class="bad">✗ invariant violated<\/span>/);
});

test('html: a multi-adapter run lists every adapter, one that could not start included', () => {
  const m = makeMulti([failingReport(), makeStartFailure('fixtures/missing.mjs', ['cannot find fixtures/missing.mjs'])]);
  const page = toHtml(m);
  assert.match(page, /<title>FAIL · 2 adapters · adapter-hammer<\/title>/);
  assert.match(page, /<a href="#a1">fixtures\/missing\.mjs<\/a>/);
  assert.match(page, /COULD NOT START.*cannot find fixtures\/missing\.mjs/s);
  assert.match(page, /id="a0-s1-r0"/);
});

test('html: a passing run says so and draws no failing round', () => {
  const page = toHtml(makeReport({ strategies: [raceStrategy(), throughputStrategy({ points: [tpPoint(1, 1000, 1, 1), tpPoint(2, 1000, 1, 0.5)] })] }));
  assert.match(page, /<div class="verdict pass"><span class="word">PASS<\/span>/);
  assert.match(page, /No findings\./);
  assert.doesNotMatch(page, /<figure class="timeline"/);
});

test('html: a pass with caveats is never a plain PASS badge: the caveats are named beside it', () => {
  const plain = toHtml(makeReport({ strategies: [raceStrategy()] }));
  assert.doesNotMatch(plain, /but see warnings/);
  const page = toHtml(makeReport({ strategies: [raceStrategy({ caveats: ['no-contention', 'few-rounds'] })] }));
  const badges = page.match(/<span class="badge partial" title="see the warnings">but see warnings: no-contention, few-rounds<\/span>/g) ?? [];
  assert.equal(badges.length, 2, 'on the strategy chip of the verdict bar and on the strategy section');
});

test('junit and github point at the page when one is written', () => {
  const r = failingReport();
  const xml = toJunit(r, 'out/report.html');
  assert.match(xml, /<property name="html" value="out\/report\.html"\/>/);
  assert.match(xml, /HTML report: out\/report\.html/);
  assert.ok(xml.includes(`[[ATTACHMENT|${path.resolve('out/report.html')}]]`));
  assert.doesNotMatch(toJunit(r), /HTML report|ATTACHMENT|name="html"/);
  const env = { GITHUB_WORKSPACE: process.cwd(), GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '99' };
  const md = githubSummary(r, path.join(process.cwd(), 'out/report.html'), env);
  assert.match(md, /📄 HTML report: `out\/report\.html`.*Artifacts at https:\/\/github\.com\/o\/r\/actions\/runs\/99/);
  assert.doesNotMatch(githubSummary(r), /HTML report/);
  assert.match(githubAnnotations(r, env, process.cwd(), 'out/report.html'), /%0AHTML report: out\/report\.html/);
});

test('cli: --html writes the page, merge --html the merged one, and JUnit points at it', async (t) => {
  const dir = tempDir(t);
  const page = path.join(dir, 'r.html');
  const junit = path.join(dir, 'r.xml');
  const args = [fixture('async-counter-unsafe.mjs'), '-s', 'hammer', '-n', '2000', '--seed', '5', '--shard', '1/1'];
  const r = await runCli([...args, '--html', page, '--junit', junit, '--json', path.join(dir, 'r.json')]);
  assert.equal(r.code, 1, r.stderr);
  const text = readFileSync(page, 'utf8');
  assert.match(text, /^<!doctype html>/);
  assert.match(text, /<span class="word">FAIL<\/span>/);
  assert.match(text, /lost-update/);
  assert.match(readFileSync(junit, 'utf8'), new RegExp(`<property name="html" value="${page.replace(/[.]/g, '\\.')}"/>`));
  const merged = path.join(dir, 'm.html');
  const m = await runCli(['merge', path.join(dir, 'r.json'), '--html', merged]);
  assert.equal(m.code, 1, m.stderr);
  assert.match(readFileSync(merged, 'utf8'), /merged<\/dt><dd>1 report: shard 1\/1/);
});

test('cli: --html into a directory that does not exist is one clear line and a failing exit, not a stack', async (t) => {
  const dir = tempDir(t);
  const r = await runCli([fixture('counter-safe.mjs'), '-s', 'hammer', '-n', '500', '--html', path.join(dir, 'no/such/dir/r.html')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /adapter-hammer: could not write HTML report to .*no\/such\/dir\/r\.html: ENOENT/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('cli: --html - is refused with one line and exit 2 (standard output is the terminal report’s)', async () => {
  for (const args of [
    [fixture('counter-safe.mjs'), '--html', '-'],
    ['merge', 'x.json', '--html', '-'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^adapter-hammer: (merge: )?--html writes a file: give it a path/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('config: `html` in adapter-hammer.config.json writes the page beside the config', async (t) => {
  const dir = tempDir(t);
  writeFileSync(
    path.join(dir, 'adapter-hammer.config.json'),
    JSON.stringify({ adapters: [fixture('counter-safe.mjs')], strategy: ['hammer'], requests: 500, html: 'out.html' }),
  );
  const r = await runCli([], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(path.join(dir, 'out.html'), 'utf8'), /<span class="word">PASS<\/span>/);
});

test('hammer(): the html option writes the page; a bad value is a TypeError', async (t) => {
  const dir = tempDir(t);
  const report = await hammer(fixture('counter-safe.mjs'), { strategy: ['hammer'], requests: 500, html: 'api.html', cwd: dir });
  assert.equal(report.verdict, 'pass');
  assert.ok(existsSync(path.join(dir, 'api.html')));
  await assert.rejects(hammer(fixture('counter-safe.mjs'), { html: 5 }), /html must be a file path/);
});
