#!/usr/bin/env node
// Entry point: run the compiled CLI and exit with its code once output is flushed.
import { main } from '../dist/cli/main.js';

let settled = false;
main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (err) => {
    settled = true;
    process.stderr.write(`adapter-hammer: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 3;
  },
);

// Safety net: if nothing is left to wait for (a bug: a promise nobody will settle) Node would end the
// process with code 0 and no report: a silent "pass" in CI. Make it a loud internal error instead.
// (A deliberate process.exit(code), e.g. the second Ctrl-C, passes its code and is left alone.)
process.on('exit', (code) => {
  if (!settled && code === 0) {
    process.stderr.write('adapter-hammer: internal error: the run ended before its report was written\n');
    process.exitCode = 3;
  }
});
