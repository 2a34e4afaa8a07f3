// HTTP services (issue 16), three measurements against real servers in their own processes:
//
// 1. Arrival spread: how far apart one round's requests reach the server, plain `fetch` in the
//    operation vs the toolkit's HttpGate (primed in init, the last byte sent by the operation). A probe
//    server (its own process) records process.hrtime when each request's last byte is read; per round,
//    spread = last arrival - first arrival.
// 2. Catch share: the share of race rounds in which the coupon of fixtures/http-coupon-unsafe.mjs is
//    redeemed twice, with HttpGate (the fixture) vs plain concurrent fetch (the same adapter, its
//    operation replaced by fetch). Runs of 20 rounds (the race's own early stop cannot cut them).
// 3. Throughput of an endpoint (GET /products/:sku of the shop: express + SQLite): adapter-hammer's
//    throughput strategy (HttpGate.send on keep-alive connections, one per lane) vs autocannon at the
//    same number of connections and threads, alternating, medians.
//
//   node test/bench/http.bench.mjs [rounds for 1, default 300] [runs for 2, default 5] [repeats for 3, default 3]
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { makePlan } from '../../dist/plan/plan.js';
import { runPlan } from '../../dist/run/run.js';
import { startServer } from '../../dist/toolkit/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROUNDS = Number(process.argv[2] ?? 300);
const CATCH_RUNS = Number(process.argv[3] ?? 5);
const REPEAT = Number(process.argv[4] ?? 3);
const TOOLKIT = new URL('../../dist/toolkit/index.js', import.meta.url).href;
process.env.ADAPTER_HAMMER_SHRINK_MS = '0'; // figures of the rounds themselves, no smallest-setup search

const dir = mkdtempSync(path.join(tmpdir(), 'ah-http-bench-'));
const write = (name, text) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const run = (adapter, fields) => runPlan(makePlan({ adapter, seed: 1, budgetMs: 3_600_000, ...fields }));
const load = () => loadavg()[0].toFixed(1);

// --- 1. arrival spread ---------------------------------------------------------------------------
// The probe: a TCP server that timestamps the moment a request's last byte is read (its blank line:
// GET requests only), and answers a fixed 200. Not an HTTP library on purpose: Node's http server reads
// its sockets in C++ and would add its parsing (~10-20 µs a request, one request after the other) to
// every arrival; this measures when the bytes came in.
const TIMING_SERVER = write(
  'timing-server.mjs',
  `import net from 'node:net';
const arrivals = new Map(); // round -> [hrtime ns]
const OK = 'HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok';
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let buf = '';
  socket.on('data', (d) => {
    const t = process.hrtime.bigint();
    buf += d.toString('latin1');
    for (let end; (end = buf.indexOf('\\r\\n\\r\\n')) >= 0; buf = buf.slice(end + 4)) {
      const line = buf.slice(0, buf.indexOf('\\r\\n'));
      const m = / \\/t\\?r=(\\d+) /.exec(line);
      if (m) (arrivals.get(m[1]) ?? arrivals.set(m[1], []).get(m[1])).push(t);
      if (line.startsWith('GET /spreads ')) {
        const out = JSON.stringify([...arrivals.values()].map((ts) => ({ n: ts.length, us: Number(ts.reduce((a, b) => (b > a ? b : a)) - ts.reduce((a, b) => (b < a ? b : a))) / 1000 })));
        arrivals.clear();
        socket.write('HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: ' + Buffer.byteLength(out) + '\\r\\n\\r\\n' + out);
      } else socket.write(OK);
    }
  });
  socket.on('error', () => {});
});
server.listen(Number(process.env.PORT), process.env.HOST);
`,
);
const spreadAdapter = (client) =>
  write(
    `spread-${client}.mjs`,
    `import { HttpGate } from ${JSON.stringify(TOOLKIT)};
const gate = new HttpGate();
let url;
let round;
export default {
  threadSafe: true,
  setup: ({ args }) => ({ url: args.url }),
  init(shared, ctx) {
    url = shared.url;
    round = ctx.round;
    ${client === 'gate' ? "return gate.prime(url, ctx, { path: '/t?r=' + round });" : ''}
  },
  operations: {
    async get() {
      ${client === 'gate' ? 'const r = await gate.release();' : "const r = await fetch(url + '/t?r=' + round); await r.text();"}
      if (r.status !== 200) throw new Error('HTTP ' + r.status);
    },
  },
};
`,
  );

async function spreads(client, url, workers, lanes) {
  const report = await run(spreadAdapter(client), {
    strategies: ['race'],
    workers,
    concurrency: lanes,
    iterations: lanes,
    rounds: ROUNDS,
    args: { _: [], url },
  });
  if (report.verdict !== 'pass') throw new Error(`${client}: ${report.findings.map((f) => f.message).join('; ')}`);
  const all = await fetch(`${url}/spreads`).then((r) => r.json());
  return all.filter((s) => s.n === workers * lanes).map((s) => s.us);
}

// --- 2. catch share ------------------------------------------------------------------------------
const COUPON_FIXTURE = path.join(ROOT, 'fixtures/http-coupon-unsafe.mjs');
const COUPON_FETCH = write(
  'coupon-fetch.mjs',
  `import fixture from ${JSON.stringify(COUPON_FIXTURE)};
let url;
let user;
export default {
  ...fixture,
  init(shared, ctx) { url = shared.url; user = 'w' + ctx.workerId; },
  operations: {
    async redeem() {
      const r = await fetch(url + '/coupons/SAVE10/redeem', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
      await r.text();
      if (r.status !== 200 && r.status !== 409) throw new Error('HTTP ' + r.status);
    },
  },
};
`,
);

async function catchShare(adapter) {
  let failed = 0;
  let rounds = 0;
  for (let i = 0; i < CATCH_RUNS; i++) {
    const report = await run(adapter, { strategies: ['race'], rounds: 20, seed: i + 1 });
    const race = report.strategies.find((s) => s.name === 'race');
    failed += race.failedRounds;
    rounds += race.rounds;
  }
  return { failed, rounds };
}

// --- 3. throughput vs autocannon -----------------------------------------------------------------
const PRODUCT_ADAPTER = write(
  'product-read.mjs',
  `import { HttpGate } from ${JSON.stringify(TOOLKIT)};
const gate = new HttpGate();
export default {
  threadSafe: true,
  setup: ({ args }) => ({ url: args.url }),
  init: (shared, ctx) => gate.prime(shared.url, ctx),
  operations: {
    async read() {
      const r = await gate.send({ path: '/products/last-socks' });
      if (r.status !== 200) throw new Error('HTTP ' + r.status);
    },
  },
};
`,
);

async function ours(url, workers, lanes, seconds) {
  const report = await run(PRODUCT_ADAPTER, { strategies: ['throughput'], workers, concurrency: lanes, duration: seconds, args: { _: [], url } });
  const t = report.strategies.find((s) => s.name === 'throughput');
  if (t.verdict !== 'pass') throw new Error(`throughput: ${report.findings.map((f) => f.message).join('; ')}`);
  return t.points.map((p) => ({ workers: p.workers, rps: p.opsPerSec, p50: p.latencyMs.p50, p99: p.latencyMs.p99 }));
}

async function cannon(url, workers, connections, seconds) {
  const r = await autocannon({ url: `${url}/products/last-socks`, connections, workers: workers > 1 ? workers : undefined, duration: seconds });
  if (r.non2xx || r.errors) throw new Error(`autocannon: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.total / seconds, p50: r.latency.p50, p99: r.latency.p99 };
}

const us = (x) => `${Math.round(x)} µs`;
try {
  console.log(`load average ${load()}`);

  // 1
  const timing = await startServer({ command: [process.execPath, TIMING_SERVER] });
  console.log(`\n1. Arrival spread at the server of one round's requests (${ROUNDS} rounds; median / p90 / max):`);
  console.log('| workers × lanes | plain fetch | HttpGate (last byte) | ratio of medians |');
  console.log('|---|---|---|---|');
  for (const [w, c] of [
    [2, 4],
    [2, 8],
  ]) {
    const f = await spreads('fetch', timing.url, w, c);
    const g = await spreads('gate', timing.url, w, c);
    console.log(
      `| ${w} × ${c} | ${us(median(f))} / ${us(pct(f, 0.9))} / ${us(Math.max(...f))} | ${us(median(g))} / ${us(pct(g, 0.9))} / ${us(Math.max(...g))} | ${(median(f) / median(g)).toFixed(1)}x |`,
    );
  }
  await timing.stop();

  // 2
  console.log(
    `\n2. Share of race rounds that catch the coupon redeemed twice (fixtures/http-coupon-unsafe.mjs, ${CATCH_RUNS} runs × 20 rounds, 2 workers × 8 lanes):`,
  );
  const plain = await catchShare(COUPON_FETCH);
  const gated = await catchShare(COUPON_FIXTURE);
  console.log('| client | rounds caught |');
  console.log('|---|---|');
  console.log(`| plain concurrent fetch | ${plain.failed} of ${plain.rounds} (${((100 * plain.failed) / plain.rounds).toFixed(0)}%) |`);
  console.log(`| HttpGate | ${gated.failed} of ${gated.rounds} (${((100 * gated.failed) / gated.rounds).toFixed(0)}%) |`);

  // 3
  const { startShop } = await import(path.join(ROOT, 'fixtures/lib/shop.mjs'));
  const shopUrl = await startShop('safe');
  const SECONDS = 2;
  const LANES = 8;
  const rows = { 1: { ours: [], cannon: [] }, 2: { ours: [], cannon: [] } };
  for (let i = 0; i < REPEAT; i++) {
    for (const p of await ours(shopUrl, 2, LANES, SECONDS)) rows[p.workers].ours.push(p);
    for (const w of [1, 2]) rows[w].cannon.push(await cannon(shopUrl, w, w * LANES, SECONDS));
  }
  console.log(
    `\n3. GET /products/:sku of the shop (express + SQLite, own process), ${LANES} connections per thread, ${SECONDS} s, medians of ${REPEAT} alternated runs (load ${load()}):`,
  );
  console.log('| threads | connections | adapter-hammer req/s | p50 / p99 | autocannon req/s | p50 / p99 | ours / autocannon |');
  console.log('|---|---|---|---|---|---|---|');
  for (const w of [1, 2]) {
    const o = rows[w].ours;
    const c = rows[w].cannon;
    const [or, cr] = [median(o.map((x) => x.rps)), median(c.map((x) => x.rps))];
    console.log(
      `| ${w} | ${w * LANES} | ${Math.round(or)} | ${median(o.map((x) => x.p50)).toFixed(2)} / ${median(o.map((x) => x.p99)).toFixed(2)} ms | ${Math.round(cr)} | ${median(c.map((x) => x.p50)).toFixed(2)} / ${median(c.map((x) => x.p99)).toFixed(2)} ms | ${(or / cr).toFixed(2)}x |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
