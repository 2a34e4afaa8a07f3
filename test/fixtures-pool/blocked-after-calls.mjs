// Pool fixture (test/pool.test.mjs): worker 0's first call leaves an endless setImmediate behind. Its
// calls all end, then its event loop never comes back, before the worker can answer the round.
let armed = false;
let me = -1;
export default {
  threadSafe: true,
  init(_shared, ctx) {
    me = ctx.workerId;
  },
  operations: {
    quick() {
      if (me === 0 && !armed) {
        armed = true;
        setImmediate(() => {
          for (;;);
        });
      }
    },
    stall() {},
  },
};
