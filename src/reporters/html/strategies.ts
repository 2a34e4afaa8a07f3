// One section per strategy: its figures as the report states them, its failing rounds as timelines (the
// first failing round beside the smallest failing setup's), and the anchors its findings link to.
import {
  findingsOf,
  strategyLabel,
  type CallHistory,
  type CounterRow,
  type FindingFacts,
  type HammerReport,
  type ModelChecks,
  type RaceReport,
  type RunReport,
  type StrategyReport,
  type ThroughputReport,
} from '../../schema/report.js';
import { schedulerLine } from '../schedule-trace.js';
import { int, ms, rate } from '../terminal/common.js';
import { MINIMAL_UNAVAILABLE, SCHEDULE_UNAVAILABLE, roundsDone } from '../terminal/race.js';
import { POINT_COLUMNS, pointCells } from '../terminal/throughput.js';
import { contentionTable, latencyChart, outcomeHistogram, throughputChart } from './charts.js';
import { confidenceOf, confidenceText } from './confidence.js';
import { clip, html, plural, type Html } from './markup.js';
import { command, strategyBadge } from './parts.js';
import { scheduleSection } from './schedule.js';
import { timeline, type DrawBudget } from './timeline.js';

/** A sentence's first letter in capitals. */
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Failing-round timelines drawn per strategy (each distinct history once). */
export const MAX_TIMELINES = 6;
const MAX_ROWS = 200;

/** Where each finding links: its round's timeline, else its strategy's section. */
export type Anchors = Map<FindingFacts, string>;

function counterVerdict(r: CounterRow): Html {
  if (r.expected === null && r.invariant === 'held') return html`<span class="good">✓ invariant held</span>`;
  if (r.expected === null && r.invariant === 'violated') return html`<span class="bad">✗ invariant violated</span>`;
  if (r.expected === null) return html`<span class="dim">not checked</span>`;
  if (r.actual === null) return html`<span class="bad">✗ missing</span>`;
  if (r.actual === r.expected) return html`<span class="good">✓ ok</span>`;
  if (r.actual < r.expected) return html`<span class="bad">✗ ${int(r.expected - r.actual)} lost</span>`;
  return html`<span class="bad">✗ ${int(r.actual - r.expected)} extra</span>`;
}

function countersTable(rows: readonly CounterRow[], note: string | undefined, caption: string): Html {
  if (!rows.length) return html`<p class="note">${clip(note ?? 'no counters', 400)}</p>`;
  const body = rows
    .slice(0, MAX_ROWS)
    .map(
      (r) =>
        html`<tr><td><code>${clip(r.name, 120)}</code></td><td class="num">${r.expected === null ? '—' : int(r.expected)}</td><td class="num">${r.actual === null ? '—' : int(r.actual)}</td><td>${counterVerdict(r)}</td></tr>`,
    );
  const more = rows.length > MAX_ROWS ? html`<p class="note">${plural(rows.length - MAX_ROWS, 'more counter')} not shown.</p>` : '';
  return html`<table class="counters"><caption>${caption}</caption><thead><tr><th>counter</th><th>expected</th><th>actual</th><th></th></tr></thead><tbody>${body}</tbody></table>${more}`;
}

function modelLine(m: ModelChecks | undefined): Html {
  if (!m) return html``;
  const undecided = m.unknownRounds
    ? html`; <span class="warn">${int(m.unknownRounds)} undecided (${clip(m.unknownReason ?? 'out of budget', 300)})</span>`
    : '';
  return html`<p>Model: ${plural(m.checkedRounds, 'round')} checked for linearizability${undecided}.</p>`;
}

/** Distinct histories are drawn once; identical copies (one per hung worker) link to the same drawing. */
function fingerprint(h: CallHistory): string {
  const a = h.calls[0];
  const z = h.calls[h.calls.length - 1];
  return [h.round, h.calls.length, h.omitted, h.culprit, a?.worker, a?.start, a?.end, z?.worker, z?.start, z?.end].join('|');
}

interface Drawn {
  h: CallHistory;
  id: string;
  title: string;
}

/** The timelines of a strategy's findings; fills in where each finding links. */
function findingTimelines(r: RunReport, s: StrategyReport, id: string, anchors: Anchors): { drawn: Drawn[]; notDrawn: number } {
  const byPrint = new Map<string, string>();
  const drawn: Drawn[] = [];
  let notDrawn = 0;
  for (const f of findingsOf(r, s)) {
    if (anchors.has(f)) continue;
    if (!f.history) {
      anchors.set(f, id);
      continue;
    }
    const print = fingerprint(f.history);
    let tid = byPrint.get(print);
    if (tid === undefined && drawn.length < MAX_TIMELINES) {
      tid = `${id}-r${drawn.length}`;
      byPrint.set(print, tid);
      const first = s.name === 'race' && f.history.round === s.firstFailedRound ? ': the first that failed' : '';
      drawn.push({ h: f.history, id: tid, title: `Round ${f.history.round}${first} · ${f.kind}` });
    } else if (tid === undefined) notDrawn++;
    anchors.set(f, tid ?? id);
  }
  return { drawn, notDrawn };
}

export const legend = (): Html =>
  html`<p class="legend"><span class="sw ok"></span>returned <span class="sw err"></span>threw <span class="sw hung"></span>never returned (runs to the cut) <span class="sw culprit"></span>no order explains it <span class="sw marked"></span>preempting step · time runs left to right in order, not to scale (tick labels in ms; each bar’s tooltip has exact times)</p>`;

function failingRounds(r: RunReport, s: StrategyReport, id: string, anchors: Anchors, budget: DrawBudget): Html {
  const { drawn, notDrawn } = findingTimelines(r, s, id, anchors);
  const minimal = s.name === 'race' ? s.minimal : undefined;
  if (!drawn.length && !minimal?.history) return html``;
  // The first failing round, and beside it the smallest setup that still fails.
  const firstIdx = Math.max(
    0,
    drawn.findIndex((d) => s.name === 'race' && d.h.round === s.firstFailedRound),
  );
  const first = drawn[firstIdx];
  const rest = drawn.filter((_, k) => k !== firstIdx);
  const small = minimal?.history
    ? timeline(minimal.history, {
        budget,
        id: `${id}-min`,
        title: `Smallest failing setup: ${plural(minimal.workers, 'worker')} × ${plural(minimal.concurrency, 'lane')} × ${plural(minimal.iterations, 'call')}, round ${minimal.history.round}`,
      })
    : '';
  const more = notDrawn
    ? html`<p class="note">${plural(notDrawn, 'more failing-round history', 'more failing-round histories')} not drawn (the JSON report has them).</p>`
    : '';
  return html`<h4>Failing rounds</h4>${legend()}<div class="pair">${first ? timeline(first.h, { ...first, budget }) : ''}${small}</div>${rest.map((d) => timeline(d.h, { ...d, budget }))}${more}`;
}

function hammerBody(s: HammerReport, rounds: Html): Html {
  const budget = s.stopReason === 'budget' && s.budgetMs !== undefined ? ` in its ${ms(s.budgetMs)} share of the --time budget` : '';
  const threw = s.errors ? html`, <span class="bad">${int(s.errors)} threw</span>` : '';
  const ops = s.perOperation
    .slice(0, MAX_ROWS)
    .map(
      (o) =>
        html`<tr><td><code>${clip(o.name, 80)}</code></td><td class="num">${int(o.calls)}</td><td class="num ${o.errors ? 'bad' : ''}">${int(o.errors)}</td></tr>`,
    );
  const perOp = ops.length
    ? html`<table><caption>Calls per operation</caption><thead><tr><th>operation</th><th>calls</th><th>threw</th></tr></thead><tbody>${ops}</tbody></table>`
    : '';
  return html`<p>${int(s.completed)} of ${int(s.requests)} calls ok${threw}${budget} · ${plural(s.workers, 'worker')} × ${plural(s.concurrency, 'lane')} · ${rate(s.opsPerSec)} calls/s · ${ms(s.durationMs)}</p>
${countersTable(s.counters, s.countersNote, 'Counters after the round')}
${perOp}
${contentionTable(s.contention, s.workers, s.concurrency)}
${modelLine(s.model)}
${rounds}`;
}

function minimalBlock(s: RaceReport, id: string): Html {
  const m = s.minimal;
  if (m === null) return html`<p class="note">${cap(MINIMAL_UNAVAILABLE[s.unavailable?.minimal ?? 'unknown'])}.</p>`;
  if (!m) return html``;
  const ops = m.ops ? ` of ${m.ops.join(', ')}` : '';
  const meaning = m.meaning ? html` <span class="${m.classification === 'bug' ? 'warn' : 'dim'}">${clip(m.meaning, 400)}</span>` : '';
  return html`<div class="minimal"><p><b>Smallest failing setup:</b> ${plural(m.workers, 'worker')} × ${plural(m.concurrency, 'lane')} × ${plural(m.iterations, 'call')}${clip(ops, 300)} (failed ${int(m.failedRounds)} of ${plural(m.rounds, 'round')})${m.smaller === false ? ' — nothing smaller failed' : ''}.${meaning}</p>${command(`${id}-min-cmd`, m.command)}</div>`;
}

function raceBody(s: RaceReport, id: string, rounds: Html, budget: DrawBudget): Html {
  const pct = s.rounds ? ((100 * s.failedRounds) / s.rounds).toFixed(1) : '0';
  const after = s.firstFailedMs != null ? `, caught after ${ms(s.firstFailedMs)}` : '';
  const caption = s.firstFailedRound !== null ? `Counters of round ${s.firstFailedRound} (the first that failed${after})` : 'Counters of the last round';
  const l = s.lostPerFailedRound;
  const conf = confidenceOf(s);
  const lost =
    s.lostUpdates > 0 && l
      ? html`<p>Lost updates: <b class="bad">${int(s.lostUpdates)}</b> in total; per failing round min ${int(l.min)} · median ${int(l.median)} · max ${int(l.max)}.</p>`
      : '';
  const sampled = s.contentionRounds !== undefined ? html`<p class="note">Contention measured in ${plural(s.contentionRounds, 'round')}.</p>` : '';
  const lostReplay = s.schedule === null ? html`<p class="note">${cap(SCHEDULE_UNAVAILABLE[s.unavailable?.schedule ?? 'unknown'])}.</p>` : '';
  return html`<p>${roundsDone(s)} × ${int(s.iterations)} calls/worker · ${plural(s.workers, 'worker')} × ${plural(s.concurrency, 'lane')} · <span class="${s.failedRounds ? 'bad' : ''}">${int(s.failedRounds)} failed (${pct}%)</span> · ${ms(s.durationMs)}</p>
${conf ? html`<p class="confidence">${confidenceText(conf, s.status)}</p>` : ''}
${countersTable(s.counters, s.countersNote, caption)}
${lost}
${outcomeHistogram(s.outcomes, s.rounds)}
${minimalBlock(s, id)}
${rounds}
${contentionTable(s.contention, s.workers, s.concurrency)}
${sampled}
${modelLine(s.model)}
${s.scheduler ? html`<p>${schedulerLine(s.scheduler)}</p>` : ''}
${s.schedule ? scheduleSection(s.schedule, `${id}-sched`, budget) : lostReplay}`;
}

function throughputBody(s: ThroughputReport, rounds: Html): Html {
  const secs = s.duration !== undefined ? `${+s.duration.toFixed(3)} s per point · ` : '';
  const cut = s.stopReason === 'budget' ? ' · the budget ran out before the last worker counts' : '';
  const rows = s.points.map(
    (p) =>
      html`<tr><td class="num">${p.workers}</td>${pointCells(p).map((c) => html`<td class="num">${c}</td>`)}<td class="num ${p.errors ? 'bad' : ''}">${int(p.errors)}</td></tr>`,
  );
  const table = rows.length ? html`<table><thead><tr>${POINT_COLUMNS.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${rows}</tbody></table>` : '';
  const g = s.minOpsResult;
  const gate = g
    ? html`<p class="${g.ok ? 'good' : 'bad'}">${g.ok ? '✓' : '✗'} --min-ops ${int(g.required)}: ${rate(g.actual)}/s at ${plural(g.workers, 'worker')}</p>`
    : '';
  return html`<p>${plural(s.points.length, 'point')} · ${plural(s.concurrency, 'lane')} per worker · ${secs}${ms(s.durationMs)}${cut}</p>
<div class="charts">${throughputChart(s.points)}${latencyChart(s.points)}</div>
${table}
${s.scaling ? html`<p class="${s.scaling.kind === 'scales' ? '' : 'warn'}">${clip(s.scaling.message, 600)}</p>` : ''}
${gate}
${rounds}`;
}

/** A strategy's section; `anchors` gets where each of its findings links. */
export function strategySection(r: RunReport, s: StrategyReport, id: string, anchors: Anchors, budget: DrawBudget): Html {
  const rounds = failingRounds(r, s, id, anchors, budget);
  const body = s.name === 'hammer' ? hammerBody(s, rounds) : s.name === 'race' ? raceBody(s, id, rounds, budget) : throughputBody(s, rounds);
  const cut = s.interrupted ? html` <span class="warn">interrupted: figures cover what finished</span>` : '';
  return html`<section class="strategy" id="${id}"><h3>${clip(strategyLabel(s), 300)} ${strategyBadge(s)}${cut}</h3>
${body}
</section>`;
}
