/**
 * When a failed delivery is tried again: the Standard Webhooks schedule (about
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each failure), each delay
 * spread by ±10 % so that an endpoint coming back is not hit by every retry at
 * once, and never sooner than the receiver's Retry-After.
 */
const RETRY_DELAYS_SECONDS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];

/** The first attempt and one per retry. */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** A Retry-After further away than this is taken as this. */
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

const JITTER = 0.1;

/**
 * The time of the next attempt after `attempts` failed ones, or `null` when that
 * was the last. `random` is in [0, 1) (Math.random; tests pass their own).
 */
export function nextAttemptAt(attempts: number, now: Date, random: () => number, retryAfterSeconds: number | null): Date | null {
  const base = RETRY_DELAYS_SECONDS[attempts - 1];
  if (base === undefined) return null;
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  const seconds = Math.max(jittered, Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS));
  return new Date(now.getTime() + Math.round(seconds * 1000));
}

/** Retry-After as seconds from `now`: a number of seconds or an HTTP date; `null` if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: Date): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, (at - now.getTime()) / 1000);
}
