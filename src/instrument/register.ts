// Switch instrumentation on in the current thread (a worker: Node 20 does not pass the main thread's
// loader hooks to workers, so each controlled worker registers its own), before the adapter loads.
//   ESM:      module.register load hooks (hooks.ts), registered after tsx's, so TypeScript arrives compiled.
//   CommonJS: Node 20's require does not consult those hooks, so require's extension handlers are wrapped
//             with pirates (as @babel/register and nyc do), after tsx's, for the same reason.
// Both chain the incoming source map (tsx's), and source maps are switched on, so stacks name the
// user's original lines.
import { register as registerHooks } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addHook } from 'pirates';
import { installParkGlobals } from '../scheduler/runtime.js';
import { createSelector, SOURCE_EXTENSIONS, type Selection } from './select.js';
import { instrumentSource, withInlineMap } from './transform.js';

/** Undo the CommonJS part (the ESM hooks of a thread cannot be unregistered on Node 20). */
export type Unregister = () => void;

/**
 * `typescript: false` (a JavaScript adapter, which Node alone could not have let import TypeScript
 * either) skips tsx: its registration is most of a worker's extra start-up under instrumentation.
 */
export async function registerInstrumentation(sel: Selection & { typescript?: boolean }): Promise<Unregister> {
  installParkGlobals();
  process.setSourceMapsEnabled(true);
  if (sel.typescript !== false) {
    // tsx first (both halves), so that ours run on its output.
    const tsxEsm = (await import('tsx/esm/api')) as { register: () => unknown };
    const tsxCjs = (await import('tsx/cjs/api')) as { register: () => unknown };
    tsxEsm.register();
    tsxCjs.register();
  }
  // adapter-hammer's own compiled files (dist/: the toolkit an adapter imports, the tool itself) never: a user's
  // working directory is often this package's checkout, and its awaits are not the user's.
  const own = [...(sel.exclude ?? []), fileURLToPath(new URL('../', import.meta.url))];
  const data: Selection = { roots: sel.roots, include: sel.include ?? [], cwd: sel.cwd ?? process.cwd(), exclude: own };
  registerHooks(new URL('./hooks.js', import.meta.url), { parentURL: import.meta.url, data });
  const select = createSelector(data);
  return addHook(
    (code, filename) => {
      const out = instrumentSource(code, filename, null, { format: 'commonjs' });
      return out.map ? withInlineMap(out.code, out.map) : code;
    },
    { exts: SOURCE_EXTENSIONS, matcher: select, ignoreNodeModules: false },
  );
}

/** Import a file through the registered hooks (ES module or CommonJS, JavaScript or TypeScript). */
export async function importInstrumented(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
