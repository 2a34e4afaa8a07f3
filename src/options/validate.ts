// The rules of every option's value, derived from the table: the command line (text), the config file
// (through the command line's parser) and the API (values) all accept exactly the same values.
import ms from 'ms';
import { shown as text } from '../errors.js';
import {
  API_ONLY_NAMES,
  OPTIONS,
  RUN_OPTIONS,
  SCHEDULE_VALUE,
  SCHEDULER_MODE,
  SEED_MAX,
  STRATEGIES,
  type ConfidenceTarget,
  type Option,
  type RunInput,
  type RunOptions,
  type Shard,
} from './table.js';

/** A duration option's value in ms: a number of seconds, or text such as `90s`, `2m`, `1500ms` (`ms`'s syntax). */
export function durationMs(v: unknown): number | null {
  let out: number | undefined;
  if (typeof v === 'number') out = v * 1000;
  else if (typeof v === 'string' && v.trim() !== '') {
    // ms() throws on text it cannot read at all; that is a bad value here, reported by the caller.
    out = /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) * 1000 : ms(v.trim() as ms.StringValue);
  }
  return typeof out === 'number' && Number.isFinite(out) && out > 0 ? Math.round(out) : null;
}

/** A shard option's value as `{ index, count }`: text `k/N` (the command line, the config file) or that object (the API); null if invalid. */
export function shardOf(v: unknown, max = Number.MAX_SAFE_INTEGER): Shard | null {
  let index: unknown;
  let count: unknown;
  if (typeof v === 'string') {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
    if (!m) return null;
    [index, count] = [Number(m[1]), Number(m[2])];
  } else if (v !== null && typeof v === 'object') ({ index, count } = v as Record<string, unknown>);
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);
  return whole(index) && whole(count) && count >= 1 && count <= max && index >= 1 && index <= count ? { index, count } : null;
}

/** The largest k a confidence target may name (a billion overlapping rounds is beyond any run). */
const MAX_ONE_IN = 1_000_000_000;

/**
 * A confidence target as `{ oneIn, probability }`: text `1/5000@99%` (or `1/5000@0.99`) from the command
 * line or a config file, or that object (the API); null if invalid.
 */
export function confidenceOf(v: unknown): ConfidenceTarget | null {
  let oneIn: unknown;
  let probability: unknown;
  if (typeof v === 'string') {
    const m = /^\s*1\s*\/\s*(\d+)\s*@\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(v);
    if (!m) return null;
    oneIn = Number(m[1]);
    probability = m[3] ? Number(m[2]) / 100 : Number(m[2]);
  } else if (v !== null && typeof v === 'object') ({ oneIn, probability } = v as Record<string, unknown>);
  if (typeof oneIn !== 'number' || !Number.isSafeInteger(oneIn) || oneIn < 2 || oneIn > MAX_ONE_IN) return null;
  return typeof probability === 'number' && probability > 0 && probability < 1 ? { oneIn, probability } : null;
}

/** `1/5000@99%`: a confidence target as the flag spells it. */
export const confidenceText = (t: ConfidenceTarget): string => `1/${t.oneIn}@${+(t.probability * 100).toFixed(6)}%`;

/** The value's problem as one line, or null. `shown` is what the user typed, for the message. */
export function valueProblem(o: Option, v: unknown, shown: unknown = v): string | null {
  const name = o.long;
  const got = `got '${Array.isArray(shown) ? shown.join(',') : text(shown)}'`;
  switch (o.kind) {
    case 'count': {
      const max = o.max ?? Number.MAX_SAFE_INTEGER;
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max ? null : `${name} must be a whole number from 1 to ${max}, ${got}`;
    }
    case 'positive':
      return typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : `${name} must be a number above 0, ${got}`;
    case 'seed':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= SEED_MAX
        ? null
        : `${name} must be a whole number from 0 to ${SEED_MAX}, ${got}`;
    case 'strategies': {
      if (!Array.isArray(v)) return `${name} must be an array of ${STRATEGIES.join(', ')}`;
      if (!v.length) return `give at least one of ${STRATEGIES.join(', ')}`;
      const unknown: unknown = v.find((n) => !(STRATEGIES as readonly unknown[]).includes(n));
      return unknown === undefined ? null : `unknown strategy '${text(unknown)}' (choose from ${STRATEGIES.join(', ')})`;
    }
    case 'flag':
      return typeof v === 'boolean' ? null : `${name} must be true or false, ${got}`;
    case 'path':
      return typeof v === 'string' && v.length > 0 ? null : `${name} must be a file path, ${got}`;
    case 'names':
      return Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'string' && n.length > 0)
        ? null
        : `${name} must be a comma list of names (an array of strings in the API), ${got}`;
    case 'duration':
      return durationMs(v) !== null ? null : `${name} must be a duration such as 90s, 2m or 1500ms (a plain number is seconds), ${got}`;
    case 'scheduler':
      return typeof v === 'string' && SCHEDULER_MODE.test(v) ? null : `${name} must be mixed, random, pct, pct:<depth 1-99> or off, ${got}`;
    case 'schedule':
      return typeof v === 'string' && SCHEDULE_VALUE.test(v)
        ? null
        : `${name} must be <round>:<schedule>[,<schedule>...], one schedule per worker, as a report prints it, ${got}`;
    case 'confidence':
      return confidenceOf(v)
        ? null
        : `${name} must be 1/<k>@<p>%, e.g. 1/5000@99%: a race showing in 1 of k overlapping rounds (k from 2 to ${MAX_ONE_IN}) caught with probability p (above 0%, below 100%), ${got}`;
    case 'shard': {
      const max = o.max ?? Number.MAX_SAFE_INTEGER;
      const typed = v !== null && typeof v === 'object' ? `${String((v as Shard).index)}/${String((v as Shard).count)}` : shown;
      return shardOf(v, max) ? null : `${name} must be k/N, shard k of N with 1 <= k <= N <= ${max} (e.g. 2/3), got '${text(typed)}'`;
    }
  }
}

/** A command-line value (text) as the option's value; throws the problem line (commander shows it). */
export function parseText(o: Option, text: string): unknown {
  let v: unknown;
  const t = text.trim();
  switch (o.kind) {
    case 'count':
    case 'seed':
      v = /^\d+$/.test(t) ? Number(t) : NaN;
      break;
    case 'positive':
      v = t === '' ? NaN : Number(t);
      break;
    case 'shard':
      v = shardOf(t) ?? t;
      break;
    case 'confidence':
      v = confidenceOf(t) ?? t;
      break;
    case 'strategies':
    case 'names':
      v = [
        ...new Set(
          t
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      break;
    case 'scheduler':
    case 'schedule':
      v = t;
      break;
    default:
      v = text;
  }
  const problem = valueProblem(o, v, text);
  if (problem) throw new Error(problem);
  return v;
}

/** Options of the table hammer() takes: the run's, and the outputs it writes itself (`api: true`). */
const API_TABLE_OPTIONS = OPTIONS.filter((o) => o.scope === 'run' || o.api === true);

/** Check hammer()'s options: every key known (its own or one of the table's it takes), every value valid. The first problem, or null. */
export function apiOptionsProblem(options: Record<string, unknown>): string | null {
  const known: string[] = [...API_ONLY_NAMES, ...API_TABLE_OPTIONS.map((o) => o.name)];
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) return `'${k}' is not an option (options: ${known.join(', ')})`;
  }
  for (const o of API_TABLE_OPTIONS) {
    const v = options[o.name];
    if (v === undefined) continue;
    const problem = valueProblem(o, v);
    if (problem) return problem;
  }
  return combinationProblem(options);
}

/**
 * Rules across options (API-named fields: the API's options, the command line's parsed ones). Shards
 * add up to one run only when they play the same seed's rounds, so --shard needs --seed.
 */
export function combinationProblem(options: { shard?: unknown; seed?: unknown; schedule?: unknown; scheduler?: unknown; html?: unknown }): string | null {
  if (options.shard !== undefined && options.seed === undefined) {
    return '--shard needs --seed: every shard must play the same seed (e.g. --seed $GITHUB_RUN_NUMBER on every job)';
  }
  if (options.schedule !== undefined && options.seed === undefined) {
    return '--schedule needs --seed: it replays the calls that seed drew (the replay command the report prints gives both)';
  }
  if (options.schedule !== undefined && options.scheduler === 'off') return '--schedule replays a controlled round: it cannot go with --scheduler off';
  // Standard output carries the terminal report (or --json -): the page needs a file of its own.
  if (options.html === '-') return "--html writes a file: give it a path ('-', standard output, is only for --json)";
  return null;
}

/** The plan's fields from API-named options (`timeout` -> `timeoutMs`, `strategy` -> `strategies`). */
export function planFieldsOf(options: RunOptions): RunInput {
  const out: Record<string, unknown> = {};
  for (const o of RUN_OPTIONS) {
    const v = options[o.name as keyof RunOptions];
    if (v === undefined) continue;
    out[o.key] =
      o.kind === 'strategies' || o.kind === 'names'
        ? [...new Set(v as string[])]
        : o.kind === 'shard'
          ? (shardOf(v) ?? v)
          : o.kind === 'confidence'
            ? (confidenceOf(v) ?? v)
            : v;
  }
  return out;
}
