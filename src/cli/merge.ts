// `adapter-hammer merge <reports...>`: read shard reports, merge them (src/merge/), render the merged
// report with every reporter, exit with its code. Reports that are not shards of one run exit 2.
import { Command, type CommanderError } from 'commander';
import { UsageError } from '../errors.js';
import { mergeReports, type ShardFile } from '../merge/merge.js';
import { OPTIONS } from '../options/table.js';
import { combinationProblem } from '../options/validate.js';
import { entriesOf, isStartFailure } from '../schema/report.js';
import { renderTerminal } from '../reporters/terminal/index.js';
import { terminalOut, writeOutputs, type OutputOptions } from './output.js';
import { parseSubcommand, toCommander } from './program.js';
import { readJsonFile } from './config.js';

function buildMergeProgram(): Command {
  const program = new Command('adapter-hammer merge')
    .description('Merge the JSON reports of the shards of one run (--shard k/N --json) into one report, verdict and exit code.')
    .argument('<reports...>', 'JSON report files, one per shard')
    .addHelpText('after', '\nExit codes: 0 the merged run passed, 1 it failed (or shards are missing), 2 the reports are not the shards of one run.')
    .showHelpAfterError(false)
    .exitOverride();
  for (const o of OPTIONS) if (o.scope === 'output') program.addOption(toCommander(o));
  return program;
}

function readShard(file: string): ShardFile {
  return { file, json: readJsonFile(file) };
}

/** Returns the exit code; `fail2` prints one line and returns 2. */
export function mergeMain(argv: string[], fail2: (message: string) => number, commanderLine: (written: string, e: CommanderError) => string): number {
  const program = buildMergeProgram();
  const parsed = parseSubcommand(program, argv, 'merge', fail2, commanderLine);
  if (parsed !== null) return parsed;
  const outputs = program.opts<OutputOptions>();
  const combination = combinationProblem(outputs);
  if (combination) return fail2(`merge: ${combination}`);
  let merged;
  try {
    merged = mergeReports(program.args.map(readShard));
  } catch (e) {
    if (e instanceof UsageError) return fail2(`merge: ${e.message}`);
    throw e;
  }
  const term = terminalOut(outputs);
  for (const r of entriesOf(merged)) if (!isStartFailure(r)) term.stream.write(renderTerminal(r, term.level));
  return writeOutputs(merged, outputs);
}
