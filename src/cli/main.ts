// The CLI: parse, load the adapter (problems exit 2), run, render, exit 0/1 (130/143 on signals).
import { CommanderError } from 'commander';
import { adapterLimits, mergeResourceLimits } from '../adapter/limits.js';
import { loadAdapter } from '../adapter/load.js';
import { AdapterError } from '../errors.js';
import type { Report, StartFailure } from '../report/types.js';
import { combineReports, startFailure } from '../run/multi.js';
import type { AdapterArgs } from '../adapter/types.js';
import { expandAdapters } from './adapters.js';
import { findConfig, loadConfig, type LoadedConfig } from './config.js';
import { terminalOut, writeOutputs } from './output.js';
import { renderTerminal } from '../report/terminal/index.js';
import { createProgress } from '../report/progress.js';
import { makePlan } from '../run/plan.js';
import { RunControl, TOOL, runPlan } from '../run/run.js';
import { buildProgram, splitArgv, toPlanInput, UsageError, type CliOptions } from './options.js';

const fail2 = (message: string): number => {
  process.stderr.write(`adapter-hammer: ${message}\n`);
  return 2;
};

/** Commander's own message (already one line, "error: ..."), without its prefix. */
const commanderLine = (written: string, e: CommanderError): string =>
  written.trim().split('\n')[0]?.replace(/^error: /, '') || e.message.replace(/^error: /, '');

/** Parse option tokens alone (a config file's) with a fresh program: commander's one-line error, or null. */
function validateArgv(tokens: string[]): string | null {
  const p = buildProgram(TOOL.version);
  let err = '';
  p.configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
  try {
    p.parse(tokens, { from: 'user' });
    return null;
  } catch (e) {
    if (e instanceof CommanderError) return commanderLine(err, e);
    throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  const { own, adapterArgs } = splitArgv(argv);
  const program = buildProgram(TOOL.version);
  let stderrBuf = '';
  program.configureOutput({ writeErr: (s) => (stderrBuf += s), writeOut: (s) => process.stdout.write(s) });
  // adapter-hammer.config.json/.mjs: its options are parsed first, so the command line's win.
  let config: LoadedConfig | null = null;
  try {
    const configFile = findConfig();
    if (configFile) config = await loadConfig(configFile, program, validateArgv);
  } catch (e) {
    if (e instanceof UsageError) return fail2(e.message);
    throw e;
  }
  try {
    program.parse([...(config?.argv ?? []), ...own], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      // Commander's own message is already one line ("error: ..."); keep it, without a stack.
      const line = commanderLine(stderrBuf, e);
      return fail2(`${line} (see --help)`);
    }
    throw e;
  }
  const opts = program.opts<CliOptions>();
  const given = program.args.length ? program.args : (config?.adapters ?? []);
  if (!given.length) return fail2("missing required argument 'adapter' (see --help)");
  let adapters: string[];
  let multi: boolean;
  try {
    ({ adapters, multi } = expandAdapters(given));
  } catch (e) {
    if (e instanceof AdapterError) return fail2(e.problems.join('\nadapter-hammer: '));
    throw e;
  }
  // The config's `args` are defaults for what follows `--`.
  const args: AdapterArgs = config?.args
    ? ({ ...config.args, ...adapterArgs, _: adapterArgs._.length ? adapterArgs._ : ((config.args._ as AdapterArgs['_'] | undefined) ?? []) } as AdapterArgs)
    : adapterArgs;
  const jsonToStdout = opts.json === '-';
  // Several adapters (or a directory): each is run in turn; one that cannot start is reported, not fatal.
  const entries: (Report | StartFailure)[] = [];
  const t0 = performance.now();
  for (const adapter of adapters) {
    try {
      const loaded = await loadAdapter(adapter);
      const limits = adapterLimits(loaded, adapter);
      const input = toPlanInput(adapter, opts, args, jsonToStdout);
      const plan = makePlan({
        ...input,
        timeoutMs: input.timeoutMs ?? limits.timeoutMs,
        resourceLimits: mergeResourceLimits(limits.resourceLimits, opts.maxOldSpace),
      });
      const control = new RunControl();
      // Live progress line on stderr (TTY only, not with --json -); cleared before anything else prints.
      const progress = createProgress({ jsonToStdout });
      const onSignal = (sig: 'SIGINT' | 'SIGTERM') => () => {
        if (control.signal) process.exit(sig === 'SIGINT' ? 130 : 143); // second signal: leave now
        progress.stop();
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
        report = await runPlan(plan, { control, loaded, progress: (p) => progress.update(p) });
      } finally {
        progress.stop();
        process.stdout.write = realStdoutWrite;
        process.off('SIGINT', sigint);
        process.off('SIGTERM', sigterm);
      }
      const term = terminalOut(opts);
      term.stream.write(renderTerminal(report, term.level));
      entries.push(report);
      if (report.interrupted) break;
    } catch (e) {
      if (e instanceof AdapterError) {
        if (!multi) return fail2(e.problems.join('\nadapter-hammer: '));
        process.stderr.write(`adapter-hammer: could not start ${adapter}: ${e.problems.join('; ')}\n`);
        entries.push(startFailure(adapter, e.problems));
        continue;
      }
      if (e instanceof UsageError) return fail2(e.message);
      throw e;
    }
  }
  const result = multi ? combineReports(entries, performance.now() - t0) : (entries[0] as Report);
  return writeOutputs(result, opts);
}
