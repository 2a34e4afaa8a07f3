// The CLI: parse, load the adapter (problems exit 2), run, render, exit 0/1 (130/143 on signals).
import { CommanderError } from 'commander';
import { loadAdapter } from '../adapter/load.js';
import type { LoadedAdapter } from '../adapter/types.js';
import type { AdapterArgs } from '../adapter/types.js';
import { AdapterError, OptionError, UsageError } from '../errors.js';
import type { CliOptions, Shard } from '../options/table.js';
import { combinationProblem, planFieldsOf } from '../options/validate.js';
import { adaptersOfShard } from '../plan/shard.js';
import { makePlan, type RunPlan } from '../plan/plan.js';
import type { RunReport, StartFailure } from '../schema/report.js';
import { createProgress } from '../reporters/progress.js';
import { renderTerminal } from '../reporters/terminal/index.js';
import { combineReports, startFailure } from '../run/multi.js';
import { runPlan } from '../run/run.js';
import { TOOL } from '../tool.js';
import { expandAdapters } from './adapters.js';
import { initMain } from './init.js';
import { mergeMain } from './merge.js';
import { findConfig, loadConfig, type LoadedConfig } from './config.js';
import { terminalOut, writeOutputs, type OutputOptions } from './output.js';
import { buildProgram, splitArgv } from './program.js';

const fail2 = (message: string): number => {
  process.stderr.write(`adapter-hammer: ${message}\n`);
  return 2;
};

/** Commander's own message (already one line, "error: ..."), without its prefix. */
const commanderLine = (written: string, e: CommanderError): string =>
  written
    .trim()
    .split('\n')[0]
    ?.replace(/^error: /, '') || e.message.replace(/^error: /, '');

/** Run one adapter with Ctrl-C / SIGTERM wired to the run's signal; a second signal leaves at once. */
async function runOne(plan: RunPlan, loaded: LoadedAdapter, jsonToStdout: boolean): Promise<RunReport> {
  const abort = new AbortController();
  // Live progress line on stderr (TTY only, not with --json -); cleared before anything else prints.
  const progress = createProgress({ jsonToStdout });
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => (): void => {
    if (abort.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143); // second signal: leave now
    progress.stop();
    process.stderr.write(`\nadapter-hammer: ${sig} — stopping workers, writing a partial report…\n`);
    abort.abort(sig);
  };
  const sigint = onSignal('SIGINT');
  const sigterm = onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  // Adapter hooks printing to stdout must not corrupt a JSON report there.
  const realStdoutWrite = process.stdout.write.bind(process.stdout);
  if (jsonToStdout) process.stdout.write = process.stderr.write.bind(process.stderr);
  try {
    return await runPlan(plan, { loaded, signal: abort.signal, progress: (p) => progress.update(p) });
  } finally {
    progress.stop();
    process.stdout.write = realStdoutWrite;
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return mergeMain(argv.slice(1), fail2, commanderLine);
  if (argv[0] === 'init') return initMain(argv.slice(1), fail2, commanderLine);
  const { own, adapterArgs } = splitArgv(argv);
  const program = buildProgram(TOOL.version);
  let stderrBuf = '';
  program.configureOutput({ writeErr: (s) => (stderrBuf += s), writeOut: (s) => process.stdout.write(s) });
  // adapter-hammer.config.json/.mjs: its options are parsed first, so the command line's win.
  let config: LoadedConfig | null = null;
  try {
    const configFile = findConfig();
    if (configFile) config = await loadConfig(configFile);
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
      return fail2(`${commanderLine(stderrBuf, e)} (see --help)`);
    }
    throw e;
  }
  // Commander's parsed values, named and typed by the table (a shard is parsed into { index, count }).
  const opts = program.opts<CliOptions>();
  const outputs: OutputOptions = opts;
  const combination = combinationProblem(opts);
  if (combination) return fail2(combination);
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
    ? { ...config.args, ...adapterArgs, _: adapterArgs._.length ? adapterArgs._ : ((config.args._ as AdapterArgs['_'] | undefined) ?? []) }
    : adapterArgs;
  const jsonToStdout = outputs.json === '-';
  // Several adapters (or a directory): each is run in turn; one that cannot start is reported, not fatal.
  const entries: (RunReport | StartFailure)[] = [];
  const t0 = performance.now();
  // --shard k/N: this job's adapters, and which of their race rounds (plan/shard.ts).
  const shard = opts.shard as Shard | undefined;
  for (const { adapter, rounds } of adaptersOfShard(adapters, shard)) {
    try {
      const loaded = await loadAdapter(adapter);
      const fields = { ...planFieldsOf(opts), shard: rounds.count > 1 ? rounds : undefined };
      const plan = makePlan({ ...fields, adapter, args, quietStdout: jsonToStdout }, loaded);
      const report = await runOne(plan, loaded, jsonToStdout);
      const term = terminalOut(outputs);
      term.stream.write(renderTerminal(report, term.level, term.stream.columns || 120));
      entries.push(report);
      if (report.interrupted) break;
    } catch (e) {
      // An option that does not fit this adapter (--ops naming no operation of it) is its problem too.
      const problems = e instanceof AdapterError ? e.problems : e instanceof OptionError ? [`${adapter}: ${e.message.replace(/^adapter-hammer: /, '')}`] : null;
      if (problems) {
        if (!multi) return fail2(problems.join('\nadapter-hammer: '));
        process.stderr.write(`adapter-hammer: could not start ${adapter}: ${problems.join('; ')}\n`);
        entries.push(startFailure(adapter, problems));
        continue;
      }
      throw e;
    }
  }
  const result = multi ? combineReports(entries, performance.now() - t0, shard && { ...shard, adapters }) : (entries[0] as RunReport);
  return writeOutputs(result, outputs);
}
