// Colour level, decided by us: chalk ignores NO_COLOR, and the terminal report may go to stderr.
import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from 'chalk';

export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * Order: --no-color, then FORCE_COLOR (0/false off, 1/true/empty basic, 2 = 256, 3 = truecolor), then
 * NO_COLOR (any non-empty value), then whether the stream is a TTY. FORCE_COLOR beats NO_COLOR as in
 * Node's own tty.getColorDepth.
 */
export function colorLevel(opts: { color?: boolean; isTTY?: boolean; stream?: 'stdout' | 'stderr'; env?: NodeJS.ProcessEnv }): ColorLevel {
  const env = opts.env ?? process.env;
  if (opts.color === false) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!opts.isTTY) return 0;
  const detected = opts.stream === 'stderr' ? supportsColorStderr : supportsColor;
  return detected ? detected.level || 1 : 1;
}

export function makeChalk(level: ColorLevel): ChalkInstance {
  return new Chalk({ level });
}
