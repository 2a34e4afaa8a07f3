import type { RaceReport } from '../../schema/report.js';
import { historyTable } from '../history-table.js';
import { missingText, scheduleLines, schedulerLine } from '../schedule-trace.js';
import { contentionLine, counterTable, int, modelLine, ms, safe, strategyHeading, type Style } from './common.js';

const TOP_OUTCOMES = 5;

/** "2,000 rounds", or what stopped it short: "412 of 2,000 rounds in the 15 s budget". */
function roundsDone(s: RaceReport): string {
  const planned = s.plannedRounds ?? s.rounds;
  if (s.rounds >= planned) return `${int(s.rounds)} rounds`;
  const of = `${int(s.rounds)} of ${int(planned)} rounds`;
  if (s.stopReason === 'budget' && s.budgetMs !== undefined) return `${of} in its ${ms(s.budgetMs)} share of the --time budget`;
  if (s.stopReason === 'evidence') return `${of} (stopped after ${int(s.failedRounds)} failing rounds: enough evidence)`;
  if (s.stopReason === 'workers-lost') return `${of} (stopped: a worker hung or crashed)`;
  if (s.stopReason === 'failed-hook') return `${of} (stopped: a hook failed)`;
  return of;
}

export function renderRace(style: Style, s: RaceReport, width = 120): string {
  const pct = s.rounds ? ((100 * s.failedRounds) / s.rounds).toFixed(1) : '0';
  const detail = `${roundsDone(s)} × ${int(s.iterations)} calls/worker · ${s.workers} workers × ${s.concurrency} lanes · ${int(s.failedRounds)} failed (${pct}%) · ${ms(s.durationMs)}`;
  // A pass the report has caveats about (see its warnings) is never shown as a plain PASS.
  const caveat = s.status === 'pass' && s.caveats?.length ? ` · ${style.c.yellow.bold(`but see warnings: ${s.caveats.join(', ')}`)}` : '';
  const lines = [strategyHeading(style, 'race', s.status, detail) + caveat];
  if (s.counters.length) {
    const after = s.firstFailedMs != null ? `, caught after ${ms(s.firstFailedMs)}` : '';
    lines.push(
      style.c.dim(s.firstFailedRound !== null ? `  counters of round ${s.firstFailedRound} (the first that failed${after}):` : '  counters of the last round:'),
    );
  }
  lines.push(counterTable(style, s.counters, s.countersNote));
  if (s.lostUpdates > 0 && s.lostPerFailedRound) {
    const l = s.lostPerFailedRound;
    lines.push(
      `  lost updates: ${style.c.red.bold(int(s.lostUpdates))} in total; per failing round min ${int(l.min)} · median ${int(l.median)} · max ${int(l.max)}`,
    );
  }
  if (s.outcomes.length) {
    const top = s.outcomes
      .slice(0, TOP_OUTCOMES)
      .map((o) => `${o.failed ? style.c.red(safe(o.outcome, 80)) : style.c.green(safe(o.outcome, 80))}: ${int(o.rounds)} rounds`);
    const more = s.outcomes.length > TOP_OUTCOMES ? style.c.dim(` (+${s.outcomes.length - TOP_OUTCOMES} more outcomes)`) : '';
    lines.push(`  ${style.c.dim('outcomes:')} ${top.join(style.c.dim(' | '))}${more}`);
  }
  if (s.minimal) {
    const m = s.minimal;
    const plural = (n: number, one: string) => `${int(n)} ${one}${n === 1 ? '' : 's'}`;
    const ops = m.ops ? ` of ${m.ops.join(', ')}` : '';
    const setup = `${plural(m.workers, 'worker')} × ${plural(m.concurrency, 'lane')} × ${plural(m.iterations, 'call')}${safe(ops, 200)}`;
    const share = `failed ${int(m.failedRounds)} of ${int(m.rounds)} rounds`;
    lines.push(`  ${style.c.bold('smallest failing setup:')} ${setup} (${share})${m.smaller === false ? style.c.dim(' — nothing smaller failed') : ''}`);
    if (m.meaning) lines.push(`    ${m.classification === 'bug' ? style.c.yellow(m.meaning) : style.c.dim(m.meaning)}`);
    lines.push(`    ${style.c.dim('replay it:')} ${style.c.cyan(safe(m.command, 4000))}`);
    if (m.history) lines.push(...historyTable(m.history, { color: style.c, width: width - 6 }).map((l) => `      ${l}`));
  } else if (s.minimalMissing) {
    lines.push(style.c.dim(`  (no smallest failing setup: ${missingText(s.minimalMissing, 'search')})`));
  }
  if (s.scheduler) lines.push(`  ${style.c.dim(schedulerLine(s.scheduler))}`);
  if (s.schedule) lines.push(...scheduleLines(s.schedule, style.c).map((l) => `  ${l}`));
  if (s.schedule && s.scheduler && s.scheduler.failedNaturalRounds > 0)
    lines.push(style.c.dim('    natural rounds failed too: this failure does not need the scheduler (its smallest failing setup is searched as usual)'));
  else if (s.scheduleMissing && s.scheduleMissing !== 'replay')
    lines.push(style.c.dim(`  (the failing controlled round is not replayed: ${missingText(s.scheduleMissing, 'replay')})`));
  const model = modelLine(style, s.model);
  if (model) lines.push(model);
  const c = contentionLine(style, s.contention);
  if (c) lines.push(c);
  return lines.join('\n');
}
