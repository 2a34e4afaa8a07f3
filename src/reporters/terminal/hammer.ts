import type { HammerReport } from '../../schema/report.js';
import { budgetShare, caveatText, contentionLine, counterTable, int, modelLine, ms, rate, strategyHeading, type Style } from './common.js';
import { plural } from '../../schema/words.js';

export function renderHammer(style: Style, s: HammerReport): string {
  const budget = s.stopReason === 'budget' && s.budgetMs !== undefined ? ` ${budgetShare(s.budgetMs)}` : '';
  const detail = `${int(s.completed)} of ${int(s.requests)} calls ok${s.errors ? `, ${int(s.errors)} threw` : ''}${budget} · ${plural(s.workers, 'worker')} × ${plural(s.concurrency, 'lane')} · ${rate(s.opsPerSec)} calls/s · ${ms(s.durationMs)}`;
  return [
    strategyHeading(style, 'hammer', s.status, detail, s.machine) + caveatText(style, s),
    counterTable(style, s.counters, s.countersNote),
    modelLine(style, s.model),
    contentionLine(style, s.contention),
  ]
    .filter(Boolean)
    .join('\n');
}
