// The one way a report reaches a file (--json, --junit, and every later report file, --html included).
//
// Only a regular file (or a path where nothing is yet) is replaced atomically, through a temp file in
// its directory and a rename, so a reader never sees half a report. Anything else is written through in
// place, as a shell's `>` would: a character device (`/dev/null`, `/dev/stdout` on a terminal), a FIFO,
// a pipe. Renaming over those replaced the machine's `/dev/null` with a regular file when run as root
// (CI containers, Docker), which broke every program after it. A symbolic link is followed: the file it
// names is replaced, the link stays.
import { chmodSync, chownSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Why a report file could not be written, in one line (the caller names the flag and the path). */
export class ReportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportFileError';
  }
}

/** The target's own stat (links followed), or null when nothing is there yet (or a link points nowhere). */
function statOf(file: string): Stats | null {
  try {
    return statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function writeReportFile(file: string, text: string): void {
  const st = statOf(file);
  if (st && !st.isFile()) {
    if (st.isDirectory()) throw new ReportFileError('is a directory');
    // A report written over a disk's first bytes would destroy its data; no one asks for that on purpose.
    if (st.isBlockDevice()) throw new ReportFileError('is a block device (a disk): give a file, a FIFO or a character device');
    // A descriptor of this process named by path (/dev/stdout, /dev/fd/3): written to as it is. Reopened
    // by path it could not be when it is a socket (ENXIO), as Node's child-process pipes are.
    const fd = ownDescriptor(file);
    if (fd !== null && st.isSocket()) writeAll(fd, text);
    // In place: open (following links), write, close. A FIFO blocks here until a reader opens it, as `>` does.
    else writeFileSync(file, text);
    return;
  }
  replaceAtomically(st ? realpathSync(file) : path.resolve(file), text, st);
}

/** The descriptor a path names in this process (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`), or null. */
function ownDescriptor(file: string): number | null {
  const std = ['/dev/stdin', '/dev/stdout', '/dev/stderr'].indexOf(file);
  if (std >= 0) return std;
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(file);
  return m ? Number(m[1]) : null;
}

/** Every byte to `fd`, waiting a moment whenever a non-blocking descriptor is full. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

/** Temp file next to the target, then rename; the old file's mode (and owner, when we may) kept. */
function replaceAtomically(target: string, text: string, old: Stats | null): void {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text);
    if (old) chmodSync(tmp, old.mode & 0o7777);
    // Run as root, a report that replaces a user's file must stay theirs.
    if (old && process.getuid?.() === 0 && (old.uid !== 0 || old.gid !== 0)) chownSync(tmp, old.uid, old.gid);
    renameSync(tmp, target);
  } catch (e) {
    // Disk full, read-only directory, a directory in the way: no half-written temp file left behind.
    rmSync(tmp, { force: true });
    throw e;
  }
}
