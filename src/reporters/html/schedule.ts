// A failing controlled round: the replay's calls as a timeline, and the schedulers' steps (which lane ran
// from which await to which) as a table whose rows link to their calls' bars; preemptions are marked in
// both. Hovering a step lights its call's bar and the other steps of that call (the page's script).
import type { FailingSchedule, ScheduleStep } from '../../schema/report.js';
import { blockedLines, siteName } from '../schedule-trace.js';
import { int } from '../terminal/common.js';
import { clip, html, plural, type Html } from './markup.js';
import { callKey, timeline, type DrawBudget } from './timeline.js';
import { command } from './parts.js';

/** Step rows drawn at most (the JSON has them all). */
export const MAX_STEPS = 600;

const preemptNote = (x: ScheduleStep): string =>
  `step ${x.step} of worker ${x.worker}: lane ${x.lane} ran here while lane ${x.preempted} could have continued (a preemption)`;

export function scheduleSection(s: FailingSchedule, id: string, budget: DrawBudget): Html {
  const marks = new Map<string, string>();
  for (const x of s.steps) if (x.preempted !== null && x.call >= 0) marks.set(callKey(x.worker, x.call), preemptNote(x));
  const shrunk = s.preemptionsBefore > s.preemptions ? ` (shrunk from ${int(s.preemptionsBefore)} in ${plural(s.tries, 'trial')})` : '';
  const threads = s.value.includes(',') ? ' (the workers still race each other for real)' : '';
  const on = s.setup
    ? ` on the smallest failing setup (${plural(s.setup.workers, 'worker')} × ${plural(s.setup.concurrency, 'lane')} × ${plural(s.setup.iterations, 'call')})`
    : '';
  const blocked = blockedLines(s);
  const control = s.diverged
    ? html`<p class="warn">The replay could not follow it: ${clip(s.diverged, 400)}</p>`
    : blocked.length
      ? html`<p class="warn">${blocked.map((l) => clip(l, 400)).join(' ')}</p>`
      : s.uncontrolled > 0
        ? html`<p class="warn">Partly controlled: ${plural(s.uncontrolled, 'resumption')} came from I/O or uninstrumented code, not the scheduler: the replay is not guaranteed exact.</p>`
        : html`<p class="note">Fully controlled: every await of each worker’s lanes resumed when its scheduler said${threads}.</p>`;
  const tl = `${id}-tl`;
  const figure = s.history ? timeline(s.history, { id: tl, title: `Round ${s.round} replayed under the failing schedule`, marks, budget }) : html``;
  return html`<div class="schedule" data-scope="">
<p>Failing schedule of round ${s.round}${on}: <b>${plural(s.preemptions, 'preemption')}</b>${shrunk}; replayed ${plural(s.replays, 'time')}, failed ${int(s.replaysFailed)} of ${int(s.replays)}.</p>
${control}
${command(`${id}-cmd`, s.command)}
${figure}
${stepsTable(s, tl, s.history !== undefined)}
</div>`;
}

const stepId = (timelineId: string, x: ScheduleStep): string => `${timelineId}-step-w${x.worker}-${x.step}`;

function stepRow(x: ScheduleStep, s: FailingSchedule, timelineId: string, linked: ReadonlySet<string>): Html {
  const key = x.call >= 0 ? callKey(x.worker, x.call) : null;
  const name = x.op === null ? null : `${clip(x.op, 60)}#${x.call}`;
  const call =
    name === null ? html`<span class="dim">—</span>` : key && linked.has(key) ? html`<a href="#${timelineId}-w${x.worker}-c${x.call}">${name}</a>` : name;
  const code = x.to !== null && s.sources?.[x.to] ? html`<code>${clip(s.sources[x.to]!, 120)}</code>` : '';
  const pre = x.preempted !== null ? html`<span class="bad">⤷ preempts L${x.preempted}</span>` : '';
  const attrs = html`${x.preempted !== null ? html` class="preempt" id="${stepId(timelineId, x)}"` : ''}${key ? html` data-k="${key}"` : ''}`;
  return html`<tr${attrs}><td class="num">${x.worker}</td><td class="num">${x.step}</td><td class="num">L${x.lane}</td><td>${call}</td><td><code>${clip(siteName(x.from), 160)}</code> → <code>${clip(siteName(x.to), 160)}</code></td><td>${code}</td><td>${pre}</td></tr>`;
}

function stepsTable(s: FailingSchedule, timelineId: string, drawn: boolean): Html {
  const shown = s.steps.slice(0, MAX_STEPS);
  const linked = new Set(drawn ? (s.history?.calls ?? []).flatMap((c) => (c.call === undefined ? [] : [callKey(c.worker, c.call)])) : []);
  const left = s.steps.length - shown.length + s.omittedSteps;
  const preemptions = shown.filter((x) => x.preempted !== null);
  const links = preemptions
    .slice(0, 30)
    .map((x, k) => html`${k ? ' · ' : ''}<a href="#${stepId(timelineId, x)}">worker ${x.worker}, step ${x.step}: L${x.lane} preempts L${x.preempted}</a>`);
  const jump = preemptions.length ? html`<p>Preemptions: ${links}${preemptions.length > 30 ? ` (+${int(preemptions.length - 30)} more)` : ''}</p>` : '';
  const more = left > 0 ? html`<p class="note">${plural(left, 'more step')} not shown (the JSON report has ${int(s.steps.length)} of them).</p>` : '';
  return html`<details class="steps" open=""><summary>Schedule steps (${plural(s.steps.length + s.omittedSteps, 'step')}; hover a step to light its call)</summary>${jump}<table><thead><tr><th>worker</th><th>step</th><th>lane</th><th>call</th><th>resumed at → parked at</th><th>the await it parked at</th><th></th></tr></thead><tbody>${shown.map((x) => stepRow(x, s, timelineId, linked))}</tbody></table>${more}</details>`;
}
