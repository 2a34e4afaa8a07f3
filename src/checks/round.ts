// Turns one round's raw tallies (from the pool) and the adapter's own counters into findings.
import type { HookFailure } from '../adapter/hooks.js';
import type { Calls } from '../adapter/types.js';
import type { RoundTallies } from '../pool/session.js';
import type { CounterRow, Finding, StackFrame } from '../schema/report.js';
import { compareCounters, lostUpdates, rowFails } from './counters.js';
import { findDuplicates } from './unique.js';
import { waitsOfWorker, waitsSentence } from './hang-waits.js';
import { plural } from '../schema/words.js';

/**
 * The one conversion from a main-thread hook's failure to a finding, for every strategy alike. An
 * interrupted hook is no finding (the report is partial anyway): null.
 */
export function hookFinding(strategy: string, round: number, r: HookFailure): Finding | null {
  if (r.interrupted) return null;
  if (r.hung) return { strategy, kind: 'hang', round, hook: r.hook, message: `hook '${r.hook}' ${r.message}` };
  const where = whereOf(r.stack);
  return {
    strategy,
    kind: 'error',
    round,
    hook: r.hook,
    message: `hook '${r.hook}' threw: ${r.message}`,
    ...(r.stack?.length ? { errors: [{ message: r.message, count: 1, stack: r.stack }] } : {}),
    ...(where ? { where } : {}),
  };
}

/** The source location of a stack's top user frame, if it has one. */
export function whereOf(stack: readonly StackFrame[] | undefined): Finding['where'] {
  const top = stack?.[0];
  return top?.user && top.file !== undefined && top.line !== undefined
    ? { file: top.file, line: top.line, ...(top.column !== undefined ? { column: top.column } : {}) }
    : undefined;
}

/** Every worker ran its share to the end: only then do counters, invariant and uniqueness mean anything. */
export const roundComplete = (t: RoundTallies): boolean =>
  t.hangs.length === 0 && t.crashes.length === 0 && t.hookErrors.length === 0 && t.internalErrors.length === 0 && t.stopped.length === 0 && !t.interrupted;

/**
 * Why a round has no counter rows, said as what happened: the adapter has none, or they could not be
 * collected (and why). Never "no counters" for counters a hang kept us from reading.
 */
export function countersNote(t: RoundTallies | null, statsFailed: boolean, hasModel = false): string {
  if (!t) return 'counters not collected: setup failed, no call ran';
  if (t.interrupted) return 'counters not collected: the run was interrupted during this round';
  if (t.hangs.length) return `counters not collected: the round was cut short by a hang in worker ${t.hangs.map((h) => h.workerId).join(', ')}`;
  if (t.crashes.length || t.internalErrors.length) return 'counters not collected: a worker crashed during the round';
  if (t.stopped.length) return 'counters not collected: the round was called off and a worker had to be stopped';
  if (t.hookErrors.length) return `counters not collected: hook '${t.hookErrors[0]!.hook}' failed in a worker`;
  if (statsFailed) return "counters not collected: the adapter's stats, expected or invariant hook failed";
  if (hasModel) return 'the adapter reports no counters: its model, errors, duplicates and the invariant were checked';
  return 'the adapter reports no counters: only errors, duplicates and the invariant were checked';
}

/** What pausing the hung worker showed, or the possibilities when it could not be paused. */
function probeSentence(h: RoundTallies['hangs'][number]): string {
  const w = `worker ${h.workerId}`;
  if (h.probe?.running) {
    const top = h.probe.stack[0];
    return `Paused, ${w} was running JavaScript${top ? ` at ${top.text}` : ''}: a synchronous loop, or a thread blocked on a lock (a deadlock: a non-reentrant lock taken twice, or two locks taken in opposite orders).`;
  }
  if (h.probe)
    return `Paused, ${w} was not running JavaScript: ${h.where === 'init' ? "its 'init' awaits" : 'its pending calls await'} something that never settles (a promise nobody resolves, a lost wake-up, an async lock nobody releases).`;
  return 'A deadlock (e.g. a non-reentrant lock taken twice, or two locks taken in opposite orders), an infinite loop, or a promise that never settles.';
}

/** What a hang was stuck in, as the finding names it. */
function hangSubject(h: RoundTallies['hangs'][number], round: number): string {
  switch (h.where) {
    case 'calls':
      return `operation '${h.op}'`;
    case 'start':
      return `round ${round}: the event loop, blocked since the previous round (e.g. a timer running an endless loop),`;
    case 'after-calls':
      return `round ${round}: the event loop, blocked after every call had returned (a callback the calls left behind, e.g. an endless loop in a timer),`;
    default:
      return `hook '${h.where}'`;
  }
}

/**
 * Why a counter is above its expected value, as far as the evidence says. A counter that counts calls
 * (the default rule) went up once too often; a value the adapter expects (money, stock) may as well be
 * higher because an update that should have lowered it was lost.
 */
function tooMany(extra: number, byAdapter: boolean): string {
  if (!byAdapter) return `${extra} more than the calls account for (an action ran more often than it should, e.g. a check-then-act)`;
  return `${extra} more than expected (an update that should have lowered it was lost, e.g. a debit overwritten by a stale write, or an action ran more often than it should, e.g. a check-then-act)`;
}

export interface RoundEvidence {
  tallies: RoundTallies;
  calls: Calls;
  /** Merged stats + summed workerStats; null when they could not be collected. */
  actual: Record<string, number> | null;
  expected: Record<string, number> | null;
  /** invariant(): true = holds, string = the violation, null = not evaluated. */
  invariant: true | string | null;
  /** The counters the invariant read (checks/counters.ts, recordingReads). */
  invariantRead?: ReadonlySet<string>;
  /**
   * `expected` is the adapter's own (its `expected` hook), not the default rule that a counter named like
   * an operation counts its calls: a counter above it may be money a lost debit created, not an extra action.
   */
  expectedByAdapter?: boolean;
  uniqueOps: string[];
}

export interface RoundVerdict {
  counters: CounterRow[];
  findings: Finding[];
  lostUpdates: number;
  failed: boolean;
}

/** Calls that returned without throwing, in the shape `expected(calls)` receives. */
export function callsOf(t: RoundTallies): Calls {
  const calls = { total: 0 } as Calls;
  for (const op of t.ops) {
    calls[op.name] = op.done;
    calls.total += op.done;
  }
  return calls;
}

/** A hung worker's finding: what it was stuck in, and what its calls waited on or where it was running. */
function hangFinding(strategy: string, round: number, h: RoundTallies['hangs'][number]): Finding {
  const pending =
    Object.entries(h.pending)
      .map(([op, n]) => `${n} ${op}`)
      .join(', ') || 'none';
  const what = hangSubject(h, round);
  // Calls parked in the database or a pool: named by what they wait on, where they wait.
  const waits = waitsOfWorker(h.waits, h.workerId);
  const waiting = h.probe?.running ? null : waitsSentence(waits);
  const stack = h.probe?.running ? h.probe.stack : waiting ? waits.find((w) => w.stack?.length)?.stack : undefined;
  const where = whereOf(stack);
  return {
    strategy,
    kind: 'hang',
    round,
    workerId: h.workerId,
    op: h.op,
    hook: h.where === 'init' || h.where === 'workerStats' ? h.where : undefined,
    count: Object.values(h.pending).reduce((a, b) => a + b, 0),
    message:
      h.where === 'init'
        ? // Preparation has its own deadline: a slow start is not a deadlock of the calls.
          `${what} in worker ${h.workerId} did not settle within ${Math.round(h.afterMs)} ms (--setup-timeout: a slower start needs a larger one). ${probeSentence(h)}`
        : waiting
          ? `${what} in worker ${h.workerId} did not settle within ${Math.round(h.afterMs)} ms (calls still pending: ${pending}). ${waiting}`
          : `${what} in worker ${h.workerId} did not settle within ${Math.round(h.afterMs)} ms (calls still pending: ${pending}). ${probeSentence(h)} If a lock is re-entered, use a reentrant lock (the toolkit's new Mutex({ reentrant: true })) or take it once at the outer call; if two locks, always take them in the same order.`,
    ...(stack ? { stack } : {}),
    ...(where ? { where } : {}),
    ...(waiting ? { waits } : {}),
  };
}

export function checkRound(strategy: string, ev: RoundEvidence): RoundVerdict {
  const { tallies: t } = ev;
  const findings: Finding[] = [];
  const round = t.round;
  for (const h of t.hangs) findings.push(hangFinding(strategy, round, h));
  for (const c of t.crashes) {
    findings.push({
      strategy,
      kind: 'crash',
      round,
      workerId: c.workerId,
      message: `worker ${c.workerId} crashed: ${c.message}${c.exitCode !== undefined && !c.message.includes('code') ? ` (exit code ${c.exitCode})` : ''}`,
    });
  }
  for (const e of t.internalErrors) {
    // A bug of adapter-hammer's worker, not of the adapter: reported as a crash of that worker, named so.
    findings.push({
      strategy,
      kind: 'crash',
      round,
      workerId: e.workerId,
      message: `worker ${e.workerId}: internal error of adapter-hammer (please report it): ${e.message}`,
    });
  }
  for (const e of t.hookErrors) {
    const where = whereOf(e.stack);
    findings.push({
      strategy,
      kind: 'error',
      round,
      workerId: e.workerId,
      hook: e.hook,
      message: `hook '${e.hook}' failed in worker ${e.workerId}: ${e.message}`,
      ...(e.stack.length ? { errors: [{ message: e.message, count: 1, stack: e.stack }] } : {}),
      ...(where ? { where } : {}),
    });
  }
  // Errors: one finding per operation, with the count, the first message, and the distinct errors
  // (message and top user frame) with their stacks, most frequent first.
  for (const op of t.ops) {
    if (op.errors === 0) continue;
    const samples = t.errors.filter((e) => e.op === op.name);
    const errors = [...samples].sort((a, b) => b.count - a.count).map(({ message, count, stack }) => ({ message, count, stack }));
    const where = whereOf(errors[0]?.stack);
    findings.push({
      strategy,
      kind: 'error',
      round,
      op: op.name,
      count: op.errors,
      message: `operation '${op.name}' threw ${plural(op.errors, 'time')} of ${op.started} calls; first: ${samples[0]?.message ?? '(message not collected)'}`,
      ...(errors.length ? { errors } : {}),
      ...(where ? { where } : {}),
    });
  }
  const complete = roundComplete(t);
  let counters: CounterRow[] = [];
  if (complete && ev.actual && ev.expected) {
    counters = compareCounters(ev.actual, ev.expected);
    if (ev.invariantRead?.size && ev.invariant !== null) {
      const held = ev.invariant === true ? 'held' : 'violated';
      for (const r of counters) if (ev.invariantRead.has(r.name)) r.invariant = held;
    }
    for (const r of counters.filter(rowFails)) {
      if (r.actual === null) {
        findings.push({
          strategy,
          kind: 'mismatch',
          round,
          counter: r.name,
          message: `counter '${r.name}' was expected (${r.expected}) but the adapter's stats did not report it`,
        });
      } else if (r.actual < r.expected!) {
        const lost = r.expected! - r.actual;
        findings.push({
          strategy,
          kind: 'lost-update',
          round,
          counter: r.name,
          count: lost,
          message: `counter '${r.name}' is ${r.actual}, expected ${r.expected}: ${plural(lost, 'lost update')}`,
        });
      } else {
        findings.push({
          strategy,
          kind: 'mismatch',
          round,
          counter: r.name,
          count: r.actual - r.expected!,
          message: `counter '${r.name}' is ${r.actual}, expected ${r.expected}: ${tooMany(r.actual - r.expected!, ev.expectedByAdapter === true)}`,
        });
      }
    }
  }
  if (complete && typeof ev.invariant === 'string') {
    findings.push({ strategy, kind: 'invariant', round, message: `invariant violated: ${ev.invariant}` });
  }
  if (complete) {
    for (const op of ev.uniqueOps) {
      const d = findDuplicates(t.values[op] ?? []);
      if (d) {
        findings.push({
          strategy,
          kind: 'duplicate',
          round,
          op,
          count: d.duplicates,
          example: d.example,
          message: `operation '${op}' returned ${plural(d.duplicates, 'duplicate')} (${plural(d.values, 'value')} handed out more than once; e.g. ${JSON.stringify(d.example)} ${d.exampleTimes} times)`,
        });
      }
    }
  }
  return { counters, findings, lostUpdates: lostUpdates(counters), failed: findings.length > 0 };
}
