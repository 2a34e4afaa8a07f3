// The policies of the scheduler, as objects it is given (fast-check's TaskSelector, in
// arbitrary/_internals/implementations/SchedulerImplem.ts, is the model): which lane runs next. The
// mechanism (scheduler.ts) parks, grants, settles, detects stalls and traces; it asks a selector at every
// step where two or more lanes are live, and never asks which selector it has.
//
//   randomWalk   a uniformly random ready lane
//   pct          PCT (Burckhardt et al., ASPLOS 2010, as Coyote and shuttle run it): random distinct lane
//                priorities, d - 1 change points at random decisions, the highest-priority ready lane
//   replay       the lanes a schedule string recorded, waiting for each to be ready; says where the run
//                left the schedule (strict), or carries on without preempting (lenient: shrink trials);
//                a recorded lane blocked outside the scheduler (in a database) lets a later one go first
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { OptionError } from '../errors.js';
import { decodeSchedule, type Schedule, type StrategyName } from './schedule.js';

/** What a selector sees at a decision. Lanes are listed in ascending order. */
export interface DecisionView {
  /** Decisions taken so far (a decision is a step where two or more lanes were live). */
  readonly index: number;
  /** Lanes that may still run: their calls are not all done, or they hold parked continuations. */
  readonly live: readonly number[];
  /** Lanes with a continuation that may run now. Never empty when a selector is asked. */
  readonly ready: readonly number[];
  /** The lane of the step before, -1 before the first. */
  readonly last: number;
  /** May continuation `item` (its place among the lane's parked ones, in park order) of `lane` run now? */
  canRun(lane: number, item: number): boolean;
}

/** A lane (its first continuation that may run), a lane and one of its continuations, or where the run left a replayed schedule. */
export type Pick = number | { lane: number; item: number } | { diverged: string };

/** The mechanism waits for a change (a settlement, a park, a lane's end) and asks again. */
export const WAIT = -1;

export interface LaneSelector {
  /** Written into the schedule string, so that it replays with the same policy's name. */
  readonly strategy: StrategyName;
  readonly depth: number;
  pick(view: DecisionView): Pick;
  /**
   * The lane `pick` wanted is blocked outside the scheduler (its await did not settle within the
   * mechanism's short bound while the ready lanes were parked: a row lock in a database that a parked
   * lane holds): which ready lane runs instead. Only selectors that wait for a lane are asked; absent,
   * the lowest ready lane runs.
   */
  blocked?(view: DecisionView, lane: number): Pick;
  /** At the end of the round, with the decisions taken: what was left of a replayed schedule, as a divergence, or null. */
  end(decisions: number): string | null;
}

/** The settings of a controlled round, the one option bag: the race sends it to every worker in the round's request. */
export interface ControlledSpec {
  strategy: StrategyName;
  /** PCT's depth d (d - 1 change points); 0 for the random walk. */
  depth: number;
  /** PCT: the steps a round is expected to take (the last controlled round's). */
  estimatedSteps: number;
  /** A schedule per worker to replay instead of choosing (null: choose). */
  replay: (string | null)[] | null;
  /** Replay as far as the schedule fits, then without preempting (shrink trials); never diverges. */
  lenient: boolean;
  /** Send each worker's steps back (a replay whose trace is shown). */
  trace: boolean;
  /** Nothing could run for this long: the rest of the round runs uncontrolled (and says so). */
  stallMs: number;
  /**
   * A lane the selector waits for whose await has not settled within this long, while every other lane
   * is parked and some could run, is blocked outside the scheduler (a database's lock held by a parked
   * lane): another lane runs instead. Absent: the selector is waited for until stallMs.
   */
  blockedMs?: number;
}

/** One 32-bit seed from (seed, round, worker): murmur3's finaliser over each part. */
export function roundSeed(seed: number, round = 0, workerId = 0): number {
  let h = 0x1b873593;
  for (const part of [seed, round, workerId]) {
    h ^= part >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h | 0;
}

type Rng = ReturnType<typeof xoroshiro128plus>;

/** PCT turns fair (a uniform choice) past this many times its expected steps, and not before FAIR_MIN decisions. */
const FAIR_AFTER = 4;
const FAIR_MIN = 100;
/** Lenient replay past its schedule keeps the last lane running at most this many decisions in a row. */
const LENIENT_RUN = 32;

export function randomWalk(rng: Rng): LaneSelector {
  return {
    strategy: 'random',
    depth: 0,
    pick: (v) => v.ready[uniformInt(rng, 0, v.ready.length - 1)]!,
    end: () => null,
  };
}

/**
 * PCT. The lane that ran last keeps running while it is ready, except at a change point, where its
 * priority drops below every initial one; otherwise the highest-priority ready lane runs. A lane made
 * ready by I/O does not take over a lane that can continue (that would make the outside world's timing
 * a preemption): so the only preemptions are the d - 1 change points, and depth 1 never preempts.
 * Fair in the end: a lane that waits for another by polling (`while (locked) await sleep()`) would run
 * forever at the top priority, so past FAIR_AFTER times the expected steps the choice is uniform, as
 * Coyote and shuttle bound their unfair schedulers.
 */
export function pct(rng: Rng, lanes: number, depth: number, estimatedSteps: number): LaneSelector {
  if (!Number.isInteger(depth) || depth < 1) throw new OptionError(`depth: ${String(depth)} (an integer >= 1)`);
  // Distinct priorities d .. d+n-1 in random order; d - 1 distinct change points in 1..k, the i-th lowering to i.
  const priority = Array.from({ length: lanes }, (_, i) => depth + i);
  for (let i = lanes - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [priority[i], priority[j]] = [priority[j]!, priority[i]!];
  }
  const changeAt = new Map<number, number>();
  const k = Math.max(1, Math.floor(estimatedSteps));
  const fairAfter = Math.max(FAIR_MIN, FAIR_AFTER * k);
  for (let i = 1; i < depth && changeAt.size < k;) {
    const at = uniformInt(rng, 1, k);
    if (!changeAt.has(at)) changeAt.set(at, i++);
  }
  return {
    strategy: 'pct',
    depth,
    pick(v) {
      if (v.index >= fairAfter) return v.ready[uniformInt(rng, 0, v.ready.length - 1)]!;
      const top = (): number => v.ready.reduce((a, b) => (priority[b]! > priority[a]! ? b : a));
      const canContinue = v.last >= 0 && v.ready.includes(v.last);
      const change = changeAt.get(v.index + 1);
      if (change === undefined) return canContinue ? v.last : top();
      priority[canContinue ? v.last : top()] = change; // below every initial priority (>= d)
      return top();
    },
    end: () => null,
  };
}

/**
 * The recorded lanes, each once it is ready (the continuation it ran, when it was not the lane's first).
 * Strict: where the run cannot follow the schedule, it says so (a divergence) and the round goes on
 * uncontrolled. Lenient (a shrink trial's candidate, which may not fit): as far as it fits, then the
 * lane that ran last if it can continue, else the lowest ready lane; it never waits for a lane while
 * another one can run, so a candidate that does not fit costs no time.
 * A recorded lane blocked outside the scheduler (the mechanism asks `blocked`) is not waited for: the
 * schedule's next decision whose lane can run now moves before it (else a step of the lane that ran
 * last, or the lowest ready one, is inserted), and the blocked lane stays the next one wanted. So the
 * replay follows the rest of its schedule, with that step moved, as a database that answered the lanes'
 * queries in another order than the recording's makes it do.
 */
export function replay(s: Schedule, lenient: boolean): LaneSelector {
  // Off the schedule: the last lane while it can go on (no preemption), but not forever (a lane polling
  // for another would never let it run): then the next ready lane after it.
  let streak = 0;
  const fallback = (v: DecisionView): number => {
    const goOn = v.last >= 0 && v.ready.includes(v.last);
    streak = goOn ? streak + 1 : 0;
    if (goOn && streak <= LENIENT_RUN) return v.last;
    if (!goOn) return v.ready[0]!;
    streak = 0;
    return v.ready.find((l) => l > v.last) ?? v.ready[0]!;
  };
  // The decisions still to follow, reordered when a recorded lane is blocked (copies: `s` is the caller's).
  const lanes = [...s.decisions];
  const items = s.decisions.map((_, i) => s.items?.[i] ?? 0);
  // Once a step moved, the lanes' ends may come in another order: the schedule's tail is followed leniently.
  let moved = false;
  return {
    strategy: s.strategy,
    depth: s.depth,
    pick(v) {
      const want = lanes[v.index];
      const item = items[v.index] ?? 0;
      const at = `schedule diverged at step ${v.index + 1}`;
      const loose = lenient || moved;
      if (want === undefined) return loose ? fallback(v) : { diverged: `${at}: it ends there, but lanes ${v.live.join(', ')} are still running` };
      if (!v.live.includes(want)) return loose ? fallback(v) : { diverged: `${at}: lane ${want} has already finished` };
      if (v.canRun(want, item)) return { lane: want, item };
      // Once a step moved, a continuation's place among its lane's parked ones is no longer the recorded one: the lane's first that can run.
      if (moved && v.ready.includes(want)) return want;
      if (!lenient) return { lane: want, item }; // not ready yet: the mechanism waits for it
      return v.ready.includes(want) ? want : fallback(v);
    },
    blocked(v, lane) {
      const i = v.index;
      moved = true;
      const move = (from: number, to: number): void => {
        lanes.splice(to, 0, ...lanes.splice(from, 1));
        items.splice(to, 0, ...items.splice(from, 1));
      };
      for (let k = i + 1; k < lanes.length; k++) {
        const other = lanes[k]!;
        if (other === lane || !v.ready.includes(other)) continue;
        move(k, i);
        return v.canRun(other, items[i]!) ? { lane: other, item: items[i]! } : other;
      }
      const other = fallback(v);
      lanes.splice(i, 0, other);
      items.splice(i, 0, 0);
      return other;
    },
    end: (decisions) => {
      const unused = lanes.length - decisions;
      return !lenient && !moved && unused > 0
        ? `schedule diverged at step ${decisions + 1}: the run ended with ${unused} decision(s) of the schedule unused`
        : null;
    },
  };
}

/** The selector of one worker's controlled round: a fresh choice per (seed, round, worker), or the schedule to replay. */
export function selectorFor(spec: ControlledSpec, at: { seed: number; round: number; workerId: number; lanes: number }): LaneSelector {
  const recorded = spec.replay?.[at.workerId] ?? null;
  if (recorded) {
    const s = decodeSchedule(recorded);
    if (s.lanes !== at.lanes) throw new OptionError(`schedule: it was recorded with ${s.lanes} lanes, this run has ${at.lanes}`);
    return replay(s, spec.lenient);
  }
  const rng = xoroshiro128plus(roundSeed(at.seed, at.round, at.workerId));
  return spec.strategy === 'pct' ? pct(rng, at.lanes, spec.depth || 3, spec.estimatedSteps || 8 * at.lanes) : randomWalk(rng);
}
