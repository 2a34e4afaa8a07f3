// Which files are instrumented: the user's own (under the adapter's directory or the working directory),
// never node_modules, unless the user opts in with globs (picomatch, matched against the path relative to
// the working directory and the absolute one).
import { realpathSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

export interface Selection {
  /** Directories whose files (outside node_modules) are the user's own. */
  roots: string[];
  /** Globs of further files to instrument, node_modules included (e.g. `node_modules/my-db/**`). */
  include?: string[];
  /** Resolves `include` and shows sites relative to it. Default: process.cwd(). */
  cwd?: string;
  /** Directories never instrumented (adapter-hammer's own package: its toolkit is a library, like node_modules). */
  exclude?: string[];
}

export const SOURCE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'];

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function createSelector(sel: Selection): (file: string) => boolean {
  const cwd = sel.cwd ?? process.cwd();
  // Modules load by their real path: a root reached through a symlink counts as its target too, or an
  // adapter in a symlinked directory would get no scheduling point (and pass).
  const roots = sel.roots.flatMap((r) => {
    const abs = path.resolve(cwd, r);
    return [abs, realPath(abs)].map((d) => d + path.sep);
  });
  const included = sel.include?.length ? picomatch(sel.include, { dot: true }) : null;
  const excluded = (sel.exclude ?? []).map((r) => path.resolve(cwd, r) + path.sep);
  return (file) => {
    if (!SOURCE_EXTENSIONS.includes(path.extname(file).toLowerCase())) return false;
    if (excluded.some((r) => file.startsWith(r))) return false;
    if (included && (included(path.relative(cwd, file)) || included(file))) return true;
    if (file.split(path.sep).includes('node_modules')) return false;
    return roots.some((r) => file.startsWith(r));
  };
}
