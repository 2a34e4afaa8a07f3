/**
 * Lock-free counters over shared memory, exact across workers and the main thread.
 *
 * Values are **32-bit signed integers** (`Int32Array` + `Atomics`): range -2,147,483,648 to
 * 2,147,483,647, and they wrap around like a C `int32_t` past either end. Int32 was chosen over
 * BigInt64 so that the API takes and returns plain numbers with no BigInt allocation per call
 * (the counters sit on the hot path being measured); 2^31 calls per round is far beyond what a run
 * makes. (Float64 is not an option: Atomics only works on integer arrays.)
 *
 * ```js
 * export function setup() { return { hits: new SharedCounter().buffer }; }
 * let hits;
 * export function init(shared) { hits = new SharedCounter(shared.hits); }
 * export const operations = { hit: () => hits.increment() };
 * export function stats(shared) { return { hit: new SharedCounter(shared.hits).get() }; }
 * ```
 *
 * @module
 */

const COUNTER_MAGIC = 0x436e7431; // 'Cnt1'
const COUNTERS_MAGIC = 0x436e7453; // 'CntS'
/** Named slots sit 64 bytes apart so counters bumped by different cores don't share a cache line. */
const SLOT_STRIDE = 16;

function int32(value: number, what: string): number {
  if ((value | 0) !== value) throw new RangeError(`${what} must be a 32-bit integer, got ${String(value)}`);
  return value;
}

/** One shared 32-bit counter. `new SharedCounter()` allocates; `new SharedCounter(buffer)` attaches. */
export class SharedCounter {
  /** The shared memory of this counter: pass it to workers (e.g. in setup's return value). */
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;

  /** Create a counter starting at `initial` (default 0). */
  constructor(initial?: number);
  /** Attach to the counter living in `buffer` (from another thread's `counter.buffer`). */
  constructor(buffer: SharedArrayBuffer);
  constructor(bufferOrInitial: SharedArrayBuffer | number = 0) {
    if (bufferOrInitial instanceof SharedArrayBuffer) {
      const cells = bufferOrInitial.byteLength === 8 ? new Int32Array(bufferOrInitial) : undefined;
      if (cells === undefined || Atomics.load(cells, 0) !== COUNTER_MAGIC) {
        throw new TypeError('SharedCounter: buffer is not a SharedCounter buffer (use counter.buffer)');
      }
      this.buffer = bufferOrInitial;
      this.#cells = cells;
    } else {
      this.buffer = new SharedArrayBuffer(8);
      this.#cells = new Int32Array(this.buffer);
      this.#cells[0] = COUNTER_MAGIC;
      this.#cells[1] = int32(bufferOrInitial, 'SharedCounter: initial');
    }
  }

  /** Atomically add `n` (default 1, may be negative) and return the new value. */
  add(n = 1): number {
    return (Atomics.add(this.#cells, 1, int32(n, 'SharedCounter.add: n')) + n) | 0;
  }

  /** Atomically add 1 and return the new value. */
  increment(): number {
    return (Atomics.add(this.#cells, 1, 1) + 1) | 0;
  }

  /** Atomically subtract 1 and return the new value. */
  decrement(): number {
    return (Atomics.sub(this.#cells, 1, 1) - 1) | 0;
  }

  /** The current value. */
  get(): number {
    return Atomics.load(this.#cells, 1);
  }

  /** Overwrite the value. */
  set(value: number): void {
    Atomics.store(this.#cells, 1, int32(value, 'SharedCounter.set: value'));
  }

  /** Set to `next` only if the value is `expected` (check-then-act done atomically); returns whether it did. */
  compareAndSet(expected: number, next: number): boolean {
    return Atomics.compareExchange(this.#cells, 1, int32(expected, 'expected'), int32(next, 'next')) === expected;
  }
}

/**
 * Several named shared counters in one buffer; the names travel inside the buffer, so attaching
 * needs only the buffer. `snapshot()` returns a plain object of numbers, the shape the adapter's
 * `stats(shared)` hook returns.
 *
 * ```js
 * export function setup() { return { c: new SharedCounters(['deposit', 'withdraw']).buffer }; }
 * export function stats(shared) { return new SharedCounters(shared.c).snapshot(); }
 * ```
 */
export class SharedCounters<Name extends string = string> {
  /** The shared memory: pass it to workers (e.g. in setup's return value). */
  readonly buffer: SharedArrayBuffer;
  /** The slot names, in creation order. */
  readonly names: readonly Name[];
  readonly #cells: Int32Array;
  readonly #index: ReadonlyMap<string, number>;

  /** Create one counter per name, all starting at 0. */
  constructor(names: readonly Name[]);
  /** Attach to counters living in `buffer` (from another thread's `counters.buffer`). */
  constructor(buffer: SharedArrayBuffer);
  constructor(namesOrBuffer: readonly Name[] | SharedArrayBuffer) {
    if (namesOrBuffer instanceof SharedArrayBuffer) {
      const buffer = namesOrBuffer;
      const head = buffer.byteLength >= 12 ? new Int32Array(buffer, 0, 3) : undefined;
      if (head === undefined || Atomics.load(head, 0) !== COUNTERS_MAGIC) {
        throw new TypeError('SharedCounters: buffer is not a SharedCounters buffer (use counters.buffer)');
      }
      const count = head[1]!; // length 3, checked above
      const nameBytes = head[2]!;
      const namesOffset = (count + 1) * SLOT_STRIDE * 4;
      // TextDecoder refuses views of shared memory: copy the bytes out first.
      const json = new TextDecoder().decode(new Uint8Array(buffer, namesOffset, nameBytes).slice());
      this.buffer = buffer;
      this.names = Object.freeze(JSON.parse(json) as Name[]);
      this.#cells = new Int32Array(buffer, 0, namesOffset / 4);
    } else {
      const names = [...namesOrBuffer];
      if (names.length === 0) throw new TypeError('SharedCounters: give at least one name');
      if (new Set(names).size !== names.length) throw new TypeError('SharedCounters: names must be distinct');
      const encoded = new TextEncoder().encode(JSON.stringify(names));
      const namesOffset = (names.length + 1) * SLOT_STRIDE * 4;
      this.buffer = new SharedArrayBuffer(namesOffset + encoded.length);
      this.#cells = new Int32Array(this.buffer, 0, namesOffset / 4);
      new Uint8Array(this.buffer, namesOffset).set(encoded);
      this.#cells[1] = names.length;
      this.#cells[2] = encoded.length;
      Atomics.store(this.#cells, 0, COUNTERS_MAGIC);
      this.names = Object.freeze(names);
    }
    this.#index = new Map(this.names.map((name, i) => [name, (i + 1) * SLOT_STRIDE]));
  }

  #slot(name: Name): number {
    const slot = this.#index.get(name);
    if (slot === undefined) throw new RangeError(`SharedCounters: unknown counter "${name}" (have: ${this.names.join(', ')})`);
    return slot;
  }

  /** Atomically add `n` (default 1) to `name` and return the new value. */
  add(name: Name, n = 1): number {
    return (Atomics.add(this.#cells, this.#slot(name), int32(n, 'SharedCounters.add: n')) + n) | 0;
  }

  /** Atomically add 1 to `name` and return the new value. */
  increment(name: Name): number {
    return (Atomics.add(this.#cells, this.#slot(name), 1) + 1) | 0;
  }

  /** The current value of `name`. */
  get(name: Name): number {
    return Atomics.load(this.#cells, this.#slot(name));
  }

  /** Overwrite `name`. */
  set(name: Name, value: number): void {
    Atomics.store(this.#cells, this.#slot(name), int32(value, 'SharedCounters.set: value'));
  }

  /** Every counter's current value (each read atomically; the set is not one atomic snapshot). */
  snapshot(): Record<Name, number> {
    const out = {} as Record<Name, number>;
    for (const name of this.names) out[name] = Atomics.load(this.#cells, this.#slot(name));
    return out;
  }
}
