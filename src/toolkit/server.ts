/**
 * The server under test in a process of its own, started from an adapter's `setup`.
 *
 * A server started inside `setup` would share adapter-hammer's main thread: its handlers would wait
 * behind the tool's own work, and a server that blocks would block the tool. {@link startServer} runs
 * the user's command as a child process on 127.0.0.1, waits until it accepts connections, and makes sure
 * it never outlives the run: a small keeper process (server-keeper.ts) kills the server's whole process
 * group when adapter-hammer ends, whether by a normal exit, Ctrl-C, SIGTERM, a crash or SIGKILL.
 *
 * {@link localServer} wraps it for the usual case, one server for the whole run, or a URL the user gives:
 *
 * ```js
 * const app = localServer({ command: ['node', 'app.mjs'], env: { DB_FILE: 'shop.db' } });
 * export default {
 *   setup: async ({ args }) => ({ url: await app.url(args) }), // -- --url http://127.0.0.1:3000 targets a running server
 *   // teardown: () => app.stop(),                            // only for a fresh server every round (slow)
 * };
 * ```
 *
 * The server gets `PORT` (a free port, unless `port` is given) and `HOST=127.0.0.1`. On Linux, a server
 * that listens on every interface (0.0.0.0, ::) instead of the loopback one is refused (it would be
 * reachable from the network while it is hammered) unless `allowExposed` is set.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export interface ServerOptions {
  /** The server's command: an array is run as is, a string by the shell (`/bin/sh -c`). */
  command?: string | string[];
  /** Added to adapter-hammer's environment (after PORT and HOST, so it may override them). */
  env?: Record<string, string>;
  cwd?: string;
  /** The port it listens on. Default: a free port, given to it as `PORT`. */
  port?: number;
  /** It picks its own port and prints it on stdout: the pattern's first group is the port. */
  portFromOutput?: RegExp;
  /**
   * How long it may take to listen. Default 60000 ms, as `--setup-timeout`'s default, which bounds the
   * `setup` that starts it: a slower server needs both this and `--setup-timeout` (or the adapter's
   * `setupTimeout`).
   */
  startTimeoutMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL. Default 2000 ms. */
  graceMs?: number;
  /** Accept a server that listens beyond 127.0.0.1 (on every interface). Default false. */
  allowExposed?: boolean;
  /**
   * When it is ready. Default: it accepts a TCP connection. A database is ready when it answers (the
   * toolkit's postgres() asks a query, redis() a PING): a server may accept connections before that.
   */
  ready?: (port: number) => Promise<boolean>;
  /** The signal `stop` sends first (default SIGTERM; PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
  /** Run the server as this user and group (numeric ids): adapter-hammer may run as root, a server need not. */
  uid?: number;
  gid?: number;
  /** Directories the keeper removes once the server is gone, however the run ended (a temp data directory). */
  cleanup?: string[];
  /** How messages name it (default: `server '<command>'`). */
  name?: string;
}

/** A server started by {@link startServer}. */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  /** The keeper's pid (the server runs in a process group the keeper kills). */
  readonly pid: number;
  /** Set once the server has exited: its exit code (128 + signal) and first line of stderr. */
  readonly exited: { code: number; stderr: string } | null;
  /** SIGTERM to the server's process group, SIGKILL after `graceMs`; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Thrown by {@link startServer} when the server exits, hangs or listens beyond 127.0.0.1: one line. */
export class ServerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerStartError';
  }
}

/** As --setup-timeout's default: a cold server (a database, a container) may take tens of seconds. */
const DEFAULT_START_TIMEOUT_MS = 60_000;

const KEEPER = fileURLToPath(new URL('./server-keeper.js', import.meta.url));
const STDERR_KEPT = 4096;

const show = (command: string | string[]): string => (Array.isArray(command) ? command.join(' ') : command);

/** A free TCP port on 127.0.0.1 (the kernel's choice; closed again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Local addresses of the listening TCP sockets on `port` that are not loopback, from /proc/net/tcp{,6}
 * (Linux; elsewhere nothing is known and nothing is refused). Reading a table sends no packet.
 */
export function exposedListeners(port: number): string[] {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A') continue; // LISTEN
      const [addr, hexPort] = (cols[1] ?? '').split(':');
      if (!addr || parseInt(hexPort ?? '', 16) !== port) continue;
      if (!isLoopbackHex(addr)) found.push(addr.length === 8 ? `${ipv4(addr)}:${port}` : `[${addr === '0'.repeat(32) ? '::' : addr}]:${port}`);
    }
  }
  return found;
}

/** An address of /proc/net/tcp (IPv4: 8 hex digits, little-endian) or tcp6 (32: four little-endian words). */
function isLoopbackHex(addr: string): boolean {
  if (addr.length === 8) return addr.endsWith('7F'); // 127.x.x.x
  if (addr === '00000000000000000000000001000000') return true; // ::1
  return addr.startsWith('0000000000000000FFFF0000') && addr.endsWith('7F'); // ::ffff:127.x.x.x
}

const ipv4 = (hex: string): string => [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');

/**
 * Start the user's server as a child process and wait until it accepts connections on 127.0.0.1. Rejects
 * with a one-line {@link ServerStartError} (naming the command, and the server's first line of stderr)
 * when it exits first, does not listen within `startTimeoutMs`, or listens beyond 127.0.0.1.
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const { command } = options;
  if (!command || (Array.isArray(command) && command.length === 0)) throw new ServerStartError('startServer: no command given');
  const port = options.port ?? (options.portFromOutput ? 0 : await freePort());
  const spec = {
    command: Array.isArray(command) ? command.map(String) : [command],
    shell: !Array.isArray(command),
    cwd: options.cwd ?? process.cwd(),
    graceMs: options.graceMs ?? 2000,
    stopSignal: options.stopSignal,
    uid: options.uid,
    gid: options.gid,
    cleanup: options.cleanup,
  };
  const env = { ...process.env, ...(port ? { PORT: String(port) } : {}), HOST: '127.0.0.1', ...options.env, ADAPTER_HAMMER_KEEPER: JSON.stringify(spec) };
  // detached: its own session, so a Ctrl-C in the terminal reaches adapter-hammer (which reports) and not
  // the server (which must answer until then); the keeper outlives adapter-hammer to clean up after it.
  const keeper = spawn(process.execPath, [KEEPER], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const name = options.name ?? `server '${show(command)}'`;
  let stderr = '';
  let stdout = '';
  let ready = false;
  let exited: { code: number; stderr: string } | null = null;
  const firstLine = (): string =>
    stderr
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '';
  const gone = new Promise<void>((resolve) => keeper.once('exit', () => resolve()));
  keeper.once('exit', (code, signal) => (exited = { code: code ?? (signal ? 128 : 0), stderr: firstLine() }));
  // Keep reading its output for as long as it runs (a full pipe would block the server), keeping the
  // start of stderr for messages; neither the keeper nor its pipes keep adapter-hammer's process alive.
  keeper.stderr.on('data', (d: Buffer) => {
    if (stderr.length < STDERR_KEPT) stderr += d.toString();
  });
  keeper.stdout.on('data', (d: Buffer) => {
    if (!ready && stdout.length < STDERR_KEPT) stdout += d.toString();
  });
  for (const s of [keeper, keeper.stdin, keeper.stdout, keeper.stderr] as (ChildProcess | { unref?: () => void })[]) s.unref?.();
  const stop = async (): Promise<void> => {
    keeper.ref(); // waiting for it is work: keep the process alive until it is gone
    keeper.stdin.destroy(); // the lifeline: the keeper kills the server's group and exits
    await gone;
    keeper.unref();
  };
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = performance.now() + startTimeoutMs;
  const fail = async (why: string, withStderr = true): Promise<never> => {
    await stop();
    const line = firstLine();
    throw new ServerStartError(`${name} ${why}${!withStderr ? '' : line ? `: ${line}` : ' (nothing on its stderr)'}`);
  };
  let listening = port;
  const isReady = options.ready ?? accepts;
  for (;;) {
    if (exited) return fail(`exited with code ${(exited as { code: number }).code} before listening`);
    if (performance.now() > deadline) return fail(`did not listen on 127.0.0.1${listening ? `:${listening}` : ''} within ${startTimeoutMs} ms`);
    if (!listening && options.portFromOutput) listening = Number(options.portFromOutput.exec(stdout)?.[1] ?? 0);
    if (listening && (await isReady(listening))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  ready = true;
  const exposed = options.allowExposed ? [] : exposedListeners(listening);
  if (exposed.length) return fail(`listens beyond 127.0.0.1 (on ${exposed.join(', ')}): make it listen on HOST (127.0.0.1), or pass allowExposed: true`, false);
  return {
    url: `http://127.0.0.1:${listening}`,
    port: listening,
    pid: keeper.pid!,
    get exited() {
      return exited;
    },
    stop,
  };
}

/** What `setup` receives after `--` that {@link localServer} reads. */
export interface ServerArgs {
  /** A running server to target instead of starting one (the user names its host). */
  url?: unknown;
  /** The server's command, run by the shell: `-- --server "node app.mjs --port 0"`. */
  server?: unknown;
  /** Or the command as plain words: `-- node app.mjs`. */
  _?: unknown[];
}

/** One server for the whole run (or none: the user's URL). See the module's example. */
export interface LocalServer {
  /**
   * The server's base URL (no trailing slash). `-- --url <url>` returns that URL; otherwise starts the
   * server on the first call (the command after `--`, else the adapter's) and returns the same URL on
   * later calls. Throws a {@link ServerStartError} when it cannot start, or has exited since.
   */
  url(args?: ServerArgs): Promise<string>;
  /** Stop the server (the next `url` starts a new one). Without it, it stops when the run's process ends. */
  stop(): Promise<void>;
}

export function localServer(defaults: ServerOptions = {}): LocalServer {
  let running: { name: string; process: Promise<ServerProcess> } | null = null;
  return {
    async url(args: ServerArgs = {}): Promise<string> {
      if (typeof args.url === 'string') {
        const u = URL.canParse(args.url) ? new URL(args.url) : null;
        if (u?.protocol !== 'http:') throw new ServerStartError(`--url ${args.url}: not an http:// URL`);
        return u.href.replace(/\/$/, '');
      }
      if (!running) {
        const words = Array.isArray(args._) && args._.length ? args._.map(String) : undefined;
        const command = typeof args.server === 'string' ? args.server : (words ?? defaults.command);
        if (!command) throw new ServerStartError('no server to start: give the adapter a command, or -- --server "<command>", or -- --url <url>');
        const started = startServer({ ...defaults, command });
        started.catch(() => {}); // seen by this call's await; kept, so later rounds do not start it again
        running = { name: `server '${show(command)}'`, process: started };
      }
      const p = await running.process;
      if (p.exited)
        throw new ServerStartError(`${running.name} exited with code ${p.exited.code} during the run${p.exited.stderr ? `: ${p.exited.stderr}` : ''}`);
      return p.url;
    },
    async stop(): Promise<void> {
      const r = running;
      running = null;
      const p = await r?.process.catch(() => null);
      await p?.stop();
    },
  };
}
