// The command line's definition, built from the option table (src/options/table.ts). Commander names
// each parsed option by the camelCase of its long flag, which is also the API's and the config file's
// name, so the parsed options go straight into the plan (options/validate.ts: planFieldsOf).
import { Command, CommanderError, InvalidArgumentError, Option as CommanderOption } from 'commander';
import yargsParser from 'yargs-parser';
import type { AdapterArgs } from '../adapter/types.js';
import { OPTIONS, shownDefault, type Option } from '../options/table.js';
import { parseText } from '../options/validate.js';

export function toCommander(o: Option): CommanderOption {
  const flags = `${o.short ? `-${o.short}, ` : ''}--${o.negate ? 'no-' : ''}${o.long}${o.value ? ` ${o.value}` : ''}`;
  const defaultText = shownDefault(o);
  const option = new CommanderOption(flags, o.help + (defaultText ? ` (default: ${defaultText})` : ''));
  if (o.value && o.kind !== 'path') {
    option.argParser((text: string) => {
      try {
        return parseText(o, text);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
    });
  }
  return option;
}

/** `--no-strict` for `--strict`, `--color` for `--no-color`. */
function oppositeOf(o: Option): CommanderOption {
  return o.negate
    ? new CommanderOption(`--${o.long}`, `undo --no-${o.long} of a config file ("${o.name}": false)`)
    : new CommanderOption(`--no-${o.long}`, `undo --${o.long} of a config file ("${o.name}": true)`);
}

export function buildProgram(version: string): Command {
  const program = new Command('adapter-hammer');
  program
    .description('Hammer an adapter module from many worker threads and async lanes, and report race conditions.')
    .version(version, '-V, --version')
    .argument(
      '[adapter...]',
      'adapter modules (.js, .mjs, .cjs, .ts, .mts, .cts) or directories of them (default: "adapters" of adapter-hammer.config.json/.mjs)',
    );
  for (const o of OPTIONS) {
    program.addOption(toCommander(o));
    // A flag's opposite: a config file's flags come first on the command line and the last one given
    // wins, so without it a config's `"strict": true` could not be undone for one run.
    if (o.kind === 'flag') program.addOption(oppositeOf(o));
  }
  return program
    .addHelpText(
      'after',
      "\nArguments after `--` are parsed by yargs-parser and passed to the adapter's setup() and init() as `args`.\n`adapter-hammer init <module>` writes a first adapter for a module (see init --help).\n`adapter-hammer merge <reports...>` merges the JSON reports of --shard k/N runs (see merge --help).\nExit codes: 0 every strategy passed, 1 a strategy failed, 2 the run could not start.",
    )
    .showHelpAfterError(false)
    .exitOverride();
}

/** Split argv at the first `--`: what follows belongs to the adapter. */
export function splitArgv(argv: string[]): { own: string[]; adapterArgs: AdapterArgs } {
  const i = argv.indexOf('--');
  if (i < 0) return { own: argv, adapterArgs: { _: [] } };
  return { own: argv.slice(0, i), adapterArgs: yargsParser(argv.slice(i + 1)) };
}

/**
 * Parse a subcommand's argv (`merge`, `init`): null when it parsed; else its exit code, 0 after --help,
 * 2 after commander's one-line error (written by `fail2`, prefixed with the subcommand's name).
 */
export function parseSubcommand(
  program: Command,
  argv: string[],
  name: string,
  fail2: (message: string) => number,
  commanderLine: (written: string, e: CommanderError) => string,
): number | null {
  let err = '';
  program.configureOutput({ writeErr: (s) => (err += s), writeOut: (s) => process.stdout.write(s) });
  try {
    program.parse(argv, { from: 'user' });
    return null;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.exitCode === 0) return 0;
    return fail2(`${name}: ${commanderLine(err, e)} (see ${name} --help)`);
  }
}
