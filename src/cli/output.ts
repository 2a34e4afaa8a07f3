// After the runs: the HTML page, JSON, JUnit, GitHub Actions annotations and summary, the multi-adapter
// summary table. Every verdict and exit code here was computed before (run/run.ts, run/multi.ts).
import { colorLevel, type ColorLevel } from '../reporters/color.js';
import { appendStepSummary, githubAnnotations, inGithubActions } from '../reporters/github.js';
import { toHtml } from '../reporters/html/page.js';
import { toJson } from '../reporters/json.js';
import { writeReportFile } from '../reporters/report-file.js';
import { toJunit } from '../reporters/junit.js';
import { renderSummary } from '../reporters/terminal/summary.js';
import type { MultiRunReport, RunReport } from '../schema/report.js';
import type { OutputOptions } from '../options/table.js';

export type { OutputOptions };

/** Where the terminal report goes (stderr when JSON owns stdout), and in what colour. */
export function terminalOut(opts: OutputOptions): { stream: NodeJS.WriteStream; level: ColorLevel } {
  const toStderr = opts.json === '-';
  const stream = toStderr ? process.stderr : process.stdout;
  return { stream, level: colorLevel({ color: opts.color, isTTY: stream.isTTY, stream: toStderr ? 'stderr' : 'stdout' }) };
}

/** Write the reports; returns the exit code (a report that could not be written makes it at least 1). */
export function writeOutputs(result: RunReport | MultiRunReport, opts: OutputOptions): number {
  const jsonToStdout = opts.json === '-';
  const { stream: termStream, level } = terminalOut(opts);
  let exitCode = result.exitCode;
  const problem = (message: string) => {
    process.stderr.write(`adapter-hammer: ${message}\n`);
    exitCode = Math.max(exitCode, 1);
  };
  if ('adapters' in result) {
    termStream.write(renderSummary(result, level));
  }
  // Every report file goes through writeReportFile: regular files replaced atomically, devices and FIFOs written in place.
  const toFile = (what: string, file: string, render: () => string): boolean => {
    try {
      writeReportFile(file, render());
      return true;
    } catch (e) {
      problem(`could not write ${what} report to ${file}: ${(e as Error).message}`);
      return false;
    }
  };
  // The page first: JUnit and the GitHub summary point at it only once it is written.
  const page = opts.html && toFile('HTML', opts.html, () => toHtml(result)) ? opts.html : undefined;
  if (inGithubActions()) {
    termStream.write(githubAnnotations(result, process.env, process.cwd(), page));
    const err = appendStepSummary(result, process.env, page);
    if (err) process.stderr.write(`adapter-hammer: ${err}\n`);
  }
  if (opts.junit) toFile('JUnit', opts.junit, () => toJunit(result, page));
  if (opts.json) {
    if (jsonToStdout) process.stdout.write(toJson(result));
    else toFile('JSON', opts.json, () => toJson(result));
  }
  return exitCode;
}
