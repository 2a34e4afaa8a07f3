// One checked round: setup -> calls in the pool -> stats / expected / invariant / unique -> teardown.
// Shared by every strategy that checks counters (hammer: one big round; race: thousands of small ones).
import { callHook, checkFirstInit, checkFirstSetup, clip, type HookResult } from '../adapter/hooks.js';
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

/** Findings about hooks the user interrupted (Ctrl-C): dropped, the report is partial anyway. */
const interruptedHook = new WeakSet<Finding>();

function hookFinding(strategy: string, round: number, r: Extract<HookResult<unknown>, { ok: false }>): Finding {
  const f = hookFindingOf(strategy, round, r);
  if (r.interrupted) interruptedHook.add(f);
  return f;
}

function hookFindingOf(strategy: string, round: number, r: Extract<HookResult<unknown>, { ok: false }>): Finding {
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
  // setup throwing in the run's first round: the adapter cannot be set up at all (exit 2).
  checkFirstSetup(ctx, plan.adapter, setup.ok ? null : setup);
  if (!setup.ok) {
    const findings = setup.interrupted ? [] : [hookFinding(strategy, round, setup)];
    return { tallies: null, counters: [], findings, lostUpdates: 0, failed: findings.length > 0, hookFailed: true, warnings: [] };
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
          if (!inv.ok) invariant = inv.hung || inv.interrupted ? null : `invariant threw: ${inv.message}`;
          if (!inv.ok && inv.hung) findings.push(hookFinding(strategy, round, inv));
          else if (inv.ok) invariant = inv.value === true || inv.value === undefined ? true : inv.value === false ? 'invariant returned false' : clip(inv.value);
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
  // init throwing in the run's first round (no call ran: the barrier was called off): exit 2.
  checkFirstInit(ctx, plan.adapter, tallies.hookErrors.find((h) => h.hook === 'init' && !h.message.startsWith('internal:')));
  const kept = findings.filter((f) => !interruptedHook.has(f));
  return { ...verdict, tallies, findings: [...verdict.findings, ...kept], failed: verdict.failed || kept.length > 0, hookFailed, warnings };
}
