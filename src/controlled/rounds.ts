// Rounds of one adapter's lanes under the scheduler, in the current thread: setup -> init -> lanes of
// calls -> workerStats / stats / expected / invariant. This is the piece a pool worker's lanes plug into:
// a Scheduler per round, each lane's loop passed to `scheduler.run`, `beginCall` at each call.
// The adapter must have been loaded through the instrumenting loader (instrument/register.ts) for its
// awaits to be scheduling points; otherwise only the call starts are.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Adapter, AdapterArgs, Calls, CallContext, OperationEntry } from '../adapter/types.js';
import { compareCounters, defaultExpected, mergeCounters, numbersOnly, rowFails, type StatsProblem } from '../checks/counters.js';
import { createScheduler, roundSeed, type ScheduleRun } from '../scheduler/scheduler.js';
import { shrinkSchedule } from '../scheduler/shrink.js';
import type { StrategyName } from '../scheduler/schedule.js';

export interface ControlledOptions {
  lanes?: number;
  callsPerLane?: number;
  /** 'natural': no scheduler, Node's own order (the baseline). */
  strategy?: StrategyName | 'natural';
  seed?: number;
  depth?: number;
  /** Replay this schedule (every round). */
  schedule?: string | null;
  /** Rounds to run; with stopOnFailure (default) the first failing round ends the run. */
  rounds?: number;
  stopOnFailure?: boolean;
  /** Shrink the first failing round's schedule to fewer preemptions. */
  shrink?: boolean;
  stallMs?: number;
  /** PCT: steps a round is expected to take; runRounds passes the previous round's (as shuttle does). */
  estimatedSteps?: number;
  args?: AdapterArgs;
}

export interface CallOutput {
  lane: number;
  call: number;
  op: string;
  output?: unknown;
  error?: string;
  /** The error's stack: it names the user's original lines (source maps through the instrumentation). */
  stack?: string;
}

export interface RoundOutcome {
  round: number;
  failed: boolean;
  /** Why it failed: counters, invariant, errors. */
  problems: string[];
  outputs: CallOutput[];
  /** null under the natural order. */
  run: ScheduleRun | null;
}

export interface ControlledResult {
  rounds: number;
  failedRounds: number;
  calls: number;
  durationMs: number;
  /** The first failing round, else the last round. */
  round: RoundOutcome;
  /** The first failing schedule shrunk (with `shrink`), and that run. */
  shrunk: { schedule: string; preemptionsBefore: number; preemptions: number; tries: number; round: RoundOutcome } | null;
}

type Fn = (a: unknown, ctx: CallContext) => unknown;

/** Each lane's calls, drawn by weight from its own seeded stream, so the choice of operations never depends on the schedule. */
function planCalls(
  adapter: Adapter,
  lanes: number,
  perLane: number,
  seed: number,
  round: number,
): { op: string; fn: Fn; input: ((c: CallContext) => unknown) | null }[][] {
  const names = Object.keys(adapter.operations);
  const weights = names.map((n) => adapter.weights?.[n] ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: lanes }, (_, lane) => {
    const rng = xoroshiro128plus(roundSeed(seed, round, 0x10000 + lane));
    return Array.from({ length: perLane }, () => {
      let r = uniformFloat64(rng) * total;
      let i = 0;
      while (i < names.length - 1 && (r -= weights[i]!) >= 0) i++;
      const entry: OperationEntry = adapter.operations[names[i]!]!;
      return typeof entry === 'function'
        ? { op: names[i]!, fn: ((ctx: CallContext) => entry(ctx)) as Fn, input: null }
        : { op: names[i]!, fn: (a: unknown, ctx: CallContext) => entry.run(a, ctx), input: entry.input.bind(entry) };
    });
  });
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

export async function runRound(
  adapter: Adapter,
  o: Required<Omit<ControlledOptions, 'schedule' | 'args' | 'estimatedSteps'>> & ControlledOptions,
  round: number,
  lenient = false,
): Promise<RoundOutcome> {
  const problems: string[] = [];
  const shared = await adapter.setup?.({ workers: 1, round, args: o.args ?? { _: [] } });
  try {
    await adapter.init?.(shared, { workerId: 0, workers: 1, lanes: o.lanes, round, args: o.args ?? { _: [] } });
    const plan = planCalls(adapter, o.lanes, o.callsPerLane, o.seed, round);
    const outputs: CallOutput[] = [];
    const calls: Calls = { total: 0 };
    const scheduler =
      o.strategy === 'natural' && !o.schedule
        ? null
        : createScheduler({
            strategy: o.strategy === 'natural' ? 'random' : o.strategy,
            seed: o.seed,
            round,
            lanes: o.lanes,
            depth: o.depth,
            replay: o.schedule,
            lenient,
            stallMs: o.stallMs,
            estimatedSteps: o.estimatedSteps ?? o.lanes * o.callsPerLane * 4,
          });
    const lane = async (l: number): Promise<void> => {
      const rng = xoroshiro128plus(roundSeed(o.seed, round, 0x20000 + l));
      const random = (): number => uniformFloat64(rng);
      for (const [k, c] of plan[l]!.entries()) {
        await scheduler?.beginCall(c.op, k);
        const ctx: CallContext = { workerId: 0, call: l * o.callsPerLane + k, random };
        try {
          const output = await c.fn(c.input ? c.input(ctx) : ctx, ctx);
          outputs.push({ lane: l, call: k, op: c.op, output });
          calls.total++;
          calls[c.op] = (calls[c.op] ?? 0) + 1;
        } catch (e) {
          outputs.push({ lane: l, call: k, op: c.op, error: firstLine(e), stack: e instanceof Error ? e.stack : undefined });
          problems.push(`lane ${l} call ${k} (${c.op}) threw: ${firstLine(e)}`);
        }
      }
    };
    const lanes = Array.from({ length: o.lanes }, (_, l) => () => lane(l));
    const run = scheduler ? await scheduler.run(lanes) : (await Promise.all(lanes.map((f) => f())), null);
    const numeric: StatsProblem[] = [];
    const ws = numbersOnly(await adapter.workerStats?.(), numeric, 'workerStats');
    const actual = mergeCounters(numbersOnly(await adapter.stats?.(shared), numeric, 'stats'), [ws]);
    const expected = adapter.expected ? numbersOnly(await adapter.expected(calls), numeric, 'expected') : defaultExpected(actual, calls);
    for (const p of numeric) problems.push(`${p.source}${p.counter !== undefined ? ` counter ${p.counter}` : ''}: not a number (${p.got})`);
    for (const r of compareCounters(actual, expected).filter(rowFails))
      problems.push(`counter ${r.name}: expected ${r.expected}, got ${r.actual ?? 'nothing'}`);
    if (adapter.invariant) {
      let verdict: unknown;
      try {
        verdict = await adapter.invariant(actual, calls);
      } catch (e) {
        verdict = firstLine(e);
      }
      if (verdict !== true && verdict !== undefined) problems.push(`invariant: ${typeof verdict === 'string' ? verdict : 'violated'}`);
    }
    if (run?.divergence) problems.push(run.divergence);
    return { round, failed: problems.length > 0, problems, outputs, run };
  } finally {
    await adapter.teardown?.(shared);
  }
}

/** Rounds until one fails (or all ran), then optionally shrink its schedule. */
export async function runRounds(adapter: Adapter, opts: ControlledOptions): Promise<ControlledResult> {
  const o = { lanes: 2, callsPerLane: 1, strategy: 'pct' as const, seed: 1, depth: 3, rounds: 1, stopOnFailure: true, shrink: false, stallMs: 10_000, ...opts };
  const t0 = performance.now();
  let failedRounds = 0;
  let rounds = 0;
  let first: RoundOutcome | null = null;
  let last: RoundOutcome | null = null;
  for (let r = 0; r < o.rounds; r++) {
    last = await runRound(adapter, { ...o, estimatedSteps: last?.run?.steps ?? o.estimatedSteps }, r);
    rounds++;
    if (last.failed) {
      failedRounds++;
      first ??= last;
      if (o.stopOnFailure) break;
    }
  }
  const durationMs = performance.now() - t0;
  const round = first ?? last!;
  let shrunk: ControlledResult['shrunk'] = null;
  if (o.shrink && first?.run && !first.run.divergence) {
    // Each candidate is replayed leniently: as far as it fits, then without preempting.
    const res = await shrinkSchedule(first.run.schedule, async (schedule) => {
      const tried = await runRound(adapter, { ...o, schedule }, first.round, true);
      return { failed: tried.failed, schedule: tried.run?.schedule ?? null };
    });
    // The shrunk schedule replayed strictly: the run the user will see again with --schedule.
    const final = await runRound(adapter, { ...o, schedule: res.schedule }, first.round);
    shrunk = { ...res, round: final };
  }
  return { rounds, failedRounds, calls: rounds * o.lanes * o.callsPerLane, durationMs, round, shrunk };
}
