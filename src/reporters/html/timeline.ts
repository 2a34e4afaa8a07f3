// A round's calls as a timeline, drawn as static SVG: a row per worker × lane, a bar per call from its
// start to its end, labelled `op(input) → output`. Time is warped as Porcupine warps it
// (visualization/index.js): every start and end keeps its order, so calls that overlapped overlap and
// calls that did not do not, but the x axis is order, not scale, so a call of 2 µs beside one of 5 ms
// can still carry its label; exact times are on the axis and in each bar's tooltip. A greedy scan left to
// right places each instant as early as it can while every bar stays as wide as its label.
import type { CallHistory, HistoryCall } from '../../schema/report.js';
import { callLabel } from '../../schema/words.js';
import { int, ms } from '../terminal/common.js';
import { clip, html, plural, valueText, type Html } from './markup.js';

/** What one timeline draws at most, and a whole page (over all its timelines); the caption says what was left out. */
export const TIMELINE_LIMITS = { calls: 300, rows: 48, width: 7000, pageCalls: 4000 } as const;

/** The calls a page may still draw: one per page, shared by its timelines. */
export interface DrawBudget {
  calls: number;
}

const ROW_H = 24;
const BAR_H = 16;
/** Width of a character of the bars' 11px monospace font (an estimate: no font metrics in Node). */
const CHAR_W = 6.7;
const PAD = 5;
/** Least distance between two instants. */
const GAP = 8;
const MIN_BAR = 6;
const AXIS_H = 30;
const LABEL_W = 58;
/** Label lengths tried, longest first, until the drawing fits TIMELINE_LIMITS.width. */
const LABEL_CAPS = [44, 24, 12, 0];

export interface TimelineOptions {
  /** The figure's anchor; a call's bar is `${id}-w<worker>-c<call>`. */
  id: string;
  title: string;
  /** Notes drawn as a mark on a call's bar, by `w<worker>c<call>` (a controlled round's preemptions). */
  marks?: ReadonlyMap<string, string>;
  budget: DrawBudget;
}

/** Anchor of a call's bar in a timeline. */
export const barId = (id: string, c: HistoryCall): string | null => (c.call === undefined ? null : `${id}-w${c.worker}-c${c.call}`);
/** What links a call's bar to other elements of its scope (schedule steps): `w0c3`. */
export const callKey = (worker: number, call: number): string => `w${worker}c${call}`;

const laneKey = (c: HistoryCall): string => `${c.worker}:${c.lane}`;

/** What the call answered, as a bar says it. */
function outcomeText(c: HistoryCall, max: number): string {
  if (c.end === null) return '… never returned';
  if (c.error !== undefined) return `✗ ${clip(c.error, max * 2)}`;
  return `→ ${valueText(c.output, max)}`;
}

export const callText = (c: HistoryCall, max = 24): string => `${callLabel(c, (v) => valueText(v, max))} ${outcomeText(c, max)}`;

/**
 * The calls drawn: all when they fit; else, nearest the culprit first (or earliest first), each call whose
 * lane is already drawn or while there is room for another row, up to the limits.
 */
function pick(h: CallHistory, limit: number): { kept: number[]; rows: string[] } {
  const calls = h.calls;
  const culprit = h.culprit !== undefined ? calls[h.culprit] : undefined;
  const order = calls.map((_, i) => i);
  if (culprit) order.sort((a, b) => Math.abs(calls[a]!.start - culprit.start) - Math.abs(calls[b]!.start - culprit.start) || a - b);
  else order.sort((a, b) => calls[a]!.start - calls[b]!.start || a - b);
  const lanes = new Set<string>();
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= limit) break;
    const lane = laneKey(calls[i]!);
    if (!lanes.has(lane)) {
      if (lanes.size >= TIMELINE_LIMITS.rows) continue;
      lanes.add(lane);
    }
    kept.push(i);
  }
  const rows = [...lanes].sort((a, b) => {
    const [wa, la] = a.split(':').map(Number) as [number, number];
    const [wb, lb] = b.split(':').map(Number) as [number, number];
    return wa - wb || la - lb;
  });
  return { kept, rows };
}

interface Layout {
  /** x of each call's start and end (end: the cut, for a call that never returned). */
  x0: Map<number, number>;
  x1: Map<number, number>;
  width: number;
  /** Instants on the axis: x and the time (ms). */
  ticks: { x: number; t: number }[];
  cut: number | null;
}

/** Place every instant (Porcupine's greedy scan); `cap`: label characters a bar must fit. */
function place(calls: readonly HistoryCall[], kept: readonly number[], cap: number): Layout {
  // Instants: a start sorts before an end at the same time (touching calls are concurrent, as the checker takes them).
  const key = (t: number, end: boolean): string => `${t}|${end ? 1 : 0}`;
  const instants = new Map<string, { t: number; end: boolean }>();
  for (const i of kept) {
    const c = calls[i]!;
    instants.set(key(c.start, false), { t: c.start, end: false });
    if (c.end !== null) instants.set(key(Math.max(c.end, c.start), true), { t: Math.max(c.end, c.start), end: true });
  }
  const sorted = [...instants.values()].sort((a, b) => a.t - b.t || Number(a.end) - Number(b.end));
  const index = new Map(sorted.map((p, k) => [key(p.t, p.end), k]));
  const widthOf = (c: HistoryCall): number => (cap === 0 ? MIN_BAR : Math.max(MIN_BAR, Math.min(callText(c).length, cap) * CHAR_W + 2 * PAD));
  const endsAt = new Map<number, number[]>();
  for (const i of kept) {
    const c = calls[i]!;
    if (c.end === null) continue;
    const k = index.get(key(Math.max(c.end, c.start), true))!;
    endsAt.set(k, [...(endsAt.get(k) ?? []), i]);
  }
  const xs = new Float64Array(sorted.length);
  for (let k = 1; k < sorted.length; k++) {
    let pos = xs[k - 1]! + GAP;
    for (const i of endsAt.get(k) ?? []) pos = Math.max(pos, xs[index.get(key(calls[i]!.start, false))!]! + widthOf(calls[i]!));
    xs[k] = pos;
  }
  const x0 = new Map<number, number>();
  const x1 = new Map<number, number>();
  let last = sorted.length ? xs[sorted.length - 1]! : 0;
  const hung = kept.filter((i) => calls[i]!.end === null);
  for (const i of kept) {
    const c = calls[i]!;
    x0.set(i, xs[index.get(key(c.start, false))!]!);
    if (c.end !== null) x1.set(i, xs[index.get(key(Math.max(c.end, c.start), true))!]!);
  }
  let cut: number | null = null;
  if (hung.length) {
    cut = Math.max(last + 3 * GAP, ...hung.map((i) => x0.get(i)! + widthOf(calls[i]!)));
    for (const i of hung) x1.set(i, cut);
    last = cut;
  }
  const ticks: { x: number; t: number }[] = [];
  for (let k = 0; k < sorted.length; k++) if (!ticks.length || xs[k]! - ticks[ticks.length - 1]!.x >= 84) ticks.push({ x: xs[k]!, t: sorted[k]!.t });
  return { x0, x1, width: LABEL_W + last + 24, ticks, cut };
}

/** Exact figures of a call, for its tooltip. */
function tooltip(c: HistoryCall, mark: string | undefined, culprit: boolean): string {
  const took = c.end === null ? 'never returned' : `end ${c.end.toFixed(4)} ms (took ${ms(Math.max(0, c.end - c.start))})`;
  return [
    `worker ${c.worker} · lane ${c.lane}${c.call !== undefined ? ` · call #${c.call}` : ''}`,
    callText(c, 400),
    `start ${c.start.toFixed(4)} ms · ${took}`,
    ...(culprit ? ['no order of the calls explains this call: the model’s first illegal call'] : []),
    ...(mark ? [mark] : []),
  ].join('\n');
}

/** The figure: caption, the SVG, and what was left out. */
export function timeline(h: CallHistory, o: TimelineOptions): Html {
  const calls = h.calls;
  const limit = Math.min(TIMELINE_LIMITS.calls, o.budget.calls);
  if (limit < 1 && calls.length)
    return html`<figure class="timeline" id="${o.id}"><figcaption><b>${o.title}</b></figcaption><p class="note">Not drawn: a page draws at most ${plural(TIMELINE_LIMITS.pageCalls, 'call')} in all, and this one has (the JSON report has this round’s ${plural(calls.length, 'call')}).</p></figure>`;
  const { kept, rows } = pick(h, limit);
  o.budget.calls -= kept.length;
  let cap = LABEL_CAPS[0]!;
  let lay = place(calls, kept, cap);
  for (const next of LABEL_CAPS.slice(1)) {
    if (lay.width <= TIMELINE_LIMITS.width) break;
    cap = next;
    lay = place(calls, kept, cap);
  }
  const rowOf = new Map(rows.map((r, k) => [r, k]));
  const height = AXIS_H + rows.length * ROW_H + 6;
  const bottom = height - 6;
  // As many decimals as it takes for neighbouring ticks to read differently.
  const digits = [3, 4, 5, 6].find((d) => lay.ticks.every((t, k) => k === 0 || t.t.toFixed(d) !== lay.ticks[k - 1]!.t.toFixed(d))) ?? 6;
  const axis = lay.ticks.map(
    (t) =>
      html`<line class="grid" x1="${LABEL_W + t.x}" y1="${AXIS_H - 6}" x2="${LABEL_W + t.x}" y2="${bottom}"></line><text class="tick" x="${LABEL_W + t.x}" y="${AXIS_H - 10}">${t.t.toFixed(digits)}</text>`,
  );
  const lanes = rows.map((r, k) => {
    const [w, l] = r.split(':');
    const y = AXIS_H + k * ROW_H;
    return html`<line class="lane" x1="${LABEL_W}" y1="${y + ROW_H / 2}" x2="${lay.width - 12}" y2="${y + ROW_H / 2}"></line><text class="lane-label" x="4" y="${y + ROW_H / 2 + 4}">w${w} · l${l}</text>`;
  });
  const bars = kept.map((i) => barOf(calls[i]!, i, i === h.culprit, o, lay, AXIS_H + rowOf.get(laneKey(calls[i]!))! * ROW_H, cap));
  const cutLine =
    lay.cut === null
      ? ''
      : html`<line class="cut" x1="${LABEL_W + lay.cut}" y1="${AXIS_H - 6}" x2="${LABEL_W + lay.cut}" y2="${bottom}"></line><text class="tick cut-label" x="${LABEL_W + lay.cut}" y="${AXIS_H - 10}">cut</text>`;
  const left = notes(h, kept.length, rows.length, cap, limit);
  const culpritNote = h.culprit !== undefined && calls[h.culprit] ? html` · <span class="bad">▼ marks the call no order explains</span>` : '';
  const width = Math.ceil(lay.width);
  return html`<figure class="timeline" id="${o.id}">
<figcaption><b>${o.title}</b> · ${plural(kept.length, 'call')} drawn${culpritNote}</figcaption>
<div class="scroll"><svg class="tl" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${`timeline of round ${h.round}`}">
<text class="tick" x="4" y="${AXIS_H - 10}">ms</text>${axis}${lanes}${cutLine}${bars}
</svg></div>
${left.length ? html`<p class="note">${left.join(' ')}</p>` : ''}
</figure>`;
}

function barOf(c: HistoryCall, i: number, culprit: boolean, o: TimelineOptions, lay: Layout, rowY: number, cap: number): Html {
  const x0 = LABEL_W + lay.x0.get(i)!;
  const w = Math.max(MIN_BAR, lay.x1.get(i)! - lay.x0.get(i)!);
  const y = rowY + (ROW_H - BAR_H) / 2;
  const key = c.call !== undefined ? callKey(c.worker, c.call) : null;
  const mark = key ? o.marks?.get(key) : undefined;
  const cls = ['call', c.end === null ? 'hung' : c.error !== undefined ? 'err' : 'ok', culprit ? 'culprit' : '', mark ? 'marked' : '']
    .filter(Boolean)
    .join(' ');
  const fits = cap === 0 ? 0 : Math.floor((w - 2 * PAD) / CHAR_W + 1e-6);
  const label = fits >= 3 ? clip(callText(c), fits) : '';
  const id = barId(o.id, c);
  const text = label ? html`<text x="${(x0 + PAD).toFixed(1)}" y="${y + BAR_H - 4}">${label}</text>` : '';
  const culpritMark = culprit ? html`<path class="culprit-mark" d="M${(x0 + 4).toFixed(1)} ${y - 8}h10l-5 7z"></path>` : '';
  const preemptMark = mark ? html`<path class="preempt-mark" d="M${x0.toFixed(1)} ${y}h8l-8 8z"></path>` : '';
  return html`<g class="${cls}"${id ? html` id="${id}"` : ''}${key ? html` data-k="${key}"` : ''}><title>${tooltip(c, mark, culprit)}</title><rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" rx="3"></rect>${text}${culpritMark}${preemptMark}</g>`;
}

/** What the drawing leaves out, and why. */
function notes(h: CallHistory, drawn: number, rows: number, cap: number, limit: number): string[] {
  const out: string[] = [];
  const notDrawn = h.calls.length - drawn;
  if (notDrawn > 0)
    out.push(
      `${plural(notDrawn, 'call')} of the report’s ${plural(h.calls.length, 'call')} ${notDrawn === 1 ? 'is' : 'are'} not drawn (at most ${limit < TIMELINE_LIMITS.calls ? `${limit} calls, what is left of the page’s ${int(TIMELINE_LIMITS.pageCalls)},` : `${limit} calls`} in ${TIMELINE_LIMITS.rows} rows: ${h.culprit !== undefined ? 'those nearest the marked call' : 'the first ones'}${rows >= TIMELINE_LIMITS.rows ? ', in the first lanes' : ''}; the JSON report has them).`,
    );
  if (h.omitted > 0)
    out.push(
      `${plural(h.omitted, 'more call')} of round ${h.round} ${h.omitted === 1 ? 'is' : 'are'} not in the report (it keeps the part of the round that shows the failure).`,
    );
  if (cap < LABEL_CAPS[0]!)
    out.push(
      cap === 0
        ? 'Labels left out to keep the drawing narrow: each bar’s tooltip has its call.'
        : 'Labels shortened to keep the drawing narrow: each bar’s tooltip has its call.',
    );
  return out;
}
