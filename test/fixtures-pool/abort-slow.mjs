// Pool fixture (test/pool.test.mjs): worker 0's calls never settle (a true hang); worker 1 is merely
// slow: busy calls of a few ms each, then a workerStats that takes SLOW_STATS_MS (under the timeout).
const SLOW_STATS_MS = 1300;
let me = -1;
const busy = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

export default {
  threadSafe: true,
  init(_shared, ctx) {
    me = ctx.workerId;
  },
  operations: {
    // Never called (weight 0): a hang must name the operation its lane is in, not operation 0.
    quick() {},
    stall() {
      if (me === 0) return new Promise(() => {});
      busy(3);
    },
  },
  async workerStats() {
    if (me === 1) await new Promise((r) => setTimeout(r, SLOW_STATS_MS));
    return null;
  },
};
