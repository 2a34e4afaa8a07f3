// The words of findings and diagnoses, shared by the stages that write them.
import type { HistoryCall } from './report.js';

/** "1 worker", "2 workers"; `many` for irregular plurals. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * `op(input)` of a recorded call, as findings and the history table name it: an array input reads as
 * the call's arguments, no input as `op()`. `value` shows one value (each stage its own length).
 */
export function callLabel(c: HistoryCall, value: (v: unknown) => string): string {
  if (c.input === undefined) return `${c.op}()`;
  return `${c.op}(${Array.isArray(c.input) ? c.input.map(value).join(', ') : value(c.input)})`;
}
