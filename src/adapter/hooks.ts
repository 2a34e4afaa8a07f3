// Calls the adapter's main-thread hooks with a deadline, turning throws, rejections and hangs into
// values: a broken hook is a finding about the adapter, never a crash or a hang of the tool.
import { AdapterSetupError, HookInterrupted, HookTimeout, errorLine } from '../errors.js';
export { clip, errorLine } from '../errors.js';
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
