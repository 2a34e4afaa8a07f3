// Runs the real CLI in a child process, as a user would.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/adapter-hammer.js');
export const fixture = (name) => path.join(ROOT, 'fixtures', name);

/** Run the CLI; resolves { code, stdout, stderr }. Environment is cleaned of colour variables unless given. */
export function runCli(args, { env = {}, timeoutMs = 60_000, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    delete base.FORCE_COLOR;
    delete base.NO_COLOR;
    delete base.GITHUB_ACTIONS;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not finish within ${timeoutMs} ms: ${args.join(' ')}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Write throw-away adapter files into a fresh temp dir; returns a path resolver. */
export function tempAdapters(files) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ah-test-'));
  // Removed when the test file's process ends: a test leaves nothing behind on the machine.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return (name) => path.join(dir, name);
}

export const ANSI = /\u001b\[[0-9;]*m/;
