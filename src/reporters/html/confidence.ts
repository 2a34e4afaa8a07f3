// The pass's confidence, where a strategy's report states one (issue 23: `confidence` with the effective
// rounds, k95/k99, the PCT bound of controlled rounds, a --confidence target, a failure rate). Read field
// by field, so that a report without it, or with only part of it, renders what it has.
// TODO(issue 23): once reporters/confidence.ts (confidenceSentences) is on main, word it with that.
import type { StrategyReport } from '../../schema/report.js';
import { int } from '../terminal/common.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
const pct = (p: number): string => `${Number((p * 100).toPrecision(3))}%`;

/** The strategy's `confidence` object, if its report has one. */
export const confidenceOf = (s: StrategyReport): Record<string, unknown> | null => obj((s as unknown as Record<string, unknown>).confidence) ?? null;

/** The confidence as sentences, one per part the report states. */
export function confidenceText(c: Record<string, unknown>): string {
  const parts: string[] = [];
  const [k95, k99, effective] = [num(c.k95), num(c.k99), num(c.effectiveRounds)];
  if (k95 !== undefined && k99 !== undefined)
    parts.push(
      `A race showing in 1 of ${int(k95)} overlapping rounds or more often would have been caught (95%); 1 of ${int(k99)} (99%)${
        effective !== undefined ? `, from ${int(effective)} rounds in which calls overlapped` : ''
      }.`,
    );
  else if (typeof c.noClaim === 'string') parts.push(`No rate claimed (${c.noClaim}).`);
  const p = obj(c.pct);
  const miss = num(p?.missBound);
  if (p && miss !== undefined)
    parts.push(`Controlled rounds (PCT, depth ${String(p.depth)}): an ordering bug of that depth missed with probability at most ${pct(miss)}.`);
  else if (p?.voided) parts.push('Controlled rounds: no PCT bound (lanes resumed outside the scheduler’s control).');
  const t = obj(c.target);
  const oneIn = num(t?.oneIn);
  if (t && oneIn !== undefined) parts.push(`--confidence 1/${int(oneIn)}: ${t.reached === true ? 'reached' : 'not reached'}.`);
  const f = obj(c.failureRate);
  const [rate, low, high] = [num(f?.rate), num(f?.low), num(f?.high)];
  if (rate !== undefined && low !== undefined && high !== undefined) parts.push(`Failure rate ${pct(rate)} (95% interval ${pct(low)} to ${pct(high)}).`);
  return parts.join(' ');
}
