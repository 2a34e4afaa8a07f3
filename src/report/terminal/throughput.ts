import type { ThroughputReport } from '../types.js';
import { int, ms, rate, strategyHeading, table, type Style } from './common.js';

const BAR = 40;

export function renderThroughput(style: Style, s: ThroughputReport): string {
  const detail = `${s.points.length} points × ${s.concurrency} lanes · ${ms(s.durationMs)}`;
  const lines = [strategyHeading(style, 'throughput', s.verdict, detail)];
  if (!s.points.length) return lines.join('\n');
  lines.push(
    table(
      style,
      ['workers', 'calls/s', 'p50', 'p90', 'p99', 'max', 'speedup', 'efficiency', 'errors'],
      s.points.map((p) => [p.workers, rate(p.opsPerSec), ms(p.latencyMs.p50), ms(p.latencyMs.p90), ms(p.latencyMs.p99), ms(p.latencyMs.max), `${p.speedup.toFixed(2)}x`, `${(p.efficiency * 100).toFixed(0)}%`, int(p.errors)]),
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  const top = Math.max(...s.points.map((p) => p.opsPerSec));
  for (const p of s.points) {
    const n = top > 0 ? Math.max(1, Math.round((p.opsPerSec / top) * BAR)) : 0;
    lines.push(`  ${String(p.workers).padStart(3)} ${style.c.cyan('█'.repeat(n))} ${rate(p.opsPerSec)}/s`);
  }
  return lines.join('\n');
}
