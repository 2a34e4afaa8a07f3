// A counter whose "lost updates" are decided by the seeded PRNG alone, never by timing: worker 0's
// first call of a round draws the round's fate from ctx.random (seeded by --seed, the round's index and
// the worker), and skips 0, 1 or 2 of its increments. So every round's outcome depends only on the seed
// and the round: a sharded run and an unsharded one of the same seed must add up to the same outcomes.
// With `-- --log <file>`, each worker's init appends "<round> <threadId>" to it (which session played which round).
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

let counter;
let skip = 0;

export default {
  threadSafe: true,
  setup: () => ({ buffer: new SharedArrayBuffer(4) }),
  init(shared, { round, args }) {
    counter = new Int32Array(shared.buffer);
    if (args.log) appendFileSync(args.log, `${round} ${threadId}\n`);
  },
  operations: {
    increment({ workerId, call, random }) {
      if (workerId === 0 && call === 0) {
        const x = random();
        skip = x < 0.02 ? 2 : x < 0.05 ? 1 : 0;
      }
      if (workerId === 0 && call < skip) return; // the "lost" update
      Atomics.add(counter, 0, 1);
    },
  },
  stats: (shared) => ({ increment: Atomics.load(new Int32Array(shared.buffer), 0) }),
};
