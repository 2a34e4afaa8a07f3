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
 * Everything generic is Node's own `http` module: it formats the request, manages the keep-alive
 * connections (one `http.Agent` per connection) and parses the response with llhttp. This module only
 * owns the timing: it holds back the final byte a request writes on its socket until `release()`.
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
import http from 'node:http';
import type { Socket } from 'node:net';

/** One request, as an operation sends it. */
export interface HttpRequestSpec {
  /** Default `GET`, or `POST` when there is a body. */
  method?: string;
  /** Path and query, e.g. `/redeem?x=1`. Default `/`. */
  path?: string;
  headers?: Record<string, string>;
  /** A raw body (a `content-length` is set). */
  body?: string | Uint8Array;
  /** A JSON body (`content-type: application/json`); instead of `body`. */
  json?: unknown;
}

/** A response, read whole. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
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
  released: boolean;
  response: Promise<HttpResponse>;
  req: http.ClientRequest;
}

/** One keep-alive connection (its own single-socket agent), with the gate on whatever socket it has. */
class Connection {
  readonly agent: http.Agent;
  /** While set, the last byte written on the socket is held back in `held`. */
  holding = false;
  held: Buffer | null = null;
  inflight: InFlight | null = null;

  constructor(readonly origin: URL) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    // Every socket the agent opens (the first, and a new one after the server closed an idle one) is gated.
    const create = this.agent.createConnection.bind(this.agent) as (options: object, onCreate: unknown) => Socket;
    this.agent.createConnection = (options: object, onCreate: unknown) => {
      const socket = create(options, onCreate);
      socket.setNoDelay(true); // no Nagle: the last byte must leave at once
      this.gate(socket);
      return socket;
    };
  }

  /** Wrap the socket's write implementation (stream.Writable's `_write`/`_writev`) to hold back the last byte. */
  private gate(socket: Socket): void {
    const write = socket._write.bind(socket);
    const hold = (data: Buffer, cb: (e?: Error | null) => void): void => {
      const all = this.held ? Buffer.concat([this.held, data]) : data;
      this.held = all.subarray(all.length - 1);
      if (all.length > 1)
        write(all.subarray(0, all.length - 1), 'buffer' as BufferEncoding, cb); // net picks writeBuffer by this name
      else cb();
    };
    const toBuffer = (chunk: unknown, encoding: BufferEncoding): Buffer =>
      Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array);
    socket._write = (chunk: unknown, encoding: BufferEncoding, cb: (e?: Error | null) => void): void => {
      if (this.holding) hold(toBuffer(chunk, encoding), cb);
      else write(chunk, encoding, cb);
    };
    const writev = socket._writev?.bind(socket);
    if (writev)
      socket._writev = (chunks: { chunk: unknown; encoding: BufferEncoding }[], cb: (e?: Error | null) => void): void => {
        if (this.holding) hold(Buffer.concat(chunks.map((c) => toBuffer(c.chunk, c.encoding))), cb);
        else writev(chunks, cb);
      };
  }

  get free(): boolean {
    return this.inflight === null;
  }

  /** Send `spec` (all of it, or all but its last byte when `hold`); `written` settles once those bytes are written. */
  send(spec: PreparedRequest, hold: boolean): { written: Promise<void>; response: Promise<HttpResponse> } {
    this.holding = hold;
    this.held = null;
    const req = http.request({
      agent: this.agent,
      host: this.origin.hostname.replace(/^\[|\]$/g, ''),
      port: this.origin.port || 80,
      method: spec.method,
      path: spec.path,
      headers: spec.headers,
    });
    const response = new Promise<HttpResponse>((resolve, reject) => {
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', reject);
        res.once('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
        });
      });
    });
    const inflight: InFlight = { key: spec.key, released: !hold, response, req };
    this.inflight = inflight;
    // Free again once answered (or failed); a primed request nobody released stays in flight.
    response.then(
      () => this.done(inflight),
      () => this.done(inflight, true),
    );
    const written = new Promise<void>((resolve, reject) => {
      req.once('finish', resolve);
      req.once('error', reject);
    });
    written.catch(() => {}); // a failed write fails `response` too: that is where a caller sees it
    req.end(spec.body);
    return { written, response };
  }

  private done(inflight: InFlight, failed = false): void {
    if (this.inflight !== inflight) return;
    this.inflight = null;
    this.holding = false;
    this.held = null;
    if (failed) this.agent.destroy(); // the next request starts on a fresh socket
  }

  /** Send the held last byte of the primed request: one write, now. */
  release(): Promise<HttpResponse> {
    const inflight = this.inflight!;
    inflight.released = true;
    this.holding = false;
    const last = this.held;
    this.held = null;
    if (last) inflight.req.socket?.write(last);
    return inflight.response;
  }

  /** Drop a primed request nobody released (the server discards the partial request with the socket). */
  discard(): void {
    const inflight = this.inflight;
    if (!inflight) return;
    this.inflight = null;
    this.holding = false;
    this.held = null;
    inflight.response.catch(() => {}); // destroying the request rejects it: expected
    inflight.req.destroy();
  }

  close(): void {
    this.discard();
    this.agent.destroy();
  }
}

interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Identifies the request's bytes: a primed request left over from the last round is kept if the same. */
  key: string;
}

function prepare(spec: HttpRequestSpec): PreparedRequest {
  const headers: Record<string, string> = { ...spec.headers };
  let body: Buffer | undefined;
  if (spec.json !== undefined) {
    body = Buffer.from(JSON.stringify(spec.json));
    headers['content-type'] ??= 'application/json';
  } else if (spec.body !== undefined) body = Buffer.from(spec.body);
  if (body) headers['content-length'] = String(body.length);
  const method = (spec.method ?? (body ? 'POST' : 'GET')).toUpperCase();
  const path = spec.path ?? '/';
  return { method, path, headers, body, key: JSON.stringify([method, path, headers, body?.toString('base64')]) };
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
    this.#use(url, ctx);
    const want = ctx.lanes ?? this.#defaultConnections;
    const spec = request ? prepare(request) : null;
    if (spec) this.#last = spec;
    while (this.#connections.length < want) this.#connections.push(new Connection(this.#origin!));
    const pending: Promise<void>[] = [];
    for (const c of this.#connections.slice(0, want)) {
      if (c.inflight && !c.inflight.released && c.inflight.key === spec?.key) continue; // still primed
      if (c.inflight) c.discard();
      if (spec) pending.push(c.send(spec, true).written);
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
    return this.#sendWhole(prepare(request));
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
    if (!this.#origin) return Promise.reject(new Error('HttpGate: no URL yet (call gate.prime(url, ctx) in init)'));
    let c = this.#connections.find((x) => x.free);
    if (!c) this.#connections.push((c = new Connection(this.#origin)));
    return c.send(spec, false).response;
  }

  #use(url: string | URL, ctx: GateContext): void {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new Error(`HttpGate: ${u.protocol} URLs are not supported (HTTP/1.1 over TCP: http://)`);
    const host = u.hostname.toLowerCase();
    const named = typeof ctx.args?.url === 'string' && URL.canParse(ctx.args.url) && new URL(ctx.args.url).hostname.toLowerCase() === host;
    if (!LOOPBACK.test(host) && !named && !this.#allowHosts.includes(host)) throw new HttpGateHostError(u.host);
    if (this.#origin?.origin !== u.origin) {
      this.close();
      this.#origin = u;
    }
  }
}
