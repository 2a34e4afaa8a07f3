// Node's ESM load hook (module.register), run on Node's loader thread for the thread that registered it:
// the user's ES modules are instrumented as they load. Registered after tsx's hooks, so a TypeScript
// module arrives here already compiled to JavaScript, with tsx's inline source map to chain.
import { fileURLToPath } from 'node:url';
import { createSelector, type Selection } from './select.js';
import { instrumentSource, withInlineMap } from './transform.js';

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

/** The hooks are per registering thread; `initialize` runs once, before any `load`: this is their config. */
const config: { select: (file: string) => boolean } = { select: () => false };

export function initialize(data: Selection): void {
  config.select = createSelector(data);
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const r = await nextLoad(url, context);
  // CommonJS arrives with a source only when a hook compiled it (tsx, for .cts): Node then runs that
  // source, not require's handlers, so it is instrumented here. Otherwise register.ts's pirates hook does it.
  if ((r.format !== 'module' && r.format !== 'commonjs') || r.source == null || !url.startsWith('file:')) return r;
  const file = fileURLToPath(url);
  if (!config.select(file)) return r;
  const code = typeof r.source === 'string' ? r.source : Buffer.from(r.source as Uint8Array).toString('utf8');
  const out = instrumentSource(code, file, null, { format: r.format });
  return out.map ? { ...r, source: withInlineMap(out.code, out.map) } : r;
}
