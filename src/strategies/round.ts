// One checked round: setup -> calls in the pool -> stats / expected / invariant / unique -> teardown.
// Shared by every strategy that checks counters (hammer: one big round; race: thousands of small ones).
import { callHook, type HookResult } from '../adapter/hooks.js';
import type { Counters } from '../adapter/types.js';
import { defaultExpected, mergeCounters, numbersOnly } from '../checks/counters.js';
import type { Finding, Warning } from '../checks/findings.js';
import { callsOf, checkRound, type RoundVerdict } from '../checks/round.js';
import type { RoundSpec, RoundTallies, WorkerSession } from '../pool/session.js';
import type { StrategyContext } from './context.js';

export interface PlayedRound extends RoundVerdict {
  tallies: RoundTallies | null;
  /** A main-thread hook failed: running more rounds would only repeat it. */
  hookFailed: boolean;
  warnings: Warning[];
}

function hookFinding(strategy: string, round: number, r: Extract<HookResult<unknown>, { ok: false }>): Finding {
  return r.hung
    ? { strategy, kind: 'hang', round, hook: r.hook, message: `hook '${r.hook}' ${r.message}` }
    : { strategy, kind: 'error', round, hook: r.hook, message: `hook '${r.hook}' threw: ${r.message}` };
}

export async function playRound(
  ctx: StrategyContext,
  session: WorkerSession,
  strategy: string,
  spec: Omit<RoundSpec, 'shared' | 'seed'>,
): Promise<PlayedRound> {
  const { adapter } = ctx.loaded;
  const { plan } = ctx;
  const T = plan.timeoutMs;
  const round = spec.round;
  const setup = await callHook<unknown>(adapter, 'setup', [{ workers: session.layout.workers, round, args: plan.args }], T);
  if (!setup.ok) {
    return { tallies: null, counters: [], findings: [hookFinding(strategy, round, setup)], lostUpdates: 0, failed: true, hookFailed: true, warnings: [] };
  }
  const shared = setup.value;
  const findings: Finding[] = [];
  const problems: string[] = [];
  let hookFailed = false;
  let verdict: RoundVerdict;
  let tallies: RoundTallies;
  try {
    tallies = await session.runRound({ ...spec, seed: plan.seed, shared });
    const calls = callsOf(tallies);
    const complete = !tallies.hangs.length && !tallies.crashes.length && !tallies.hookErrors.length && !tallies.interrupted;
    let actual: Counters | null = null;
    let expected: Counters | null = null;
    let invariant: true | string | null = null;
    if (complete) {
      const stats = await callHook<unknown>(adapter, 'stats', [shared], T);
      if (!stats.ok) findings.push(hookFinding(strategy, round, stats));
      else {
        const perWorker = tallies.workerStats.map((w, i) => numbersOnly(w, problems, `workerStats of worker ${i}`));
        actual = mergeCounters(numbersOnly(stats.value, problems, 'stats'), perWorker);
        if (adapter.expected) {
          const e = await callHook<unknown>(adapter, 'expected', [calls], T);
          if (e.ok) expected = numbersOnly(e.value, problems, 'expected');
          else findings.push(hookFinding(strategy, round, e));
        } else expected = defaultExpected(actual, calls);
        if (adapter.invariant) {
          const inv = await callHook<unknown>(adapter, 'invariant', [actual, calls], T);
          if (!inv.ok) invariant = inv.hung ? null : `invariant threw: ${inv.message}`;
          if (!inv.ok && inv.hung) findings.push(hookFinding(strategy, round, inv));
          else if (inv.ok) invariant = inv.value === true || inv.value === undefined ? true : inv.value === false ? 'invariant returned false' : String(inv.value);
        }
      }
    }
    hookFailed = findings.length > 0;
    verdict = checkRound(strategy, { tallies, calls, actual, expected, invariant, uniqueOps: adapter.unique ?? [] });
  } finally {
    const td = await callHook(adapter, 'teardown', [shared], T);
    if (!td.ok) {
      findings.push(hookFinding(strategy, round, td));
      hookFailed = true;
    }
  }
  const warnings = [...new Set(problems)].map((message) => ({ code: 'stats-not-number', message }));
  return { ...verdict, tallies, findings: [...verdict.findings, ...findings], failed: verdict.failed || findings.length > 0, hookFailed, warnings };
}
