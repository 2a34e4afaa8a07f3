// Failures you can act on: every error keeps its stack (user frames first, TypeScript mapped back), the
// distinct errors are grouped with their counts, and annotations point at the failing line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { hammer } from '../dist/index.js';
import { stackFrames } from '../dist/errors.js';
import { mergeSamples, recordError } from '../dist/pool/error-samples.js';
import { checkRound, hookFinding, whereOf } from '../dist/checks/round.js';
import { githubAnnotations } from '../dist/reporters/github.js';
import { findingMessage } from '../dist/reporters/sentences.js';
import { toJunit } from '../dist/reporters/junit.js';
import { renderTerminal } from '../dist/reporters/terminal/index.js';
import { tempAdapters } from './helpers/cli.mjs';
import { makeReport, tallies } from './helpers/report.mjs';

const TOOL = '/opt/ah/dist/';
const STACK = [
  'TypeError: bad input',
  '    at Engine.lane (file:///opt/ah/dist/pool/worker.js:187:32)',
  '    at parse (file:///work/app/src/parse.mjs:12:9)',
  '    at node:internal/process/task_queues:95:5',
  '    at Object.get (/work/app/node_modules/lib/index.js:3:1)',
  '    at Object.a (/work/app/adapter.mjs:4:7)',
].join('\n');

test('stackFrames: user frames first (in their order), then Node, libraries and the tool; file URLs become paths', () => {
  const frames = stackFrames(STACK, TOOL);
  assert.deepEqual(
    frames.map((f) => [f.text, f.file ?? null, f.line ?? null, f.user]),
    [
      ['parse (/work/app/src/parse.mjs:12:9)', '/work/app/src/parse.mjs', 12, true],
      ['Object.a (/work/app/adapter.mjs:4:7)', '/work/app/adapter.mjs', 4, true],
      ['Engine.lane (/opt/ah/dist/pool/worker.js:187:32)', '/opt/ah/dist/pool/worker.js', 187, false],
      ['node:internal/process/task_queues:95:5', 'node:internal/process/task_queues', 95, false],
      ['Object.get (/work/app/node_modules/lib/index.js:3:1)', '/work/app/node_modules/lib/index.js', 3, false],
    ],
  );
  assert.deepEqual(stackFrames(undefined, TOOL), []);
});

test('stackFrames: a TypeScript file compiled by tsx from a data: URL keeps its file, not a line that points nowhere', () => {
  const [f] = stackFrames('E\n    at check (data:text/javascript,__filename%3D%22%2Fw%2Fa.ts%22%3Bvar%20x:2:910)', TOOL);
  assert.deepEqual(f, { text: 'check (/w/a.ts, compiled: no line)', file: '/w/a.ts', user: true });
});

test('recordError groups by message and top user frame, bounded; mergeSamples adds the workers’ counts', () => {
  const samples = [];
  const err = (msg, at) => Object.assign(new TypeError(msg), { stack: `TypeError: ${msg}\n    at f (${at}:1:1)` });
  for (let i = 0; i < 3; i++) recordError(samples, 'a', err('x', '/w/one.mjs'), TOOL);
  recordError(samples, 'a', err('x', '/w/two.mjs'), TOOL);
  recordError(samples, 'a', err('y', '/w/one.mjs'), TOOL);
  for (let i = 0; i < 10; i++) recordError(samples, 'a', err(`other ${i}`, '/w/one.mjs'), TOOL);
  assert.deepEqual(
    samples.map((s) => [s.message, s.count, s.stack[0].file]),
    [
      ['TypeError: x', 3, '/w/one.mjs'],
      ['TypeError: x', 1, '/w/two.mjs'],
      ['TypeError: y', 1, '/w/one.mjs'],
      ['TypeError: other 0', 1, '/w/one.mjs'],
      ['TypeError: other 1', 1, '/w/one.mjs'],
    ],
  );
  const merged = [];
  mergeSamples(merged, samples.slice(0, 2));
  mergeSamples(merged, samples.slice(0, 1));
  assert.deepEqual(
    merged.map((s) => s.count),
    [6, 1],
  );
});

test('an error finding carries the distinct errors, most frequent first, and where the top one was thrown', () => {
  const frame = (file, line) => ({ text: `f (${file}:${line}:3)`, file, line, column: 3, user: true });
  const t = tallies({
    round: 0,
    ops: [{ name: 'a', started: 10, done: 6, errors: 4 }],
    errors: [
      { op: 'a', message: 'E: rare', count: 1, stack: [frame('/w/x.mjs', 9)] },
      { op: 'a', message: 'E: often', count: 3, stack: [frame('/w/x.mjs', 4)] },
    ],
  });
  const [f] = checkRound('hammer', { tallies: t, calls: { total: 6, a: 6 }, actual: null, expected: null, invariant: null, uniqueOps: [] }).findings;
  assert.equal(findingMessage(f), "operation 'a' threw 4 times of 10 calls; first: E: rare");
  assert.deepEqual(
    f.errors.map((e) => [e.message, e.count]),
    [
      ['E: often', 3],
      ['E: rare', 1],
    ],
  );
  assert.deepEqual(f.where, { file: '/w/x.mjs', line: 4, column: 3 });
  const hook = hookFinding('race', 2, { ok: false, hook: 'stats', message: 'E: h', stack: [frame('/w/h.mjs', 7)], hung: false, interrupted: false });
  assert.deepEqual(hook.where, { file: '/w/h.mjs', line: 7, column: 3 });
  assert.equal(whereOf([{ text: 'node:x', user: false }]), undefined);
});

test('reporters: the terminal lists the distinct errors; GitHub and JUnit point at the failing line in the checkout', () => {
  const r = makeReport({ statuses: { race: 'fail' } });
  const where = { file: path.join('/ws', 'src/parse.mjs'), line: 12, column: 9 };
  const stack = [{ text: 'parse (/ws/src/parse.mjs:12:9)', file: where.file, line: 12, column: 9, user: true }];
  r.findings = [
    { strategy: r.strategies[0].name, kind: 'error', op: 'a', count: 5, message: 'threw', errors: [{ message: 'TypeError: bad', count: 5, stack }], where },
  ];
  assert.match(renderTerminal(r, 0), /\n {6}5× TypeError: bad {2}at parse \(\/ws\/src\/parse\.mjs:12:9\)\n/);
  const inside = githubAnnotations(r, { GITHUB_WORKSPACE: '/ws' }, '/ws');
  assert.match(inside, /^::error file=src\/parse\.mjs,line=12,col=9,title=/m);
  const outside = githubAnnotations(r, { GITHUB_WORKSPACE: '/elsewhere' }, '/elsewhere');
  assert.doesNotMatch(outside, /line=/);
  assert.match(toJunit(r), /<testcase name="[a-z]+" classname="[^"]*" time="[\d.]+" file="\/ws\/src\/parse\.mjs" line="12">/);
});

const at = tempAdapters({
  'throws.mjs': `function parse(call) {
  if (call % 2 === 0) throw new TypeError('even ' + call);
}
export default { threadSafe: true, operations: { a({ call }) { parse(call); } } };
`,
  'throws.mts': `type N = number;
function check(n: N): void {
  if (n % 2 === 0) throw new RangeError('even');
}
export default { threadSafe: true, operations: { a({ call }: { call: number }) { check(call); } } };
`,
  'throws.ts': `type N = number;
function check(n: N): void {
  if (n % 2 === 0) throw new RangeError('even');
}
export default { threadSafe: true, operations: { a({ call }: { call: number }) { check(call); } } };
`,
});

test('through a real run: the stack names the adapter file and the line that threw, TypeScript (ESM and CommonJS) mapped to its source', async () => {
  for (const [file, line] of [
    ['throws.mjs', 2],
    ['throws.mts', 3],
    ['throws.ts', 3], // CommonJS here (no "type": "module"): loaded through tsx's require, still mapped
  ]) {
    const r = await hammer(at(file), { strategy: ['hammer'], workers: 1, concurrency: 1, requests: 10 });
    const f = r.findings.find((x) => x.kind === 'error');
    assert.ok(f, JSON.stringify(r.findings));
    assert.equal(f.where.file, at(file));
    assert.equal(f.where.line, line, JSON.stringify(f.errors[0].stack));
    assert.equal(
      f.errors.reduce((a, e) => a + e.count, 0),
      5,
    );
  }
});

test('a hang says where the worker was, from pausing it: a synchronous loop at its line, or idle awaiting', async () => {
  const { fixture } = await import('./helpers/cli.mjs');
  const loop = await hammer(fixture('infinite-loop-unsafe.mjs'), { strategy: ['hammer'], workers: 1, concurrency: 1, requests: 100 });
  const spin = loop.findings.find((f) => f.kind === 'hang');
  assert.ok(spin, JSON.stringify(loop.findings));
  assert.equal(spin.stack[0].file, fixture('infinite-loop-unsafe.mjs'));
  assert.equal(spin.stack[0].line, 24, 'the spinning while loop');
  assert.deepEqual(spin.where, { file: fixture('infinite-loop-unsafe.mjs'), line: 24, column: spin.stack[0].column });
  assert.match(spin.message, /Paused, worker 0 was running JavaScript at read \(.*infinite-loop-unsafe\.mjs:24:\d+\)/);
  const idle = await hammer(fixture('hung-promise-unsafe.mjs'), { strategy: ['hammer'], workers: 2, concurrency: 8, requests: 2000 });
  const waiting = idle.findings.find((f) => f.kind === 'hang');
  assert.ok(waiting, JSON.stringify(idle.findings));
  assert.equal(waiting.stack, undefined);
  assert.match(waiting.message, /Paused, worker \d was not running JavaScript: its pending calls await something that never settles/);
});

test('checkRound: the probe decides the hang sentence; without one, the possibilities are listed', () => {
  const frame = { text: 'spin (/w/a.mjs:3:5)', file: '/w/a.mjs', line: 3, column: 5, user: true };
  const hang = (probe) => ({ workerId: 1, where: 'calls', op: 'a', pending: { a: 1 }, afterMs: 300, ...(probe ? { probe } : {}) });
  const msg = (probe) =>
    checkRound('race', { tallies: tallies({ hangs: [hang(probe)] }), calls: { total: 0 }, actual: null, expected: null, invariant: null, uniqueOps: [] })
      .findings[0];
  const running = msg({ running: true, stack: [frame] });
  assert.equal(running.paused, 'running');
  assert.match(
    findingMessage(running),
    /Paused, worker 1 was running JavaScript at spin \(\/w\/a\.mjs:3:5\): a synchronous loop, or a thread blocked on a lock/,
  );
  assert.deepEqual(running.where, { file: '/w/a.mjs', line: 3, column: 5 });
  assert.match(findingMessage(msg({ running: false })), /Paused, worker 1 was not running JavaScript/);
  assert.match(findingMessage(msg(undefined)), /A deadlock \(e\.g\. a non-reentrant lock taken twice/);
});
