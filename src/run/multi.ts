// Several adapters in one run: the combined verdict and exit code (reporters only render them).
import type { MultiReport, Report, StartFailure } from '../report/types.js';
import { TOOL } from './run.js';

export function startFailure(adapter: string, problems: string[]): StartFailure {
  return { adapter, verdict: 'fail', exitCode: 2, notStarted: true, problems, strategies: [], findings: [], warnings: [] };
}

export const isStartFailure = (r: Report | StartFailure): r is StartFailure => 'notStarted' in r && r.notStarted === true;

/**
 * Exit code: an interruption wins (130/143); then 2 when no adapter could start at all; then 1 when any
 * adapter failed or could not start; else 0.
 */
export function combineReports(adapters: (Report | StartFailure)[], durationMs: number): MultiReport {
  const interrupted = adapters.find((r): r is Report => !isStartFailure(r) && r.interrupted);
  const started = adapters.filter((r) => !isStartFailure(r));
  const failed = adapters.some((r) => r.verdict === 'fail');
  let exitCode: number;
  if (interrupted) exitCode = interrupted.exitCode;
  else if (adapters.length > 0 && started.length === 0) exitCode = 2;
  else exitCode = failed ? 1 : 0;
  return { tool: TOOL, verdict: failed || adapters.length === 0 ? 'fail' : 'pass', exitCode, durationMs, interrupted: Boolean(interrupted), adapters };
}
