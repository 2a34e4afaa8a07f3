// The CLI: parse, load the adapter (problems exit 2), run, render, exit 0/1 (130/143 on signals).
import { CommanderError } from 'commander';
import { AdapterError, loadAdapter } from '../adapter/load.js';
import { colorLevel } from '../report/color.js';
import { toJson, writeFileAtomic } from '../report/json.js';
import { renderTerminal } from '../report/terminal/index.js';
import { makePlan } from '../run/plan.js';
import { RunControl, TOOL, runPlan } from '../run/run.js';
import { buildProgram, splitArgv, toPlanInput, UsageError, type CliOptions } from './options.js';

const fail2 = (message: string): number => {
  process.stderr.write(`adapter-hammer: ${message}\n`);
  return 2;
};

export async function main(argv: string[]): Promise<number> {
  const { own, adapterArgs } = splitArgv(argv);
  const program = buildProgram(TOOL.version);
  let stderrBuf = '';
  program.configureOutput({ writeErr: (s) => (stderrBuf += s), writeOut: (s) => process.stdout.write(s) });
  try {
    program.parse(own, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      // Commander's own message is already one line ("error: ..."); keep it, without a stack.
      const line = stderrBuf.trim().split('\n')[0]?.replace(/^error: /, '') || e.message.replace(/^error: /, '');
      return fail2(`${line} (see --help)`);
    }
    throw e;
  }
  const opts = program.opts<CliOptions>();
  const adapter = program.args[0]!;
  const jsonToStdout = opts.json === '-';
  try {
    const loaded = await loadAdapter(adapter);
    const plan = makePlan(toPlanInput(adapter, opts, adapterArgs, jsonToStdout));
    const control = new RunControl();
    const onSignal = (sig: 'SIGINT' | 'SIGTERM') => () => {
      if (control.signal) process.exit(sig === 'SIGINT' ? 130 : 143); // second signal: leave now
      process.stderr.write(`\nadapter-hammer: ${sig} — stopping workers, writing a partial report…\n`);
      control.interrupt(sig);
    };
    const sigint = onSignal('SIGINT');
    const sigterm = onSignal('SIGTERM');
    process.on('SIGINT', sigint);
    process.on('SIGTERM', sigterm);
    // Adapter hooks printing to stdout must not corrupt a JSON report there.
    const realStdoutWrite = process.stdout.write.bind(process.stdout);
    if (jsonToStdout) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    let report;
    try {
      report = await runPlan(plan, { control, loaded });
    } finally {
      process.stdout.write = realStdoutWrite;
      process.off('SIGINT', sigint);
      process.off('SIGTERM', sigterm);
    }
    const termStream = jsonToStdout ? process.stderr : process.stdout;
    const level = colorLevel({ color: opts.color, isTTY: termStream.isTTY, stream: jsonToStdout ? 'stderr' : 'stdout' });
    termStream.write(renderTerminal(report, level));
    if (opts.json) {
      const text = toJson(report);
      if (jsonToStdout) process.stdout.write(text);
      else {
        try {
          writeFileAtomic(opts.json, text);
        } catch (e) {
          process.stderr.write(`adapter-hammer: could not write JSON report to ${opts.json}: ${(e as Error).message}\n`);
          return Math.max(report.exitCode, 1);
        }
      }
    }
    return report.exitCode;
  } catch (e) {
    if (e instanceof AdapterError) return fail2(e.problems.join('\nadapter-hammer: '));
    if (e instanceof UsageError) return fail2(e.message);
    throw e;
  }
}
