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
