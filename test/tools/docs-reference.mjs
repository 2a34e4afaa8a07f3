// `npm run docs:reference`: write docs/reference/cli.md from the option table (src/options/reference.ts),
// after a build. test/reference.test.mjs fails when the committed file is not what this writes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliReference } from '../../dist/options/reference.js';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'reference', 'cli.md');
writeFileSync(file, cliReference());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
