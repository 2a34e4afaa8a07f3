// A worker's database connections, one per async lane, kept across rounds. Each call in flight takes a
// connection no other call has: a connection shared by several lanes would queue their queries one
// behind the other (a client sends the next query only once the last one answered), which hides the
// very race between two clients the adapter is there to find.

/** What the toolkit needs of a connection: to open it, to know it is broken, to close it. */
export interface LaneFactory<C> {
  open(): Promise<C>;
  /** Its `error`/`end` events mark it broken: the next round opens a new one in its place. */
  watch(client: C, broken: () => void): void;
  close(client: C): Promise<void>;
}

/** This worker's connections (see {@link LaneClients.use}). */
export class LaneClients<C> {
  private readonly free: C[] = [];
  private readonly waiting: ((c: C) => void)[] = [];
  private readonly broken = new Set<C>();
  /** Every connection, one per lane, in the order they were opened. */
  readonly clients: C[] = [];

  constructor(private readonly factory: LaneFactory<C>) {}

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
    const client = this.free.pop() ?? (await new Promise<C>((resolve) => this.waiting.push(resolve)));
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
