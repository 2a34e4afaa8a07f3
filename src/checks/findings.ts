// The vocabulary of verdicts: every failure the tool reports is a Finding produced by a check.

/**
 * Contract kinds, plus `mismatch` (a counter above its expected value, e.g. a lazy init that ran
 * twice: not a lost update, still a failure), and `throughput` (the throughput strategy's calls/s at
 * --workers fell below --min-ops: a CI gate for performance regressions).
 */
export type FindingKind = 'lost-update' | 'mismatch' | 'invariant' | 'duplicate' | 'error' | 'hang' | 'crash' | 'throughput';

export interface Finding {
  strategy: string;
  kind: FindingKind;
  message: string;
  round?: number;
  op?: string;
  hook?: string;
  workerId?: number;
  count?: number;
  example?: unknown;
}

export interface Warning {
  code: string;
  message: string;
}
