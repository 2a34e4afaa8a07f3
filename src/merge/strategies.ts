// One strategy's figures added up over shard reports, exactly: counts are summed, distributions (the
// outcome histogram, lost updates per failing round, latency HDR histograms) are added bucket by bucket,
// extremes take the extreme. Throughput and the hammer's calls/s describe one machine and are only ever
// added up within one machine. Statuses are decided by checks/, as for a run.
import { ContentionTracker } from '../checks/contention.js';
import { mergeConfidence } from '../checks/confidence.js';
import { minOpsOf, scalingOf } from '../checks/throughput.js';
import { addHistograms, addLatency, encodeLatency, NS_PER_MS, percentilesOf, summaryOf } from '../maths/distribution.js';
import type {
  Confidence,
  CounterRow,
  FindingFacts,
  HammerReport,
  ModelChecks,
  RaceReport,
  RunReport,
  StopReason,
  ThroughputPoint,
  ThroughputReport,
} from '../schema/report.js';

/** One shard's report of one adapter. */
export interface Part {
  /** `2/3` */
  shard: string;
  report: RunReport;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const maxOf = (xs: number[]): number => (xs.length ? Math.max(...xs) : 0);

/** The stop reason that says most about the merged run (one shard cut short makes the whole cut short). */
const STOP_ORDER: StopReason[] = ['interrupted', 'workers-lost', 'failed-hook', 'budget', 'evidence', 'done'];
export const worstStop = (reasons: (StopReason | undefined)[]): StopReason | undefined => STOP_ORDER.find((r) => reasons.includes(r));

export function contentionOf(ops: string[], rows: RaceReport['contention'][]): ContentionTracker {
  const t = new ContentionTracker(ops);
  for (const r of rows) t.addRows(r);
  return t;
}

export function mergeRace(ops: string[], parts: { shard: string; s: RaceReport; replay: string }[]): RaceReport {
  const first = parts[0]!.s;
  const failing = parts.filter((p) => p.s.firstFailedRound !== null).sort((a, b) => a.s.firstFailedRound! - b.s.firstFailedRound!)[0];
  // Counters: those of the earliest failing round, else (no round failed) the first shard's last round.
  const shown = failing ?? parts[0]!;
  const outcomes = new Map<string, { rounds: number; failed: boolean }>();
  for (const { s } of parts) {
    for (const o of s.outcomes) {
      const b = outcomes.get(o.outcome) ?? { rounds: 0, failed: false };
      b.rounds += o.rounds;
      b.failed ||= o.failed;
      outcomes.set(o.outcome, b);
    }
  }
  const lost = addHistograms(parts.map((p) => p.s.lostPerFailedRoundHistogram ?? []));
  const minimal = parts
    .map((p) => p.s.minimal)
    .filter((m): m is NonNullable<RaceReport['minimal']> => Boolean(m))
    .sort((a, b) => a.workers - b.workers || a.concurrency - b.concurrency || a.iterations - b.iterations)[0];
  const searched = parts.some((p) => p.s.minimal !== undefined);
  const firstMs = parts.map((p) => p.s.firstFailedMs).filter((x): x is number => typeof x === 'number');
  const sessions = parts.flatMap((p) => p.s.sessions ?? []);
  return {
    name: 'race',
    verdict: 'pass',
    status: 'pass',
    durationMs: maxOf(parts.map((p) => p.s.durationMs)),
    rounds: sum(parts.map((p) => p.s.rounds)),
    plannedRounds: sum(parts.map((p) => p.s.plannedRounds ?? p.s.rounds)),
    stopReason: worstStop(parts.map((p) => p.s.stopReason)),
    budgetMs: maxOf(parts.map((p) => p.s.budgetMs ?? 0)),
    failedRounds: sum(parts.map((p) => p.s.failedRounds)),
    lostUpdates: sum(parts.map((p) => p.s.lostUpdates)),
    counters: shown.s.counters,
    ...(shown.s.countersNote !== undefined ? { countersNote: shown.s.countersNote } : {}),
    iterations: first.iterations,
    workers: first.workers,
    concurrency: first.concurrency,
    lostPerFailedRound: summaryOf(lost),
    lostPerFailedRoundHistogram: lost,
    ...(sessions.length ? { sessions } : {}),
    // Every shard loaded the same adapter, so they judged it the same way.
    ...(first.independence ? { independence: first.independence } : {}),
    firstFailedRound: failing ? failing.s.firstFailedRound : null,
    ...(failing ? { firstFailedReplay: failing.replay } : {}),
    firstFailedMs: firstMs.length ? Math.min(...firstMs) : null,
    outcomes: [...outcomes].map(([outcome, b]) => ({ outcome, ...b })).sort((a, b) => b.rounds - a.rounds || a.outcome.localeCompare(b.outcome)),
    contention: contentionOf(
      ops,
      parts.map((p) => p.s.contention),
    ).result,
    contentionRounds: sum(parts.map((p) => p.s.contentionRounds ?? 0)),
    ...confidenceOf(parts.map((p) => p.s)),
    ...(minimal ? { minimal } : searched ? { minimal: null } : {}),
    ...modelOf(parts.map((p) => p.s.model)),
    ...schedulerOf(parts.map((p) => p.s)),
    // A shard's caveat is the whole run's (its warning travels with it).
    ...caveatsOf(parts.map((p) => p.s)),
  };
}

/** The controlled rounds of every shard, added up; the failing schedule of the shard whose failing round came first. */
function schedulerOf(parts: RaceReport[]): Pick<RaceReport, 'scheduler' | 'schedule'> {
  const ss = parts.flatMap((p) => (p.scheduler ? [p.scheduler] : []));
  if (!ss.length) return {};
  const add = (
    k:
      | 'controlledRounds'
      | 'failedControlledRounds'
      | 'naturalRounds'
      | 'failedNaturalRounds'
      | 'uncontrolledResumptions'
      | 'partlyControlledRounds'
      | 'stalledRounds'
      | 'blockedRounds',
  ) => sum(ss.map((x) => x[k] ?? 0));
  const controlledRounds = add('controlledRounds');
  const note = controlledRounds === 0 ? ss.find((x) => x.note)?.note : undefined;
  const blockedRounds = add('blockedRounds');
  const blocked = ss
    .map((x) => x.blocked)
    .filter((x) => x !== undefined)
    .sort((a, b) => a.round - b.round)[0];
  const schedule = parts.filter((p) => p.schedule !== undefined).sort((a, b) => (a.schedule?.round ?? Infinity) - (b.schedule?.round ?? Infinity))[0]?.schedule;
  return {
    scheduler: {
      mode: ss[0]!.mode,
      controlledRounds,
      failedControlledRounds: add('failedControlledRounds'),
      naturalRounds: add('naturalRounds'),
      failedNaturalRounds: add('failedNaturalRounds'),
      calls: ss[0]!.calls,
      uncontrolledResumptions: add('uncontrolledResumptions'),
      partlyControlledRounds: add('partlyControlledRounds'),
      stalledRounds: add('stalledRounds'),
      ...(blockedRounds ? { blockedRounds, blocked } : {}),
      ...(note ? { note } : {}),
    },
    ...(schedule !== undefined ? { schedule } : {}),
  };
}

function caveatsOf(parts: RaceReport[]): Pick<RaceReport, 'caveats'> {
  // Contention is judged again from the merged rounds (merge.ts): one shard's no-contention is not the run's.
  const caveats = [...new Set(parts.flatMap((p) => p.caveats ?? []))].filter((c) => c !== 'no-contention');
  return caveats.length ? { caveats } : {};
}

/** How rare a race all the shards' rounds together would have caught (checks/confidence.ts). */
function confidenceOf(parts: RaceReport[]): { confidence?: Confidence } {
  const cs = parts.flatMap((p) => (p.confidence ? [p.confidence] : []));
  const merged = mergeConfidence(cs, sum(parts.map((p) => p.failedRounds)), sum(parts.map((p) => p.rounds)));
  return merged ? { confidence: merged } : {};
}

/** The model's checks of every shard, added up (absent when the adapter has no model). */
function modelOf(parts: (ModelChecks | undefined)[]): { model?: ModelChecks } {
  const ms = parts.filter((m): m is ModelChecks => m !== undefined);
  if (!ms.length) return {};
  const reason = ms.find((m) => m.unknownReason)?.unknownReason;
  return {
    model: {
      checkedRounds: sum(ms.map((m) => m.checkedRounds)),
      unknownRounds: sum(ms.map((m) => m.unknownRounds)),
      ...(reason ? { unknownReason: reason } : {}),
    },
  };
}

/** The counters to show of several runs of one machine: a failing one's first. */
const countersOf = (xs: { counters: CounterRow[]; countersNote?: string; failed: boolean }[]): { counters: CounterRow[]; countersNote?: string } => {
  const x = xs.find((c) => c.failed) ?? xs[0]!;
  return { counters: x.counters, ...(x.countersNote !== undefined ? { countersNote: x.countersNote } : {}) };
};

/** Seconds a rate stood for (calls / calls per second), to add rates of one machine exactly. */
const secondsOf = (calls: number, perSec: number): number => (perSec > 0 ? calls / perSec : 0);

export function mergeHammer(ops: string[], parts: HammerReport[]): Omit<HammerReport, 'machine'> {
  const first = parts[0]!;
  const completed = sum(parts.map((s) => s.completed));
  const seconds = sum(parts.map((s) => secondsOf(s.completed, s.opsPerSec)));
  const perOperation = first.perOperation.map((o) => ({
    name: o.name,
    calls: sum(parts.map((s) => s.perOperation.find((x) => x.name === o.name)?.calls ?? 0)),
    errors: sum(parts.map((s) => s.perOperation.find((x) => x.name === o.name)?.errors ?? 0)),
  }));
  return {
    ...first,
    verdict: 'pass',
    status: 'pass',
    durationMs: sum(parts.map((s) => s.durationMs)),
    requests: sum(parts.map((s) => s.requests)),
    completed,
    errors: sum(parts.map((s) => s.errors)),
    ...countersOf(parts.map((s) => ({ ...s, failed: s.status === 'fail' }))),
    stopReason: worstStop(parts.map((s) => s.stopReason)),
    opsPerSec: seconds > 0 ? completed / seconds : 0,
    perOperation,
    contention: contentionOf(
      ops,
      parts.map((s) => s.contention),
    ).result,
    ...modelOf(parts.map((s) => s.model)),
  };
}

/** Points measured at the same worker count on one machine, added up: calls, and latency through the HDR histograms. */
function mergePoint(points: ThroughputPoint[]): ThroughputPoint {
  if (points.length === 1) return points[0]!;
  const calls = sum(points.map((p) => p.calls));
  const errors = sum(points.map((p) => p.errors));
  const done = calls - errors;
  const seconds = sum(points.map((p) => secondsOf(p.calls - p.errors, p.opsPerSec)));
  const encoded = points.map((p) => p.latencyHistogram);
  const point: ThroughputPoint = {
    ...points[0]!,
    opsPerSec: seconds > 0 ? done / seconds : 0,
    calls,
    errors,
    errorRate: calls > 0 ? errors / calls : 0,
    latencySamples: sum(points.map((p) => p.latencySamples ?? 0)),
  };
  // Without every histogram (a report of an older version) percentiles cannot be added up: the worst is kept.
  if (encoded.every((e): e is string => typeof e === 'string')) {
    const h = addLatency(encoded);
    point.latencyMs = percentilesOf(h, Math.round(maxOf(points.map((p) => p.latencyMs.max)) * NS_PER_MS));
    point.latencyHistogram = encodeLatency(h);
    h.destroy();
  } else {
    const worst = (k: keyof ThroughputPoint['latencyMs']): number => maxOf(points.map((p) => p.latencyMs[k]));
    point.latencyMs = { p50: worst('p50'), p90: worst('p90'), p99: worst('p99'), max: worst('max') };
    delete point.latencyHistogram;
  }
  return point;
}

/**
 * One machine's throughput over its shards. Returns the figures and the --min-ops gate's finding,
 * recomputed over the added-up points (the shards' own gate findings are replaced by it).
 */
export function mergeThroughput(parts: ThroughputReport[], cores: number, workers: number): { report: Omit<ThroughputReport, 'machine'>; gate?: FindingFacts } {
  const first = parts[0]!;
  const byWorkers = new Map<number, ThroughputPoint[]>();
  for (const s of parts) for (const p of s.points) byWorkers.set(p.workers, [...(byWorkers.get(p.workers) ?? []), p]);
  const points = [...byWorkers.keys()].sort((a, b) => a - b).map((w) => mergePoint(byWorkers.get(w)!));
  const base = points[0]?.opsPerSec ?? 0;
  for (const p of points) {
    p.speedup = base > 0 ? p.opsPerSec / base : 0;
    p.efficiency = base > 0 ? p.opsPerSec / base / p.workers : 0;
  }
  const gate = minOpsOf(first.minOps, workers, points);
  const scaling = scalingOf(points, cores);
  const { minOpsResult: _r, scaling: _s, ...rest } = first;
  return {
    report: {
      ...rest,
      verdict: 'pass',
      status: 'pass',
      durationMs: sum(parts.map((s) => s.durationMs)),
      points,
      stopReason: worstStop(parts.map((s) => s.stopReason)),
      ...(gate.result ? { minOpsResult: gate.result } : {}),
      ...(scaling ? { scaling } : {}),
    },
    ...(gate.finding ? { gate: gate.finding } : {}),
  };
}
