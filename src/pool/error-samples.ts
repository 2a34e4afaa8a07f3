// What a worker keeps of the errors its calls threw: distinct errors (by message and the top frame of
// the user's code) with their counts and a bounded stack, user frames first. Only the error path pays
// for it, and only for the first SAMPLED_ERRORS errors of an operation in a round (the rest are
// counted in the tallies, not grouped).
import { errorLine, sameError, stackFrames, type StackFrame } from '../errors.js';

/** Distinct errors kept per operation and round. */
const MAX_DISTINCT = 5;
/** Errors per operation and round whose stacks are read and grouped. */
export const SAMPLED_ERRORS = 256;
export interface ErrorSample {
  op: string;
  message: string;
  /** How many of the operation's sampled errors had this message and top user frame. */
  count: number;
  /** User frames first, then the others; at most MAX_FRAMES. */
  stack: StackFrame[];
}

/** Count one thrown error into `samples` (grouped by operation, message and top user frame). */
export function recordError(samples: ErrorSample[], op: string, e: unknown, toolRoot: string): void {
  const message = errorLine(e);
  const stack = stackFrames(e instanceof Error ? e.stack : undefined, toolRoot);
  const same = samples.find((s) => s.op === op && sameError(s, { message, stack }));
  if (same) same.count++;
  else if (samples.filter((s) => s.op === op).length < MAX_DISTINCT) samples.push({ op, message, count: 1, stack });
}

/** Merge the workers' samples: the same error from two workers is one entry with the counts added. */
export function mergeSamples(into: ErrorSample[], more: readonly ErrorSample[]): void {
  for (const s of more) {
    const same = into.find((x) => x.op === s.op && sameError(x, s));
    if (same) same.count += s.count;
    else into.push({ ...s, stack: [...s.stack] });
  }
}
