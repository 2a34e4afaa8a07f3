// Programmatic API: `await hammer('./adapter.mjs', { strategy: ['hammer'] })` returns the report object
// the JSON reporter writes. It never calls process.exit and prints nothing unless asked (`print`).
import yargsParser from 'yargs-parser';
import { loadAdapter } from './adapter/load.js';
import type { AdapterArgs } from './adapter/types.js';
import { colorLevel } from './report/color.js';
import { renderTerminal } from './report/terminal/index.js';
import type { Report } from './report/types.js';
import { countProblem, makePlan, positiveProblem, seedProblem, STRATEGIES, strategiesProblem, type StrategyName } from './run/plan.js';
import { RunControl, runPlan } from './run/run.js';
import type { Progress } from './strategies/context.js';

export interface HammerOptions {
  /** Worker threads (`--workers`). */
  workers?: number;
  /** Calls in flight per worker, as async lanes (`--concurrency`). */
  concurrency?: number;
  /** Total calls of the hammer strategy (`--requests`). */
  requests?: number;
  /** Calls per worker per round of the race strategy (`--iterations`). */
  iterations?: number;
  /** Rounds of the race strategy (`--rounds`). */
  rounds?: number;
  /** Seconds per measured point of the throughput strategy (`--duration`). */
  duration?: number;
  /** Strategies to run, in order (`--strategy`); default all three. */
  strategy?: StrategyName[];
  /** Seed for every PRNG (`--seed`); default random, returned in `report.seed`. */
  seed?: number;
  /** A call or hook not settled after this many ms is a hang (`--timeout`). */
  timeout?: number;
  /** Warnings fail the run too (`--strict`). */
  strict?: boolean;
  /** What the adapter's setup()/init() receive as `args`: an object, or an argv array parsed by yargs-parser. */
  args?: Record<string, unknown> | string[];
  /** Stops the run like Ctrl-C: the promise resolves with a partial report (`interrupted: true`). */
  signal?: AbortSignal;
  /** Print the terminal report: `true` for stdout, or a stream. Default: print nothing. */
  print?: boolean | NodeJS.WritableStream;
  /** Colour when printing (default: only on a TTY, honouring NO_COLOR/FORCE_COLOR). */
  color?: boolean;
  /** Progress callback (strategy phases, rounds done). */
  progress?: (p: Progress) => void;
  /** Directory the adapter path is resolved against (default: process.cwd()). */
  cwd?: string;
}

function check(problem: string | null): void {
  if (problem) throw new TypeError(`adapter-hammer: option ${problem}`);
}

/** The same rules as the command line's (run/plan.ts), so both accept exactly the same values. */
function validate(o: HammerOptions): void {
  for (const k of ['workers', 'concurrency', 'requests', 'iterations', 'rounds', 'timeout'] as const) {
    if (o[k] !== undefined) check(countProblem(k, o[k] as number));
  }
  if (o.duration !== undefined) check(positiveProblem('duration', o.duration));
  if (o.seed !== undefined) check(seedProblem(o.seed));
  if (o.strategy !== undefined) check(Array.isArray(o.strategy) ? strategiesProblem(o.strategy) : `strategy must be an array of ${STRATEGIES.join(', ')}`);
}

function toArgs(args: HammerOptions['args']): AdapterArgs {
  if (args === undefined) return { _: [] };
  if (Array.isArray(args)) return yargsParser(args) as AdapterArgs;
  return { _: [], ...args } as AdapterArgs;
}

/**
 * Hammer one adapter and return its report (the object `--json` writes). Rejects with AdapterError when
 * the adapter cannot start (missing file, syntax error, no operations); a failing adapter resolves with
 * `verdict: 'fail'`.
 */
export async function hammer(adapterPath: string, options: HammerOptions = {}): Promise<Report> {
  validate(options);
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadAdapter(adapterPath, cwd);
  const plan = makePlan({
    adapter: adapterPath,
    strategies: options.strategy ? [...new Set(options.strategy)] : undefined,
    workers: options.workers,
    concurrency: options.concurrency,
    requests: options.requests,
    iterations: options.iterations,
    rounds: options.rounds,
    duration: options.duration,
    seed: options.seed,
    timeoutMs: options.timeout,
    strict: options.strict ?? false,
    args: toArgs(options.args),
    quietStdout: false,
  });
  const control = new RunControl();
  const onAbort = () => control.interrupt('SIGINT');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let report: Report;
  try {
    report = await runPlan(plan, { control, loaded, progress: options.progress });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (options.print) {
    const stream = options.print === true ? process.stdout : options.print;
    const isTTY = (stream as { isTTY?: boolean }).isTTY;
    stream.write(renderTerminal(report, colorLevel({ color: options.color, isTTY, stream: stream === process.stderr ? 'stderr' : 'stdout' })));
  }
  return report;
}
