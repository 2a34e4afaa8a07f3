// The sentences of findings and warnings, written from their fields: every reporter (terminal, JUnit,
// GitHub) says them, and the JSON report and hammer()'s report carry them as `message`. Findings and
// warnings themselves are data (schema/report.ts); nothing else writes or reads these sentences.
import { shown } from '../errors.js';
import type { FindingFacts, HangFinding, HistoryCall, Shard, WarningFacts } from '../schema/report.js';
import { callLabel, plural } from '../schema/words.js';
import { waitsSentence } from './hang-waits.js';

/** `op(input) → output` of one call, as a finding names it. */
function callText(c: HistoryCall): string {
  const result = c.error !== undefined ? ` threw ${c.error}` : c.end === null ? ' (never returned)' : ` → ${shown(c.output)}`;
  return `${callLabel(c, shown)}${result}`;
}

/** A returned value as JSON (`"abc"`, `{"id":7}`); what JSON cannot hold (a bigint, undefined) as inspect shows it. */
function asJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? shown(v);
  } catch {
    return shown(v);
  }
}

/** What a hang was stuck in. */
function hangSubject(f: HangFinding): string {
  switch (f.stuckIn) {
    case 'calls':
      return `operation '${f.op ?? '?'}'`;
    case 'start':
      return `round ${f.round ?? '?'}: the event loop, blocked since the previous round (e.g. a timer running an endless loop),`;
    case 'after-calls':
      return `round ${f.round ?? '?'}: the event loop, blocked after every call had returned (a callback the calls left behind, e.g. an endless loop in a timer),`;
    case 'hook':
      return `hook '${f.hook ?? '?'}'`;
  }
}

/** What pausing the hung worker showed, or the possibilities when it could not be paused. */
function pausedSentence(f: HangFinding): string {
  const w = `worker ${f.workerId ?? '?'}`;
  if (f.paused === 'running') {
    const top = f.stack?.[0];
    return `Paused, ${w} was running JavaScript${top ? ` at ${top.text}` : ''}: a synchronous loop, or a thread blocked on a lock (a deadlock: a non-reentrant lock taken twice, or two locks taken in opposite orders).`;
  }
  if (f.paused === 'waiting')
    return `Paused, ${w} was not running JavaScript: ${f.hook === 'init' ? "its 'init' awaits" : 'its pending calls await'} something that never settles (a promise nobody resolves, a lost wake-up, an async lock nobody releases).`;
  return 'A deadlock (e.g. a non-reentrant lock taken twice, or two locks taken in opposite orders), an infinite loop, or a promise that never settles.';
}

function hangSentence(f: HangFinding): string {
  // A main-thread hook: no worker, no calls pending.
  if (f.workerId === undefined) return `${hangSubject(f)} did not settle within ${Math.round(f.afterMs)} ms${f.deadline ? ` (${f.deadline})` : ''}`;
  // Preparation has its own deadline: a slow start is not a deadlock of the calls.
  if (f.hook === 'init')
    return `${hangSubject(f)} in worker ${f.workerId} did not settle within ${Math.round(f.afterMs)} ms (--setup-timeout: a slower start needs a larger one). ${pausedSentence(f)}`;
  const pending =
    Object.entries(f.pending ?? {})
      .map(([op, n]) => `${n} ${op}`)
      .join(', ') || 'none';
  const waiting = f.paused === 'running' ? null : waitsSentence(f.waits ?? []);
  if (waiting)
    return `${hangSubject(f)} in worker ${f.workerId} did not settle within ${Math.round(f.afterMs)} ms (calls still pending: ${pending}). ${waiting}`;
  return (
    `${hangSubject(f)} in worker ${f.workerId} did not settle within ${Math.round(f.afterMs)} ms (calls still pending: ${pending}). ${pausedSentence(f)} ` +
    "If a lock is re-entered, use a reentrant lock (the toolkit's new Mutex({ reentrant: true })) or take it once at the outer call; if two locks, always take them in the same order."
  );
}

/**
 * Why a counter is above its expected value, as far as the evidence says. A counter that counts calls
 * (the default rule) went up once too often; a value the adapter expects (money, stock) may as well be
 * higher because an update that should have lowered it was lost.
 */
function tooMany(extra: number, byAdapter: boolean): string {
  if (!byAdapter) return `${extra} more than the calls account for (an action ran more often than it should, e.g. a check-then-act)`;
  return `${extra} more than expected (an action ran more often than it should, e.g. a check-then-act, or an update that should have lowered it was lost, e.g. a debit overwritten by a stale write)`;
}

/** The rounds a shard would have played, in words. */
const roundsOf = (r: Shard | null): string => (r ? `rounds r with r % ${r.count} = ${r.index - 1}` : 'all its rounds');

/** What was found, in one sentence, without where it was summed up from (see findingMessage). */
function findingSentence(f: FindingFacts): string {
  switch (f.kind) {
    case 'lost-update':
      return `counter '${f.counter}' is ${f.actual}, expected ${f.expected}: ${plural(f.expected - f.actual, 'lost update')}`;
    case 'mismatch':
      return f.actual === null
        ? `counter '${f.counter}' was expected (${f.expected}) but the adapter's stats did not report it`
        : `counter '${f.counter}' is ${f.actual}, expected ${f.expected}: ${tooMany(f.actual - f.expected, f.expectedByAdapter === true)}`;
    case 'invariant':
      return `invariant violated: ${f.violation}`;
    case 'duplicate':
      return `operation '${f.op}' returned ${plural(f.duplicates, 'duplicate')} (${plural(f.values, 'value')} handed out more than once; e.g. ${asJson(f.example)} ${f.exampleTimes} times)`;
    case 'error': {
      const error = f.error ?? '(message not collected)';
      if (f.hook === 'model') return `the adapter's model failed: ${error}`;
      if (f.hook !== undefined)
        return f.workerId !== undefined ? `hook '${f.hook}' failed in worker ${f.workerId}: ${error}` : `hook '${f.hook}' threw: ${error}`;
      return `operation '${f.op ?? '?'}' threw ${plural(f.threw ?? f.count ?? 0, 'time')} of ${f.calls ?? '?'} calls; first: ${error}`;
    }
    case 'hang':
      return hangSentence(f);
    case 'crash':
      if (f.workerId === undefined) return f.internal ? `internal error: ${f.error}` : f.error;
      if (f.internal) return `worker ${f.workerId}: internal error of adapter-hammer (please report it): ${f.error}`;
      return `worker ${f.workerId} crashed: ${f.error}${f.exitCode !== undefined && !f.error.includes('code') ? ` (exit code ${f.exitCode})` : ''}`;
    case 'throughput':
      return f.opsPerSec === undefined
        ? `no measurement at ${plural(f.workers, 'worker')} to compare with --min-ops ${f.minOps}`
        : `${Math.round(f.opsPerSec).toLocaleString('en-US')} calls/s at ${plural(f.workers, 'worker')} is below --min-ops ${f.minOps.toLocaleString('en-US')}`;
    case 'inconclusive':
      if (f.reason === 'no-calls') return `${f.strategy}: no call completed, so nothing was checked; this is not a pass`;
      if (f.reason === 'rounds-cut-short') return `${f.strategy}: every round was cut short, so no round's counters were checked; this is not a pass`;
      if (f.reason === 'model-undecided')
        return `${f.strategy}: the model was the only check of what the calls returned (no counter, invariant or unique), and it could not decide any round; this is not a pass (smaller rounds: fewer ${f.strategy === 'hammer' ? '--requests' : '--iterations'}, --workers or --concurrency, or a model with partition)`;
      return `${(f.missing ?? []).length === 1 ? 'shard' : 'shards'} ${(f.missing ?? []).map((m) => `${m.shard} (${roundsOf(m.rounds)})`).join(', ')} missing from the merge: those rounds were not played, so this is not the whole run and not a pass (run the missing shard, or merge every shard's report)`;
    case 'linearizability': {
      const culprit = f.history.culprit === undefined ? undefined : f.history.calls[f.history.culprit];
      const call = culprit
        ? `${callText(culprit)} (worker ${culprit.worker}, lane ${culprit.lane}${f.partition !== undefined ? `; key ${f.partition}` : ''})`
        : `a call of ${f.op}`;
      return `round ${f.history.round}: no order of its ${f.calls} calls explains ${call}: not linearizable against the model`;
    }
  }
}

/**
 * A finding's sentence: the throughput point it happened at, what was found, and, summed up over
 * several rounds, in how many and since when.
 */
export function findingMessage(f: FindingFacts): string {
  const point = f.point ? `${plural(f.point.workers, 'worker')}, ${f.point.phase}: ` : '';
  const n = f.rounds ?? 1;
  const total = f.count !== undefined && f.count > 0 ? `, ${f.count} in total` : '';
  const over = n > 1 ? ` [in ${n} of ${f.roundsPlayed ?? '?'} rounds${total}; first in round ${f.firstRound ?? f.round ?? '?'}]` : '';
  return `${point}${findingSentence(f)}${over}`;
}

/** A warning's (or a note's) sentence. */
export function warningMessage(w: WarningFacts): string {
  switch (w.code) {
    case 'undeclared':
      return 'adapter does not declare thread safety: add `threadSafe: true` (or false) so the report can check the claim';
    case 'declared-safe-but-raced':
      return `adapter declares threadSafe: true, but ${w.strategies.join(', ')} failed: the claim is wrong`;
    case 'no-contention':
      return `${w.strategy}: operation '${w.op}' never ran at the same time as another call, so this run could not have revealed a race in it (more --workers or --concurrency, or a slower/async operation, would)`;
    case 'concurrent-access':
      return `${w.strategy}: operation '${w.op}' was accessed by ${plural(w.maxWorkers, 'worker')} concurrently (up to ${w.maxInFlight} calls in flight at once)`;
    case 'model-unknown':
      return `${w.strategy}: the model's check could not decide ${w.unknownRounds} of ${plural(w.checkedRounds, 'round')} (${w.reason}); those rounds are neither a pass nor a failure`;
    case 'schedule-diverged':
      return `${w.strategy}: the --schedule replay could not follow its schedule (${w.divergence})`;
    case 'scheduler-stalled':
      return (
        `${w.strategy}: ${w.stalledRounds} of ${plural(w.controlledRounds, 'controlled round')} stalled, nothing could run for half of --timeout (${w.stall}); ` +
        'the rest of each ran uncontrolled, in an order the scheduler did not choose'
      );
    case 'few-rounds': {
      const each = w.roundMs !== undefined ? `, ${(w.roundMs / 1000).toFixed(1)} s a round` : '';
      return (
        `${w.strategy}: only ${w.rounds} of ${w.plannedRounds.toLocaleString('en-US')} planned rounds fit in its ${(w.budgetMs / 1000).toFixed(0)} s share of the --time budget${each}: ` +
        'a rare race had few chances to show (more --time, or fewer --iterations per round)'
      );
    }
    case 'stats-not-number': {
      const source = `${w.strategy ? `${w.strategy}: ` : ''}${w.source === 'workerStats' ? `workerStats of worker ${w.workerId ?? '?'}` : w.source}`;
      // expected() returning nothing is most often an arrow function whose object was read as a block.
      const block =
        w.source === 'expected' && w.got === 'undefined'
          ? ' (`(calls) => { n: calls.n }` is a block that returns nothing: write `(calls) => ({ n: calls.n })`)'
          : '';
      return w.counter === undefined
        ? `${source} returned ${w.got}, expected an object of numbers${block}`
        : `${source}: counter '${w.counter}' is not a finite number (${w.got})`;
    }
    case 'unique-not-comparable':
      return (
        `${w.strategy}: operation '${w.op}' is \`unique\`, but returned ${w.type} objects whose JSON shows nothing of them (their state in #private fields or accessors), ` +
        'so they cannot be compared across threads and were not checked for duplicates (return the id itself: a string, a number, or a plain object)'
      );
    case 'unchecked-counters': {
      const names = w.counters.map((c) => `'${c}'`).join(', ');
      const it = w.counters.length === 1 ? 'it' : 'them';
      // With `expected`, a counter named like an operation is not checked by default: never "no operation is called so".
      const named = w.expectedHook ? w.counters.filter((c) => w.ops.includes(c)) : [];
      const byExpected = w.expectedHook
        ? `what \`expected\` returned ${w.counters.length === 1 ? 'does not name it' : 'names none of them'}`
        : `no \`expected\` names ${it}`;
      const byName = named.length
        ? `a counter named like an operation (${named.map((c) => `'${c}'`).join(', ')}) is compared with its calls only without \`expected\``
        : `no operation is called so (the operations: ${w.ops.join(', ')})`;
      const fix = named.length ? 'return every counter from expected(calls)' : 'name a counter after its operation, or add expected(calls)';
      return `${w.strategy}: the adapter reports ${w.counters.length === 1 ? 'counter' : 'counters'} ${names}, but nothing checks ${it}: ${byExpected}, ${byName}, and there is no invariant, unique or model, so this run could not have found a lost update (${fix})`;
    }
    case 'global-teardown':
      return `hook '${w.hook}' ${w.error === undefined ? 'did not settle in time' : `threw: ${w.error}`}`;
    case 'confidence-not-reached': {
      const n = (x: number): string => x.toLocaleString('en-US');
      const probability = +(w.target.probability * 100).toFixed(4);
      const op = w.op !== undefined ? ` (the weakest operation, '${w.op}')` : '';
      const reached = w.k === null ? 'no rate at all: no overlapping round' : `a race showing in 1 of ${n(w.k)} overlapping rounds`;
      const share = (w.shards ?? 1) > 1 ? " (this shard's share)" : '';
      return `${w.strategy}: --confidence 1/${w.target.oneIn}@${probability}% not reached within the --time budget: ${n(w.effectiveRounds)} overlapping rounds${op} of the ${n(w.roundsNeeded)} needed${share} would have caught ${reached} with ${probability}%`;
    }
    case 'rounds-one-at-a-time': {
      const where = w.hook ? `${w.hook}${w.at ? ` (${w.at})` : ''} ` : '';
      return (
        `${w.strategy}: rounds played one at a time, each set up only after the last was checked: ${where}${w.reason ?? 'may reach state other rounds share'}. ` +
        'If every round has state of its own (fresh memory, a schema or key prefix per round), `batch: true` in the adapter lets rounds run ahead (faster)'
      );
    }
  }
}
