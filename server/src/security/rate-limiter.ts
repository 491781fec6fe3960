/**
 * Fixed-window rate limits over the shared counters: each request counts against
 * every limit that applies to it (per client, per account), and is refused while
 * any of them is over.
 */
import type { CounterStore } from './counter-store.js';
import type { Limit } from './settings.js';

export interface LimitCheck {
  /** Names the limit in the key, so two limits on one client never share a counter. */
  name: string;
  limit: Limit | null;
  /** The client or account counted; `null` skips this limit for this request. */
  subject: string | null;
}

export interface LimitExceeded {
  retryAfterSeconds: number;
  /**
   * The limits this request is the first one over in their current window: a flood is reported once per
   * limit, subject and window, not once per request.
   */
  firstRefusals: string[];
}

export class RateLimiter {
  constructor(private readonly store: CounterStore) {}

  /** Counts the request; says how long until it would be allowed when any limit is exceeded, else `null`. */
  async hit(checks: LimitCheck[], nowMs: number): Promise<LimitExceeded | null> {
    const applicable = checks.filter(
      (check): check is LimitCheck & { limit: Limit; subject: string } => check.limit !== null && check.subject !== null,
    );
    const counters = await Promise.all(
      applicable.map((check) =>
        this.store.increment(`rl:${check.name}:${check.subject}`, check.limit.windowSeconds * 1000, nowMs, 'fixed'),
      ),
    );
    let retryAfterMs = 0;
    const firstRefusals: string[] = [];
    counters.forEach((counter, i) => {
      const check = applicable[i] as LimitCheck & { limit: Limit };
      if (counter.count > check.limit.max) {
        retryAfterMs = Math.max(retryAfterMs, counter.expiresAtMs - nowMs);
        if (counter.count === check.limit.max + 1) firstRefusals.push(check.name);
      }
    });
    return retryAfterMs > 0 ? { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), firstRefusals } : null;
  }
}
