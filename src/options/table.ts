// Every option of a run, declared once. Commander's options (cli/program.ts), hammer()'s validation and
// the config file's (options/validate.ts), the plan's defaults (plan/plan.ts), the report's `config` and
// the replay command (plan/replay.ts) are all derived from this table: adding an option is one entry
// here plus its use.

export const STRATEGIES = ['hammer', 'race', 'throughput'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** The values of the run options of the table, as a plan holds them (keys are the table's `key`s). */
export interface RunSettings {
  strategies: StrategyName[];
  workers: number;
  concurrency: number;
  requests: number;
  iterations: number;
  rounds: number;
  /** Seconds per measured throughput point. */
  duration: number;
  /** --min-ops: the throughput strategy fails when calls/s at --workers is below this. */
  minOps?: number;
  seed: number;
  timeoutMs: number;
  /** --max-old-space: heap limit of each worker in MB, on top of the adapter's resourceLimits. */
  maxOldSpace?: number;
  /** --time: the whole adapter's run, hooks included, in ms; the counts are upper bounds within it. */
  budgetMs: number;
  /** --ops: only these operations are called (the others weigh 0). */
  ops?: string[];
  strict: boolean;
  /** --shard k/N: this job plays the race rounds r with r % N === k - 1 (plan/shard.ts). */
  shard?: Shard;
  /** --scheduler: how race rounds are controlled (docs/guides/controlled-interleavings.md): mixed, random, pct[:d] or off. */
  scheduler: string;
  /** --schedule: replay one race round's schedules, `<round>:<worker 0's>,<worker 1's>,...`. */
  schedule?: string;
  /** --instrument: globs of further files whose awaits are scheduling points (node_modules included). */
  instrument?: string[];
}

/** One of N shards of a run (`--shard k/N`), 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The settings an adapter may give its own defaults for (fields of the adapter), which hammer() also
 * takes as options (the option wins). Their rules are the table's entries with an `adapterField`.
 */
export interface RunDefaults {
  /** Worker threads (`--workers`). */
  workers?: number;
  /** Calls in flight per worker, as async lanes (`--concurrency`). */
  concurrency?: number;
  /** Total calls of the hammer strategy (`--requests`), an upper bound within the budget. */
  requests?: number;
  /** Calls per worker per round of the race strategy (`--iterations`). */
  iterations?: number;
  /** Rounds of the race strategy (`--rounds`), an upper bound within the budget. */
  rounds?: number;
  /** Seconds per measured point of the throughput strategy (`--duration`), an upper bound within the budget. */
  duration?: number;
  /** A call or hook not settled after this many ms is a hang (`--timeout`). */
  timeout?: number;
  /** Time budget of a whole run, hooks included (`--time`): `'90s'`, `'2m'`, or seconds. */
  time?: string | number;
}

/** What the machine and the environment say, read once when a plan is made (recorded in the report). */
export interface PlanEnvironment {
  /** CPUs available to this process (`ADAPTER_HAMMER_CORES` overrides it, e.g. to test a big machine's defaults). */
  cores: number;
  /** Pin each worker to its own CPU (Linux, `taskset`); `ADAPTER_HAMMER_AFFINITY=0` turns it off. */
  pinCpus: boolean;
  /** Budget of the smallest-failing-setup search, ms (`ADAPTER_HAMMER_SHRINK_MS`, 0 = off). */
  shrinkMs: number;
  /** Most race rounds in one exchange with the workers (`ADAPTER_HAMMER_BATCH`, 1 = one round per message). */
  batch: number;
  /** This machine's name: a merged report keeps throughput per machine, never averaged across machines. */
  hostname?: string;
}

/**
 * How a value is read and checked:
 * - count: a whole number from 1 to `max`;
 * - positive: a number above 0;
 * - seed: a whole number from 0 to 2^32-1;
 * - strategies: a non-empty list of STRATEGIES (a comma list on the command line, an array in the API);
 * - flag: a boolean switch;
 * - path: a file path (outputs only);
 * - duration: a time span, `90s`, `2m`, `1500ms` or a number of seconds (the plan holds milliseconds);
 * - names: a non-empty list of names (operations of the adapter, checked when it is loaded);
 * - shard: `k/N` with 1 <= k <= N (the plan holds `{ index: k, count: N }`);
 * - scheduler: SCHEDULER_MODE; schedule: SCHEDULE_VALUE.
 */
export type OptionKind = 'count' | 'positive' | 'seed' | 'strategies' | 'flag' | 'path' | 'duration' | 'names' | 'shard' | 'scheduler' | 'schedule';

/** --scheduler's values: both strategies in turn, one of them (PCT with an optional depth), or none. */
export const SCHEDULER_MODE = /^(mixed|random|off|pct(:[1-9]\d?)?)$/;
/** --schedule's shape: a round, then one schedule per worker (each checked in full by the plan). */
export const SCHEDULE_VALUE = /^\d+:[0-9a-z.-]+(,[0-9a-z.-]+)*$/;

export interface OptionSpec {
  /** The plan's and the report `config`'s field. */
  key: string;
  /** Long flag name; the API's and the config file's key is its camelCase (`--min-ops` -> `minOps`). */
  long: string;
  short?: string;
  /** Placeholder of the value in --help (`<n>`); absent for flags. */
  value?: string;
  kind: OptionKind;
  /** Upper bound of a count. */
  max?: number;
  help: string;
  /** Default, computed when the plan is made; absent: the option is unset unless given. */
  default?: (env: PlanEnvironment) => unknown;
  /** How --help shows the default, when it is not simply the value. */
  defaultHelp?: string;
  /** The adapter may set its own default in this field (the flag or API option wins); counts and the budget all can. */
  adapterField?: string;
  /** `run`: part of the plan, the report's config and the replay; `output`: where the reports go. */
  scope: 'run' | 'output';
  /** Replayed only when this strategy runs (its figures mean nothing to the others). */
  replayWhen?: StrategyName;
  /** A negated boolean (`--no-color`): the option's value is true unless the flag is given. */
  negate?: boolean;
}

export const SEED_MAX = 2 ** 32 - 1;

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'strategies',
    long: 'strategy',
    short: 's',
    value: '<list>',
    kind: 'strategies',
    scope: 'run',
    help: `comma list of ${STRATEGIES.join(', ')}`,
    default: () => [...STRATEGIES],
    defaultHelp: 'all three',
  },
  {
    key: 'workers',
    long: 'workers',
    short: 'w',
    value: '<n>',
    kind: 'count',
    max: 256,
    scope: 'run',
    help: 'worker threads',
    default: (env) => Math.min(8, Math.max(2, env.cores)),
    defaultHelp: "the adapter's `workers`, else this machine's cores, 2 to 8",
    adapterField: 'workers',
  },
  {
    key: 'concurrency',
    long: 'concurrency',
    short: 'c',
    value: '<n>',
    kind: 'count',
    max: 10_000,
    scope: 'run',
    help: 'calls in flight per worker, as async lanes',
    default: () => 8,
    adapterField: 'concurrency',
  },
  {
    key: 'requests',
    long: 'requests',
    short: 'n',
    value: '<n>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'total calls of the hammer strategy',
    default: () => 20_000,
    defaultHelp: '20000; 2000 for an adapter with a model',
    adapterField: 'requests',
    replayWhen: 'hammer',
  },
  {
    key: 'iterations',
    long: 'iterations',
    short: 'i',
    value: '<n>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'calls per worker per round of the race strategy',
    default: () => 100,
    defaultHelp: '100; 20 for an adapter with a model',
    adapterField: 'iterations',
    replayWhen: 'race',
  },
  {
    key: 'rounds',
    long: 'rounds',
    short: 'r',
    value: '<n>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'rounds of the race strategy',
    default: () => 2_000,
    adapterField: 'rounds',
    replayWhen: 'race',
  },
  {
    key: 'duration',
    long: 'duration',
    short: 'd',
    value: '<s>',
    kind: 'positive',
    scope: 'run',
    help: 'seconds per measured point of the throughput strategy',
    default: () => 1,
    adapterField: 'duration',
    replayWhen: 'throughput',
  },
  {
    key: 'minOps',
    long: 'min-ops',
    value: '<n>',
    kind: 'positive',
    scope: 'run',
    help: 'throughput strategy fails when calls/s at --workers is below this (a CI gate)',
    replayWhen: 'throughput',
  },
  {
    key: 'ops',
    long: 'ops',
    value: '<list>',
    kind: 'names',
    scope: 'run',
    help: 'call only these operations (comma list), e.g. the smallest failing scenario a replay command names',
    defaultHelp: 'every operation',
  },
  { key: 'seed', long: 'seed', value: '<n>', kind: 'seed', scope: 'run', help: 'seed for every PRNG', defaultHelp: 'random, printed in the report' },
  {
    key: 'timeoutMs',
    long: 'timeout',
    value: '<ms>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'a call or hook not settled after this long is a hang',
    default: () => 5_000,
    defaultHelp: "the adapter's `timeout`, else 5000",
    adapterField: 'timeout',
  },
  {
    key: 'budgetMs',
    long: 'time',
    value: '<duration>',
    kind: 'duration',
    scope: 'run',
    help: 'time budget of a whole adapter run, hooks included (90s, 2m); each strategy gets a share and the counts above become upper bounds',
    default: () => '20s',
    defaultHelp: "the adapter's `time`, else 20s",
    adapterField: 'time',
  },
  {
    key: 'maxOldSpace',
    long: 'max-old-space',
    value: '<mb>',
    kind: 'count',
    max: 1_000_000,
    scope: 'run',
    help: "heap limit of each worker thread in MB (on top of the adapter's `resourceLimits`): a leaking adapter crashes its worker (out of memory) instead of the machine",
  },
  {
    key: 'shard',
    long: 'shard',
    value: '<k/N>',
    kind: 'shard',
    max: 10_000,
    scope: 'run',
    help: 'play shard k of N of the run (with --seed): race rounds r with r % N = k-1, and every Nth adapter of several; `adapter-hammer merge` adds the shards up',
  },
  {
    key: 'scheduler',
    long: 'scheduler',
    value: '<mode>',
    kind: 'scheduler',
    scope: 'run',
    help: "every other race round runs each worker's lanes under a seeded scheduler that controls every await of your code: mixed (random walk and PCT in turn), random, pct[:depth], or off",
    default: () => 'mixed',
    replayWhen: 'race',
  },
  {
    key: 'schedule',
    long: 'schedule',
    value: '<round:list>',
    kind: 'schedule',
    scope: 'run',
    help: "replay a failing controlled round exactly: every race round repeats that round's calls under these schedules (the report prints the value)",
    replayWhen: 'race',
  },
  {
    key: 'instrument',
    long: 'instrument',
    value: '<globs>',
    kind: 'names',
    scope: 'run',
    help: 'comma list of globs of further files whose awaits the scheduler controls, e.g. node_modules/my-db/** (your own files always are)',
    defaultHelp: "the adapter's directory and the working directory, outside node_modules",
    replayWhen: 'race',
  },
  { key: 'strict', long: 'strict', kind: 'flag', scope: 'run', help: 'warnings fail the run too', default: () => false },
  {
    key: 'json',
    long: 'json',
    value: '<file>',
    kind: 'path',
    scope: 'output',
    help: "write the JSON report to a file ('-' for stdout; the terminal report then goes to stderr)",
  },
  {
    key: 'junit',
    long: 'junit',
    value: '<file>',
    kind: 'path',
    scope: 'output',
    help: 'write a JUnit XML report (testsuite per adapter, testcase per strategy)',
  },
  { key: 'color', long: 'color', kind: 'flag', negate: true, scope: 'output', help: 'no colour (also: NO_COLOR, FORCE_COLOR)' },
];

/** `--min-ops` -> `minOps`: the API's and the config file's name of an option. */
export const apiName = (o: OptionSpec): string => o.long.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

export const RUN_OPTIONS = OPTIONS.filter((o) => o.scope === 'run');

export function optionByKey(key: string): OptionSpec {
  const o = OPTIONS.find((x) => x.key === key);
  if (!o) throw new Error(`no option '${key}'`);
  return o;
}
