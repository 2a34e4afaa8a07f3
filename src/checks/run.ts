// The run's verdict, exit code and headline, and a multi-adapter run's: decided here, rendered elsewhere.
import {
  isStartFailure,
  type FindingFacts,
  type FindingKind,
  type MultiReport,
  type RaceReport,
  type RunReport,
  type StartFailure,
  type Status,
  type StrategyReport,
  type Verdict,
  type WarningFacts,
} from '../schema/report.js';
import { RACE_KINDS } from './race.js';
import { plural } from '../schema/words.js';

/** Finding kinds that do not disprove a `threadSafe: true` claim: a throughput gate, a strategy that checked nothing. */
const NOT_ABOUT_SAFETY: ReadonlySet<FindingKind> = new Set(['throughput', 'inconclusive']);

/** Hooks that run alone, before the calls or after them all: their failure alone shows no race. */
const ALONE_HOOKS: ReadonlySet<string> = new Set(['globalSetup', 'setup', 'stats', 'workerStats', 'expected', 'teardown', 'globalTeardown']);

/**
 * Findings that say something about concurrency (the kinds judgeRun weighs): not a hook that runs alone
 * (`setup` before any call; `stats`, `expected`, `teardown` after them all: a `teardown` that throws
 * every round is a bug of its own), nor an `init` that did not settle within --setup-timeout (a slow
 * start), nor adapter-hammer's own failure (`internal`). None is evidence against a `threadSafe: true`
 * claim; each still fails its strategy.
 */
export const aboutConcurrency = (f: FindingFacts): boolean =>
  !(('internal' in f && f.internal === true) || (f.hook !== undefined && ALONE_HOOKS.has(f.hook)) || (f.hook === 'init' && f.kind === 'hang'));

/**
 * What a finding is about, to tell two findings of one kind apart: its kind and its counter, operation or
 * hook (`lost-update:b`). The smallest failing setup records those its rounds showed (`minimal.reproduces`).
 */
export const findingSubject = (f: FindingFacts): string => `${f.kind}:${f.counter ?? f.op ?? f.hook ?? ''}`;

export interface RunJudgement {
  verdict: Verdict;
  status: Status;
  exitCode: number;
  headline: string;
  strictFailure: boolean;
  /** Added to the run's warnings (e.g. a threadSafe claim the run disproved). */
  warnings: WarningFacts[];
}

export function judgeRun(o: {
  strategies: StrategyReport[];
  findingKinds: FindingKind[];
  /** findingSubject of each of those findings: a setup one call at a time explains a failure only when it shows every one. */
  findingSubjects?: string[];
  warnings: WarningFacts[];
  strict: boolean;
  threadSafe: boolean | null;
  stopSignal: 'SIGINT' | 'SIGTERM' | null;
}): RunJudgement {
  const failed = o.strategies.filter((s) => s.status === 'fail').map((s) => s.name);
  const warnings: WarningFacts[] = [];
  const raced = o.findingKinds.some((k) => RACE_KINDS.has(k));
  // A failure the race's own search made fail with one worker and one lane, one call at a time: a bug,
  // not a race, and no evidence about the threadSafe claim (a counter read from the main thread's copy
  // of module state, which the workers' calls never touch, is the usual one). That search reproduced one
  // of the run's kinds: when they are all one kind, or errors only, it is the run's failure; when an
  // error stands beside a lost update, the lost update may still be a race.
  const race = o.strategies.find((s): s is RaceReport => s.name === 'race');
  const kinds = new Set(o.findingKinds.filter((k) => !NOT_ABOUT_SAFETY.has(k)));
  // And only what it reproduced: a bug of counter `a` one call at a time says nothing of counter `b`,
  // lost under concurrency alone (the search drops operations while the failure persists).
  const reproduces = race?.minimal?.reproduces;
  const explained = o.findingSubjects === undefined || (reproduces !== undefined && o.findingSubjects.every((x) => reproduces.includes(x)));
  const sequential = race?.minimal?.classification === 'bug' && explained && (kinds.size === 1 || [...kinds].every((k) => k === 'error'));
  // A throughput gate or a strategy that checked nothing says nothing about thread safety.
  const disproved = !sequential && o.findingKinds.some((k) => !NOT_ABOUT_SAFETY.has(k));
  if (o.threadSafe === true && failed.length && disproved) {
    warnings.push({ code: 'declared-safe-but-raced', strategies: failed });
  }
  const allWarnings = o.warnings.length + warnings.length;
  const strictFailure = !failed.length && o.strict && allWarnings > 0;
  const interrupted = o.stopSignal !== null;
  const status: Status = failed.length || strictFailure ? 'fail' : interrupted || o.strategies.some((s) => s.status === 'partial') ? 'partial' : 'pass';
  const exitCode = o.stopSignal === 'SIGINT' ? 130 : o.stopSignal === 'SIGTERM' ? 143 : status === 'pass' ? 0 : 1;
  let headline: string;
  if (failed.length) {
    const claim =
      o.threadSafe === true && disproved
        ? ` — the adapter declares threadSafe: true, but it ${raced ? 'raced' : 'failed under concurrency'}`
        : sequential
          ? ' — not a race: it fails with 1 worker × 1 lane, one call at a time (a bug)'
          : '';
    headline = `${failed.join(', ')} failed${claim}${interrupted ? ' (interrupted: partial report)' : ''}`;
  } else if (strictFailure) headline = `--strict: ${plural(allWarnings, 'warning')}`;
  else if (status === 'partial') headline = 'interrupted: partial report of what finished';
  else {
    // A pass with caveats (a race whose controlled rounds stalled, or that played a sliver of its rounds) says so.
    const caveats = [...new Set(o.strategies.flatMap((s) => ('caveats' in s && s.caveats ? s.caveats : [])))];
    headline = `${o.strategies.map((s) => s.name).join(', ')} passed${caveats.length ? `, with caveats (${caveats.join(', ')}: see warnings)` : ''}`;
  }
  return { verdict: status === 'pass' ? 'pass' : 'fail', status, exitCode, headline, strictFailure, warnings };
}

/**
 * Several adapters: an interruption wins (130/143); then 2 when no adapter could start at all; then 1
 * when any adapter failed or could not start; else 0.
 */
export function judgeMulti(adapters: (RunReport | StartFailure)[]): Pick<MultiReport, 'verdict' | 'exitCode' | 'interrupted'> & { status: Status } {
  const interrupted = adapters.find((r): r is RunReport => !isStartFailure(r) && r.interrupted);
  const started = adapters.filter((r) => !isStartFailure(r));
  const failed = adapters.some((r) => r.verdict === 'fail' && (isStartFailure(r) || r.status === 'fail'));
  let exitCode: number;
  if (interrupted) exitCode = interrupted.exitCode;
  else if (adapters.length > 0 && started.length === 0) exitCode = 2;
  else exitCode = failed ? 1 : 0;
  const status: Status = failed || adapters.length === 0 ? 'fail' : interrupted ? 'partial' : 'pass';
  return { verdict: status === 'pass' ? 'pass' : 'fail', status, exitCode, interrupted: Boolean(interrupted) };
}
