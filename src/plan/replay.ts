// A command line that replays a run: same adapter, seed and settings, derived from the option table
// (every run option the plan holds, in the table's order; a strategy's own counts only when it runs).
import { RUN_OPTIONS, type ConfidenceTarget, type Shard } from '../options/table.js';
import { confidenceText } from '../options/validate.js';
import type { RunPlan } from './plan.js';

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function replayCommand(plan: RunPlan, overrides: Partial<RunPlan> = {}): string {
  const p = { ...plan, ...overrides } as RunPlan & Record<string, unknown>;
  const parts = ['npx', 'adapter-hammer', quote(p.adapter)];
  for (const o of RUN_OPTIONS) {
    const v = p[o.key] as number | string | string[] | boolean | undefined;
    if (v === undefined || v === false) continue;
    if (o.replayWhen && !p.strategies.includes(o.replayWhen)) continue;
    if (o.replayUnlessDefault && v === o.default?.(p.env)) continue;
    const flag = o.short ? `-${o.short}` : `--${o.long}`;
    if (o.kind === 'flag') parts.push(flag);
    else if (o.kind === 'duration') parts.push(flag, `${Number(v) / 1000}s`);
    else if (o.kind === 'shard') parts.push(flag, `${(v as unknown as Shard).index}/${(v as unknown as Shard).count}`);
    else if (o.kind === 'confidence') parts.push(flag, quote(confidenceText(v as unknown as ConfidenceTarget)));
    else parts.push(flag, quote(Array.isArray(v) ? v.join(',') : String(v)));
  }
  const { _: positional, ...named } = p.args;
  const rest: string[] = [];
  // yargs-parser stores `--db-path` as both 'db-path' and 'dbPath': replay the spelling the user typed.
  const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const aliases = new Set(
    Object.keys(named)
      .filter((k) => k.includes('-'))
      .map(camel),
  );
  for (const [k, v] of Object.entries(named)) {
    if (!k.includes('-') && aliases.has(k)) continue;
    for (const item of Array.isArray(v) ? (v as unknown[]) : [v]) {
      rest.push(typeof item === 'boolean' ? (item ? `--${k}` : `--no-${k}`) : `--${k}=${quote(String(item))}`);
    }
  }
  for (const a of positional ?? []) rest.push(quote(String(a)));
  if (rest.length) parts.push('--', ...rest);
  return parts.join(' ');
}
