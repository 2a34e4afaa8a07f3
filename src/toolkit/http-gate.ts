/**
 * Precisely released HTTP requests: the "last byte" technique (the single-packet attack of security
 * tools), for an adapter's lanes.
 *
 * A request sent from inside an operation pays for its connection and travels alone, so requests
 * released together by the start barrier reach the server hundreds of microseconds apart, and a
 * check-then-act window in the handler is often missed. An {@link HttpGate} does the slow part before the
 * barrier: in `init` it opens one keep-alive connection per lane and writes every byte of the request
 * but the last on each. The operation then only sends that last byte (one `write` syscall, before its
 * first `await`), so all lanes of all workers complete their requests within microseconds.
 *
 * What this module owns is when bytes go out on which socket: the held-back last byte, and a keep-alive
 * connection reused at once (undici, Node's own client, waits one event-loop turn before it reuses an
 * idle socket, which cost a fast endpoint ~30-45% of its calls/s next to autocannon: docs/guides/http.md). The response is parsed by http-parser-js (autocannon's parser), the request is formatted
 * with its header names and values checked.
 *
 * ```js
 * const gate = new HttpGate(); // per worker (module scope)
 * export default {
 *   init: (shared, ctx) => gate.prime(shared.url, ctx, { method: 'POST', path: '/redeem', json: { code: 'SAVE10' } }),
 *   operations: { redeem: async () => (await gate.release()).status },
 * };
 * ```
 *
 * Requests go only to the loopback interface (127.0.0.0/8, ::1, localhost) unless the host is named:
 * in `allowHosts`, or by the user as `-- --url http://host:port` (the `args` of `init`).
 *
 * @module
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type { HTTPParser as ParserClass } from 'http-parser-js';

// http-parser-js is CommonJS: its class, loaded once per thread that uses the gate.
const { HTTPParser } = createRequire(import.meta.url)('http-parser-js') as { HTTPParser: typeof ParserClass };

/** One request, as an operation sends it. */
export interface HttpRequestSpec {
  /** Default `GET`, or `POST` when there is a body. */
  method?: string;
  /** Path and query, e.g. `/redeem?x=1`. Default `/`. */
  path?: string;
  headers?: Record<string, string>;
  /** A raw body (sent with its `content-length`). */
  body?: string | Uint8Array;
  /** A JSON body (`content-type: application/json`); instead of `body`. */
  json?: unknown;
}

/** A response, read whole. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** `JSON.parse(body)`. */
  json<T = unknown>(): T;
}

/** What `init` receives that the gate uses: its lanes (one connection each) and the user's `--url`. */
export interface GateContext {
  lanes?: number;
  args?: { url?: unknown };
}

export interface HttpGateOptions {
  /** Hosts besides the loopback ones that requests may go to (names, as in the URL). */
  allowHosts?: string[];
  /** Connections when `init`'s context has no `lanes`. Default 8 (the default `--concurrency`). */
  connections?: number;
}

/** Thrown for a URL the gate refuses to send to (a host not on this machine, not named). */
export class HttpGateHostError extends Error {
  constructor(host: string) {
    super(`refusing to send requests to ${host}: not a loopback address; name it with -- --url or the gate's allowHosts`);
    this.name = 'HttpGateHostError';
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Whether `url`'s host is this machine's loopback interface. */
export function isLoopback(url: string | URL): boolean {
  return LOOPBACK.test(new URL(url).hostname);
}

/** A request in flight on one connection; `released` once its last byte has gone out. */
interface InFlight {
  key: string;
  /** A HEAD request: its response has no body, whatever its content-length says. */
  head: boolean;
  released: boolean;
  response: Promise<HttpResponse>;
  resolve(r: HttpResponse): void;
  reject(e: Error): void;
}

/** A connection idle this long is not reused: a server may be closing it (Node's keepAliveTimeout is 5 s). */
const IDLE_REUSE_MS = 1000;

/** One keep-alive connection: a socket, its response parser, and at most one request in flight. */
class Connection {
  private socket: net.Socket | null = null;
  /** The last byte of the primed request, held back until `release`. */
  private held: Buffer | null = null;
  private idleSince = 0;
  private status = 0;
  private headers: Record<string, string | string[]> = {};
  private chunks: Buffer[] = [];
  private keepAlive = true;
  inflight: InFlight | null = null;

  constructor(private readonly origin: URL) {}

  get free(): boolean {
    return this.inflight === null;
  }

  /** The socket to write on: the open one, or a new one (net buffers writes until it connects). */
  private connect(): net.Socket {
    if (this.socket && this.keepAlive && performance.now() - this.idleSince < IDLE_REUSE_MS) return this.socket;
    this.socket?.destroy();
    const socket = net.connect({ host: this.origin.hostname.replace(/^\[|\]$/g, ''), port: Number(this.origin.port || 80) });
    socket.setNoDelay(true); // no Nagle: the last byte must leave at once
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      this.status = info.statusCode;
      this.keepAlive = info.shouldKeepAlive;
      this.headers = {};
      for (let i = 0; i + 1 < info.headers.length; i += 2) {
        const name = info.headers[i]!.toLowerCase();
        const prev = this.headers[name];
        this.headers[name] = prev === undefined ? info.headers[i + 1]! : [...(Array.isArray(prev) ? prev : [prev]), info.headers[i + 1]!];
      }
      return this.inflight?.head ? 1 : 0;
    };
    parser[HTTPParser.kOnBody] = (chunk, offset, length) => void this.chunks.push(chunk.subarray(offset, offset + length));
    parser[HTTPParser.kOnMessageComplete] = () => this.complete();
    socket.on('data', (d: Buffer) => {
      const r = parser.execute(d);
      if (r instanceof Error) this.fail(socket, new Error(`bad HTTP response: ${r.message}`));
    });
    socket.on('end', () => parser.finish()); // a body delimited by the connection's end completes here
    socket.on('error', (e) => this.fail(socket, e));
    socket.on('close', () => this.fail(socket, new Error('the server closed the connection before answering')));
    this.socket = socket;
    this.keepAlive = true;
    return socket;
  }

  private complete(): void {
    const inflight = this.inflight;
    if (!inflight) return;
    const body = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    this.inflight = null;
    this.idleSince = performance.now();
    // A server that answered before the last byte came (a 400, a 413) still waits for it: the next
    // request's bytes would be read as the end of this one, so this connection is done.
    if (!this.keepAlive || this.held) this.drop();
    inflight.resolve({ status: this.status, headers: this.headers, body, json: <T>() => JSON.parse(body) as T });
  }

  /** The socket failed or closed: the request on it (if any) fails; the next one opens a new socket. */
  private fail(socket: net.Socket, e: Error): void {
    if (socket !== this.socket) return;
    this.drop();
    const inflight = this.inflight;
    this.inflight = null;
    inflight?.reject(e);
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = null;
    this.held = null;
    this.chunks = [];
  }

  /**
   * Write `bytes` whole, or (`hold`) all but the last byte: then `written` settles once they are written
   * (handed to the kernel), so `init` can wait for its requests to be primed.
   */
  send({ bytes, key, head }: PreparedRequest, hold: boolean): { written: Promise<void> | null; response: Promise<HttpResponse> } {
    const socket = this.connect();
    let resolve!: (r: HttpResponse) => void;
    let reject!: (e: Error) => void;
    const response = new Promise<HttpResponse>((res, rej) => ((resolve = res), (reject = rej)));
    this.inflight = { key, head, released: !hold, response, resolve, reject };
    if (!hold) {
      socket.write(bytes);
      return { written: null, response };
    }
    // Nobody awaits a primed request until release(): its connection failing before then must not be
    // an unhandled rejection (a crash of the worker); release() still returns the rejected promise.
    response.catch(() => {});
    this.held = bytes.subarray(bytes.length - 1);
    const written = new Promise<void>((res, rej) => socket.write(bytes.subarray(0, bytes.length - 1), (e) => (e ? rej(e) : res())));
    written.catch(() => {}); // a failed write fails `response` too: that is where a caller sees it
    return { written, response };
  }

  /** Send the held last byte of the primed request: one write, now. */
  release(): Promise<HttpResponse> {
    const inflight = this.inflight!;
    inflight.released = true;
    const last = this.held;
    this.held = null;
    if (last) this.socket?.write(last);
    return inflight.response;
  }

  /** Drop a primed request nobody released, with its socket (the server discards the partial request). */
  discard(): void {
    const inflight = this.inflight;
    if (!inflight) return;
    this.inflight = null;
    this.drop();
    inflight.response.catch(() => {}); // nobody waits for it
    inflight.reject(new Error('primed request dropped'));
  }

  close(): void {
    this.discard();
    this.drop();
  }
}

/** A request as bytes, and its key (a primed request left over from the last round is kept if the same). */
interface PreparedRequest {
  bytes: Buffer;
  key: string;
  head: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const PATH = /^\/[\x21-\x7e]*$/;

/** Format a request (HTTP/1.1, keep-alive): the header names, values and path are checked, never trusted. */
function prepare(spec: HttpRequestSpec, host: string): PreparedRequest {
  let body: Buffer | undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (spec.json !== undefined) {
    body = Buffer.from(JSON.stringify(spec.json));
    headers['content-type'] ??= 'application/json';
  } else if (spec.body !== undefined) body = Buffer.from(spec.body);
  const method = (spec.method ?? (body ? 'POST' : 'GET')).toUpperCase();
  const path = spec.path ?? '/';
  if (!TOKEN.test(method)) throw new TypeError(`HttpGate: bad method ${JSON.stringify(method)}`);
  if (!PATH.test(path)) throw new TypeError(`HttpGate: bad path ${JSON.stringify(path)} (it starts with / and has no spaces or control characters)`);
  headers.host ??= host;
  if (body || !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(method)) headers['content-length'] = String(body?.length ?? 0);
  delete headers['transfer-encoding']; // the body is sent whole, with its length
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) throw new TypeError(`HttpGate: bad header ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    head += `${name}: ${value}\r\n`;
  }
  const bytes = Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), ...(body ? [body] : [])]);
  return { bytes, key: bytes.toString('latin1'), head: method === 'HEAD' };
}

/**
 * One worker's connections to one HTTP origin, and the requests primed on them. Create one per
 * worker (at module scope: each worker loads its own copy of the adapter module).
 */
export class HttpGate {
  #origin: URL | null = null;
  #connections: Connection[] = [];
  #last: PreparedRequest | null = null;
  readonly #allowHosts: string[];
  readonly #defaultConnections: number;

  constructor(options: HttpGateOptions = {}) {
    this.#allowHosts = (options.allowHosts ?? []).map((h) => h.toLowerCase());
    this.#defaultConnections = options.connections ?? 8;
  }

  /**
   * In `init`: make sure there is one keep-alive connection to `url` per lane (`ctx.lanes`), then on
   * each send every byte of `request` but the last. Resolves when those bytes are written, so the
   * barrier that follows `init` releases requests that only lack one byte. Without `request`, only
   * connects (for plain `send` calls). A request primed in an earlier round and never released is kept
   * when it is the same request, else dropped with its connection.
   */
  async prime(url: string | URL, ctx: GateContext = {}, request?: HttpRequestSpec): Promise<void> {
    const origin = this.#use(url, ctx);
    const want = ctx.lanes ?? this.#defaultConnections;
    const spec = request ? prepare(request, origin.host) : null;
    if (spec) this.#last = spec;
    while (this.#connections.length < want) this.#connections.push(new Connection(origin));
    const pending: Promise<void>[] = [];
    for (const c of this.#connections.slice(0, want)) {
      if (c.inflight && !c.inflight.released && spec && c.inflight.key === spec.key) continue; // still primed
      if (c.inflight) c.discard();
      if (spec) pending.push(c.send(spec, true).written!);
    }
    await Promise.all(pending);
  }

  /**
   * In an operation: send the last byte of a primed request and wait for its response. With none
   * primed left (more calls than lanes in a round), sends the last primed request whole.
   */
  release(): Promise<HttpResponse> {
    const primed = this.#connections.find((c) => c.inflight && !c.inflight.released);
    if (primed) return primed.release();
    if (!this.#last) return Promise.reject(new Error('HttpGate.release: nothing primed (call gate.prime(url, ctx, request) in init)'));
    return this.#sendWhole(this.#last);
  }

  /** In an operation: send `request` whole on a free keep-alive connection and wait for its response. */
  send(request: HttpRequestSpec): Promise<HttpResponse> {
    if (!this.#origin) return Promise.reject(new Error('HttpGate: no URL yet (call gate.prime(url, ctx) in init)'));
    return this.#sendWhole(prepare(request, this.#origin.host));
  }

  /** How many primed requests wait for `release()`. */
  get primed(): number {
    return this.#connections.filter((c) => c.inflight && !c.inflight.released).length;
  }

  /** Close every connection (primed requests are dropped). */
  close(): void {
    for (const c of this.#connections) c.close();
    this.#connections = [];
  }

  #sendWhole(spec: PreparedRequest): Promise<HttpResponse> {
    let c = this.#connections.find((x) => x.free);
    if (!c) this.#connections.push((c = new Connection(this.#origin!)));
    return c.send(spec, false).response;
  }

  #use(url: string | URL, ctx: GateContext): URL {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new Error(`HttpGate: ${u.protocol} URLs are not supported (HTTP/1.1 over TCP: http://)`);
    const host = u.hostname.toLowerCase();
    const named = typeof ctx.args?.url === 'string' && URL.canParse(ctx.args.url) && new URL(ctx.args.url).hostname.toLowerCase() === host;
    if (!LOOPBACK.test(host) && !named && !this.#allowHosts.includes(host)) throw new HttpGateHostError(u.host);
    if (this.#origin?.origin !== u.origin) {
      this.close();
      this.#origin = u;
    }
    return this.#origin;
  }
}
