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

/**
 * Pause worker `threadId` and return its stack, `{ running: false }` when it did not pause within
 * `timeoutMs` (not running JavaScript), or null when the inspector is not available here.
 */
export async function probeWorker(threadId: number, timeoutMs: number, toolRoot: string): Promise<Probe> {
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
    const scripts = new Map<string, string>();
    const paused = new Promise<CallFrame[]>((resolve) => {
      session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { message: string } }) => {
        const msg = JSON.parse(m.params.message) as { method?: string; params?: { callFrames?: CallFrame[]; scriptId?: string; url?: string } };
        if (msg.method === 'Debugger.scriptParsed' && msg.params?.scriptId && msg.params.url) scripts.set(msg.params.scriptId, msg.params.url);
        if (msg.method === 'Debugger.paused' && msg.params?.callFrames) resolve(msg.params.callFrames);
      });
    });
    let id = 0;
    const send = (method: string): Promise<unknown> => post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: ++id, method }) });
    await send('Debugger.enable');
    await send('Debugger.pause');
    const frames = await Promise.race([paused, timeout]);
    // Never leave the worker paused (or about to pause): a paused thread does not terminate.
    await send('Debugger.resume').catch(() => {});
    await send('Debugger.disable').catch(() => {});
    return frames === null ? { running: false } : { running: true, stack: framesOf(frames, scripts, toolRoot) };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    session.disconnect();
  }
}
