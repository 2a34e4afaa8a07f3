// Calls the adapter's main-thread hooks with a deadline, turning throws, rejections and hangs into
// values: a broken hook is a finding about the adapter, never a crash or a hang of the tool.
import type { Adapter, HookName } from './types.js';

export type HookResult<T> = { ok: true; value: T } | { ok: false; hook: HookName; message: string; hung: boolean };

export function errorLine(e: unknown): string {
  if (e instanceof Error) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`.split('\n')[0]!;
  return String(e).split('\n')[0]!;
}

export async function callHook<T>(adapter: Adapter, hook: HookName, args: unknown[], timeoutMs: number): Promise<HookResult<T | undefined>> {
  const fn = adapter[hook] as ((...a: unknown[]) => unknown) | undefined;
  if (typeof fn !== 'function') return { ok: true, value: undefined };
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      Promise.resolve().then(() => fn.apply(adapter, args)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HookTimeout(timeoutMs)), timeoutMs);
      }),
    ]);
    return { ok: true, value: value as T };
  } catch (e) {
    return { ok: false, hook, message: errorLine(e), hung: e instanceof HookTimeout };
  } finally {
    clearTimeout(timer);
  }
}

class HookTimeout extends Error {
  constructor(ms: number) {
    super(`did not settle within ${ms} ms`);
  }
}
