// JSON reporter: the report object as written, to a file (atomically) or to stdout.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MultiReport, Report } from '../schema/report.js';

export function toJson(report: Report | MultiReport): string {
  return `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

/** Write through a temp file and rename, so a reader never sees half a report. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    // Disk full, read-only directory, a directory in the way: no half-written temp file left behind.
    rmSync(tmp, { force: true });
    throw e;
  }
}
