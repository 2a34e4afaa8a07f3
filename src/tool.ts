// The tool's own name and version, as package.json has them (reports and --version carry them).
import { readFileSync } from 'node:fs';

export const TOOL: { name: string; version: string } = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
})();
