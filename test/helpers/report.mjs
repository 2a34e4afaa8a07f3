// Hand-built report objects for the reporter tests: complete and type-correct (src/report/types.ts).

export const TOOL = { name: 'adapter-hammer', version: '0.1.0' };

export const raceStrategy = (over = {}) => ({
  name: 'race',
  verdict: 'pass',
  status: 'pass',
  durationMs: 1500,
  rounds: 200,
  failedRounds: 0,
  lostUpdates: 0,
  counters: [{ name: 'count', expected: 200, actual: 200 }],
  iterations: 100,
  workers: 2,
  concurrency: 8,
  lostPerFailedRound: null,
  firstFailedRound: null,
  firstFailedMs: null,
  outcomes: [{ outcome: 'count=200', rounds: 200, failed: false }],
  contention: [{ op: 'inc', maxInFlight: 9, maxWorkers: 2, overlapped: true }],
  contentionRounds: 25,
  ...over,
});

export const hammerStrategy = (over = {}) => ({
  name: 'hammer',
  verdict: 'pass',
  status: 'pass',
  durationMs: 800,
  requests: 2000,
  completed: 2000,
  errors: 0,
  counters: [{ name: 'count', expected: 2000, actual: 2000 }],
  workers: 2,
  concurrency: 8,
  opsPerSec: 2500,
  perOperation: [{ name: 'inc', calls: 2000, errors: 0 }],
  contention: [{ op: 'inc', maxInFlight: 9, maxWorkers: 2, overlapped: true }],
  ...over,
});

export const tpPoint = (workers, opsPerSec, speedup, efficiency, over = {}) => ({
  workers,
  opsPerSec,
  speedup,
  efficiency,
  calls: opsPerSec,
  errors: 0,
  latencyMs: { p50: 0.5, p90: 1, p99: 2, max: 5 },
  latencySamples: 100,
  sampleEvery: 1,
  errorRate: 0,
  ...over,
});

export const throughputStrategy = (over = {}) => ({
  name: 'throughput',
  verdict: 'pass',
  status: 'pass',
  durationMs: 2000,
  concurrency: 8,
  duration: 1,
  points: [tpPoint(1, 1000, 1, 1), tpPoint(2, 1900, 1.9, 0.95)],
  scaling: {
    kind: 'scales',
    speedup: 1.9,
    efficiency: 0.95,
    workers: 2,
    cores: 2,
    oversubscribed: false,
    subLinearBelow: 0.6,
    flatBelow: 1.2,
    message: '2 workers make 1.90x the successful calls of 1 (95% efficiency)',
  },
  ...over,
});

const STRATEGY = { race: raceStrategy, hammer: hammerStrategy, throughput: throughputStrategy };

/**
 * A complete Report. `strategies` may be a list of names with a status each, e.g. { race: 'partial' }, or
 * full strategy objects. Everything else overrides the report's fields.
 */
export function makeReport({ statuses = { race: 'pass' }, strategies, ...over } = {}) {
  const list =
    strategies ??
    Object.entries(statuses).map(([name, status]) =>
      STRATEGY[name]({ status, verdict: status === 'pass' ? 'pass' : 'fail', ...(status === 'partial' ? { interrupted: true } : {}) }),
    );
  const names = list.map((s) => s.name);
  const status = list.some((s) => s.status === 'fail') ? 'fail' : list.some((s) => s.status === 'partial') ? 'partial' : 'pass';
  return {
    tool: TOOL,
    adapter: 'fixtures/counter.mjs',
    seed: 42,
    verdict: status === 'pass' ? 'pass' : 'fail',
    status,
    headline:
      status === 'pass' ? `${names.join(', ')} passed` : status === 'partial' ? 'interrupted: partial report of what finished' : `${names.join(', ')} failed`,
    strictFailure: false,
    exitCode: status === 'pass' ? 0 : status === 'partial' ? 130 : 1,
    startedAt: '2024-05-01T10:00:00.123Z',
    durationMs: 3456,
    threadSafe: true,
    config: {
      strategies: names,
      workers: 2,
      concurrency: 8,
      requests: 2000,
      iterations: 100,
      rounds: 200,
      duration: 1,
      timeoutMs: 5000,
      strict: false,
      args: { _: [] },
      env: { cores: 2, pinCpus: true, shrinkMs: 0, batch: 32 },
    },
    strategies: list,
    findings: [],
    warnings: [],
    info: [],
    replay: `npx adapter-hammer fixtures/counter.mjs -s ${names.join(',')} -w 2 -c 8 --seed 42 --timeout 5000`,
    interrupted: status === 'partial',
    ...over,
  };
}

export function makeStartFailure(adapter, problems = ['cannot find the adapter file']) {
  return { adapter, verdict: 'fail', exitCode: 2, notStarted: true, problems, strategies: [], findings: [], warnings: [] };
}

export function makeMulti(adapters, over = {}) {
  const reports = adapters.filter((r) => !r.notStarted);
  const failed = adapters.some((r) => r.notStarted || r.status === 'fail');
  const interrupted = reports.some((r) => r.interrupted);
  const status = failed || adapters.length === 0 ? 'fail' : interrupted ? 'partial' : 'pass';
  return {
    tool: TOOL,
    verdict: status === 'pass' ? 'pass' : 'fail',
    status,
    exitCode: interrupted ? 130 : reports.length === 0 ? 2 : failed ? 1 : 0,
    durationMs: 5000,
    interrupted,
    adapters,
    ...over,
  };
}

/** Round tallies as the pool hands them over: every field of RoundTallies, overridable. */
export function tallies(over = {}) {
  return {
    round: 3,
    ops: [{ name: 'x', started: 10, done: 10, errors: 0 }],
    errors: [],
    values: {},
    workerStats: [null, null],
    maxCalls: [2],
    overlapped: [true],
    maxWorkers: [2],
    startedAt: 1000,
    endedAt: 1010,
    samples: [],
    hangs: [],
    crashes: [],
    hookErrors: [],
    internalErrors: [],
    stopped: [],
    interrupted: false,
    ...over,
  };
}

/** A recorded call of a round's history (HistoryCall). */
export const call = (worker, lane, call, op, start, end, over = {}) => ({ worker, lane, call, op, start, end, ...over });

/**
 * A failing race (and hammer) report with everything the HTML page draws: a model's culprit, a call that
 * threw, a call that never returned, the smallest failing setup's history, a controlled round's schedule
 * with a preemption, outcomes, contention. `text` goes wherever an adapter's text can go.
 */
export function failingReport(text = 'k') {
  const history = {
    round: 3,
    calls: [
      call(0, 0, 0, 'add', 0, 0.004, { input: { key: text, by: 1 }, output: 1 }),
      call(1, 0, 0, 'add', 0.001, 0.005, { input: { key: text, by: 2 }, output: 2 }),
      call(0, 0, 1, 'get', 0.006, 0.007, { input: text, output: text }),
      call(1, 1, 1, 'get', 0.0065, 0.009, { input: text, error: `TypeError: ${text}` }),
      call(0, 1, 2, 'add', 0.008, null, { input: { key: text, by: 3 } }),
    ],
    omitted: 95,
    culprit: 1,
  };
  const minimal = {
    round: 41,
    calls: [
      call(0, 0, 0, 'add', 0, 0.002, { input: { key: text, by: 1 }, output: 1 }),
      call(1, 0, 0, 'add', 0.0005, 0.003, { input: { key: text, by: 1 }, output: 1 }),
    ],
    omitted: 0,
    culprit: 1,
  };
  const step = (worker, s, lane, c, from, to, preempted = null) => ({ worker, step: s, lane, op: 'add', call: c, from, to, preempted });
  const schedule = {
    round: 3,
    value: '3:rw-2-01-xy',
    preemptions: 1,
    preemptionsBefore: 4,
    tries: 12,
    replays: 3,
    replaysFailed: 3,
    uncontrolled: 0,
    uncontrolledAt: [],
    diverged: null,
    steps: [
      step(0, 1, 0, 0, 'start', '/src/store.mjs:10:5'),
      step(0, 2, 1, 2, 'start', '/src/store.mjs:10:5', 0),
      step(0, 3, 0, 0, '/src/store.mjs:10:5', 'end'),
    ],
    omittedSteps: 0,
    sources: { '/src/store.mjs:10:5': `await save(${text});` },
    history: {
      round: 3,
      calls: [
        call(0, 0, 0, 'add', 0, 0.01, { input: { key: text, by: 1 }, output: 1 }),
        call(0, 1, 2, 'add', 0.002, 0.008, { input: { key: text, by: 3 }, output: 3 }),
      ],
      omitted: 0,
    },
    command: `npx adapter-hammer store.mjs -s race --seed 42 --schedule 3:rw-2-01-xy`,
  };
  const race = raceStrategy({
    verdict: 'fail',
    status: 'fail',
    failedRounds: 20,
    firstFailedRound: 3,
    firstFailedMs: 12,
    counters: [{ name: `count ${text}`, expected: 200, actual: 199 }],
    lostUpdates: 20,
    lostPerFailedRound: { min: 1, median: 1, max: 1 },
    outcomes: [
      { outcome: `count=200`, rounds: 180, failed: false },
      { outcome: `count=199 ${text}`, rounds: 20, failed: true },
    ],
    contention: [{ op: `add`, maxInFlight: 4, maxWorkers: 2, overlapped: true }],
    minimal: {
      workers: 2,
      iterations: 1,
      concurrency: 1,
      failedRounds: 21,
      rounds: 53,
      command: 'npx adapter-hammer store.mjs -s race -w 2 -c 1 -i 1',
      smaller: true,
      classification: 'threads',
      meaning: 'needs 2 workers',
      history: minimal,
    },
    scheduler: {
      mode: 'mixed',
      controlledRounds: 100,
      failedControlledRounds: 10,
      naturalRounds: 100,
      failedNaturalRounds: 10,
      calls: 16,
      uncontrolledResumptions: 0,
      partlyControlledRounds: 0,
    },
    schedule,
  });
  // Findings and warnings as data (the reporters write their sentences): the adapter's text in every field that carries it.
  const findings = [
    { strategy: 'race', kind: 'linearizability', round: 3, op: 'add', calls: 4, partition: text, history },
    {
      strategy: 'race',
      kind: 'error',
      op: 'get',
      error: `TypeError: ${text}`,
      calls: 10,
      threw: 3,
      errors: [{ message: `TypeError: ${text}`, count: 3, stack: [{ text: `get (/src/${text}.mjs:3:9)`, user: true }] }],
    },
    {
      strategy: 'hammer',
      kind: 'hang',
      op: 'add',
      workerId: 0,
      stuckIn: 'calls',
      afterMs: 5000,
      pending: { add: 1 },
      stack: [{ text: `wait (/src/${text}.mjs:7:1)`, user: true }],
    },
  ];
  return makeReport({
    strategies: [hammerStrategy({ verdict: 'fail', status: 'fail' }), race, throughputStrategy()],
    findings,
    warnings: [{ code: 'declared-safe-but-raced', strategies: ['race'] }],
    info: [{ code: 'concurrent-access', strategy: 'race', op: text, maxWorkers: 2, maxInFlight: 3 }],
    adapter: 'fixtures/store.mjs',
  });
}
