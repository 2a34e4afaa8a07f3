// A command line that replays a run: same adapter, seed and settings.
import type { RunPlan } from './plan.js';

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function replayCommand(plan: RunPlan, overrides: Partial<RunPlan> = {}): string {
  const p = { ...plan, ...overrides };
  const parts = ['npx', 'adapter-hammer', quote(p.adapter), '-s', p.strategies.join(','), '-w', String(p.workers), '-c', String(p.concurrency)];
  if (p.strategies.includes('hammer')) parts.push('-n', String(p.requests));
  if (p.strategies.includes('race')) parts.push('-i', String(p.iterations), '-r', String(p.rounds));
  if (p.strategies.includes('throughput')) parts.push('-d', String(p.duration));
  if (p.strategies.includes('throughput') && p.minOps !== undefined) parts.push('--min-ops', String(p.minOps));
  parts.push('--seed', String(p.seed), '--timeout', String(p.timeoutMs));
  const { _: positional, ...named } = p.args;
  const rest: string[] = [];
  // yargs-parser stores `--db-path` as both 'db-path' and 'dbPath': replay the spelling the user typed.
  const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const aliases = new Set(Object.keys(named).filter((k) => k.includes('-')).map(camel));
  for (const [k, v] of Object.entries(named)) {
    if (!k.includes('-') && aliases.has(k)) continue;
    for (const item of Array.isArray(v) ? v : [v]) {
      rest.push(typeof item === 'boolean' ? (item ? `--${k}` : `--no-${k}`) : `--${k}=${quote(String(item))}`);
    }
  }
  for (const a of positional ?? []) rest.push(quote(String(a)));
  if (rest.length) parts.push('--', ...rest);
  return parts.join(' ');
}
