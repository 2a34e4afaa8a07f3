// The worker thread of runControlled: instrumentation is registered here, before the adapter loads
// (Node 20 gives each worker its own module system and does not inherit the main thread's hooks).
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { pickAdapter, validateAdapter } from '../adapter/load.js';
import type { Adapter } from '../adapter/types.js';
import { registerInstrumentation } from '../instrument/register.js';
import { runRounds, type ControlledOptions } from './rounds.js';

interface Job {
  file: string;
  include: string[];
  options: ControlledOptions;
}

async function main(job: Job): Promise<unknown> {
  await registerInstrumentation({ roots: [path.dirname(job.file), process.cwd()], include: job.include });
  const { importInstrumented } = await import('../instrument/register.js');
  const picked = pickAdapter(await importInstrumented(job.file));
  const problems = validateAdapter(picked, job.file);
  if (problems.length) return { error: problems.join('\n') };
  return { result: await runRounds(picked as unknown as Adapter, job.options) };
}

main(workerData as Job).then(
  (msg) => parentPort!.postMessage(msg),
  (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
