// How a run's time budget (--time) is shared between its strategies. Each strategy, when it starts,
// gets its weight's share of what is left: time a cheap strategy did not use flows to the next ones.
import type { StrategyName } from '../options/table.js';

/** The race strategy gets the most: rare races need rounds. Throughput measures a fixed number of points. */
export const STRATEGY_WEIGHT: Readonly<Record<StrategyName, number>> = { hammer: 1, race: 3, throughput: 2 };

/** The share of `leftMs` for `name`, the first of the strategies still to run. */
export function shareOf(name: StrategyName, toRun: readonly StrategyName[], leftMs: number): number {
  const total = toRun.reduce((a, s) => a + STRATEGY_WEIGHT[s], 0);
  return total > 0 ? (Math.max(0, leftMs) * STRATEGY_WEIGHT[name]) / total : 0;
}
