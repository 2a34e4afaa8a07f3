// Rounds run ahead of each other (batches, pipelining, sessions side by side) only when each round's
// state is its own: declared by the adapter (`batch`), or proven from the source of its main-thread
// hooks (src/adapter/independence.ts). First the proof on hand-written adapters, then the two ways a
// guess goes wrong, end to end: a correct adapter that running ahead would fail, and an unsafe one it
// would mask. No wall-clock bounds are asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hammer } from '../dist/index.js';
import { loadAdapter } from '../dist/adapter/load.js';
import { roundIndependence } from '../dist/adapter/independence.js';
import { fixture, runCli, tempAdapters } from './helpers/cli.mjs';

const SAB_STATS = `stats: (shared) => ({ inc: Atomics.load(new Int32Array(shared.buffer), 0) }),`;
const at = tempAdapters({
  'fresh.mjs': `
    const SLOTS = 2;
    const WIDTH = SLOTS * 4;
    const NAMES = ['inc', 'dec'];
    function view(shared) { return new Int32Array(shared.buffer); }
    export default {
      operations: { inc() {} },
      setup() { const buffer = new SharedArrayBuffer(WIDTH); new Int32Array(buffer).fill(0); return { buffer }; },
      stats(shared) { const v = view(shared); const out = {}; for (const n of NAMES) out[n] = v[NAMES.indexOf(n)]; return out; },
      expected: (calls) => ({ inc: calls.inc ?? 0, dec: 0 }),
      invariant: (stats) => stats.inc >= 0 || 'negative',
    };`,
  'module-let.mjs': `
    let current;
    export default {
      operations: { inc() {} },
      setup() { current = new SharedArrayBuffer(4); return { buffer: current }; },
      stats: () => ({ inc: new Int32Array(current)[0] }),
    };`,
  'fixed-buffer.mjs': `
    const BUF = new SharedArrayBuffer(4);
    export default {
      operations: { inc() {} },
      setup() { new Int32Array(BUF).fill(0); return { buffer: BUF }; },
      ${SAB_STATS}
    };`,
  'file.mjs': `
    import { writeFileSync } from 'node:fs';
    export default {
      operations: { inc() {} },
      setup() {
        writeFileSync('/nonexistent-dir/never-called', '');
        return {};
      },
    };`,
  'const-changed.mjs': `
    const LIMITS = { max: 3 };
    export default {
      operations: { inc() {} },
      setup() { LIMITS.max++; return { buffer: new SharedArrayBuffer(4) }; },
      stats: () => ({ max: LIMITS.max }),
    };`,
  'const-read.mjs': `
    const LIMITS = { max: 3 };
    const KEYS = ['a', 'b'];
    export default {
      operations: { inc() {} },
      setup() { return { buffer: new SharedArrayBuffer(4 * LIMITS.max) }; },
      stats: (shared) => Object.fromEntries(KEYS.map((k, i) => [k, new Int32Array(shared.buffer)[i]])),
    };`,
  'helper-impure.mjs': `
    import { readFileSync } from 'node:fs';
    const fromDisk = () => readFileSync('/nonexistent', 'utf8');
    export default {
      operations: { inc() {} },
      setup: () => ({ buffer: new SharedArrayBuffer(4) }),
      stats(shared) { return { inc: fromDisk().length }; },
    };`,
  'lib.mjs': `
    export const WIDTH = 8;
    export function fresh() { return { buffer: new SharedArrayBuffer(WIDTH) }; }
    let calls = 0;
    export function counted() { calls++; return { buffer: new SharedArrayBuffer(WIDTH) }; }`,
  'imports-pure.mjs': `
    import { fresh } from './lib.mjs';
    export default { operations: { inc() {} }, setup: () => fresh(), ${SAB_STATS} };`,
  'imports-impure.mjs': `
    import { counted } from './lib.mjs';
    export default { operations: { inc() {} }, setup: () => counted(), ${SAB_STATS} };`,
  'this.mjs': `
    export default {
      buffer: null,
      operations: { inc() {} },
      setup() { this.buffer = new SharedArrayBuffer(4); return { buffer: this.buffer }; },
    };`,
  'global.mjs': `
    export default {
      operations: { inc() {} },
      async setup() { await fetch('http://127.0.0.1:9/reset'); return {}; },
    };`,
  'commonjs.cjs': `
    const fs = require('node:fs');
    module.exports = { operations: { inc() {} }, setup() { fs.rmSync('/nonexistent', { force: true }); return {}; } };`,
  'declared.mjs': `
    import { writeFileSync } from 'node:fs';
    export default { batch: true, operations: { inc() {} }, setup() { writeFileSync('/nonexistent-dir/x', ''); return {}; } };`,
  'declared-off.mjs': `
    export default { batch: false, operations: { inc() {} }, setup: () => ({ buffer: new SharedArrayBuffer(4) }) };`,
  'impure.ts': `
    import { appendFileSync } from 'node:fs';
    interface Shared { buffer: SharedArrayBuffer }
    export default {
      operations: { inc(): void {} },
      setup(): Shared {
        appendFileSync('/nonexistent-dir/x', '');
        return { buffer: new SharedArrayBuffer(4) };
      },
    };`,
  'pure.ts': `
    interface Shared { buffer: SharedArrayBuffer }
    const WIDTH: number = 4;
    export default {
      operations: { inc(): void {} },
      setup: (): Shared => ({ buffer: new SharedArrayBuffer(WIDTH) }),
      stats: (shared: Shared) => ({ inc: [1, 2].map((x) => x * new Int32Array(shared.buffer)[0]!)[0]! }),
    };`,
});

const judge = async (name) => roundIndependence((await loadAdapter(at(name))).adapter);

test('proven: hooks that touch only their arguments, constants, pure helpers and the toolkit’s shared memory', async () => {
  for (const name of ['fresh.mjs', 'const-read.mjs', 'imports-pure.mjs', 'pure.ts']) {
    assert.deepEqual(await judge(name), { independent: true, basis: 'proven' }, name);
  }
  // The toolkit's Mutex (imported from 'adapter-hammer') allocates shared memory of its own.
  assert.deepEqual(await roundIndependence((await loadAdapter(fixture('bank-safe.mjs'))).adapter), { independent: true, basis: 'proven' });
});

test('unproven: each way a hook can reach state other rounds share is named, with its line', async () => {
  const cases = {
    'module-let.mjs': [/assigns `current`, declared outside the hook/, ':5'],
    'fixed-buffer.mjs': [/`BUF`, a value every round shares/, ':5'],
    'file.mjs': [/`writeFileSync`, imported from 'node:fs'/, ':6'],
    'const-changed.mjs': [/may change `LIMITS`/, ':5'],
    'helper-impure.mjs': [/calls `fromDisk`, which uses `readFileSync`/, ':3'],
    'imports-impure.mjs': [/calls `counted`, which assigns `calls`/, 'lib.mjs:5'],
    'this.mjs': [/uses `this`/, ':5'],
    'global.mjs': [/`fetch`, a global/, ':4'],
    'commonjs.cjs': [/`fs`, required from 'node:fs'/, ':3'],
    // Outside a "type": "module" package, TypeScript is CommonJS: tsx compiles the import to a require.
    'impure.ts': [/uses what it imports from 'node:fs'/, 'impure.ts:7'],
  };
  for (const [name, [reason, line]] of Object.entries(cases)) {
    const r = await judge(name);
    assert.equal(r.independent, false, name);
    assert.equal(r.basis, 'unproven', name);
    assert.match(r.reason, reason, name);
    assert.ok(r.at?.endsWith(line), `${name}: ${r.at} should end with ${line}`);
  }
});

test("the adapter's own word wins: batch true or false", async () => {
  assert.deepEqual(await judge('declared.mjs'), { independent: true, basis: 'declared' });
  assert.deepEqual(await judge('declared-off.mjs'), { independent: false, basis: 'declared' });
});

// The two held-out kinds of issue 26, end to end.
const e2e = tempAdapters({
  // Correct: every call appends one line to a file every round shares, setup empties it, stats counts the
  // lines. Set up ahead, a round's stats would count another round's lines (or none): a false failure.
  'append.mjs': `
    import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import path from 'node:path';
    let file; // the main thread's: made once, emptied by every setup; a worker's: the one init hands it
    export default {
      threadSafe: true,
      setup() {
        if (!file) {
          const dir = mkdtempSync(path.join(tmpdir(), 'ah-append-'));
          process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
          file = path.join(dir, 'log');
        }
        writeFileSync(file, '');
        return { file };
      },
      init(shared) { file = shared.file; },
      operations: { append: () => appendFileSync(file, 'x\\n') },
      stats: () => ({ append: readFileSync(file, 'utf8').split('\\n').length - 1 }),
    };`,
  // Unsafe: check-then-act on one buffer every round shares, which setup resets. Set up ahead, every setup
  // of a batch resets it before the first round runs, so only that round starts fresh: the race hides.
  'lazy-fixed.mjs': `
    const BUF = new SharedArrayBuffer(8);
    let state;
    export default {
      threadSafe: true,
      setup() { new Int32Array(BUF).fill(0); return { buffer: BUF }; },
      init(shared) { state = new Int32Array(shared.buffer); },
      operations: {
        get() {
          if (!state[0]) { Atomics.add(state, 1, 1); state[0] = 1; }
          return state[0];
        },
      },
      stats: (shared) => ({ inits: Atomics.load(new Int32Array(shared.buffer), 1) }),
      expected: (calls) => ({ inits: calls.get > 0 ? 1 : 0 }),
    };`,
});

test('a correct adapter over a file its setup resets passes: its rounds are played one at a time, and the report says why', async () => {
  const r = await hammer(e2e('append.mjs'), { strategy: ['race'], rounds: 200, workers: 2, concurrency: 2, iterations: 10, seed: 5 });
  const race = r.strategies[0];
  assert.equal(r.verdict, 'pass', JSON.stringify(r.findings));
  assert.equal(race.rounds, 200);
  assert.equal(race.independence.independent, false);
  assert.equal(race.independence.hook, 'setup');
  assert.match(race.independence.at, /append\.mjs:9$/);
  const note = r.info.find((i) => i.code === 'rounds-one-at-a-time');
  assert.ok(note, JSON.stringify(r.info));
  assert.match(note.message, /setup \(.*append\.mjs:9\) reads `file`, a module-level variable/);
  assert.match(note.message, /batch: true/);
});

test('an unsafe adapter whose setup resets a buffer every round shares is caught, not masked by rounds set up ahead', async () => {
  const r = await hammer(e2e('lazy-fixed.mjs'), { strategy: ['race'], rounds: 600, workers: 2, concurrency: 1, iterations: 10, seed: 8 });
  assert.equal(r.verdict, 'fail', 'the check-then-act race must be found');
  assert.equal(r.strategies[0].independence.independent, false);
  assert.ok(
    r.findings.some((f) => /inits/.test(f.message)),
    JSON.stringify(r.findings),
  );
});

test('on a machine with many cores, rounds that share state are not played by sessions side by side either', async () => {
  // ADAPTER_HAMMER_CORES=16 with 2 workers would play 8 sessions at once: each session's setup would reset
  // the file another session's round is appending to.
  const r = await runCli([e2e('append.mjs'), '-s', 'race', '-w', '2', '-c', '1', '-i', '5', '-r', '120', '--seed', '2', '--json', '-'], {
    env: { ADAPTER_HAMMER_CORES: '16', ADAPTER_HAMMER_AFFINITY: '0' },
  });
  assert.equal(r.code, 0, r.stderr);
  const race = JSON.parse(r.stdout).strategies[0];
  assert.equal(race.sessions, undefined, 'one session');
  assert.equal(race.rounds, 120);
});
