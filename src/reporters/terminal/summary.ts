// The per-adapter summary table printed after a multi-adapter run. Renders verdicts, never computes them.
import { makeChalk, type ColorLevel } from '../color.js';
import { isStartFailure, type MultiRunReport } from '../../schema/report.js';
import { safe, statusWord, table, type Style } from './common.js';

export function renderSummary(multi: MultiRunReport, level: ColorLevel): string {
  const c = makeChalk(level);
  const style: Style = { c, ok: '✓', bad: '✗' };
  const rows = multi.adapters.map((r) => {
    if (isStartFailure(r)) return [safe(r.adapter, 80), c.red.bold('NOT STARTED'), '—', safe(r.problems.join('; '), 120)];
    const strategies =
      r.strategies.map((s) => `${s.name} ${s.status === 'pass' ? c.green(style.ok) : s.status === 'partial' ? c.yellow('…') : c.red(style.bad)}`).join('  ') ||
      '—';
    const kinds = [...new Set(r.findings.map((f) => f.kind))];
    const detail = r.findings.length
      ? `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}: ${kinds.join(', ')}`
      : r.status === 'pass'
        ? ''
        : r.headline;
    return [safe(r.adapter, 80), statusWord(style, r.status), strategies, safe(detail, 120)];
  });
  const passed = multi.adapters.filter((r) => !isStartFailure(r) && r.status === 'pass').length;
  const notStarted = multi.adapters.filter(isStartFailure).length;
  const counts = `${passed} of ${multi.adapters.length} adapters passed${notStarted ? `, ${notStarted} could not start` : ''}`;
  const head = multi.interrupted && multi.status !== 'fail' ? c.yellow.bold('INTERRUPTED') : statusWord(style, multi.status);
  return `\n${c.bold('SUMMARY')}\n${table(style, ['adapter', 'verdict', 'strategies', 'findings'], rows, ['left', 'left', 'left', 'left'])}\n${head}  ${counts} · ${(multi.durationMs / 1000).toFixed(1)} s\n`;
}
