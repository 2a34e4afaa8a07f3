// Pool fixture (test/pool.test.mjs): every worker's calls of `stall` never settle.
export default {
  threadSafe: true,
  operations: {
    quick() {},
    stall() {
      return new Promise(() => {});
    },
  },
};
