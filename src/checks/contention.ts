// Contention evidence from round tallies: did calls actually overlap? Without overlap no race can show.
import type { RoundTallies } from '../pool/session.js';
import type { ContentionRow, Warning } from '../report/types.js';

export class ContentionTracker {
  private readonly rows: ContentionRow[];

  constructor(opNames: string[]) {
    this.rows = opNames.map((op) => ({ op, maxInFlight: 0, maxWorkers: 0, overlapped: false }));
  }

  add(t: RoundTallies): void {
    this.rows.forEach((r, i) => {
      if (t.ops[i]!.started === 0) return;
      r.maxInFlight = Math.max(r.maxInFlight, t.maxCalls[i]!);
      r.maxWorkers = Math.max(r.maxWorkers, t.maxWorkers[i]!);
      r.overlapped ||= t.overlapped[i]!;
    });
  }

  get result(): ContentionRow[] {
    return this.rows.map((r) => ({ ...r }));
  }

  /** `no-contention` for every operation that ran but never overlapped another call. */
  warnings(strategy: string, calledOps: Set<string>): Warning[] {
    return this.rows
      .filter((r) => calledOps.has(r.op) && !r.overlapped)
      .map((r) => ({
        code: 'no-contention',
        message: `${strategy}: operation '${r.op}' never ran at the same time as another call, so this run could not have revealed a race in it (more --workers or --concurrency, or a slower/async operation, would)`,
      }));
  }

  info(strategy: string): Warning[] {
    return this.rows
      .filter((r) => r.maxInFlight > 1)
      .map((r) => ({
        code: 'concurrent-access',
        message: `${strategy}: operation '${r.op}' was accessed by ${r.maxWorkers} worker${r.maxWorkers === 1 ? '' : 's'} concurrently (up to ${r.maxInFlight} calls in flight at once)`,
      }));
  }
}
