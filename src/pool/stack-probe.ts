// Where a hung worker is: the main thread pauses it through Node's inspector (the NodeWorker domain
// reaches worker threads from an in-process session) and reads its call frames. V8 honours a pause
// request at its next interrupt check, which even a synchronous endless loop has, so the stack is
// taken from the running worker, not guessed. A worker that is not running JavaScript (its calls
// await something that never settles) never pauses: that is reported as `idle`.
import { fileURLToPath } from 'node:url';
import type { Session as InspectorSession } from 'node:inspector';
import type { StackFrame } from '../errors.js';

export type Probe = { running: true; stack: StackFrame[] } | { running: false } | null;

interface CallFrame {
  functionName: string;
  /** Often empty: the script's URL comes from its Debugger.scriptParsed event. */
  url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

const MAX_FRAMES = 12;

/** Frames as V8 reports them, user frames first (the same split as errors' stacks). */
function framesOf(callFrames: CallFrame[], scripts: ReadonlyMap<string, string>, toolRoot: string): StackFrame[] {
  const frames = callFrames.map((f): StackFrame => {
    let file = f.url || scripts.get(f.location.scriptId) || '';
    if (file.startsWith('file://')) file = fileURLToPath(file);
    const line = f.location.lineNumber + 1;
    const column = f.location.columnNumber + 1;
    const user = file.startsWith('/') && !file.includes('/node_modules/') && !file.startsWith(toolRoot);
    const text = `${f.functionName || '<anonymous>'} (${file || 'node internals'}:${line}:${column})`;
    return file ? { text, file, line, column, user } : { text, user: false };
  });
  return [...frames.filter((f) => f.user), ...frames.filter((f) => !f.user)].slice(0, MAX_FRAMES);
}

/** An inspector session attached to one worker: send it a method, hear its events. */
interface WorkerLink {
  send(method: string, params?: object): Promise<unknown>;
  /** Resolves with the result of the worker's reply to `send`'s message id. */
  onEvent(listener: (msg: { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown }) => void): void;
}

/**
 * Attach to worker `threadId` through the NodeWorker domain of an in-process inspector session, run
 * `use` on the link, detach. Resolves with `use`'s result, or null when the inspector is not available
 * here or the worker was not found within `timeoutMs`.
 */
async function withWorker<T>(threadId: number, timeoutMs: number, use: (link: WorkerLink, timeout: Promise<null>) => Promise<T>): Promise<T | null> {
  let Session: typeof InspectorSession;
  try {
    ({ Session } = await import('node:inspector'));
  } catch {
    return null; // a Node built without the inspector
  }
  const session = new Session();
  try {
    session.connect();
  } catch {
    return null;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const post = (method: string, params: object = {}): Promise<unknown> =>
      new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
    const found = new Promise<string>((resolve) => {
      // The inspector numbers workers its own way; its title names the thread: "[worker <threadId>]".
      session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string; workerInfo: { title: string } } }) => {
        if (m.params.workerInfo.title === `[worker ${threadId}]`) resolve(m.params.sessionId);
      });
    });
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    const sessionId = await Promise.race([found, timeout]);
    if (sessionId === null) return null;
    let id = 0;
    const link: WorkerLink = {
      send: (method, params = {}) => post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: ++id, method, params }) }),
      onEvent: (listener) =>
        session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { message: string } }) => listener(JSON.parse(m.params.message) as never)),
    };
    return await use(link, timeout);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    session.disconnect();
  }
}

/**
 * Pause worker `threadId` and return its stack, `{ running: false }` when it did not pause within
 * `timeoutMs` (not running JavaScript), or null when the inspector is not available here.
 */
export async function probeWorker(threadId: number, timeoutMs: number, toolRoot: string): Promise<Probe> {
  return withWorker(threadId, timeoutMs, async (link, timeout): Promise<Probe> => {
    const scripts = new Map<string, string>();
    const paused = new Promise<CallFrame[]>((resolve) => {
      link.onEvent((msg) => {
        const p = msg.params as { callFrames?: CallFrame[]; scriptId?: string; url?: string } | undefined;
        if (msg.method === 'Debugger.scriptParsed' && p?.scriptId && p.url) scripts.set(p.scriptId, p.url);
        if (msg.method === 'Debugger.paused' && p?.callFrames) resolve(p.callFrames);
      });
    });
    await link.send('Debugger.enable');
    await link.send('Debugger.pause');
    const frames = await Promise.race([paused, timeout]);
    // Never leave the worker paused (or about to pause): a paused thread does not terminate.
    await link.send('Debugger.resume').catch(() => {});
    await link.send('Debugger.disable').catch(() => {});
    return frames === null ? { running: false } : { running: true, stack: framesOf(frames, scripts, toolRoot) };
  });
}

/**
 * Evaluate `expression` in worker `threadId` without pausing it, and return its value (plain data, by
 * value), or undefined when it could not be had within `timeoutMs`. An idle worker answers from its
 * event loop; one running JavaScript at its next interrupt check.
 */
export async function evaluateInWorker(threadId: number, expression: string, timeoutMs: number): Promise<unknown> {
  const value = await withWorker(threadId, timeoutMs, async (link, timeout) => {
    const answered = new Promise<unknown>((resolve) => {
      link.onEvent((msg) => {
        if (msg.id !== 1) return;
        const r = msg.result as { result?: { value?: unknown }; exceptionDetails?: unknown } | undefined;
        resolve(r && !r.exceptionDetails ? { value: r.result?.value } : undefined);
      });
    });
    await link.send('Runtime.evaluate', { expression, returnByValue: true, silent: true });
    return Promise.race([answered, timeout]);
  });
  return (value as { value?: unknown } | null | undefined)?.value;
}
