// --schedule's value: `<round>:<worker 0's schedule>,<worker 1's>,...` (scheduler/schedule.ts strings).
// Checked in full when the plan is made (each checksum, each lane count against --concurrency, one
// per worker), so a replay that cannot be what it says is refused before any round runs.
import { OptionError } from '../errors.js';
import { decodeSchedule } from '../scheduler/schedule.js';

export interface ScheduleReplay {
  /** The round whose calls are repeated. */
  round: number;
  /** One schedule per worker. */
  workers: string[];
}

export function parseScheduleValue(value: string): ScheduleReplay {
  const at = value.indexOf(':');
  return { round: Number(value.slice(0, at)), workers: value.slice(at + 1).split(',') };
}

export function scheduleValue(s: ScheduleReplay): string {
  return `${s.round}:${s.workers.join(',')}`;
}

/** The plan's check of --schedule against --workers and --concurrency; throws an OptionError (exit 2). */
export function checkScheduleValue(value: string, workers: number, lanes: number): ScheduleReplay {
  const s = parseScheduleValue(value);
  if (s.workers.length !== workers)
    throw new OptionError(`--schedule has ${s.workers.length} schedule(s), one per worker, but the run has ${workers} worker(s) (-w ${s.workers.length})`);
  for (const [w, text] of s.workers.entries()) {
    let lanesOf: number;
    try {
      lanesOf = decodeSchedule(text).lanes;
    } catch (e) {
      throw new OptionError(`--schedule, worker ${w}: ${(e as Error).message}`);
    }
    if (lanesOf !== lanes) throw new OptionError(`--schedule, worker ${w}: it was recorded with ${lanesOf} lanes, this run has ${lanes} (-c ${lanesOf})`);
  }
  return s;
}
