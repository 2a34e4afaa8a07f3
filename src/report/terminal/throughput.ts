// Throughput section: one table row per worker count (calls/s, latency percentiles, scaling), in the
// manner of autocannon, then a bar chart of calls/s so a flat curve (serialisation) shows at a glance.
import type { ThroughputReport } from '../types.js';
import { int, ms, rate, strategyHeading, table, type Style } from './common.js';

const BAR = 40;
/** Below this efficiency at the top point, adding workers barely helped: say so. */
const FLAT = 0.6;

/** Eighth blocks give the bar sub-character resolution. */
function bar(fraction: number): string {
  const eighths = Math.max(1, Math.round(Math.max(0, Math.min(1, fraction)) * BAR * 8));
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]!;
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

export function renderThroughput(style: Style, s: ThroughputReport): string {
  const secs = s.duration !== undefined ? `${s.duration} s per point · ` : '';
  const detail = `${s.points.length} point${s.points.length === 1 ? '' : 's'} · ${s.concurrency} lane${s.concurrency === 1 ? '' : 's'} per worker · ${secs}${ms(s.durationMs)}`;
  const lines = [strategyHeading(style, 'throughput', s.verdict, detail, s.interrupted)];
  if (!s.points.length) return lines.join('\n');
  lines.push(
    table(
      style,
      ['workers', 'calls/s', 'p50', 'p90', 'p99', 'max', 'speedup', 'efficiency', 'calls', 'errors'],
      s.points.map((p) => [
        p.workers,
        rate(p.opsPerSec),
        ms(p.latencyMs.p50),
        ms(p.latencyMs.p90),
        ms(p.latencyMs.p99),
        ms(p.latencyMs.max),
        `${p.speedup.toFixed(2)}x`,
        `${(p.efficiency * 100).toFixed(0)}%`,
        int(p.calls),
        p.errors ? style.c.red(int(p.errors)) : '0',
      ]),
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  // calls/s per worker count, scaled to the best point.
  const top = Math.max(...s.points.map((p) => p.opsPerSec));
  const label = Math.max(...s.points.map((p) => String(p.workers).length));
  lines.push(style.c.dim(`  calls/s by workers`));
  for (const p of s.points) {
    const b = top > 0 ? bar(p.opsPerSec / top) : '';
    lines.push(`  ${String(p.workers).padStart(label)} ${style.c.cyan(b.padEnd(BAR))} ${rate(p.opsPerSec)}/s${p.workers > 1 ? style.c.dim(` ${p.speedup.toFixed(2)}x`) : ''}`);
  }
  const last = s.points.at(-1)!;
  if (s.points.length > 1 && last.efficiency < FLAT) {
    const note =
      last.speedup < 1.2
        ? `flat: ${last.workers} workers make ${last.speedup.toFixed(2)}x the calls of 1 — the calls serialise (a lock, or one shared resource such as a contended counter)`
        : `sub-linear: ${last.workers} workers make ${last.speedup.toFixed(2)}x the calls of 1 (${(last.efficiency * 100).toFixed(0)}% efficiency): contention, or fewer cores than workers`;
    lines.push(`  ${style.c.yellow(note)}`);
  }
  const samples = s.points.reduce((a, p) => a + (p.latencySamples ?? 0), 0);
  if (samples > 0) lines.push(style.c.dim(`  latency: ${int(samples)} sampled calls (HDR histogram, merged across workers)`));
  if (s.minOps !== undefined) {
    const ok = last.opsPerSec >= s.minOps;
    lines.push(`  ${ok ? style.c.green(style.ok) : style.c.red(style.bad)} --min-ops ${int(s.minOps)}: ${rate(last.opsPerSec)}/s at ${last.workers} worker${last.workers === 1 ? '' : 's'}`);
  }
  return lines.join('\n');
}
