// Typecheck a file as a user's strict TypeScript project would (NodeNext), against this checkout's types.
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './cli.mjs';

/** A user's strict compiler settings, with Node's types. */
export const STRICT = {
  strict: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [path.join(ROOT, 'node_modules/@types')],
};

/**
 * Parsed (and bound) files of node_modules (TypeScript's lib files, @types/node), shared by every
 * program of this process, as an editor's language service shares them: they are most of a small
 * program's cost, and nothing changes them while the tests run. Keyed by the settings that change how a
 * file is parsed or bound.
 */
const shared = new Map();

/** A compiler host that takes node_modules' files from `shared`. */
export function compilerHost(options) {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  const settings = JSON.stringify([options.target, options.module, options.moduleResolution, options.strict]);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.includes('/node_modules/')) return read(fileName, languageVersion, onError, shouldCreate);
    const key = `${settings}\n${JSON.stringify(languageVersion)}\n${fileName}`;
    if (!shared.has(key)) shared.set(key, read(fileName, languageVersion, onError, shouldCreate));
    return shared.get(key);
  };
  return host;
}

/** A program of `files` with `options` (STRICT unless given), through compilerHost. */
export function program(files, options = STRICT) {
  return ts.createProgram({ rootNames: files, options, host: compilerHost(options) });
}

/** The file's diagnostics, one line each (empty: it typechecks). */
export function typecheck(file) {
  return ts
    .getPreEmitDiagnostics(program([file]))
    .map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
