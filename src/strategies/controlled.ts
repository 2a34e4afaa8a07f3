// The race's controlled rounds (docs/guides/controlled-interleavings.md). Every other round, each worker runs
// its lanes under its own seeded scheduler, which lets one lane continue at a time at every await of the
// user's code (the adapter is loaded instrumented: src/instrument/). Rounds in between keep Node's own
// order, and workers race for real in both. Here: which rounds are controlled and with what, their
// figures, and, after a failing one, its schedules shrunk to fewer preemptions and replayed strictly
// (on the smallest failing setup when the search found one: strategies/shrink.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TS_EXTENSIONS } from '../adapter/load.js';
import type { RunPlan } from '../plan/plan.js';
import { parseScheduleValue, scheduleValue, type ScheduleReplay } from '../plan/schedule.js';
import { replayCommand } from '../plan/replay.js';
import type { ControlledSpec, ScheduleRun, SessionOptions, WorkerSession } from '../pool/session.js';
import type { BlockedLane, FailingSchedule, ScheduleStep, SchedulerFigures, SearchMissing } from '../schema/report.js';
import { weightsOf, type RunContext } from '../rounds/context.js';
import { playRound, type PlayedRound, type RoundRequest } from '../rounds/play.js';
import { decodeSchedule } from '../scheduler/schedule.js';
import { shrinkSchedule } from '../scheduler/shrink.js';
import { parseSite } from '../scheduler/sites.js';
import type { Config, ControlledFailure, ControlledTrials } from './shrink.js';

/** One round in this many is controlled (the others keep Node's own order; README has the measurements). */
export const CONTROLLED_EVERY = 2;
/**
 * Calls per lane of a controlled round. A scheduler's chance to hit a bug of depth d falls like
 * 1/steps^(d-1) (PCT's bound): small rounds, many of them, as Lincheck keeps its scenarios small.
 */
export const CONTROLLED_CALLS_PER_LANE = 2;
/** Strict replays of a failing schedule after shrinking: "fails again, every time" is counted, not assumed. */
const REPLAYS = 3;
/**
 * A lane a replay waits for whose await has not settled in this long, while the other lanes are parked,
 * is blocked outside the scheduler (scheduler/scheduler.ts): a database answers a query in a few ms, but
 * one waiting on a row lock that a parked lane holds never does. Short, as every such step costs it.
 */
export const BLOCKED_MS = 50;
/** Steps kept per worker in the report (the last ones: where a failure shows). */
const STEPS_KEPT = 1000;

interface Choice {
  strategy: 'random' | 'pct';
  depth: number;
}

/** --scheduler's value as the scheduler strategies of successive controlled rounds. */
function choicesOf(mode: string): Choice[] {
  if (mode === 'random') return [{ strategy: 'random', depth: 0 }];
  if (mode.startsWith('pct')) return [{ strategy: 'pct', depth: Number(mode.split(':')[1] ?? 3) }];
  // mixed: the random walk finds shallow bugs among many lanes fast; PCT's guarantee covers deep ones.
  return [
    { strategy: 'random', depth: 0 },
    { strategy: 'pct', depth: 3 },
  ];
}

const choiceOf = ({ strategy, depth }: Choice): Choice => ({ strategy, depth });

/** Where the instrumenting loader looks for the user's own files: the adapter's directory and the working directory. */
export function instrumentation(plan: RunPlan, adapterFile: string): SessionOptions['instrument'] {
  if (plan.scheduler === 'off') return null;
  return {
    roots: [path.dirname(adapterFile), process.cwd()],
    include: plan.instrument ?? [],
    typescript: TS_EXTENSIONS.includes(path.extname(adapterFile).toLowerCase()),
  };
}

/** Calls per worker of a controlled round with `lanes` lanes, of at most `iterations` calls per worker. */
export const controlledCalls = (lanes: number, iterations: number): number => Math.max(1, Math.min(iterations, lanes * CONTROLLED_CALLS_PER_LANE));

export class ControlledRounds {
  readonly enabled: boolean;
  /** --schedule: every round replays this. */
  readonly replay: ScheduleReplay | null;
  /** Calls per worker in a controlled round. */
  readonly calls: number;
  private readonly choices: Choice[];
  /** Controlled rounds start once a natural round went through an instrumented await: before, nothing could be scheduled. */
  private active: boolean;
  private estimatedSteps: number;
  private readonly figures = { controlledRounds: 0, failedControlledRounds: 0, naturalRounds: 0, failedNaturalRounds: 0, uncontrolledResumptions: 0 };
  private partly = 0;
  private diverged = 0;
  /** The first replay's divergence, as the scheduler worded it. */
  divergence: string | null = null;
  private awaitsSeen = false;
  /** Natural rounds every worker answered. */
  private completeNatural = 0;
  /** Controlled rounds in which a worker's scheduler stalled (nothing could run for half of --timeout): the rest of the round ran uncontrolled. */
  private stalled = 0;
  /** The first scheduler's stall, as it worded it. */
  stall: string | null = null;
  /** Controlled rounds in which a lane waited for was blocked outside the scheduler (another ran instead), and the first such lane. */
  private blockedRounds = 0;
  private firstBlocked: SchedulerFigures['blocked'] | undefined;
  /** A controlled round failed without every worker's schedule (a worker did not finish it): it cannot be replayed. */
  private incomplete = false;
  /** The earliest failing controlled round with every worker's schedule: enough to replay it. */
  first: ControlledFailure | null = null;

  constructor(
    private readonly plan: RunPlan,
    /** Whether the adapter's calls are a database's clients (adapter/load.ts databaseOf): a blocked lane then waits on the database. */
    private readonly database: () => boolean = () => false,
  ) {
    this.replay = plan.schedule !== undefined ? parseScheduleValue(plan.schedule) : null;
    this.enabled = plan.scheduler !== 'off';
    this.active = this.replay !== null;
    // A replay's strategy is the one its schedules were recorded with (read once, not per round).
    this.choices = this.replay ? [choiceOf(decodeSchedule(this.replay.workers[0]!))] : choicesOf(plan.scheduler);
    // The same in a replay (--schedule), whose schedules were recorded with these calls.
    this.calls = controlledCalls(plan.concurrency, plan.iterations);
    this.estimatedSteps = this.calls * 4;
  }

  /**
   * What round `round` is: controlled (its spec) or natural (null). By the run's round index, not the
   * shard's position, so a round is the same kind in a sharded run as in the whole one.
   */
  roundAt(round: number): Pick<RoundRequest, 'controlled' | 'as'> | null {
    if (this.replay) return { controlled: this.spec(this.choices[0]!, this.replay.workers, false, false), as: this.replay.round };
    if (!this.enabled || !this.active || round % CONTROLLED_EVERY !== CONTROLLED_EVERY - 1) return null;
    return { controlled: this.spec(this.choices[Math.floor(round / CONTROLLED_EVERY) % this.choices.length]!, null, false, false) };
  }

  spec(choice: Choice, replay: string[] | null, lenient: boolean, trace: boolean): ControlledSpec {
    // Half the hang limit: a stall is let go (and reported) before the watchdog would call the round's calls hung.
    const stallMs = Math.max(1, Math.floor(this.plan.timeoutMs / 2));
    return { ...choice, estimatedSteps: this.estimatedSteps, replay, lenient, trace, stallMs, blockedMs: Math.min(BLOCKED_MS, stallMs) };
  }

  /** One played round into the figures (`as`: the round whose calls it ran). */
  take(played: PlayedRound, controlled: boolean, as: number): void {
    const t = played.tallies;
    if (t && t.awaits > 0) {
      this.awaitsSeen = true;
      this.active ||= this.enabled;
    }
    if (!controlled) {
      this.figures.naturalRounds++;
      if (played.complete) this.completeNatural++;
      if (played.failed) this.figures.failedNaturalRounds++;
      return;
    }
    this.figures.controlledRounds++;
    const schedules = t?.schedules ?? [];
    const free = schedules.reduce((a, s) => a + s.uncontrolled, 0);
    this.figures.uncontrolledResumptions += free;
    if (free > 0) this.partly++;
    const diverged = schedules.find((s) => s.divergence !== null);
    if (diverged) {
      this.diverged++;
      this.divergence ??= `worker ${diverged.workerId}: ${diverged.divergence}`;
    }
    const stalled = schedules.find((s) => s.stalled !== null);
    if (stalled) {
      this.stalled++;
      this.stall ??= `worker ${stalled.workerId}: ${stalled.stalled}`;
    }
    const blocked = schedules.find((s) => s.blocked.length > 0);
    if (blocked) {
      this.blockedRounds++;
      this.firstBlocked ??= { round: as, worker: blocked.workerId, ...blocked.blocked[0]!, in: this.blockedIn };
    }
    const steps = Math.max(0, ...schedules.map((s) => s.steps));
    if (steps > 0) this.estimatedSteps = steps;
    if (!played.failed) return;
    this.figures.failedControlledRounds++;
    // Replayable only with every worker's schedule.
    if (schedules.length !== this.plan.workers) this.incomplete = true;
    else if (this.first === null || as < this.first.round)
      this.first = {
        round: as,
        schedules: [...schedules].sort((a, b) => a.workerId - b.workerId).map((s) => s.schedule),
        preemptions: schedules.reduce((a, s) => a + s.preemptions, 0),
        hung: (t?.hangs.length ?? 0) > 0,
        config: this.config(),
      };
  }

  /** What a lane blocked outside the scheduler waits on: a database when the adapter is a database's client. */
  get blockedIn(): BlockedLane['in'] {
    return this.database() ? 'database' : 'io';
  }

  /** The run's own setup, as the search sees it. */
  config(ops?: string[]): Config {
    const { plan } = this;
    return { workers: plan.workers, concurrency: plan.concurrency, iterations: this.calls, ops: ops ?? [] };
  }

  /** Controlled rounds failed: why there is nothing to replay, when there is not. */
  get unreplayable(): SearchMissing | null {
    if (this.first === null) return this.incomplete ? 'incomplete' : null;
    return this.first.hung ? 'hung' : null;
  }

  get failedControlled(): number {
    return this.figures.failedControlledRounds;
  }

  /** How the smallest-failing-setup search plays controlled rounds: every round controlled, the policies in turn. */
  trials(instrument: SessionOptions['instrument']): ControlledTrials {
    return {
      spec: (round) => this.spec(this.choices[round % this.choices.length]!, null, false, false),
      calls: controlledCalls,
      instrument,
      every: CONTROLLED_EVERY,
    };
  }

  report(): SchedulerFigures {
    // Only a round every worker answered tells whether the calls awaited (a hung one never answers).
    const note =
      this.figures.controlledRounds > 0
        ? undefined
        : this.awaitsSeen || this.completeNatural === 0
          ? 'the race ended before a round could be controlled'
          : 'no await or timer of your own code ran in the calls, so there was nothing to schedule (sync operations, or awaits only inside node_modules: see --instrument)';
    return {
      mode: this.replay ? 'replay' : this.plan.scheduler,
      ...this.figures,
      calls: this.calls,
      partlyControlledRounds: this.partly,
      stalledRounds: this.stalled,
      ...(this.blockedRounds ? { blockedRounds: this.blockedRounds, blocked: this.firstBlocked } : {}),
      ...(this.replay ? { divergedRounds: this.diverged } : {}),
      ...(note ? { note } : {}),
    };
  }
}

/**
 * The failing controlled round again, on a session of its own (of the smallest failing setup when the
 * search found one): each worker's schedule shrunk to fewer preemptions while the round still fails
 * (lenient replays: as far as a candidate fits, then without preempting), then replayed strictly REPLAYS
 * times with its steps and calls recorded. Without a replay that finished: why (interrupted, or the
 * session lost a worker).
 */
export async function replayFailing(
  run: RunContext,
  rounds: ControlledRounds,
  budgetMs: number,
  failing: ControlledFailure,
  open?: WorkerSession,
): Promise<{ schedule: FailingSchedule } | { missing: SearchMissing }> {
  const { plan } = run;
  if (budgetMs <= 0) {
    if (open) await run.closeSession(open);
    return { missing: 'no-time' };
  }
  const deadline = performance.now() + budgetMs;
  const { workers, concurrency, iterations } = failing.config;
  const ops = failing.config.ops.length ? failing.config.ops : plan.ops;
  // The search's session of this setup when it is still open (a worker start with the instrumenting loader saved).
  const session =
    open && !open.broken
      ? open
      : await run.openSession(workers, {
          lanes: concurrency,
          history: true,
          instrument: instrumentation(plan, run.loaded.file),
          weights: weightsOf(run.loaded, ops),
        });
  if (open && open !== session) await run.closeSession(open);
  // Round numbers of their own, above the run's (the calls are those of `failing.round`, through `as`).
  let next = plan.rounds + 1_000_000;
  const calls = Array.from({ length: workers }, () => iterations);
  const choice = choiceOf(decodeSchedule(failing.schedules[0]!));
  // The longest round played so far: the shrink stops while the strict replays still fit the budget.
  let roundMs = 0;
  const play: Play = async (schedules, lenient, trace) => {
    const t0 = performance.now();
    const p = await playRound(run, session, {
      strategy: 'race',
      round: next++,
      as: failing.round,
      calls,
      overlap: false,
      sampleEvery: 0,
      history: trace,
      controlled: rounds.spec(choice, schedules, lenient, trace),
      lanes: concurrency,
    });
    roundMs = Math.max(roundMs, performance.now() - t0);
    return p;
  };
  const usable = () => performance.now() < deadline && !run.interrupted && !session.broken;
  const shrinking = () => usable() && performance.now() + REPLAYS * roundMs < deadline;
  try {
    const { current, tries } = await shrinkEach(run, failing.schedules, play, shrinking);
    const replay = (chosen: string[]) => replayStrictly(run, session, chosen, play, usable);
    let r = await replay(current);
    // The shrink weighs a schedule by its string, which cannot tell a forced switch (the lane was
    // waiting) from a preemption: when the schedulers count more than the failing round had, it is not smaller.
    if (r.first && preemptionsOf(r.first) > failing.preemptions && current.some((x, i) => x !== failing.schedules[i])) {
      const again = await replay(failing.schedules);
      if (again.first) r = again; // else no time was left for it: the shrunk one is shown
    }
    if (r.first === null) return { missing: run.interrupted ? 'interrupted' : session.broken ? 'workers-lost' : 'no-time' };
    return { schedule: failingSchedule(run, rounds, failing, { ...r, first: r.first, tries }) };
  } finally {
    await run.closeSession(session);
  }
}

/** A round of the failing round's calls under these schedules: leniently (a shrink trial) or not, its steps kept or not. */
type Play = (schedules: string[], lenient: boolean, trace: boolean) => Promise<PlayedRound>;

const preemptionsOf = (p: PlayedRound | null): number => (p?.tallies?.schedules ?? []).reduce((a, x) => a + x.preemptions, 0);

/** Each worker's schedule shrunk in turn (the others held), while `usable`: lenient replays that still fail. */
async function shrinkEach(run: RunContext, schedules: readonly string[], play: Play, usable: () => boolean): Promise<{ current: string[]; tries: number }> {
  const current = [...schedules];
  let tries = 0;
  for (let w = 0; w < current.length && usable(); w++) {
    const shrunk = await shrinkSchedule(
      current[w]!,
      async (candidate) => {
        // Bounded by the deadline, not a count: past it, candidates are refused without a run.
        if (!usable()) return false;
        const p = await play(
          current.map((s, i) => (i === w ? candidate : s)),
          true,
          false,
        );
        run.progress({ strategy: 'race', phase: 'shrink', done: ++tries });
        return { failed: p.failed, schedule: p.tallies?.schedules?.find((s) => s.workerId === w)?.schedule ?? null };
      },
      { maxTries: 100_000 },
    );
    current[w] = shrunk.schedule;
  }
  return { current, tries };
}

/** REPLAYS strict replays of `chosen` while `usable`, the first one shown: "fails again, every time" is counted, not assumed. */
async function replayStrictly(run: RunContext, session: WorkerSession, chosen: string[], play: Play, usable: () => boolean) {
  let failed = 0;
  let count = 0;
  let first: PlayedRound | null = null;
  for (let k = 0; k < REPLAYS && usable(); k++) {
    const p = await play(chosen, false, true);
    count++;
    if (p.failed) failed++;
    first ??= p;
  }
  return { failed, count, first, chosen };
}

/** The report's failing schedule: the replay shown, its steps and calls, and the command that replays it on its setup. */
function failingSchedule(
  run: RunContext,
  rounds: ControlledRounds,
  failing: ControlledFailure,
  r: { failed: number; count: number; first: PlayedRound; chosen: string[]; tries: number },
): FailingSchedule {
  const { plan } = run;
  const { workers, concurrency, iterations } = failing.config;
  const shown = r.first;
  const schedules = [...(shown.tallies?.schedules ?? [])].sort((a, b) => a.workerId - b.workerId);
  const value = scheduleValue({ round: failing.round, workers: r.chosen });
  const { steps, omitted } = stepsOf(schedules);
  // The setup the schedule was recorded on, when it is not the run's own (the smallest failing one).
  const fewerOps =
    failing.config.ops.length > 0 && failing.config.ops.length < run.loaded.opNames.filter((_, i) => weightsOf(run.loaded, plan.ops)[i]! > 0).length;
  const setup = { workers, concurrency, iterations, ...(fewerOps ? { ops: failing.config.ops } : {}) };
  const own = workers === plan.workers && concurrency === plan.concurrency && iterations === rounds.calls && !fewerOps;
  return {
    round: failing.round,
    value,
    preemptions: preemptionsOf(shown),
    preemptionsBefore: failing.preemptions,
    tries: r.tries,
    replays: r.count,
    replaysFailed: r.failed,
    uncontrolled: schedules.reduce((a, s) => a + s.uncontrolled, 0),
    uncontrolledAt: schedules.flatMap((s) => s.uncontrolledAt.map((u) => ({ worker: s.workerId, ...u }))),
    diverged: schedules.find((s) => s.divergence !== null)?.divergence ?? schedules.find((s) => s.stalled !== null)?.stalled ?? null,
    ...blockedOf(schedules, rounds.blockedIn),
    steps,
    omittedSteps: omitted,
    sources: sourcesOf(steps),
    ...(shown.history ? { history: { round: failing.round, calls: shown.history.calls, omitted: shown.history.omitted } } : {}),
    ...(own ? {} : { setup }),
    command: replayCommand(plan, { strategies: ['race'], schedule: value, rounds: REPLAYS, ...(own ? {} : setup) }),
  };
}

/** The lanes the replay shown let go as blocked outside the scheduler, every worker's (none: no field). */
function blockedOf(schedules: readonly ScheduleRun[], blockedIn: BlockedLane['in']): Pick<FailingSchedule, 'blocked' | 'blockedCount'> {
  const blocked = schedules.flatMap((s) => s.blocked.map((b) => ({ worker: s.workerId, ...b, in: blockedIn })));
  if (blocked.length === 0) return {};
  return { blocked, blockedCount: schedules.reduce((a, s) => a + s.blockedCount, 0) };
}

/** Every worker's steps, the last STEPS_KEPT of each. */
function stepsOf(schedules: readonly ScheduleRun[]): { steps: ScheduleStep[]; omitted: number } {
  let omitted = 0;
  const steps = schedules.flatMap((s) => {
    const trace = s.trace ?? [];
    omitted += Math.max(0, trace.length - STEPS_KEPT);
    return trace.slice(-STEPS_KEPT);
  });
  return { steps, omitted };
}

/** Each await site's line of source, so a step reads `… → ticket.mjs:24  await audit('hold')` (TypeScript sites are the .ts file's, through source maps). */
function sourcesOf(steps: readonly ScheduleStep[]): Record<string, string> {
  const files = new Map<string, string[] | null>();
  const out: Record<string, string> = {};
  for (const site of new Set(steps.flatMap((x) => [x.from, x.to]))) {
    const p = parseSite(site);
    if (!p) continue;
    if (!files.has(p.file)) {
      try {
        files.set(p.file, readFileSync(p.file, 'utf8').split('\n'));
      } catch {
        files.set(p.file, null);
      }
    }
    const text = files.get(p.file)?.[p.line - 1]?.trim();
    if (text) out[site!] = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
  return out;
}
