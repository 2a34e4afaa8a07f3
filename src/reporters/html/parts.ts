// Small pieces every section uses: a status badge, a command to copy.
import { clip, html, type Html } from './markup.js';

const STATUS: Record<string, string> = { pass: 'PASS', fail: 'FAIL', partial: 'PARTIAL' };

/** The word of a verdict or status, as the terminal prints it. */
export const statusWord = (status: string): string => STATUS[status] ?? status.toUpperCase();

export const statusBadge = (status: string): Html => html`<span class="badge ${status}">${statusWord(status)}</span>`;

/** A strategy's badge: a pass the report has caveats about (see its warnings) is never shown as a plain PASS. */
export const strategyBadge = (s: { status: string; caveats?: readonly string[] }): Html =>
  s.status === 'pass' && s.caveats?.length
    ? html`${statusBadge(s.status)} <span class="badge partial" title="see the warnings">but see warnings: ${s.caveats.join(', ')}</span>`
    : statusBadge(s.status);

/** A command the reader copies: selectable text, and a copy button the script shows. */
export const command = (id: string, text: string): Html =>
  html`<div class="cmd"><code id="${id}">${clip(text, 8000)}</code><button type="button" class="copy" data-copy="${id}" hidden="">copy</button></div>`;
