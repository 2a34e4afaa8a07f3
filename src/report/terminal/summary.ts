// The per-adapter summary table printed after a multi-adapter run. Renders verdicts, never computes them.
import { makeChalk, type ColorLevel } from '../color.js';
import type { MultiReport } from '../types.js';
import { safe, table, verdictWord, type Style } from './common.js';

export function renderSummary(multi: MultiReport, level: ColorLevel): string {
  const c = makeChalk(level);
  const style: Style = { c, ok: '✓', bad: '✗' };
  const rows = multi.adapters.map((r) => {
    if ('notStarted' in r) return [safe(r.adapter, 80), c.red.bold('NOT STARTED'), '—', safe(r.problems.join('; '), 120)];
    const strategies = r.strategies.map((s) => `${s.name} ${s.verdict === 'pass' ? c.green(style.ok) : c.red(style.bad)}`).join('  ') || '—';
    const kinds = [...new Set(r.findings.map((f) => f.kind))];
    const detail = r.interrupted ? 'interrupted' : r.findings.length ? `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}: ${kinds.join(', ')}` : r.verdict === 'fail' ? `--strict: ${r.warnings.length} warning(s)` : '';
    return [safe(r.adapter, 80), verdictWord(style, r.verdict), strategies, detail];
  });
  const passed = multi.adapters.filter((r) => r.verdict === 'pass').length;
  const notStarted = multi.adapters.filter((r) => 'notStarted' in r).length;
  const counts = `${passed} of ${multi.adapters.length} adapters passed${notStarted ? `, ${notStarted} could not start` : ''}`;
  const head = multi.interrupted ? c.yellow.bold('INTERRUPTED') : verdictWord(style, multi.verdict);
  return `\n${c.bold('SUMMARY')}\n${table(style, ['adapter', 'verdict', 'strategies', 'findings'], rows, ['left', 'left', 'left', 'left'])}\n${head}  ${counts} · ${(multi.durationMs / 1000).toFixed(1)} s\n`;
}
