#!/usr/bin/env node
// Entry point: run the compiled CLI, then exit with its code once output is flushed. The exit is
// explicit: an adapter's hooks run in this process and may leave handles open (a server, a timer, a
// socket); the run is over when its report is written, not when the adapter's leftovers are.
import { main } from '../dist/cli/main.js';

let settled = false;

function exitWith(code) {
  settled = true;
  process.exitCode = code;
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(exitWith, (err) => {
  process.stderr.write(`adapter-hammer: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
  exitWith(3);
});

// Safety net: if nothing is left to wait for (a bug: a promise nobody will settle) Node would end the
// process with code 0 and no report: a silent "pass" in CI. Make it a loud internal error instead.
// (A deliberate process.exit(code), e.g. the second Ctrl-C, passes its code and is left alone.)
process.on('exit', (code) => {
  if (!settled && code === 0) {
    process.stderr.write('adapter-hammer: internal error: the run ended before its report was written\n');
    process.exitCode = 3;
  }
});
