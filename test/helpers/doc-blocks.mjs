// The fenced blocks of a Markdown page, and what its info string says to do with each, so that
// test/docs.test.mjs can run every command and code block of README.md and docs/ (no example rots).
//
// The info string is the language, then words GitHub ignores when it renders the page:
//
//   ```sh                     every line is a command, run in the page's sandbox; each must exit 0,
//   ```sh exit=1              ... or 1; a line's own `# exit 2` comment says it for that line
//   ```text output            what the previous command printed: each line, in order, must appear in its
//                             output (numbers stand for any number, runs of spaces for any spaces; `...` skips)
//   ```js file=counter.mjs    written to that file of the sandbox (later blocks run it)
//   ```js run                 written to a file and run with node (`ts run`: through tsx), exit 0
//   ```ts check               typechecked with tsc (strict) against this checkout's types
//   ```js excerpt=fixtures/x.mjs   every code line of the block (its own trailing comments aside) is a line of that
//                             file of the repository (a comma list: of one of them)
//   ```yaml steps             a workflow's steps: every `run:` is run as an sh block
//   ```sh skip="reason"       not run, and the reason says why (the test lists every skipped block)
//   ```text                   not code: a diagram, a sketch of a shape
import { readFileSync } from 'node:fs';

/** `exit=1 file=a.mjs skip="needs a registry" output` -> { exit: '1', file: 'a.mjs', skip: '...', output: true }. */
export function parseInfo(info) {
  const words = info.trim().match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  const [lang = '', ...rest] = words;
  const attrs = {};
  for (const w of rest) {
    const eq = w.indexOf('=');
    if (eq < 0) attrs[w] = true;
    else attrs[w.slice(0, eq)] = w.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return { lang: lang.toLowerCase(), attrs };
}

/** Every fenced block of a page: its first line (1-based), language, attributes and body. */
export function parseBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`);
      if (close.test(lines[j])) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    blocks.push({ line: i + 1, ...parseInfo(info), body: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The commands of an sh block: continuation lines joined, comment lines dropped, each with its expected exit code. */
export function commandsOf(body, defaultExit = 0) {
  const out = [];
  let pending = '';
  for (const raw of body.split('\n')) {
    const line = pending + raw;
    if (/\\\s*$/.test(line)) {
      pending = line.replace(/\\\s*$/, ' ');
      continue;
    }
    pending = '';
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const own = /#.*\bexit (\d+)\b/.exec(line);
    out.push({ command: line.trim(), exit: own ? Number(own[1]) : defaultExit });
  }
  return out;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** A line as compared: no colour, every number as `#` (a duration as `# time`, in whichever unit it took), spaces collapsed. */
export const normalise = (line) =>
  line
    .replace(ANSI, '')
    .replace(/\d[\d,.]*/g, '#')
    .replace(/# ?(µs|ms|s|min)\b/g, '# time')
    .replace(/\s+/g, ' ')
    .trim();

/** Lines of `expected` that do not appear, in order, in `actual` (empty: it matches). */
export function missingLines(expected, actual) {
  const have = actual.split('\n').map(normalise);
  const missing = [];
  let at = 0;
  for (const raw of expected.split('\n')) {
    const want = normalise(raw);
    if (!want || want === '...' || want === '…') continue;
    const found = have.findIndex((h, i) => i >= at && h.includes(want));
    if (found < 0) missing.push(raw);
    else at = found + 1;
  }
  return missing;
}

/** A code line as an excerpt is compared: trimmed, without a trailing `// comment` (an excerpt may explain a line its own way). */
const codeOf = (line) => line.replace(/\s+\/\/.*$/, '').trim();

/** Code lines of an excerpt that its files do not have (comments and `...` elisions aside). */
export function notInFile(body, files) {
  const lines = new Set(files.flatMap((file) => readFileSync(file, 'utf8').split('\n').map(codeOf)));
  return body
    .split('\n')
    .map(codeOf)
    .filter((l) => l && !l.startsWith('//') && !l.includes('...') && !l.includes('…'))
    .filter((l) => !lines.has(l));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every heading's anchor on a page (a repeated heading gets -1, -2, as GitHub does). */
export function anchorsOf(markdown) {
  const seen = new Map();
  const anchors = new Set();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    const h = !inFence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = slug(h[1].replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

/** Relative links of a page (not http:, not mailto:), with their line: `[text](path#anchor)`. */
export function linksOf(markdown) {
  const out = [];
  let inFence = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(m[1])) out.push({ line: i + 1, target: m[1] });
    }
  });
  return out;
}
