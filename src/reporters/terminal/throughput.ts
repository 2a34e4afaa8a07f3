// Throughput section: one table row per worker count (calls/s, latency percentiles, scaling), in the
// manner of autocannon, then a bar chart of calls/s so a flat curve (serialisation) shows at a glance.
import type { ThroughputPoint, ThroughputReport } from '../../schema/report.js';
import { int, ms, rate, strategyHeading, table, type Style } from './common.js';

const BAR = 40;

/** Eighth blocks give the bar sub-character resolution. */
function bar(fraction: number): string {
  const eighths = Math.max(1, Math.round(Math.max(0, Math.min(1, fraction)) * BAR * 8));
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]!;
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

/** The columns of a point's row: workers, then `pointCells`, then errors (the HTML page's table too). */
export const POINT_COLUMNS = ['workers', 'calls/s', 'p50', 'p90', 'p99', 'max', 'speedup', 'efficiency', 'calls', 'errors'];

export const pointCells = (p: ThroughputPoint): string[] => [
  rate(p.opsPerSec),
  ms(p.latencyMs.p50),
  ms(p.latencyMs.p90),
  ms(p.latencyMs.p99),
  ms(p.latencyMs.max),
  `${p.speedup.toFixed(2)}x`,
  `${(p.efficiency * 100).toFixed(0)}%`,
  int(p.calls),
];

export function renderThroughput(style: Style, s: ThroughputReport): string {
  const cut = s.plannedDuration !== undefined && s.duration !== undefined && s.duration < s.plannedDuration;
  const fitted = (b: number) => (b < 1 ? 'no time was left of --time' : `fitted to its ${ms(b)} share of --time`);
  const fit = cut && s.budgetMs !== undefined ? ` (not ${s.plannedDuration} s: ${fitted(s.budgetMs)})` : '';
  const secs = s.duration !== undefined ? `${+s.duration.toFixed(3)} s per point${fit} · ` : '';
  const left = s.stopReason === 'budget' ? ' · the budget ran out before the last worker counts' : '';
  const detail = `${s.points.length} point${s.points.length === 1 ? '' : 's'} · ${s.concurrency} lane${s.concurrency === 1 ? '' : 's'} per worker · ${secs}${ms(s.durationMs)}${left}`;
  const lines = [strategyHeading(style, 'throughput', s.status, detail, s.machine)];
  if (!s.points.length) return lines.join('\n');
  lines.push(
    table(
      style,
      POINT_COLUMNS,
      s.points.map((p) => [p.workers, ...pointCells(p), p.errors ? style.c.red(int(p.errors)) : '0']),
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  // calls/s per worker count, scaled to the best point.
  const top = Math.max(...s.points.map((p) => p.opsPerSec));
  const label = Math.max(...s.points.map((p) => String(p.workers).length));
  lines.push(style.c.dim(`  calls/s by workers`));
  for (const p of s.points) {
    const b = top > 0 ? bar(p.opsPerSec / top) : '';
    lines.push(
      `  ${String(p.workers).padStart(label)} ${style.c.cyan(b.padEnd(BAR))} ${rate(p.opsPerSec)}/s${p.workers > 1 ? style.c.dim(` ${p.speedup.toFixed(2)}x`) : ''}`,
    );
  }
  if (s.scaling && s.scaling.kind !== 'scales') lines.push(`  ${style.c.yellow(s.scaling.message)}`);
  const errors = s.points.filter((p) => p.errors > 0);
  for (const p of errors)
    lines.push(
      `  ${style.c.red(`${p.workers} worker${p.workers === 1 ? '' : 's'}: ${int(p.errors)} of ${int(p.calls)} calls threw (${((p.errorRate ?? 0) * 100).toFixed(1)}%); calls/s counts only the calls that returned`)}`,
    );
  const samples = s.points.reduce((a, p) => a + (p.latencySamples ?? 0), 0);
  if (samples > 0) lines.push(style.c.dim(`  latency: ${int(samples)} sampled calls (HDR histogram, merged across workers)`));
  const gate = s.minOpsResult;
  if (gate)
    lines.push(
      `  ${gate.ok ? style.c.green(style.ok) : style.c.red(style.bad)} --min-ops ${int(gate.required)}: ${rate(gate.actual)}/s at ${gate.workers} worker${gate.workers === 1 ? '' : 's'}`,
    );
  return lines.join('\n');
}
