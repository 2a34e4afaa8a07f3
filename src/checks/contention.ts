// Contention evidence from round tallies: did calls actually overlap? Without overlap no race can show.
import type { RoundTallies } from '../pool/session.js';
import type { ContentionRow, WarningFacts } from '../schema/report.js';

/** The warning for an operation that ran but never overlapped another call. */
export const noContention = (strategy: string, op: string): WarningFacts => ({ code: 'no-contention', strategy, op });

export class ContentionTracker {
  private readonly rows: ContentionRow[];

  constructor(opNames: string[]) {
    this.rows = opNames.map((op) => ({ op, maxInFlight: 0, maxWorkers: 0, overlapped: false }));
  }

  add(t: RoundTallies): void {
    // Calls still pending in a round cut short by a hang were all in flight at that moment: evidence too
    // (a hung worker never reports its own measurements, so without this a hang would read "never overlapped").
    const pendingAll = t.hangs.reduce((a, h) => a + Object.values(h.pending).reduce((x, y) => x + y, 0), 0);
    this.rows.forEach((r, i) => {
      if (t.ops[i]!.started === 0) return;
      const pending = t.hangs.reduce((a, h) => a + (h.pending[r.op] ?? 0), 0);
      const pendingWorkers = t.hangs.filter((h) => (h.pending[r.op] ?? 0) > 0).length;
      r.maxInFlight = Math.max(r.maxInFlight, t.maxCalls[i]!, pending);
      r.maxWorkers = Math.max(r.maxWorkers, t.maxWorkers[i]!, pendingWorkers);
      r.overlapped ||= t.overlapped[i]! || (pending > 0 && pendingAll > 1);
    });
  }

  /** Add rows measured elsewhere (another shard's): the most in flight, the most workers, overlapped by any. */
  addRows(rows: readonly ContentionRow[]): void {
    for (const x of rows) {
      const r = this.rows.find((y) => y.op === x.op);
      if (!r) continue;
      r.maxInFlight = Math.max(r.maxInFlight, x.maxInFlight);
      r.maxWorkers = Math.max(r.maxWorkers, x.maxWorkers);
      r.overlapped ||= x.overlapped;
    }
  }

  get result(): ContentionRow[] {
    return this.rows.map((r) => ({ ...r }));
  }

  /** `no-contention` for every operation that ran but never overlapped another call. */
  warnings(strategy: string, calledOps: Set<string>): WarningFacts[] {
    return this.rows.filter((r) => calledOps.has(r.op) && !r.overlapped).map((r) => noContention(strategy, r.op));
  }

  info(strategy: string): WarningFacts[] {
    return this.rows
      .filter((r) => r.maxInFlight > 1)
      .map((r) => ({ code: 'concurrent-access', strategy, op: r.op, maxWorkers: r.maxWorkers, maxInFlight: r.maxInFlight }));
  }
}
