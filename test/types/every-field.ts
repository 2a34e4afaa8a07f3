// Compiled by test/types.test.mjs: an adapter that uses every documented field and hook must type-check.
import { defineAdapter } from 'adapter-hammer';

let view: Int32Array | undefined;

export default defineAdapter({
  threadSafe: true,
  timeout: 1000,
  resourceLimits: { maxOldGenerationSizeMb: 64, stackSizeMb: 4 },
  setup: ({ workers, round, args }) => ({ buffer: new SharedArrayBuffer(4), workers, round, port: Number(args.port ?? 0) }),
  init(shared, { workerId, workers, round, args }) {
    view = new Int32Array(shared.buffer);
    void [workerId, workers, round, args._];
  },
  operations: {
    increment: ({ workerId, call, random }) => Atomics.add(view!, 0, workerId + call + Math.floor(random())),
    async read() {
      return Atomics.load(view!, 0);
    },
    add: { input: ({ random }) => ({ by: 1 + Math.floor(random() * 3) }), run: ({ by }: { by: number }) => Atomics.add(view!, 0, by) + by },
  },
  model: {
    init: () => ({ count: 0 }),
    step: (state, op, input: { by: number } | undefined, output) =>
      op === 'add' ? { ok: output === state.count + input!.by, state: { count: state.count + input!.by } } : { ok: true, state },
    partition: (op) => (op === 'read' ? undefined : 'count'),
  },
  weights: { increment: 3, read: 1, add: 1 },
  unique: ['increment'],
  workerStats: () => ({ local: 0 }),
  stats: (shared) => ({ increment: new Int32Array(shared.buffer)[0] ?? 0 }),
  expected: (calls) => ({ increment: calls.increment, total_requests: calls.total }),
  invariant: (stats, calls) => (stats.increment === calls.increment ? true : `lost ${calls.increment - (stats.increment ?? 0)}`),
  teardown: async (shared) => {
    void shared.workers;
  },
});
