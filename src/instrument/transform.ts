// Load-time instrumentation: every `await x` becomes `await __ahPark(x, "file:line:col")` and every
// `for await (… of it)` iterates `__ahParkIter(it, "…")`, so each continuation is parked until the lane's
// scheduler lets it run. acorn parses (a real parser: `await` in strings, comments and template text is
// never touched), magic-string rewrites with a source map, and an input map (tsx/esbuild's, for
// TypeScript) is chained so that both the site names and error stacks point at the user's own lines.
import remapping from '@jridgewell/remapping';
import { originalPositionFor, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';
import { parse, type Node, type Options } from 'acorn';
import { simple } from 'acorn-walk';
import MagicString from 'magic-string';
import { PARK_GLOBAL, PARK_ITER_GLOBAL } from '../scheduler/runtime.js';

export interface RawSourceMap {
  version: number;
  sources: (string | null)[];
  names: string[];
  mappings: string;
  file?: string | null;
  sourceRoot?: string;
  sourcesContent?: (string | null)[];
}

export interface Instrumented {
  /** The rewritten code, without a sourceMappingURL comment (see `withInlineMap`). */
  code: string;
  /** Maps `code` back to the original source (through the input map when there was one); null: unchanged. */
  map: RawSourceMap | null;
  /** The scheduling points written, as the `file:line:col` each one names (original positions). */
  sites: string[];
}

export interface InstrumentOptions {
  /** 'module' (ESM, top-level await allowed) or 'commonjs'; absent: tried as a module, then as a script. */
  format?: 'module' | 'commonjs';
}

const INLINE_MAP = /\n?\/\/[#@] sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)\s*$/;

interface AwaitNode extends Node {
  argument: Node;
}
interface ForOfNode extends Node {
  await: boolean;
  right: Node;
}

function parseAs(code: string, format: 'module' | 'commonjs'): Node {
  const options: Options = { ecmaVersion: 'latest', locations: true, allowHashBang: true };
  if (format === 'module') Object.assign(options, { sourceType: 'module', allowAwaitOutsideFunction: true });
  else Object.assign(options, { sourceType: 'script', allowReturnOutsideFunction: true });
  return parse(code, options);
}

/** The source's own inline map (tsx and esbuild append one), if any. */
export function inlineMapOf(code: string): RawSourceMap | null {
  const m = INLINE_MAP.exec(code);
  if (!m) return null;
  try {
    return JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as RawSourceMap;
  } catch {
    return null;
  }
}

/** `code` with its map as an inline sourceMappingURL comment, as Node's source-map support reads it. */
export function withInlineMap(code: string, map: RawSourceMap): string {
  return `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/**
 * Rewrite the awaits of one file. Code that does not parse is returned unchanged (with no map): Node
 * then reports the syntax error itself, at the user's line, as it would without instrumentation.
 */
export function instrumentSource(code: string, filename: string, inputMap?: RawSourceMap | null, options: InstrumentOptions = {}): Instrumented {
  const unchanged: Instrumented = { code, map: null, sites: [] };
  // No await, or instrumented already (a file can reach both the ESM hook and require's handler).
  if (!code.includes('await') || code.includes(`${PARK_GLOBAL}(`)) return unchanged;
  const input = inputMap ?? inlineMapOf(code);
  let ast: Node;
  try {
    ast = options.format ? parseAs(code, options.format) : parseWithFallback(code);
  } catch {
    return unchanged;
  }
  const tracer = input ? new TraceMap(input as SourceMapInput) : null;
  const sites: string[] = [];
  const siteAt = (node: Node): string => {
    const loc = node.loc!.start;
    let site = `${filename}:${loc.line}:${loc.column + 1}`;
    if (tracer) {
      const o = originalPositionFor(tracer, { line: loc.line, column: loc.column });
      if (o.source !== null && o.line !== null) site = `${sourcePath(o.source, filename)}:${o.line}:${o.column + 1}`;
    }
    sites.push(site);
    return JSON.stringify(site);
  };
  const s = new MagicString(code);
  // acorn-walk's simple walk calls back after a node's children: an inner await's closing text is
  // written before the outer one's at a shared end offset (`await await x`), which keeps them nested.
  simple(ast, {
    AwaitExpression(node) {
      const arg = (node as AwaitNode).argument;
      // A parenthesised sequence `await (a, b)` must stay one argument.
      const seq = arg.type === 'SequenceExpression';
      s.appendLeft(arg.start, `${PARK_GLOBAL}(${seq ? '(' : ''}`);
      s.appendLeft(arg.end, `${seq ? ')' : ''}, ${siteAt(node)})`);
    },
    ForOfStatement(node) {
      const f = node as ForOfNode;
      if (!f.await) return;
      s.appendLeft(f.right.start, `${PARK_ITER_GLOBAL}(`);
      s.appendLeft(f.right.end, `, ${siteAt(node)})`);
    },
  });
  if (sites.length === 0) return unchanged;
  const inlineAt = INLINE_MAP.exec(code);
  if (inlineAt) s.remove(inlineAt.index, code.length);
  const own = s.generateMap({ source: filename, includeContent: true, hires: true }) as unknown as RawSourceMap;
  const map = input ? (remapping([own as never, input as never], () => null) as unknown as RawSourceMap) : own;
  return { code: s.toString(), map, sites };
}

function parseWithFallback(code: string): Node {
  try {
    return parseAs(code, 'module');
  } catch {
    return parseAs(code, 'commonjs');
  }
}

/** A map's source as a path: tsx names it by file URL or relative to the compiled file. */
function sourcePath(source: string, filename: string): string {
  if (source.startsWith('file://')) return decodeURIComponent(new URL(source).pathname);
  if (source.startsWith('/')) return source;
  const base = filename.startsWith('/') ? filename.slice(0, filename.lastIndexOf('/') + 1) : '';
  return base ? new URL(source, `file://${base}`).pathname : source;
}
