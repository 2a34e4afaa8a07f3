// The one report object: what the JSON reporter writes, what the API returns, what every other
// reporter renders. Field names of the contract (section 3) are kept exactly; the rest are additions.
// Every status, verdict and diagnosis in it is decided in checks/; reporters only render them.
import type { StackFrame } from '../errors.js';
import type { ConfidenceTarget, PlanEnvironment, RunSettings, Shard } from '../options/table.js';

export type { Shard };
import type { ValueHistogram } from '../maths/distribution.js';
import type { EffectiveMethod } from '../maths/confidence.js';

export type { StackFrame };

/** The contract's verdict: a `partial` strategy is not a pass, so its verdict is `fail`. */
export type Verdict = 'pass' | 'fail';
/** `partial`: interrupted (Ctrl-C, an aborted signal) before it could finish, and nothing failed. */
export type Status = 'pass' | 'fail' | 'partial';

/**
 * Contract kinds, plus `mismatch` (a counter above its expected value, e.g. a lazy init that ran
 * twice: not a lost update, still a failure), `throughput` (calls/s at --workers below --min-ops: a CI
 * gate for performance regressions) and `inconclusive` (a strategy that completed no call, or whose
 * every round was cut short: a check that could not have failed never passes).
 * `linearizability`: no order of a round's calls, consistent with their real-time order, is accepted
 * by the adapter's `model`.
 */
export type FindingKind =
  'lost-update' | 'mismatch' | 'invariant' | 'duplicate' | 'error' | 'hang' | 'crash' | 'throughput' | 'inconclusive' | 'linearizability';

/**
 * What every finding may say, whatever its kind: the round, the operation, hook, worker or counter it is
 * about, and how often. A finding is data: its sentence (`message` in the JSON report and hammer()'s
 * report) is written from these fields by reporters/sentences.ts.
 */
interface FindingBase {
  strategy: string;
  /** The round it happened in; summed up over several rounds: the first of them. */
  round?: number;
  op?: string;
  hook?: string;
  workerId?: number;
  /** The counter a lost-update or mismatch finding is about. */
  counter?: string;
  /** How many: lost updates, extra counts, errors, duplicates, pending calls; over several rounds, their total. */
  count?: number;
  /** Summed up over rounds (race, throughput): in how many rounds it happened, of how many played, and the first. */
  rounds?: number;
  roundsPlayed?: number;
  firstRound?: number;
  /** Throughput: the measured point (worker count and phase) whose calls it happened in. */
  point?: { workers: number; phase: 'warm-up' | 'measure' };
  /** For errors: the distinct errors (by message and top user frame), most frequent first, with stacks. */
  errors?: DistinctError[];
  /** For a hang: the stuck worker's stack, taken by pausing it (user frames first). */
  stack?: StackFrame[];
  /** Where in the user's source the failure is, when a stack says so (annotations point there). */
  where?: { file: string; line: number; column?: number };
  /** In a merged report: the shard that found it (`2/3`); the first one's, when several did. */
  shard?: string;
  /** How the failure happened: the smallest failing part of the round's call history. */
  history?: CallHistory;
  /** For a hang: what its calls waited on (a lock in the database, a pool with no free connection, a query). */
  waits?: HangWait[];
}

/**
 * What a hung worker's calls were waiting on, read before it was stopped: the database's view of its
 * connections (PostgreSQL: pg_stat_activity, pg_locks) and the toolkit's pools in the worker.
 */
export interface HangWait {
  /**
   * `lock`: queries wait in the database for a lock another connection holds; `pool`: calls wait for a
   * connection of a pool whose every connection is taken; `query`: queries have not answered (no lock wait).
   */
  kind: 'lock' | 'pool' | 'query';
  /** The waiting worker (absent: connections of the database no worker's pool names). */
  workerId?: number;
  /** Waiting connections (lock, query) or calls (pool). */
  count: number;
  /** The longest of those waits so far, ms. */
  forMs: number;
  /** lock, query: the waiting query (the first's). */
  query?: string;
  /** lock: `row`, `table`, `advisory` or PostgreSQL's lock type, and the table when known. */
  lock?: { type: string; table?: string };
  /** lock: the connection that holds it. */
  holder?: HangWaitHolder;
  /** pool: which pool, and how many connections it has (all taken). */
  pool?: { name: string; size: number };
  /** Where the waiting calls are parked: the stack of the await (user frames first). */
  stack?: StackFrame[];
}

export interface HangWaitHolder {
  /** Its worker and connection index, when a worker's pool has it. */
  workerId?: number;
  connection?: number;
  /** The server's id of the connection. */
  pid: number;
  /**
   * Its connection is taken by a call still in flight: an open transaction then waits for that call
   * (e.g. for a second connection), it was not left behind by a call that returned.
   */
  inCall?: boolean;
  /** 'idle in transaction': a transaction open and idle; 'active': busy with `query`; ... */
  state: string;
  transactionMs?: number;
  /** Time in that state, ms. */
  stateMs: number;
  /** Its current query, or its last one when idle. */
  query: string;
  /** Where it sent that query from, when a worker's pool logged it. */
  stack?: StackFrame[];
}

/** A counter below its expected value at the end of a round. */
export interface LostUpdateFinding extends FindingBase {
  kind: 'lost-update';
  counter: string;
  expected: number;
  actual: number;
  /** Lost updates: `expected - actual` of the round; over several rounds, their total. */
  count: number;
}

/** A counter above its expected value (`count` more), or expected and not reported (`actual: null`). */
export interface MismatchFinding extends FindingBase {
  kind: 'mismatch';
  counter: string;
  expected: number;
  actual: number | null;
  /** The adapter's expected() gave the value (else the default rule: calls counted). */
  expectedByAdapter?: boolean;
}

export interface InvariantFinding extends FindingBase {
  kind: 'invariant';
  /** What the adapter's invariant said: its string, `invariant returned false`, or `invariant threw: ...`. */
  violation: string;
}

export interface DuplicateFinding extends FindingBase {
  kind: 'duplicate';
  op: string;
  /** Return values of the round beyond the first of each repeated value (`count`: over several rounds, their total). */
  duplicates: number;
  count: number;
  /** Distinct values handed out more than once. */
  values: number;
  example: unknown;
  /** How often `example` was handed out. */
  exampleTimes: number;
}

/**
 * Calls of an operation that threw (`op`, `count` of `calls`), a hook that threw (`hook`; in a worker:
 * `workerId`), or the adapter's model that threw (`hook: 'model'`).
 */
export interface ErrorFinding extends FindingBase {
  kind: 'error';
  /** The first error's first line; absent when it was not collected. */
  error?: string;
  /** Calls of `op` started in the round, and how many of them threw (`count`: over several rounds, their total). */
  calls?: number;
  threw?: number;
}

/**
 * Something that did not settle within `afterMs`: an operation's calls or a worker hook (`workerId`,
 * `pending` calls per operation), a worker's event loop before or after its calls, or a main-thread hook.
 */
export interface HangFinding extends FindingBase {
  kind: 'hang';
  stuckIn: 'calls' | 'hook' | 'start' | 'after-calls';
  afterMs: number;
  pending?: Record<string, number>;
  /** What pausing the stuck worker showed: running JavaScript (at `stack`), or waiting; absent: not paused. */
  paused?: 'running' | 'waiting';
  /** A main-thread hook: the option whose deadline it missed. */
  deadline?: '--timeout' | '--setup-timeout';
}

/** A worker that died (`workerId`), adapter-hammer's own failure (`internal`), or a strategy that could not run. */
export interface CrashFinding extends FindingBase {
  kind: 'crash';
  /** Why: the worker's error or exit, or the problem that stopped the strategy. */
  error: string;
  exitCode?: number;
  internal?: boolean;
}

/** calls/s at `workers` below --min-ops (`opsPerSec`), or no point measured at `workers` (no `opsPerSec`). */
export interface ThroughputFinding extends FindingBase {
  kind: 'throughput';
  minOps: number;
  workers: number;
  opsPerSec?: number;
}

/**
 * A strategy that could not have failed: no call completed, every round cut short, every round's only
 * check (the model) undecided, or shards missing from a merge.
 */
export interface InconclusiveFinding extends FindingBase {
  kind: 'inconclusive';
  reason: 'no-calls' | 'rounds-cut-short' | 'model-undecided' | 'shards-missing';
  /** The missing shards, and the rounds each would have played (`r % count === index - 1`; null: all of them). */
  missing?: { shard: string; rounds: Shard | null }[];
}

/** No order of a round's `calls` calls explains the call at `history.culprit`. */
export interface LinearizabilityFinding extends FindingBase {
  kind: 'linearizability';
  op: string;
  calls: number;
  /** The model's key the failing calls share, when it partitions. */
  partition?: string;
  history: CallHistory;
}

/** A finding as data, one shape per kind. */
export type FindingFacts =
  | LostUpdateFinding
  | MismatchFinding
  | InvariantFinding
  | DuplicateFinding
  | ErrorFinding
  | HangFinding
  | CrashFinding
  | ThroughputFinding
  | InconclusiveFinding
  | LinearizabilityFinding;

/** A finding as the JSON report and hammer() carry it: its fields, and the sentence reporters wrote from them. */
export type Finding = FindingFacts & { message: string };

/** One call of a round, as recorded in its worker (no message per call: see pool/history.ts). */
export interface HistoryCall {
  worker: number;
  /** The worker's call index (what a controlled round's trace names). */
  call?: number;
  lane: number;
  op: string;
  /** What the call was asked (operations with an `input`). */
  input?: unknown;
  /** What it returned (absent when it threw or never returned). */
  output?: unknown;
  /** Its error's first line, when it threw. */
  error?: string;
  /** ms on one monotonic clock shared by every thread, from the round's first call. */
  start: number;
  /** null: it never returned (hung, or the round was cut short). */
  end: number | null;
}

/** A round's calls, or the part of them that shows a failure. */
export interface CallHistory {
  round: number;
  calls: HistoryCall[];
  /** Calls of the round left out of `calls` (a window of a long history, or beyond what a worker records). */
  omitted: number;
  /** Index in `calls` of the call that no order of the calls can explain (a model's failure). */
  culprit?: number;
}

/** One distinct error of an operation: its message and top user frame, how often, and its stack. */
export interface DistinctError {
  message: string;
  count: number;
  /** User frames first, bounded. */
  stack: StackFrame[];
}

/** What every warning and note may say: the strategy it is about. */
interface WarningBase {
  strategy?: string;
}

/**
 * A warning (or an informational note) as data, one shape per code; its sentence (`message`) is written
 * by reporters/sentences.ts.
 */
export type WarningFacts =
  /** The adapter has no `threadSafe`. */
  | (WarningBase & { code: 'undeclared' })
  /** `threadSafe: true`, and these strategies failed. */
  | (WarningBase & { code: 'declared-safe-but-raced'; strategies: string[] })
  /** `op` ran, but never at the same time as another call. */
  | (WarningBase & { code: 'no-contention'; strategy: string; op: string })
  /** Note: `op` was in flight in `maxWorkers` workers at once, up to `maxInFlight` calls. */
  | (WarningBase & { code: 'concurrent-access'; strategy: string; op: string; maxWorkers: number; maxInFlight: number })
  /** The model's check could not decide `unknownRounds` of `checkedRounds` rounds. */
  | (WarningBase & { code: 'model-unknown'; strategy: string; unknownRounds: number; checkedRounds: number; reason: string })
  /** The --schedule replay could not follow its schedule. */
  | (WarningBase & { code: 'schedule-diverged'; strategy: string; divergence: string })
  /** `stalledRounds` of `controlledRounds` controlled rounds stalled (nothing could run for half of --timeout); `stall`: the first, as its scheduler said it. */
  | (WarningBase & { code: 'scheduler-stalled'; strategy: string; stalledRounds: number; controlledRounds: number; stall: string })
  /** Only `rounds` of `plannedRounds` fit in the strategy's `budgetMs` share of --time, `roundMs` a round. */
  | (WarningBase & { code: 'few-rounds'; strategy: string; rounds: number; plannedRounds: number; budgetMs: number; roundMs?: number })
  /** A hook's counters were not all numbers: `source`'s `counter` was a `got` (without `counter`: the whole value was). */
  | (WarningBase & {
      code: 'stats-not-number';
      strategy?: string;
      source: 'stats' | 'expected' | 'workerStats';
      workerId?: number;
      counter?: string;
      got: string;
    })
  /**
   * The adapter reports `counters`, but nothing compares any of them with anything (no expected value,
   * no invariant, unique or model): only errors, hangs and crashes could have failed `strategy`.
   */
  | (WarningBase & {
      code: 'unchecked-counters';
      strategy: string;
      counters: string[];
      ops: string[];
      /** The adapter has `expected`: it replaces the default check of a counter named like an operation. */
      expectedHook?: true;
    })
  /**
   * A `unique` operation returned values that cannot be compared across threads (`type`: class instances
   * whose state JSON cannot show, in #private fields or accessors): they were not checked for duplicates.
   */
  | (WarningBase & { code: 'unique-not-comparable'; strategy: string; op: string; type: string })
  /** The adapter's globalTeardown threw (`error`) or did not settle in time. */
  | (WarningBase & { code: 'global-teardown'; hook: 'globalTeardown'; error?: string })
  /**
   * --confidence `target` was not reached within --time: `effectiveRounds` of the `roundsNeeded` (this
   * shard's share when `shards` > 1) for the weakest operation `op`, which would have caught 1 of `k`.
   */
  | (WarningBase & {
      code: 'confidence-not-reached';
      strategy: string;
      target: ConfidenceTarget;
      roundsNeeded: number;
      effectiveRounds: number;
      op?: string;
      k: number | null;
      shards?: number;
    })
  /** Note: race rounds played one at a time, because `hook` (at `at`) may reach state other rounds share. */
  | (WarningBase & { code: 'rounds-one-at-a-time'; strategy: string; hook?: string; at?: string; reason?: string });

export type WarningCode = WarningFacts['code'];

/**
 * Warnings that make a hammer's or a race's pass weak evidence (its `caveats`), each a check that could
 * have failed and did not run: an operation that never overlapped another call, counters nothing compared,
 * a counter that was no number, rounds the model could not decide, unique values that cannot be compared.
 */
export const WARNING_CAVEATS = [
  'no-contention',
  'unchecked-counters',
  'stats-not-number',
  'model-unknown',
  'unique-not-comparable',
] as const satisfies readonly WarningCode[];
export type WarningCaveat = (typeof WARNING_CAVEATS)[number];

/** A warning as the JSON report and hammer() carry it: its fields, and the sentence reporters wrote from them. */
export type Warning = WarningFacts & { message: string };

export interface CounterRow {
  name: string;
  /** null: reported by the adapter, but nothing says what it should be. */
  expected: number | null;
  /** null: expected, but the adapter did not report it. */
  actual: number | null;
  /** The adapter's invariant read this counter, and held or was violated: a counter without `expected` is checked by it. */
  invariant?: 'held' | 'violated';
}

/** What a run reports as it goes (strategy phases, rounds done): the progress line's input. */
export interface ProgressEvent {
  strategy: string;
  phase: string;
  done: number;
  total?: number;
  calls?: number;
  /** What is left of the run's time budget (--time), ms. */
  timeLeftMs?: number;
}

/** Per operation: how much real concurrency the run achieved (evidence that a race could show). */
export interface ContentionRow {
  op: string;
  /** Most calls of this operation in flight at the same instant, across all workers. */
  maxInFlight: number;
  /** Most workers inside this operation at the same instant. */
  maxWorkers: number;
  /** A call of it was ever in flight together with another call. */
  overlapped: boolean;
}

/**
 * Why no rate is claimed (no effective round): `single-lane` one worker and one lane (calls never
 * overlap); `no-rounds` no natural round ran to the end (controlled or replayed rounds only, or every one
 * cut short); `not-measured` contention was measured in none of them; `no-overlap` it was, and the calls
 * never overlapped; `one-round` the hammer's single round (a rate needs many).
 */
export type NoClaim = 'single-lane' | 'no-rounds' | 'not-measured' | 'no-overlap' | 'one-round';

/** How many rounds could have shown a race, and how rare a race they would have caught (docs/explanation/confidence.md). */
export interface OverlapCount {
  /** Natural rounds (not controlled) every worker ran to the end, decided by the model if there is one (per operation: those that called it). */
  rounds: number;
  /** Of them, the rounds whose contention was measured (one in every few: contentionRounds), and of those, the ones where calls overlapped another call. */
  measuredRounds: number;
  overlappedRounds: number;
  /** Rounds in which calls overlapped: counted (`measured`), or estimated from the measured ones (`sampled`: the others at `shareLow`). */
  effectiveRounds: number;
  method: EffectiveMethod;
  /** With `sampled`: the lower end of the 95% Wilson interval of the overlapping share, applied to the rounds not measured. */
  shareLow?: number;
  /** The largest k such that a race showing in 1 of k effective rounds (or more often) would have been caught with 95% / 99%; null with no effective round. */
  k95: number | null;
  k99: number | null;
  /** Why no rate is claimed, when none is. */
  noClaim?: NoClaim;
}

/**
 * PCT's bound over the controlled rounds that ran PCT (Burckhardt et al. 2010): a given ordering bug of
 * depth `depth` among a worker's first `estimatedSteps` steps is hit in one round with probability at
 * least 1 / (lanes * estimatedSteps^(depth-1)); `missBound` is the chance all the rounds missed it.
 */
export interface PctBound {
  depth: number;
  /** Lanes of each worker (the scheduler's threads). */
  lanes: number;
  /** The fewest steps a round's change points were drawn among: the bound covers bugs within a worker's first this many steps. */
  estimatedSteps: number;
  /** Fully controlled PCT rounds counted. */
  controlledRounds: number;
  /** Sum of ln(1 - q) over them, so that shards multiply exactly. */
  logMiss: number;
  /** The probability of missing a given depth-d ordering bug within a worker in all of them; null when void. */
  missBound: number | null;
  /** Void: PCT rounds in which a lane resumed outside the scheduler's control (no schedule was fully controlled there). */
  voided?: { rounds: number; reason: 'uncontrolled' | 'stalled' | 'diverged' };
}

/** A strategy's confidence: how rare a race its rounds would have caught, on what, and (failing) how often it failed. */
export interface Confidence extends OverlapCount {
  /** The same, per operation called. */
  perOperation: (OverlapCount & { op: string })[];
  /** The setup the figures hold for: the machines that played the rounds, with their workers x lanes (and their load at the time). */
  machines: string[];
  workers: number;
  lanes: number;
  /** Controlled rounds: PCT's bound for the depth they ran with (absent when no PCT round ran). */
  pct?: PctBound;
  /**
   * --confidence: the rate and probability asked for, the effective rounds that needs (this shard's share
   * with --shard), and whether every operation called reached it.
   */
  target?: ConfidenceTarget & { roundsNeeded: number; reached: boolean };
  /** A failing strategy: its failure rate over its rounds, with the 95% Wilson interval. */
  failureRate?: { failed: number; rounds: number; rate: number; low: number; high: number; level: 0.95; method: 'wilson' };
}

/** Calls made again after an error the adapter declared it retries (`retry`): not errors. */
export interface RetryCount {
  /** The error's code (a SQLSTATE such as 40001) or name, as the adapter's `retry.codes` lists it. */
  code: string;
  /** Retries after it (a call retried twice counts 2). */
  count: number;
}

interface StrategyBase {
  verdict: Verdict;
  status: Status;
  durationMs: number;
  /** Retries after declared errors (the adapter's `retry`), most first; absent when none. */
  retries?: RetryCount[];
  /** Cut short by Ctrl-C / SIGTERM: its figures cover only what finished. */
  interrupted?: boolean;
  /** In a merged report, hammer and throughput: the machine that measured it (never averaged across machines). */
  machine?: Machine;
}

/** A machine of a merged report: its name and the shards that ran on it. */
export interface Machine {
  hostname: string;
  shards: string[];
}

/** The model's checks of a strategy's histories. */
export interface ModelChecks {
  checkedRounds: number;
  /** Out of the check's budget (or not fully recorded): neither pass nor failure; a warning (fails under --strict). */
  unknownRounds: number;
  unknownReason?: string;
}

export interface HammerReport extends StrategyBase {
  name: 'hammer';
  requests: number;
  /** Why `counters` is empty, when it is: the adapter has none, or they could not be collected and why. */
  countersNote?: string;
  /** `budget`: its share of --time ran out before every request was made (the calls stop cleanly). */
  stopReason?: StopReason;
  budgetMs?: number;
  completed: number;
  errors: number;
  counters: CounterRow[];
  workers: number;
  concurrency: number;
  opsPerSec: number;
  perOperation: { name: string; calls: number; errors: number }[];
  contention: ContentionRow[];
  /** With an adapter `model`: its check of the hammer's history. */
  model?: ModelChecks;
  /** Whether each operation's calls overlapped another call in its one round (no rate is claimed from one round). */
  confidence?: Confidence;
  /** Why a pass is weak evidence, each also a warning (`WarningCaveat`: a check that could have failed did not run). */
  caveats?: WarningCaveat[];
}

export interface OutcomeBucket {
  /** e.g. "count=1999": the round's counters, as a jcstress-style outcome. */
  outcome: string;
  rounds: number;
  failed: boolean;
}

/** Why a strategy stopped where it did. */
export type StopReason = 'done' | 'evidence' | 'budget' | 'interrupted' | 'failed-hook' | 'workers-lost';

/**
 * May race rounds run ahead of each other (batches, pipelining, sessions side by side)? Only when each
 * round's state is its own: declared by the adapter's `batch`, or proven from its hooks' source.
 */
export type RoundIndependence =
  /** `declared`: the adapter's `batch: true`; `proven`: its round hooks touch only their own round's state. */
  | { independent: true; basis: 'declared' | 'proven' }
  /** `declared`: the adapter's `batch: false`; `unproven`: a hook may reach state other rounds share (which hook, where, what). */
  | { independent: false; basis: 'declared' | 'unproven'; hook?: string; at?: string; reason?: string };

export interface RaceReport extends StrategyBase {
  name: 'race';
  /** Whether rounds ran ahead of each other, and why (an addition to the contract). */
  independence?: RoundIndependence;
  rounds: number;
  /** Why `counters` is empty, when it is. */
  countersNote?: string;
  /** --rounds: the most it could run; `rounds` is what it did. */
  plannedRounds?: number;
  /** `done`: every planned round; `evidence`: enough failing rounds; `budget`: its share of --time ran out. */
  stopReason?: StopReason;
  /** Its share of the run's time budget, ms. */
  budgetMs?: number;
  failedRounds: number;
  lostUpdates: number;
  counters: CounterRow[];
  iterations: number;
  workers: number;
  concurrency: number;
  /** Lost updates per failing round. */
  lostPerFailedRound: { min: number; median: number; max: number } | null;
  /** The same as a distribution (`lostPerFailedRound` is its summary), so that shard reports merge exactly. */
  lostPerFailedRoundHistogram?: ValueHistogram;
  /** Rounds each independent session played, when several ran side by side on this machine's cores. */
  sessions?: number[];
  /** In a merged report: the command that replays the shard holding `firstFailedRound`. */
  firstFailedReplay?: string;
  firstFailedRound: number | null;
  /** Time to first detection: ms from the strategy's start (workers included) to the end of the first failing round. */
  firstFailedMs?: number | null;
  outcomes: OutcomeBucket[];
  contention: ContentionRow[];
  /** Rounds in which contention (calls in flight) was measured: one in every few, see strategies/race.ts. */
  contentionRounds?: number;
  /** How rare a race these rounds would have caught (a pass), or how often they failed (docs/explanation/confidence.md). */
  confidence?: Confidence;
  /** With an adapter `model`: rounds checked for linearizability, and those the check could not decide. */
  model?: ModelChecks;
  /**
   * Smallest configuration found that still fails the same way (a search of a few seconds after a race
   * failure, with controlled rounds when only they failed), with how often it failed in a confirmation
   * run and a command that replays it; null when a round failed but there is none (`unavailable.minimal`
   * says why); absent when no round failed.
   */
  minimal?: {
    workers: number;
    iterations: number;
    concurrency: number;
    failedRounds: number;
    rounds: number;
    command: string;
    /** Smaller than the run's own configuration in at least one dimension. */
    smaller?: boolean;
    /** Configurations tried. */
    tried?: number;
    /** false: it fails with 1 worker and 1 lane, so it is a plain bug, not a race. */
    concurrent?: boolean;
    /** What the smallest setup means: `bug` (1 worker x 1 lane), `async` (lanes of one worker), `threads`, `database` (clients of a database). */
    classification?: 'bug' | 'async' | 'threads' | 'database';
    /** The classification as a sentence. */
    meaning?: string;
    /** What its failing rounds showed, as `kind:counter` or `kind:operation` (`lost-update:a`): a bug one call at a time explains only those. */
    reproduces?: string[];
    /** The operations it still fails with, when fewer than the run's (the replay's --ops). */
    ops?: string[];
    /** How the smallest scenario failed: its call history (or the part of it that shows the failure). */
    history?: CallHistory;
  } | null;
  /** Its controlled rounds (docs/guides/controlled-interleavings.md): absent with --scheduler off. */
  scheduler?: SchedulerFigures;
  /**
   * The failing controlled round's schedules, shrunk to fewer preemptions and replayed: the value that
   * replays it, the steps lane by lane, and its calls. Absent when no controlled round failed; null when
   * one failed but could not be replayed (`unavailable.schedule` says why).
   */
  schedule?: FailingSchedule | null;
  /** Why `minimal` or `schedule` is null (a round failed, but there is none), as what happened: the reporters say it, never a guess. */
  unavailable?: {
    minimal?: SearchMissing;
    schedule?: SearchMissing;
  };
  /**
   * Why a pass is weak evidence, each also a warning: `scheduler-stalled` (controlled rounds in which
   * nothing could run for half of --timeout), `few-rounds` (a sliver of the planned rounds fit in the budget),
   * and the hammer's (`WarningCaveat`: `no-contention`, an operation never overlapped another call, and the
   * other checks that did not run).
   */
  caveats?: ('scheduler-stalled' | 'few-rounds' | WarningCaveat)[];
}

/**
 * Why a search after the rounds gave nothing: the run was interrupted; a hook failed (every further
 * round would repeat it); a worker hung or crashed (the session with it); the failing controlled round
 * hung (each replay would wait --timeout); no failing controlled round had every worker's schedule; no
 * time was left in the --time budget; a hang costs --timeout per trial and three did not fit; the
 * search played its rounds and the failure did not show again.
 */
export type SearchMissing = 'interrupted' | 'hook-failed' | 'workers-lost' | 'hung' | 'incomplete' | 'no-time' | 'hang-needs-time' | 'not-reproduced';

/** The race's controlled rounds: each worker's lanes under its own seeded scheduler, every await of the user's code a scheduling point. */
export interface SchedulerFigures {
  /** --scheduler (`mixed`, `random`, `pct:<d>`), or `replay` with --schedule. */
  mode: string;
  controlledRounds: number;
  failedControlledRounds: number;
  naturalRounds: number;
  failedNaturalRounds: number;
  /** Calls per worker in a controlled round (a few per lane: a scheduler's chance to hit a bug falls with every step). */
  calls: number;
  /** Lane code that ran without the scheduler's grant, all controlled rounds: I/O or timer callbacks, uninstrumented awaits. */
  uncontrolledResumptions: number;
  /** Controlled rounds with any such resumption: only partly controlled. */
  partlyControlledRounds: number;
  /** With --schedule: replays that could not follow it. */
  divergedRounds?: number;
  /** Controlled rounds in which nothing could run for half of --timeout: the rest of the round ran uncontrolled (a warning). */
  stalledRounds?: number;
  /**
   * Controlled rounds in which a lane the scheduler waited for (a replay's recorded lane) was blocked
   * outside it (its await did not settle within a short bound while the other lanes were parked: a row
   * lock a parked lane holds), so another lane ran first; and the first such lane. Absent: none.
   */
  blockedRounds?: number;
  blocked?: BlockedLane & { round: number };

  /** Why no round was controlled, when none was. */
  note?: string;
}

/**
 * One step of a worker's scheduler: what one lane ran from one scheduling point to the next. The one
 * type for a step: the scheduler writes it (src/scheduler/), the answer carries it, the report shows it.
 */
export interface ScheduleStep {
  worker: number;
  step: number;
  lane: number;
  /** The operation the lane was in, and the worker's index of that call (as in `history`); -1 before its first call. */
  op: string | null;
  call: number;
  /**
   * What it resumed: an await (`file:line:col` in your source), `start`, `call`, or a timer callback of
   * your code (`setTimeout file:line:col`, `setImmediate file:line:col`: where it was set).
   */
  from: string;
  /** Where the lane parked next (an await's site), `end` (the lane finished), or null (it blocked outside the scheduler). */
  to: string | null;
  /** The lane it switched away from while that lane could have continued. */
  preempted: number | null;
}

/**
 * A lane a scheduler waited for (a replay's recorded lane) that was blocked outside it, so at step `step`
 * another lane ran instead: `why` `pending`, its await (`site`; null: it was running in code not
 * instrumented) did not settle within a short bound while the worker's other lanes were parked and some
 * could run (a row lock that a parked lane's open transaction holds); `order`, it had settled, but after
 * another lane's, whose continuation runs first (the database answered in another order). The
 * scheduler writes it (src/scheduler/); the report adds the worker and what it waited on.
 */
export interface BlockedAt {
  step: number;
  lane: number;
  site: string | null;
  why: 'pending' | 'order';
}

/** A blocked lane in the report: `in` is `database` when the adapter's calls are a database's clients, else `io`. */
export interface BlockedLane extends BlockedAt {
  worker: number;
  in: 'database' | 'io';
}

export interface FailingSchedule {
  /** The round whose calls it repeats. */
  round: number;
  /** --schedule's value: `<round>:<worker 0's schedule>,...`. */
  value: string;
  /** Preemptions (switches away from a lane that runs again later), after and before shrinking. */
  preemptions: number;
  preemptionsBefore: number;
  /** Shrink trials run. */
  tries: number;
  /** Strict replays of `value`, and how many of them failed. */
  replays: number;
  replaysFailed: number;
  /** Resumptions outside the scheduler in the first replay: more than 0, and exact replay is not promised. */
  uncontrolled: number;
  uncontrolledAt: { worker: number; step: number; lane: number; site: string }[];
  /** A replay that could not follow the schedule: where. */
  diverged: string | null;
  /**
   * Lanes the replay shown found blocked outside the scheduler (the first ones; `blockedCount` in all):
   * each let a later step of the schedule go first, then the replay went on with the schedule. Not a
   * divergence: the database answered the lanes in another order than in the recorded round. Absent: none.
   */
  blocked?: BlockedLane[];
  blockedCount?: number;
  /** The first replay's steps, every worker's, in order per worker. */
  steps: ScheduleStep[];
  /** Steps left out of `steps` (bounded per worker). */
  omittedSteps: number;
  /** The source line of each await the steps name (`file:line:col` → the line's text), where the file could be read. */
  sources?: Record<string, string>;
  /** The first replay's calls: the steps' `call` indices name them. */
  history?: CallHistory;
  /** The setup it was recorded and replayed on, when not the run's own (the smallest failing setup). */
  setup?: { workers: number; concurrency: number; iterations: number; ops?: string[] };
  /** Replays it: this value, the seed, the settings. */
  command: string;
}

export interface ThroughputPoint {
  workers: number;
  opsPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  calls: number;
  errors: number;
  /** calls/s relative to the 1-worker point. */
  speedup: number;
  /** speedup / workers: 100% is perfect scaling, 1/workers a fully serialised operation. */
  efficiency: number;
  /** Calls actually timed for the latency percentiles (sampled, see docs/explanation/how-it-works.md, "How latency is measured"). */
  latencySamples?: number;
  /** The point's initial sampling stride: one call in this many was timed (it doubles if samples pile up). */
  sampleEvery?: number;
  /** Share of the point's calls that threw (they are not counted as speed). */
  errorRate?: number;
  /** The latency HDR histogram (ns), compressed base64 (hdr-histogram-js), so that points of one machine merge exactly. */
  latencyHistogram?: string;
}

/** How calls/s grew with workers (decided in checks/throughput.ts, with the thresholds used). */
export interface ScalingDiagnosis {
  kind: 'scales' | 'sub-linear' | 'flat';
  speedup: number;
  efficiency: number;
  workers: number;
  /** CPUs this process could use: more workers than cores is oversubscription, not a lock. */
  cores: number;
  oversubscribed: boolean;
  /** Below this efficiency at the top point the curve is not `scales`. */
  subLinearBelow: number;
  /** Below this speedup it is `flat`. */
  flatBelow: number;
  message: string;
}

export interface ThroughputReport extends StrategyBase {
  name: 'throughput';
  points: ThroughputPoint[];
  concurrency: number;
  /** Seconds measured per point (less than --duration when the budget could not afford it). */
  duration?: number;
  /** --duration as asked. */
  plannedDuration?: number;
  /** `budget`: its share of --time ran out before every worker count was measured. */
  stopReason?: StopReason;
  budgetMs?: number;
  /** --min-ops: calls/s the last point (at --workers) had to reach. */
  minOps?: number;
  /** The --min-ops gate's result, when it was asked for and measured. */
  minOpsResult?: { required: number; actual: number; workers: number; ok: boolean };
  /** Absent with fewer than two points. */
  scaling?: ScalingDiagnosis;
}

export type StrategyReport = HammerReport | RaceReport | ThroughputReport;

/** A run's settings as the plan had them: every run option of the table, the adapter's args, the environment. */
export type ReportConfig = RunSettings & { args: Record<string, unknown>; env: PlanEnvironment };

export interface Report {
  tool: { name: string; version: string };
  adapter: string;
  seed: number;
  verdict: Verdict;
  status: Status;
  /** The run's outcome in one line, e.g. "race failed — the adapter declares threadSafe: true, but it raced". */
  headline: string;
  /** The run failed only because of warnings under --strict. */
  strictFailure: boolean;
  /** Exit code the CLI uses for this report (0 pass, 1 fail, 130/143 interrupted). */
  exitCode: number;
  startedAt: string;
  durationMs: number;
  threadSafe: boolean | null;
  config: ReportConfig;
  strategies: StrategyReport[];
  findings: Finding[];
  warnings: Warning[];
  /** Informational notes (not failures, not even with --strict), e.g. observed concurrent access. */
  info: Warning[];
  /** A command line that replays this run (same seed and settings). */
  replay: string;
  interrupted: boolean;
  /** Set by `adapter-hammer merge`: what was merged. */
  merged?: MergeInfo;
}

/**
 * A report as the core builds it and reporters read it: findings and warnings as data, without their
 * sentences (reporters/json.ts: reportObject() writes them into the Report that --json and hammer() give).
 */
export type RunReport = Omit<Report, 'findings' | 'warnings' | 'info'> & { findings: FindingFacts[]; warnings: WarningFacts[]; info: WarningFacts[] };

/** What `adapter-hammer merge` added up: the files, the shards found, and those missing (then the run fails). */
export interface MergeInfo {
  files: string[];
  shards: string[];
  missing: string[];
}

/** An adapter of a multi-adapter run that could not start (missing file, syntax error, no operations). */
export interface StartFailure {
  adapter: string;
  verdict: 'fail';
  /** 2: this adapter could not start. */
  exitCode: 2;
  notStarted: true;
  /** One line per problem, as the single-adapter CLI prints them. */
  problems: string[];
  strategies: [];
  findings: [];
  warnings: [];
}

/**
 * Several adapters in one run (`adapter-hammer a.mjs b.mjs`, a directory, or a config's list): the
 * JSON report is `{ verdict, adapters: [report, ...] }`. A single adapter keeps the plain Report shape.
 */
export interface MultiReport {
  tool: { name: string; version: string };
  verdict: Verdict;
  status: Status;
  /** 0 all passed; 1 any failed or could not start; 2 none could start; 130/143 interrupted. */
  exitCode: number;
  durationMs: number;
  interrupted: boolean;
  adapters: (Report | StartFailure)[];
  /** This job's shard of a sharded run (`--shard`), and every adapter of the whole run (the merge checks them). */
  shard?: Shard & { adapters: string[] };
  merged?: MergeInfo;
}

/** A multi-adapter run as the core builds it: its adapters' reports as data (RunReport). */
export type MultiRunReport = Omit<MultiReport, 'adapters'> & { adapters: (RunReport | StartFailure)[] };

/** An adapter of a multi-adapter run that could not start, told from one that ran. */
export const isStartFailure = <R extends RunReport>(r: R | StartFailure): r is StartFailure => 'notStarted' in r && r.notStarted === true;

/** A strategy's name, and in a merged report the machine it measured: `throughput on runner-1 (shard 1/3, 2/3)`. */
export const strategyLabel = (s: StrategyReport): string => (s.machine ? `${s.name} on ${s.machine.hostname} (shard ${s.machine.shards.join(', ')})` : s.name);

/** A strategy's findings; in a merged report a machine's entry holds those of its own shards. */
export const findingsOf = (r: RunReport, s: StrategyReport): FindingFacts[] =>
  r.findings.filter((f) => f.strategy === s.name && (!s.machine || f.shard === undefined || s.machine.shards.includes(f.shard)));

/** Where a finding came from: `race`, or `race · shard 2/3` in a merged report. */
export const findingSource = (f: FindingFacts): string => (f.shard ? `${f.strategy} · shard ${f.shard}` : f.strategy);

/** The adapters' entries of a report: one for a single-adapter report, each for a multi-adapter one. */
export const entriesOf = (report: RunReport | MultiRunReport): (RunReport | StartFailure)[] => ('adapters' in report ? report.adapters : [report]);

/** A finding's or warning's fields as one key (its sentence left out): two with equal keys say the same thing. */
export function factsKey(x: object): string {
  const entries = Object.entries(x).filter(([k, v]) => k !== 'message' && v !== undefined);
  return JSON.stringify(
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
  );
}

/** Each warning (or finding) once, by its fields; the first of equals is kept. */
export function uniqueFacts<T extends object>(xs: readonly T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const key = factsKey(x);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
