// The one report object: what the JSON reporter writes, what the API returns, what every other
// reporter renders. Field names of the contract (section 3) are kept exactly; the rest are additions.
import type { CounterRow } from '../checks/counters.js';
import type { Finding, Warning } from '../checks/findings.js';

export type Verdict = 'pass' | 'fail';

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

interface StrategyBase {
  verdict: Verdict;
  durationMs: number;
  /** Cut short by Ctrl-C / SIGTERM: its figures cover only what finished. */
  interrupted?: boolean;
}

export interface HammerReport extends StrategyBase {
  name: 'hammer';
  requests: number;
  completed: number;
  errors: number;
  counters: CounterRow[];
  workers: number;
  concurrency: number;
  opsPerSec: number;
  perOperation: { name: string; calls: number; errors: number }[];
  contention: ContentionRow[];
}

export interface OutcomeBucket {
  /** e.g. "count=1999": the round's counters, as a jcstress-style outcome. */
  outcome: string;
  rounds: number;
  failed: boolean;
}

export interface RaceReport extends StrategyBase {
  name: 'race';
  rounds: number;
  failedRounds: number;
  lostUpdates: number;
  counters: CounterRow[];
  iterations: number;
  workers: number;
  concurrency: number;
  /** Lost updates per failing round. */
  lostPerFailedRound: { min: number; median: number; max: number } | null;
  firstFailedRound: number | null;
  /** Time to first detection: ms from the strategy's start (workers included) to the end of the first failing round. */
  firstFailedMs?: number | null;
  outcomes: OutcomeBucket[];
  contention: ContentionRow[];
  /** Rounds in which contention (calls in flight) was measured: one in every few, see strategies/race.ts. */
  contentionRounds?: number;
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
  } | null;
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
}

export interface ThroughputReport extends StrategyBase {
  name: 'throughput';
  points: ThroughputPoint[];
  concurrency: number;
  /** Seconds measured per point. */
  duration?: number;
  /** --min-ops: calls/s the last point (at --workers) had to reach. */
  minOps?: number;
}

export type StrategyReport = HammerReport | RaceReport | ThroughputReport;

export interface Report {
  tool: { name: string; version: string };
  adapter: string;
  seed: number;
  verdict: Verdict;
  /** Exit code the CLI uses for this report (0 pass, 1 fail, 130/143 interrupted). */
  exitCode: number;
  startedAt: string;
  durationMs: number;
  threadSafe: boolean | null;
  config: {
    strategies: string[];
    workers: number;
    concurrency: number;
    requests: number;
    iterations: number;
    rounds: number;
    duration: number;
    timeoutMs: number;
    strict: boolean;
    args: Record<string, unknown>;
  };
  strategies: StrategyReport[];
  findings: Finding[];
  warnings: Warning[];
  /** Informational notes (not failures, not even with --strict), e.g. observed concurrent access. */
  info: Warning[];
  /** A command line that replays this run (same seed and settings). */
  replay: string;
  interrupted: boolean;
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
  /** 0 all passed; 1 any failed or could not start; 2 none could start; 130/143 interrupted. */
  exitCode: number;
  durationMs: number;
  interrupted: boolean;
  adapters: (Report | StartFailure)[];
}
