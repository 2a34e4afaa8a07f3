// Turns one round's raw tallies (from the pool) and the adapter's own counters into findings.
import type { HookFailure } from '../adapter/hooks.js';
import type { Calls } from '../adapter/types.js';
import type { RoundTallies } from '../pool/session.js';
import type { CounterRow, FindingFacts, HangWait, StackFrame, WarningFacts } from '../schema/report.js';
import { compareCounters, lostUpdates, rowFails } from './counters.js';
import { findDuplicates, incomparableType } from './unique.js';
import { clip } from '../errors.js';

/**
 * The one conversion from a main-thread hook's failure to a finding, for every strategy alike. An
 * interrupted hook is no finding (the report is partial anyway): null.
 */
export function hookFinding(strategy: string, round: number, r: HookFailure): FindingFacts | null {
  if (r.interrupted) return null;
  if (r.hung) return { strategy, kind: 'hang', round, hook: r.hook, stuckIn: 'hook', afterMs: r.afterMs ?? 0, ...(r.deadline ? { deadline: r.deadline } : {}) };
  const where = whereOf(r.stack);
  return {
    strategy,
    kind: 'error',
    round,
    hook: r.hook,
    error: r.message,
    ...(r.stack?.length ? { errors: [{ message: r.message, count: 1, stack: r.stack }] } : {}),
    ...(where ? { where } : {}),
  };
}

/** The source location of a stack's top user frame, if it has one. */
export function whereOf(stack: readonly StackFrame[] | undefined): FindingFacts['where'] {
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
export function countersNote(t: RoundTallies | null, statsFailed: boolean, has: { model?: boolean; unique?: boolean; invariant?: boolean } = {}): string {
  if (!t) return 'counters not collected: setup failed, no call ran';
  if (t.interrupted) return 'counters not collected: the run was interrupted during this round';
  if (t.hangs.length) return `counters not collected: the round was cut short by a hang in worker ${t.hangs.map((h) => h.workerId).join(', ')}`;
  if (t.crashes.length || t.internalErrors.length) return 'counters not collected: a worker crashed during the round';
  if (t.stopped.length) return 'counters not collected: the round was called off and a worker had to be stopped';
  if (t.hookErrors.length) return `counters not collected: hook '${t.hookErrors[0]!.hook}' failed in a worker`;
  if (statsFailed) return "counters not collected: the adapter's stats, expected or invariant hook failed";
  // Name only the checks the adapter has: a note that claims an invariant the adapter lacks overstates the pass.
  const checked = ['errors', ...(has.unique ? ['duplicates'] : []), ...(has.invariant ? ['the invariant'] : [])];
  const list = checked.length === 1 ? checked[0]! : `${checked.slice(0, -1).join(', ')} and ${checked.at(-1)!}`;
  if (has.model) return `the adapter reports no counters: its model${checked.length === 1 ? ' and' : ','} ${list} were checked`;
  return `the adapter reports no counters: only ${list} were checked`;
}

/**
 * Did anything but the model check what a round's calls returned: a counter with an expected value (or
 * one the invariant read), the invariant, `unique`? When not, an undecided model checked nothing.
 */
export const resultsChecked = (counters: readonly CounterRow[], invariant: boolean, unique: readonly string[] | undefined): boolean =>
  invariant || (unique?.length ?? 0) > 0 || counters.some((r) => r.expected !== null || r.invariant !== undefined);

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
  findings: FindingFacts[];
  lostUpdates: number;
  failed: boolean;
  /** Checks that could not run in this round (a unique operation's values that cannot be compared). */
  warnings: WarningFacts[];
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

/** The waits that concern worker `workerId`: its own, and the database's connections no worker names. */
export const waitsOfWorker = (waits: readonly HangWait[] | undefined, workerId: number): HangWait[] =>
  (waits ?? []).filter((w) => w.workerId === undefined || w.workerId === workerId);

/** What the workers reported went wrong: hangs, crashes (the tool's own errors among them), worker hooks that failed. */
function workerFindings(strategy: string, t: RoundTallies): FindingFacts[] {
  const findings: FindingFacts[] = [];
  const round = t.round;
  for (const h of t.hangs) {
    // Calls parked in the database or a pool (not running): named by what they wait on, where they wait.
    const waits = h.probe?.running ? [] : waitsOfWorker(h.waits, h.workerId);
    const stack = h.probe?.running ? h.probe.stack : waits.find((w) => w.stack?.length)?.stack;
    const where = whereOf(stack);
    const hook = h.where === 'init' || h.where === 'workerStats' ? h.where : undefined;
    findings.push({
      strategy,
      kind: 'hang',
      round,
      workerId: h.workerId,
      ...(h.op !== undefined ? { op: h.op } : {}),
      ...(hook ? { hook } : {}),
      stuckIn: h.where === 'calls' || h.where === 'start' || h.where === 'after-calls' ? h.where : 'hook',
      afterMs: h.afterMs,
      pending: h.pending,
      count: Object.values(h.pending).reduce((a, b) => a + b, 0),
      ...(h.probe ? { paused: h.probe.running ? ('running' as const) : ('waiting' as const) } : {}),
      ...(stack ? { stack } : {}),
      ...(where ? { where } : {}),
      ...(waits.length ? { waits } : {}),
    });
  }
  for (const c of t.crashes) {
    findings.push({ strategy, kind: 'crash', round, workerId: c.workerId, error: c.message, ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) });
  }
  for (const e of t.internalErrors) {
    // A bug of adapter-hammer's worker, not of the adapter: reported as a crash of that worker, named so.
    findings.push({ strategy, kind: 'crash', round, workerId: e.workerId, error: e.message, internal: true });
  }
  for (const e of t.hookErrors) {
    const where = whereOf(e.stack);
    findings.push({
      strategy,
      kind: 'error',
      round,
      workerId: e.workerId,
      hook: e.hook,
      error: e.message,
      ...(e.stack.length ? { errors: [{ message: e.message, count: 1, stack: e.stack }] } : {}),
      ...(where ? { where } : {}),
    });
  }
  return findings;
}

/** Calls that threw: one finding per operation, with the count, the first message, and the distinct errors. */
function errorFindings(strategy: string, t: RoundTallies): FindingFacts[] {
  const findings: FindingFacts[] = [];
  const round = t.round;
  // The distinct errors (message and top user frame) with their stacks, most frequent first.
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
      calls: op.started,
      threw: op.errors,
      ...(samples[0] ? { error: samples[0].message } : {}),
      ...(errors.length ? { errors } : {}),
      ...(where ? { where } : {}),
    });
  }
  return findings;
}

/** What the round's end state says, when every worker ran its share: counters, the invariant, unique values. */
function stateFindings(strategy: string, ev: RoundEvidence): { counters: CounterRow[]; findings: FindingFacts[]; warnings: WarningFacts[] } {
  const t = ev.tallies;
  const findings: FindingFacts[] = [];
  const warnings: WarningFacts[] = [];
  const round = t.round;
  const complete = roundComplete(t);
  let counters: CounterRow[] = [];
  if (complete && ev.actual && ev.expected) {
    counters = compareCounters(ev.actual, ev.expected);
    if (ev.invariantRead?.size && ev.invariant !== null) {
      const held = ev.invariant === true ? 'held' : 'violated';
      for (const r of counters) if (ev.invariantRead.has(r.name)) r.invariant = held;
    }
    for (const r of counters.filter(rowFails)) {
      const [counter, expected, actual] = [r.name, r.expected!, r.actual];
      if (actual === null) findings.push({ strategy, kind: 'mismatch', round, counter, expected, actual });
      else if (actual < expected) findings.push({ strategy, kind: 'lost-update', round, counter, expected, actual, count: expected - actual });
      else
        findings.push({
          strategy,
          kind: 'mismatch',
          round,
          counter,
          expected,
          actual,
          count: actual - expected,
          ...(ev.expectedByAdapter ? { expectedByAdapter: true } : {}),
        });
    }
  }
  if (complete && typeof ev.invariant === 'string') findings.push({ strategy, kind: 'invariant', round, violation: ev.invariant });
  if (complete) {
    for (const op of ev.uniqueOps) {
      const values = t.values[op] ?? [];
      const type = incomparableType(values);
      if (type !== null) warnings.push({ code: 'unique-not-comparable', strategy, op, type });
      const d = findDuplicates(values);
      if (d)
        findings.push({
          strategy,
          kind: 'duplicate',
          round,
          op,
          duplicates: d.duplicates,
          count: d.duplicates,
          values: d.values,
          example: d.example,
          exampleTimes: d.exampleTimes,
        });
    }
  }
  return { counters, findings, warnings };
}

/**
 * What an invariant's return value says: `true` (or nothing) holds; anything else is violated, shown as
 * the string it returned, or as what it returned when that says nothing by itself ('', false, 0, null).
 */
export function invariantOutcome(value: unknown): true | string {
  if (value === true || value === undefined) return true;
  if (typeof value === 'string' && value.trim() !== '') return clip(value);
  if (typeof value === 'string') return 'invariant returned an empty string';
  return `invariant returned ${typeof value === 'object' && value !== null ? 'an object' : clip(value)}`;
}

export function checkRound(strategy: string, ev: RoundEvidence): RoundVerdict {
  const state = stateFindings(strategy, ev);
  const findings = [...workerFindings(strategy, ev.tallies), ...errorFindings(strategy, ev.tallies), ...state.findings];
  return { counters: state.counters, findings, lostUpdates: lostUpdates(state.counters), failed: findings.length > 0, warnings: state.warnings };
}
