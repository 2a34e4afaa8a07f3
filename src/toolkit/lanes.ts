// A worker's database connections, one per async lane, kept across rounds. Each call in flight takes a
// connection no other call has: a connection shared by several lanes would queue their queries one
// behind the other (a client sends the next query only once the last one answered), which hides the
// very race between two clients the adapter is there to find.
import { registerPool, stackFrom, type ConnectionSnapshot, type PoolSnapshot } from './waits.js';

/** What the toolkit needs of a connection: to open it, to know it is broken, to close it. */
export interface LaneFactory<C> {
  open(): Promise<C>;
  /** Its `error`/`end` events mark it broken: the next round opens a new one in its place. */
  watch(client: C, broken: () => void): void;
  close(client: C): Promise<void>;
  /** What a hang's report calls these connections ("postgres() connections"). */
  name?: string;
  /** A connection's server-side id and queries, for a hang's report (waits.ts). */
  describe?(client: C, now: number): Omit<ConnectionSnapshot, 'index' | 'busy'>;
}

/** This worker's connections (see {@link LaneClients.use}). */
export class LaneClients<C> {
  private readonly free: C[] = [];
  private readonly waiting: ((c: C) => void)[] = [];
  /** Where each waiting call asked for a connection, and when (for a hang's report). */
  private readonly asked = new Map<(c: C) => void, { at: number; where: { stack?: string } }>();
  private readonly broken = new Set<C>();
  private readonly unregister: () => void;
  /** Every connection, one per lane, in the order they were opened. */
  readonly clients: C[] = [];

  constructor(private readonly factory: LaneFactory<C>) {
    this.unregister = registerPool(() => this.snapshot());
  }

  /** Which connection is taken, what each is sending, which calls wait for one (a hang's report reads it). */
  snapshot(now = performance.now()): PoolSnapshot {
    return {
      name: this.factory.name ?? 'lane connections',
      size: this.clients.length,
      waiting: [...this.asked.values()].map((a) => ({ ms: Math.round(now - a.at), stack: a.where.stack ?? '' })),
      connections: this.clients.map((c, index) => ({ index, busy: !this.free.includes(c), ...this.factory.describe?.(c, now) })),
    };
  }

  /** Open connections until there is one per lane, replacing broken ones (a server restarted, a connection dropped). */
  async fill(lanes: number): Promise<void> {
    for (const c of [...this.broken]) {
      this.broken.delete(c);
      this.remove(c);
      await this.factory.close(c).catch(() => {});
    }
    const opened = await Promise.all(Array.from({ length: Math.max(0, lanes - this.clients.length) }, () => this.factory.open()));
    for (const c of opened) {
      this.factory.watch(c, () => this.broken.add(c));
      this.clients.push(c);
      this.free.push(c);
    }
  }

  /**
   * Run `fn` on a connection of its own: with at most one call in flight per lane there is always a free
   * one; a call nested inside another waits for one to be given back.
   */
  async use<T>(fn: (client: C) => Promise<T> | T): Promise<T> {
    const client =
      this.free.pop() ??
      (await new Promise<C>((resolve) => {
        // Rare (a call nested in another): the stack is worth its microsecond here.
        const give = (c: C) => {
          this.asked.delete(give);
          resolve(c);
        };
        // eslint-disable-next-line @typescript-eslint/unbound-method -- only where the stack starts, never called
        this.asked.set(give, { at: performance.now(), where: stackFrom(LaneClients.prototype.use) });
        this.waiting.push(give);
      }));
    try {
      return await fn(client);
    } finally {
      const next = this.waiting.shift();
      if (next) next(client);
      else this.free.push(client);
    }
  }

  /** Close every connection (a worker that ends closes them anyway, with its sockets). */
  async close(): Promise<void> {
    this.unregister();
    const all = this.clients.splice(0);
    this.free.length = 0;
    await Promise.all(all.map((c) => this.factory.close(c).catch(() => {})));
  }

  private remove(c: C): void {
    for (const list of [this.clients, this.free]) {
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
    }
  }
}
