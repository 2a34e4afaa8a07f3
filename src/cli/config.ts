// Config file: `adapter-hammer.config.json` or `adapter-hammer.config.mjs` (default export), found in the
// current directory or the nearest parent up to the project root (a directory with package.json or .git).
// It sets option defaults (named like the long flags: workers, strategy, timeout, json, junit, ...), the
// adapter list (`adapters`) and the adapter `args`. Each option is checked by the option table's rules
// (options/table.ts), then becomes command-line tokens placed before the user's own, so the user's flags
// win. Any problem: UsageError (exit 2).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import { OPTIONS, optionNamed, type Option } from '../options/table.js';
import { parseText } from '../options/validate.js';

export const CONFIG_FILES = ['adapter-hammer.config.json', 'adapter-hammer.config.mjs'] as const;

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Adapter paths from `adapters`, resolved against the config's directory, shown relative to cwd. */
  adapters: string[];
  /** Options as command-line tokens, to be parsed before the user's own. */
  argv: string[];
  /** `args` for the adapter (merged under what follows `--`). */
  args: Record<string, unknown> | null;
}

/** The config file that applies in `cwd`, or null. */
export function findConfig(cwd = process.cwd()): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    const found = CONFIG_FILES.map((n) => path.join(dir, n)).filter((f) => existsSync(f));
    if (found.length > 1) throw new UsageError(`both ${found.map((f) => path.relative(cwd, f) || f).join(' and ')} exist: keep one`);
    if (found.length === 1) return found[0]!;
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, '.git'))) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A JSON file's value; a file that cannot be read or parsed is a UsageError naming it (`shown`) in one line. */
export function readJsonFile(file: string, shown = file): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${shown}: cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${shown}: invalid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

async function readConfig(file: string, shown: string): Promise<unknown> {
  if (file.endsWith('.json')) return readJsonFile(file, shown);
  try {
    const ns = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    return 'default' in ns ? ns.default : ns;
  } catch (e) {
    throw new UsageError(`${shown}: could not load: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
}

/** One option's value as command-line tokens (none for a flag left as it is); a bad value is a UsageError. */
function tokensOf(o: Option, value: unknown, shown: string, fromConfigDir: (p: string) => string): string[] {
  if (o.kind === 'flag') {
    if (typeof value !== 'boolean') throw new UsageError(`${shown}: '${o.name}' must be true or false, got ${JSON.stringify(value)}`);
    return (o.negate ? !value : value) ? [`--${o.negate ? 'no-' : ''}${o.long}`] : [];
  }
  let text: string;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) text = value.join(',');
  else if (typeof value === 'string' || typeof value === 'number') text = String(value);
  else {
    const expected = o.kind === 'strategies' ? 'list of strategy names' : o.kind === 'names' ? 'list of names' : 'number or string';
    throw new UsageError(`${shown}: '${o.name}' must be a ${expected}, got ${JSON.stringify(value)}`);
  }
  try {
    parseText(o, text);
  } catch (e) {
    throw new UsageError(`${shown}: ${(e as Error).message}`);
  }
  // Paths are relative to the config file.
  if (o.kind === 'path' && text !== '-') text = fromConfigDir(text);
  return [`--${o.long}`, text];
}

/** Read and check a config file against the option table. */
export async function loadConfig(file: string, cwd = process.cwd()): Promise<LoadedConfig> {
  const shown = path.relative(cwd, file) || file;
  const raw = await readConfig(file, shown);
  if (!isPlainObject(raw)) throw new UsageError(`${shown}: must hold an object of options, e.g. { "adapters": ["test/adapters"], "workers": 4 }`);
  const dir = path.dirname(file);
  const fromConfigDir = (p: string): string => path.relative(cwd, path.resolve(dir, p)) || '.';
  const argv: string[] = [];
  let adapters: string[] = [];
  let args: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'adapters' || key === 'adapter') {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || !list.length || !list.every((v) => typeof v === 'string' && v.length > 0)) {
        throw new UsageError(`${shown}: '${key}' must be a path or a non-empty array of paths (files or directories)`);
      }
      adapters = (list as string[]).map(fromConfigDir);
      continue;
    }
    if (key === 'args') {
      if (!isPlainObject(value)) throw new UsageError(`${shown}: 'args' must be an object (what the adapter's setup() and init() receive)`);
      args = value;
      continue;
    }
    // `maxOldSpace` (the API's name) or `max-old-space` (the flag's).
    const option = optionNamed(key) ?? OPTIONS.find((o) => o.long === key);
    if (!option)
      throw new UsageError(`${shown}: unknown key '${key}' (use the long option names, e.g. "workers", "strategy", "timeout", or "adapters", "args")`);
    argv.push(...tokensOf(option, value, shown, fromConfigDir));
  }
  return { file, adapters, argv, args };
}
