// The arithmetic of a pass's confidence (docs/explanation/confidence.md): how rare a race a run's
// rounds would have caught, how many rounds a stated rarity needs, an interval for a failure rate, and
// PCT's bound for controlled rounds. Pure functions of counts; nothing here reads a round or a clock.
//
// A race that shows in 1 of k rounds in which the operation really overlapped another call (effective
// rounds) shows at least once in n such rounds with probability p = 1 - (1 - 1/k)^n, rounds being
// independent. With no failure in n rounds, a rate above about 3/n is ruled out at 95% (the rule of
// three) and 4.6/n at 99%. PCT (Burckhardt et al., ASPLOS 2010) finds a given ordering bug of depth d
// in one run of L threads and S steps with probability at least 1 / (L * S^(d-1)).

/** The two-sided 95% normal quantile (the Wilson interval's z). */
export const Z95 = 1.959963984540054;

/** The confidence levels a pass states. */
export const LEVELS = [0.95, 0.99] as const;

/** P(a race showing in 1 of `k` effective rounds shows at least once in `n` of them) = 1 - (1 - 1/k)^n. */
export function detectionProbability(n: number, k: number): number {
  if (n <= 0) return 0;
  if (k <= 1) return 1;
  // -expm1(n * log1p(-1/k)): exact where (1 - 1/k)^n is close to 1 (large k), where 1 - x would lose digits.
  return -Math.expm1(n * Math.log1p(-1 / k));
}

/**
 * The largest whole k such that a race showing in 1 of k effective rounds (or more often) would have
 * been caught with probability `p` in `n` rounds; null when n is 0 (no rate can be claimed).
 * (1 - 1/k)^n <= 1 - p  <=>  k <= 1 / (1 - (1 - p)^(1/n)).
 */
export function largestK(n: number, p: number): number | null {
  if (!(n >= 1)) return null;
  let k = Math.max(1, Math.floor(1 / -Math.expm1(Math.log1p(-p) / n)));
  // The closed form is computed in floating point: settle the boundary on the probability itself.
  while (k > 1 && detectionProbability(n, k) < p) k--;
  while (detectionProbability(n, k + 1) >= p) k++;
  return k;
}

/** Effective rounds needed so that a race showing in 1 of `k` would be caught with probability `p`. */
export function roundsNeeded(k: number, p: number): number {
  if (k <= 1) return 1;
  let n = Math.max(1, Math.ceil(Math.log1p(-p) / Math.log1p(-1 / k)));
  while (n > 1 && detectionProbability(n - 1, k) >= p) n--;
  while (detectionProbability(n, k) < p) n++;
  return n;
}

/** An interval for a proportion, as [low, high] within [0, 1]. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * The Wilson score interval for `x` successes in `n` trials (z = Z95: 95%, two-sided). Unlike the normal
 * approximation it stays inside [0, 1] and is sound at 0 and n successes (0 of 10 gives 0 to 0.278).
 */
export function wilson(x: number, n: number, z = Z95): Interval {
  if (!(n > 0)) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: x <= 0 ? 0 : Math.max(0, centre - half), high: x >= n ? 1 : Math.min(1, centre + half) };
}

/** How effective rounds were counted: in every round, from a sample of rounds, or not at all. */
export type EffectiveMethod = 'measured' | 'sampled' | 'none';

export interface EffectiveEstimate {
  n: number;
  method: EffectiveMethod;
  /** With `sampled`: the lower end of the 95% Wilson interval of the overlapping share, used for the unmeasured rounds. */
  shareLow?: number;
}

/**
 * Effective rounds among `rounds`, of which `measured` had their overlap measured and `overlapped` of
 * those overlapped. Measured in every round: exactly `overlapped`. Sampled: the measured ones as they
 * were, and the unmeasured ones at the lower end of the 95% interval of the overlapping share (never
 * more than the sample supports). Never measured: none (nothing is claimed).
 */
export function effectiveRounds(rounds: number, measured: number, overlapped: number): EffectiveEstimate {
  if (measured <= 0) return { n: 0, method: 'none' };
  if (measured >= rounds) return { n: overlapped, method: 'measured' };
  const shareLow = wilson(overlapped, measured).low;
  return { n: overlapped + Math.floor((rounds - measured) * shareLow), method: 'sampled', shareLow };
}

/**
 * Rounds a replay should play so that a failure whose rate is at least `rate` (an interval's lower end)
 * shows at least once with probability `p`.
 */
export function roundsToReproduce(rate: number, p = 0.99): number {
  if (!(rate > 0)) return Infinity;
  if (rate >= 1) return 1;
  return Math.ceil(Math.log1p(-p) / Math.log1p(-rate));
}

/** PCT's lower bound on one round's chance to hit a given ordering bug of depth `depth`: 1 / (L * S^(d-1)). */
export function pctRoundProbability(lanes: number, steps: number, depth: number): number {
  return 1 / (Math.max(1, lanes) * Math.max(1, steps) ** Math.max(0, depth - 1));
}

/** ln(1 - q), the term one round with chance q adds to the logarithm of a miss bound. */
export const logMissOf = (q: number): number => Math.log1p(-Math.min(1, Math.max(0, q)));

/** The chance to miss, from the sum of the rounds' ln(1 - q) terms: prod (1 - q_i). */
export const missBound = (logMiss: number): number => Math.exp(logMiss);
