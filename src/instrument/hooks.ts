// Node's ESM load hook (module.register), run on Node's loader thread for the thread that registered it:
// the user's ES modules are instrumented as they load. Registered after tsx's hooks, so a TypeScript
// module arrives here already compiled to JavaScript, with tsx's inline source map to chain.
// CommonJS is not touched here: Node 20 loads it through require's extension handlers (register.ts).
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
  if (r.format !== 'module' || r.source == null || !url.startsWith('file:')) return r;
  const file = fileURLToPath(url);
  if (!config.select(file)) return r;
  const code = typeof r.source === 'string' ? r.source : Buffer.from(r.source as Uint8Array).toString('utf8');
  const out = instrumentSource(code, file, null, { format: 'module' });
  return out.map ? { ...r, source: withInlineMap(out.code, out.map) } : r;
}
