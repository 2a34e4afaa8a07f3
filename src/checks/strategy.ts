// A strategy's status, decided here and nowhere else: reporters render it, the run's verdict adds it up.
// A check that could not have failed never passes: a strategy that completed no call, whose every
// round was cut short, or whose every round only the model would have checked and it could not decide, fails with an `inconclusive` finding (or is `partial` when interrupted).
import {
  WARNING_CAVEATS,
  type FindingFacts,
  type HammerReport,
  type RaceReport,
  type Status,
  type StrategyReport,
  type ThroughputReport,
  type Verdict,
  type WarningCaveat,
  type WarningFacts,
} from '../schema/report.js';

type Figures<R extends StrategyReport> = Omit<R, 'verdict' | 'status'>;

/** What a strategy measured, before any verdict. */
export interface StrategyEvidence {
  figures: Figures<HammerReport> | Figures<RaceReport> | Figures<ThroughputReport>;
  findings: FindingFacts[];
  warnings: WarningFacts[];
  info: WarningFacts[];
  interrupted: boolean;
  /** Calls that returned without throwing, in rounds or points that count. */
  completedCalls: number;
  /** Rounds (or throughput points) that ran to the end. */
  completeRounds: number;
  /** Complete rounds whose one check of the calls' results was the model, and it could not decide. */
  undecidedRounds?: number;
}

export interface StrategyOutcome {
  report: StrategyReport;
  findings: FindingFacts[];
  warnings: WarningFacts[];
  info: WarningFacts[];
}

/**
 * The caveats a strategy's warnings put on its pass: an operation that never overlapped another call,
 * counters that nothing compared, a counter that was not a number (left out of the checks), rounds the
 * model's check could not decide. Each means a check that could have failed did not run; the pass is
 * shown with them, never plain.
 */
export function warningCaveats(warnings: readonly WarningFacts[]): WarningCaveat[] {
  const codes = new Set(warnings.map((w) => w.code));
  return WARNING_CAVEATS.filter((c) => codes.has(c));
}

export function statusOf(findings: FindingFacts[], interrupted: boolean): Status {
  if (findings.length) return 'fail';
  return interrupted ? 'partial' : 'pass';
}

export function judgeStrategy(ev: StrategyEvidence): StrategyOutcome {
  const name = ev.figures.name;
  const findings = [...ev.findings];
  if (!findings.length && !ev.interrupted) {
    if (ev.completedCalls === 0) findings.push({ strategy: name, kind: 'inconclusive', reason: 'no-calls' });
    else if (ev.completeRounds === 0) findings.push({ strategy: name, kind: 'inconclusive', reason: 'rounds-cut-short' });
    // An undecided model is neither a pass nor a failure: where it was the only check of what the calls
    // returned, in every round, nothing was checked.
    else if ((ev.undecidedRounds ?? 0) >= ev.completeRounds) findings.push({ strategy: name, kind: 'inconclusive', reason: 'model-undecided' });
  }
  const status = statusOf(findings, ev.interrupted);
  const verdict: Verdict = status === 'pass' ? 'pass' : 'fail';
  const report: StrategyReport = Object.assign({}, ev.figures, { verdict, status }, ev.interrupted ? { interrupted: true } : {});
  return { report, findings, warnings: ev.warnings, info: ev.info };
}
