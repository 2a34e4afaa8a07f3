// What `adapter-hammer init` reads from an ordinary module: its exported functions and classes, their
// parameters and whether they are async. The module is parsed, never run: importing it could open a
// connection or start a server before the user has seen the adapter. TypeScript is stripped by esbuild
// (the compiler tsx, which loads .ts adapters, runs on) with a source map, so a parameter's written type
// (`amount: number`, `side: 'buy' | 'sell'`) is read back from the .ts text; in JavaScript, from JSDoc.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import {
  parse,
  type AssignmentPattern,
  type Class,
  type Comment,
  type Function as FunctionNode,
  type Identifier,
  type Node,
  type Pattern,
  type Program,
} from 'acorn';
import { TS_EXTENSIONS } from '../adapter/load.js';

/** What a parameter's declared type says about the values to call it with. */
export interface ValueHint {
  kind: 'number' | 'string' | 'boolean' | 'unknown';
  /** A union of literals (`'buy' | 'sell'`, `1 | 2 | 3`): exactly these values. */
  choices?: (string | number | boolean)[];
}

export interface Param {
  name: string;
  hint: ValueHint;
  /** Has a default or is marked optional (`x?: T`, `[x]` in JSDoc). */
  optional: boolean;
  rest: boolean;
  /** A destructured object parameter (`{ key, by }`): its fields. */
  fields?: Param[];
}

export interface FunctionShape {
  /** The operation's name: the exported name, or the method's. */
  name: string;
  /** How the adapter reaches it from the imported module (`['default', 'add']` is `mod.default.add`). */
  access: string[];
  async: boolean;
  params: Param[];
}

export interface ClassShape {
  name: string;
  access: string[];
  ctor: Param[];
  /** Public instance methods (and arrow-function fields), own and inherited from a class of this module. */
  methods: Omit<FunctionShape, 'access'>[];
}

export interface ModuleShape {
  /** ES module (import/export) or CommonJS (module.exports / exports.x). */
  format: 'esm' | 'cjs';
  typescript: boolean;
  functions: FunctionShape[];
  classes: ClassShape[];
  /** Exported names whose value the source does not show to be a function or a class. */
  skipped: string[];
  /** `export * from '...'`: names the adapter cannot list without reading that module. */
  reexports: string[];
}

/** One line, for `adapter-hammer: init: <message>`. */
export class SourceError extends Error {}

type AnyNode = Node & Record<string, unknown>;
type FunctionLike = FunctionNode & Node;

/** A parameter's written type (TypeScript): its text ('' when none) and `?`; null when nothing was written. `name` null: a destructured `{ ... }`. */
type TypeAt = (node: Node, name: string | null) => { text: string; optional: boolean } | null;

const isFunction = (n: Node | null | undefined): n is FunctionLike =>
  !!n && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression');
const isClass = (n: Node | null | undefined): n is Class & Node => !!n && (n.type === 'ClassDeclaration' || n.type === 'ClassExpression');

/** A property key or export name as text (`foo`, `'foo-bar'`), or null for a computed one. */
function keyName(key: Node, computed = false): string | null {
  if (computed) return null;
  if (key.type === 'Identifier') return (key as Identifier).name;
  if (key.type === 'Literal') return String((key as AnyNode).value);
  return null;
}

/** The text of a type annotation starting at `from`: up to the first `,` `)` `=` outside brackets. */
function typeTextAt(src: string, from: number, objectLiteral = false): string {
  if (objectLiteral && src[from] === '{') return src.slice(from, closingBrace(src, from));
  let depth = 0;
  let i = from;
  for (; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '<' || ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === '>' && src[i - 1] !== '=') depth--;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (ch === ',' || ch === ';' || (ch === '=' && src[i + 1] !== '>'))) break;
  }
  return src.slice(from, i).trim();
}

/** Just past the `}` that closes the `{` at `open` (strings and comments are not expected in a parameter list's types). */
function closingBrace(src: string, open: number): number {
  if (src[open] !== '{') return -1;
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** `number`, `string`, `boolean`, a union of literals; anything else says nothing we can draw from. */
export function hintOfType(text: string): ValueHint {
  const t = text.replace(/\s+/g, ' ').trim();
  if (/^(number|integer|int)$/i.test(t)) return { kind: 'number' };
  if (/^string$/i.test(t)) return { kind: 'string' };
  if (/^boolean$/i.test(t)) return { kind: 'boolean' };
  const parts = t.split('|').map((p) => p.trim());
  const choices: (string | number | boolean)[] = [];
  for (const p of parts) {
    const str = /^(['"])(.*)\1$/.exec(p);
    if (str) choices.push(str[2]!);
    else if (/^-?\d+(\.\d+)?$/.test(p)) choices.push(Number(p));
    else if (p === 'true' || p === 'false') choices.push(p === 'true');
    else return { kind: 'unknown' };
  }
  if (!choices.length) return { kind: 'unknown' };
  const kind = typeof choices[0] === 'number' ? 'number' : typeof choices[0] === 'boolean' ? 'boolean' : 'string';
  return choices.every((c) => typeof c === typeof choices[0]) ? { kind, choices } : { kind: 'unknown' };
}

/** The members of an object type literal (`{ key: string; by?: number }`), by name. */
export function membersOfType(text: string): Docs {
  const out: Docs = new Map();
  const body = /^\{([\s\S]*)\}$/.exec(text.trim());
  if (!body) return out;
  let depth = 0;
  let from = 0;
  const inner = body[1]!;
  const members: string[] = [];
  for (let i = 0; i <= inner.length; i++) {
    const ch = inner[i];
    if (ch === '{' || ch === '(' || ch === '[' || ch === '<') depth++;
    else if (ch === '}' || ch === ')' || ch === ']' || (ch === '>' && inner[i - 1] !== '=')) depth--;
    else if (i === inner.length || (depth === 0 && (ch === ';' || ch === ',' || ch === '\n'))) {
      members.push(inner.slice(from, i));
      from = i + 1;
    }
  }
  for (const m of members) {
    const member = /^\s*(?:readonly\s+)?([\w$]+)\s*(\?)?\s*:\s*([\s\S]+?)\s*$/.exec(m);
    if (member) out.set(member[1]!, { hint: hintOfType(member[3]!), optional: member[2] === '?' });
  }
  return out;
}

/** JSDoc `@param {type} name` / `[name]` / `[name=default]` / `opts.field` of the comment just before a node. */
function jsdocTypes(comments: Comment[], src: string, before: number): Docs {
  const out: Docs = new Map();
  const doc = comments.filter((c) => c.type === 'Block' && c.value.startsWith('*') && c.end <= before && /^\s*$/.test(src.slice(c.end, before))).pop();
  if (!doc) return out;
  for (const m of doc.value.matchAll(/@param\s+\{([^}]*)\}\s+(\[?)([\w$.]+)/g)) {
    out.set(m[3]!, { hint: hintOfType(m[1]!.replace(/^\(|\)$/g, '')), optional: m[2] === '[' || /=$/.test(m[1]!) });
  }
  return out;
}

interface Reader {
  src: string;
  comments: Comment[];
  typeAt: TypeAt;
}

type Docs = Map<string, { hint: ValueHint; optional: boolean }>;

/** The JSDoc entries of a destructured parameter's fields (`opts.by` documents `{ by }`), by field name. */
function fieldDocs(docs: Docs): Docs {
  const out: Docs = new Map();
  for (const [k, v] of docs) {
    const dot = k.lastIndexOf('.');
    if (dot > 0) out.set(k.slice(dot + 1), v);
  }
  return out;
}

function paramOf(p: Pattern, index: number, r: Reader, docs: Docs): Param {
  let optional = false;
  let node: Node = p;
  if (node.type === 'AssignmentPattern') {
    optional = true;
    node = (node as AssignmentPattern).left;
  }
  if (node.type === 'RestElement') {
    const arg = (node as AnyNode).argument as Node;
    return { name: arg.type === 'Identifier' ? (arg as Identifier).name : `rest${index}`, hint: { kind: 'unknown' }, optional: true, rest: true };
  }
  if (node.type === 'ObjectPattern') {
    const written = r.typeAt(node, null);
    const fieldTypes = written === null ? fieldDocs(docs) : membersOfType(written.text);
    optional ||= written?.optional ?? false;
    const fields: Param[] = [];
    for (const prop of (node as AnyNode).properties as AnyNode[]) {
      if (prop.type !== 'Property') continue;
      const name = keyName(prop.key as Node, prop.computed as boolean);
      if (name === null) continue;
      const inner = paramOf(prop.value as Pattern, fields.length, r, fieldTypes);
      const own = fieldTypes.get(name);
      fields.push({ ...inner, name, optional: inner.optional || (own?.optional ?? false) });
    }
    return { name: `arg${index}`, hint: { kind: 'unknown' }, optional, rest: false, fields };
  }
  if (node.type !== 'Identifier') return { name: `arg${index}`, hint: { kind: 'unknown' }, optional, rest: false };
  const name = (node as Identifier).name;
  const doc = docs.get(name);
  const written = r.typeAt(node, name);
  const hint = written?.text ? hintOfType(written.text) : (doc?.hint ?? { kind: 'unknown' });
  return { name, hint, optional: optional || (doc?.optional ?? false) || (written?.optional ?? false), rest: false };
}

function paramsOf(fn: FunctionLike, r: Reader, docAt: number): Param[] {
  const docs = jsdocTypes(r.comments, r.src, docAt);
  return fn.params.map((p, i) => paramOf(p, i, r, docs));
}

interface Scope {
  /** Top-level declarations by name: functions, classes, and the values of `const x = ...`. */
  decls: Map<string, { node: Node; docAt: number }>;
}

function topLevelDecls(program: Program): Scope {
  const decls = new Map<string, { node: Node; docAt: number }>();
  for (const stmt of program.body) {
    const decl = (stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt) as AnyNode | null | undefined;
    if (!decl) continue;
    if ((decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') && decl.id) {
      decls.set((decl.id as Identifier).name, { node: decl, docAt: stmt.start });
    } else if (decl.type === 'VariableDeclaration') {
      for (const d of decl.declarations as AnyNode[]) {
        if ((d.id as Node).type === 'Identifier' && d.init) decls.set((d.id as Identifier).name, { node: d.init as Node, docAt: stmt.start });
      }
    }
  }
  return { decls };
}

class Collector {
  readonly functions: FunctionShape[] = [];
  readonly classes: ClassShape[] = [];
  readonly skipped: string[] = [];
  constructor(
    private readonly r: Reader,
    private readonly scope: Scope,
  ) {}

  /** An identifier's declaration, followed through `const a = b` (a few hops, never in a cycle). */
  resolve(node: Node, docAt: number): { node: Node; docAt: number } {
    let cur = { node, docAt };
    for (let hops = 0; hops < 8 && cur.node.type === 'Identifier'; hops++) {
      const next = this.scope.decls.get((cur.node as Identifier).name);
      if (!next) break;
      cur = next;
    }
    return cur;
  }

  /** Record what an export is: a function, a class, an object literal of functions, or something else. */
  add(name: string, access: string[], value: Node, docAt: number, objectDepth = 0): void {
    const { node, docAt: at } = this.resolve(value, docAt);
    if (isFunction(node)) {
      this.functions.push({ name, access, async: node.async, params: paramsOf(node, this.r, at) });
    } else if (isClass(node)) {
      this.classes.push({ name, access, ...this.classOf(node, at) });
    } else if (node.type === 'ObjectExpression' && objectDepth === 0) {
      // `export default { add, get }` / `module.exports = { ... }`: each function property is an export.
      for (const prop of (node as AnyNode).properties as AnyNode[]) {
        if (prop.type !== 'Property' || prop.kind !== 'init') continue;
        const key = keyName(prop.key as Node, prop.computed as boolean);
        if (key !== null) this.add(key, [...access, key], prop.value as Node, prop.start, 1);
      }
    } else {
      this.skipped.push(access.join('.') || name);
    }
  }

  classOf(node: Class & Node, docAt: number, seen = new Set<Node>()): Omit<ClassShape, 'name' | 'access'> {
    seen.add(node);
    let ctor: Param[] = [];
    const methods: Omit<FunctionShape, 'access'>[] = [];
    // Methods of a superclass declared in this module come first, the subclass's own override them.
    if (node.superClass) {
      const sup = this.resolve(node.superClass, docAt).node;
      if (isClass(sup) && !seen.has(sup)) {
        const inherited = this.classOf(sup, docAt, seen);
        ctor = inherited.ctor;
        methods.push(...inherited.methods);
      }
    }
    for (const member of node.body.body as unknown as AnyNode[]) {
      if (member.static || (member.key as Node | undefined)?.type === 'PrivateIdentifier') continue;
      const name = keyName(member.key as Node, member.computed as boolean);
      if (name === null || name.startsWith('_')) continue;
      const fn =
        member.type === 'MethodDefinition' ? (member.value as FunctionLike) : member.type === 'PropertyDefinition' ? (member.value as Node | null) : null;
      if (!isFunction(fn)) continue;
      if (member.type === 'MethodDefinition' && member.kind === 'constructor') {
        ctor = paramsOf(fn, this.r, member.start);
        continue;
      }
      if (member.kind === 'get' || member.kind === 'set') continue;
      const shape = { name, async: fn.async, params: paramsOf(fn, this.r, member.start) };
      const i = methods.findIndex((m) => m.name === name);
      if (i >= 0) methods[i] = shape;
      else methods.push(shape);
    }
    return { ctor, methods };
  }
}

/** `module.exports`, `exports` and `module.exports.x` / `exports.x` as an access path, else null. */
function cjsTarget(left: Node): string[] | null {
  const isModuleExports = (n: AnyNode): boolean =>
    n.type === 'MemberExpression' &&
    !n.computed &&
    (n.object as AnyNode).type === 'Identifier' &&
    (n.object as Identifier).name === 'module' &&
    (n.property as Identifier).name === 'exports';
  const l = left as AnyNode;
  if (isModuleExports(l)) return [];
  if (l.type !== 'MemberExpression') return null;
  const obj = l.object as AnyNode;
  const key = keyName(l.property as Node, l.computed as boolean);
  if (key === null) return null;
  if (isModuleExports(obj) || (obj.type === 'Identifier' && (obj as unknown as Identifier).name === 'exports')) return [key];
  return null;
}

function collect(program: Program, r: Reader): Omit<ModuleShape, 'typescript'> {
  const scope = topLevelDecls(program);
  const c = new Collector(r, scope);
  const reexports: string[] = [];
  let esm = false;
  for (const stmt of program.body as AnyNode[]) {
    if (stmt.type === 'ImportDeclaration') esm = true;
    if (stmt.type === 'ExportAllDeclaration') {
      esm = true;
      reexports.push(String((stmt.source as AnyNode).value));
    } else if (stmt.type === 'ExportDefaultDeclaration') {
      esm = true;
      const decl = stmt.declaration as AnyNode;
      const own = (decl.id as Identifier | null | undefined)?.name;
      c.add(own ?? 'default', ['default'], decl, stmt.start);
    } else if (stmt.type === 'ExportNamedDeclaration') {
      esm = true;
      const decl = stmt.declaration as AnyNode | null;
      if (decl?.type === 'FunctionDeclaration' || decl?.type === 'ClassDeclaration') {
        const name = (decl.id as Identifier).name;
        c.add(name, [name], decl, stmt.start);
      } else if (decl?.type === 'VariableDeclaration') {
        for (const d of decl.declarations as AnyNode[]) {
          if ((d.id as Node).type !== 'Identifier') continue;
          const name = (d.id as Identifier).name;
          if (d.init) c.add(name, [name], d.init as Node, stmt.start);
          else c.skipped.push(name);
        }
      } else if (!stmt.source) {
        for (const spec of stmt.specifiers as AnyNode[]) {
          const exported = keyName(spec.exported as Node) ?? 'default';
          c.add(exported, [exported], spec.local as Node, stmt.start);
        }
      } else {
        for (const spec of stmt.specifiers as AnyNode[]) c.skipped.push(keyName(spec.exported as Node) ?? '?');
      }
    } else if (stmt.type === 'ExpressionStatement' && (stmt.expression as AnyNode).type === 'AssignmentExpression') {
      const assign = stmt.expression as AnyNode;
      const target = assign.operator === '=' ? cjsTarget(assign.left as Node) : null;
      if (target === null) continue;
      const right = assign.right as Node;
      c.add(target[0] ?? exportNameOf(right), target, right, stmt.start);
    }
  }
  return { format: esm ? 'esm' : 'cjs', functions: c.functions, classes: c.classes, skipped: c.skipped, reexports };
}

/** `module.exports = function increment() {}` is named by the function, `= class Counter {}` by the class. */
function exportNameOf(node: Node): string {
  const id = (node as AnyNode).id as Identifier | null | undefined;
  return id?.name ?? (node.type === 'Identifier' ? (node as Identifier).name : 'call');
}

/** esbuild, as tsx depends on it (resolved from tsx, so a hoisted or nested install both work). */
function loadEsbuild(): { transformSync(code: string, options: Record<string, unknown>): { code: string; map: string } } {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('tsx/package.json'))('esbuild') as ReturnType<typeof loadEsbuild>;
}

/** Strip a TypeScript source to JavaScript, and read each parameter's written type back through the map. */
function stripTypes(src: string, file: string): { code: string; typeAt: TypeAt } {
  let out;
  try {
    // No `format`: import/export and module.exports stay as written, so the module's kind still shows.
    out = loadEsbuild().transformSync(src, { loader: 'ts', target: 'es2022', sourcemap: 'external', sourcefile: file });
  } catch (e) {
    const m = /:(\d+):\d+: ERROR: (.*)/.exec(String((e as Error).message));
    throw new SourceError(`syntax error in ${file}${m ? `:${m[1]}: ${m[2]}` : `: ${String((e as Error).message).split('\n')[0]}`}`);
  }
  const map = new TraceMap(out.map);
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  return {
    code: out.code,
    typeAt: (node, name) => {
      if (!node.loc) return null;
      const pos = originalPositionFor(map, { line: node.loc.start.line, column: node.loc.start.column });
      if (pos.line === null || pos.column === null) return null;
      const at = lineStarts[pos.line - 1]! + pos.column;
      const end = name === null ? closingBrace(src, at) : src.slice(at, at + name.length) === name ? at + name.length : -1;
      if (end < 0) return null;
      const m = /^\s*(\?)?\s*(:\s*)?/.exec(src.slice(end))!;
      if (!m[1] && !m[2]) return null;
      return { text: m[2] ? typeTextAt(src, end + m[0].length, name === null) : '', optional: !!m[1] };
    },
  };
}

/** Parse a module file into the shape `init` writes an adapter for. Throws SourceError (one line). */
export function readModuleShape(abs: string, shown: string): ModuleShape {
  let src: string;
  try {
    src = readFileSync(abs, 'utf8');
  } catch {
    throw new SourceError(`cannot read ${shown}`);
  }
  const typescript = TS_EXTENSIONS.includes(path.extname(abs).toLowerCase());
  let code = src;
  let typeAt: TypeAt = () => null;
  if (typescript) {
    const stripped = stripTypes(src, shown);
    code = stripped.code;
    typeAt = stripped.typeAt;
  }
  const comments: Comment[] = [];
  let program: Program;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      locations: true,
      allowHashBang: true,
      allowAwaitOutsideFunction: true,
      onComment: comments,
    });
  } catch (moduleError) {
    try {
      // CommonJS may use what a module may not (`with`, a top-level `return`, octal escapes).
      comments.length = 0;
      program = parse(code, {
        ecmaVersion: 'latest',
        sourceType: 'script',
        locations: true,
        allowHashBang: true,
        allowReturnOutsideFunction: true,
        onComment: comments,
      });
    } catch {
      const e = moduleError as Error & { loc?: { line: number } };
      throw new SourceError(`syntax error in ${shown}${e.loc && !typescript ? `:${e.loc.line}` : ''}: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`);
    }
  }
  return { ...collect(program, { src: code, comments, typeAt }), typescript };
}
