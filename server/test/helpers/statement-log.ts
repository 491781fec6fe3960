/**
 * What a group commit's statements were, for its tests: how many requests each served, in the
 * order they were sent. `before`, when a test sets it, runs just before the next statement and
 * holds it back until it resolves. Both are cleared after each test.
 */
import { afterEach } from 'vitest';
import { latch } from './latch.js';

export interface StatementLog {
  sizes: number[];
  before: ((size: number) => Promise<void>) | null;
  /** For the app's `onSignInStatement` or `onRefreshStatement`. */
  onStatement: (size: number) => Promise<void>;
  /** Holds the next statement back: `reached` when it is about to be sent, until `release()`. */
  holdNext(): { reached: Promise<void>; release: () => void };
}

export function statementLog(): StatementLog {
  const log: StatementLog = {
    sizes: [],
    before: null,
    onStatement: async (size) => {
      log.sizes.push(size);
      const hold = log.before;
      log.before = null;
      await hold?.(size);
    },
    holdNext: () => {
      const reached = latch();
      const released = latch();
      log.before = async () => {
        reached.open();
        await released.opened;
      };
      return { reached: reached.opened, release: released.open };
    },
  };
  afterEach(() => {
    log.sizes.length = 0;
    log.before = null;
  });
  return log;
}
