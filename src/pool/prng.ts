// Seeded randomness: the same --seed gives every worker the same stream in every replay.

/** Mix several integers into one 32-bit seed (splitmix-style finaliser). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, good enough for choosing operations and for adapters' ctx.random. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The operation of each call, drawn by weight. Precomputed once per round so the hot loop reads one
 * array element instead of running the weighted draw. Returns null when there is only one operation.
 */
export function opSchedule(weights: number[], length: number, rng: () => number): Uint16Array | null {
  if (weights.length === 1) return null;
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(
    (
      (sum) => (w: number) =>
        (sum += w / total)
    )(0),
  );
  const out = new Uint16Array(length);
  for (let i = 0; i < length; i++) {
    const r = rng();
    let op = 0;
    while (op < cumulative.length - 1 && r >= cumulative[op]!) op++;
    out[i] = op;
  }
  return out;
}
