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
  outcomes: OutcomeBucket[];
  contention: ContentionRow[];
  /** Smallest configuration found that still fails, if a search ran. */
  minimal?: { workers: number; iterations: number; concurrency: number; failedRounds: number; rounds: number; command: string } | null;
}

export interface ThroughputPoint {
  workers: number;
  opsPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  calls: number;
  errors: number;
  speedup: number;
  efficiency: number;
}

export interface ThroughputReport extends StrategyBase {
  name: 'throughput';
  points: ThroughputPoint[];
  concurrency: number;
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
