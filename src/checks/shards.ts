// What a merged run means when shards are missing: a merge of shards 1 and 3 of 3 is not the whole run,
// and a check that did not run the whole plan never passes. The missing shard fails the strategy whose
// work it held (the race, whose rounds are split), with an `inconclusive` finding naming it.
import type { Finding } from '../schema/report.js';

export function missingShardsFinding(strategy: string, missing: readonly string[], roundsOf: (shard: string) => string): Finding {
  const list = missing.map((s) => `${s} (${roundsOf(s)})`).join(', ');
  return {
    strategy,
    kind: 'inconclusive',
    message: `${missing.length === 1 ? 'shard' : 'shards'} ${list} missing from the merge: those rounds were not played, so this is not the whole run and not a pass (run the missing shard, or merge every shard's report)`,
  };
}
