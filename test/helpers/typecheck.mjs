// Typecheck a file as a user's strict TypeScript project would (NodeNext), against this checkout's types.
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './cli.mjs';

/** The file's diagnostics, one line each (empty: it typechecks). */
export function typecheck(file) {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules/@types')],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
