// Load-time instrumentation: every `await x` becomes `await __ahPark(x, "file:line:col")` and every
// `for await (… of it)` iterates `__ahParkIter(it, "…")`, so each continuation is parked until the lane's
// scheduler lets it run. Calls of Node's global timers (`setTimeout(f, ms)`, `setImmediate(f)`, and their
// clear functions) become `__ahSetTimeout("file:line:col", f, ms)` and so on, so the callbacks of the
// user's own timers are scheduling points too; a file that declares one of those names itself (e.g. an
// import from node:timers/promises) keeps its calls as they are. acorn parses (a real parser: `await` in strings, comments and template text is
// never touched), magic-string rewrites with a source map, and an input map (tsx/esbuild's, for
// TypeScript) is chained so that both the site names and error stacks point at the user's own lines.
import remapping from '@jridgewell/remapping';
import { originalPositionFor, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';
import { parse, type Node, type Options } from 'acorn';
import { simple } from 'acorn-walk';
import MagicString from 'magic-string';
import { PARK_GLOBAL, PARK_ITER_GLOBAL, TIMER_GLOBALS } from '../scheduler/runtime.js';

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
interface CallNode extends Node {
  callee: Node & { name?: string };
  arguments: Node[];
}
interface PatternNode extends Node {
  name?: string;
  id?: PatternNode | null;
  params?: PatternNode[];
  local?: PatternNode;
  param?: PatternNode | null;
  left?: PatternNode;
  argument?: PatternNode;
  value?: PatternNode;
  elements?: (PatternNode | null)[];
  properties?: PatternNode[];
}

/** The names a binding pattern declares (`a`, `{ a, b: [c] }`, `...d`, `e = 1`). */
function patternNames(p: PatternNode | null | undefined, out: Set<string>): void {
  if (!p) return;
  if (p.type === 'Identifier') out.add(p.name!);
  else if (p.type === 'ObjectPattern') for (const prop of p.properties ?? []) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
  else if (p.type === 'ArrayPattern') for (const e of p.elements ?? []) patternNames(e, out);
  else if (p.type === 'RestElement') patternNames(p.argument, out);
  else if (p.type === 'AssignmentPattern') patternNames(p.left, out);
}

/** Every name the file declares anywhere (imports, variables, functions, classes, parameters, catch bindings). */
function declaredNames(ast: Node): Set<string> {
  const out = new Set<string>();
  const fn = (n: Node): void => {
    const f = n as PatternNode;
    patternNames(f.id, out);
    for (const p of f.params ?? []) patternNames(p, out);
  };
  simple(ast, {
    VariableDeclarator: (n) => patternNames((n as PatternNode).id, out),
    FunctionDeclaration: fn,
    FunctionExpression: fn,
    ArrowFunctionExpression: fn,
    ClassDeclaration: (n) => patternNames((n as PatternNode).id, out),
    ImportSpecifier: (n) => patternNames((n as PatternNode).local, out),
    ImportDefaultSpecifier: (n) => patternNames((n as PatternNode).local, out),
    ImportNamespaceSpecifier: (n) => patternNames((n as PatternNode).local, out),
    CatchClause: (n) => patternNames((n as PatternNode).param, out),
  });
  return out;
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
  // No await and no timer, or instrumented already (a file can reach both the ESM hook and require's handler).
  if (!/await|setTimeout|setImmediate|clearTimeout|clearImmediate/.test(code) || /__ah(Park|SetTimeout|SetImmediate)\(/.test(code)) return unchanged;
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
  let changed = false;
  // Timers: only calls of the global functions (a file that declares the name keeps its own).
  const declared = declaredNames(ast);
  const timerOf = (callee: CallNode['callee']): string | undefined =>
    callee.type === 'Identifier' && Object.hasOwn(TIMER_GLOBALS, callee.name!) && !declared.has(callee.name!) ? TIMER_GLOBALS[callee.name!] : undefined;
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
    CallExpression(node) {
      const call = node as CallNode;
      const global = timerOf(call.callee);
      if (global === undefined) return;
      s.overwrite(call.callee.start, call.callee.end, global);
      // setTimeout and setImmediate take the place they were called from first; the clear functions only the handle.
      // prependLeft: before an `__ahPark(` an await in the first argument wrote at the same offset.
      if (!global.startsWith('__ahClear')) s.prependLeft(code.indexOf('(', call.callee.end) + 1, `${siteAt(node)}, `);
      changed = true;
    },
    ForOfStatement(node) {
      const f = node as ForOfNode;
      if (!f.await) return;
      s.appendLeft(f.right.start, `${PARK_ITER_GLOBAL}(`);
      s.appendLeft(f.right.end, `, ${siteAt(node)})`);
    },
  });
  if (sites.length === 0 && !changed) return unchanged;
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
