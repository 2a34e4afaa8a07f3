// Loads and validates an adapter module. Used by the main thread (hooks) and by every worker
// (operations), so a problem is found once, up front, and reported as one line per problem.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdapterError } from '../errors.js';
import { limitProblems } from './limits.js';
import { HOOKS, type Adapter, type LoadedAdapter } from './types.js';

export const ADAPTER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/** TypeScript adapters are compiled on load by tsx (`tsImport`), in the main thread and in each worker. */
export const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

/**
 * Import a TypeScript file with tsx. Loader hooks registered on the main thread do not reach worker
 * threads on Node 20, so every thread that loads an adapter loads it itself, scoped to this import, not
 * global. A file that is CommonJS by Node's rules (`.cts`, or `.ts` outside a `"type": "module"`
 * package) goes through tsx's `require`: its `tsImport` would run it from a `data:` URL whose stack
 * frames have no source map, so errors could not name their TypeScript lines. tsx is imported lazily:
 * JavaScript adapters never pay for it.
 */
async function importTypeScript(abs: string): Promise<Record<string, unknown>> {
  // Stacks of errors thrown by the adapter then name its TypeScript lines, not the compiled ones.
  process.setSourceMapsEnabled(true);
  if (isCommonJs(abs)) {
    const { require: tsxRequire } = (await import('tsx/cjs/api')) as { require: (id: string, from: string) => unknown };
    const exported = tsxRequire(abs, import.meta.url);
    // As an ES import of CommonJS would: module.exports is the default, its keys the named exports.
    return { ...(exported as Record<string, unknown>), default: exported };
  }
  const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  return (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
}

/** Node's rule for a TypeScript file's module system: `.mts` ESM, `.cts` CommonJS, `.ts` as its package says. */
export function isCommonJs(abs: string): boolean {
  const ext = path.extname(abs).toLowerCase();
  if (ext !== '.ts') return ext === '.cts';
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type !== 'module';
    } catch {
      if (path.dirname(dir) === dir) return true;
    }
  }
}

/** esbuild's "Transform failed with 1 error:\n/abs/file.ts:3:14: ERROR: Unexpected ..." as `:3: Unexpected ...`. */
function tsTransformError(err: unknown, abs: string): string | null {
  if (!(err instanceof Error) || err.name !== 'TransformError') return null;
  const m = /^(.*?):(\d+):\d+: ERROR: (.*)$/m.exec(err.message);
  if (!m) return `: ${firstLine(err.message.split('\n').slice(1).join('\n') || err.message)}`;
  return `${m[1] === abs ? `:${m[2]}` : ` (in ${m[1]}:${m[2]})`}: ${m[3]!.slice(0, 500)}`;
}

/** Resolve and check that the file exists and has a loadable extension. */
export function resolveAdapterPath(file: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, file);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new AdapterError([`adapter file not found: ${file}`]);
  }
  if (!st.isFile()) throw new AdapterError([`adapter is not a file: ${file}`]);
  const ext = path.extname(abs).toLowerCase();
  if (!ADAPTER_EXTENSIONS.includes(ext)) {
    throw new AdapterError([`${file}: unsupported adapter file type '${ext || '(none)'}' (use ${ADAPTER_EXTENSIONS.join(', ')})`]);
  }
  return abs;
}

/** The `path:line` a stack or diagnostic names for this file, if any. */
function lineIn(text: string, abs: string): string {
  for (const m of text.matchAll(/^(?:file:\/\/)?(\/[^\n]*?):(\d+)$/gm)) {
    if (m[1] === abs || decodeURIComponent(m[1]!) === abs) return `:${m[2]}`;
  }
  return '';
}

/**
 * Where a SyntaxError points. CommonJS stacks name `file:line`; Node 20's ESM SyntaxError does not, so
 * on this (rare) path we ask `node --check`, whose diagnostic does.
 */
function syntaxErrorLocation(err: Error, abs: string): string {
  const fromStack = lineIn(String(err.stack ?? ''), abs);
  if (fromStack) return fromStack;
  const check = spawnSync(process.execPath, ['--check', abs], { encoding: 'utf8', timeout: 10_000 });
  return lineIn(check.stderr ?? '', abs);
}

function firstLine(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.split('\n')[0]!.slice(0, 500);
}

/** How a module is imported: by default as below; a controlled worker's loader instruments it (instrument/register.ts). */
export type Importer = (abs: string) => Promise<Record<string, unknown>>;

async function importModule(abs: string, shown: string, importer?: Importer): Promise<Record<string, unknown>> {
  try {
    if (importer) return await importer(abs);
    if (TS_EXTENSIONS.includes(path.extname(abs).toLowerCase())) return await importTypeScript(abs);
    return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    const tsError = tsTransformError(err, abs);
    if (tsError !== null) throw new AdapterError([`syntax error in ${shown}${tsError}`]);
    if (err instanceof SyntaxError) {
      throw new AdapterError([`syntax error in ${shown}${syntaxErrorLocation(err, abs)}: ${firstLine(err)}`]);
    }
    throw new AdapterError([`adapter ${shown} threw while loading: ${firstLine(err)}`]);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && (typeof v === 'object' || typeof v === 'function');

/**
 * The adapter is the default export if there is one, else the named exports. A CommonJS module
 * compiled from TypeScript (`exports.default = {...}`) arrives doubly wrapped: `ns.default.default`.
 */
export function pickAdapter(ns: Record<string, unknown>): Record<string, unknown> {
  let candidate: unknown = 'default' in ns && isObject(ns.default) ? ns.default : ns;
  if (isObject(candidate) && !('operations' in candidate) && isObject(candidate.default) && 'operations' in candidate.default) {
    candidate = candidate.default;
  }
  // A default export without operations next to named `operations`: the named exports are meant.
  if (isObject(candidate) && !('operations' in candidate) && 'operations' in ns) candidate = ns;
  return candidate as Record<string, unknown>;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every problem with the adapter's shape, one line each. */
export function validateAdapter(a: Record<string, unknown>, shown: string): string[] {
  const problems: string[] = [];
  const ops = a.operations;
  if (ops === undefined) {
    return [`${shown} has no \`operations\` export (expected e.g. export default { operations: { increment() {...} } })`];
  }
  if (!isObject(ops) || Array.isArray(ops)) return [`${shown}: \`operations\` must be an object of functions, got ${typeName(ops)}`];
  const names = Object.keys(ops);
  if (names.length === 0) return [`${shown} has no operations (\`operations\` is empty)`];
  for (const name of names) {
    const op = ops[name];
    if (typeof op === 'function') continue;
    // An operation with an input: { input(ctx), run(input, ctx) }.
    if (isObject(op) && !Array.isArray(op) && ('run' in op || 'input' in op)) {
      for (const f of ['input', 'run'] as const)
        if (typeof op[f] !== 'function') problems.push(`${shown}: operation '${name}' needs \`${f}\` to be a function (got ${typeName(op[f])})`);
    } else problems.push(`${shown}: operation '${name}' is not a function (got ${typeName(op)}; an operation is a function or { input, run })`);
  }
  problems.push(...modelProblems(a.model, shown));
  for (const hook of HOOKS) {
    if (a[hook] !== undefined && typeof a[hook] !== 'function') problems.push(`${shown}: hook '${hook}' must be a function (got ${typeName(a[hook])})`);
  }
  for (const flag of ['threadSafe', 'batch', 'database'] as const) {
    if (a[flag] !== undefined && typeof a[flag] !== 'boolean') problems.push(`${shown}: \`${flag}\` must be true or false (got ${typeName(a[flag])})`);
  }
  if (a.unique !== undefined) {
    if (!Array.isArray(a.unique)) problems.push(`${shown}: \`unique\` must be an array of operation names (got ${typeName(a.unique)})`);
    else
      for (const u of a.unique)
        if (!names.includes(String(u))) problems.push(`${shown}: \`unique\` names '${String(u)}', which is not an operation (operations: ${names.join(', ')})`);
  }
  if (a.weights !== undefined) {
    if (!isObject(a.weights) || Array.isArray(a.weights)) problems.push(`${shown}: \`weights\` must be an object of numbers (got ${typeName(a.weights)})`);
    else {
      // Operations left out of `weights` keep the default weight 1.
      let sum = names.filter((n) => !Object.hasOwn(a.weights as object, n)).length;
      for (const [k, w] of Object.entries(a.weights)) {
        if (!names.includes(k)) problems.push(`${shown}: \`weights\` names '${k}', which is not an operation (operations: ${names.join(', ')})`);
        else if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) problems.push(`${shown}: weight of '${k}' must be a number >= 0 (got ${String(w)})`);
        else sum += w;
      }
      if (sum === 0 && problems.length === 0) problems.push(`${shown}: \`weights\` are all zero: no operation would run`);
    }
  }
  problems.push(...limitProblems(a, shown));
  problems.push(...retryProblems(a.retry, shown));
  return problems;
}

/** `retry` is { codes: [...], attempts? }. */
function retryProblems(retry: unknown, shown: string): string[] {
  if (retry === undefined) return [];
  const r = retry as { codes?: unknown; attempts?: unknown };
  if (!isObject(retry) || Array.isArray(retry) || !Array.isArray(r.codes) || r.codes.length === 0 || !r.codes.every((c) => typeof c === 'string'))
    return [`${shown}: \`retry\` must be { codes: ['40001', ...], attempts?: n } with at least one error code (got ${typeName(retry)})`];
  if (r.attempts !== undefined && (typeof r.attempts !== 'number' || !Number.isInteger(r.attempts) || r.attempts < 1))
    return [`${shown}: \`retry.attempts\` must be a whole number >= 1 (got ${typeName(r.attempts)} ${JSON.stringify(r.attempts) ?? ''})`];
  return [];
}

/** A model is { init(), step(state, op, input, output), partition?(op, input) }. */
function modelProblems(model: unknown, shown: string): string[] {
  if (model === undefined) return [];
  if (!isObject(model) || Array.isArray(model)) return [`${shown}: \`model\` must be an object { init, step } (got ${typeName(model)})`];
  const problems: string[] = [];
  for (const f of ['init', 'step'] as const)
    if (typeof model[f] !== 'function') problems.push(`${shown}: \`model.${f}\` must be a function (got ${typeName(model[f])})`);
  if (model.partition !== undefined && typeof model.partition !== 'function')
    problems.push(`${shown}: \`model.partition\` must be a function (got ${typeName(model.partition)})`);
  return problems;
}

/** Import, pick and validate an adapter. Throws AdapterError (exit 2) with one line per problem. */
export async function loadAdapter(file: string, cwd = process.cwd(), importer?: Importer): Promise<LoadedAdapter> {
  const abs = resolveAdapterPath(file, cwd);
  const ns = await importModule(abs, file, importer);
  const picked = pickAdapter(ns);
  const problems = validateAdapter(picked, file);
  if (problems.length) throw new AdapterError(problems);
  const adapter = picked as unknown as Adapter;
  const database = adapter.database === false ? undefined : adapter.database === true ? true : databaseClient();
  return { adapter, file: abs, opNames: Object.keys(adapter.operations), ...(database ? { database } : {}) };
}

/** Database clients whose calls are a client's of a server (or a file another connection shares). */
const DATABASE_CLIENTS = [
  'pg',
  'ioredis',
  '@redis/client',
  'mysql2',
  'mysql',
  'mongodb',
  'sequelize',
  'typeorm',
  'knex',
  '@prisma/client',
  'better-sqlite3',
  'sqlite3',
];

/**
 * Whether the adapter's calls are a database's clients: its word, or a client it loaded (the toolkit
 * loads pg and ioredis only once used: so asked after the rounds, not only at load).
 */
export function databaseOf(loaded: Pick<LoadedAdapter, 'adapter' | 'database'>): string | true | undefined {
  return loaded.database ?? (loaded.adapter.database === false ? undefined : databaseClient());
}

/**
 * The first known database client this thread has loaded (CommonJS packages, which the adapter's
 * import brings into the module cache), or the one a toolkit handle noted it will load (the toolkit's
 * postgres() and redis() load theirs only when first used: toolkit/db-server.ts), as its package name;
 * undefined when none.
 */
export function databaseClient(): string | undefined {
  const noted = (globalThis as Record<symbol, unknown>)[Symbol.for('adapter-hammer.database-client')];
  if (typeof noted === 'string') return noted;
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  return DATABASE_CLIENTS.find((name) => loaded.some((f) => f.includes(`${path.sep}node_modules${path.sep}${name.replace('/', path.sep)}${path.sep}`)));
}
