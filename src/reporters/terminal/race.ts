import type { RaceReport, SearchMissing } from '../../schema/report.js';
import { confidenceSentences } from '../confidence.js';
import { historyTable } from '../history-table.js';
import { scheduleLines, schedulerLine } from '../schedule-trace.js';
import { budgetShare, caveatText, contentionLine, counterTable, int, modelLine, ms, safe, strategyHeading, type Style } from './common.js';
import { plural } from '../../schema/words.js';

const TOP_OUTCOMES = 5;

/** "2,000 rounds", or what stopped it short: "412 of 2,000 rounds in the 15 s budget". */
export function roundsDone(s: RaceReport): string {
  const planned = s.plannedRounds ?? s.rounds;
  if (s.rounds > planned && s.confidence?.target) return `${int(s.rounds)} rounds (${int(planned)} of --rounds, then on for --confidence)`;
  if (s.rounds >= planned) return `${int(s.rounds)} rounds`;
  const of = `${int(s.rounds)} of ${int(planned)} rounds`;
  if (s.stopReason === 'budget' && s.budgetMs !== undefined) return `${of} ${budgetShare(s.budgetMs)}`;
  if (s.stopReason === 'evidence') return `${of} (stopped after ${int(s.failedRounds)} failing rounds: enough evidence)`;
  if (s.stopReason === 'workers-lost') return `${of} (stopped: a worker hung or crashed)`;
  if (s.stopReason === 'failed-hook') return `${of} (stopped: a hook failed)`;
  return of;
}

/** Why there is no smallest failing setup, as what happened (`unknown`: a report from before the reason was recorded). */
export const MINIMAL_UNAVAILABLE: Record<SearchMissing | 'unknown', string> = {
  interrupted: 'the search for a smaller failing setup was interrupted',
  'not-reproduced':
    'no smaller failing setup: no trial of the search failed the same way again within its time budget (a rare failure; the replay command replays the run)',
  'no-time': 'no smaller failing setup: no time was left in the --time budget for its search',
  'hang-needs-time': 'no smaller failing setup: a hang costs --timeout per trial, and three trials did not fit in the time left',
  'hook-failed': 'no smaller failing setup: a hook failed, which every trial would repeat',
  'workers-lost': 'no smaller failing setup: a worker hung or crashed',
  hung: 'no smaller failing setup: the failing round hung',
  incomplete: 'no smaller failing setup was searched',
  unknown: 'no smaller failing setup was found',
};

/** Why the failing controlled round was not replayed, as what happened. */
export const SCHEDULE_UNAVAILABLE: Record<SearchMissing | 'unknown', string> = {
  interrupted: 'the failing controlled round could not be replayed: the run was interrupted',
  'workers-lost': 'the failing controlled round could not be replayed: a worker hung or crashed during the replay',
  hung: 'the failing controlled round is not replayed: it hung, and each replay would wait --timeout',
  incomplete: "the failing controlled round cannot be replayed: no failing controlled round had every worker's schedule (a worker did not finish it)",
  'hook-failed': 'the failing controlled round is not replayed: a hook failed, which every replay would repeat',
  'no-time': 'the failing controlled round is not replayed: no time was left in the --time budget',
  'hang-needs-time': 'the failing controlled round is not replayed: a hang costs --timeout per replay',
  'not-reproduced': 'the failing controlled round did not fail again when replayed',
  unknown: 'the failing controlled round could not be replayed',
};

export function renderRace(style: Style, s: RaceReport, width = 120): string {
  const pct = s.rounds ? ((100 * s.failedRounds) / s.rounds).toFixed(1) : '0';
  const detail = `${roundsDone(s)} × ${int(s.iterations)} calls/worker · ${plural(s.workers, 'worker')} × ${plural(s.concurrency, 'lane')} · ${int(s.failedRounds)} failed (${pct}%) · ${ms(s.durationMs)}`;
  const lines = [strategyHeading(style, 'race', s.status, detail) + caveatText(style, s)];
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
  } else if (s.minimal === null) {
    lines.push(style.c.dim(`  (${MINIMAL_UNAVAILABLE[s.unavailable?.minimal ?? 'unknown']})`));
  }
  if (s.scheduler) lines.push(`  ${style.c.dim(schedulerLine(s.scheduler))}`);
  if (s.schedule) lines.push(...scheduleLines(s.schedule, style.c).map((l) => `  ${l}`));
  if (s.schedule && s.scheduler && s.scheduler.failedNaturalRounds > 0)
    lines.push(style.c.dim('    natural rounds failed too: this failure does not need the scheduler (its smallest failing setup is searched as usual)'));
  else if (s.schedule === null) lines.push(style.c.dim(`  (${SCHEDULE_UNAVAILABLE[s.unavailable?.schedule ?? 'unknown']})`));
  const model = modelLine(style, s.model);
  if (model) lines.push(model);
  const c = contentionLine(style, s.contention);
  if (c) lines.push(c);
  if (s.confidence) {
    const said = confidenceSentences(s.confidence, s.status);
    said.forEach((l, i) => lines.push(`  ${style.c.dim(i === 0 ? 'confidence:' : '           ')} ${safe(l, 600)}`));
  }
  return lines.join('\n');
}
