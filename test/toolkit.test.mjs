// Tests of the adapter-author toolkit (src/toolkit), against the built dist/.
// Cross-thread behaviour is checked with real worker_threads (eval'd workers that import dist).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { AsyncLock, Mutex, MutexDeadlockError, MutexTimeoutError, SharedCounter, SharedCounters, threadLocal } from '../dist/toolkit/index.js';

const TOOLKIT_URL = new URL('../dist/toolkit/index.js', import.meta.url).href;
/** Guard so a regression fails the test instead of hanging the run; not a speed assertion. */
const GUARD = { timeout: 10_000 };

const live = new Set();
after(async () => {
  // Nothing may outlive the tests (a stuck worker would keep the process alive).
  await Promise.all([...live].map((w) => w.terminate()));
});

/**
 * Start a worker running `body` as an async function with `tk` (the toolkit), `workerData`,
 * `threadId`, `progress(msg)` and `barrier()` (spin until every worker of the group arrived) in scope.
 * The body's return value is the worker's result.
 */
function spawn(body, workerData = {}) {
  const code = `
    const { parentPort, workerData, threadId } = require('node:worker_threads');
    const progress = (msg) => parentPort.postMessage({ progress: msg });
    const barrier = () => {
      const b = new Int32Array(workerData.barrier);
      Atomics.add(b, 0, 1);
      while (Atomics.load(b, 0) < workerData.parties) {}
    };
    import(${JSON.stringify(TOOLKIT_URL)})
      .then(async (tk) => { ${body} })
      .then((result) => parentPort.postMessage({ result }),
            (err) => parentPort.postMessage({ error: String((err && err.stack) || err) }));
  `;
  const worker = new Worker(code, { eval: true, workerData });
  live.add(worker);
  const progress = [];
  let progressWaiter;
  let exited = false;
  const result = new Promise((resolve, reject) => {
    worker.on('message', (msg) => {
      if ('progress' in msg) {
        progress.push(msg.progress);
        progressWaiter?.();
      } else if ('error' in msg) reject(new Error(`worker failed: ${msg.error}`));
      else resolve(msg.result);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      exited = true;
      live.delete(worker);
      reject(new Error(`worker exited (code ${code}) before returning a result`));
    });
  });
  result.catch(() => {}); // observed by the caller; avoid unhandled-rejection noise when it isn't
  return {
    worker,
    result,
    get exited() {
      return exited;
    },
    /** Resolve once the worker called progress(msg). */
    async reached(msg) {
      while (!progress.includes(msg)) {
        await Promise.race([new Promise((r) => (progressWaiter = r)), result]);
      }
    },
    async stop() {
      await worker.terminate();
      live.delete(worker);
    },
  };
}

/** Run `body` in `n` workers sharing a start barrier; resolve to their results. */
async function inWorkers(n, body, data = {}) {
  const shared = { ...data, barrier: new SharedArrayBuffer(4), parties: n };
  const handles = Array.from({ length: n }, () => spawn(body, shared));
  try {
    return await Promise.all(handles.map((h) => h.result));
  } finally {
    await Promise.all(handles.map((h) => h.stop()));
  }
}

// ---------------------------------------------------------------------------------------------
// Mutex

test('Mutex.withLock makes a plain read-modify-write on shared memory exact across workers', GUARD, async () => {
  const mutex = new Mutex();
  const cells = new SharedArrayBuffer(4);
  const workers = 3;
  const iterations = 5_000;
  const results = await inWorkers(
    workers,
    `
      const m = new tk.Mutex(workerData.lock);
      const v = new Int32Array(workerData.cells);
      barrier();
      let last;
      for (let i = 0; i < workerData.iterations; i++) {
        // Deliberately non-atomic: read, then write back. Only the lock keeps it exact.
        last = m.withLock(() => { const x = v[0]; v[0] = x + 1; return x + 1; });
      }
      return last;
    `,
    { lock: mutex.buffer, cells, iterations },
  );
  assert.equal(new Int32Array(cells)[0], workers * iterations);
  for (const last of results) assert.ok(last >= iterations && last <= workers * iterations); // withLock returns fn's value
  assert.equal(mutex.isLocked, false);
});

test('Mutex.withLockAsync with an await inside is exact across workers and async lanes', GUARD, async () => {
  const mutex = new Mutex();
  const cells = new SharedArrayBuffer(4);
  const workers = 2;
  const lanes = 4;
  const iterations = 60;
  await inWorkers(
    workers,
    `
      const m = new tk.Mutex(workerData.lock);
      const v = new Int32Array(workerData.cells);
      barrier();
      const lane = async () => {
        for (let i = 0; i < workerData.iterations; i++) {
          await m.withLockAsync(async () => {
            const x = v[0];
            // Yield to the event loop inside the section: other lanes must not get in.
            await (i % 2 ? Promise.resolve() : new Promise((r) => setImmediate(r)));
            v[0] = x + 1;
          });
        }
      };
      await Promise.all(Array.from({ length: workerData.lanes }, lane));
    `,
    { lock: mutex.buffer, cells, lanes, iterations },
  );
  assert.equal(new Int32Array(cells)[0], workers * lanes * iterations);
  assert.equal(mutex.isLocked, false);
});

test('Mutex.withLockAsync keeps a waiting worker alive (Node 20: waitAsync alone does not)', GUARD, async () => {
  const mutex = new Mutex();
  mutex.lock(); // held by the main thread, so the worker has to wait
  const h = spawn(
    `
      const m = new tk.Mutex(workerData.lock);
      const p = m.withLockAsync(async () => 'acquired');
      progress('waiting');
      return await p; // nothing else keeps this worker's event loop open
    `,
    { lock: mutex.buffer },
  );
  try {
    await h.reached('waiting');
    await sleep(100); // without the keep-alive the worker exits within a few ms here
    assert.equal(h.exited, false, 'worker exited while waiting for the lock');
    mutex.unlock();
    assert.equal(await h.result, 'acquired');
  } finally {
    await h.stop();
  }
});

test('reentrant Mutex: the holding worker may lock again; other threads are still excluded', GUARD, async () => {
  const mutex = new Mutex({ reentrant: true });
  const gate = new SharedArrayBuffer(4);
  const h = spawn(
    `
      const m = new tk.Mutex(workerData.lock); // reentrancy travels with the buffer
      const out = { reentrant: m.reentrant };
      out.nested = m.withLock(() => m.withLock(() => m.withLock(() => 42)));
      m.lock(); m.lock(); m.unlock();
      out.stillHeldAfterInnerUnlock = m.isLocked;
      m.unlock();
      out.freeAfterOuterUnlock = !m.isLocked;
      out.asyncNested = await m.withLockAsync(async () => {
        await null;
        return m.withLockAsync(async () => { await null; return m.withLock(() => 7); });
      });
      // Hold it, let the main thread probe, then release.
      m.lock();
      progress('holding');
      Atomics.wait(new Int32Array(workerData.gate), 0, 0);
      m.unlock();
      return out;
    `,
    { lock: mutex.buffer, gate },
  );
  try {
    await h.reached('holding');
    assert.equal(mutex.tryLock(), false, 'another thread got into a reentrant mutex held by a worker');
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    assert.deepEqual(await h.result, {
      reentrant: true,
      nested: 42,
      stillHeldAfterInnerUnlock: true,
      freeAfterOuterUnlock: true,
      asyncNested: 7,
    });
    assert.equal(mutex.tryLock(), true);
    mutex.unlock();
  } finally {
    await h.stop();
  }
});

test('reentrant Mutex: async lanes of one thread still exclude each other', GUARD, async () => {
  const mutex = new Mutex({ reentrant: true });
  let value = 0;
  const lane = async () => {
    for (let i = 0; i < 50; i++) {
      await mutex.withLockAsync(async () => {
        const x = value;
        await new Promise((r) => setImmediate(r));
        value = x + 1;
      });
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  assert.equal(value, 200);
  assert.equal(mutex.isLocked, false);
});

test('reentrant Mutex: a sync lock from another lane of the holding thread throws instead of deadlocking', GUARD, async () => {
  const mutex = new Mutex({ reentrant: true });
  let release;
  const holder = mutex.withLockAsync(() => new Promise((r) => (release = r)));
  await null;
  await null; // let the holder acquire and enter its section
  assert.equal(mutex.isLocked, true);
  assert.throws(() => mutex.lock(), MutexDeadlockError);
  release();
  await holder;
  assert.equal(mutex.isLocked, false);
});

test('non-reentrant Mutex re-locked by the same worker blocks (a real deadlock, no throw)', GUARD, async () => {
  const mutex = new Mutex();
  const h = spawn(
    `
      const m = new tk.Mutex(workerData.lock);
      m.lock();
      progress('relocking');
      m.lock(); // must block forever
      return 'unreachable';
    `,
    { lock: mutex.buffer },
  );
  try {
    await h.reached('relocking');
    const outcome = await Promise.race([
      h.result.then(
        () => 'finished',
        (e) => `failed: ${e.message}`,
      ),
      sleep(300, 'blocked'),
    ]);
    assert.equal(outcome, 'blocked');
    assert.equal(h.exited, false);
    assert.equal(mutex.isLocked, true);
  } finally {
    await h.stop(); // terminate() interrupts the Atomics.wait
  }
});

test('Mutex.tryLock, timeouts and misuse errors', GUARD, async () => {
  const mutex = new Mutex();
  assert.equal(mutex.tryLock(), true);
  assert.equal(mutex.tryLock(), false, 'tryLock on a held non-reentrant mutex must fail, not block');
  assert.equal(mutex.tryLock(20), false);
  assert.throws(() => mutex.lock({ timeoutMs: 20 }), MutexTimeoutError);
  let ran = false;
  assert.throws(() => mutex.withLock(() => (ran = true), { timeoutMs: 10 }), MutexTimeoutError);
  await assert.rejects(
    mutex.withLockAsync(() => (ran = true), { timeoutMs: 10 }),
    MutexTimeoutError,
  );
  assert.equal(ran, false, 'a timed-out section must not run');

  // A worker sees it held; tryLock(timeout) succeeds once the main thread releases.
  const h = spawn(
    `
      const m = new tk.Mutex(workerData.lock);
      const whileHeld = m.tryLock();
      progress('probed');
      const later = m.tryLock(5000);
      if (later) m.unlock();
      return { whileHeld, later };
    `,
    { lock: mutex.buffer },
  );
  try {
    await h.reached('probed');
    mutex.unlock();
    assert.deepEqual(await h.result, { whileHeld: false, later: true });
  } finally {
    await h.stop();
  }

  assert.equal(mutex.tryLock(), true);
  mutex.unlock();
  assert.throws(() => mutex.unlock(), /not locked/);

  // withLock: returns the value, releases on throw, rejects async sections.
  assert.equal(
    mutex.withLock(() => 'v'),
    'v',
  );
  assert.throws(
    () =>
      mutex.withLock(() => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(mutex.isLocked, false);
  assert.throws(() => mutex.withLock(async () => 1), TypeError);
  assert.equal(mutex.isLocked, false);
  await assert.rejects(
    mutex.withLockAsync(async () => {
      throw new Error('async boom');
    }),
    /async boom/,
  );
  assert.equal(mutex.isLocked, false);

  // Attaching checks the buffer and the mode.
  assert.throws(() => new Mutex(new SharedArrayBuffer(32)), TypeError);
  assert.throws(() => new Mutex(mutex.buffer, { reentrant: true }), TypeError);
  assert.equal(new Mutex(new Mutex({ reentrant: true }).buffer).reentrant, true);
});

// ---------------------------------------------------------------------------------------------
// AsyncLock

test('AsyncLock serializes read-await-write across concurrent lanes', GUARD, async () => {
  const lock = new AsyncLock();
  let value = 0;
  let inside = 0;
  let maxInside = 0;
  const lane = async () => {
    for (let i = 0; i < 25; i++) {
      await lock.run(async () => {
        maxInside = Math.max(maxInside, ++inside);
        const x = value;
        await (i % 2 ? Promise.resolve() : new Promise((r) => setImmediate(r)));
        value = x + 1;
        inside--;
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  assert.equal(value, 200);
  assert.equal(maxInside, 1);
  assert.equal(lock.size, 0);
});

test('AsyncLock: returns the result, a throwing section releases and rethrows', GUARD, async () => {
  const lock = new AsyncLock();
  assert.equal(await lock.run(() => 5), 5);
  assert.equal(await lock.run('k', async () => 'x'), 'x');
  const failing = lock.run(async () => {
    throw new Error('nope');
  });
  const next = lock.run(() => 'after');
  await assert.rejects(failing, /nope/);
  assert.equal(await next, 'after');
  await assert.rejects(
    lock.run(() => {
      throw new Error('sync nope');
    }),
    /sync nope/,
  );
  assert.equal(lock.size, 0);
});

test('AsyncLock: one key serializes, different keys run concurrently, drained keys are removed', GUARD, async () => {
  const lock = new AsyncLock();
  let releaseA;
  const order = [];
  const a1 = lock.run('a', async () => {
    order.push('a1 start');
    await new Promise((r) => (releaseA = r));
    order.push('a1 end');
  });
  const a2 = lock.run('a', async () => order.push('a2'));
  // 'b' must get in while 'a' is held; it also releases 'a', so a shared lock would deadlock here.
  const b = lock.run('b', async () => {
    order.push('b');
    releaseA();
  });
  assert.equal(lock.isLocked('a'), true);
  assert.equal(lock.size, 2);
  await Promise.all([a1, a2, b]);
  assert.deepEqual(order, ['a1 start', 'b', 'a1 end', 'a2']);
  assert.equal(lock.isLocked('a'), false);
  assert.equal(lock.size, 0);

  // Many one-off keys must not accumulate.
  await Promise.all(Array.from({ length: 100 }, (_, i) => lock.run(`k${i}`, async () => i)));
  assert.equal(lock.size, 0);
});

// ---------------------------------------------------------------------------------------------
// SharedCounter

test('SharedCounter is exact across workers', GUARD, async () => {
  const counter = new SharedCounter();
  const named = new SharedCounters(['hits', 'misses']);
  const workers = 3;
  const iterations = 20_000;
  await inWorkers(
    workers,
    `
      const c = new tk.SharedCounter(workerData.counter);
      const n = new tk.SharedCounters(workerData.named);
      barrier();
      for (let i = 0; i < workerData.iterations; i++) {
        c.increment();
        c.add(2);
        n.increment('hits');
        n.add('misses', 3);
      }
    `,
    { counter: counter.buffer, named: named.buffer, iterations },
  );
  assert.equal(counter.get(), workers * iterations * 3);
  assert.deepEqual(named.snapshot(), { hits: workers * iterations, misses: workers * iterations * 3 });
});

test('SharedCounter API: add returns the new value, set/get, compareAndSet, int32 checks', () => {
  const c = new SharedCounter(10);
  assert.equal(c.add(), 11);
  assert.equal(c.add(-5), 6);
  assert.equal(c.increment(), 7);
  assert.equal(c.decrement(), 6);
  c.set(100);
  assert.equal(new SharedCounter(c.buffer).get(), 100, 'an attached counter sees the same memory');
  assert.equal(c.compareAndSet(100, 1), true);
  assert.equal(c.compareAndSet(100, 2), false);
  assert.equal(c.get(), 1);
  assert.throws(() => c.add(0.5), RangeError);
  assert.throws(() => c.set(2 ** 31), RangeError);
  assert.throws(() => new SharedCounter(new SharedArrayBuffer(8)), TypeError);

  const n = new SharedCounters(['a', 'b']);
  const attached = new SharedCounters(n.buffer);
  assert.deepEqual(attached.names, ['a', 'b']);
  assert.equal(attached.add('b', 4), 4);
  assert.equal(n.get('b'), 4);
  assert.throws(() => n.get('c'), RangeError);
  assert.throws(() => new SharedCounters(['x', 'x']), TypeError);
});

// ---------------------------------------------------------------------------------------------
// threadLocal

test('threadLocal gives each worker (and the main thread) its own value', GUARD, async () => {
  const results = await inWorkers(
    3,
    `
      const tl = tk.threadLocal(() => ({ owner: threadId, list: [] }));
      const first = tl.get();
      first.list.push(threadId);
      const same = tl.get() === first;
      tl.set({ owner: -1, list: [] });
      const replaced = tl.get().owner;
      tl.reset();
      const fresh = tl.get();
      return { owner: first.owner, list: first.list, same, replaced, freshIsNew: fresh !== first && fresh.list.length === 0 };
    `,
  );
  const owners = results.map((r) => r.owner);
  assert.equal(new Set(owners).size, 3, 'two workers got the same value');
  for (const r of results) {
    assert.deepEqual(r.list, [r.owner]);
    assert.equal(r.same, true);
    assert.equal(r.replaced, -1);
    assert.equal(r.freshIsNew, true);
  }

  let made = 0;
  const main = threadLocal(() => ++made);
  assert.equal(main.get(), 1);
  assert.equal(main.get(), 1, 'the factory runs once per thread');
  main.reset();
  assert.equal(main.get(), 2);
  assert.ok(!owners.includes(0), 'the main thread (threadId 0) value is separate');
});
