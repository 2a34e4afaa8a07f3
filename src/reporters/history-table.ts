// A call history as a table, as Lincheck prints an interleaving: one column per worker × lane, one row
// per event in time order. A call that overlapped nothing takes one row (`op(input) → output`); a call
// that overlapped others opens on its start row (`┌ op(input)`), shows `│` in its column while it is in
// flight, and closes on its end row (`└→ output`), so two overlapping increments read as overlapping.
import { inspect } from 'node:util';
import type { ChalkInstance } from 'chalk';
import type { CallHistory, HistoryCall } from '../schema/report.js';
import { makeChalk } from './color.js';
import { callLabel } from '../schema/words.js';
import { safe } from './terminal/common.js';

export interface HistoryTableOptions {
  color: ChalkInstance;
  /** Terminal width: columns shrink to fit it, down to a minimum; beyond that one line per event. */
  width?: number;
}

export const CULPRIT_MARK = '◀ no order explains this';
const MAX_COL = 36;
const MIN_COL = 12;
const MAX_VALUE = 24;

/** A value as a short text (depth 1, one line, clipped). */
function value(v: unknown): string {
  const text =
    typeof v === 'string' ? JSON.stringify(v) : inspect(v, { depth: 1, breakLength: Infinity, maxArrayLength: 4, maxStringLength: MAX_VALUE, compact: 3 });
  return safe(text, MAX_VALUE);
}

/** `op(input)`, named as the findings name it (report/text.ts). */
export const callText = (c: HistoryCall): string => callLabel(c, value);

/** What the call answered: `→ output`, `✗ error`, or nothing yet. */
export function resultText(c: HistoryCall): string {
  if (c.end === null) return '…';
  if (c.error !== undefined) return `✗ ${safe(c.error, MAX_VALUE * 2)}`;
  return `→ ${value(c.output)}`;
}

interface Row {
  time: number | null;
  cells: Map<number, { text: string; call: number }>;
  culprit: boolean;
}

/** The table's lines (no trailing newline), coloured with `color` (a level-0 chalk for plain text). */
export function historyTable(h: CallHistory, opts: HistoryTableOptions): string[] {
  const { color: c } = opts;
  const calls = h.calls;
  const lanes = [...new Map(calls.map((x) => [`${x.worker}:${x.lane}`, x])).values()].sort((a, b) => a.worker - b.worker || a.lane - b.lane);
  const colOf = new Map(lanes.map((x, i) => [`${x.worker}:${x.lane}`, i]));
  const heads = lanes.map((x) => `w${x.worker} l${x.lane}`);
  const col = (i: number): number => colOf.get(`${calls[i]!.worker}:${calls[i]!.lane}`)!;

  // Events in time order; at one instant starts before ends, so calls that touch read as overlapping
  // (the checker too takes them as concurrent).
  const events = calls.flatMap((x, i) => [{ i, t: x.start, end: false }, ...(x.end !== null ? [{ i, t: x.end, end: true }] : [])]);
  events.sort((a, b) => a.t - b.t || Number(a.end) - Number(b.end) || col(a.i) - col(b.i));
  const rows: Row[] = [];
  const startRow = new Array<number>(calls.length).fill(-1);
  const endRow = new Array<number>(calls.length).fill(Infinity);
  const collapsed = new Array<boolean>(calls.length).fill(false);
  for (const [k, e] of events.entries()) {
    if (e.end && collapsed[e.i]) continue;
    const x = calls[e.i]!;
    // Nothing happened between its start and its end: one row.
    if (!e.end && events[k + 1]?.i === e.i) collapsed[e.i] = true;
    const text = collapsed[e.i] ? `${callText(x)} ${resultText(x)}` : e.end ? `└${resultText(x)}` : `┌ ${callText(x)}`;
    if (!e.end) startRow[e.i] = rows.length;
    if (e.end || collapsed[e.i]) endRow[e.i] = rows.length;
    rows.push({ time: e.t, cells: new Map([[col(e.i), { text, call: e.i }]]), culprit: endRow[e.i] === rows.length && e.i === h.culprit });
  }
  // A call that never returned: closed on a last row of its own.
  for (const [i, x] of calls.entries())
    if (x.end === null) {
      endRow[i] = rows.length;
      rows.push({ time: null, cells: new Map([[col(i), { text: '└ … never returned', call: i }]]), culprit: i === h.culprit });
    }
  for (const [r, row] of rows.entries())
    for (let i = 0; i < calls.length; i++) if (startRow[i]! < r && r < endRow[i]!) row.cells.set(col(i), { text: '│', call: i });

  const times = rows.map((r) => (r.time === null ? '' : r.time.toFixed(3)));
  const tw = Math.max(2, ...times.map((t) => t.length));
  const natural = heads.map((hd, k) => Math.min(MAX_COL, Math.max(hd.length, ...rows.map((r) => r.cells.get(k)?.text.length ?? 0))));
  const room = opts.width !== undefined ? opts.width - tw - 3 * heads.length - CULPRIT_MARK.length - 2 : Infinity;
  const paint = (text: string, call: number): string => (call === h.culprit ? c.red(text) : text);
  const mark = (row: Row): string => (row.culprit ? `  ${c.red.bold(CULPRIT_MARK)}` : '');
  const out: string[] = [];
  if (heads.length * MIN_COL > room) {
    // Too many columns for the width: one line per event, named by its worker and lane.
    const lw = Math.max(...heads.map((x) => x.length));
    for (const [r, row] of rows.entries())
      for (const [k, cell] of row.cells)
        if (cell.text !== '│')
          out.push(`${times[r]!.padStart(tw)}  ${c.dim(heads[k]!.padEnd(lw))}  ${paint(safe(cell.text, MAX_COL * 2), cell.call)}${mark(row)}`);
  } else {
    const total = natural.reduce((a, b) => a + b, 0);
    const widths = total <= room ? natural : natural.map((w) => Math.max(MIN_COL, Math.floor((w * room) / total)));
    const sep = c.dim(' │ ');
    out.push(`${'ms'.padStart(tw)}${sep}${heads.map((hd, k) => c.bold(hd.padEnd(widths[k]!))).join(sep)}`);
    out.push(c.dim(`${'─'.repeat(tw)}─┼─${widths.map((w) => '─'.repeat(w)).join('─┼─')}`));
    for (const [r, row] of rows.entries()) {
      const cells = widths.map((w, k) => {
        const cell = row.cells.get(k);
        return cell ? paint(safe(cell.text, w).padEnd(w), cell.call) : ' '.repeat(w);
      });
      out.push(`${c.dim(times[r]!.padStart(tw))}${sep}${cells.join(sep)}${mark(row)}`);
    }
  }
  if (h.omitted > 0) out.push(c.dim(`(${h.omitted} more call${h.omitted === 1 ? '' : 's'} of round ${h.round} not shown)`));
  return out;
}

/** The same table as plain text (no colour), e.g. for a JUnit failure's text. */
export const historyText = (h: CallHistory): string => historyTable(h, { color: makeChalk(0) }).join('\n');
