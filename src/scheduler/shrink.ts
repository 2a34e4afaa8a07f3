// Shrinking a failing schedule to fewer preemptions (issue 14, item 5), greedily, as Coyote's and
// shuttle's replayers let a user do by hand: leave one lane out of the interleaving (its steps run when
// nothing else can, or at the end), one lane at a time; cut the schedule after its k-th preemption (the
// rest runs without preempting), smallest k first; else remove one preemption by bringing the preempted
// lane's next run forward. A candidate is kept only when the predicate says it still fails and it is
// smaller: fewer preemptions, else fewer lanes taking part before the last one, else fewer decisions.
// Pure: the predicate runs the code (a lenient replay, which reports the schedule it actually followed,
// and that one is kept).
import { decodeSchedule, encodeSchedule, switchPoints, type Schedule } from './schedule.js';

/** Does the run of this schedule still fail? Optionally: the schedule the run actually followed. */
export type StillFails = (schedule: string) => Promise<boolean | { failed: boolean; schedule?: string | null }>;

export interface ShrinkResult {
  schedule: string;
  /** Switches away from a lane that runs again later, before and after. */
  preemptionsBefore: number;
  preemptions: number;
  /** Predicate calls made. */
  tries: number;
}

/** The decisions with the run of `d[i-1]`'s lane that follows index i moved to index i. */
export function withoutSwitch(d: readonly number[], i: number): number[] {
  const p = d[i - 1];
  let j = i;
  while (j < d.length && d[j] !== p) j++;
  let e = j;
  while (e < d.length && d[e] === p) e++;
  return [...d.slice(0, i), ...d.slice(j, e), ...d.slice(i, j), ...d.slice(e)];
}

/** Lanes that take part in the interleaving: those chosen up to the last preemption. */
function lanesBefore(d: readonly number[], points: readonly number[]): number {
  const last = points.at(-1);
  return last === undefined ? 0 : new Set(d.slice(0, last + 1)).size;
}

export async function shrinkSchedule(schedule: string, stillFails: StillFails, opts: { maxTries?: number } = {}): Promise<ShrinkResult> {
  const maxTries = opts.maxTries ?? 200;
  let best: Schedule = decodeSchedule(schedule);
  const count = (s: Schedule): number => switchPoints(s.decisions).length;
  /** Smaller than `than`: fewer preemptions, else fewer lanes taking part, else fewer decisions. */
  const smaller = (s: Schedule, than: Schedule): boolean => {
    const a = switchPoints(s.decisions);
    const b = switchPoints(than.decisions);
    if (a.length !== b.length) return a.length < b.length;
    const la = lanesBefore(s.decisions, a);
    const lb = lanesBefore(than.decisions, b);
    return la !== lb ? la < lb : s.decisions.length < than.decisions.length;
  };
  const before = count(best);
  let tries = 0;
  const attempt = async (decisions: number[]): Promise<boolean> => {
    tries++;
    // Without continuation numbers: a lenient replay runs each lane's first that may run, and reports what it followed.
    const tried: Schedule = { strategy: best.strategy, depth: best.depth, lanes: best.lanes, decisions };
    const r = await stillFails(encodeSchedule(tried));
    const failed = typeof r === 'boolean' ? r : r.failed;
    if (!failed) return false;
    const followed = typeof r === 'object' && r.schedule ? decodeSchedule(r.schedule) : tried;
    const better = smaller(followed, best);
    if (better) best = followed;
    return better;
  };
  const round = async (): Promise<boolean> => {
    const points = switchPoints(best.decisions);
    // Lanes left out, those that joined last first (the early ones usually make the race).
    const lanes = [...new Set(best.decisions)].reverse();
    if (lanes.length > 2) for (const lane of lanes) if (tries < maxTries && (await attempt(best.decisions.filter((x) => x !== lane)))) return true;
    for (const at of points) if (tries < maxTries && (await attempt(best.decisions.slice(0, at)))) return true;
    for (const at of points) if (tries < maxTries && (await attempt(withoutSwitch(best.decisions, at)))) return true;
    return false;
  };
  while (tries < maxTries && count(best) > 0 && (await round()));
  return { schedule: encodeSchedule(best), preemptionsBefore: before, preemptions: count(best), tries };
}
