// The pass's confidence, where the race strategy's report states one (issue 23: `confidence` with the
// effective rounds, k95/k99, the PCT bound of controlled rounds, a target). Read field by field, so a
// report without it, or with only some of it, renders what it has.
import type { RaceReport } from '../../schema/report.js';
import { int } from '../terminal/common.js';
import { clip } from './markup.js';

export interface ConfidenceView {
  effectiveRounds?: number;
  k95?: number;
  k99?: number;
  note?: string;
  pct?: { depth?: number; missBound?: number; controlledRounds?: number; note?: string };
  target?: { rate?: number; probability?: number; reached?: boolean };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);

export function confidenceOf(s: RaceReport): ConfidenceView | null {
  const c = obj((s as unknown as Record<string, unknown>).confidence);
  if (!c) return null;
  const pct = obj(c.pct);
  const target = obj(c.target);
  return {
    effectiveRounds: num(c.effectiveRounds),
    k95: num(c.k95),
    k99: num(c.k99),
    note: str(c.note) ?? str(c.reason),
    pct: pct && { depth: num(pct.depth), missBound: num(pct.missBound), controlledRounds: num(pct.controlledRounds), note: str(pct.note) },
    target: target && {
      rate: num(target.rate),
      probability: num(target.probability),
      reached: typeof target.reached === 'boolean' ? target.reached : undefined,
    },
  };
}

/** The confidence as one sentence per part the report states. */
export function confidenceText(c: ConfidenceView): string {
  const parts: string[] = [];
  if (c.k95 !== undefined && c.k99 !== undefined && c.k95 > 0)
    parts.push(
      `A race showing in 1 of ${int(c.k95)} overlapping rounds or more often would have been caught (95%); 1 of ${int(c.k99)} (99%)${
        c.effectiveRounds !== undefined ? `, from ${int(c.effectiveRounds)} rounds in which calls overlapped` : ''
      }.`,
    );
  else if (c.effectiveRounds !== undefined) parts.push(`No rate is claimed: ${int(c.effectiveRounds)} rounds in which calls overlapped.`);
  if (c.note) parts.push(clip(c.note, 400));
  if (c.pct?.missBound !== undefined)
    parts.push(
      `Controlled rounds${c.pct.depth !== undefined ? ` (PCT depth ${c.pct.depth})` : ''}: an ordering bug of that depth is missed with probability at most ${c.pct.missBound.toPrecision(2)}.`,
    );
  else if (c.pct?.note) parts.push(clip(c.pct.note, 400));
  if (c.target?.rate !== undefined)
    parts.push(
      `Target 1/${int(c.target.rate)}${c.target.probability !== undefined ? ` at ${(c.target.probability * 100).toFixed(0)}%` : ''}: ${c.target.reached ? 'reached' : 'not reached'}.`,
    );
  return parts.join(' ');
}
