// The words a scheduler step is written in: where a lane stood (an await's `file:line:col`, its start,
// the start of a call) and what it ran to (the next await, its end). A timer callback of the user's code
// is named by where it was set: `setTimeout file:line:col`.

/** Where a lane stands before its first step. */
export const START_SITE = 'start';
/** Where a lane stands at the start of each later call (beginCall). */
export const CALL_SITE = 'call';
/** Where a step ended when the lane's calls were all done. */
export const END_SITE = 'end';

export type TimerKind = 'setTimeout' | 'setImmediate';

export interface SitePlace {
  /** A timer callback set at this place, or null for an await. */
  timer: TimerKind | null;
  file: string;
  line: number;
  col: number;
}

const SITE = /^(?:(setTimeout|setImmediate) )?(.*):(\d+):(\d+)$/;

/** A site's place in the source, or null for the markers (start, call, end). */
export function parseSite(site: string | null): SitePlace | null {
  const m = site === null ? null : SITE.exec(site);
  if (!m) return null;
  return { timer: (m[1] as TimerKind | undefined) ?? null, file: m[2]!, line: Number(m[3]), col: Number(m[4]) };
}

export const timerSite = (kind: TimerKind, site: string): string => `${kind} ${site}`;
