// May race rounds run ahead of each other? Batches set several rounds up before the first of them runs,
// pipelining sets the next batch up before this one's stats, and sessions side by side play rounds at
// the same time: each is sound only when a round's main-thread hooks can touch nothing but that round's
// own `shared`. A guess (e.g. "setup returned new shared memory") is not enough: a setup that also
// resets a database table, a Redis key or a file makes another round's stats read the wrong state, and
// a correct adapter fails, or an unsafe one passes (issue 26).
//
// So rounds run ahead only when that is safe by construction: the adapter declares it (`batch: true`:
// every round's state is its own, e.g. a fresh schema per round), or the main-thread hooks are proven to
// touch nothing but their arguments and what they allocate. The proof reads the very source V8 runs
// (the inspector gives each hook's script and position, so TypeScript compiled by tsx and CommonJS are
// covered alike), resolves every name with eslint-scope, and accepts only what cannot reach other
// state: locals and parameters, constants, pure helper functions, the safe built-ins, and the toolkit's
// shared-memory classes. Anything else (an import such as `fs`, a module-level `let`, `this`, a call it
// cannot see into) means "not proven", and rounds are played one at a time, saying which line stopped the proof.
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, type Node } from 'acorn';
import { full } from 'acorn-walk';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { analyze, type Reference, type Scope, type ScopeManager, type Variable } from 'eslint-scope';
import type { RoundIndependence } from '../schema/report.js';
import type { Adapter } from './types.js';

export type { RoundIndependence };

/** The main-thread hooks a round runs before and after its calls (globalSetup and the worker hooks run in order anyway). */
export const ROUND_HOOKS = ['setup', 'stats', 'expected', 'invariant', 'teardown'] as const;
export type RoundHook = (typeof ROUND_HOOKS)[number];

/** Why a hook is not proven to touch only its own round's state: what it does, and where. */
export interface Unproven {
  reason: string;
  /** Offset in `script`'s source. */
  offset: number;
  script: ScriptScopes;
}

/** Built-ins that reach no state outside their arguments (Date and Math.random read the clock or a PRNG: harmless here). */
const SAFE_GLOBALS: ReadonlySet<string> = new Set([
  'undefined',
  'NaN',
  'Infinity',
  'Math',
  'JSON',
  'Atomics',
  'Number',
  'String',
  'Boolean',
  'BigInt',
  'Symbol',
  'Object',
  'Array',
  'Date',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Promise',
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'AggregateError',
  'SharedArrayBuffer',
  'ArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'TextDecoder',
  'TextEncoder',
  'Buffer',
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'structuredClone',
  'console',
]);

/** The toolkit's classes that only allocate and use shared memory of their own. */
const SAFE_IMPORTS: ReadonlySet<string> = new Set(['Mutex', 'SharedCounter', 'SharedCounters']);
const TOOLKIT_MODULES: ReadonlySet<string> = new Set(['adapter-hammer', 'adapter-hammer/toolkit']);

/** Methods that read an object without changing it: the only calls allowed on an object every round shares. */
const READ_ONLY_METHODS: ReadonlySet<string> = new Set([
  'at',
  'concat',
  'entries',
  'every',
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flat',
  'flatMap',
  'forEach',
  'includes',
  'indexOf',
  'join',
  'keys',
  'lastIndexOf',
  'map',
  'reduce',
  'reduceRight',
  'slice',
  'some',
  'values',
  'get',
  'has',
  'toString',
  'toFixed',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'startsWith',
  'endsWith',
  'padStart',
  'padEnd',
  'repeat',
  'split',
  'substring',
  'toLowerCase',
  'toUpperCase',
  'trim',
  'hasOwnProperty',
  'exec',
  'test',
]);

/** Built-in functions that never change their arguments (a shared constant may be passed to them). */
const READ_ONLY_FUNCTIONS: ReadonlySet<string> = new Set([
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Object.isFrozen',
  'Object.getOwnPropertyNames',
  'Array.from',
  'Array.isArray',
  'JSON.stringify',
  'structuredClone',
  'String',
  'Number',
  'Boolean',
  'console.log',
  'console.error',
  'console.warn',
]);

type AnyNode = Node & Record<string, unknown>;
const isNode = (v: unknown): v is AnyNode => v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string';
const FUNCTION_TYPES: ReadonlySet<string> = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** A parsed script, its scopes, and a parent link for every node. */
export class ScriptScopes {
  readonly ast: AnyNode;
  readonly scopes: ScopeManager;
  private readonly parents = new Map<AnyNode, AnyNode>();
  /** The reference each identifier node makes. */
  readonly refs = new Map<AnyNode, Reference>();
  private readonly lineStarts: number[];

  constructor(
    readonly source: string,
    readonly url: string,
  ) {
    this.ast = parse(source);
    this.scopes = analyze(this.ast, {
      ecmaVersion: 2022,
      sourceType: this.ast.sourceType as 'module' | 'script',
      nodejsScope: this.ast.sourceType === 'script',
      fallback: 'iteration',
    });
    full(this.ast, (node) => {
      for (const v of Object.values(node)) {
        if (isNode(v)) this.parents.set(v, node as AnyNode);
        else if (Array.isArray(v)) for (const c of v) if (isNode(c)) this.parents.set(c, node as AnyNode);
      }
    });
    for (const scope of this.scopes.scopes) for (const r of scope.references) this.refs.set(r.identifier as AnyNode, r);
    this.lineStarts = [0];
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  parent(node: AnyNode): AnyNode | undefined {
    return this.parents.get(node);
  }

  offsetOf(line: number, column: number): number {
    return (this.lineStarts[line] ?? this.source.length) + column;
  }

  /** 1-based line and 0-based column of an offset. */
  positionOf(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! };
  }

  /** `file:line` of an offset, in the user's own file where the script carries an inline source map (tsx's TypeScript). */
  where(offset: number): string {
    const url = this.url;
    const pos = this.positionOf(offset);
    const inline = /\/\/# sourceMappingURL=data:application\/json;(?:charset=[^;,]+;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(this.source);
    if (inline) {
      try {
        const map = new TraceMap(Buffer.from(inline[1]!, 'base64').toString('utf8'), url);
        const orig = originalPositionFor(map, pos);
        if (orig.source && orig.line) return `${shownUrl(orig.source)}:${orig.line}`;
      } catch {
        // An unreadable map: the compiled position is still true.
      }
    }
    return `${shownUrl(url)}:${pos.line}`;
  }

  /** What this module exports as `name`: a local binding, or a value (`export default <expression>`). */
  exported(name: string): { kind: 'binding'; variable: Variable } | { kind: 'value'; node: AnyNode } | null {
    const moduleScope = this.scopes.globalScope?.childScopes.find((c) => c.type === 'module');
    if (!moduleScope) return null;
    const local = (n: string) => {
      const variable = moduleScope.variables.find((x) => x.name === n);
      return variable ? ({ kind: 'binding', variable } as const) : null;
    };
    for (const stmt of this.ast.body as AnyNode[]) {
      if (stmt.type === 'ExportDefaultDeclaration' && name === 'default') {
        const d = stmt.declaration as AnyNode;
        if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) return local((d.id as AnyNode).name as string);
        return d.type === 'Identifier' ? local(d.name as string) : { kind: 'value', node: d };
      }
      if (stmt.type !== 'ExportNamedDeclaration' || stmt.source) continue;
      const d = stmt.declaration as AnyNode | null;
      if (d?.type === 'FunctionDeclaration' && (d.id as AnyNode).name === name) return local(name);
      if (
        d?.type === 'VariableDeclaration' &&
        (d.declarations as AnyNode[]).some((x) => (x.id as AnyNode).type === 'Identifier' && (x.id as AnyNode).name === name)
      )
        return local(name);
      for (const spec of (stmt.specifiers as AnyNode[] | undefined) ?? [])
        if (((spec.exported as AnyNode).name ?? (spec.exported as AnyNode).value) === name) return local((spec.local as AnyNode).name as string);
    }
    return null;
  }

  /** The function V8 places at `offset` (the start of its parameters): the innermost one whose head holds it. */
  functionAt(offset: number): AnyNode | null {
    let found: AnyNode | null = null;
    full(this.ast, (node) => {
      const n = node as AnyNode;
      if (!FUNCTION_TYPES.has(n.type)) return;
      const body = n.body as AnyNode;
      if (n.start <= offset && offset <= body.start && (!found || n.start >= found.start)) found = n;
    });
    return found;
  }
}

function parse(source: string): AnyNode {
  const options = { ecmaVersion: 'latest', ranges: true, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true } as const;
  try {
    return Parser.parse(source, { ...options, sourceType: 'module' }) as unknown as AnyNode;
  } catch {
    return Parser.parse(source, { ...options, sourceType: 'script' }) as unknown as AnyNode;
  }
}

/** Every scope inside `scope`, itself included. */
function scopesWithin(scope: Scope): Scope[] {
  const out = [scope];
  for (let i = 0; i < out.length; i++) out.push(...out[i]!.childScopes);
  return out;
}

/** `Math.max`, `Object.keys`: the dotted name of a static member access on an identifier, else null. */
function dottedName(node: AnyNode): string | null {
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'MemberExpression' && !node.computed && (node.object as AnyNode).type === 'Identifier')
    return `${(node.object as AnyNode).name as string}.${(node.property as AnyNode).name as string}`;
  return null;
}

/** Writes through a member of `id` (`id.x = 1`, `id[i]++`, `delete id.x`)? */
function writtenThrough(script: ScriptScopes, id: AnyNode): AnyNode | null {
  let child = id;
  let parent = script.parent(child);
  while (parent && parent.type === 'MemberExpression' && parent.object === child) {
    const up = script.parent(parent);
    if (!up) return null;
    if ((up.type === 'AssignmentExpression' && up.left === parent) || up.type === 'UpdateExpression') return up;
    if (up.type === 'UnaryExpression' && up.operator === 'delete') return up;
    child = parent;
    parent = up;
  }
  return null;
}

/** How `id` (an object every round shares) is used: only read (a member read, a read-only method or function, iteration)? */
function onlyRead(script: ScriptScopes, id: AnyNode): boolean {
  if (writtenThrough(script, id)) return false;
  const parent = script.parent(id);
  if (!parent) return false;
  if (parent.type === 'MemberExpression' && parent.object === id) {
    const up = script.parent(parent);
    // A method called on it must be one that only reads.
    if (up && up.type === 'CallExpression' && up.callee === parent)
      return !parent.computed && READ_ONLY_METHODS.has((parent.property as AnyNode).name as string);
    return true;
  }
  if (parent.type === 'ForOfStatement' && parent.right === id) return true;
  if (parent.type === 'ForInStatement' && parent.right === id) return true;
  if (parent.type === 'SpreadElement') return script.parent(parent)?.type === 'ArrayExpression' || script.parent(parent)?.type === 'ObjectExpression';
  if (parent.type === 'CallExpression' && parent.arguments instanceof Array && (parent.arguments as AnyNode[]).includes(id)) {
    const name = dottedName(parent.callee as AnyNode);
    return name !== null && READ_ONLY_FUNCTIONS.has(name);
  }
  return false;
}

/**
 * Is `node` a value that cannot change: literals (a regular expression without the g or y flag keeps no
 * state between uses), other constants, and arrays, objects and operators over them?
 */
function isConstantValue(script: ScriptScopes, node: AnyNode | null | undefined, seen: Set<AnyNode>): boolean {
  if (!node) return false;
  const constant = (n: AnyNode | null | undefined): boolean => isConstantValue(script, n, seen);
  switch (node.type) {
    case 'Literal': {
      const regex = (node as { regex?: { flags: string } }).regex;
      return !regex || !/[gy]/.test(regex.flags);
    }
    case 'TemplateLiteral':
      return (node.expressions as AnyNode[]).every(constant);
    case 'UnaryExpression':
      return node.operator !== 'delete' && constant(node.argument as AnyNode);
    case 'BinaryExpression':
    case 'LogicalExpression':
      return constant(node.left as AnyNode) && constant(node.right as AnyNode);
    case 'ConditionalExpression':
      return constant(node.test as AnyNode) && constant(node.consequent as AnyNode) && constant(node.alternate as AnyNode);
    case 'ArrayExpression':
      return (node.elements as (AnyNode | null)[]).every((e) => e === null || constant(e));
    case 'ObjectExpression':
      return (node.properties as AnyNode[]).every(
        (p) => p.type === 'Property' && p.kind === 'init' && !p.method && !p.computed && constant(p.value as AnyNode),
      );
    case 'Identifier': {
      if (node.name === 'undefined' || node.name === 'NaN' || node.name === 'Infinity') return true;
      // Another constant of the module (`const COMPUTATIONS = KEYS`).
      const v = script.refs.get(node)?.resolved;
      const def = v?.defs.length === 1 ? v.defs[0] : undefined;
      if (!v || !def || def.type !== 'Variable' || seen.has(def.node as AnyNode)) return false;
      if ((def.parent as AnyNode | null)?.kind !== 'const' && !neverReassigned(v)) return false;
      seen.add(def.node as AnyNode);
      return constant((def.node as AnyNode).init as AnyNode);
    }
    case 'MemberExpression':
      // Number.MAX_SAFE_INTEGER, Math.PI: constants of the built-ins.
      return !node.computed && (node.object as AnyNode).type === 'Identifier' && ['Number', 'Math'].includes((node.object as AnyNode).name as string);
    default:
      return false;
  }
}

const isFunctionNode = (n: AnyNode | null | undefined): n is AnyNode => !!n && FUNCTION_TYPES.has(n.type);

/** esbuild's `__name(fn, "name")` (tsx keeps function names so): the function itself. */
function unwrapName(n: AnyNode | null | undefined): AnyNode | null | undefined {
  if (n && n.type === 'CallExpression' && (n.callee as AnyNode).type === 'Identifier' && (n.callee as AnyNode).name === '__name')
    return (n.arguments as AnyNode[])[0];
  return n;
}

/** `require('m')`, or esbuild's `__toESM(require('m'))`: the module's name, else null. */
function requiredModule(n: AnyNode | null | undefined): string | null {
  if (!n || n.type !== 'CallExpression') return null;
  const callee = n.callee as AnyNode;
  const [arg] = n.arguments as AnyNode[];
  if (callee.type === 'Identifier' && callee.name === 'require' && arg?.type === 'Literal' && typeof arg.value === 'string') return arg.value;
  return callee.type === 'Identifier' && callee.name === '__toESM' ? requiredModule(arg) : null;
}

/** Only its initialiser writes it (a `let` never reassigned is as good as a `const`). */
const neverReassigned = (v: Variable): boolean => v.references.every((r) => !r.isWrite() || r.init === true);

/**
 * One proof over the scripts V8 has loaded: does a hook touch only its arguments, its locals and what
 * it allocates? Helpers it calls, in its own module or in the user's other modules, are checked the same way.
 */
export class Proof {
  private readonly scripts = new Map<string, ScriptScopes | null>();
  private readonly seen = new Set<AnyNode>();

  /** `sources`: the user's scripts by URL (file://), as V8 runs them. */
  constructor(private readonly sources: ReadonlyMap<string, string>) {}

  /** The script at `url`, parsed once; null when it is not known or does not parse. */
  script(url: string): ScriptScopes | null {
    if (!this.scripts.has(url)) {
      const source = this.sources.get(url);
      let parsed: ScriptScopes | null = null;
      try {
        if (source !== undefined) parsed = new ScriptScopes(source, url);
      } catch {
        parsed = null;
      }
      this.scripts.set(url, parsed);
    }
    return this.scripts.get(url)!;
  }

  /** Null when `fn` (a node of `script`) is proven to touch only its own round's state; else the first thing that stops the proof. */
  unproven(script: ScriptScopes, fn: AnyNode): Unproven | null {
    if (this.seen.has(fn)) return null;
    this.seen.add(fn);
    const own = script.scopes.acquire(fn);
    if (!own) return { reason: 'its scope could not be analysed', offset: fn.start, script };
    const inside = new Set(scopesWithin(own));
    for (const scope of inside) {
      for (const ref of scope.references) {
        const problem = this.reference(script, ref, inside);
        if (problem) return problem;
      }
    }
    let found: Unproven | null = null;
    full(fn, (node) => {
      if (found) return;
      const n = node as AnyNode;
      if (n.type === 'ThisExpression') found = { reason: 'uses `this` (state the adapter object keeps across rounds)', offset: n.start, script };
      else if (n.type === 'ImportExpression') found = { reason: 'imports a module while it runs', offset: n.start, script };
      else if (n.type === 'ClassExpression' || n.type === 'ClassDeclaration') found = { reason: 'declares a class (not analysed)', offset: n.start, script };
    });
    return found;
  }

  private reference(script: ScriptScopes, ref: Reference, inside: Set<Scope>): Unproven | null {
    const id = ref.identifier as AnyNode;
    const name = id.name as string;
    const v = ref.resolved;
    const stop = (reason: string): Unproven => ({ reason, offset: id.start, script });
    // esbuild's name-keeping helper around a nested function: not a call into other code.
    if (name === '__name' && script.parent(id)?.type === 'CallExpression') return null;
    if (!v) {
      if (ref.isWrite()) return stop(`assigns the global \`${name}\``);
      return SAFE_GLOBALS.has(name) ? null : stop(`uses \`${name}\`, a global that may reach shared state`);
    }
    if (inside.has(v.scope)) return null;
    if (ref.isWrite()) return stop(`assigns \`${name}\`, declared outside the hook (state every round shares)`);
    return this.binding(script, v, name, { script, id });
  }

  /**
   * A name declared outside the hook (in `script`, where it is declared), used at `use`: a constant, a
   * pure function, a safe toolkit class, or a binding imported from another of the user's modules.
   */
  private binding(script: ScriptScopes, v: Variable, name: string, use: { script: ScriptScopes; id: AnyNode }): Unproven | null {
    const stop = (reason: string): Unproven => ({ reason, offset: use.id.start, script: use.script });
    const def = v.defs[0];
    if (!def || v.defs.length > 1) return stop(`uses \`${name}\`, declared more than once`);
    const calls = (inner: Unproven | null): Unproven | null => inner && { ...inner, reason: `calls \`${name}\`, which ${inner.reason}` };
    switch (def.type) {
      case 'ImportBinding': {
        const decl = def.parent as AnyNode;
        const from = (decl.source as AnyNode).value as string;
        const spec = def.node as AnyNode;
        const imported =
          spec.type === 'ImportSpecifier' ? ((spec.imported as AnyNode).name as string) : spec.type === 'ImportDefaultSpecifier' ? 'default' : null;
        if (TOOLKIT_MODULES.has(from) && imported !== null && SAFE_IMPORTS.has(imported)) return null;
        const other = imported !== null && /^\.\.?\//.test(from) ? this.script(new URL(from, script.url).href) : null;
        const exported = other && imported !== null ? other.exported(imported) : null;
        if (!other || !exported) return stop(`uses \`${name}\`, imported from '${from}'`);
        if (exported.kind === 'value') return this.value(other, exported.node, name, use);
        return this.binding(other, exported.variable, name, use);
      }
      case 'FunctionName':
        if (!neverReassigned(v)) return stop(`uses \`${name}\`, a function that is reassigned`);
        return calls(this.unproven(script, def.node as AnyNode));
      case 'Variable': {
        const decl = def.node as AnyNode;
        if ((def.parent as AnyNode | null)?.kind !== 'const' && !neverReassigned(v))
          return stop(`reads \`${name}\`, a module-level variable (state every round shares)`);
        if ((decl.id as AnyNode).type !== 'Identifier') return stop(`uses \`${name}\`, destructured from a value not analysed`);
        return this.value(script, decl.init as AnyNode | null, name, use);
      }
      default:
        return stop(`uses \`${name}\` (${def.type === 'Parameter' ? 'a parameter of an enclosing function' : 'declared outside the hook'})`);
    }
  }

  /** A constant's value (`init`, in `script`), used at `use`: a pure function, or a constant that is only read. */
  private value(script: ScriptScopes, init: AnyNode | null, name: string, use: { script: ScriptScopes; id: AnyNode }): Unproven | null {
    const stop = (reason: string): Unproven => ({ reason, offset: use.id.start, script: use.script });
    const value = unwrapName(init);
    if (isFunctionNode(value)) {
      const inner = this.unproven(script, value);
      return inner && { ...inner, reason: `calls \`${name}\`, which ${inner.reason}` };
    }
    if (!isConstantValue(script, value, new Set())) {
      const mod = requiredModule(value);
      // tsx compiles a CommonJS TypeScript import to `const import_node_fs = __toESM(require("node:fs"))`.
      if (mod !== null) return stop(name.startsWith('import_') ? `uses what it imports from '${mod}'` : `uses \`${name}\`, required from '${mod}'`);
      return stop(`uses \`${name}\`, a value every round shares`);
    }
    // A constant object, array or regular expression: it may be read, never changed.
    const mutable = value!.type === 'ArrayExpression' || value!.type === 'ObjectExpression' || (value!.type === 'Literal' && 'regex' in value!);
    if (mutable && !onlyRead(use.script, use.id)) return stop(`may change \`${name}\`, a constant every round shares`);
    return null;
  }
}

/** Where V8 keeps a function: its script, and the position of its parameters. */
interface FunctionSite {
  url: string;
  line: number;
  column: number;
}

/** The user's own scripts: files, not dependencies and not adapter-hammer's own code. */
const OWN_CODE = fileURLToPath(new URL('../', import.meta.url));
const isUserScript = (url: string): boolean => url.startsWith('file://') && !url.includes('/node_modules/') && !fileURLToPath(url).startsWith(OWN_CODE);

/**
 * Where `fns` are (null: a native or bound function), and the sources of the user's scripts, from the
 * inspector: the code V8 runs, so TypeScript arrives as tsx compiled it.
 */
async function locate(fns: readonly ((...a: never[]) => unknown)[]): Promise<{ sites: (FunctionSite | null)[]; sources: Map<string, string> }> {
  const session = new Session();
  session.connect();
  const scripts = new Map<string, string>();
  session.on('Debugger.scriptParsed', (m) => {
    if (isUserScript(m.params.url)) scripts.set(m.params.scriptId, m.params.url);
  });
  // A property only for the inspector to find them by, removed at once.
  const key = `__adapterHammerHooks${process.pid}`;
  const g = globalThis as unknown as Record<string, unknown>;
  try {
    await session.post('Debugger.enable');
    g[key] = fns;
    const sites: (FunctionSite | null)[] = [];
    for (let i = 0; i < fns.length; i++) {
      const { result } = await session.post('Runtime.evaluate', { expression: `globalThis[${JSON.stringify(key)}][${i}]` });
      const props = await session.post('Runtime.getProperties', { objectId: result.objectId!, ownProperties: true });
      const loc = props.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
        { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
      const url = loc && scripts.get(loc.scriptId);
      sites.push(loc && url ? { url, line: loc.lineNumber, column: loc.columnNumber } : null);
    }
    const sources = new Map<string, string>();
    for (const [scriptId, url] of scripts) sources.set(url, (await session.post('Debugger.getScriptSource', { scriptId })).scriptSource);
    return { sites, sources };
  } finally {
    delete g[key];
    await session.post('Debugger.disable').catch(() => {});
    session.disconnect();
  }
}

/** `file:///a/b.mjs` -> `/a/b.mjs`; a script's URL as a path where it is one. */
function shownUrl(url: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const rel = path.isAbsolute(file) ? path.relative(process.cwd(), file) : file;
  return rel && !rel.startsWith('..') ? rel : file;
}

/**
 * Whether this adapter's race rounds may run ahead of each other (batches, pipelining, sessions side by
 * side). The adapter's `batch` decides when it has one; else the round hooks must be proven to touch
 * only their own round's state.
 */
export async function roundIndependence(adapter: Adapter): Promise<RoundIndependence> {
  if (adapter.batch !== undefined) return { independent: adapter.batch, basis: 'declared' };
  const hooks = ROUND_HOOKS.filter((h) => typeof adapter[h] === 'function');
  if (!hooks.length) return { independent: true, basis: 'proven' };
  let located;
  try {
    // Only their identity is used (the inspector locates them): they are never called from here.
    const fns = hooks.map((h) => (adapter as unknown as Record<RoundHook, (...a: never[]) => unknown>)[h]);
    located = await locate(fns);
  } catch (e) {
    return { independent: false, basis: 'unproven', reason: `its hooks could not be read (${(e as Error).message})` };
  }
  const proof = new Proof(located.sources);
  for (let i = 0; i < hooks.length; i++) {
    const hook = hooks[i]!;
    const site = located.sites[i];
    const script = site && proof.script(site.url);
    const fn = site && script?.functionAt(script.offsetOf(site.line, site.column));
    if (!script || !fn)
      return { independent: false, basis: 'unproven', hook, reason: 'its source could not be read (a native or bound function, or code outside your files)' };
    const problem = proof.unproven(script, fn);
    if (problem) return { independent: false, basis: 'unproven', hook, reason: problem.reason, at: problem.script.where(problem.offset) };
  }
  return { independent: true, basis: 'proven' };
}
