// Calls the adapter's main-thread hooks with a deadline, turning throws, rejections and hangs into
// values: a broken hook is a finding about the adapter, never a crash or a hang of the tool.
import { AdapterError } from './load.js';
import type { Adapter, HookName } from './types.js';

export type HookResult<T> =
  | { ok: true; value: T }
  /** `interrupted`: the user stopped the run (Ctrl-C) while the hook was pending; not a finding. */
  | { ok: false; hook: HookName; message: string; hung: boolean; interrupted?: boolean };

/** Pending hook calls, so an interrupt (Ctrl-C) need not wait out a hung hook's deadline. */
const pending = new Set<(e: Error) => void>();

/**
 * Stop waiting for every hook call now pending (the hooks themselves cannot be stopped: they run on
 * the main thread, and keep running in the background). Process-wide: called by RunControl.interrupt().
 */
export function interruptPendingHooks(): void {
  for (const stop of pending) stop(new HookInterrupted());
}

/** Longest error text kept from an adapter (a hook's or an operation's): reports stay readable and small. */
export const MAX_ERROR_CHARS = 1000;

/** An error's first line, at most MAX_ERROR_CHARS characters. Never throws (a hostile toString included). */
export function errorLine(e: unknown): string {
  let text: string;
  try {
    text = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
  } catch {
    text = '(an error that cannot be turned into text)';
  }
  const nl = text.indexOf('\n');
  return clip(nl < 0 ? text : text.slice(0, nl));
}

/** Adapter-supplied text (e.g. invariant's verdict) as a string of at most MAX_ERROR_CHARS characters. */
export function clip(v: unknown): string {
  let text: string;
  try {
    text = String(v);
  } catch {
    text = '(a value that cannot be turned into text)';
  }
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

export async function callHook<T>(adapter: Adapter, hook: HookName, args: unknown[], timeoutMs: number): Promise<HookResult<T | undefined>> {
  const fn = adapter[hook] as ((...a: unknown[]) => unknown) | undefined;
  if (typeof fn !== 'function') return { ok: true, value: undefined };
  let timer: NodeJS.Timeout | undefined;
  let stop: ((e: Error) => void) | undefined;
  try {
    const value = await Promise.race([
      Promise.resolve().then(() => fn.apply(adapter, args)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HookTimeout(timeoutMs)), timeoutMs);
        stop = reject;
        pending.add(reject);
      }),
    ]);
    return { ok: true, value: value as T };
  } catch (e) {
    if (e instanceof HookInterrupted) return { ok: false, hook, message: e.message, hung: false, interrupted: true };
    return { ok: false, hook, message: errorLine(e), hung: e instanceof HookTimeout };
  } finally {
    clearTimeout(timer);
    if (stop) pending.delete(stop);
  }
}

class HookInterrupted extends Error {
  constructor() {
    super('interrupted before it settled');
  }
}

class HookTimeout extends Error {
  constructor(ms: number) {
    super(`did not settle within ${ms} ms`);
  }
}

/**
 * The adapter cannot even be set up (exit code 2, one line): `setup` (main thread) or `init` (a worker)
 * threw or rejected in the run's first round, before any operation was called. From the second round
 * on, or when the hook hung instead, it is a finding of the strategy (exit code 1).
 */
export class AdapterSetupError extends AdapterError {}

/** Per run (keyed by its strategy context): how far its first round got. */
const firstRound = new WeakMap<object, 'setup-ok' | 'done'>();

function cannotSetUp(adapterShown: string, hook: 'setup' | 'init', message: string, workerId?: number): AdapterSetupError {
  const where = workerId === undefined ? '' : ` in worker ${workerId}`;
  return new AdapterSetupError([`${adapterShown}: cannot set up the adapter: hook '${hook}' threw${where} before any call: ${message}`]);
}

/** After the run's setup calls: throws AdapterSetupError when the run's very first setup threw. */
export function checkFirstSetup(run: object, adapterShown: string, failed: { message: string; hung: boolean; interrupted?: boolean } | null): void {
  if (firstRound.has(run)) return;
  // A hang is a finding (exit 1), an interrupt ends the run (130/143): never "cannot set up".
  if (failed?.hung || failed?.interrupted) firstRound.set(run, 'done');
  else if (failed) {
    firstRound.set(run, 'done');
    throw cannotSetUp(adapterShown, 'setup', failed.message);
  } else firstRound.set(run, 'setup-ok');
}

/** After the run's rounds: throws AdapterSetupError when init threw in the run's very first round. */
export function checkFirstInit(run: object, adapterShown: string, failed: { message: string; workerId: number } | undefined): void {
  if (firstRound.get(run) !== 'setup-ok') return;
  firstRound.set(run, 'done');
  if (failed) throw cannotSetUp(adapterShown, 'init', failed.message, failed.workerId);
}
