// Calls the adapter's main-thread hooks with a deadline, turning throws, rejections and hangs into
// values: a broken hook is a finding about the adapter, never a crash or a hang of the tool.
import { fileURLToPath } from 'node:url';
import { HookInterrupted, HookTimeout, errorLine, stackFrames, type StackFrame } from '../errors.js';
import type { Adapter, HookName } from './types.js';

export type HookFailure = {
  ok: false;
  hook: HookName;
  message: string;
  /** The thrown error's stack, user frames first (absent for a hang or an interrupt). */
  stack?: StackFrame[];
  hung: boolean;
  /** A hang: the deadline it missed, ms, and the option that set it. */
  afterMs?: number;
  deadline?: '--timeout' | '--setup-timeout';
  /** The user stopped the run (Ctrl-C, an aborted signal) while the hook was pending: not a finding. */
  interrupted: boolean;
};
export type HookResult<T> = { ok: true; value: T } | HookFailure;

/**
 * The run's pending hook calls: an interrupt stops waiting for each (the hooks themselves cannot be
 * stopped: they run on the main thread and go on in the background). One per run, never shared.
 */
export type PendingHooks = Set<(e: Error) => void>;

/** adapter-hammer's own code: its frames are not the user's (src/adapter/ compiles to dist/adapter/). */
const TOOL_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A hook that threw or rejected: its first line and its stack, user frames first. */
function thrown(hook: HookName, e: unknown): HookFailure {
  return { ok: false, hook, message: errorLine(e), stack: stackFrames(e instanceof Error ? e.stack : undefined, TOOL_ROOT), hung: false, interrupted: false };
}

/**
 * A hook's result: at once (not a promise) when the hook returned a plain value or threw, so a round of
 * sync hooks costs its checks no promise and no microtask per hook (race rounds call four per round).
 */
export type HookCall<T> = HookResult<T | undefined> | Promise<HookResult<T | undefined>>;

/**
 * Hooks that prepare (a round's `setup` and `init`, a run's `globalSetup`): their deadline is
 * --setup-timeout, not --timeout. A cold database or container may take tens of seconds to start, and a
 * slow start says nothing about concurrency.
 */
export const PREPARE_HOOKS: ReadonlySet<string> = new Set(['setup', 'init', 'globalSetup']);

/** The deadline of a hook and the option that sets it (named when the hook does not settle in time). */
export interface HookDeadline {
  ms: number;
  flag: '--timeout' | '--setup-timeout';
}

/** `deadline`: ms, or ms and the option that set them. */
export function callHook<T>(adapter: Adapter, hook: HookName, args: unknown[], deadline: number | HookDeadline, pending: PendingHooks): HookCall<T> {
  // Read as a plain value: the hook is called with the adapter as `this` below.
  const fn = (adapter as unknown as Record<string, unknown>)[hook];
  if (typeof fn !== 'function') return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = (fn as (...a: unknown[]) => unknown).apply(adapter, args);
  } catch (e) {
    return thrown(hook, e);
  }
  // A hook that returned a plain value is done: no deadline to keep, no timer to set and clear (a sync
  // hook that never returns blocks the main thread, which no timer could have reported either). Only a
  // thenable is raced against the timeout and the run's interrupt.
  if (!isThenable(value)) return { ok: true, value: value as T };
  return settleHook<T>(hook, value, deadline, pending);
}

/** A hook that returned a thenable: raced against the timeout and the run's interrupt. */
async function settleHook<T>(hook: HookName, value: unknown, deadline: number | HookDeadline, pending: PendingHooks): Promise<HookResult<T | undefined>> {
  let timer: NodeJS.Timeout | undefined;
  let stop: ((e: Error) => void) | undefined;
  const { ms, flag } = typeof deadline === 'number' ? { ms: deadline, flag: undefined } : deadline;
  try {
    const settled = await Promise.race([
      Promise.resolve(value),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HookTimeout(ms, flag)), ms);
        stop = reject;
        pending.add(reject);
      }),
    ]);
    return { ok: true, value: settled as T };
  } catch (e) {
    if (e instanceof HookInterrupted) return { ok: false, hook, message: e.message, hung: false, interrupted: true };
    if (e instanceof HookTimeout)
      return { ok: false, hook, message: e.message, hung: true, afterMs: ms, ...(flag ? { deadline: flag } : {}), interrupted: false };
    return thrown(hook, e);
  } finally {
    clearTimeout(timer);
    if (stop) pending.delete(stop);
  }
}

/** A `then` that throws when read (a getter, a revoked proxy) counts: Promise.resolve turns it into the hook's failure. */
function isThenable(v: unknown): boolean {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    return typeof (v as { then?: unknown }).then === 'function';
  } catch {
    return true;
  }
}

/** Stop waiting for every pending hook of one run. */
export function interruptHooks(pending: PendingHooks): void {
  for (const stop of [...pending]) stop(new HookInterrupted());
}
