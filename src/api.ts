// Programmatic API: `await hammer('./adapter.mjs', { strategy: ['hammer'] })` returns the report object
// the JSON reporter writes. It never calls process.exit and prints nothing unless asked (`print`).
// Options are checked against the same table as the command line's (src/options/), and the adapter's
// own fields (`timeout`, `resourceLimits`) apply exactly as they do there.
import path from 'node:path';
import yargsParser from 'yargs-parser';
import { loadAdapter } from './adapter/load.js';
import type { AdapterArgs } from './adapter/types.js';
import { OptionError } from './errors.js';
import type { API_ONLY_NAMES, ApiOutputOptions, RunOptions, Same } from './options/table.js';
import { apiOptionsProblem, planFieldsOf } from './options/validate.js';
import { makePlan, type PlanInput } from './plan/plan.js';
import type { ProgressEvent, Report } from './schema/report.js';
import { colorLevel } from './reporters/color.js';
import { toHtml } from './reporters/html/page.js';
import { writeReportFile } from './reporters/report-file.js';
import { reportObject } from './reporters/json.js';
import { renderTerminal } from './reporters/terminal/index.js';
import { runPlan } from './run/run.js';

/** hammer()'s own options, besides the run's (which are the command line's). */
export interface ApiOnlyOptions {
  /** What the adapter's setup()/init() receive as `args`: an object, or an argv array parsed by yargs-parser. */
  args?: Record<string, unknown> | string[];
  /** Stops the run like Ctrl-C: the promise resolves with a partial report (`interrupted: true`). */
  signal?: AbortSignal;
  /** Print the terminal report: `true` for stdout, or a stream. Default: print nothing. */
  print?: boolean | NodeJS.WritableStream;
  /** Colour when printing (default: only on a TTY, honouring NO_COLOR/FORCE_COLOR). */
  color?: boolean;
  /** Progress callback (strategy phases, rounds done). */
  progress?: (p: ProgressEvent) => void;
  /** Directory the adapter path is resolved against (default: process.cwd()). */
  cwd?: string;
}

/**
 * hammer()'s options: the run options of the command line, by the camelCase of their long flags
 * (`--min-ops` -> `minOps`), declared once in src/options/table.ts, and hammer()'s own.
 */
export interface HammerOptions extends RunOptions, ApiOutputOptions, ApiOnlyOptions {}

/** ApiOnlyOptions has exactly the fields API_ONLY_NAMES lists (which hammer() accepts at run time): else a compile error. */
type _ApiOnlyNamesExact = Exactly<Same<keyof ApiOnlyOptions, (typeof API_ONLY_NAMES)[number]>>;
type Exactly<T extends true> = T;

function toArgs(args: HammerOptions['args']): AdapterArgs {
  if (args === undefined) return { _: [] };
  if (Array.isArray(args)) return yargsParser(args);
  if (args === null || typeof args !== 'object') throw new OptionError('args must be an object or an array of strings');
  return { _: [], ...args };
}

/**
 * Hammer one adapter and return its report (the object `--json` writes). Rejects with AdapterError when
 * the adapter cannot start (missing file, syntax error, no operations), with a TypeError for a bad
 * option; a failing adapter resolves with `verdict: 'fail'`.
 */
export async function hammer(adapterPath: string, options: HammerOptions = {}): Promise<Report> {
  if (typeof adapterPath !== 'string' || !adapterPath) throw new OptionError('the adapter path must be a non-empty string');
  const problem = apiOptionsProblem(options as Record<string, unknown>);
  if (problem) throw new OptionError(problem);
  const args = toArgs(options.args);
  const loaded = await loadAdapter(adapterPath, options.cwd ?? process.cwd());
  const input: PlanInput = { ...planFieldsOf(options), adapter: adapterPath, args };
  const report = await runPlan(makePlan(input, loaded), { loaded, signal: options.signal, progress: options.progress });
  if (options.html !== undefined) {
    try {
      writeReportFile(path.resolve(options.cwd ?? process.cwd(), options.html), toHtml(report));
    } catch (e) {
      throw new Error(`could not write HTML report to ${options.html}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (options.print) {
    const stream = options.print === true ? process.stdout : options.print;
    const isTTY = (stream as { isTTY?: boolean }).isTTY;
    stream.write(
      renderTerminal(
        report,
        colorLevel({ color: options.color, isTTY, stream: stream === process.stderr ? 'stderr' : 'stdout' }),
        (stream as NodeJS.WriteStream).columns || 120,
      ),
    );
  }
  // The report the JSON reporter writes: every finding's and warning's sentence written from its fields.
  return reportObject(report);
}
