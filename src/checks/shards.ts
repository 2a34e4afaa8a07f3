// What a merged run means when shards are missing: a merge of shards 1 and 3 of 3 is not the whole run,
// and a check that did not run the whole plan never passes. The missing shard fails the strategy whose
// work it held (the race, whose rounds are split), with an `inconclusive` finding naming it.
import type { Shard } from '../options/table.js';
import type { FindingFacts } from '../schema/report.js';

/** `missing`: each missing shard, and the rounds it would have played of this adapter (null: all of them). */
export function missingShardsFinding(strategy: string, missing: readonly { shard: string; rounds: Shard | null }[]): FindingFacts {
  return { strategy, kind: 'inconclusive', reason: 'shards-missing', missing: missing.map((m) => ({ ...m })) };
}
