// The adapter list of a run: the paths given (or the config's), a directory standing for its adapter files.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ADAPTER_EXTENSIONS } from '../adapter/load.js';
import { AdapterError } from '../errors.js';
import { CONFIG_FILES } from './config.js';

const isDirectory = (p: string, cwd: string): boolean => {
  try {
    return statSync(path.resolve(cwd, p)).isDirectory();
  } catch {
    return false;
  }
};

/** Adapter files directly in `dir` (not recursive): loadable extensions, no .d.ts, no dotfiles, no config. */
export function adaptersInDirectory(dir: string, cwd = process.cwd()): string[] {
  const names = readdirSync(path.resolve(cwd, dir), { withFileTypes: true })
    .filter((d) => d.isFile() || d.isSymbolicLink())
    .map((d) => d.name)
    .filter(
      (n) =>
        ADAPTER_EXTENSIONS.includes(path.extname(n).toLowerCase()) &&
        !/\.d\.[cm]?ts$/i.test(n) &&
        !n.startsWith('.') &&
        !(CONFIG_FILES as readonly string[]).includes(n),
    )
    .sort();
  if (!names.length) throw new AdapterError([`no adapter files in directory ${dir} (looked for ${ADAPTER_EXTENSIONS.join(', ')})`]);
  return names.map((n) => path.join(dir, n));
}

/**
 * Expand directories and drop repeats. `multi` is true when more than one path or any directory was
 * given: the run then reports in the multi-adapter shape even if the directory held a single adapter.
 */
export function expandAdapters(given: string[], cwd = process.cwd()): { adapters: string[]; multi: boolean } {
  const out: string[] = [];
  const seen = new Set<string>();
  let dirs = 0;
  for (const g of given) {
    const list = isDirectory(g, cwd) ? (dirs++, adaptersInDirectory(g, cwd)) : [g];
    for (const a of list) {
      const key = path.resolve(cwd, a);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(a);
      }
    }
  }
  return { adapters: out, multi: given.length > 1 || dirs > 0 };
}
