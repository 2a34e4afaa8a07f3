// The keeper: a small Node process between adapter-hammer and the user's server (started by
// startServer, src/toolkit/server.ts). It starts the server in a process group of its own and kills that
// whole group (the server and anything it spawned: `npm start` -> sh -> node) as soon as its lifeline,
// its stdin pipe from adapter-hammer, closes. That pipe closes however adapter-hammer ends: a normal
// exit, Ctrl-C, a crash, even SIGKILL, which no handler inside adapter-hammer could answer. The keeper's
// exit code is the server's (128 + n when a signal n ended it; 127 when it could not be started).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

interface KeeperSpec {
  command: string[];
  shell: boolean;
  cwd: string;
  graceMs: number;
}

// The spec comes in the environment (not argv: `ps` shows argv to everyone); the server gets the rest of it.
const { ADAPTER_HAMMER_KEEPER: specText, ...env } = process.env;
const spec = JSON.parse(specText ?? '{}') as KeeperSpec;
const [file, ...argv] = spec.command;
const child = spawn(file ?? '', argv, { cwd: spec.cwd, env, shell: spec.shell, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const state = { stopping: false };

const killGroup = (signal: NodeJS.Signals): void => {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    /* the group is gone already */
  }
};

function stop(): void {
  if (state.stopping) return;
  state.stopping = true;
  killGroup('SIGTERM');
  // A server that ignores SIGTERM gets SIGKILL after the grace period; so does anything it left behind.
  setTimeout(() => {
    killGroup('SIGKILL');
    process.exit(0);
  }, spec.graceMs).unref();
}

child.once('error', (e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => {
  // Whatever the server spawned dies with it, whether it was stopped or ended by itself.
  killGroup('SIGKILL');
  process.exit(state.stopping ? 0 : (code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
});
process.stdin.once('end', stop).once('close', stop).once('error', stop).resume();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, stop);
