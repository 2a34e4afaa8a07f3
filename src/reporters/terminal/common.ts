// Shared pieces of the terminal reporter: number formats, tables, safe text.
import Table from 'cli-table3';
import { truncate } from '../../errors.js';
import type { ChalkInstance } from 'chalk';
import type { ContentionRow, CounterRow, Machine, ModelChecks, Status, Verdict } from '../../schema/report.js';

export interface Style {
  c: ChalkInstance;
  /** Unicode marks unless colour and fancy output are both off. */
  ok: string;
  bad: string;
}

/** Adapter-supplied text may hold control characters or be huge: keep the terminal intact. */
export function safe(text: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD').replace(/\n/g, ' ');
  return truncate(clean, max);
}

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function rate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k`;
  return perSec.toFixed(0);
}

export function ms(v: number): string {
  if (v <= 0) return '0 ms';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 1) return `${v.toFixed(v >= 100 ? 0 : 1)} ms`;
  return `${(v * 1000).toFixed(v >= 0.01 ? 0 : 2)} µs`;
}

/**
 * A strategy's share of --time, as a phrase: "in its 3.33 s share of the --time budget", or, when the
 * strategies before it and the hooks used the whole budget, that no time was left (never "0 µs share").
 */
export function budgetShare(budgetMs: number): string {
  return budgetMs < 1 ? 'with no time left of the --time budget' : `in its ${ms(budgetMs)} share of the --time budget`;
}

export function table(style: Style, head: string[], rows: (string | number)[][], align?: ('left' | 'right')[]): string {
  const t = new Table({
    head: head.map((h) => style.c.bold(h)),
    style: { head: [], border: [] },
    colAligns: align,
  });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}

/** The word for a status (decided in checks/): PASS, FAIL, or PARTIAL for an interrupted strategy. */
export function statusWord(style: Style, s: Status | Verdict): string {
  if (s === 'pass') return style.c.green.bold('PASS');
  if (s === 'partial') return style.c.yellow.bold('PARTIAL');
  return style.c.red.bold('FAIL');
}

export function strategyHeading(style: Style, name: string, status: Status, detail: string, machine?: Machine): string {
  const on = machine ? `on ${safe(machine.hostname, 100)} (shard ${machine.shards.join(', ')}) · ` : '';
  return `${style.c.bold(name.toUpperCase())}  ${statusWord(style, status)}  ${style.c.dim(on + detail)}`;
}

/** A pass the report has caveats about (see its warnings) is never shown as a plain PASS. */
export function caveatText(style: Style, s: { status: Status; caveats?: readonly string[] }): string {
  return s.status === 'pass' && s.caveats?.length ? ` · ${style.c.yellow.bold(`but see warnings: ${s.caveats.join(', ')}`)}` : '';
}

export function counterTable(style: Style, rows: CounterRow[], note?: string): string {
  if (!rows.length) return style.c.dim(`  (${safe(note ?? 'no counters', 300)})`);
  return table(
    style,
    ['counter', 'expected', 'actual', 'verdict'],
    rows.map((r) => {
      let verdict: string;
      if (r.expected === null && r.invariant === 'held') verdict = style.c.green(`${style.ok} invariant held`);
      else if (r.expected === null && r.invariant === 'violated') verdict = style.c.red(`${style.bad} invariant violated`);
      else if (r.expected === null) verdict = style.c.dim('not checked');
      else if (r.actual === null) verdict = style.c.red(`${style.bad} missing`);
      else if (r.actual === r.expected) verdict = style.c.green(`${style.ok} ok`);
      else if (r.actual < r.expected) verdict = style.c.red(`${style.bad} ${int(r.expected - r.actual)} lost`);
      else verdict = style.c.red(`${style.bad} ${int(r.actual - r.expected)} extra`);
      return [safe(r.name, 60), r.expected === null ? '—' : int(r.expected), r.actual === null ? '—' : int(r.actual), verdict];
    }),
    ['left', 'right', 'right', 'left'],
  );
}

export function contentionLine(style: Style, rows: ContentionRow[]): string {
  if (!rows.length) return '';
  const parts = rows.map((r) =>
    r.overlapped
      ? `${r.op} ${style.c.bold(String(r.maxInFlight))} in flight / ${r.maxWorkers} worker${r.maxWorkers === 1 ? '' : 's'}`
      : style.c.yellow(`${r.op} never overlapped`),
  );
  return `  ${style.c.dim('contention:')} ${parts.join(style.c.dim(' · '))}`;
}

/** The model's checks of a strategy: how many rounds it checked, and how many it could not decide. */
export function modelLine(style: Style, m: ModelChecks | undefined): string {
  if (!m) return '';
  const undecided = m.unknownRounds ? style.c.yellow(` · ${int(m.unknownRounds)} undecided (${safe(m.unknownReason ?? 'out of budget', 200)})`) : '';
  return `  ${style.c.dim('model:')} ${int(m.checkedRounds)} round${m.checkedRounds === 1 ? '' : 's'} checked for linearizability${undecided}`;
}
