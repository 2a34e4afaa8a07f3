#!/usr/bin/env node
// Entry point: run the compiled CLI and exit with its code once output is flushed.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`adapter-hammer: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 3;
  },
);
