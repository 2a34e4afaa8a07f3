// Every error the tool raises, declared once, and the one way adapter-supplied errors become text.
// Each class says what went wrong and so how the caller must answer: an AdapterError or a UsageError is
// exit 2 with one line; an OptionError is the API's TypeError for a bad option; a SessionStartError is a
// crash finding of the strategy whose pool could not start.
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';

/** A problem with the adapter file itself: the run cannot start (exit code 2). One line per problem. */
export class AdapterError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'AdapterError';
  }
}

/**
 * The adapter cannot even be set up (exit code 2, one line): `setup` (main thread) or `init` (a worker)
 * threw, rejected or did not settle within --setup-timeout in the run's first round, before any
 * operation was called. From the second round on it is a finding of the strategy (exit code 1).
 */
export class AdapterSetupError extends AdapterError {
  constructor(problems: string[]) {
    super(problems);
    this.name = 'AdapterSetupError';
  }
}

/** A bad command line or config file (exit code 2, one line). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A bad option given to the API (`hammer()`, `makePlan()`): a TypeError, as documented. */
export class OptionError extends TypeError {
  constructor(problem: string) {
    super(`adapter-hammer: option ${problem}`);
    this.name = 'OptionError';
  }
}

/** The worker pool could not be started (a worker could not load the adapter, or did not in time). */
export class SessionStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionStartError';
  }
}

/** A main-thread hook did not settle within its deadline (`flag`: the option that sets it, named in the message). */
export class HookTimeout extends Error {
  constructor(ms: number, flag?: string) {
    super(`did not settle within ${ms} ms${flag ? ` (${flag})` : ''}`);
    this.name = 'HookTimeout';
  }
}

/** The run was interrupted (Ctrl-C, an aborted signal) while a main-thread hook was pending. */
export class HookInterrupted extends Error {
  constructor() {
    super('interrupted before it settled');
    this.name = 'HookInterrupted';
  }
}

/** A value an adapter or a caller gave, as text for a message (never throws, never "[object Object]"). */
export function shown(v: unknown): string {
  return typeof v === 'string' ? v : inspect(v, { depth: 1, breakLength: Infinity, maxStringLength: 200 });
}

/** Longest error text kept from an adapter (a hook's or an operation's): reports stay readable and small. */
export const MAX_ERROR_CHARS = 1000;

/** An error's first line, at most MAX_ERROR_CHARS characters. Never throws (a hostile toString included). */
export function errorLine(e: unknown): string {
  let text: string;
  try {
    text = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
  } catch {
    text = '(an error that cannot be turned into text)';
  }
  const nl = text.indexOf('\n');
  return clip(nl < 0 ? text : text.slice(0, nl));
}

/** Adapter-supplied text (e.g. invariant's verdict) as a string of at most MAX_ERROR_CHARS characters. */
export function clip(v: unknown): string {
  let text: string;
  try {
    text = String(v);
  } catch {
    text = '(a value that cannot be turned into text)';
  }
  return truncate(text, MAX_ERROR_CHARS);
}

/** At most `max` UTF-16 units, `…` at a cut, never half a surrogate pair (an emoji cut in two is not text). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** One frame of an error's stack; `user`: the user's own code (not Node's, not node_modules, not this tool's). */
export interface StackFrame {
  /** As V8 prints it, without "at ": `fn (/abs/file.mjs:12:5)` (TypeScript mapped back by source maps). */
  text: string;
  file?: string;
  line?: number;
  column?: number;
  user: boolean;
}

/** The user's frame an error is grouped by ('' when the stack has no user frame). */
export const topFrame = (stack: readonly StackFrame[]): string => (stack[0]?.user ? stack[0].text : '');

/** Two errors are the same when their messages and top user frames are. */
export const sameError = (a: { message: string; stack: readonly StackFrame[] }, b: { message: string; stack: readonly StackFrame[] }): boolean =>
  a.message === b.message && topFrame(a.stack) === topFrame(b.stack);

/** Frames kept per error. */
const MAX_FRAMES = 8;

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/**
 * A file of adapter-hammer's own: under `toolRoot` (dist/), or under the src/ beside it, where its
 * source maps point once a worker turned them on (a TypeScript or instrumented adapter).
 */
const isToolFile = (file: string, toolRoot: string): boolean =>
  file.startsWith(toolRoot) || (/[\\/]dist[\\/]$/.test(toolRoot) && file.startsWith(`${toolRoot.slice(0, -5)}src${toolRoot.slice(-1)}`));

/** Parse a V8 stack into frames, user frames first. `toolRoot`: adapter-hammer's own directory. */
export function stackFrames(stack: unknown, toolRoot: string): StackFrame[] {
  if (typeof stack !== 'string') return [];
  const frames: StackFrame[] = [];
  for (const raw of stack.split('\n')) {
    if (!raw.trimStart().startsWith('at ')) continue;
    const m = FRAME.exec(raw);
    let file = m?.[2];
    if (file?.startsWith('data:')) {
      // A CommonJS TypeScript file compiled by tsx runs from a data: URL that names the file but has no
      // source map Node applies: keep the file, drop the compiled line (it would point nowhere).
      const named = /__filename%3D%22(.+?)%22/.exec(file)?.[1];
      const source = named ? decodeURIComponent(named) : undefined;
      frames.push(
        source
          ? { text: `${m?.[1] ?? '<anonymous>'} (${source}, compiled: no line)`, file: source, user: !source.includes('/node_modules/') }
          : { text: 'data: URL', user: false },
      );
      continue;
    }
    let text = truncate(raw.trim().slice(3), 300);
    if (file?.startsWith('file://')) {
      try {
        const url = file;
        file = fileURLToPath(url);
        text = text.replace(url, file);
      } catch {
        /* keep the URL */
      }
    }
    const internal = !file || file.startsWith('node:') || !file.includes('/') || file.includes('/node_modules/') || isToolFile(file, toolRoot);
    frames.push(m && file ? { text, file, line: Number(m[3]), column: Number(m[4]), user: !internal } : { text, user: false });
  }
  return [...frames.filter((f) => f.user), ...frames.filter((f) => !f.user)].slice(0, MAX_FRAMES);
}
