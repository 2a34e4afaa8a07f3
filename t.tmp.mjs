import { Session } from 'node:inspector/promises';
import { tsImport } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
const f = process.argv[2];
const m = f.endsWith('ts') ? await tsImport(pathToFileURL(f).href, import.meta.url) : await import(pathToFileURL(f).href);
const a = m.default ?? m;
const s = new Session(); s.connect();
const t0 = performance.now();
await s.post('Debugger.enable');
globalThis.__probe = a;
for (const k of ['setup', 'stats', 'expected', 'init']) {
  if (!a[k]) continue;
  const { result } = await s.post('Runtime.evaluate', { expression: `globalThis.__probe[${JSON.stringify(k)}]` });
  const props = await s.post('Runtime.getProperties', { objectId: result.objectId, ownProperties: true });
  const loc = props.internalProperties.find((p) => p.name === '[[FunctionLocation]]').value.value;
  const { scriptSource } = await s.post('Debugger.getScriptSource', { scriptId: loc.scriptId });
  const lines = scriptSource.split('\n');
  console.log(k, loc.lineNumber, loc.columnNumber, JSON.stringify(lines[loc.lineNumber].slice(loc.columnNumber, loc.columnNumber + 50)));
}
await s.post('Debugger.disable');
console.log('ms', performance.now() - t0);
