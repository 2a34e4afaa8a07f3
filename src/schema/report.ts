// The one report object: what the JSON reporter writes, what the API returns, what every other
// reporter renders. Field names of the contract (section 3) are kept exactly; the rest are additions.
// Every status, verdict and diagnosis in it is decided in checks/; reporters only render them.
import type { StackFrame } from '../errors.js';
import type { PlanEnvironment, RunSettings, Shard } from '../options/table.js';
import type { ValueHistogram } from '../maths/distribution.js';

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

export interface Finding {
  strategy: string;
  kind: FindingKind;
  message: string;
  round?: number;
  op?: string;
  hook?: string;
  workerId?: number;
  /** The counter a lost-update or mismatch finding is about. */
  counter?: string;
  count?: number;
  example?: unknown;
  /** For errors: the distinct errors (by message and top user frame), most frequent first, with stacks. */
  errors?: DistinctError[];
  /** For a hang: the stuck worker's stack, taken by pausing it (user frames first). */
  stack?: StackFrame[];
  /** Where in the user's source the failure is, when a stack says so (annotations point there). */
  where?: { file: string; line: number; column?: number };
  /** In a merged report: the shard that found it (`2/3`). */
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

export interface Warning {
  code: string;
  message: string;
}

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
  /** With an adapter `model`: rounds checked for linearizability, and those the check could not decide. */
  model?: ModelChecks;
  /**
   * Smallest configuration found that still fails the same way (a search of a few seconds after a race
   * failure), with how often it failed in a confirmation run and a command that replays it; null when
   * the search ran and found nothing; absent when no search ran (no failure, or not a race: errors, hangs).
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
    /** The operations it still fails with, when fewer than the run's (the replay's --ops). */
    ops?: string[];
    /** How the smallest scenario failed: its call history (or the part of it that shows the failure). */
    history?: CallHistory;
  } | null;
  /** Its controlled rounds (README, "Controlled interleavings"): absent with --scheduler off. */
  scheduler?: SchedulerFigures;
  /**
   * The failing controlled round's schedules, shrunk to fewer preemptions and replayed: the value that
   * replays it, the steps lane by lane, and its calls. Absent when no controlled round failed; null when
   * one failed but could not be replayed (`unavailable.schedule` says why).
   */
  schedule?: FailingSchedule | null;
  /** Why `minimal` or `schedule` is null, as what happened (the reporters say it; never a guess). */
  unavailable?: {
    /** `interrupted`: the search was stopped; `not-reproduced`: no trial of the search failed the same way again within its time. */
    minimal?: 'interrupted' | 'not-reproduced';
    /** `interrupted`: the replay was stopped; `workers-lost`: a worker hung or crashed before a replay finished. */
    schedule?: 'interrupted' | 'workers-lost';
  };
}

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
  /** Why no round was controlled, when none was. */
  note?: string;
}

/** One step of a worker's scheduler: what one lane ran from one await to the next. */
export interface ScheduleTraceStep {
  worker: number;
  step: number;
  lane: number;
  /** The operation the lane was in, and the worker's index of that call (as in `history`); -1 before its first call. */
  op: string | null;
  call: number;
  /** The await it resumed from and the one it parked at next (`file:line:col` in your source), or `start`, `call`, `end`. */
  from: string;
  to: string | null;
  /** The lane it switched away from while that lane could have continued. */
  preempted: number | null;
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
  /** The first replay's steps, every worker's, in order per worker. */
  steps: ScheduleTraceStep[];
  /** Steps left out of `steps` (bounded per worker). */
  omittedSteps: number;
  /** The source line of each await the steps name (`file:line:col` → the line's text), where the file could be read. */
  sources?: Record<string, string>;
  /** The first replay's calls: the steps' `call` indices name them. */
  history?: CallHistory;
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
  /** Calls actually timed for the latency percentiles (sampled, see README "Throughput and latency"). */
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

/** An adapter of a multi-adapter run that could not start, told from one that ran. */
export const isStartFailure = (r: Report | StartFailure): r is StartFailure => 'notStarted' in r && r.notStarted === true;

/** A strategy's name, and in a merged report the machine it measured: `throughput on runner-1 (shard 1/3, 2/3)`. */
export const strategyLabel = (s: StrategyReport): string => (s.machine ? `${s.name} on ${s.machine.hostname} (shard ${s.machine.shards.join(', ')})` : s.name);

/** A strategy's findings; in a merged report a machine's entry holds those of its own shards. */
export const findingsOf = (r: Report, s: StrategyReport): Finding[] =>
  r.findings.filter((f) => f.strategy === s.name && (!s.machine || f.shard === undefined || s.machine.shards.includes(f.shard)));

/** Where a finding came from: `race`, or `race · shard 2/3` in a merged report. */
export const findingSource = (f: Finding): string => (f.shard ? `${f.strategy} · shard ${f.shard}` : f.strategy);

/** The adapters' entries of a report: one for a single-adapter report, each for a multi-adapter one. */
export const entriesOf = (report: Report | MultiReport): (Report | StartFailure)[] => ('adapters' in report ? report.adapters : [report]);
