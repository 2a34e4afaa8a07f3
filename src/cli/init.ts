// `adapter-hammer init <module>` writes a first adapter beside an ordinary module; `init --template <name>`
// writes a commented template instead. Never over an existing file: exit 2 and one line, as any start
// problem. What to do next is printed, and written at the top of the file.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command, Option, type CommanderError } from 'commander';
import { ADAPTER_EXTENSIONS, isCommonJs, resolveAdapterPath } from '../adapter/load.js';
import { AdapterError } from '../errors.js';
import { renderAdapter } from './init-adapter.js';
import { readModuleShape, SourceError, type ModuleShape } from './init-source.js';
import { TEMPLATES, withDocs } from './init-templates.js';
import { docsPath } from '../reporters/docs-links.js';
import { parseSubcommand } from './program.js';

function buildInitProgram(): Command {
  return new Command('adapter-hammer init')
    .description('Write a first adapter for an ordinary module (one operation per exported function), or a commented template.')
    .argument('[module]', `the module to hammer (${ADAPTER_EXTENSIONS.join(', ')})`)
    .addOption(new Option('-t, --template <name>', 'write a commented template instead').choices(Object.keys(TEMPLATES)))
    .addOption(new Option('-o, --out <file>', 'the adapter file to write (default: <module>.hammer.mjs beside the module, .mts for TypeScript)'))
    .addHelpText(
      'after',
      `\nTemplates:\n${Object.entries(TEMPLATES)
        .map(([name, t]) => `  ${name.padEnd(14)} ${t.summary}`)
        .join('\n')}\n\nAn existing file is never overwritten (exit 2). Exit codes: 0 written, 2 nothing written.`,
    )
    .showHelpAfterError(false)
    .exitOverride();
}

/** A path as the user would type it from here: relative when below the working directory. */
const shown = (abs: string): string => {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
};

/** How the adapter imports the module: relative, `./` first, a TypeScript extension as its JavaScript one (tsx maps it back). */
function specifierFrom(adapterAbs: string, moduleAbs: string): string {
  let rel = path.relative(path.dirname(adapterAbs), moduleAbs).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel.replace(/\.(m|c)?ts$/, (_m, k: string | undefined) => `.${k ?? ''}js`);
}

/** Whether `import ... from 'adapter-hammer'` works from the adapter's directory (it is installed there). */
function resolvesPackage(adapterAbs: string): boolean {
  try {
    createRequire(adapterAbs).resolve('adapter-hammer');
    return true;
  } catch {
    return false;
  }
}

/** Write a new file; false when one is already there (the `wx` flag: checked and created in one step). */
function writeNew(abs: string, text: string): boolean {
  try {
    writeFileSync(abs, text, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SourceError(`cannot write ${shown(abs)}: ${(e as Error).message.split('\n')[0]}`);
  }
}

function nothingToHammer(shape: ModuleShape, file: string): string {
  if (shape.reexports.length) return `${file} only re-exports (from ${shape.reexports.join(', ')}): run init on the file that defines the functions`;
  const seen = shape.skipped.length ? ` (it exports ${shape.skipped.slice(0, 5).join(', ')}: no function or class the source shows)` : '';
  return `${file} exports no function or class to hammer${seen}; for a service or shared state, start from a template: init --template ${Object.keys(TEMPLATES).join('|')}`;
}

/**
 * TypeScript written as an ES module but CommonJS by Node's rules (`.cts`, or `.ts` outside a
 * `"type": "module"` package) is compiled by tsx to `exports.default = ...`: imported from the adapter,
 * its default export is then `mod.default.default` (named exports are found as they are).
 */
function withRuntimeDefault(shape: ModuleShape, abs: string): ModuleShape {
  if (!shape.typescript || shape.format !== 'esm' || !isCommonJs(abs)) return shape;
  const fix = <T extends { access: string[] }>(x: T): T => (x.access[0] === 'default' ? { ...x, access: ['default', ...x.access] } : x);
  return { ...shape, functions: shape.functions.map(fix), classes: shape.classes.map(fix) };
}

function initModule(moduleArg: string, out: string | undefined, print: (s: string) => void): string | null {
  let moduleAbs: string;
  try {
    moduleAbs = resolveAdapterPath(moduleArg);
  } catch (e) {
    if (e instanceof AdapterError)
      return e.problems[0]!.replace(/^adapter /, 'module ').replace('unsupported adapter file type', 'unsupported module file type');
    throw e;
  }
  const shape = withRuntimeDefault(readModuleShape(moduleAbs, shown(moduleAbs)), moduleAbs);
  if (!shape.functions.length && !shape.classes.some((c) => c.methods.length)) return nothingToHammer(shape, shown(moduleAbs));
  const ext = shape.typescript ? '.mts' : '.mjs';
  const adapterAbs = out ? path.resolve(out) : path.join(path.dirname(moduleAbs), `${path.basename(moduleAbs).replace(/\.[^.]+$/, '')}.hammer${ext}`);
  const wantExt = shape.typescript ? ['.mts', '.ts'] : ['.mjs', '.js'];
  if (!wantExt.includes(path.extname(adapterAbs)))
    return `--out ${out}: the adapter is an ES module${shape.typescript ? ' in TypeScript' : ''}: name it ${wantExt.join(' or ')}`;
  if (adapterAbs === moduleAbs) return `--out ${out} is the module itself`;
  const adapter = renderAdapter(shape, {
    specifier: specifierFrom(adapterAbs, moduleAbs),
    moduleName: path.basename(moduleAbs),
    adapterName: path.basename(adapterAbs),
    typescript: shape.typescript,
    defineAdapter: shape.typescript && resolvesPackage(adapterAbs),
    docs: docsPath('docs', path.dirname(adapterAbs)),
  });
  if (!writeNew(adapterAbs, adapter.text)) return `${shown(adapterAbs)} already exists: not overwritten (name another file with --out)`;
  const ops = adapter.operations;
  print(
    `wrote ${shown(adapterAbs)}: ${ops.length} operation${ops.length === 1 ? '' : 's'} (${ops.slice(0, 6).join(', ')}${ops.length > 6 ? ', ...' : ''}) over ${shown(moduleAbs)}`,
  );
  if (adapter.resets.length) print(`  init calls ${adapter.resets.map((r) => `${r}()`).join(', ')} before every round (not hammered)`);
  if (shape.skipped.length) print(`  not hammered (no function the source shows): ${shape.skipped.slice(0, 8).join(', ')}`);
  print('');
  print(`run it:   npx adapter-hammer ${shown(adapterAbs)}`);
  print('  it checks already: calls that throw (error), never settle (hang), or kill a worker (crash)');
  print('next, in the file:');
  print('  1. check the inputs drawn for each operation (a "guess" comment marks those no type told)');
  print('  2. say what the right result is: counters (workerStats / stats) and expected, an invariant,');
  print('     unique IDs, or a model; the hooks are there, commented, with the thread each runs on');
  print('  3. declare threadSafe: true (your claim; the report checks it)');
  print(`guide: ${docsPath('docs/tutorial.md')}`);
  return null;
}

function initTemplate(name: string, out: string | undefined, print: (s: string) => void): string | null {
  const t = TEMPLATES[name]!;
  const abs = path.resolve(out ?? t.file);
  if (!['.mjs', '.js'].includes(path.extname(abs))) return `--out ${out}: the template is an ES module: name it .mjs or .js`;
  if (!writeNew(abs, withDocs(t.text, docsPath('docs', path.dirname(abs)))))
    return `${shown(abs)} already exists: not overwritten (name another file with --out)`;
  print(`wrote ${shown(abs)}: ${t.summary}`);
  print('next:');
  for (const line of t.next) print(`  ${line}`);
  print(`run it:   npx adapter-hammer ${shown(abs)}${name === 'http' ? ' -- --url http://127.0.0.1:<port>' : ''}`);
  return null;
}

/** Returns the exit code; `fail2` prints one line and returns 2. */
export function initMain(argv: string[], fail2: (message: string) => number, commanderLine: (written: string, e: CommanderError) => string): number {
  const program = buildInitProgram();
  const parsed = parseSubcommand(program, argv, 'init', fail2, commanderLine);
  if (parsed !== null) return parsed;
  const { template, out } = program.opts<{ template?: string; out?: string }>();
  const moduleArg = program.args[0];
  const print = (s: string): void => void process.stdout.write(`${s}\n`);
  if (template && moduleArg) return fail2(`init: give a module or --template, not both`);
  if (!template && !moduleArg)
    return fail2(`init: name a module (adapter-hammer init ./counter.js) or a template (--template ${Object.keys(TEMPLATES).join('|')})`);
  try {
    const problem = template ? initTemplate(template, out, print) : initModule(moduleArg!, out, print);
    return problem === null ? 0 : fail2(`init: ${problem}`);
  } catch (e) {
    if (e instanceof SourceError) return fail2(`init: ${e.message}`);
    throw e;
  }
}
