// The confidence of a strategy as sentences (docs/explanation/confidence.md), the same for the terminal,
// JUnit and the GitHub summary: how rare a race a passing race would have caught, on what, PCT's bound
// over the controlled rounds, the --confidence target, and a failing strategy's failure rate. Every
// figure was decided in checks/confidence.ts; this only words it.
import type { Confidence, NoClaim, OverlapCount, PctBound, Status } from '../schema/report.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A probability as a percentage: 1 decimal, or 2 significant digits below 0.1%. */
export function percent(p: number): string {
  const v = p * 100;
  if (v === 0 || v === 100) return `${v}%`;
  if (v >= 0.1 && v <= 99.9) return `${v.toFixed(1)}%`;
  if (v > 99.9) return `${(100 - Number((100 - v).toPrecision(2))).toString()}%`;
  return `${Number(v.toPrecision(2)).toString()}%`;
}

const NO_CLAIM: Record<NoClaim, string> = {
  'single-lane': 'one worker and one lane: calls never overlapped',
  'no-rounds': 'no natural round ran to the end (only controlled or replayed rounds, or every round cut short)',
  'not-measured': 'contention was not measured in any natural round',
  'no-overlap': 'the calls never overlapped another call in the rounds that measured it',
  'one-round': 'one round says nothing of a rate (the race strategy plays thousands)',
};

/** "a race showing in 1 of 2,114 overlapping rounds or more often would have been caught (95%); 1 of 1,376 (99%)". */
export function claimSentence(c: OverlapCount): string {
  if (c.k95 === null || c.k99 === null) return `no rate claimed: ${NO_CLAIM[c.noClaim ?? 'no-overlap']}`;
  return `a race showing in 1 of ${int(c.k95)} overlapping rounds or more often would have been caught (95%); 1 of ${int(c.k99)} (99%)`;
}

/** How the effective rounds were counted: in every round, or estimated from the rounds that measured contention. */
export function countSentence(c: OverlapCount): string {
  const n = `${int(c.effectiveRounds)} overlapping round${c.effectiveRounds === 1 ? '' : 's'}`;
  if (c.method === 'measured') return `${n}, measured in every round`;
  if (c.method === 'sampled')
    return `${n}, estimated: ${int(c.overlappedRounds)} of the ${int(c.measuredRounds)} rounds that measured contention overlapped; the other ${int(c.rounds - c.measuredRounds)} counted at ${percent(c.shareLow ?? 0)} (the lower end of that share's 95% interval)`;
  return `${n}`;
}

/** The caveat that goes with every figure: it holds for these machines, this setup and their load. */
export function holdsFor(c: Confidence): string {
  const on = c.machines.length > 1 ? `these machines (${c.machines.join(', ')})` : `this machine (${c.machines[0] ?? 'unnamed'})`;
  return `holds for ${on}, ${c.workers} worker${c.workers === 1 ? '' : 's'} × ${c.lanes} lane${c.lanes === 1 ? '' : 's'} and the load at the time; a race that needs another setup is not covered`;
}

/** PCT's bound over the controlled rounds, or why it is void. */
export function pctSentence(p: PctBound): string {
  if (p.voided)
    return `controlled rounds: no PCT bound: ${int(p.voided.rounds)} PCT round${p.voided.rounds === 1 ? '' : 's'} resumed lanes outside the scheduler's control (${p.voided.reason}), so not every order was the scheduler's`;
  if (p.missBound === null) return 'controlled rounds: no PCT round ran to the end';
  return `controlled rounds (PCT, depth ${p.depth}): a given ordering bug of depth ${p.depth} within a worker's first ${int(p.estimatedSteps)} steps would have been missed with probability at most ${percent(p.missBound)} (${int(p.controlledRounds)} rounds, ${p.lanes} lanes)`;
}

/** --confidence: reached, or what was reached instead. */
export function targetSentence(c: Confidence): string | null {
  const t = c.target;
  if (!t) return null;
  const asked = `--confidence 1/${t.oneIn}@${+(t.probability * 100).toFixed(4)}%`;
  if (t.reached) return `${asked}: reached (${int(t.roundsNeeded)} overlapping rounds needed by every operation)`;
  return `${asked}: not reached (${int(t.roundsNeeded)} overlapping rounds needed)`;
}

/** "failed in 20 of 30 rounds: 66.7% (95% interval 48.8% to 80.8%, Wilson)". */
export function failureSentence(c: Confidence): string | null {
  const f = c.failureRate;
  if (!f) return null;
  return `failed in ${int(f.failed)} of ${int(f.rounds)} rounds: ${percent(f.rate)} (95% interval ${percent(f.low)} to ${percent(f.high)}, Wilson)`;
}

/** Per operation, when they differ: "per operation (95%): incr 1 of 2,114 · get no rate". */
function perOperationSentence(c: Confidence): string | null {
  if (c.perOperation.length < 2) return null;
  const ks = new Set(c.perOperation.map((o) => o.k95));
  if (ks.size === 1 && c.perOperation[0]!.k95 === c.k95) return null;
  return `per operation (95%): ${c.perOperation.map((o) => `${o.op} ${o.k95 === null ? 'no rate' : `1 of ${int(o.k95)}`}`).join(' · ')}`;
}

/** Every sentence of a race's confidence, in order, for a strategy of `status`: the claim only for a pass. */
export function confidenceSentences(c: Confidence, status: Status): string[] {
  const out: string[] = [];
  if (status === 'pass') {
    out.push(claimSentence(c));
    if (c.k95 !== null) out.push(countSentence(c));
    const per = perOperationSentence(c);
    if (per) out.push(per);
    out.push(holdsFor(c));
  }
  const failure = failureSentence(c);
  if (failure) out.push(failure);
  if (c.pct && status === 'pass') out.push(pctSentence(c.pct));
  const target = targetSentence(c);
  if (target) out.push(target);
  return out;
}
