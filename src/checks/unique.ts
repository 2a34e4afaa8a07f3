// `unique` operations (ID generators, ticket numbers): values must be pairwise distinct per round.
import { VALUE_KEY } from '../pool/protocol.js';

export interface DuplicateSummary {
  /** Calls whose value had already been returned by another call. */
  duplicates: number;
  /** Distinct values that were returned more than once. */
  values: number;
  example: unknown;
  exampleTimes: number;
}

/** The type of the first value the worker could not make comparable (pool/protocol.ts `VALUE_KEY.opaque`), or null. */
export function incomparableType(values: readonly unknown[]): string | null {
  const { opaque } = VALUE_KEY;
  for (const v of values) if (typeof v === 'string' && v.startsWith(opaque)) return v.slice(opaque.length, v.indexOf(':', opaque.length));
  return null;
}

/** Show a value the way the author returned it (objects travelled as JSON keys, see pool/worker.ts). */
export function displayValue(v: unknown): unknown {
  if (typeof v === 'string' && v.startsWith('\u0000')) {
    const body = v.slice(v.indexOf(':') + 1);
    try {
      return v.startsWith(VALUE_KEY.json) ? JSON.parse(body) : body;
    } catch {
      return body;
    }
  }
  return v;
}

export function findDuplicates(values: unknown[]): DuplicateSummary | null {
  const seen = new Map<unknown, number>();
  let duplicates = 0;
  for (const v of values) {
    const n = seen.get(v);
    if (n === undefined) seen.set(v, 1);
    else {
      seen.set(v, n + 1);
      duplicates++;
    }
  }
  if (duplicates === 0) return null;
  let example: unknown;
  let exampleTimes = 0;
  let distinct = 0;
  for (const [v, n] of seen) {
    if (n > 1) {
      distinct++;
      if (n > exampleTimes) {
        example = v;
        exampleTimes = n;
      }
    }
  }
  return { duplicates, values: distinct, example: displayValue(example), exampleTimes };
}
