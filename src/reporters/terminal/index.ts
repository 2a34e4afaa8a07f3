// Terminal reporter: renders the report object; every verdict it shows was computed before it.
import type { ChalkInstance } from 'chalk';
import { findingSource, type CallHistory, type RetryCount, type RunReport, type StrategyReport } from '../../schema/report.js';
import { CODE_DOCS, docsPath, FINDING_DOCS } from '../docs-links.js';
import { findingMessage, warningMessage } from '../sentences.js';
import { historyTable } from '../history-table.js';
import { makeChalk, type ColorLevel } from '../color.js';
import { safe, statusWord, type Style } from './common.js';
import { renderHammer } from './hammer.js';
import { renderRace } from './race.js';
import { renderThroughput } from './throughput.js';

function renderStrategy(style: Style, s: StrategyReport, width: number): string {
  const body = s.name === 'hammer' ? renderHammer(style, s) : s.name === 'race' ? renderRace(style, s, width) : renderThroughput(style, s);
  return s.retries ? `${body}\n${retriesLine(style, s.retries)}` : body;
}

/** What the usual codes mean (SQLSTATE, SQLite), to name them beside the code. */
const CODE_NAMES: Readonly<Record<string, string>> = {
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '55P03': 'lock not available',
  '23505': 'unique violation',
  SQLITE_BUSY: 'database is locked',
};

/** "412 calls retried after 40001 (serialization failure) · 3 after 40P01 (deadlock detected)". */
export function retriesLine(style: Style, retries: readonly RetryCount[]): string {
  const parts = retries.map(
    (r, i) =>
      `${i === 0 ? `${r.count.toLocaleString('en-US')} calls retried` : r.count.toLocaleString('en-US')} after ${safe(r.code, 60)}${CODE_NAMES[r.code] ? ` (${CODE_NAMES[r.code]})` : ''}`,
  );
  return `  ${style.c.dim(`${parts.join(' · ')}: declared in the adapter's \`retry\`, not errors`)}`;
}

/** Distinct errors listed under an error finding (the JSON has them all, with their stacks). */
const MAX_DISTINCT_SHOWN = 3;
/** Frames of a hung worker's stack listed under its finding. */
const MAX_FRAMES_SHOWN = 5;

/** The history table under a finding, indented. */
export function historyLines(c: ChalkInstance, h: CallHistory, width: number): string[] {
  return [c.dim(`      round ${h.round}, calls in time order:`), ...historyTable(h, { color: c, width: width - 8 }).map((l) => `        ${l}`)];
}

export function renderTerminal(report: RunReport, level: ColorLevel, width = 120): string {
  const c = makeChalk(level);
  const style: Style = { c, ok: '✓', bad: '✗' };
  const cfg = report.config;
  const declared = report.threadSafe === null ? c.yellow('not declared') : String(report.threadSafe);
  const out: string[] = [];
  out.push(`${c.bold(report.tool.name)} ${report.tool.version} · ${c.bold(safe(report.adapter, 200))}`);
  out.push(c.dim(`workers ${cfg.workers} · lanes ${cfg.concurrency} · seed ${report.seed} · timeout ${cfg.timeoutMs} ms · threadSafe: `) + declared);
  if (report.merged) {
    const { shards, missing, files } = report.merged;
    const gap = missing.length ? c.red.bold(` · missing ${missing.join(', ')}`) : '';
    out.push(c.dim(`merged ${files.length} report${files.length === 1 ? '' : 's'}: shard ${shards.join(', ')}`) + gap);
  }
  for (const s of report.strategies) out.push('', renderStrategy(style, s, width));
  // The docs page that explains a kind or code, under its first occurrence.
  const explained = new Set<string>();
  const see = (key: string, page: string | undefined): string[] => {
    if (!page || explained.has(key)) return [];
    explained.add(key);
    return [c.dim(`      see: ${docsPath(page)}`)];
  };
  if (report.findings.length) {
    out.push('', c.red.bold(`FINDINGS (${report.findings.length})`));
    for (const f of report.findings) {
      out.push(`  ${c.red(style.bad)} ${c.dim(`[${findingSource(f)}]`)} ${c.bold(f.kind)}  ${safe(findingMessage(f), 600)}`);
      // Distinct errors, most frequent first: how often, the message, and where in the user's code.
      // A hung worker's stack, as pausing it showed (user frames first).
      for (const frame of (f.stack ?? []).slice(0, MAX_FRAMES_SHOWN)) out.push(c.dim(`      at ${safe(frame.text, 200)}`));
      for (const e of (f.errors ?? []).slice(0, MAX_DISTINCT_SHOWN)) {
        const at = e.stack[0]?.user ? c.dim(`  at ${safe(e.stack[0].text, 200)}`) : '';
        out.push(`      ${c.bold(`${e.count}×`)} ${safe(e.message, 300)}${at}`);
      }
      // How it happened: the failing part of the round's history, one column per worker × lane.
      if (f.history) out.push(...historyLines(c, f.history, width));
      out.push(...see(f.kind, FINDING_DOCS[f.kind]));
    }
  }
  if (report.warnings.length) {
    out.push('', c.yellow.bold(`WARNINGS (${report.warnings.length})${cfg.strict ? ' — --strict: warnings fail the run' : ''}`));
    for (const w of report.warnings) out.push(`  ${c.yellow('!')} ${c.bold(w.code)}  ${safe(warningMessage(w), 600)}`, ...see(w.code, CODE_DOCS[w.code]));
  }
  if (report.info.length) {
    out.push('', c.dim('INFO'));
    for (const i of report.info) out.push(c.dim(`  · ${i.code}  ${safe(warningMessage(i), 600)}`));
  }
  out.push('');
  const word = report.interrupted && report.status !== 'fail' ? c.yellow.bold('INTERRUPTED') : statusWord(style, report.status);
  out.push(`${word}  ${safe(report.headline, 400)} · seed ${report.seed} · ${(report.durationMs / 1000).toFixed(1)} s`);
  if (report.status !== 'pass') out.push(c.dim(`replay: ${safe(report.replay, 4000)}`));
  return `${out.join('\n')}\n`;
}
