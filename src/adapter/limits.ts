// Run settings an adapter may declare for itself: `timeout` (its default for --timeout), its own counts
// and time budget (`workers`, `rounds`, `time`, ...: every option of the table with an adapter field),
// and `resourceLimits` (worker heap/stack limits, so an adapter that leaks memory crashes its worker with
// "out of memory" instead of exhausting the machine). Checked when the adapter is loaded, so the CLI and
// the API treat them alike; the plan applies them under the caller's own options.
import { shown as text } from '../errors.js';
import { OPTIONS } from '../options/table.js';
import { valueProblem } from '../options/validate.js';

const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

/** Problems with the adapter's own limits, one line each (exit 2). */
export function limitProblems(a: Record<string, unknown>, shown: string): string[] {
  const problems: string[] = [];
  const t = a.timeout;
  if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 1)) {
    problems.push(`${shown}: \`timeout\` must be a whole number of milliseconds >= 1 (got ${text(t)})`);
  }
  // The adapter's own defaults for the run's counts and budget obey the options' rules.
  for (const o of OPTIONS) {
    if (!o.adapter || o.name === 'timeout' || a[o.name] === undefined) continue;
    const problem = valueProblem(o, a[o.name]);
    if (problem) problems.push(`${shown}: adapter field \`${o.name}\`: ${problem}`);
  }
  const r = a.resourceLimits;
  if (r === undefined) return problems;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    problems.push(`${shown}: \`resourceLimits\` must be an object, e.g. { maxOldGenerationSizeMb: 64 }`);
    return problems;
  }
  for (const [k, v] of Object.entries(r)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(k)) problems.push(`${shown}: unknown key '${k}' in \`resourceLimits\` (use ${LIMIT_KEYS.join(', ')})`);
    else if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      problems.push(`${shown}: \`resourceLimits.${k}\` must be a number above 0 (got ${text(v)})`);
  }
  return problems;
}
