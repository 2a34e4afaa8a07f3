// The one round path, for every strategy (the hammer's single round, the race's thousands, the shrink
// trials, every throughput point): setup -> init -> barrier -> calls -> stats / expected / invariant /
// unique -> teardown. Each hook's failure becomes a finding in exactly one way (checks/round.ts).
import type { HookFailure } from '../adapter/hooks.js';
import type { Counters } from '../adapter/types.js';
import { defaultExpected, mergeCounters, numbersOnly, recordingReads, type StatsProblem } from '../checks/counters.js';
import { callsOf, checkRound, invariantOutcome, countersNote, hookFinding, resultsChecked, roundComplete, type RoundVerdict } from '../checks/round.js';
import { checkModel, HAMMER_CHECK_STEPS, ROUND_CHECK_STEPS, type ModelVerdict } from '../checks/model.js';
import type { StrategyName } from '../options/table.js';
import type { RoundSpec, RoundTallies, WorkerSession } from '../pool/session.js';
import { uniqueFacts, type FindingFacts, type WarningFacts } from '../schema/report.js';
import type { RunContext } from './context.js';

export interface PlayedRound extends RoundVerdict {
  round: number;
  /** Why `counters` is empty, when it is (checks/round.ts: countersNote). */
  countersNote: string;
  /** null: setup failed, no call ran. */
  tallies: RoundTallies | null;
  /** Every worker ran its share to the end (not hung, crashed, interrupted, no worker hook failed). */
  complete: boolean;
  /** A main-thread hook failed: more rounds would only repeat it. */
  hookFailed: boolean;
  warnings: WarningFacts[];
  /** The round's calls, when it recorded them. */
  history: RoundTallies['history'];
  /** The model's check of the round: null when there is no model or the round was not checkable. */
  model: ModelVerdict['outcome'] | null;
  /** Why the model's check could not decide, when it could not. */
  modelUnknown?: string;
  /** The model could not decide, and nothing else (counter, invariant, unique) checked what the calls returned. */
  undecided?: true;
}

export type RoundRequest = Omit<RoundSpec, 'shared' | 'seed'> & { strategy: StrategyName };

export async function playRound(run: RunContext, session: WorkerSession, req: RoundRequest): Promise<PlayedRound> {
  return (await playRounds(run, session, [req]))[0]!;
}

/** A main-thread hook's failure of one round as a played round that ran no call (setup, or teardown of a round never played). */
function hookOnly(strategy: StrategyName, round: number, r: HookFailure): PlayedRound {
  const f = hookFinding(strategy, round, r);
  return {
    round,
    tallies: null,
    complete: false,
    counters: [],
    countersNote: countersNote(null, false),
    findings: f ? [f] : [],
    lostUpdates: 0,
    failed: f !== null,
    hookFailed: true,
    warnings: [],
    history: null,
    model: null,
  };
}

/** Rounds set up and sent to the workers, their answers still to come (the first half of playRounds). */
export interface StartedRounds {
  ready: { req: RoundRequest; shared: unknown }[];
  /** A setup that failed ended the batch before it. */
  failedSetup: PlayedRound | null;
  /** The batch's tallies (pool/session.ts, runRounds); null when no round could be set up. */
  tallies: Promise<RoundTallies[]> | null;
}

/**
 * Every setup, in order, then the batch goes to the workers (session.runRounds: one message per worker
 * for all of them). A setup that fails ends the batch before it.
 */
export async function startRounds(run: RunContext, session: WorkerSession, reqs: readonly RoundRequest[]): Promise<StartedRounds> {
  const ready: StartedRounds['ready'] = [];
  let failedSetup: PlayedRound | null = null;
  for (const req of reqs) {
    // A replay of another round's calls sets up that round (pool/types.ts RoundSpec.as).
    const setup = await run.hook<unknown>('setup', [{ workers: session.layout.workers, round: req.as ?? req.round, args: run.plan.args }]);
    run.checkFirstSetup(setup.ok ? null : setup, setup.ok ? setup.value : undefined);
    if (!setup.ok) {
      failedSetup = hookOnly(req.strategy, req.round, setup);
      break;
    }
    ready.push({ req, shared: setup.value });
  }
  const seed = run.plan.seed;
  // Field by field: a spread followed by more properties costs V8 ~1 us an object (measured), per round.
  const specs = ready.map(({ req, shared }): RoundSpec => ({
    round: req.round,
    seed,
    shared,
    calls: req.calls,
    stopAfterMs: req.stopAfterMs,
    overlap: req.overlap,
    sampleEvery: req.sampleEvery,
    history: req.history,
    controlled: req.controlled,
    as: req.as,
    lanes: req.lanes,
  }));
  const tallies = ready.length ? session.runRounds(specs) : null;
  // Awaited by finishRounds or discardRounds, maybe after other work: never an unhandled rejection meanwhile.
  tallies?.catch(() => {});
  return { ready, failedSetup, tallies };
}

/**
 * The second half: each round's checks and teardown once the answers are in; rounds a cut-short batch
 * never played are only torn down. Returns the rounds played, in order (the last one may be the failed setup).
 */
export async function finishRounds(run: RunContext, started: StartedRounds): Promise<PlayedRound[]> {
  const { ready, failedSetup } = started;
  const played: PlayedRound[] = [];
  if (started.tallies) {
    let tallies: RoundTallies[];
    try {
      tallies = await started.tallies;
    } catch (e) {
      for (const { shared } of ready) await run.hook('teardown', [shared]);
      throw e;
    }
    // By round number: a round whose answers were lost with a worker is missing (pool/session.ts).
    const byRound = new Map(tallies.map((t) => [t.round, t]));
    for (const { req, shared } of ready) {
      const t = byRound.get(req.round);
      if (t) played.push(await judgeRound(run, req, shared, t));
      else {
        const td = await run.hook('teardown', [shared]);
        if (!td.ok) played.push(hookOnly(req.strategy, req.round, td));
      }
    }
    if (byRound.size < ready.length) return played;
  }
  if (failedSetup) played.push(failedSetup);
  return played;
}

/** Rounds started that are no longer wanted (the strategy stopped while they ran): torn down, never counted. */
export async function discardRounds(run: RunContext, started: StartedRounds): Promise<void> {
  await started.tallies?.catch(() => []);
  for (const { shared } of started.ready) await run.hook('teardown', [shared]);
}

/** Rounds played as one batch: startRounds, then finishRounds. */
export async function playRounds(run: RunContext, session: WorkerSession, reqs: readonly RoundRequest[]): Promise<PlayedRound[]> {
  return finishRounds(run, await startRounds(run, session, reqs));
}

/**
 * One played round's checks: stats, expected, invariant, uniqueness, the model; then its teardown. Long
 * because it is the main thread's per-round hot path: sync hooks are not awaited and nothing a passing
 * round does not need is allocated (a helper per step would add closures and promises to every round).
 */
async function judgeRound(run: RunContext, req: RoundRequest, shared: unknown, tallies: RoundTallies): Promise<PlayedRound> {
  // Race rounds come by the thousand per second: sync hooks are not awaited (no microtask each), and
  // nothing is allocated that a passing round does not need (the main thread's work and its garbage
  // take a core from the workers on small machines: docs/explanation/why-the-defaults.md, "Batches of rounds").
  const { adapter } = run.loaded;
  const { strategy, round } = req;
  let hookFindings: FindingFacts[] | null = null;
  const failedHook = (r: HookFailure): void => {
    const f = hookFinding(strategy, round, r);
    if (f) (hookFindings ??= []).push(f);
  };
  const problems: StatsProblem[] = [];
  const complete = roundComplete(tallies);
  run.noteRetries(tallies.retries);
  let verdict: RoundVerdict;
  let model: ModelVerdict | null = null;
  // Duplicates were checked only when a `unique` operation returned in this round (not --ops'd out, not
  // weighted 0, not a duration round): the note must not claim a check that had nothing to check.
  let uniqueChecked = false;
  try {
    const calls = callsOf(tallies);
    let actual: Counters | null = null;
    let expected: Counters | null = null;
    let invariant: true | string | null = null;
    let invariantRead: Set<string> | undefined;
    if (complete) {
      let stats = run.hook<unknown>('stats', [shared]);
      if (stats instanceof Promise) stats = await stats;
      if (!stats.ok) failedHook(stats);
      else {
        const ws = tallies.workerStats;
        const perWorker: Counters[] = new Array<Counters>(ws.length);
        for (let i = 0; i < ws.length; i++) perWorker[i] = numbersOnly(ws[i], problems, 'workerStats', i);
        actual = mergeCounters(numbersOnly(stats.value, problems, 'stats'), perWorker);
        if (adapter.expected) {
          let e = run.hook<unknown>('expected', [calls]);
          if (e instanceof Promise) e = await e;
          if (e.ok) {
            // Nothing returned (`(calls) => { n: calls.n }` is a block, not an object): every counter goes unchecked.
            if (e.value === undefined || e.value === null) problems.push({ code: 'stats-not-number', source: 'expected', got: String(e.value) });
            expected = numbersOnly(e.value, problems, 'expected');
          } else failedHook(e);
        } else expected = defaultExpected(actual, calls);
        if (adapter.invariant) {
          // The contract: an invariant that throws is violated; one that hangs is a hang.
          invariantRead = new Set();
          const inv = await run.hook<unknown>('invariant', [recordingReads(actual, invariantRead), calls]);
          if (inv.ok) invariant = invariantOutcome(inv.value);
          else if (inv.hung || inv.interrupted) failedHook(inv);
          else invariant = `invariant threw: ${inv.message}`;
        }
      }
    }
    // Duration rounds (throughput) keep no return values: uniqueness is checked by count rounds only.
    const uniqueOps = Array.isArray(req.calls) && adapter.unique ? adapter.unique : NO_OPS;
    uniqueChecked = uniqueOps.some((op) => (calls[op] ?? 0) > 0);
    verdict = checkRound(strategy, {
      tallies,
      calls,
      actual,
      expected,
      expectedByAdapter: adapter.expected !== undefined,
      invariant,
      invariantRead,
      uniqueOps,
    });
    // Only a round whose every call returned is checked against the model: a cut-short history proves nothing.
    if (adapter.model && tallies.history && complete) {
      model = checkModel(strategy, round, adapter.model, tallies.history, strategy === 'hammer' ? HAMMER_CHECK_STEPS : ROUND_CHECK_STEPS);
      if (model.outcome === 'violation') verdict = { ...verdict, failed: true, findings: [...verdict.findings, model.finding] };
      // A model that throws is the model's bug: like a failed hook, more rounds would only repeat it.
      else if (model.outcome === 'model-error') (hookFindings ??= []).push(model.finding);
    }
  } finally {
    let td = run.hook('teardown', [shared]);
    if (td instanceof Promise) td = await td;
    if (!td.ok) failedHook(td);
  }
  run.checkFirstInit(
    tallies.hookErrors.find((h) => h.hook === 'init'),
    tallies.hangs.find((h) => h.where === 'init'),
  );
  const played: PlayedRound = {
    counters: verdict.counters,
    findings: hookFindings ? [...verdict.findings, ...hookFindings] : verdict.findings,
    lostUpdates: verdict.lostUpdates,
    failed: verdict.failed || hookFindings !== null,
    round,
    tallies,
    countersNote: countersNote(tallies, hookFindings !== null, {
      model: adapter.model !== undefined,
      unique: uniqueChecked,
      invariant: adapter.invariant !== undefined,
    }),
    complete,
    hookFailed: hookFindings !== null,
    warnings: problems.length ? [...uniqueFacts(problems).map((p) => ({ ...p, strategy })), ...verdict.warnings] : verdict.warnings,
    history: tallies.history,
    model: model?.outcome ?? null,
  };
  const checked = resultsChecked(verdict.counters, adapter.invariant !== undefined, adapter.unique);
  // Counters that nothing compares: the run could not have found a lost update (say so, once per strategy).
  if (verdict.counters.length && !adapter.model && !checked) {
    const counters = verdict.counters.map((r) => r.name);
    played.warnings = [
      ...played.warnings,
      { code: 'unchecked-counters', strategy, counters, ops: run.loaded.opNames, ...(adapter.expected ? { expectedHook: true as const } : {}) },
    ];
  }
  if (model?.outcome === 'unknown') {
    played.modelUnknown = model.reason;
    if (!checked) played.undecided = true;
  }
  return played;
}

const NO_OPS: string[] = [];
