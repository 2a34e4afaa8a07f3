// A reusable start barrier over shared memory. All workers of a round are released together, which
// is what turns a race window of a few nanoseconds into one that is hit: threads started one by one
// in a loop (the seeds' hammer) rarely overlap at all (see measurements.md).
import { C, Halt } from './layout.js';

/**
 * Arrive and wait until `parties` workers have arrived. Spins first (release skew of microseconds,
 * not the ~50 us of a futex wake-up), then sleeps in short Atomics.wait slices so an abort (crash or
 * hang elsewhere) or the time limit is noticed. Returns false when called off.
 */
export function barrierWait(ctl: Int32Array, parties: number, spins: number): boolean {
  const gen = Atomics.load(ctl, C.GEN);
  if (Atomics.add(ctl, C.ARRIVED, 1) + 1 === parties) {
    Atomics.store(ctl, C.ARRIVED, 0);
    Atomics.add(ctl, C.GEN, 1);
    // The spinners are off the moment GEN moves; a notify would hold the releaser back by a syscall's
    // worth of microseconds behind them (start skew, in a race window of nanoseconds). Only a sleeper
    // needs one. Its SLEEPERS increment comes before its wait re-checks GEN (all seq-cst): either it
    // sees the new GEN and does not sleep, or this load sees it.
    if (Atomics.load(ctl, C.SLEEPERS) !== 0) Atomics.notify(ctl, C.GEN);
    return true;
  }
  for (let i = 0; i < spins; i++) {
    if (Atomics.load(ctl, C.GEN) !== gen) return true;
  }
  Atomics.add(ctl, C.SLEEPERS, 1);
  try {
    while (Atomics.load(ctl, C.GEN) === gen) {
      // Aborted, or (between the rounds of a batch) the time limit reached: nobody else will come.
      if (Atomics.load(ctl, C.HALT) !== Halt.RUN) return false;
      Atomics.wait(ctl, C.GEN, gen, 20);
    }
  } finally {
    Atomics.sub(ctl, C.SLEEPERS, 1);
  }
  return true;
}
