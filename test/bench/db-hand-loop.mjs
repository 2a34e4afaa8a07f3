// The reference for db.bench.mjs: the bank's race rounds as a user would write them by hand with `pg`,
// no adapter-hammer. Two worker threads, each with one connection per lane (kept across rounds); per
// round the main thread creates a fresh schema with the same SQL as the toolkit's postgres().round(),
// posts its name to the workers, each sets its connections' search_path and runs its transfers (the
// same function as fixtures/db/pg-bank-safe.mjs, one per lane), the main thread reads the sum of the
// balances and drops the schema. Prints { rounds, ms, startMs } on stdout: the rounds' own time, and the
// start before them (workers, connections).
//   node test/bench/db-hand-loop.mjs <postgres-url> <seconds> <workers> <lanes>
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { pick, SCHEMA, ACCOUNTS, START } from '../../fixtures/db/pg-bank-unsafe.mjs';
import { transfer } from '../../fixtures/db/pg-bank-safe.mjs';

if (isMainThread) {
  const [url, seconds, workers, lanes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 2), Number(process.argv[5] ?? 4)];
  const t0 = performance.now();
  const admin = new pg.Client(url);
  await admin.connect();
  const ws = Array.from({ length: workers }, () => new Worker(new URL(import.meta.url), { workerData: { url, lanes } }));
  const reply = (w) => new Promise((resolve) => w.once('message', resolve));
  await Promise.all(ws.map(reply)); // connected
  const first = performance.now(); // the rounds' own time starts here (the start up to here is `startMs`)
  let rounds = 0;
  for (const end = t0 + seconds * 1000; performance.now() < end; rounds++) {
    const schema = `hand_${process.pid}_${rounds}`;
    await admin.query(`BEGIN; CREATE SCHEMA "${schema}"; SET LOCAL search_path TO "${schema}"; ${SCHEMA}; COMMIT`);
    const done = ws.map(reply);
    for (const w of ws) w.postMessage(schema);
    await Promise.all(done);
    const { rows } = await admin.query(`SELECT sum(balance)::int AS money FROM "${schema}".account`);
    if (rows[0].money !== ACCOUNTS * START) throw new Error(`money ${rows[0].money}`);
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  }
  const ms = performance.now() - first;
  await Promise.all(ws.map((w) => w.terminate()));
  await admin.end();
  process.stdout.write(`${JSON.stringify({ rounds, ms, startMs: first - t0 })}\n`);
} else {
  const clients = await Promise.all(
    Array.from({ length: workerData.lanes }, async () => {
      const c = new pg.Client(workerData.url);
      await c.connect();
      return c;
    }),
  );
  parentPort.postMessage('ready');
  parentPort.on('message', async (schema) => {
    await Promise.all(clients.map((c) => c.query(`SET search_path TO "${schema}"`)));
    await Promise.all(clients.map((c) => transfer(c, pick(Math.random))));
    parentPort.postMessage('done');
  });
}
