/**
 * Keeps the events anyone can cause in bulk (rate-limit refusals, refused refresh
 * tokens, recovery requests for unknown addresses) from filling the audit log: of
 * each kind, at most `perMinute` are written per minute across every process (the
 * count lives in the brute-force protection's shared counters); the rest of that
 * minute's are dropped. A flood then costs the table a fixed number of rows an hour,
 * while its start, its source and its kind are still on record.
 */
import type { CounterStore } from '../security/counter-store.js';
import type { Clock } from '../utils/clock.js';

/** Enough to see who floods and how; few enough that a year of flooding stays a small table. */
export const SAMPLED_EVENTS_PER_MINUTE = 20;

export class AuditSampler {
  constructor(
    private readonly store: CounterStore,
    private readonly clock: Clock,
    private readonly perMinute = SAMPLED_EVENTS_PER_MINUTE,
  ) {}

  /** Whether one more event of `kind` may be written now. Counters unreachable: no (a flood must not get through). */
  async allow(kind: string): Promise<boolean> {
    try {
      const counter = await this.store.increment(`as:${kind}`, 60_000, this.clock.now().getTime(), 'fixed');
      return counter.count <= this.perMinute;
    } catch {
      return false;
    }
  }
}
