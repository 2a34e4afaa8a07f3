// Is a round's call history linearizable against the adapter's sequential model? Wing & Gong's search
// with Lowe's memoisation, as Porcupine (github.com/anishathalye/porcupine, checker.go) does it: try
// the calls that may go next in start order, step the model, remember every (calls done, state) pair
// already explored, backtrack when nothing fits. Differences, all this tool's own:
// - real-time order is per pair of calls: A precedes B iff A.end + margin < B.start, the margin 0 on
//   one worker (one clock) and `crossWorkerMarginMs` across workers, whose clocks agree only within a
//   few microseconds (an order that may be false is never invented);
// - the budget counts model steps, so the answer is the same on a fast and a slow machine, and an
//   exhausted budget is `unknown`, never a wrong answer;
// - P-compositionality: the model's `partition` splits the calls by key, each key checked on its own.
import type { Model, ModelStep } from '../adapter/types.js';
import type { HistoryCall } from '../schema/report.js';
import { errorLine } from '../errors.js';
import { mulberry32 } from '../pool/prng.js';

/**
 * `violation`: no order explains the calls. `culprit` is the call no order could place: at the deepest
 * point the search reached (the most calls linearized, first found), the call not yet linearized that
 * returned earliest (every later call had to wait for it, and the model accepted it in no place).
 * `order` is that deepest prefix; `group` the calls checked together (its partition), when partitioned.
 * `unknown`: not decided (the step budget ran out, or a call never returned). `model-error`: the
 * model itself threw or answered something that is not `{ ok, state }`: the caller reports it as such.
 * Every index is an index into the `calls` given.
 */
export type LinearizabilityResult =
  | { outcome: 'ok'; steps: number }
  | { outcome: 'violation'; culprit: number; partition?: string; steps: number; order: number[]; group?: number[] }
  | { outcome: 'unknown'; steps: number; reason: string }
  | { outcome: 'model-error'; steps: number; message: string };

export interface LinearizabilityOptions {
  /** Most `model.step` calls over the whole check (every partition): beyond it the answer is `unknown`. */
  maxSteps: number;
  /** Calls on different workers closer than this (ms) are taken as concurrent. */
  crossWorkerMarginMs: number;
}

/** A model that cannot be run: carries what to tell the user. */
class ModelFailure extends Error {}

/** Out of steps. */
class OutOfBudget extends Error {}

export function checkLinearizable(model: Model, calls: readonly HistoryCall[], opts: LinearizabilityOptions): LinearizabilityResult {
  const pending = calls.filter((c) => c.end === null).length;
  if (pending) return { outcome: 'unknown', steps: 0, reason: `${pending} of ${calls.length} calls never returned: their outputs are unknown` };
  const budget = { steps: 0, max: opts.maxSteps };
  try {
    for (const { key, members } of groupsOf(model, calls)) {
      const found = checkGroup(model, calls, members, opts.crossWorkerMarginMs, budget);
      if (found)
        return {
          outcome: 'violation',
          culprit: found.culprit,
          steps: budget.steps,
          order: found.order,
          ...(key !== undefined ? { partition: String(key), group: members } : {}),
        };
    }
    return { outcome: 'ok', steps: budget.steps };
  } catch (e) {
    if (e instanceof OutOfBudget)
      return { outcome: 'unknown', steps: budget.steps, reason: `the check ran out of its budget (${budget.max} model steps) before it could decide` };
    if (e instanceof ModelFailure) return { outcome: 'model-error', steps: budget.steps, message: e.message };
    throw e;
  }
}

/** Runs an adapter's model function; whatever it throws becomes a ModelFailure naming it. */
function modelCall<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new ModelFailure(`the model's ${what} threw: ${errorLine(e)}`);
  }
}

/**
 * The calls split by the model's partition key, in order of their first call; one group of all the
 * calls when there is no partition, or when a call has no key (it touches every key).
 */
function groupsOf(model: Model, calls: readonly HistoryCall[]): { key: string | number | undefined; members: number[] }[] {
  const all = [{ key: undefined, members: calls.map((_, i) => i) }];
  if (!model.partition) return all;
  const groups = new Map<string | number, number[]>();
  for (const [i, c] of calls.entries()) {
    const key = modelCall(`partition('${c.op}')`, () => model.partition!(c.op, c.input));
    if (key === undefined) return all;
    if (typeof key !== 'string' && typeof key !== 'number')
      throw new ModelFailure(`the model's partition('${c.op}') returned ${typeof key}, not a string, a number or undefined`);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  if (groups.size <= 1) return groups.size ? [{ key: undefined, members: [...groups.values()][0]! }] : all;
  return [...groups].map(([key, members]) => ({ key, members })).sort((a, b) => calls[a.members[0]!]!.start - calls[b.members[0]!]!.start);
}

/**
 * One group's search. null: linearizable. Otherwise the culprit and the deepest prefix, as indices
 * into `calls`. Long because it is one search (Wing & Gong with Lowe's memo, as Porcupine writes it):
 * its stack, memo and deepest prefix change together at every step, and split up they would travel
 * between functions on every call of the hottest loop of the check.
 */
function checkGroup(
  model: Model,
  calls: readonly HistoryCall[],
  members: readonly number[],
  margin: number,
  budget: { steps: number; max: number },
): { culprit: number; order: number[] } | null {
  // Local ids 0..n-1 in start order (ties: the earlier end first).
  const ids = [...members].sort((a, b) => calls[a]!.start - calls[b]!.start || calls[a]!.end! - calls[b]!.end!);
  const n = ids.length;
  const local = ids.map((i) => calls[i]!);
  const start = Float64Array.from(local, (c) => c.start);
  const end = Float64Array.from(local, (c) => c.end!);
  const workerIds = [...new Set(local.map((c) => c.worker))];
  const W = workerIds.length;
  const worker = Int32Array.from(local, (c) => workerIds.indexOf(c.worker));
  // A thrown call reaches the model as an Error (one per call, made once).
  const outputs = local.map((c) => (c.error !== undefined ? new Error(c.error) : c.output));

  // The calls not yet linearized, as dancing links (removed and put back in LIFO order): one list in
  // start order (the candidates, head n), and per worker one in end order (heads n+1+w), whose heads
  // say how far the next call may start.
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const enext = new Int32Array(n + 1 + W);
  const eprev = new Int32Array(n + 1 + W);
  const HEAD = n;
  link(
    next,
    prev,
    HEAD,
    Array.from({ length: n }, (_, i) => i),
  );
  for (let w = 0; w < W; w++) {
    const byEnd = Array.from({ length: n }, (_, i) => i)
      .filter((i) => worker[i] === w)
      .sort((a, b) => end[a]! - end[b]!);
    link(enext, eprev, n + 1 + w, byEnd);
  }
  const lift = (i: number): void => {
    next[prev[i]!] = next[i]!;
    prev[next[i]!] = prev[i]!;
    enext[eprev[i]!] = enext[i]!;
    eprev[enext[i]!] = eprev[i]!;
  };
  const unlift = (i: number): void => {
    eprev[enext[i]!] = i;
    enext[eprev[i]!] = i;
    prev[next[i]!] = i;
    next[prev[i]!] = i;
  };

  // How late a call of each worker may start and still go next: before every other remaining call of
  // its worker ended, and before every remaining call of another worker ended plus the margin.
  const bound = new Float64Array(W);
  let limit = 0;
  const computeBounds = (): void => {
    let min1 = Infinity;
    let min1w = -1;
    let min2 = Infinity;
    for (let w = 0; w < W; w++) {
      const h = enext[n + 1 + w]!;
      const m = h === n + 1 + w ? Infinity : end[h]!;
      bound[w] = m;
      if (m < min1) {
        min2 = min1;
        min1 = m;
        min1w = w;
      } else if (m < min2) min2 = m;
    }
    for (let w = 0; w < W; w++) bound[w] = Math.min(bound[w]!, (w === min1w ? min2 : min1) + margin);
    limit = min1 + margin;
  };

  // The set of linearized calls as three 32-bit hashes (XOR of a seeded random word per call, kept up
  // to date on every flip): O(1) per step however long the history, where a bitset key would cost n/16
  // characters per step. A collision (about 2^-96 per pair of keys) could only skip a branch.
  const random = mulberry32(n + 1);
  const salt = Uint32Array.from({ length: 3 * n }, () => (random() * 2 ** 32) >>> 0);
  const hash = new Uint32Array(3);
  const flip = (i: number): void => {
    hash[0]! ^= salt[3 * i]!;
    hash[1]! ^= salt[3 * i + 1]!;
    hash[2]! ^= salt[3 * i + 2]!;
  };
  const keyOf = (s: unknown): string => modelCall('state (as a cache key)', () => stateKey(s));
  const seen = new Set<string>();

  // Every call that may go next and that the model accepts there, with the state after it. Calls that
  // leave the state as it was (reads) are tried first: placing a state-changing call before a read that
  // needed the old state strands the read, and only a deep backtrack would find that out.
  type Choice = { call: number; state: unknown; key: string };
  const expand = (state: unknown): Choice[] => {
    computeBounds();
    const here = keyOf(state);
    const same: Choice[] = [];
    const changed: Choice[] = [];
    for (let i = next[HEAD]!; i !== HEAD && start[i]! <= limit; i = next[i]!) {
      if (start[i]! > bound[worker[i]!]!) continue;
      const r = step(model, state, local[i]!, outputs[i], budget);
      if (!r.ok) continue;
      const key = keyOf(r.state);
      (key === here ? same : changed).push({ call: i, state: r.state, key });
    }
    return same.concat(changed);
  };

  // Depth-first over the choices, each level's choices kept on the stack for the way back.
  const stack: { call: number; before: unknown; choices: Choice[]; next: number }[] = [];
  // The deepest prefix so far, updated from where it and the stack part (amortised O(1) per step).
  const deepest: number[] = [];
  let shared = 0;
  let state = modelCall('init()', () => model.init());
  let choices = expand(state);
  let k = 0;
  while (next[HEAD] !== HEAD) {
    const c = choices[k++];
    if (c) {
      flip(c.call);
      const key = `${hash[0]}:${hash[1]}:${hash[2]}:${c.key}`;
      if (seen.has(key)) {
        flip(c.call);
        continue;
      }
      seen.add(key);
      stack.push({ call: c.call, before: state, choices, next: k });
      lift(c.call);
      if (shared === stack.length - 1 && deepest[shared] === c.call) shared++;
      if (stack.length > deepest.length) {
        deepest.length = shared;
        for (let d = shared; d < stack.length; d++) deepest.push(stack[d]!.call);
        shared = stack.length;
      }
      state = c.state;
      choices = expand(state);
      k = 0;
      continue;
    }
    // Nothing more can go next here: undo the last call and try the next choice of its level.
    const top = stack.pop();
    shared = Math.min(shared, stack.length);
    if (!top) return { culprit: ids[culpritOf(deepest, n, end)]!, order: deepest.map((i) => ids[i]!) };
    flip(top.call);
    unlift(top.call);
    state = top.before;
    choices = top.choices;
    k = top.next;
  }
  return null;
}

/** Links `items` in order into a circular list headed by `head`. */
function link(next: Int32Array, prev: Int32Array, head: number, items: readonly number[]): void {
  let last = head;
  for (const i of items) {
    next[last] = i;
    prev[i] = last;
    last = i;
  }
  next[last] = head;
  prev[head] = last;
}

/** Among the calls left out of the deepest prefix, the one that returned first (local ids, in start order). */
function culpritOf(deepest: readonly number[], n: number, end: Float64Array): number {
  const done = new Set(deepest);
  let best = -1;
  for (let i = 0; i < n; i++) if (!done.has(i) && (best < 0 || end[i]! < end[best]!)) best = i;
  return best;
}

function step(model: Model, state: unknown, c: HistoryCall, output: unknown, budget: { steps: number; max: number }): ModelStep<unknown> {
  if (budget.steps >= budget.max) throw new OutOfBudget();
  budget.steps++;
  const r = modelCall(`step('${c.op}')`, () => model.step(state, c.op, c.input, output));
  if (typeof r !== 'object' || r === null || typeof r.ok !== 'boolean')
    throw new ModelFailure(`the model's step('${c.op}') returned ${errorLine(r === null ? 'null' : typeof r)}, not { ok: boolean, state }`);
  return r;
}

/**
 * A canonical text of a model state, for the search's cache: equal states give equal keys (object
 * keys sorted; Map, Set, BigInt, undefined, Date, typed arrays told apart). Two different states never
 * share a key, so the cache never merges what the model would tell apart; it may keep equal states
 * apart (e.g. class instances of different classes), which only costs steps. Throws on a cycle.
 */
export function stateKey(value: unknown): string {
  const path = new Set<object>();
  const key = (v: unknown): string => {
    switch (typeof v) {
      case 'undefined':
        return 'u';
      case 'bigint':
        return `${v}n`;
      case 'string':
        return JSON.stringify(v);
      case 'number':
      case 'boolean':
        return String(v);
      case 'symbol':
        return `@${v.description ?? ''}`;
      case 'function':
        return `fn:${v.name}`;
    }
    if (v === null) return 'null';
    const o = v as object;
    if (path.has(o)) throw new TypeError('the state has a cycle: it cannot be compared');
    path.add(o);
    try {
      if (Array.isArray(o)) return `[${Array.from(o, key).join(',')}]`;
      if (o instanceof Map)
        return `Map{${[...o]
          .map(([k, x]) => `${key(k)}=>${key(x)}`)
          .sort()
          .join(',')}}`;
      if (o instanceof Set) return `Set{${[...o].map(key).sort().join(',')}}`;
      if (o instanceof Date) return `Date(${o.getTime()})`;
      if (ArrayBuffer.isView(o)) return `${o.constructor.name}[${Array.from(new Uint8Array(o.buffer, o.byteOffset, o.byteLength)).join(',')}]`;
      const proto = Object.getPrototypeOf(o) as object | null;
      const name = proto === null || proto === Object.prototype ? '' : ((proto.constructor as { name?: string } | undefined)?.name ?? '?');
      const fields = Object.keys(o)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${key((o as Record<string, unknown>)[k])}`);
      return `${name}{${fields.join(',')}}`;
    } finally {
      path.delete(o);
    }
  };
  return key(value);
}
