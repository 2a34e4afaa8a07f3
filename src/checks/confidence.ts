// The confidence of a pass, decided from the rounds' own evidence (docs/explanation/confidence.md): how
// many rounds could have shown a race (effective rounds: the operation's calls overlapped another call,
// measured as the contention evidence is), how rare a race they would have caught, PCT's bound over the
// controlled rounds, whether a --confidence target is reached, and a failing strategy's failure rate.
// The arithmetic is maths/confidence.ts; the sentences are the reporters'.
import { effectiveRounds, largestK, LEVELS, logMissOf, missBound, pctRoundProbability, roundsNeeded, wilson } from '../maths/confidence.js';
import type { ConfidenceTarget } from '../options/table.js';
import type { RoundTallies } from '../pool/session.js';
import type { Confidence, NoClaim, OverlapCount, PctBound, WarningFacts } from '../schema/report.js';

/** What the tally reads of a played round (rounds/play.ts PlayedRound has it). */
export interface ConfidenceRound {
  tallies: RoundTallies | null;
  /** Every worker ran its share to the end. */
  complete: boolean;
  /** The model could not decide it: a race in it could have gone unseen. */
  modelUnknown?: string;
}

/** What the round was: did it measure contention; controlled, and how (the spec the workers got). */
export interface ConfidenceKind {
  overlap: boolean;
  controlled?: { strategy: string; depth: number; estimatedSteps: number; replay?: unknown } | null;
}

/** Raw counts of one scope (the strategy, or one operation): what merge adds up and the estimate reads. */
export interface OverlapCounts {
  rounds: number;
  measuredRounds: number;
  overlappedRounds: number;
}

/** The figures of a scope from its raw counts (the same function for a run and a merge of shards). */
export function overlapCount(c: OverlapCounts, setup: { workers: number; lanes: number }): OverlapCount {
  const e = effectiveRounds(c.rounds, c.measuredRounds, c.overlappedRounds);
  const out: OverlapCount = {
    rounds: c.rounds,
    measuredRounds: c.measuredRounds,
    overlappedRounds: c.overlappedRounds,
    effectiveRounds: e.n,
    method: e.method,
    ...(e.shareLow !== undefined ? { shareLow: e.shareLow } : {}),
    k95: largestK(e.n, LEVELS[0]),
    k99: largestK(e.n, LEVELS[1]),
  };
  if (e.n === 0) out.noClaim = noClaimOf(c, setup);
  return out;
}

function noClaimOf(c: OverlapCounts, setup: { workers: number; lanes: number }): NoClaim {
  if (setup.workers * setup.lanes <= 1) return 'single-lane';
  if (c.rounds === 0) return 'no-rounds';
  if (c.measuredRounds === 0) return 'not-measured';
  return 'no-overlap';
}

/** The PCT rounds' bound so far (a replay, a random walk and a round cut short add nothing). */
class PctTally {
  rounds = 0;
  logMiss = 0;
  steps = Infinity;
  depth = 0;
  voided = 0;
  reason: NonNullable<PctBound['voided']>['reason'] = 'uncontrolled';

  take(r: ConfidenceRound, spec: NonNullable<ConfidenceKind['controlled']>, lanes: number): void {
    const t = r.tallies;
    if (spec.strategy !== 'pct' || (spec.replay !== null && spec.replay !== undefined) || !t || t.interrupted || !t.schedules?.length) return;
    if (!r.complete) return; // cut short (a hang, a crash): it played only part of its schedule
    // A lane resumed outside the scheduler (I/O, a stall, a schedule it could not follow): that round's
    // orders were not all the scheduler's, and PCT's guarantee assumes they were.
    this.depth = spec.depth || 3;
    const off = t.schedules.find((s) => s.uncontrolled > 0 || s.stalled || s.divergence);
    if (off) {
      this.voided++;
      if (this.voided === 1) this.reason = off.stalled ? 'stalled' : off.divergence ? 'diverged' : 'uncontrolled';
      return;
    }
    // As the PCT selector draws its change points: among `estimatedSteps` decisions (8 per lane without one).
    const steps = Math.max(1, Math.floor(spec.estimatedSteps || 8 * lanes));
    this.rounds++;
    this.steps = Math.min(this.steps, steps);
    this.logMiss += logMissOf(pctRoundProbability(lanes, steps, this.depth));
  }

  result(lanes: number): PctBound | undefined {
    if (this.rounds === 0 && this.voided === 0) return undefined;
    return pctBound({
      depth: this.depth,
      lanes,
      estimatedSteps: Number.isFinite(this.steps) ? this.steps : 0,
      controlledRounds: this.rounds,
      logMiss: this.logMiss,
      voided: this.voided ? { rounds: this.voided, reason: this.reason } : undefined,
    });
  }
}

/** A PCT bound from its parts: void as soon as any PCT round was not fully controlled. */
export function pctBound(b: Omit<PctBound, 'missBound' | 'voided'> & { voided?: PctBound['voided'] }): PctBound {
  const { voided, ...rest } = b;
  return { ...rest, missBound: voided || rest.controlledRounds === 0 ? null : missBound(rest.logMiss), ...(voided ? { voided } : {}) };
}

/**
 * The race's evidence for its confidence, round by round: a few additions per round, fed from the loop's
 * own per-round take (strategies/race.ts). Natural rounds only count as effective rounds (controlled ones
 * run one lane at a time per worker and measure no contention); they get PCT's bound instead.
 */
export class ConfidenceTally {
  private readonly all: OverlapCounts = { rounds: 0, measuredRounds: 0, overlappedRounds: 0 };
  private readonly perOp: OverlapCounts[];
  private readonly pct = new PctTally();
  /** Effective rounds each operation needs for the target (this shard's share), once it is known. */
  private readonly needed: number | null;

  constructor(
    private readonly opNames: readonly string[],
    private readonly setup: { workers: number; lanes: number; machines: string[]; target?: ConfidenceTarget; shards?: number },
  ) {
    this.perOp = opNames.map(() => ({ rounds: 0, measuredRounds: 0, overlappedRounds: 0 }));
    // With shards, each plays its share of the target: merged, their effective rounds add up.
    this.needed = setup.target ? Math.ceil(roundsNeeded(setup.target.oneIn, setup.target.probability) / (setup.shards ?? 1)) : null;
  }

  take(r: ConfidenceRound, kind: ConfidenceKind): void {
    const t = r.tallies;
    if (kind.controlled) {
      this.pct.take(r, kind.controlled, this.setup.lanes);
      return;
    }
    // A round that could have shown a race: every call returned and every check decided.
    if (!t || t.interrupted || !r.complete || r.modelUnknown !== undefined) return;
    const any = kind.overlap && t.overlapped.some(Boolean);
    add(this.all, kind.overlap, any);
    t.ops.forEach((o, i) => {
      if (o.started > 0) add(this.perOp[i]!, kind.overlap, kind.overlap && t.overlapped[i] === true);
    });
  }

  /** The weakest operation's effective rounds (the target holds only when every operation called reaches it). */
  private weakest(): number {
    let least = Infinity;
    for (const c of this.perOp) if (c.rounds > 0) least = Math.min(least, overlapCount(c, this.setup).effectiveRounds);
    return Number.isFinite(least) ? least : 0;
  }

  /** --confidence: has every operation called reached the target (this shard's share of it)? */
  get reached(): boolean {
    return this.needed !== null && this.weakest() >= this.needed;
  }

  /** The figures; `failed` of `rounds` (every round played) for a failing strategy's rate. */
  result(failed: number, rounds: number): Confidence {
    const { workers, lanes, machines, target } = this.setup;
    const perOperation = this.opNames.flatMap((op, i) =>
      this.perOp[i]!.rounds > 0 || this.all.rounds === 0 ? [{ op, ...overlapCount(this.perOp[i]!, this.setup) }] : [],
    );
    const pct = this.pct.result(lanes);
    return {
      ...overlapCount(this.all, this.setup),
      perOperation,
      machines,
      workers,
      lanes,
      ...(pct ? { pct } : {}),
      ...(target ? { target: { ...target, roundsNeeded: this.needed!, reached: this.reached } } : {}),
      ...(failed > 0 ? { failureRate: failureRate(failed, rounds) } : {}),
    };
  }
}

function add(c: OverlapCounts, measured: boolean, overlapped: boolean): void {
  c.rounds++;
  if (measured) c.measuredRounds++;
  if (overlapped) c.overlappedRounds++;
}

/** A failure rate with its 95% Wilson interval. */
export function failureRate(failed: number, rounds: number): NonNullable<Confidence['failureRate']> {
  const { low, high } = wilson(failed, rounds);
  return { failed, rounds, rate: rounds > 0 ? failed / rounds : 0, low, high, level: 0.95, method: 'wilson' };
}

/** The hammer's one round: did each operation's calls overlap another call? No rate is claimed from one round. */
export function hammerConfidence(opNames: readonly string[], r: ConfidenceRound, setup: { workers: number; lanes: number; machines: string[] }): Confidence {
  const t = r.tallies;
  const counted = Boolean(t && !t.interrupted && r.complete && r.modelUnknown === undefined);
  const scope = (overlapped: boolean): OverlapCount => {
    const c = overlapCount({ rounds: counted ? 1 : 0, measuredRounds: counted ? 1 : 0, overlappedRounds: counted && overlapped ? 1 : 0 }, setup);
    return { ...c, k95: null, k99: null, noClaim: c.noClaim ?? 'one-round' };
  };
  return {
    ...scope(Boolean(t?.overlapped.some(Boolean))),
    perOperation: opNames.flatMap((op, i) => (t && t.ops[i]!.started > 0 ? [{ op, ...scope(t.overlapped[i] === true) }] : [])),
    machines: setup.machines,
    workers: setup.workers,
    lanes: setup.lanes,
  };
}

/**
 * --confidence was not reached within the budget: what was reached instead (the weakest operation's rate
 * at the target's probability), and how many effective rounds it would have needed.
 */
export function confidenceNotReached(strategy: string, c: Confidence, shards = 1): WarningFacts | null {
  const t = c.target;
  if (!t || t.reached) return null;
  const weakest = [...c.perOperation].sort((a, b) => a.effectiveRounds - b.effectiveRounds)[0];
  const n = weakest?.effectiveRounds ?? c.effectiveRounds;
  return {
    code: 'confidence-not-reached',
    strategy,
    target: { oneIn: t.oneIn, probability: t.probability },
    roundsNeeded: t.roundsNeeded,
    effectiveRounds: n,
    ...(weakest ? { op: weakest.op } : {}),
    k: largestK(n, t.probability),
    ...(shards > 1 ? { shards } : {}),
  };
}

/**
 * Shards' confidence added up (merge): their rounds, measured and overlapping rounds are summed and the
 * effective rounds estimated again from the sums (what one run of all their rounds would have said);
 * PCT's miss bounds multiply (their ln(1 - q) terms add); the target holds for the whole run (every
 * operation's effective rounds against all that the target needs); the machines are every shard's.
 */
export function mergeConfidence(parts: readonly Confidence[], failed: number, rounds: number): Confidence | undefined {
  if (!parts.length) return undefined;
  const first = parts[0]!;
  const setup = { workers: first.workers, lanes: first.lanes };
  const sumOf = (cs: readonly OverlapCounts[]): OverlapCounts => ({
    rounds: cs.reduce((a, c) => a + c.rounds, 0),
    measuredRounds: cs.reduce((a, c) => a + c.measuredRounds, 0),
    overlappedRounds: cs.reduce((a, c) => a + c.overlappedRounds, 0),
  });
  const ops = [...new Set(parts.flatMap((p) => p.perOperation.map((o) => o.op)))];
  const perOperation = ops.map((op) => ({ op, ...overlapCount(sumOf(parts.flatMap((p) => p.perOperation.filter((o) => o.op === op))), setup) }));
  const pcts = parts.flatMap((p) => (p.pct ? [p.pct] : []));
  const voided = pcts.reduce((a, p) => a + (p.voided?.rounds ?? 0), 0);
  const pct = pcts.length
    ? pctBound({
        depth: pcts[0]!.depth,
        lanes: pcts[0]!.lanes,
        estimatedSteps: Math.min(...pcts.map((p) => p.estimatedSteps).filter((x) => x > 0), Infinity),
        controlledRounds: pcts.reduce((a, p) => a + p.controlledRounds, 0),
        logMiss: pcts.reduce((a, p) => a + p.logMiss, 0),
        voided: voided ? { rounds: voided, reason: pcts.find((p) => p.voided)!.voided!.reason } : undefined,
      })
    : undefined;
  if (pct && !Number.isFinite(pct.estimatedSteps)) pct.estimatedSteps = 0;
  const target = first.target;
  const needed = target ? roundsNeeded(target.oneIn, target.probability) : 0;
  const weakest = Math.min(...perOperation.filter((o) => o.rounds > 0).map((o) => o.effectiveRounds), Infinity);
  return {
    ...overlapCount(sumOf(parts), setup),
    perOperation,
    machines: [...new Set(parts.flatMap((p) => p.machines))],
    workers: first.workers,
    lanes: first.lanes,
    ...(pct ? { pct } : {}),
    ...(target
      ? { target: { oneIn: target.oneIn, probability: target.probability, roundsNeeded: needed, reached: Number.isFinite(weakest) && weakest >= needed } }
      : {}),
    ...(failed > 0 ? { failureRate: failureRate(failed, rounds) } : {}),
  };
}
