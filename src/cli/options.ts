// Command-line definition (commander) and its translation into a run plan. Every usage problem is
// a UsageError: one line, exit code 2.
import { Command, InvalidArgumentError, Option } from 'commander';
import yargsParser from 'yargs-parser';
import type { AdapterArgs } from '../adapter/types.js';
import { COUNT_MAX, DEFAULTS, STRATEGIES, countProblem, positiveProblem, seedProblem, strategiesProblem, type PlanInput, type StrategyName } from '../run/plan.js';

export class UsageError extends Error {}

/** Commander argument parsers: the string's form here, the value's rules in run/plan.ts (shared with the API). */
function fail(problem: string | null): void {
  if (problem) throw new InvalidArgumentError(problem);
}

function positiveInt(name: keyof typeof COUNT_MAX) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    fail(countProblem(name, n, value));
    return n;
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = value.trim() === '' ? NaN : Number(value);
    fail(positiveProblem(name, n, value));
    return n;
  };
}

function seedValue(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  fail(seedProblem(n, value));
  return n;
}

export function strategyList(value: string): StrategyName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  fail(strategiesProblem(names));
  return [...new Set(names)] as StrategyName[];
}

export interface CliOptions {
  workers?: number;
  concurrency?: number;
  requests?: number;
  iterations?: number;
  rounds?: number;
  duration?: number;
  minOps?: number;
  strategy?: StrategyName[];
  seed?: number;
  timeout?: number;
  maxOldSpace?: number;
  json?: string;
  junit?: string;
  strict?: boolean;
  color?: boolean;
}

export function buildProgram(version: string): Command {
  const program = new Command('adapter-hammer');
  program
    .description('Hammer an adapter module from many worker threads and async lanes, and report race conditions.')
    .version(version, '-V, --version')
    .argument('[adapter...]', 'adapter modules (.js, .mjs, .cjs, .ts, .mts, .cts) or directories of them (default: "adapters" of adapter-hammer.config.json/.mjs)')
    .option('-w, --workers <n>', `worker threads (default: ${DEFAULTS.workers}, this machine's cores)`, positiveInt('workers'))
    .option('-c, --concurrency <n>', `calls in flight per worker, as async lanes (default: ${DEFAULTS.concurrency})`, positiveInt('concurrency'))
    .option('-n, --requests <n>', `total calls of the hammer strategy (default: ${DEFAULTS.requests})`, positiveInt('requests'))
    .option('-i, --iterations <n>', `calls per worker per round of the race strategy (default: ${DEFAULTS.iterations})`, positiveInt('iterations'))
    .option('-r, --rounds <n>', `rounds of the race strategy (default: ${DEFAULTS.rounds})`, positiveInt('rounds'))
    .option('-d, --duration <s>', `seconds per measured point of the throughput strategy (default: ${DEFAULTS.duration})`, positiveNumber('duration'))
    .option('--min-ops <n>', 'throughput strategy fails when calls/s at --workers is below this (a CI gate)', positiveNumber('min-ops'))
    .option('-s, --strategy <list>', `comma list of ${STRATEGIES.join(', ')} (default: all three)`, strategyList)
    .option('--seed <n>', 'seed for every PRNG (default: random, printed in the report)', seedValue)
    .option('--timeout <ms>', `a call or hook not settled after this long is a hang (default: ${DEFAULTS.timeoutMs})`, positiveInt('timeout'))
    .option('--max-old-space <mb>', 'heap limit of each worker thread in MB: a leaking adapter crashes its worker (out of memory) instead of the machine', positiveInt('max-old-space'))
    .option('--json <file>', "write the JSON report to a file ('-' for stdout; the terminal report then goes to stderr)")
    .option('--junit <file>', 'write a JUnit XML report (testsuite per adapter, testcase per strategy)')
    .option('--strict', 'warnings fail the run too')
    .addOption(new Option('--no-color', 'no colour (also: NO_COLOR, FORCE_COLOR)'))
    .addHelpText('after', '\nArguments after `--` are parsed by yargs-parser and passed to the adapter\'s setup() and init() as `args`.\nExit codes: 0 every strategy passed, 1 a strategy failed, 2 the run could not start.')
    .showHelpAfterError(false)
    .exitOverride();
  return program;
}

/** Split argv at the first `--`: what follows belongs to the adapter. */
export function splitArgv(argv: string[]): { own: string[]; adapterArgs: AdapterArgs } {
  const i = argv.indexOf('--');
  if (i < 0) return { own: argv, adapterArgs: { _: [] } };
  return { own: argv.slice(0, i), adapterArgs: yargsParser(argv.slice(i + 1)) as AdapterArgs };
}

export function toPlanInput(adapter: string, o: CliOptions, args: AdapterArgs, quietStdout: boolean): PlanInput {
  return {
    adapter,
    strategies: o.strategy,
    workers: o.workers,
    concurrency: o.concurrency,
    requests: o.requests,
    iterations: o.iterations,
    rounds: o.rounds,
    duration: o.duration,
    minOps: o.minOps,
    seed: o.seed,
    timeoutMs: o.timeout,
    strict: o.strict ?? false,
    args,
    quietStdout,
  };
}
