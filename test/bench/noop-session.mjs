// The benches' no-op session: 2 workers x 1 lane calling one operation `noop`, pinned (what the pool's
// hot path costs with nothing else in it). `extra` adds or overrides session options.
export const openNoopSession = (WorkerSession, adapterPath, extra = {}) =>
  WorkerSession.open({
    adapterPath,
    opNames: ['noop'],
    workers: 2,
    lanes: 1,
    args: {},
    weights: [1],
    uniqueOps: [false],
    timeoutMs: 30_000,
    quietStdout: false,
    pinCpus: true,
    ...extra,
  });
