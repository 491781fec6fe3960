/**
 * Progress of a long run on stderr: a bar when stderr is a terminal, otherwise
 * (CI logs, pipes, files) a plain line at most once a second.
 */
import cliProgress from 'cli-progress';
import type { Terminal } from './terminal.js';

export interface Progress {
  /** `position` in the source's own measure (bytes of a file, rows of a table); `done` users so far. */
  update(position: number, done: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** What the count is of, for the plain lines: "users imported". */
  label: string;
  /** `null` when the end is not known beforehand. */
  total: number | null;
}

const PLAIN_INTERVAL_MS = 1000;

export function createProgress(terminal: Terminal, options: ProgressOptions): Progress {
  if (terminal.stderr.isTTY && options.total) return barProgress(terminal, options.total, options.label);
  let last = Number.NEGATIVE_INFINITY;
  return {
    update(position, done) {
      const now = performance.now();
      if (now - last < PLAIN_INTERVAL_MS) return;
      last = now;
      const share = options.total ? ` (${Math.floor((100 * position) / options.total)}%)` : '';
      terminal.stderr.write(`${done} ${options.label}${share}\n`);
    },
    stop() {},
  };
}

function barProgress(terminal: Terminal, total: number, label: string): Progress {
  const bar = new cliProgress.SingleBar(
    { stream: terminal.stderr, format: `{bar} {percentage}% | {done} ${label} | {duration_formatted}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { done: 0 });
  return {
    update: (position, done) => bar.update(Math.min(position, total), { done }),
    stop: () => bar.stop(),
  };
}
