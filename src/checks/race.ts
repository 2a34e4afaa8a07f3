// The race strategy's checks over many rounds: outcomes, findings summarised per kind, and what the
// smallest failing setup means.
import type { CounterRow, DistinctError, FindingFacts, FindingKind, RaceReport, SchedulerFigures, WarningFacts } from '../schema/report.js';
import { sameError } from '../errors.js';

/** Findings a race produces (wrong results of an interleaving). */
export const RACE_KINDS: ReadonlySet<FindingKind> = new Set(['lost-update', 'mismatch', 'invariant', 'duplicate', 'linearizability']);

/** Failures the smallest-failing-setup search looks into: races, and errors, crashes and hangs too. */
export const SHRINKABLE: ReadonlySet<FindingKind> = new Set([...RACE_KINDS, 'error', 'crash', 'hang']);

/**
 * Failing rounds that are enough evidence for the report (an outcome histogram, lost updates per
 * failing round): the race strategy stops there and looks for the smallest failing setup. A slow
 * adapter that fails every round then ends in seconds instead of running out its rounds.
 */
export const EVIDENCE_FAILED_ROUNDS = 20;

/** Distinct errors kept per finding across rounds. */
const MAX_DISTINCT = 5;

/** Add the rounds' distinct errors up: the same message and top user frame is one entry. */
function mergeDistinct(into: DistinctError[], more: readonly DistinctError[]): void {
  for (const e of more) {
    const same = into.find((x) => sameError(x, e));
    if (same) same.count += e.count;
    else if (into.length < MAX_DISTINCT) into.push({ ...e });
  }
}

/** A round's counters as one jcstress-style outcome string, e.g. "count=1999". */
export function outcomeOf(rows: CounterRow[]): string {
  return rows.length ? rows.map((r) => `${r.name}=${r.actual ?? 'missing'}`).join(', ') : '(no counters)';
}

/** Findings that are the same failure, whichever round (or shard) found it: by kind and operation, hook, counter, worker. */
const sameFailure = (f: FindingFacts): string =>
  // A model's failure is one finding whichever call happened to be the one no order explains.
  f.kind === 'linearizability' ? f.kind : [f.kind, f.op, f.hook, f.counter, f.workerId].map((x) => x ?? '').join(':');

/**
 * Findings of many rounds, one per failure (sameFailure): the earliest round's, with in how many of
 * `roundsPlayed` rounds it happened (`rounds`), the first of them (`firstRound`), the total `count` and
 * the distinct errors added up. A finding that already sums up rounds (another shard's) counts as those.
 */
export function summariseRoundFindings(found: FindingFacts[], roundsPlayed: number): FindingFacts[] {
  const bySame = new Map<string, { first: FindingFacts; rounds: number; total: number; counted: boolean; errors: DistinctError[] }>();
  for (const f of found) {
    const key = sameFailure(f);
    const entry = bySame.get(key) ?? { first: f, rounds: 0, total: 0, counted: false, errors: [] };
    if ((f.firstRound ?? f.round ?? Infinity) < (entry.first.firstRound ?? entry.first.round ?? Infinity)) entry.first = f;
    entry.rounds += f.rounds ?? 1;
    entry.total += f.count ?? 0;
    entry.counted ||= f.count !== undefined;
    mergeDistinct(entry.errors, f.errors ?? []);
    bySame.set(key, entry);
  }
  return [...bySame.values()].map(({ first, rounds, total, counted, errors }) => {
    const firstRound = first.firstRound ?? first.round;
    const over = { rounds, roundsPlayed, ...(firstRound !== undefined ? { firstRound } : {}) };
    const distinct = errors.length ? { errors: errors.sort((a, b) => b.count - a.count) } : {};
    return { ...first, ...(counted ? { count: total } : {}), ...over, ...distinct };
  });
}

type Minimal = NonNullable<RaceReport['minimal']>;

/** A warning that a race's pass is weak evidence. */
export type Caveat = Extract<WarningFacts, { code: 'scheduler-stalled' | 'few-rounds' }>;

/** Rounds played below this share of those planned, stopped by the time budget: too few for a pass to mean much. */
export const SLIVER = 0.05;

/**
 * Why a race that passed is weak evidence, each as a warning: controlled rounds that stalled (nothing
 * could run for half of --timeout, so the rest of the round ran uncontrolled), or a sliver of the planned
 * rounds played in the time budget. Its report carries the codes (`caveats`): never a plain PASS.
 */
export function raceCaveats(
  f: Pick<RaceReport, 'rounds' | 'plannedRounds' | 'stopReason' | 'budgetMs' | 'durationMs'> & { scheduler: SchedulerFigures | undefined },
  stall: string | null,
): Caveat[] {
  const out: Caveat[] = [];
  const s = f.scheduler;
  if (s?.stalledRounds)
    out.push({ code: 'scheduler-stalled', strategy: 'race', stalledRounds: s.stalledRounds, controlledRounds: s.controlledRounds, stall: stall ?? 'stalled' });
  const planned = f.plannedRounds ?? f.rounds;
  if (f.stopReason === 'budget' && f.rounds < planned * SLIVER)
    out.push({
      code: 'few-rounds',
      strategy: 'race',
      rounds: f.rounds,
      plannedRounds: planned,
      budgetMs: f.budgetMs ?? 0,
      ...(f.rounds > 0 ? { roundMs: f.durationMs / f.rounds } : {}),
    });
  return out;
}

/**
 * What the smallest failing setup says about the failure (a race, or not), as measured. `database`:
 * the calls are clients of a database (the client package the adapter loaded, or its word): lanes and
 * workers alike are then so many clients, as instances of an app would be.
 */
export function classifyMinimal(
  m: Pick<Minimal, 'workers' | 'concurrency'>,
  database?: string | true,
  untried: readonly ('workers' | 'concurrency')[] = [],
): {
  classification?: 'bug' | 'async' | 'threads' | 'database';
  concurrent?: boolean;
  meaning: string;
} {
  if (m.workers === 1 && m.concurrency === 1) {
    return { classification: 'bug', concurrent: false, meaning: 'fails with 1 worker × 1 lane: a bug, not a race' };
  }
  // The search could not try 1 worker or 1 lane (no time left, its rounds cut short): "needs N" would
  // be a guess, and 1 x 1 (not a race at all) is as likely. No classification: the report claims nothing.
  const unknown = untried.filter((d) => (d === 'workers' ? m.workers : m.concurrency) > 1);
  if (unknown.length) {
    const what = unknown.map((d) => (d === 'workers' ? 'workers' : 'lanes')).join(' or ');
    return {
      meaning: `fails with ${m.workers} worker${m.workers === 1 ? '' : 's'} × ${m.concurrency} lane${m.concurrency === 1 ? '' : 's'}; the search could not try fewer ${what} (no time left, or its rounds were cut short): whether it needs them (a race) or fails one call at a time (a bug) is not known`,
    };
  }
  if (database) {
    const clients = m.workers * m.concurrency;
    const via = typeof database === 'string' ? ` (${database})` : '';
    return {
      classification: 'database',
      concurrent: true,
      meaning:
        `needs ${clients} clients of the database${via}, ${m.workers} worker${m.workers === 1 ? '' : 's'} × ${m.concurrency} lane${m.concurrency === 1 ? '' : 's'} with a connection each: ` +
        'as several instances of your app would be; a lock in one process cannot fix it: lock in the database (a row lock in the same transaction, a conditional UPDATE, a unique constraint, SERIALIZABLE with a retry)',
    };
  }
  if (m.workers === 1) {
    return { classification: 'async', concurrent: true, meaning: `needs ${m.concurrency} lanes in one worker: an async interleaving (at the calls' awaits)` };
  }
  return { classification: 'threads', concurrent: true, meaning: `needs ${m.workers} workers: threads (shared memory, a file, a database)` };
}
