import type { RaceReport } from '../types.js';
import { contentionLine, counterTable, int, ms, safe, strategyHeading, type Style } from './common.js';

const TOP_OUTCOMES = 5;

export function renderRace(style: Style, s: RaceReport): string {
  const pct = s.rounds ? ((100 * s.failedRounds) / s.rounds).toFixed(1) : '0';
  const detail = `${int(s.rounds)} rounds × ${int(s.iterations)} calls/worker · ${s.workers} workers × ${s.concurrency} lanes · ${int(s.failedRounds)} failed (${pct}%) · ${ms(s.durationMs)}`;
  const lines = [strategyHeading(style, 'race', s.verdict, detail)];
  if (s.counters.length) {
    lines.push(style.c.dim(s.firstFailedRound !== null ? `  counters of round ${s.firstFailedRound} (the first that failed):` : '  counters of the last round:'));
  }
  lines.push(counterTable(style, s.counters));
  if (s.lostUpdates > 0 && s.lostPerFailedRound) {
    const l = s.lostPerFailedRound;
    lines.push(`  lost updates: ${style.c.red.bold(int(s.lostUpdates))} in total; per failing round min ${int(l.min)} · median ${int(l.median)} · max ${int(l.max)}`);
  }
  if (s.outcomes.length) {
    const top = s.outcomes.slice(0, TOP_OUTCOMES).map((o) => `${o.failed ? style.c.red(safe(o.outcome, 80)) : style.c.green(safe(o.outcome, 80))}: ${int(o.rounds)} rounds`);
    const more = s.outcomes.length > TOP_OUTCOMES ? style.c.dim(` (+${s.outcomes.length - TOP_OUTCOMES} more outcomes)`) : '';
    lines.push(`  ${style.c.dim('outcomes:')} ${top.join(style.c.dim(' | '))}${more}`);
  }
  if (s.minimal) {
    lines.push(`  ${style.c.bold('smallest failing setup:')} ${s.minimal.workers} workers × ${s.minimal.concurrency} lanes × ${s.minimal.iterations} calls (${s.minimal.failedRounds}/${s.minimal.rounds} rounds failed)`);
    lines.push(`    ${style.c.cyan(s.minimal.command)}`);
  }
  const c = contentionLine(style, s.contention);
  if (c) lines.push(c);
  return lines.join('\n');
}
