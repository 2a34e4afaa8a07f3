// What the toolkit's database servers (postgres.ts, redis.ts) share: the client packages they load only
// when used (an adapter over shared memory never pays for pg or ioredis), the unprivileged user a server
// runs as when adapter-hammer runs as root, its temp directory, and the one-line error of a server that
// cannot be had.
import { chownSync, mkdtempSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A database server that cannot be had: what to install or which flag to pass, in one line. Thrown from
 * `globalSetup` (or the first `setup`), it ends the run with exit 2, "cannot set up the adapter".
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Where a database handle notes, on globalThis, the client package it will load: adapter/load.ts reads it
 * there (Symbol.for: without importing the toolkit). pg and ioredis are imported only when first used,
 * after the adapter is loaded and its run planned; without the note, the run of an adapter that made
 * `postgres()` at its top level was planned as one over shared memory: workers pinned to a CPU each and
 * spinning long at the barrier, taking the CPUs the server's processes need (its rounds ran ~1.5x slower).
 */
export const DATABASE_CLIENT_KEY = Symbol.for('adapter-hammer.database-client');

/** Note that this thread's adapter talks to a database through `client` (the first one noted stays). */
export function noteDatabaseClient(client: string): void {
  (globalThis as Record<symbol, unknown>)[DATABASE_CLIENT_KEY] ??= client;
}

/**
 * Import a client package the toolkit does not depend on (pg, ioredis): the project's own (resolved from
 * the working directory, where the user's package.json is), else one beside adapter-hammer. Its CommonJS
 * `module.exports` is returned (the ES namespace's default).
 */
export async function importPeer<T>(name: string, install: string): Promise<T> {
  for (const from of [path.join(process.cwd(), 'package.json'), import.meta.url]) {
    let resolved: string;
    try {
      resolved = createRequire(from).resolve(name);
    } catch {
      continue;
    }
    const ns = (await import(pathToFileURL(resolved).href)) as { default?: T };
    return ns.default ?? (ns as T);
  }
  throw new DatabaseUnavailableError(`the package '${name}' is not installed: ${install}`);
}

/**
 * The user a server runs as. PostgreSQL refuses to run as root, and no server under test needs it: as
 * root, the conventional unprivileged `nobody` (65534), by number, so no user is added to the host.
 * Otherwise the server runs as adapter-hammer's own user (undefined: no change).
 */
export function serverIds(): { uid: number; gid: number } | undefined {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
}

/** A fresh temp directory owned by the server's user (the keeper removes it when the server is gone). */
export function serverDir(prefix: string, ids: { uid: number; gid: number } | undefined): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (ids) chownSync(dir, ids.uid, ids.gid);
  return dir;
}

/**
 * Can `ids` run `file`? Every directory on its path must be searchable by others (the server's user owns
 * none of them), and the file executable. As root a project under /root (mode 700) is not: its binaries
 * are then copied into the server's own directory.
 */
export function reachableBy(file: string, ids: { uid: number } | undefined): boolean {
  if (!ids) return true;
  for (let p = path.resolve(file); ; p = path.dirname(p)) {
    let mode: number;
    let uid: number;
    try {
      ({ mode, uid } = statSync(p));
    } catch {
      return false;
    }
    if (uid !== ids.uid && (mode & 0o001) === 0) return false;
    if (path.dirname(p) === p) return true;
  }
}

/** A URL with its password hidden, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** The first line of an error's message. */
export const lineOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
