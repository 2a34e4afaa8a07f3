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
 * Everything generic is undici's (Node's own HTTP/1.1 client, the one `fetch` is built on): it formats
 * the request, keeps the connection alive (one `Client` per connection) and parses the response with
 * llhttp. This module only owns the timing: it holds back the final byte a request writes on its socket
 * until `release()`.
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
import type { Socket } from 'node:net';
import type * as UndiciModule from 'undici';
import type { Client } from 'undici';

type Undici = typeof UndiciModule;

/** One request, as an operation sends it. */
export interface HttpRequestSpec {
  /** Default `GET`, or `POST` when there is a body. */
  method?: string;
  /** Path and query, e.g. `/redeem?x=1`. Default `/`. */
  path?: string;
  headers?: Record<string, string>;
  /** A raw body (undici sets its `content-length`). */
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
  released: boolean;
  response: Promise<HttpResponse>;
  abort: AbortController | null;
}

const toBuffer = (chunk: unknown, encoding: BufferEncoding): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array);

/** One keep-alive connection (its own undici Client, pipelining 1), with the gate on whatever socket it has. */
class Connection {
  readonly client: Client;
  /** While set, the last byte written on the socket is held back in `held`. */
  holding = false;
  held: Buffer | null = null;
  socket: Socket | null = null;
  inflight: InFlight | null = null;
  /** Called once the bytes before the held one are written (the request is primed). */
  private onPrimed: (() => void) | null = null;

  constructor(undici: Undici, origin: URL) {
    // undici's own connector (timeouts, keep-alive), plus the gate on every socket it opens: the first,
    // and a new one after the server or undici closed an idle one.
    const connector = undici.buildConnector({});
    this.client = new undici.Client(origin, {
      connect: (options, callback) =>
        connector(options, (...args) => {
          const socket = args[1];
          if (socket) this.adopt(socket);
          callback(...args);
        }),
    });
  }

  /** Wrap the socket's write implementation (stream.Writable's `_write`/`_writev`) to hold back the last byte. */
  private adopt(socket: Socket): void {
    socket.setNoDelay(true); // no Nagle: the last byte must leave at once
    this.socket = socket;
    const write = socket._write.bind(socket);
    const hold = (data: Buffer, cb: (e?: Error | null) => void): void => {
      const all = this.held ? Buffer.concat([this.held, data]) : data;
      this.held = all.subarray(all.length - 1);
      const primed = (e?: Error | null): void => {
        cb(e);
        if (!e) this.onPrimed?.();
      };
      if (all.length > 1)
        write(all.subarray(0, all.length - 1), 'buffer' as BufferEncoding, primed); // net picks writeBuffer by this name
      else primed();
    };
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

  /**
   * Send `spec` whole, or (`hold`) all but its last byte: then `written` settles once those bytes are
   * written. Only a held request gets an AbortController (to drop it unreleased): a signal costs undici
   * listeners on every request, a measurable share of a fast endpoint's calls/s.
   */
  send(spec: PreparedRequest, hold: boolean): { written: Promise<void> | null; response: Promise<HttpResponse> } {
    this.holding = hold;
    this.held = null;
    const abort = hold ? new AbortController() : null;
    // The connection is free again once the response is read (or failed); a primed request nobody
    // released stays in flight. One promise per request: each extra one costs a fast endpoint calls/s.
    const done = (): void => {
      if (this.inflight !== inflight) return;
      this.inflight = null;
      this.holding = false;
      this.held = null;
    };
    const response = this.client.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body, signal: abort?.signal }).then(
      async (r): Promise<HttpResponse> => {
        try {
          const body = await r.body.text();
          return { status: r.statusCode, headers: r.headers, body, json: <T>() => JSON.parse(body) as T };
        } finally {
          done();
        }
      },
      (e: unknown) => {
        done();
        throw e;
      },
    );
    const inflight: InFlight = { key: hold ? keyOf(spec) : '', released: !hold, response, abort };
    this.inflight = inflight;
    if (!hold) return { written: null, response };
    const written = Promise.race([new Promise<void>((resolve) => (this.onPrimed = resolve)), response.then(() => undefined)]).finally(
      () => (this.onPrimed = null),
    );
    written.catch(() => {}); // a failed write fails `response` too: that is where a caller sees it
    return { written, response };
  }

  /** Send the held last byte of the primed request: one write, now. */
  release(): Promise<HttpResponse> {
    const inflight = this.inflight!;
    inflight.released = true;
    this.holding = false;
    const last = this.held;
    this.held = null;
    if (last) this.socket?.write(last);
    return inflight.response;
  }

  /** Drop a primed request nobody released (undici closes its socket: the server discards the partial request). */
  discard(): void {
    const inflight = this.inflight;
    if (!inflight) return;
    this.inflight = null;
    this.holding = false;
    this.held = null;
    inflight.response.catch(() => {}); // aborting it rejects it: expected
    inflight.abort?.abort();
  }

  close(): void {
    this.discard();
    this.client.destroy().catch(() => {});
  }
}

interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

function prepare(spec: HttpRequestSpec): PreparedRequest {
  const headers: Record<string, string> = { ...spec.headers };
  let body: Buffer | undefined;
  if (spec.json !== undefined) {
    body = Buffer.from(JSON.stringify(spec.json));
    headers['content-type'] ??= 'application/json';
  } else if (spec.body !== undefined) body = Buffer.from(spec.body);
  const method = (spec.method ?? (body ? 'POST' : 'GET')).toUpperCase();
  const path = spec.path ?? '/';
  return { method, path, headers, body };
}

/** Identifies a request's bytes: a primed request left over from the last round is kept if the same. */
const keyOf = (r: PreparedRequest): string => JSON.stringify([r.method, r.path, r.headers, r.body?.toString('base64')]);

/**
 * One worker's connections to one HTTP origin, and the requests primed on them. Create one per
 * worker (at module scope: each worker loads its own copy of the adapter module).
 */
export class HttpGate {
  #origin: URL | null = null;
  /** Loaded by the first `prime`, so that importing the toolkit does not load an HTTP client. */
  #undici: Undici | null = null;
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
    this.#undici ??= await import('undici');
    const want = ctx.lanes ?? this.#defaultConnections;
    const spec = request ? prepare(request) : null;
    if (spec) this.#last = spec;
    while (this.#connections.length < want) this.#connections.push(new Connection(this.#undici, this.#origin!));
    const pending: Promise<void>[] = [];
    for (const c of this.#connections.slice(0, want)) {
      if (c.inflight && !c.inflight.released && spec && c.inflight.key === keyOf(spec)) continue; // still primed
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
    if (!this.#origin || !this.#undici) return Promise.reject(new Error('HttpGate: no URL yet (call gate.prime(url, ctx) in init)'));
    let c = this.#connections.find((x) => x.free);
    if (!c) this.#connections.push((c = new Connection(this.#undici, this.#origin)));
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
