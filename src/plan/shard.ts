// How a run's work is split: across CI jobs (`--shard k/N`) and, inside one machine, across several
// independent race sessions on disjoint CPU sets. Pure functions of the plan: the strategies ask, the
// merge (src/merge/) checks that the parts add up to the whole.
//
// Race rounds go to shards round-robin, round r to shard (r % N) + 1, not in contiguous ranges: a shard
// stopped early (its --time share, enough failing rounds) then leaves no hole at the end of the run.
// Shards that each played their first m rounds together played exactly rounds 0 .. m*N-1, the rounds an
// unsharded run with N times the budget would have played. Each round keeps its own index, so its
// seed (mixSeed(seed, round, worker)), and the `round` setup() and init() see, are the unsharded run's.
import type { Shard } from '../options/table.js';
import type { PlanEnvironment } from '../options/table.js';

/** The whole run, unsharded. */
export const WHOLE: Shard = { index: 1, count: 1 };

/** `2/3`: a shard as the flag spells it. */
export const shardText = (s: Shard): string => `${s.index}/${s.count}`;

/** The race rounds of `part` among `total` rounds, in the order they are played. */
export function* shardRounds(total: number, part: Shard = WHOLE): Generator<number> {
  for (let r = part.index - 1; r < total; r += part.count) yield r;
}

/** How many of `total` rounds `part` plays. */
export const shardRoundCount = (total: number, part: Shard = WHOLE): number => Math.max(0, Math.ceil((total - (part.index - 1)) / part.count));

/** A round's position among its shard's rounds (0 for the shard's first round). */
export const positionInShard = (round: number, part: Shard = WHOLE): number => Math.floor(round / part.count);

export interface AdapterPart {
  adapter: string;
  /** The race rounds this job plays of this adapter: the adapter's own round-robin split (`--shard` of its replay). */
  rounds: Shard;
}

/**
 * The adapters a job of a several-adapter run plays, and which of their rounds. With at least as many
 * adapters as shards, adapter i goes whole to shard (i % N) + 1 (Playwright splits test files the same
 * way). With fewer, every shard gets an adapter: adapter i is played by the shards k with
 * (k - 1) % A === i, which split its rounds round-robin among them. One adapter is the plain case: its
 * rounds are split N ways.
 */
export function adaptersOfShard(adapters: readonly string[], shard: Shard = WHOLE): AdapterPart[] {
  const a = adapters.length;
  if (a >= shard.count) return adapters.filter((_, i) => i % shard.count === shard.index - 1).map((adapter) => ({ adapter, rounds: WHOLE }));
  const i = (shard.index - 1) % a;
  const mine = Array.from({ length: shard.count }, (_, k) => k).filter((k) => k % a === i);
  return [{ adapter: adapters[i]!, rounds: { index: mine.indexOf(shard.index - 1) + 1, count: mine.length } }];
}

/** Independent race sessions on one machine never go beyond this (each one's hooks run on the one main thread). */
export const MAX_SESSIONS = 8;

/**
 * Race sessions to run at once on this machine: where it has at least twice as many cores as the run
 * has workers, several independent sessions (each `workers` threads on its own CPUs) play disjoint
 * rounds at once and add them up, as jcstress does; otherwise one. Not with one worker: it races only
 * its own lanes, and its rounds are mostly round trips to the main thread, which every session shares.
 */
export function raceSessions(env: Pick<PlanEnvironment, 'cores'>, workers: number): number {
  if (workers < 2) return 1;
  return Math.max(1, Math.min(MAX_SESSIONS, Math.floor(env.cores / workers)));
}

/** The CPUs (indexes into the CPUs this process may use) of each session: disjoint while there are enough. */
export const cpuOffset = (session: number, workers: number): number => session * workers;
