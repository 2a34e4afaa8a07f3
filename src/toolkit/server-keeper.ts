// The keeper: a small Node process between adapter-hammer and the user's server (started by
// startServer, src/toolkit/server.ts). It starts the server in a process group of its own and kills that
// whole group (the server and anything it spawned: `npm start` -> sh -> node) as soon as its lifeline,
// its stdin pipe from adapter-hammer, closes. That pipe closes however adapter-hammer ends: a normal
// exit, Ctrl-C, a crash, even SIGKILL, which no handler inside adapter-hammer could answer. The keeper's
// exit code is the server's (128 + n when a signal n ended it; 127 when it could not be started).
// A database server started by the toolkit (postgres(), redis()) also runs as an unprivileged user when
// adapter-hammer runs as root (`uid`/`gid`), and leaves a temp data directory that the keeper removes
// once the server's group is gone (`cleanup`), so not even a SIGKILLed run leaves one behind.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';

interface KeeperSpec {
  command: string[];
  shell: boolean;
  cwd: string;
  graceMs: number;
  /** The signal that asks the server to stop (PostgreSQL: SIGINT, its fast shutdown). */
  stopSignal?: NodeJS.Signals;
  uid?: number;
  gid?: number;
  /** Directories removed once the server's group is gone. */
  cleanup?: string[];
}

// The spec comes in the environment (not argv: `ps` shows argv to everyone); the server gets the rest of it.
const { ADAPTER_HAMMER_KEEPER: specText, ...env } = process.env;
const spec = JSON.parse(specText ?? '{}') as KeeperSpec;
const [file, ...argv] = spec.command;
// With uid/gid, Node (libuv) also drops the supplementary groups before it executes the server.
const ids = spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid ?? spec.uid };
const child = spawn(file ?? '', argv, { cwd: spec.cwd, env, shell: spec.shell, stdio: ['ignore', 'inherit', 'inherit'], detached: true, ...ids });
const state = { stopping: false };

/** Exit once the server's group is dead: its temp directories go first. */
function exit(code: number): never {
  for (const dir of spec.cleanup ?? []) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* best effort: a file still held open by a dying process */
    }
  }
  process.exit(code);
}

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
  killGroup(spec.stopSignal ?? 'SIGTERM');
  // A server that ignores the signal gets SIGKILL after the grace period; so does anything it left behind.
  setTimeout(() => {
    killGroup('SIGKILL');
    exit(0);
  }, spec.graceMs).unref();
}

child.once('error', (e) => {
  process.stderr.write(`${e.message}\n`);
  exit(127);
});
child.once('exit', (code, signal) => {
  // Whatever the server spawned dies with it, whether it was stopped or ended by itself.
  killGroup('SIGKILL');
  exit(state.stopping ? 0 : (code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
});
process.stdin.once('end', stop).once('close', stop).once('error', stop).resume();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, stop);
