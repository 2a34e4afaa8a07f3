// GitHub Actions reporter (on when GITHUB_ACTIONS=true): one `::error` workflow command per finding,
// one `::warning` per warning, and a Markdown summary appended to $GITHUB_STEP_SUMMARY.
// It renders the report object; every verdict in it was computed before.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { truncate } from '../errors.js';
import {
  entriesOf,
  findingSource,
  isStartFailure,
  strategyLabel,
  type FindingFacts,
  type MultiRunReport,
  type RunReport,
  type Status,
} from '../schema/report.js';
import { findingMessage, warningMessage } from './sentences.js';
import { confidenceSentences } from './confidence.js';
import { historyText } from './history-table.js';
import { scheduleText } from './schedule-trace.js';

/** Message data of a workflow command: % and line breaks are escaped (the runner's own rules). */
export const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** Property values (file=, title=) additionally escape `:` and `,`. */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** The adapter path as GitHub wants it in `file=`: relative to the checkout ($GITHUB_WORKSPACE), with `/`. */
/** Text as an indented code block under a list item (a code block keeps the columns). */
const fenced = (text: string): string[] => ['', '  ```', ...text.split('\n').map((l) => `  ${l}`), '  ```'];

export function annotationFile(adapter: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, adapter);
  const base = env.GITHUB_WORKSPACE ? path.resolve(env.GITHUB_WORKSPACE) : cwd;
  const rel = path.relative(base, abs);
  return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs).split(path.sep).join('/');
}

function command(kind: 'error' | 'warning', props: Record<string, string>, message: string): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${kind} ${p}::${escapeData(message)}`;
}

/**
 * Where an annotation points: the failing line of the user's code when the finding's stack names one in
 * the checkout ($GITHUB_WORKSPACE), else the adapter file.
 */
function locationOf(f: FindingFacts, adapterFile: string, env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  if (f.where) {
    const rel = annotationFile(f.where.file, env, cwd);
    if (!path.isAbsolute(rel)) return { file: rel, line: String(f.where.line), ...(f.where.column !== undefined ? { col: String(f.where.column) } : {}) };
  }
  return { file: adapterFile };
}

/** Workflow command lines (newline-terminated) for every finding, warning and adapter that could not start. `page`: the HTML report written. */
export function githubAnnotations(report: RunReport | MultiRunReport, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), page?: string): string {
  const seePage = page ? `\nHTML report: ${annotationFile(page, env, cwd)}` : '';
  const lines: string[] = [];
  for (const r of entriesOf(report)) {
    const file = annotationFile(r.adapter, env, cwd);
    if (isStartFailure(r)) {
      for (const p of r.problems) lines.push(command('error', { file, title: 'adapter-hammer: adapter could not start' }, p));
      continue;
    }
    for (const f of r.findings) {
      const msg = `${f.kind} in ${findingSource(f)}: ${findingMessage(f)}\nreplay: ${r.replay}${seePage}`;
      lines.push(command('error', { ...locationOf(f, file, env, cwd), title: `adapter-hammer ${findingSource(f)}: ${f.kind}` }, msg));
    }
    for (const w of r.warnings) lines.push(command('warning', { file, title: `adapter-hammer: ${w.code}` }, warningMessage(w)));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** One icon per status, so the summary shows the same status the terminal and JUnit show. */
const ICON: Record<Status, string> = { pass: '✅', fail: '❌', partial: '⏸' };

/** Markdown cell text: no line breaks, pipes escaped, HTML-ish brackets neutralised. */
const cell = (s: string, max = 300): string => {
  const t = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return truncate(t, max);
};
/** Inline code in a table cell: no backtick inside, and `|` escaped (GitHub splits cells on it even in code). */
const code = (s: string): string => `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;

/**
 * Where the HTML page is: its path in the checkout, and the run's page, whose Artifacts list holds it once
 * a step uploads it (actions/upload-artifact): the summary cannot link the artifact itself before it exists.
 */
export function pageLine(page: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const run =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `; upload it as an artifact (actions/upload-artifact) and it is listed under Artifacts at ${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : '; upload it as an artifact (actions/upload-artifact) to open it from the run';
  return `📄 HTML report: ${code(annotationFile(page, env, cwd))}${run}`;
}

/** The job summary: a table of adapters, then each failing adapter's findings; `page`: the HTML report written. */
export function githubSummary(report: RunReport | MultiRunReport, page?: string, env: NodeJS.ProcessEnv = process.env): string {
  const entries = entriesOf(report);
  const out: string[] = [
    `## adapter-hammer: ${ICON[report.status]} ${report.status}`,
    '',
    '| adapter | verdict | strategies | findings | seed |',
    '|---|---|---|---|---|',
  ];
  for (const r of entries) {
    if (isStartFailure(r)) {
      out.push(`| ${code(r.adapter)} | ⛔ could not start | — | ${cell(r.problems.join('; '))} | — |`);
      continue;
    }
    const strategies = r.strategies.map((s) => `${strategyLabel(s)} ${ICON[s.status]}`).join(' · ') || '—';
    const v = `${ICON[r.status]} ${r.status === 'partial' ? 'interrupted' : r.status}`;
    out.push(`| ${code(r.adapter)} | ${v} | ${strategies} | ${r.findings.length} | ${r.seed} |`);
  }
  if (page) out.push('', pageLine(page, env));
  // How rare a race each passing race would have caught (or how often a failing one failed).
  const confident = entries.flatMap((r) =>
    isStartFailure(r)
      ? []
      : r.strategies.flatMap((s) => (s.name === 'race' && s.confidence ? [{ r, lines: confidenceSentences(s.confidence, s.status) }] : [])),
  );
  if (confident.some((c) => c.lines.length)) {
    out.push('', '### Confidence', '');
    for (const { r, lines } of confident) if (lines.length) out.push(`- ${code(r.adapter)} race: ${lines.map((l) => cell(l, 600)).join('; ')}`);
  }
  for (const r of entries) {
    if (isStartFailure(r) || (r.findings.length === 0 && r.warnings.length === 0)) continue;
    out.push('', `### ${code(r.adapter)}`, '');
    for (const f of r.findings) {
      out.push(`- ❌ **${f.kind}** (${findingSource(f)}): ${cell(findingMessage(f), 600)}`);
      // How it happened, as the terminal shows it (a code block keeps the columns).
      if (f.history) out.push(...fenced(historyText(f.history)));
    }
    for (const s of r.strategies) if (s.name === 'race' && s.schedule) out.push(...fenced(scheduleText(s.schedule)));
    for (const w of r.warnings) out.push(`- ⚠️ **${w.code}**: ${cell(warningMessage(w), 600)}`);
    if (r.status !== 'pass') out.push('', `Replay: ${code(r.replay)}`);
  }
  return `${out.join('\n')}\n`;
}

/** True when running as a GitHub Actions step. */
export const inGithubActions = (env: NodeJS.ProcessEnv = process.env): boolean => env.GITHUB_ACTIONS === 'true';

/** Append the summary to $GITHUB_STEP_SUMMARY if the runner set it. Returns an error message on failure. */
export function appendStepSummary(report: RunReport | MultiRunReport, env: NodeJS.ProcessEnv = process.env, page?: string): string | null {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return null;
  try {
    appendFileSync(file, `${githubSummary(report, page, env)}\n`);
    return null;
  } catch (e) {
    return `could not append the job summary to ${file}: ${(e as Error).message}`;
  }
}
