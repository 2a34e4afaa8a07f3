// A hang's calls that wait on the database, said as what they wait on: a lock and the transaction
// holding it (left open, or itself waiting), a pool with no free connection, a query that never
// answers; each with where the calls are parked. The finding's `waits` (pool/waits.ts gathered them).
import type { HangWait, HangWaitHolder, StackFrame } from '../schema/report.js';
import { plural } from '../schema/words.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const short = (sql: string): string => (sql.length > 120 ? `${sql.slice(0, 119)}…` : sql);
/** ", at fn (file:line)" when the stack has a user frame. */
const at = (stack: readonly StackFrame[] | undefined): string => (stack?.[0]?.user ? `, at ${stack[0].text}` : '');

function lockName(w: HangWait): string {
  const { type, table } = w.lock ?? { type: 'lock' };
  const on = table ? ` on '${table}'` : '';
  if (type === 'row') return `a row lock${on}`;
  if (type === 'table') return `a lock of table${table ? ` '${table}'` : ''}`;
  return `a${/^[aeiou]/.test(type) ? 'n' : ''} ${type} lock${on}`;
}

function holderName(h: HangWaitHolder): string {
  return h.workerId !== undefined && h.connection !== undefined
    ? `connection ${h.connection} of worker ${h.workerId} (pid ${h.pid})`
    : `the connection with pid ${h.pid}`;
}

/** The holder's state, as the reason the lock is never given back. */
function holderState(h: HangWaitHolder): string {
  const last = `${short(h.query)}${at(h.stack)}`;
  if (h.state.startsWith('idle in transaction (aborted)'))
    return `, whose transaction failed and was never rolled back (idle for ${seconds(h.stateMs)}; its last query: ${last})`;
  if (h.state.startsWith('idle in transaction') && h.inCall)
    return `, whose transaction stays open while its call waits for something else (idle in transaction for ${seconds(h.stateMs)} since its last query, ${last})`;
  if (h.state.startsWith('idle in transaction'))
    return `, whose transaction was left open by a call that returned: idle in transaction for ${seconds(h.stateMs)} since its last query, ${last}`;
  if (h.state === 'active') return `, itself running ${last} for ${seconds(h.stateMs)}`;
  return `, ${h.state} for ${seconds(h.stateMs)} (its last query: ${last})`;
}

function sentence(w: HangWait): string {
  const who = w.workerId === undefined ? plural(w.count, 'connection') + ' of the database' : w.count === 1 ? 'a connection' : `${w.count} connections`;
  switch (w.kind) {
    case 'lock': {
      const query = w.query ? ` (${w.count === 1 ? 'its' : 'their'} query: ${short(w.query)}${at(w.stack)})` : '';
      const by = w.holder ? `, held by ${holderName(w.holder)}${holderState(w.holder)}` : '';
      return `In the database, ${who} ${w.count === 1 ? 'waits' : 'wait'} for ${lockName(w)} for ${seconds(w.forMs)}${query}${by}.`;
    }
    case 'pool':
      return (
        `${plural(w.count, 'call')} ${w.count === 1 ? 'waits' : 'wait'} for a free connection of the worker's ${w.pool?.name ?? 'pool'}${at(w.stack)}: ` +
        `all ${w.pool?.size ?? ''} are taken, for ${seconds(w.forMs)}, by calls that do not give theirs back (a call that holds a connection and asks for a second waits for itself once every connection is held that way).`
      );
    default:
      return `${w.count === 1 ? 'A query' : `${w.count} queries`} sent ${seconds(w.forMs)} ago ${w.count === 1 ? 'has' : 'have'} not answered (${short(w.query ?? '')}${at(w.stack)}), and ${w.count === 1 ? 'it waits' : 'they wait'} for no lock: a slow query, or the server stopped answering.`;
  }
}

/** What to do about it, once per kind of wait. */
function advice(waits: readonly HangWait[]): string[] {
  const out: string[] = [];
  const openTx = waits.some((w) => w.holder?.state.startsWith('idle in transaction') && !w.holder.inCall);
  if (openTx)
    out.push(
      'A call that returns without COMMIT or ROLLBACK keeps its transaction and every lock it took: end the transaction on every path (ROLLBACK in a finally when it did not COMMIT).',
    );
  else if (waits.some((w) => w.kind === 'lock' && !w.holder?.inCall))
    out.push(
      'Two transactions that lock the same rows in different orders, or one that waits for a slow client while holding locks: lock in one order, keep transactions short.',
    );
  if (waits.some((w) => w.kind === 'pool'))
    out.push(
      'Do the work on the connection the call already holds (or give it back before taking another), and size the pool for the connections a call takes at once.',
    );
  return out;
}

/** The waits of a hang as sentences, or null when nothing was known (no toolkit pool, no database view). */
export function waitsSentence(waits: readonly HangWait[]): string | null {
  if (!waits.length) return null;
  return [...waits.map(sentence), ...advice(waits)].join(' ');
}
