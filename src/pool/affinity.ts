// Pin each worker thread to its own CPU, like jcstress's affinity mode. Without it, Linux's
// wake-affine placement tends to put every thread woken by the main thread on the main thread's CPU
// whenever the other CPUs are busy (another process compiling, testing, ...): measured on a 2-core
// machine with one busy process, the main thread and both workers then all sat on CPU 0, the workers
// never ran at the same instant, and a plain `v[0] = v[0] + 1` lost no update in 2,000 rounds.
// Pinned, the two workers run truly in parallel (docs/explanation/why-the-defaults.md, "Pinned workers").
// Best effort: Linux only, needs `taskset` (util-linux). Whether to pin at all is the session's option
// (SessionOptions.pinCpus): the pool reads no environment variables.
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

/** CPUs this process may run on, from /proc/self/status (e.g. "0-3,6"). */
export function allowedCpus(): number[] {
  try {
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
    const cpus: number[] = [];
    for (const part of line.trim().split(',')) {
      const [a, b] = part.split('-').map(Number);
      if (a === undefined || !Number.isInteger(a)) continue;
      for (let c = a; c <= (Number.isInteger(b) ? b! : a); c++) cpus.push(c);
    }
    return cpus;
  } catch {
    return [];
  }
}

/** Pin the calling thread to one CPU chosen by its worker index; returns the CPU, or null if not pinned. */
export function pinThread(index: number): number | null {
  if (process.platform !== 'linux') return null;
  const cpus = allowedCpus();
  if (cpus.length < 2) return null;
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    const cpu = cpus[index % cpus.length]!;
    const r = spawnSync('taskset', ['-p', '-c', String(cpu), tid], { stdio: 'ignore', timeout: 2000 });
    return r.status === 0 ? cpu : null;
  } catch {
    return null;
  }
}
