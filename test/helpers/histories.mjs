// Realistic call histories for the linearizability checker's tests and bench, made by simulation: every
// worker × lane runs its calls one after another with random durations and gaps (ms, µs scale), and
// the object under test either acts atomically at a random instant inside each call (a linearizable
// history, by construction) or reads when the call starts and writes when it ends (an unguarded
// read-modify-write: lost updates wherever two calls overlap). Seeded: the same seed, the same history.
import { mulberry32 } from '../../dist/pool/prng.js';

/**
 * `object`: { pick(random) -> { op, input }, apply(op, input) -> output (atomic), read(op, input) -> token,
 * write(op, input, token) -> output (the racy halves) }. `racy`: use read at start and write at end.
 * `callsPerWorker` spread over the worker's lanes round-robin.
 */
export function simulate({ workers, lanes, callsPerWorker, object, racy = false, seed = 1 }) {
  const random = mulberry32(seed);
  const calls = [];
  for (let w = 0; w < workers; w++) {
    const clocks = Array.from({ length: lanes }, () => random() * 0.01);
    for (let k = 0; k < callsPerWorker; k++) {
      const lane = k % lanes;
      const start = clocks[lane] + random() * 0.005;
      const end = start + 0.002 + random() * 0.02;
      clocks[lane] = end;
      const { op, input } = object.pick(random);
      calls.push({ worker: w, lane, op, ...(input !== undefined ? { input } : {}), start, end, at: start + random() * (end - start) });
    }
  }
  // Play the object in time order: at each call's instant (atomic) or at its start and end (racy).
  const events = racy
    ? calls.flatMap((c) => [
        { t: c.start, c, half: 'read' },
        { t: c.end, c, half: 'write' },
      ])
    : calls.map((c) => ({ t: c.at, c, half: 'apply' }));
  events.sort((a, b) => a.t - b.t || (a.half === 'write') - (b.half === 'write'));
  const tokens = new Map();
  for (const { c, half } of events) {
    if (half === 'read') tokens.set(c, object.read(c.op, c.input));
    else {
      try {
        c.output = half === 'apply' ? object.apply(c.op, c.input) : object.write(c.op, c.input, tokens.get(c));
      } catch (e) {
        c.error = e.message;
      }
    }
  }
  return calls.map(({ at: _at, ...c }) => c).sort((a, b) => a.start - b.start);
}

/** A counter: `inc` answers the new count, `get` the count. */
export const counterModel = {
  init: () => 0,
  step: (s, op, _input, out) => (op === 'inc' ? { ok: out === s + 1, state: s + 1 } : { ok: out === s, state: s }),
};
export function counterObject(getShare = 0.2) {
  let n = 0;
  return {
    pick: (random) => ({ op: random() < getShare ? 'get' : 'inc' }),
    apply: (op) => (op === 'inc' ? ++n : n),
    read: () => n,
    write: (op, _input, seen) => (op === 'inc' ? (n = seen + 1) : seen),
  };
}

/** A key-value store of counters: `add([key, d])` answers the key's new value, `get(key)` its value (0 if unset). */
export const kvModel = {
  init: () => ({}),
  step(s, op, input, out) {
    if (op === 'get') return { ok: out === (s[input] ?? 0), state: s };
    const [k, d] = input;
    const v = (s[k] ?? 0) + d;
    return { ok: out === v, state: { ...s, [k]: v } };
  },
  partition: (op, input) => (op === 'get' ? input : input[0]),
};
export function kvObject(keys = 8) {
  const m = new Map();
  const keyOf = (random) => `k${Math.floor(random() * keys)}`;
  return {
    pick: (random) => (random() < 0.3 ? { op: 'get', input: keyOf(random) } : { op: 'add', input: [keyOf(random), 1 + Math.floor(random() * 3)] }),
    apply(op, input) {
      if (op === 'get') return m.get(input) ?? 0;
      const v = (m.get(input[0]) ?? 0) + input[1];
      m.set(input[0], v);
      return v;
    },
    read: (op, input) => m.get(op === 'get' ? input : input[0]) ?? 0,
    write(op, input, seen) {
      if (op === 'get') return seen;
      m.set(input[0], seen + input[1]);
      return seen + input[1];
    },
  };
}

/** The same model without its partition: one search over every key together. */
export const unpartitioned = (model) => ({ init: model.init, step: model.step });
