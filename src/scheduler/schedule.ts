// A schedule as a compact, shell-safe string: `<strategy>-<lanes>-<decisions>-<check>`, e.g.
// `pct3-4-0.12.1230.5.-k2`. The decisions are the lane (base 36; two digits each beyond 36 lanes) chosen at every step where two or more
// lanes were still alive (a step with one live lane has no choice, so it is not written); a run of 3 or
// more equal decisions is written `<lane>.<count>.`. When the lane ran another of its parked
// continuations than its first (a lane with two awaits in flight, e.g. under Promise.all), the
// decision carries its place among them: `<lane>_<item>_`. The lane count is a field of its own, so a
// schedule replayed against a different --concurrency is refused, and a 2-character checksum over the
// rest catches a string that was cut or mistyped before it can replay something else.
import { UsageError } from '../errors.js';

/** Lanes a schedule can name: --concurrency's bound. A decision takes as many base-36 digits as the lane count needs. */
export const MAX_LANES = 10_000;

/** Base-36 digits per decision: 1 up to 36 lanes, 2 up to 1,296, 3 beyond. */
export const laneWidth = (lanes: number): number => (lanes <= 36 ? 1 : lanes <= 1296 ? 2 : 3);

export type StrategyName = 'random' | 'pct';

export interface Schedule {
  strategy: StrategyName;
  /** PCT's depth d (d - 1 priority change points); 0 for the random walk. */
  depth: number;
  lanes: number;
  decisions: number[];
  /** Per decision, which of the lane's parked continuations ran (0, the first, when absent). */
  items?: number[];
}

/** FNV-1a over the text, as two base-36 characters. */
function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return ((h >>> 0) % 1296).toString(36).padStart(2, '0');
}

function encodeDecisions(decisions: readonly number[], items: readonly number[] | undefined, lanes: number): string {
  const width = laneWidth(lanes);
  const token = (i: number): string => decisions[i]!.toString(36).padStart(width, '0') + (items?.[i] ? `_${items[i].toString(36)}_` : '');
  let out = '';
  for (let i = 0; i < decisions.length;) {
    const t = token(i);
    let j = i + 1;
    while (j < decisions.length && token(j) === t) j++;
    out += j - i >= 3 ? `${t}.${j - i}.` : t.repeat(j - i);
    i = j;
  }
  return out;
}

export function encodeSchedule(s: Schedule): string {
  const head = `${s.strategy === 'pct' ? `pct${s.depth}` : 'rw'}-${s.lanes.toString(36)}-${encodeDecisions(s.decisions, s.items, s.lanes)}`;
  return `${head}-${checksum(head)}`;
}

/** Parse a schedule string; a malformed one throws a UsageError (exit 2) with a one-line reason. */
export function decodeSchedule(text: string): Schedule {
  const bad = (why: string): never => {
    throw new UsageError(`bad schedule '${text.length > 60 ? `${text.slice(0, 57)}...` : text}': ${why}`);
  };
  const m = /^(rw|pct(\d+))-([0-9a-z]+)-([0-9a-z._]*)-([0-9a-z]{2})$/.exec(text.trim());
  if (!m) return bad('expected <strategy>-<lanes>-<decisions>-<check>, e.g. pct3-4-0120-k2');
  const head = `${m[1]}-${m[3]}-${m[4]}`;
  if (checksum(head) !== m[5]) return bad('checksum mismatch (the string was cut or changed)');
  const lanes = parseInt(m[3]!, 36);
  if (lanes < 1 || lanes > MAX_LANES) return bad(`lane count ${lanes} out of range 1..${MAX_LANES}`);
  const decisions: number[] = [];
  const items: number[] = [];
  const body = m[4]!;
  const width = laneWidth(lanes);
  for (let i = 0; i < body.length;) {
    const digits = body.slice(i, i + width);
    const lane = /^[0-9a-z]+$/.test(digits) && digits.length === width ? parseInt(digits, 36) : NaN;
    if (Number.isNaN(lane) || lane >= lanes) return bad(`decision ${decisions.length + 1} names lane ${digits}, but there are ${lanes} lanes`);
    i += width;
    let item = 0;
    if (body[i] === '_') {
      const end = body.indexOf('_', i + 1);
      item = end < 0 ? NaN : parseInt(body.slice(i + 1, end), 36);
      if (!Number.isInteger(item) || item < 1) return bad(`bad continuation number after decision ${decisions.length + 1}`);
      i = end + 1;
    }
    let count = 1;
    if (body[i] === '.') {
      const end = body.indexOf('.', i + 1);
      count = Number(body.slice(i + 1, end));
      if (end < 0 || !Number.isInteger(count) || count < 3) return bad(`bad repeat count after decision ${decisions.length + 1}`);
      i = end + 1;
    }
    for (let k = 0; k < count; k++) {
      decisions.push(lane);
      items.push(item);
    }
  }
  const strategy: StrategyName = m[2] === undefined ? 'random' : 'pct';
  const depth = m[2] === undefined ? 0 : Number(m[2]);
  return items.some((x) => x > 0) ? { strategy, depth, lanes, decisions, items } : { strategy, depth, lanes, decisions };
}

/**
 * The context switches of a decision sequence that may be preemptions: a switch away from a lane that
 * is chosen again later (so it had not finished). Its indices, in order. The scheduler's own count
 * knows readiness and is exact; this one works on the string alone, for shrinking.
 */
export function switchPoints(decisions: readonly number[]): number[] {
  const out: number[] = [];
  const lastAt = new Map<number, number>();
  decisions.forEach((d, i) => lastAt.set(d, i));
  for (let i = 1; i < decisions.length; i++) {
    const prev = decisions[i - 1]!;
    if (decisions[i] !== prev && lastAt.get(prev)! > i) out.push(i);
  }
  return out;
}
