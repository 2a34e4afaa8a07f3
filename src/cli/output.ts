// After the runs: JSON, JUnit, GitHub Actions annotations and summary, the multi-adapter summary table.
// Every verdict and exit code here was computed before (run/run.ts, run/multi.ts).
import { colorLevel, type ColorLevel } from '../reporters/color.js';
import { appendStepSummary, githubAnnotations, inGithubActions } from '../reporters/github.js';
import { toJson } from '../reporters/json.js';
import { writeReportFile } from '../reporters/report-file.js';
import { toJunit } from '../reporters/junit.js';
import { renderSummary } from '../reporters/terminal/summary.js';
import type { MultiReport, Report } from '../schema/report.js';
import type { OutputOptions } from '../options/table.js';

export type { OutputOptions };

/** Where the terminal report goes (stderr when JSON owns stdout), and in what colour. */
export function terminalOut(opts: OutputOptions): { stream: NodeJS.WriteStream; level: ColorLevel } {
  const toStderr = opts.json === '-';
  const stream = toStderr ? process.stderr : process.stdout;
  return { stream, level: colorLevel({ color: opts.color, isTTY: stream.isTTY, stream: toStderr ? 'stderr' : 'stdout' }) };
}

/** Write the reports; returns the exit code (a report that could not be written makes it at least 1). */
export function writeOutputs(result: Report | MultiReport, opts: OutputOptions): number {
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
  if (inGithubActions()) {
    termStream.write(githubAnnotations(result));
    const err = appendStepSummary(result);
    if (err) process.stderr.write(`adapter-hammer: ${err}\n`);
  }
  // Every report file goes through writeReportFile: regular files replaced atomically, devices and FIFOs written in place.
  const toFile = (what: string, file: string, render: () => string): void => {
    try {
      writeReportFile(file, render());
    } catch (e) {
      problem(`could not write ${what} report to ${file}: ${(e as Error).message}`);
    }
  };
  if (opts.junit) toFile('JUnit', opts.junit, () => toJunit(result));
  if (opts.json) {
    if (jsonToStdout) process.stdout.write(toJson(result));
    else toFile('JSON', opts.json, () => toJson(result));
  }
  return exitCode;
}
