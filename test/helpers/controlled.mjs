// Controlled rounds on the path users run, without the CLI: a WorkerSession (real worker threads, the
// adapter loaded through the instrumenting loader) playing rounds whose lanes run under each worker's
// scheduler, as the race strategy plays them. For tests that look at one round's tallies, steps and calls.
import path from 'node:path';
import { WorkerSession } from '../../dist/pool/session.js';
import { loadAdapter } from '../../dist/adapter/load.js';

/** Open a session of `workers` x `lanes` on `file`, instrumented (with `include` globs, as --instrument). */
export async function controlledSession(file, { workers = 1, lanes = 2, include = [], timeoutMs = 5000 } = {}) {
  const { opNames } = await loadAdapter(file, process.cwd());
  const session = await WorkerSession.open({
    adapterPath: file,
    opNames,
    workers,
    lanes,
    args: { _: [] },
    weights: opNames.map(() => 1),
    uniqueOps: opNames.map(() => false),
    timeoutMs,
    quietStdout: false,
    pinCpus: false,
    history: true,
    instrument: { roots: [path.dirname(file), process.cwd()], include, typescript: /\.[mc]?ts$/.test(file) },
  });
  let next = 0;
  return {
    session,
    opNames,
    /** One round of `calls` per worker; `controlled`: the scheduler's spec (null: Node's own order). */
    async round({ calls = 2 * lanes, seed = 1, strategy = 'random', depth = 0, replay = null, lenient = false, trace = true, as, natural = false } = {}) {
      const controlled = natural ? null : { strategy, depth, estimatedSteps: calls * 4, replay, lenient, trace, stallMs: timeoutMs };
      return session.runRound({
        round: next++,
        seed,
        shared: null,
        calls: Array.from({ length: workers }, () => calls),
        overlap: false,
        sampleEvery: 0,
        history: true,
        controlled,
        as,
      });
    },
    close: () => session.close(),
  };
}
