// runControlled: an adapter's lanes under the seeded scheduler, end to end, in ONE worker thread (no pool):
// the adapter (and the user's files next to it) load through the instrumenting loader in a fresh worker,
// rounds run there, and the result comes back by structured clone. An adapter object instead of a path
// runs in this thread, as loaded by the caller (instrumented only if it came through the loader).
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveAdapterPath } from '../adapter/load.js';
import type { Adapter } from '../adapter/types.js';
import { runRounds, type ControlledOptions, type ControlledResult } from './rounds.js';

export interface RunControlledOptions extends ControlledOptions {
  /** Globs of further files to instrument (node_modules included); default: only the user's own files. */
  include?: string[];
}

export async function runControlled(adapter: string | Adapter, opts: RunControlledOptions = {}): Promise<ControlledResult> {
  const { include = [], ...options } = opts;
  if (typeof adapter !== 'string') return runRounds(adapter, options);
  const file = resolveAdapterPath(adapter);
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { file, include, options }, stderr: false });
  try {
    const msg = await new Promise<{ result?: ControlledResult; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`controlled worker for ${path.basename(file)} exited with code ${code}`)));
    });
    if (msg.error !== undefined) throw new Error(msg.error);
    return msg.result!;
  } finally {
    await worker.terminate();
  }
}
