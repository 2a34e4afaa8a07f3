// Distributions the report carries whole, so that shard reports add up exactly (src/merge/): a count
// per value (lost updates per failing round), and latency as an encoded HDR histogram.
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** hdr-histogram-js (46 modules with its WebAssembly loader) is required on first use: a run without latency never pays for it. */
const hdr = (): typeof Hdr => createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr;

/** How many times each value occurred, smallest value first. */
export type ValueHistogram = { value: number; count: number }[];

export function valueHistogram(values: Iterable<number>): ValueHistogram {
  return addHistograms([[...values].map((value) => ({ value, count: 1 }))]);
}

export function addHistograms(parts: Iterable<ValueHistogram>): ValueHistogram {
  const counts = new Map<number, number>();
  for (const part of parts) for (const { value, count } of part) counts.set(value, (counts.get(value) ?? 0) + count);
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => a.value - b.value);
}

/** min, median (the lower one of an even count) and max; null when empty. */
export function summaryOf(h: ValueHistogram): { min: number; median: number; max: number } | null {
  const n = h.reduce((a, b) => a + b.count, 0);
  if (n === 0) return null;
  const mid = Math.floor((n - 1) / 2);
  let seen = 0;
  const median = h.find((b) => (seen += b.count) > mid)!.value;
  return { min: h[0]!.value, median, max: h[h.length - 1]!.value };
}

/** Latency range: 1 ns to 1 hour, 3 significant digits (0.1% value precision). */
export const HIGHEST_NS = 3_600_000_000_000;
export const NS_PER_MS = 1e6;

export function latencyHistogram(): Histogram {
  return hdr().build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_NS, numberOfSignificantValueDigits: 3, bitBucketSize: 64 });
}

/**
 * p50/p90/p99/max in ms of a latency histogram (zeros when it is empty). `maxNs`: the exact largest
 * sample, when known: a decoded histogram only knows its bucket (the JSON keeps the exact max per point).
 */
export function percentilesOf(h: Histogram, maxNs = h.maxValue): { p50: number; p90: number; p99: number; max: number } {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  // HDR percentiles are the highest value equivalent to a bucket, which can lie just above the exact max.
  const max = maxNs;
  const at = (q: number): number => Math.min(max, h.getValueAtPercentile(q)) / NS_PER_MS;
  return { p50: at(50), p90: at(90), p99: at(99), max: max / NS_PER_MS };
}

/** A latency histogram as text for the JSON report (HDR's compressed base64 form, V2 encoding). */
export const encodeLatency = (h: Histogram): string => hdr().encodeIntoCompressedBase64(h);

/** Add encoded latency histograms; the caller destroys the result. */
export function addLatency(encoded: Iterable<string>): Histogram {
  const sum = latencyHistogram();
  for (const text of encoded) {
    const h = hdr().decodeFromCompressedBase64(text, 64);
    sum.add(h);
    h.destroy();
  }
  return sum;
}
