// The throughput strategy's diagnoses: how calls/s scaled with workers (with the thresholds used and
// the machine's core count: 20 workers on 2 cores is oversubscription, not a lock) and the --min-ops gate.
import type { FindingFacts, ScalingDiagnosis, ThroughputPoint, ThroughputReport } from '../schema/report.js';
import { plural } from '../schema/words.js';

/** Below this efficiency at the top point, adding workers helped less than it could. */
export const SUB_LINEAR_BELOW = 0.6;
/** Below this speedup at the top point, adding workers did not help at all. */
export const FLAT_BELOW = 1.2;

export function scalingOf(points: ThroughputPoint[], cores: number): ScalingDiagnosis | undefined {
  const last = points.at(-1);
  if (points.length < 2 || !last) return undefined;
  const { speedup, efficiency, workers } = last;
  const oversubscribed = workers > cores;
  const kind = efficiency >= SUB_LINEAR_BELOW ? 'scales' : speedup < FLAT_BELOW ? 'flat' : 'sub-linear';
  const x = `${speedup.toFixed(2)}x`;
  let message: string;
  if (kind === 'scales') message = `${plural(workers, 'worker')} make ${x} the successful calls of 1 (${(efficiency * 100).toFixed(0)}% efficiency)`;
  else if (oversubscribed) {
    message = `${kind}: ${plural(workers, 'worker')} on ${plural(cores, 'core')} make ${x} the successful calls of 1; with more workers than cores this measures the machine, not a lock (try --workers ${cores})`;
  } else if (kind === 'flat') {
    message = `flat: ${plural(workers, 'worker')} make ${x} the successful calls of 1 — the calls serialise (a lock, or one shared resource such as a contended counter)`;
  } else {
    message = `sub-linear: ${plural(workers, 'worker')} make ${x} the successful calls of 1 (${(efficiency * 100).toFixed(0)}% efficiency): the calls contend for something shared`;
  }
  return { kind, speedup, efficiency, workers, cores, oversubscribed, subLinearBelow: SUB_LINEAR_BELOW, flatBelow: FLAT_BELOW, message };
}

/** The --min-ops gate: calls/s at --workers (the last point) must reach it. */
export function minOpsOf(
  minOps: number | undefined,
  workers: number,
  points: ThroughputPoint[],
): { result?: ThroughputReport['minOpsResult']; finding?: FindingFacts } {
  if (minOps === undefined) return {};
  const top = points.at(-1);
  if (!top || top.workers !== workers) {
    return { finding: { strategy: 'throughput', kind: 'throughput', minOps, workers } };
  }
  const result = { required: minOps, actual: top.opsPerSec, workers: top.workers, ok: top.opsPerSec >= minOps };
  if (result.ok) return { result };
  return {
    result,
    finding: { strategy: 'throughput', kind: 'throughput', minOps, workers: top.workers, opsPerSec: top.opsPerSec, count: Math.round(top.opsPerSec) },
  };
}
