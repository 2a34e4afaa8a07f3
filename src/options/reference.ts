// docs/reference/cli.md, written from the option table: `npm run docs:reference` writes it, and
// test/reference.test.mjs fails when the committed file differs from what the table says.
import { API_ONLY_NAMES, OPTIONS, SEED_MAX, STRATEGIES, shownDefault, type Option, type OptionKind } from './table.js';

/** What each kind of value looks like, in words (every kind must have one: the compiler checks). */
const VALUES: { readonly [K in OptionKind]: (o: Option) => string } = {
  count: (o) => (o.max === undefined || o.max >= Number.MAX_SAFE_INTEGER ? 'a whole number, 1 or more' : `a whole number from 1 to ${o.max}`),
  positive: () => 'a number above 0',
  seed: () => `a whole number from 0 to ${SEED_MAX}`,
  strategies: () => `a comma list of ${STRATEGIES.map((s) => `\`${s}\``).join(', ')} (an array in a config file or hammer())`,
  flag: () => 'a switch (`true`/`false` in a config file or hammer())',
  path: () => "a file path; a config file's is relative to the config file",
  duration: () => '`90s`, `2m`, `1500ms`, or a number of seconds',
  names: () => 'a comma list (an array in a config file or hammer())',
  shard: (o) => `\`k/N\` with 1 <= k <= N <= ${o.max ?? Number.MAX_SAFE_INTEGER} (\`{ index, count }\` in hammer())`,
  scheduler: () => '`mixed`, `random`, `pct`, `pct:<depth 1-99>` or `off`',
  schedule: () => '`<round>:<schedule>,<schedule>,...`, one schedule per worker, as a report prints it',
  confidence: () => '`1/<k>@<p>%`, e.g. `1/5000@99%` (`{ oneIn, probability }` in hammer())',
};

/** Markdown table cells: a `|` would end the cell. */
const cell = (s: string): string => s.replace(/\|/g, '\\|');

function flagOf(o: Option): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${o.negate ? 'no-' : ''}${o.long}${o.value ? ` ${o.value}` : ''}`;
  const opposite = o.kind === 'flag' ? `<br>\`--${o.negate ? '' : 'no-'}${o.long}\` undoes a config file's \`${String(!o.negate)}\`` : '';
  return `\`${flag}\`${opposite}`;
}

function row(o: Option): string {
  const name = `\`${o.name}\`${o.key !== o.name ? `<br>(report: \`config.${o.key}\`${o.kind === 'duration' ? ', in ms' : ''})` : ''}`;
  const notes = [o.adapter ? `An adapter's own \`${o.name}\` field sets its default.` : '', o.replayWhen ? `Only with the ${o.replayWhen} strategy.` : '']
    .filter(Boolean)
    .join(' ');
  const meaning = `${o.help}${notes ? `. ${notes}` : ''}`;
  return `| ${[flagOf(o), name, VALUES[o.kind](o), shownDefault(o) ?? '', meaning].map(cell).join(' | ')} |`;
}

/** The reference, as Markdown. */
export function cliReference(): string {
  const header = ['| flag | config file and `hammer()` key | value | default | meaning |', '|---|---|---|---|---|'];
  const outputHeader = ['| flag | config file key | value | default | meaning |', '|---|---|---|---|---|'];
  const run = OPTIONS.filter((o) => o.scope === 'run');
  const output = OPTIONS.filter((o) => o.scope === 'output');
  return [
    '# Command-line reference',
    '',
    '<!-- Generated from src/options/table.ts by `npm run docs:reference`: do not edit by hand. -->',
    '',
    '```text',
    'adapter-hammer <adapter>... [options] [-- adapter args]',
    'adapter-hammer merge <reports...> [output options]',
    'adapter-hammer init <module> [--out <file>]',
    'adapter-hammer init --template http|postgres|redis|shared-memory [--out <file>]',
    '```',
    '',
    '`init` writes a first adapter beside a module, or a commented template, and never over a file: see',
    '[the tutorial](../tutorial.md) and `adapter-hammer init --help`.',
    '',
    'Every option has one name for the three ways to give it: the long flag on the command line, its camelCase',
    'as a key of `adapter-hammer.config.json` (or `.mjs`), and the same key in the options of `hammer()`. The',
    'same rules check the value in all three. A flag given on the command line wins over the config file; an',
    "option given to the command line or `hammer()` wins over the adapter's own default.",
    '',
    '## Run options',
    '',
    'Part of the run: the report records them in `config`, and its replay command repeats them.',
    '',
    ...header,
    ...run.map(row),
    '',
    '## Output options',
    '',
    'Where the reports go; `adapter-hammer merge` takes them too. `hammer()` returns the report instead',
    '(its `color` is the colour of what `print` writes).',
    '',
    ...outputHeader,
    ...output.map(row),
    '',
    '## Only in a config file',
    '',
    '| key | meaning |',
    '|---|---|',
    '| `adapters` | a path or an array of paths (adapter files or directories of them), relative to the config file: the adapters to run when the command line names none |',
    "| `args` | an object: what the adapter's `setup()` and `init()` receive as `args`; arguments after `--` override it |",
    '',
    '## Only in `hammer()`',
    '',
    `${API_ONLY_NAMES.map((n) => `\`${n}\``).join(', ')}: see the types of \`HammerOptions\` (\`import type { HammerOptions } from 'adapter-hammer'\`).`,
    '',
  ].join('\n');
}
