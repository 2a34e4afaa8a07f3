// Markup as data that escapes by default: every value put into the `html` template is text (escaped for
// HTML and SVG alike, control characters replaced) unless it is itself markup built by `html`. So an
// adapter's `<img src=x onerror=...>` (an input, an output, an error, a counter name, a stack line) can
// only ever reach the page as the characters it is made of; no code path concatenates raw strings.
import { inspect } from 'node:util';
import { truncate } from '../../errors.js';
import { int } from '../terminal/common.js';

/** Markup made by `html` (or `raw` from a constant): the only thing inserted unescaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Control characters (tab and newline kept), lone surrogates and U+FFFE/FFFF: shown as U+FFFD. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text as HTML (content or a double-quoted attribute value). */
export const escapeText = (s: string): string => s.replace(UNPRINTABLE, '\uFFFD').replace(/[&<>"']/g, (ch) => ENTITY[ch]!);

function render(v: Part): string {
  if (v === null || v === undefined || v === false || v === true) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeText(String(v));
}

/** The page's one way of writing markup: values are escaped, nested `html` is kept, arrays are joined. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** A constant of this file's own (CSS, the script): never adapter data. */
export const raw = (constant: string): Html => new Html(constant);

/** Text of an adapter, bounded: one line unless `lines`, at most `max` characters. */
export function clip(s: string, max: number, lines = false): string {
  return truncate(lines ? s : s.replace(/\s*[\r\n]+\s*/g, ' '), max);
}

/** A value an adapter returned or was asked, as a short text (strings quoted, objects one line). */
export function valueText(v: unknown, max: number): string {
  const text =
    typeof v === 'string'
      ? JSON.stringify(v)
      : inspect(v, { depth: 2, breakLength: Infinity, maxArrayLength: 8, maxStringLength: Math.max(8, max), compact: 3 });
  return clip(text, max);
}

/** "1 call", "2,000 calls". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${int(n)} ${n === 1 ? one : many}`;
