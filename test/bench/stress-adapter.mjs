// The stress bench's adapter: thread-safe by construction (Atomics on shared memory, plain counters in
// per-worker state), one sync and one async operation, so every count must come out exact.
let cells;
let mine = 0;

export default {
  threadSafe: true,
  setup() {
    return { buffer: new SharedArrayBuffer(8) };
  },
  init(shared) {
    cells = new Int32Array(shared.buffer);
    mine = 0;
  },
  operations: {
    inc() {
      Atomics.add(cells, 0, 1);
      mine++;
    },
    async incAsync() {
      await null;
      Atomics.add(cells, 1, 1);
      mine++;
    },
  },
  stats(shared) {
    const c = new Int32Array(shared.buffer);
    return { inc: c[0], incAsync: c[1] };
  },
  workerStats() {
    return { total_requests: mine };
  },
};
