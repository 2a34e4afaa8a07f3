// The failing schedule as readable steps: one line per step, indented by lane so each lane reads down its
// own column; which call it was running, the await it resumed from and the await it parked at next (what
// ran in between), preemptions marked, and resumptions the scheduler did not control listed after.
import path from 'node:path';
import { CALL_SITE, START_SITE, type ScheduleRun } from './scheduler.js';

export interface TraceFormat {
  /** Sites are shown relative to this directory. */
  cwd?: string;
  /** The source text of a line, to show what an await awaits (e.g. read from the file). */
  source?: (file: string, line: number) => string | undefined;
  /** At most this many steps (the last ones are kept: that is where a failure shows). Default 200. */
  maxSteps?: number;
}

/** `file:line:col` as `relative/file:line`; the markers as words. */
export function siteName(site: string | null, cwd = process.cwd()): string {
  if (site === null) return '(blocked outside the scheduler)';
  if (site === START_SITE) return 'lane start';
  if (site === CALL_SITE) return 'call start';
  if (site === 'end') return 'end';
  const m = /^(.*):(\d+):\d+$/.exec(site);
  if (!m) return site;
  const rel = path.isAbsolute(m[1]!) ? path.relative(cwd, m[1]!) : m[1]!;
  return `${rel}:${m[2]}`;
}

function snippet(site: string | null, fmt: TraceFormat): string {
  const m = site === null ? null : /^(.*):(\d+):(\d+)$/.exec(site);
  const text = m && fmt.source?.(m[1]!, Number(m[2]))?.trim();
  return text ? `  ${text.length > 60 ? `${text.slice(0, 57)}...` : text}` : '';
}

export function formatTrace(run: Pick<ScheduleRun, 'trace' | 'uncontrolled' | 'schedule'>, fmt: TraceFormat = {}): string {
  const cwd = fmt.cwd ?? process.cwd();
  const max = fmt.maxSteps ?? 200;
  const lines = [`schedule ${run.schedule} (${run.trace.length} steps)`];
  const shown = run.trace.slice(-max);
  if (shown.length < run.trace.length) lines.push(`  ... ${run.trace.length - shown.length} earlier steps`);
  const width = String(run.trace.length).length;
  for (const s of shown) {
    const call = s.op === null ? '' : `${s.op}#${s.call} `;
    const pre = s.preempted === null ? '' : `  ⤷ preempts lane ${s.preempted}`;
    const indent = '  '.repeat(Math.min(s.lane, 12));
    lines.push(`  ${String(s.step).padStart(width)} ${indent}L${s.lane} ${call}${siteName(s.from, cwd)} → ${siteName(s.to, cwd)}${snippet(s.to, fmt)}${pre}`);
  }
  if (run.uncontrolled.length) {
    lines.push(`  ${run.uncontrolled.length} resumption(s) outside the scheduler (timers, I/O callbacks, uninstrumented awaits):`);
    for (const u of run.uncontrolled.slice(0, 10)) lines.push(`    during step ${u.step}: lane ${u.lane} reached ${siteName(u.site, cwd)}`);
  }
  return lines.join('\n');
}
