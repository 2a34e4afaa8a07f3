// A live progress line on stderr while strategies run: strategy, phase, point/round, elapsed, calls so
// far. Drawn by cli-progress (its own redraw timer, line clearing and TTY handling); shown only when
// stderr is a terminal and stdout does not carry the JSON report. stop() clears the line, so the
// terminal report printed next is never mixed with it.
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import type { ProgressEvent as Progress } from '../schema/report.js';

export interface ProgressReporter {
  update(p: Progress): void;
  /** Clear the line (idempotent). Call before anything else is printed. */
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** The JSON report goes to stdout: no progress at all (a pipeline is consuming the output). */
  jsonToStdout?: boolean;
  /** Override the TTY test (tests). */
  enabled?: boolean;
}

const noop: ProgressReporter = { update() {}, stop() {} };

const compact = (n: number): string => {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
};

const clock = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

interface Payload {
  strategy: string;
  phase: string;
  calls?: number;
  timeLeftMs?: number;
}

export function createProgress(opts: ProgressOptions = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? (stream.isTTY === true && !opts.jsonToStdout && process.env.CI === undefined);
  if (!enabled) return noop;
  const t0 = performance.now();
  let started = false;
  let stopped = false;
  // Required here, not imported: only a terminal shows the line, and its 16 modules would slow every other start.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      fps: 5,
      clearOnComplete: true,
      hideCursor: false,
      linewrap: false,
      barsize: 10,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      // The line is ours; cli-progress does the timing, clearing and rewriting.
      format: (options, params, payload: Payload) => {
        // Most telling first, so a narrow terminal cuts the bar, not the figures.
        const width = options.barsize ?? 10;
        const known = params.total > 0;
        const filled = known ? Math.round(Math.min(1, params.value / params.total) * width) : 0;
        const parts = [payload.strategy, payload.phase];
        if (known) parts.push(`${params.value}/${params.total}`);
        else if (params.value > 0) parts.push(String(params.value));
        parts.push(clock(performance.now() - t0));
        if (payload.calls !== undefined) parts.push(`${compact(payload.calls)} calls`);
        if (payload.timeLeftMs !== undefined) parts.push(`${clock(payload.timeLeftMs)} left of --time`);
        if (known) parts.push(`${'█'.repeat(filled)}${'░'.repeat(width - filled)}`);
        const line = parts.filter(Boolean).join(' · ');
        const cols = stream.columns ?? 80;
        return line.length >= cols ? `${line.slice(0, cols - 2)}…` : line;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    update(p) {
      if (stopped) return;
      const payload: Payload = { strategy: p.strategy, phase: p.phase, calls: p.calls, timeLeftMs: p.timeLeftMs };
      if (!started) {
        started = true;
        bar.start(p.total ?? 0, p.done, payload);
        return;
      }
      bar.setTotal(p.total ?? 0);
      bar.update(p.done, payload);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
