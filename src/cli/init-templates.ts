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
// Lessons: docs/explanation/how-it-works.md (which state is shared), fixtures/counter-unsafe.mjs.
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
  'shared-memory': {
    file: 'shared-memory.hammer.mjs',
    summary: 'state shared between worker threads: a SharedArrayBuffer, Atomics, an invariant',
    text: SHARED_MEMORY,
    next: ['it passes as written: swap an operation for your code (give it `cells`) and see what the counters say'],
  },
};
