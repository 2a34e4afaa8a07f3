// The race's outcomes as jcstress shows them (each outcome, how often, acceptable or forbidden), the
// contention per operation, and the throughput curve against the ideal line with its latency
// percentiles: static SVG and tables, drawn from the report's figures (no chart library: a line, some
// dots and bars are a few dozen lines).
import type { ContentionRow, OutcomeBucket, ThroughputPoint } from '../../schema/report.js';
import { int, ms, rate } from '../terminal/common.js';
import { clip, html, plural, type Html } from './markup.js';

/** Outcome rows drawn at most (the JSON has them all). */
export const MAX_OUTCOMES = 60;
const MAX_CONTENTION = 60;

/** A horizontal bar of `fraction` of `width` px. */
const bar = (fraction: number, cls: string, width = 180): Html =>
  html`<svg class="hbar" width="${width}" height="12" viewBox="0 0 ${width} 12" aria-hidden="true"><rect class="track" width="${width}" height="12" rx="2"></rect><rect class="${cls}" width="${Math.max(fraction > 0 ? 1 : 0, Math.min(1, fraction) * width).toFixed(1)}" height="12" rx="2"></rect></svg>`;

/** jcstress's table: outcome, rounds, share, acceptable or forbidden. */
export function outcomeHistogram(outcomes: readonly OutcomeBucket[], rounds: number): Html {
  if (!outcomes.length) return html``;
  const shown = outcomes.slice(0, MAX_OUTCOMES);
  const total = Math.max(1, rounds, ...shown.map((o) => o.rounds));
  const rest = outcomes.slice(MAX_OUTCOMES);
  const rows = shown.map((o) => {
    const expectation = o.failed ? html`<span class="bad">forbidden</span>` : html`<span class="good">acceptable</span>`;
    return html`<tr class="${o.failed ? 'bad-row' : ''}"><td><code>${clip(o.outcome, 200)}</code></td><td class="num">${int(o.rounds)}</td><td class="num">${((100 * o.rounds) / total).toFixed(1)}%</td><td>${bar(o.rounds / total, o.failed ? 'fill-bad' : 'fill-ok')}</td><td>${expectation}</td></tr>`;
  });
  const restRounds = rest.reduce((a, o) => a + o.rounds, 0);
  const more = rest.length
    ? html`<p class="note">${plural(rest.length, 'more outcome')} (${plural(restRounds, 'round')}) not shown; the JSON report has them.</p>`
    : '';
  return html`<table class="outcomes"><caption>Outcomes: the counters each round ended with</caption><thead><tr><th>outcome</th><th>rounds</th><th>share</th><th></th><th>expectation</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

/** Per operation: most calls in flight at one instant (against all the lanes), and in how many workers. */
export function contentionTable(rows: readonly ContentionRow[], workers: number, lanes: number): Html {
  if (!rows.length) return html``;
  const most = Math.max(1, workers * lanes, ...rows.map((r) => r.maxInFlight));
  const shown = rows.slice(0, MAX_CONTENTION);
  const body = shown.map((r) => {
    const overlapped = r.overlapped ? 'yes' : html`<span class="warn">never overlapped</span>`;
    return html`<tr><td><code>${clip(r.op, 80)}</code></td><td class="num">${int(r.maxInFlight)}</td><td>${bar(r.maxInFlight / most, r.overlapped ? 'fill-ok' : 'fill-warn', 140)}</td><td class="num">${int(r.maxWorkers)}</td><td>${overlapped}</td></tr>`;
  });
  const more = rows.length > shown.length ? html`<p class="note">${plural(rows.length - shown.length, 'more operation')} not shown.</p>` : '';
  return html`<table class="contention"><caption>Contention per operation (of ${plural(workers, 'worker')} × ${plural(lanes, 'lane')})</caption><thead><tr><th>operation</th><th>most in flight</th><th></th><th>workers at once</th><th>overlapped</th></tr></thead><tbody>${body}</tbody></table>${more}`;
}

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FRAME: Frame = { w: 560, h: 250, left: 72, right: 24, top: 16, bottom: 40 };

const pointTitle = (p: ThroughputPoint): string =>
  `${plural(p.workers, 'worker')}: ${rate(p.opsPerSec)} calls/s, ${p.speedup.toFixed(2)}x the 1-worker rate (${(p.efficiency * 100).toFixed(0)}% efficiency); latency p50 ${ms(p.latencyMs.p50)}, p90 ${ms(p.latencyMs.p90)}, p99 ${ms(p.latencyMs.p99)}, max ${ms(p.latencyMs.max)}${p.latencySamples !== undefined ? ` (${int(p.latencySamples)} sampled calls)` : ''}`;

/** calls/s against workers, with the ideal line (the 1-worker rate times the workers). */
export function throughputChart(points: readonly ThroughputPoint[]): Html {
  if (!points.length) return html``;
  const f = FRAME;
  const maxW = Math.max(...points.map((p) => p.workers));
  const base = points.find((p) => p.workers === 1)?.opsPerSec ?? points[0]!.opsPerSec / points[0]!.workers;
  const yMax = Math.max(1, ...points.map((p) => p.opsPerSec), base * maxW) * 1.08;
  const x = (w: number): number => f.left + (w / maxW) * (f.w - f.left - f.right);
  const y = (v: number): number => f.h - f.bottom - (v / yMax) * (f.h - f.top - f.bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((k) => {
    const at = y(k * yMax).toFixed(1);
    return html`<line class="grid" x1="${f.left}" x2="${f.w - f.right}" y1="${at}" y2="${at}"></line><text class="tick" text-anchor="end" x="${f.left - 6}" y="${Number(at) + 4}">${rate(k * yMax)}</text>`;
  });
  const xTicks = [0, ...new Set(points.map((p) => p.workers))].map(
    (w) => html`<text class="tick" text-anchor="middle" x="${x(w).toFixed(1)}" y="${f.h - f.bottom + 16}">${w}</text>`,
  );
  const line = points.map((p) => `${x(p.workers).toFixed(1)},${y(p.opsPerSec).toFixed(1)}`).join(' ');
  const dots = points.map((p) => {
    const right = p.workers > maxW / 2;
    const label = `${rate(p.opsPerSec)}/s${p.workers > 1 ? ` · ${p.speedup.toFixed(2)}x` : ''}`;
    return html`<g class="pt"><title>${pointTitle(p)}</title><circle cx="${x(p.workers).toFixed(1)}" cy="${y(p.opsPerSec).toFixed(1)}" r="4"></circle><text class="tick" text-anchor="${right ? 'end' : 'start'}" x="${(x(p.workers) + (right ? -7 : 7)).toFixed(1)}" y="${(y(p.opsPerSec) + 16).toFixed(1)}">${label}</text></g>`;
  });
  const ideal = html`<line class="ideal" x1="${x(0).toFixed(1)}" y1="${y(0).toFixed(1)}" x2="${x(maxW).toFixed(1)}" y2="${y(base * maxW).toFixed(1)}"><title>${`ideal: ${rate(base)} calls/s per worker`}</title></line>`;
  return html`<figure class="chart"><figcaption>Calls/s against workers; dashed: the ideal line (the 1-worker rate × workers)</figcaption><svg width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" role="img" aria-label="throughput against workers">${grid}${xTicks}<text class="tick" text-anchor="middle" x="${(f.left + f.w - f.right) / 2}" y="${f.h - 6}">workers</text>${ideal}<polyline class="measured" points="${line}"></polyline>${dots}</svg></figure>`;
}

/** Latency percentiles per point, on a log scale: p50 dot, p90 and p99 ticks, the max as a cross. */
export function latencyChart(points: readonly ThroughputPoint[]): Html {
  const values = points.flatMap((p) => [p.latencyMs.p50, p.latencyMs.p90, p.latencyMs.p99, p.latencyMs.max]).filter((v) => v > 0 && Number.isFinite(v));
  if (!values.length) return html``;
  const f = { ...FRAME, w: Math.max(260, 110 + points.length * 70) };
  const lo = Math.log10(Math.min(...values)) - 0.15;
  const hi = Math.log10(Math.max(...values)) + 0.15;
  const y = (v: number): number => f.h - f.bottom - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / Math.max(0.3, hi - lo)) * (f.h - f.top - f.bottom);
  const x = (k: number): number => f.left + 30 + k * 70;
  const decades: number[] = [];
  for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) decades.push(10 ** d);
  const grid = decades.map((v) => {
    const at = y(v).toFixed(1);
    return html`<line class="grid" x1="${f.left}" x2="${f.w - f.right}" y1="${at}" y2="${at}"></line><text class="tick" text-anchor="end" x="${f.left - 6}" y="${Number(at) + 4}">${ms(v)}</text>`;
  });
  const marks = points.map((p, k) => {
    const l = p.latencyMs;
    const cx = x(k).toFixed(1);
    const tick = (v: number): Html =>
      v > 0 ? html`<line class="pctl" x1="${x(k) - 7}" x2="${x(k) + 7}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"></line>` : html``;
    const p50 = l.p50 > 0 ? html`<circle cx="${cx}" cy="${y(l.p50).toFixed(1)}" r="4"></circle>` : '';
    const max = l.max > 0 ? html`<path class="max" d="M${x(k) - 4} ${(y(l.max) - 4).toFixed(1)}l8 8m0 -8l-8 8"></path>` : '';
    return html`<g class="pt"><title>${pointTitle(p)}</title><line class="range" x1="${cx}" x2="${cx}" y1="${y(l.p50).toFixed(1)}" y2="${y(l.max).toFixed(1)}"></line>${p50}${tick(l.p90)}${tick(l.p99)}${max}<text class="tick" text-anchor="middle" x="${cx}" y="${f.h - f.bottom + 16}">${p.workers}</text></g>`;
  });
  return html`<figure class="chart"><figcaption>Latency per point (log scale): dot p50, ticks p90 and p99, cross the max (the table has the figures)</figcaption><svg width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" role="img" aria-label="latency percentiles per worker count">${grid}${marks}<text class="tick" text-anchor="middle" x="${(f.left + f.w - f.right) / 2}" y="${f.h - 6}">workers</text></svg></figure>`;
}
