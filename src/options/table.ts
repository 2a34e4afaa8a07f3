// Every option of a run, declared once. `RunOptions` and `OutputOptions` declare each option's name and
// value type; `OPTION_TABLE` gives each of them its flag and rules, checked by the compiler against
// those types (OptionTable: a field without an entry, an entry without a field, or a kind that does not
// fit the field's type fails to compile, as vitest's CLIOptions<Config> does). Commander's options
// (cli/program.ts), hammer()'s types (api.ts) and validation, the config file's (cli/config.ts), the
// adapter's own defaults (RunDefaults), the plan's fields (RunSettings, plan/plan.ts), the report's
// `config`, the replay command (plan/replay.ts) and docs/reference/cli.md (options/reference.ts) are all
// derived from it: adding an option is a field, an entry, and its use.
import { randomInt } from 'node:crypto';

export const STRATEGIES = ['hammer', 'race', 'throughput'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** --scheduler's values: both strategies in turn, one of them (PCT with an optional depth), or none. */
export type SchedulerMode = 'mixed' | 'random' | 'pct' | `pct:${number}` | 'off';

/** One of N shards of a run (`--shard k/N`), 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The options of a run, named as hammer() and a config file name them: the camelCase of the long flag
 * (`--min-ops` -> `minOps`). Every field has exactly one entry in OPTION_TABLE.
 */
export interface RunOptions {
  /** Strategies to run, in order (`--strategy`); default all three. */
  strategy?: StrategyName[];
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
  /** The throughput strategy fails when calls/s at `workers` is below this (`--min-ops`). */
  minOps?: number;
  /** Call only these operations (`--ops`); the others weigh 0. */
  ops?: string[];
  /** Seed for every PRNG (`--seed`); default random, returned in `report.seed`. */
  seed?: number;
  /** A call or hook not settled after this many ms is a hang (`--timeout`). */
  timeout?: number;
  /** The deadline of `setup`, `init` and a server's start, ms (`--setup-timeout`): a cold database may take tens of seconds. */
  setupTimeout?: number;
  /** Time budget of a whole run, hooks included (`--time`): `'90s'`, `'2m'`, or seconds. */
  time?: string | number;
  /** Heap limit of each worker thread in MB (`--max-old-space`). */
  maxOldSpace?: number;
  /** Play shard k of N of the race rounds (`--shard`): `'2/3'` or `{ index: 2, count: 3 }`; needs `seed`. */
  shard?: string | Shard;
  /** Controlled race rounds (`--scheduler`): `'mixed'` (default), `'random'`, `'pct'`, `'pct:<depth>'` or `'off'`. */
  scheduler?: SchedulerMode;
  /** Replay a failing controlled round exactly (`--schedule`): the value `report.strategies[].schedule.value` gives; needs `seed`. */
  schedule?: string;
  /** Globs of further files whose awaits the scheduler controls (`--instrument`), e.g. `['node_modules/my-db/**']`. */
  instrument?: string[];
  /** Race rounds go on beyond `rounds` until this target is reached, within the budget (`--confidence`): `'1/5000@99%'` or `{ oneIn: 5000, probability: 0.99 }`. */
  confidence?: string | ConfidenceTarget;
  /** Warnings fail the run too (`--strict`). */
  strict?: boolean;
}

/** --confidence 1/5000@99%: play race rounds until a race showing in 1 of `oneIn` overlapping rounds would have been caught with `probability`. */
export interface ConfidenceTarget {
  oneIn: number;
  probability: number;
}

/** Where the reports go: the command line's and the config file's options that are not part of a run. */
export interface OutputOptions {
  /** Write the JSON report to this file (`--json`; `'-'` for stdout). */
  json?: string;
  /** Write a JUnit XML report to this file (`--junit`). */
  junit?: string;
  /** Write the report as one self-contained HTML page to this file (`--html`). */
  html?: string;
  /** Colour in the terminal report (`--no-color` sets it to false). */
  color?: boolean;
}

/**
 * hammer()'s own options, which the command line has not (`color` aside: the colour of what it prints).
 * Their types are ApiOnlyOptions (api.ts), which the compiler checks against this list.
 */
export const API_ONLY_NAMES = ['args', 'signal', 'print', 'color', 'progress', 'cwd'] as const;

/** Every option of the command line (and of the config file), by its API name. */
export type CliOptions = RunOptions & OutputOptions;

/** What the machine and the environment say, read once when a plan is made (recorded in the report). */
export interface PlanEnvironment {
  /** CPUs available to this process (`ADAPTER_HAMMER_CORES` overrides it, e.g. to test a big machine's defaults). */
  cores: number;
  /** Pin each worker to its own CPU (Linux, `taskset`); `ADAPTER_HAMMER_AFFINITY=0` turns it off. */
  pinCpus: boolean;
  /** `ADAPTER_HAMMER_AFFINITY=1`: pin even the workers of a database's clients. */
  pinAlways?: boolean;
  /** Why workers are not pinned though the environment allows it: the calls are a database's clients. */
  unpinned?: 'database';
  /** Budget of the smallest-failing-setup search, ms (`ADAPTER_HAMMER_SHRINK_MS`, 0 = off). */
  shrinkMs: number;
  /** Most race rounds in one exchange with the workers (`ADAPTER_HAMMER_BATCH`, 1 = one round per message). */
  batch: number;
  /** This machine's name: a merged report keeps throughput per machine, never averaged across machines. */
  hostname?: string;
  /** The Node.js version (`process.version`) and platform that ran it (the HTML page's environment). */
  node?: string;
  platform?: string;
  arch?: string;
}

/**
 * How a value is read and checked, and its type: `api` as hammer() and a config file give it, `plan` as
 * the plan and the report's `config` hold it.
 */
export interface KindValues {
  /** A whole number from 1 to `max`. */
  count: { api: number; plan: number };
  /** A number above 0. */
  positive: { api: number; plan: number };
  /** A whole number from 0 to 2^32-1. */
  seed: { api: number; plan: number };
  /** A non-empty list of STRATEGIES (a comma list on the command line). */
  strategies: { api: StrategyName[]; plan: StrategyName[] };
  /** A boolean switch. */
  flag: { api: boolean; plan: boolean };
  /** A file path (outputs only). */
  path: { api: string; plan: string };
  /** A time span, `90s`, `2m`, `1500ms` or a number of seconds; the plan holds milliseconds. */
  duration: { api: string | number; plan: number };
  /** A non-empty list of names (operations of the adapter are checked when it is loaded). */
  names: { api: string[]; plan: string[] };
  /** `k/N` with 1 <= k <= N (or that object); the plan holds `{ index: k, count: N }`. */
  shard: { api: string | Shard; plan: Shard };
  /** SCHEDULER_MODE. */
  scheduler: { api: SchedulerMode; plan: SchedulerMode };
  /** SCHEDULE_VALUE. */
  schedule: { api: string; plan: string };
  /** `1/<k>@<p>%`, e.g. 1/5000@99% (or that object); the plan holds `{ oneIn: k, probability: p }`. */
  confidence: { api: string | ConfidenceTarget; plan: ConfidenceTarget };
}
export type OptionKind = keyof KindValues;

/** --scheduler's values, as text. */
export const SCHEDULER_MODE = /^(mixed|random|off|pct(:[1-9]\d?)?)$/;
/** --schedule's shape: a round, then one schedule per worker (each checked in full by the plan). */
export const SCHEDULE_VALUE = /^\d+:[0-9a-z._-]+(,[0-9a-z._-]+)*$/;

export const SEED_MAX = 2 ** 32 - 1;

/** The rules of one option whose values are of kind K (a union of kinds: one of their specs). */
export type OptionSpec<K extends OptionKind = OptionKind> = K extends OptionKind ? SpecOf<K> : never;

type SpecOf<K extends OptionKind> = {
  kind: K;
  /** The plan's and the report `config`'s field, when it is not the option's name. */
  key?: string;
  short?: string;
  /** Upper bound of a count (and of a shard's N). */
  max?: number;
  help: string;
  /** Default, computed when the plan is made; absent: the option is unset unless given. */
  default?: (env: PlanEnvironment) => KindValues[K]['api'];
  /** How --help and the reference show the default, when it is not simply the value. */
  defaultHelp?: string;
  /** The adapter may give its own default in its field of the same name (the flag or API option wins). */
  adapter?: true;
  /** `run`: part of the plan, the report's config and the replay; `output`: where the reports go. */
  scope: 'run' | 'output';
  /** Replayed only when this strategy runs (its figures mean nothing to the others). */
  replayWhen?: StrategyName;
  /** An output option hammer() takes too (it writes that file). */
  api?: true;
  /** The replay command names it only when it differs from the default (it changes no call, only how long a start may take). */
  replayUnlessDefault?: boolean;
} & (K extends 'flag'
  ? {
      value?: never;
      /** A negated boolean (`--no-color`): the option's value is true unless the flag is given. */
      negate?: boolean;
    }
  : {
      /** Placeholder of the value in --help (`<n>`). */
      value: string;
      negate?: never;
    });

export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The kinds whose values are exactly of type V. */
export type KindsOf<V> = { [K in OptionKind]: Same<KindValues[K]['api'], V> extends true ? K : never }[OptionKind];

/**
 * Every field of T has an entry, of a kind whose values are the field's type; an entry without a field
 * is an excess property. (vitest: `CLIOptions<Config>` in packages/vitest/src/node/cli/cli-config.ts.)
 */
export type OptionTable<T> = { readonly [N in keyof T]-?: OptionSpec<KindsOf<NonNullable<T[N]>>> };

/** The table, in --help's, the reference's and the replay command's order. */
export const OPTION_TABLE = {
  strategy: {
    key: 'strategies',
    short: 's',
    value: '<list>',
    kind: 'strategies',
    scope: 'run',
    help: `comma list of ${STRATEGIES.join(', ')}`,
    default: () => [...STRATEGIES],
    defaultHelp: 'all three',
  },
  workers: {
    short: 'w',
    value: '<n>',
    kind: 'count',
    max: 256,
    scope: 'run',
    help: 'worker threads',
    default: (env) => Math.min(8, Math.max(2, env.cores)),
    defaultHelp: "the adapter's `workers`, else this machine's cores, 2 to 8",
    adapter: true,
  },
  concurrency: {
    short: 'c',
    value: '<n>',
    kind: 'count',
    max: 10_000,
    scope: 'run',
    help: 'calls in flight per worker, as async lanes',
    default: () => 8,
    adapter: true,
  },
  requests: {
    short: 'n',
    value: '<n>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'total calls of the hammer strategy',
    default: () => 20_000,
    defaultHelp: '20000; 2000 for an adapter with a model',
    adapter: true,
    replayWhen: 'hammer',
  },
  iterations: {
    short: 'i',
    value: '<n>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'calls per worker per round of the race strategy',
    default: () => 100,
    defaultHelp: '100; 20 for an adapter with a model',
    adapter: true,
    replayWhen: 'race',
  },
  rounds: {
    short: 'r',
    value: '<n>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'rounds of the race strategy',
    default: () => 2_000,
    adapter: true,
    replayWhen: 'race',
  },
  duration: {
    short: 'd',
    value: '<s>',
    kind: 'positive',
    scope: 'run',
    help: 'seconds per measured point of the throughput strategy',
    default: () => 1,
    adapter: true,
    replayWhen: 'throughput',
  },
  minOps: {
    value: '<n>',
    kind: 'positive',
    scope: 'run',
    help: 'throughput strategy fails when calls/s at --workers is below this (a CI gate)',
    replayWhen: 'throughput',
  },
  ops: {
    value: '<list>',
    kind: 'names',
    scope: 'run',
    help: 'call only these operations (comma list), e.g. the smallest failing scenario a replay command names',
    defaultHelp: 'every operation',
  },
  seed: {
    value: '<n>',
    kind: 'seed',
    scope: 'run',
    help: 'seed for every PRNG',
    default: () => randomInt(1, 2 ** 31 - 1),
    defaultHelp: 'random, printed in the report',
  },
  timeout: {
    key: 'timeoutMs',
    value: '<ms>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: 'a call or hook not settled after this long is a hang',
    default: () => 5_000,
    defaultHelp: "the adapter's `timeout`, else 5000",
    adapter: true,
  },
  setupTimeout: {
    key: 'setupTimeoutMs',
    value: '<ms>',
    kind: 'count',
    max: Number.MAX_SAFE_INTEGER,
    scope: 'run',
    help: "deadline of the hooks that prepare (setup, init, a server's start): a slow start is no hang of your code; a first round that cannot be set up in time exits 2",
    default: () => 60_000,
    defaultHelp: "the adapter's `setupTimeout`, else 60000",
    adapter: true,
    replayUnlessDefault: true,
  },
  time: {
    key: 'budgetMs',
    value: '<duration>',
    kind: 'duration',
    scope: 'run',
    help: 'time budget of a whole adapter run, hooks included but globalSetup and the first setup (a cold start; 90s, 2m); each strategy gets a share and the counts above become upper bounds',
    default: () => '20s',
    defaultHelp: "the adapter's `time`, else 20s",
    adapter: true,
  },
  maxOldSpace: {
    value: '<mb>',
    kind: 'count',
    max: 1_000_000,
    scope: 'run',
    help: "heap limit of each worker thread in MB (on top of the adapter's `resourceLimits`): a leaking adapter crashes its worker (out of memory) instead of the machine",
  },
  shard: {
    value: '<k/N>',
    kind: 'shard',
    max: 10_000,
    scope: 'run',
    help: 'play shard k of N of the run (with --seed): race rounds r with r % N = k-1, and every Nth adapter of several; `adapter-hammer merge` adds the shards up',
  },
  scheduler: {
    value: '<mode>',
    kind: 'scheduler',
    scope: 'run',
    help: "every other race round runs each worker's lanes under a seeded scheduler that controls every await of your code: mixed (random walk and PCT in turn), random, pct[:depth], or off",
    default: () => 'mixed',
    replayWhen: 'race',
  },
  schedule: {
    value: '<round:list>',
    kind: 'schedule',
    scope: 'run',
    help: "replay a failing controlled round exactly: every race round repeats that round's calls under these schedules (the report prints the value)",
    replayWhen: 'race',
  },
  instrument: {
    value: '<globs>',
    kind: 'names',
    scope: 'run',
    help: 'comma list of globs of further files whose awaits the scheduler controls, e.g. node_modules/my-db/** (your own files always are)',
    defaultHelp: "the adapter's directory and the working directory, outside node_modules",
    replayWhen: 'race',
  },
  confidence: {
    value: '<1/k@p%>',
    kind: 'confidence',
    scope: 'run',
    help: 'race rounds go on beyond --rounds (within --time) until a race showing in 1 of k overlapping rounds would have been caught with probability p, e.g. 1/5000@99%; not reached: a confidence-not-reached warning',
    replayWhen: 'race',
  },
  strict: { kind: 'flag', scope: 'run', help: 'warnings fail the run too', default: () => false },
  json: {
    value: '<file>',
    kind: 'path',
    scope: 'output',
    help: "write the JSON report to a file ('-' for stdout; the terminal report then goes to stderr)",
  },
  junit: {
    value: '<file>',
    kind: 'path',
    scope: 'output',
    help: 'write a JUnit XML report (testsuite per adapter, testcase per strategy)',
  },
  html: {
    value: '<file>',
    kind: 'path',
    scope: 'output',
    api: true,
    help: 'write the report as one self-contained HTML page (timelines of the failing rounds, charts; no network needed): a CI artifact to open',
  },
  color: { kind: 'flag', negate: true, scope: 'output', help: 'no colour (also: NO_COLOR, FORCE_COLOR)' },
} as const satisfies OptionTable<CliOptions>;

type Table = typeof OPTION_TABLE;
type NamesWhere<Cond> = { [N in keyof Table]: Table[N] extends Cond ? N : never }[keyof Table];
type PlanKey<N extends keyof Table> = Table[N] extends { key: infer P extends string } ? P : N;
type PlanValue<N extends keyof Table> = KindValues[Table[N]['kind']]['plan'];
type RunNames = NamesWhere<{ scope: 'run' }>;
/** Run options the plan always holds: those with a default. */
type FilledNames = RunNames & NamesWhere<{ default: unknown }>;

/**
 * The values of the run options as a plan holds them (the report's `config`): by the table's plan keys
 * (`timeout` -> `timeoutMs`), in the plan's units (`time` -> `budgetMs`, milliseconds).
 */
export type RunSettings = { [N in FilledNames as PlanKey<N>]: PlanValue<N> } & { [N in Exclude<RunNames, FilledNames> as PlanKey<N>]?: PlanValue<N> };

/** The run options by the plan's keys, with their values as given (before defaults and units): a plan's input. */
export type RunInput = { [N in RunNames as PlanKey<N>]?: KindValues[Table[N]['kind']]['api'] };

/**
 * The settings an adapter may give its own defaults for (fields of the adapter), which hammer() also
 * takes as options (the option wins): the table's entries with `adapter: true`.
 */
export type RunDefaults = Pick<RunOptions, NamesWhere<{ adapter: true }>>;

/** The output options hammer() takes too (it writes those files; the JSON is what it returns): entries with `api: true`. */
export type ApiOutputOptions = Pick<OutputOptions, NamesWhere<{ api: true }>>;

/** One entry of the table with its names filled in. */
export type Option = OptionSpec & {
  /** The API's and the config file's name (`minOps`). */
  name: keyof CliOptions;
  /** The long flag (`min-ops`): the name in kebab case. */
  long: string;
  /** The plan's and the report `config`'s field. */
  key: string;
};

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The table as a list, in its order. */
export const OPTIONS: readonly Option[] = Object.entries(OPTION_TABLE).map(
  ([name, spec]: [string, OptionSpec]) => ({ ...spec, name, long: kebab(name), key: spec.key ?? name }) as Option,
);

/** `--min-ops` -> `minOps`: the API's and the config file's name of an option. */
export const apiName = (o: Option): string => o.name;

/** The default as --help and the reference show it (a plan's default for a machine whose cores are unknown). */
export function shownDefault(o: Option): string | undefined {
  if (o.defaultHelp !== undefined || o.kind === 'flag') return o.defaultHelp;
  const v = o.default?.({ cores: 0, pinCpus: true, shrinkMs: 0, batch: 1 });
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.join(',');
  if (typeof v !== 'object') return String(v);
  return 'index' in v ? `${v.index}/${v.count}` : `1/${v.oneIn}@${v.probability * 100}%`;
}

export const RUN_OPTIONS = OPTIONS.filter((o) => o.scope === 'run');

/** The option whose API name is `name`, or undefined (own keys only: `toString` is no option). */
export const optionNamed = (name: string): Option | undefined => OPTIONS.find((o) => o.name === name);

export function optionByKey(key: string): Option {
  const o = OPTIONS.find((x) => x.key === key);
  if (!o) throw new Error(`no option '${key}'`);
  return o;
}
