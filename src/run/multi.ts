// Several adapters in one run: one entry per adapter, the combined verdict from checks/run.ts.
import { judgeMulti } from '../checks/run.js';
import type { MultiRunReport, RunReport, StartFailure } from '../schema/report.js';
import { TOOL } from '../tool.js';

export function startFailure(adapter: string, problems: string[]): StartFailure {
  return { adapter, verdict: 'fail', exitCode: 2, notStarted: true, problems, strategies: [], findings: [], warnings: [] };
}

export function combineReports(adapters: (RunReport | StartFailure)[], durationMs: number, shard?: MultiRunReport['shard']): MultiRunReport {
  return { tool: TOOL, ...judgeMulti(adapters), durationMs, adapters, ...(shard ? { shard } : {}) };
}
