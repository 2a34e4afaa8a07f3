// A failing controlled round as text: what the schedulers did (figures), the replay, and the steps
// around each preemption, lane by lane, with the call each step belongs to and what it returned (from
// the replay's call history). Used by the terminal, the JUnit failure text and the GitHub summary.
import path from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { BlockedLane, FailingSchedule, HistoryCall, ScheduleStep, SchedulerFigures } from '../schema/report.js';
import { CALL_SITE, END_SITE, parseSite, START_SITE } from '../scheduler/sites.js';
import { callText, resultText } from './history-table.js';
import { makeChalk } from './color.js';
import { safe } from './terminal/common.js';

/** Blocked lanes named one by one (the JSON has the first ten per worker). */
const BLOCKED_SHOWN = 3;

/** Steps shown on each side of a preemption. */
const AROUND = 3;
/** Step lines shown at most (the JSON has them all). */
const MAX_LINES = 40;

const int = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string): string => `${int(n)} ${one}${n === 1 ? '' : 's'}`;

/** A site as `relative/file:line` (a timer callback as `setTimeout at file:line`); the markers as words. */
export function siteName(site: string | null, cwd = process.cwd()): string {
  if (site === null) return '(blocked outside the scheduler)';
  if (site === START_SITE) return 'lane start';
  if (site === CALL_SITE) return 'call start';
  if (site === END_SITE) return 'end';
  const p = parseSite(site);
  if (!p) return site;
  const at = `${path.isAbsolute(p.file) ? path.relative(cwd, p.file) : p.file}:${p.line}`;
  return p.timer ? `${p.timer} callback set at ${at}` : at;
}

/** "39 of 78 rounds controlled (mixed), 20 failed; natural order: 0 of 39 failed". */
export function schedulerLine(f: SchedulerFigures): string {
  if (f.note && f.controlledRounds === 0) return `controlled rounds: none (${f.note})`;
  const all = f.controlledRounds + f.naturalRounds;
  const partly =
    f.partlyControlledRounds > 0
      ? `; ${plural(f.partlyControlledRounds, 'round')} only partly controlled (${int(f.uncontrolledResumptions)} resumptions from I/O)`
      : '';
  const natural = f.naturalRounds > 0 ? `; natural order: ${int(f.failedNaturalRounds)} of ${int(f.naturalRounds)} failed` : '';
  const stalled = f.stalledRounds ? `; ${plural(f.stalledRounds, 'round')} stalled (nothing could run for half of --timeout: the rest ran uncontrolled)` : '';
  const blocked =
    f.blockedRounds && f.blocked
      ? `; in ${plural(f.blockedRounds, 'round')} a lane of the schedule could not run when it said (${f.blocked.in === 'database' ? 'the database' : 'I/O'} answered in another order): another went first`
      : '';
  return `controlled rounds: ${int(f.controlledRounds)} of ${int(all)} (${f.mode}, ${f.calls} calls/worker), ${int(f.failedControlledRounds)} failed${natural}${partly}${stalled}${blocked}`;
}

/** What held a lane: "blocked in the database" (its await did not settle), or "answered after another lane" (it did, later). */
const blockedWhere = (b: BlockedLane): string =>
  b.why === 'order' ? 'answered after another lane' : b.in === 'database' ? 'blocked in the database' : 'blocked outside the scheduler (I/O)';

/** "lane 3 of worker 0 blocked in the database at step 17: its await at bank.mjs:64 had not settled while ...". */
export function blockedSentence(b: BlockedLane, cwd = process.cwd()): string {
  const at = b.site === null ? 'in code not instrumented' : `at ${siteName(b.site, cwd)}`;
  const why =
    b.why === 'order'
      ? `its await ${at} settled after another lane's, whose continuation runs first`
      : `its await ${at} had not settled while every other lane was parked${b.in === 'database' ? ' (a row lock or a transaction a parked lane holds)' : ''}`;
  return `lane ${b.lane} of worker ${b.worker} ${blockedWhere(b)} at step ${b.step}: ${why}`;
}

/** The lines saying which lanes a replay could not run when its schedule said, and that it went on (none: none). */
export function blockedLines(s: Pick<FailingSchedule, 'blocked' | 'blockedCount'>, cwd = process.cwd()): string[] {
  const all = s.blocked ?? [];
  if (all.length === 0) return [];
  const count = s.blockedCount ?? all.length;
  const outside = all[0]!.in === 'database' ? 'the database' : 'I/O';
  const lines = [
    `${plural(count, 'time')} a lane of the schedule could not run when it said (${outside} answered in another order than in the recorded round): another lane went first, then the replay went on with the schedule (not exact):`,
  ];
  // Lanes blocked first (what waiting would have cost), then those answered late.
  const shown = [...all].sort((x, y) => (x.why === y.why ? 0 : x.why === 'pending' ? -1 : 1)).slice(0, BLOCKED_SHOWN);
  for (const b of shown) lines.push(`  ${blockedSentence(b, cwd)}`);
  if (count > BLOCKED_SHOWN) lines.push(`  … ${int(count - BLOCKED_SHOWN)} more (the JSON report's schedule.blocked)`);
  return lines;
}

/** The schedule's summary lines and the steps around its preemptions. */
export function scheduleLines(s: FailingSchedule, c: ChalkInstance, cwd = process.cwd()): string[] {
  const shrunk = s.preemptionsBefore > s.preemptions ? ` (shrunk from ${int(s.preemptionsBefore)} in ${plural(s.tries, 'trial')})` : '';
  const on = s.setup
    ? ` on the smallest failing setup (${plural(s.setup.workers, 'worker')} × ${plural(s.setup.concurrency, 'lane')} × ${plural(s.setup.iterations, 'call')})`
    : '';
  const lines = [
    `failing schedule of round ${s.round}${on}: ${plural(s.preemptions, 'preemption')}${shrunk}; replayed ${plural(s.replays, 'time')}, failed ${s.replaysFailed} of ${s.replays}`,
  ];
  if (s.diverged) lines.push(c.yellow(`  the replay could not follow it: ${safe(s.diverged, 300)}`));
  const blocked = blockedLines(s, cwd);
  lines.push(...blocked.map((l) => c.yellow(`  ${safe(l, 300)}`)));
  if (!s.diverged && !blocked.length) lines.push(controlLine(s, c));
  lines.push(`  ${c.dim('replay it:')} ${c.cyan(safe(s.command, 4000))}`);
  const shown = stepsAround(s.steps);
  if (shown.length) {
    lines.push(c.dim(`  steps around each preemption (worker, step, lane: the await it resumed from → the await it stopped at):`));
    const calls = new Map((s.history?.calls ?? []).map((h) => [`${h.worker}:${h.call}`, h]));
    for (const x of shown) lines.push(x === null ? c.dim('    …') : `    ${stepLine(x, calls.get(`${x.worker}:${x.call}`), s.sources ?? {}, c, cwd)}`);
  }
  return lines;
}

/** How far the replay was the scheduler's: partly (I/O), fully, or fully within each worker. */
function controlLine(s: FailingSchedule, c: ChalkInstance): string {
  if (s.uncontrolled > 0)
    return c.yellow(
      `  partly controlled: ${plural(s.uncontrolled, 'resumption')} came from I/O or uninstrumented code, not the scheduler: the replay is not guaranteed exact`,
    );
  if (!s.value.includes(',')) return c.dim('  fully controlled: every await resumed when the scheduler said, so the replay runs exactly this interleaving');
  // Each worker's lanes are replayed exactly; what the threads do to each other is not scheduled.
  return c.dim('  fully controlled within each worker: every await resumed when its scheduler said (the workers still race each other for real)');
}

/** Plain text (JUnit, GitHub summary). */
export const scheduleText = (s: FailingSchedule): string => scheduleLines(s, makeChalk(0)).join('\n');

function stepLine(x: ScheduleStep, call: HistoryCall | undefined, sources: Record<string, string>, c: ChalkInstance, cwd: string): string {
  // A call's first step names it and what it returned; the lane's column is its indentation.
  const first = (x.from === 'call' || x.from === 'start') && call ? ` ${safe(`${callText(call)} ${resultText(call)}`, 60)}` : '';
  const what = x.op === null ? '' : `${x.op}#${x.call}${first} `;
  const pre = x.preempted === null ? '' : c.red(`  ⤷ preempts L${x.preempted}`);
  // The await it stopped at, as written: what the next lane's step ran "in between".
  const code = x.to !== null && sources[x.to] ? `  ${c.italic(safe(sources[x.to]!, 60))}` : '';
  return `w${x.worker} ${String(x.step).padStart(4)} ${'  '.repeat(Math.min(x.lane, 12))}L${x.lane} ${what}${c.dim(`${siteName(x.from, cwd)} → ${siteName(x.to, cwd)}`)}${code}${pre}`;
}

/** The steps within AROUND of a preemption (same worker), in order; null where steps were skipped. */
function stepsAround(steps: readonly ScheduleStep[]): (ScheduleStep | null)[] {
  const keep = new Set<number>();
  steps.forEach((x, i) => {
    if (x.preempted === null) return;
    for (let j = Math.max(0, i - AROUND); j <= Math.min(steps.length - 1, i + AROUND); j++) if (steps[j]!.worker === x.worker) keep.add(j);
  });
  const out: (ScheduleStep | null)[] = [];
  let last = -1;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (out.length >= MAX_LINES) break;
    if (last >= 0 && i > last + 1) out.push(null);
    out.push(steps[i]!);
    last = i;
  }
  return out;
}
