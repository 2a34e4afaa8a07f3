// Run limits an adapter may declare for itself: `timeout` (its default for --timeout) and
// `resourceLimits` (worker heap/stack limits, so an adapter that leaks memory crashes its worker
// with "out of memory" instead of exhausting the machine). Command-line flags always win.
import type { ResourceLimits } from 'node:worker_threads';
import { AdapterError } from '../errors.js';
import type { LoadedAdapter } from './types.js';

export interface AdapterLimits {
  timeoutMs?: number;
  resourceLimits?: ResourceLimits;
}

const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

/** Read and validate the adapter's own limits; a bad value is a problem with the adapter file (exit 2). */
export function adapterLimits(loaded: LoadedAdapter, shown: string): AdapterLimits {
  const a = loaded.adapter as unknown as Record<string, unknown>;
  const problems: string[] = [];
  const out: AdapterLimits = {};
  if (a.timeout !== undefined) {
    const t = a.timeout;
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 1) problems.push(`${shown}: \`timeout\` must be a whole number of milliseconds >= 1 (got ${String(t)})`);
    else out.timeoutMs = t;
  }
  if (a.resourceLimits !== undefined) {
    const r = a.resourceLimits;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) problems.push(`${shown}: \`resourceLimits\` must be an object, e.g. { maxOldGenerationSizeMb: 64 }`);
    else {
      const limits: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) {
        if (!(LIMIT_KEYS as readonly string[]).includes(k)) problems.push(`${shown}: unknown key '${k}' in \`resourceLimits\` (use ${LIMIT_KEYS.join(', ')})`);
        else if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${shown}: \`resourceLimits.${k}\` must be a number above 0 (got ${String(v)})`);
        else limits[k] = v;
      }
      out.resourceLimits = limits as ResourceLimits;
    }
  }
  if (problems.length) throw new AdapterError(problems);
  return out;
}

/** The worker resource limits of a run: the adapter's, with `--max-old-space <mb>` on top. */
export function mergeResourceLimits(fromAdapter: ResourceLimits | undefined, maxOldSpaceMb: number | undefined): ResourceLimits | undefined {
  if (maxOldSpaceMb === undefined) return fromAdapter;
  return { ...fromAdapter, maxOldGenerationSizeMb: maxOldSpaceMb };
}
