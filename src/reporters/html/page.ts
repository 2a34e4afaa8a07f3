// `--html`: the report as one self-contained page. Everything is inline (style, script, SVG drawn here in
// Node), and a Content-Security-Policy forbids every fetch, so the page opens from file://, makes no
// network request, prints, and shows its drawings with JavaScript off. It renders the report object;
// every verdict, status and diagnosis in it was decided before (checks/).
import { createHash } from 'node:crypto';
import {
  entriesOf,
  findingSource,
  isStartFailure,
  type FindingFacts,
  type MultiRunReport,
  type RunReport,
  type StackFrame,
  type StartFailure,
  type WarningFacts,
} from '../../schema/report.js';
import { ms } from '../terminal/common.js';
import { findingMessage, warningMessage } from '../sentences.js';
import { CSS, SCRIPT } from './assets.js';
import { clip, html, plural, raw, type Html } from './markup.js';
import { command, statusBadge, statusWord, strategyBadge } from './parts.js';
import { strategySection, type Anchors } from './strategies.js';
import { TIMELINE_LIMITS, type DrawBudget } from './timeline.js';
import { confidenceOf, confidenceText } from './confidence.js';

/** Findings, warnings and notes listed per adapter at most (the JSON has them all). */
export const MAX_FINDINGS = 200;
const MAX_NOTES = 100;
const MAX_ERRORS = 20;
const MAX_FRAMES = 30;

/** The Content-Security-Policy: no source of any kind but this page's own style and its one script. */
function policy(): string {
  const hash = createHash('sha256').update(SCRIPT).digest('base64');
  return `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

function frames(stack: readonly StackFrame[]): Html {
  const more = stack.length > MAX_FRAMES ? html`<p class="note">${plural(stack.length - MAX_FRAMES, 'more frame')}</p>` : '';
  return html`<ol class="stack">${stack.slice(0, MAX_FRAMES).map((f) => html`<li class="${f.user ? 'user' : ''}"><code>${clip(f.text, 300)}</code></li>`)}</ol>${more}`;
}

/**
 * A finding's fields as data (issue 27 item 5 adds more: read whichever are there), shown beside its
 * message, which stays the sentence.
 */
const FIELDS: [string, string][] = [
  ['op', 'operation'],
  ['operation', 'operation'],
  ['counter', 'counter'],
  ['expected', 'expected'],
  ['actual', 'actual'],
  ['hook', 'hook'],
  ['workerId', 'worker'],
  ['round', 'round'],
  ['firstRound', 'first round'],
  ['rounds', 'rounds'],
  ['count', 'count'],
  ['shard', 'shard'],
];

function fieldsOf(f: FindingFacts): Html[] {
  const o = f as unknown as Record<string, unknown>;
  const chips: Html[] = [];
  for (const [key, name] of FIELDS) {
    const v = o[key];
    if (typeof v === 'number' || typeof v === 'string') chips.push(html`<span class="chip">${name}: <b>${clip(String(v), 120)}</b></span>`);
  }
  if (f.where) {
    const at = `${f.where.file}:${f.where.line}${f.where.column !== undefined ? `:${f.where.column}` : ''}`;
    chips.push(html`<span class="chip">at <code>${clip(at, 300)}</code></span>`);
  }
  return chips;
}

/** A finding's sentence, written from its fields (reporters/sentences.ts), as every reporter writes it. */
function sentence(f: FindingFacts): string {
  return clip(findingMessage(f), 3000, true);
}

function findingItem(f: FindingFacts, id: string, link: string | undefined): Html {
  const where = link ? html` <a class="goto" href="#${link}">${f.history ? `round ${f.history.round} →` : 'its strategy →'}</a>` : '';
  const errors = (f.errors ?? []).slice(0, MAX_ERRORS).map((e) => {
    const at = e.stack[0]?.user ? html` <span class="dim">at ${clip(e.stack[0].text, 200)}</span>` : '';
    return html`<details><summary><b>${e.count}×</b> <code>${clip(e.message, 400)}</code>${at}</summary>${frames(e.stack)}</details>`;
  });
  const moreErrors = (f.errors?.length ?? 0) > MAX_ERRORS ? html`<p class="note">${plural(f.errors!.length - MAX_ERRORS, 'more distinct error')}</p>` : '';
  const stack = f.stack?.length ? html`<details open=""><summary>The worker’s stack when it was paused</summary>${frames(f.stack)}</details>` : '';
  const chips = fieldsOf(f);
  return html`<li class="finding" id="${id}"><span class="kind">${f.kind}</span> <span class="dim">${clip(findingSource(f), 100)}</span>${where}
<div class="msg">${sentence(f)}</div>${chips.length ? html`<div class="fields">${chips}</div>` : ''}${errors}${moreErrors}${stack}</li>`;
}

function notesList(title: string, cls: string, items: readonly WarningFacts[]): Html {
  if (!items.length) return html``;
  const shown = items.slice(0, MAX_NOTES);
  const more = items.length > shown.length ? html`<p class="note">${plural(items.length - shown.length, 'more')} not shown.</p>` : '';
  return html`<h3 class="${cls}">${title} (${items.length})</h3><ul>${shown.map((w) => html`<li><b>${clip(w.code, 80)}</b> ${clip(warningMessage(w), 2000, true)}</li>`)}</ul>${more}`;
}

type Env = RunReport['config']['env'];

function machineText(r: RunReport): string {
  const env: Env = r.config.env;
  const hosts = [...new Set(r.strategies.flatMap((s) => (s.machine ? [s.machine.hostname] : [])))];
  const host = hosts.length > 1 ? `${hosts.length} machines: ${hosts.join(', ')}` : (hosts[0] ?? env.hostname ?? 'unknown host');
  return [host, plural(env.cores, 'core'), env.node ? `Node ${env.node}` : '', env.platform ?? ''].filter(Boolean).join(' · ');
}

function verdictBar(r: RunReport, id: string): Html {
  const interrupted = r.interrupted && r.status !== 'fail';
  const chips = r.strategies.map((s, k) => html`<a class="chip" href="#${id}-s${k}">${s.name} ${strategyBadge(s)}</a>`);
  const notRun = r.config.strategies.filter((n) => !r.strategies.some((s) => s.name === n));
  const confidences = r.strategies.flatMap((s) => {
    const c = confidenceOf(s);
    const text = c ? confidenceText(c, s.status) : '';
    return text ? [`${s.name}: ${text}`] : [];
  });
  const m = r.merged;
  const merged = m
    ? html`<dt>merged</dt><dd>${plural(m.files.length, 'report')}: shard ${m.shards.join(', ')}${m.missing.length ? html` <b class="bad">missing ${m.missing.join(', ')}</b>` : ''}</dd>`
    : '';
  const strict = r.strictFailure ? html` · <span class="warn">failed by warnings under --strict</span>` : '';
  const declared = r.threadSafe === null ? html`<span class="warn">not declared</span>` : String(r.threadSafe);
  return html`<div class="verdict ${interrupted ? 'partial' : r.status}"><span class="word">${interrupted ? 'INTERRUPTED' : statusWord(r.status)}</span> <b>${clip(r.headline, 600)}</b>
<dl><dt>adapter</dt><dd><code>${clip(r.adapter, 400)}</code> · threadSafe: ${declared}</dd>
<dt>strategies</dt><dd>${chips}${notRun.length ? html`<span class="dim">not run: ${notRun.join(', ')}</span>` : ''}</dd>
<dt>seed</dt><dd>${r.seed}</dd>
<dt>machine</dt><dd>${clip(machineText(r), 400)}</dd>
<dt>run</dt><dd>${clip(r.startedAt, 40)} · ${ms(r.durationMs)}${strict}</dd>
${merged}${confidences.length ? html`<dt>confidence</dt><dd>${confidences.join(' ')}</dd>` : ''}
<dt>replay</dt><dd>${command(`${id}-replay`, r.replay)}</dd></dl></div>`;
}

function environment(r: RunReport): Html {
  const env: Env = r.config.env;
  const rows: [string, string][] = [
    ['Node', env.node ?? 'not recorded (a report from an older version)'],
    ['platform', [env.platform, env.arch].filter(Boolean).join(' ') || 'not recorded'],
    ['cores', `${env.cores} available to the run`],
    [
      'CPU pinning',
      env.pinCpus
        ? 'on: each worker pins itself to its own CPU (Linux, best effort)'
        : env.unpinned === 'database'
          ? "off: the calls are a database's clients (ADAPTER_HAMMER_AFFINITY=1 pins them)"
          : 'off (ADAPTER_HAMMER_AFFINITY=0)',
    ],
    ['host', env.hostname ?? 'not recorded'],
    ['race batch', `up to ${env.batch} rounds per exchange with the workers`],
    ['shrink budget', env.shrinkMs > 0 ? ms(env.shrinkMs) : 'off'],
    ['tool', `${r.tool.name} ${r.tool.version}`],
  ];
  const value = (v: unknown): string => clip(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), 600);
  const options = Object.entries(r.config)
    .filter(([k]) => k !== 'env' && k !== 'args')
    .map(([k, v]) => html`<tr><td><code>${k}</code></td><td><code>${value(v)}</code></td></tr>`);
  const args = clip(JSON.stringify(r.config.args ?? {}), 2000);
  return html`<dl class="env">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${clip(v, 300)}</dd>`)}</dl>
<table><caption>Options as the plan had them</caption><thead><tr><th>option</th><th>value</th></tr></thead><tbody>${options}<tr><td><code>args</code></td><td><code>${args}</code></td></tr></tbody></table>`;
}

const shortName = (adapter: string): string => clip(adapter.split('/').pop() || adapter, 60);

/** One adapter's part of the page, and its entry in the navigation. */
function adapterPart(r: RunReport, a: number, budget: DrawBudget): { body: Html; nav: Html } {
  const id = `a${a}`;
  const anchors: Anchors = new Map();
  // Strategy sections first: they decide where each finding's link points.
  const sections = r.strategies.map((s, k) => strategySection(r, s, `${id}-s${k}`, anchors, budget));
  const shown = r.findings.slice(0, MAX_FINDINGS);
  const moreFindings =
    r.findings.length > shown.length
      ? html`<p class="note">${plural(r.findings.length - shown.length, 'more finding')} not shown (the JSON report has them).</p>`
      : '';
  const findings = shown.length
    ? html`<h3 class="bad" id="${id}-findings">Findings (${r.findings.length})</h3><ol class="findings">${shown.map((f, k) => findingItem(f, `${id}-f${k}`, anchors.get(f)))}</ol>${moreFindings}`
    : html`<p class="good" id="${id}-findings">No findings.</p>`;
  const body = html`<article class="adapter" id="${id}"><h2>${clip(r.adapter, 400)}</h2>
${verdictBar(r, id)}
${findings}
${notesList('Warnings', 'warn', r.warnings)}
${notesList('Info', 'dim', r.info)}
${sections}
<h3 id="${id}-env">Environment</h3>
${environment(r)}
</article>`;
  const strategies = r.strategies.map((s, k) => html`<li><a href="#${id}-s${k}">${s.name}</a> ${statusBadge(s.status)}</li>`);
  const nav = html`<li><a href="#${id}">${shortName(r.adapter)}</a> ${statusBadge(r.status)}<ul><li><a href="#${id}-findings">findings (${r.findings.length})</a></li>${strategies}<li><a href="#${id}-env">environment</a></li></ul></li>`;
  return { body, nav };
}

function startFailurePart(r: StartFailure, a: number): { body: Html; nav: Html } {
  const id = `a${a}`;
  const problems = r.problems.map((p) => html`<li>${clip(p, 2000)}</li>`);
  return {
    body: html`<article class="adapter" id="${id}"><h2>${clip(r.adapter, 400)}</h2><div class="verdict fail"><span class="word">COULD NOT START</span><ul>${problems}</ul></div></article>`,
    nav: html`<li><a href="#${id}">${shortName(r.adapter)}</a> ${statusBadge('fail')}</li>`,
  };
}

function summaryTable(report: MultiRunReport): Html {
  const rows = report.adapters.map((r, a) => {
    const name = html`<td><a href="#a${a}">${clip(r.adapter, 300)}</a></td>`;
    if (isStartFailure(r)) return html`<tr>${name}<td>${statusBadge('fail')} could not start</td><td>—</td><td>${clip(r.problems.join('; '), 400)}</td></tr>`;
    return html`<tr>${name}<td>${statusBadge(r.status)}</td><td>${r.strategies.map((s) => html`${s.name} ${statusBadge(s.status)} `)}</td><td class="num">${r.findings.length}</td></tr>`;
  });
  const merged = report.merged ? ` · merged shards ${report.merged.shards.join(', ')}` : '';
  return html`<div class="verdict ${report.status}"><span class="word">${statusWord(report.status)}</span> ${plural(report.adapters.length, 'adapter')} · ${ms(report.durationMs)}${merged}</div>
<table><thead><tr><th>adapter</th><th>verdict</th><th>strategies</th><th>findings</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The page of one report or of a multi-adapter run. */
export function toHtml(report: RunReport | MultiRunReport): string {
  const entries = entriesOf(report);
  const budget: DrawBudget = { calls: TIMELINE_LIMITS.pageCalls };
  const parts = entries.map((r, a) => (isStartFailure(r) ? startFailurePart(r, a) : adapterPart(r, a, budget)));
  const multi = 'adapters' in report;
  const title = multi ? plural(entries.length, 'adapter') : clip(entries[0]?.adapter ?? '', 200);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy()}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${statusWord(report.status)} · ${title} · adapter-hammer</title>
<style>${raw(CSS)}</style></head>
<body><div class="layout"><nav aria-label="contents"><b>${report.tool.name} ${report.tool.version}</b><ul>${parts.map((p) => p.nav)}</ul><p class="note keys" hidden="">j / k: next / previous finding</p></nav>
<main><h1>adapter-hammer report</h1>
${multi ? summaryTable(report) : ''}
${parts.map((p) => p.body)}
</main></div>
<script>${raw(SCRIPT)}</script>
</body></html>
`.text;
}
