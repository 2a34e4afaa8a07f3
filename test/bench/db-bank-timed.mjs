// fixtures/db/pg-bank-safe.mjs as db.bench.mjs runs it: the same adapter, plus the time from the first
// round's setup to the last round's teardown (main thread), written to $BENCH_OUT at globalTeardown, so
// that rounds/s counts the rounds' own time, as the hand-written loop's does (not the session's start).
import { writeFileSync } from 'node:fs';
import bank from '../../fixtures/db/pg-bank-safe.mjs';

const t = { first: 0, last: 0, rounds: 0 };
export default {
  ...bank,
  setup: (o) => {
    t.first ||= performance.now();
    return bank.setup(o);
  },
  teardown: async (shared) => {
    await bank.teardown(shared);
    t.last = performance.now();
    t.rounds++;
  },
  globalTeardown: async () => {
    writeFileSync(process.env.BENCH_OUT, JSON.stringify({ rounds: t.rounds, ms: t.last - t.first }));
    await bank.globalTeardown();
  },
};
