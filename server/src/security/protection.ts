/**
 * Brute-force protection as one service: the shared counters (PostgreSQL or
 * Redis), the rate limiter, the login lockout, and the one lookup it needs from
 * the database (whose password a reset token changed).
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { type CounterStore, PostgresCounterStore } from './counter-store.js';
import { accountKey } from './keys.js';
import { LoginLockout } from './login-lockout.js';
import { RateLimiter } from './rate-limiter.js';
import { RedisCounterStore } from './redis-store.js';
import type { BruteForceSettings } from './settings.js';

/** A request refused by rate limits it is the first one over in their window (see LimitExceeded). */
export interface RateLimitRefusal {
  limits: string[];
  ip: string;
  userAgent: string | null;
  /** The caller, on an authenticated route. */
  userId: string | null;
}

export type RateLimitListener = (refusal: RateLimitRefusal) => void | Promise<void>;

export class BruteForceProtection {
  readonly limiter: RateLimiter;
  readonly lockout: LoginLockout;
  readonly settings: BruteForceSettings;
  private readonly rateLimitListeners: RateLimitListener[] = [];

  constructor(
    readonly store: CounterStore,
    private readonly db: Database,
    settings: BruteForceSettings,
  ) {
    this.settings = settings;
    this.limiter = new RateLimiter(store);
    this.lockout = new LoginLockout(store, settings.lockout);
  }

  /** Calls `listener` for the first refusal of each limit, subject and window; the audit log listens here. */
  onRateLimited(listener: RateLimitListener): void {
    this.rateLimitListeners.push(listener);
  }

  async reportRateLimited(refusal: RateLimitRefusal): Promise<void> {
    for (const listener of this.rateLimitListeners) await listener(refusal);
  }

  /**
   * The account (see accountKey) whose password a reset token was for, read after
   * the reset spent it; `null` for an unknown token. Tokens are stored as SHA-256.
   */
  async accountOfResetToken(token: string): Promise<string | null> {
    if (token.length > 200) return null;
    const hash = createHash('sha256').update(token).digest('hex');
    const result = await this.db.execute(sql`
      SELECT u.email FROM user_token t JOIN "user" u ON u.id = t.user_id
      WHERE t.token_hash = ${hash} AND t.purpose = 'password_reset'`);
    const [row] = (result as unknown as { rows: { email: string }[] }).rows;
    return row ? accountKey(row.email) : null;
  }

  /**
   * The email of the user an MFA token (spent or not) was issued to, whose lockout a second-factor
   * code counts in; `null` for an unknown token. Tokens are stored as SHA-256.
   */
  async emailOfMfaToken(token: string): Promise<string | null> {
    if (token.length > 200) return null;
    const hash = createHash('sha256').update(token).digest('hex');
    const result = await this.db.execute(sql`
      SELECT u.email FROM mfa_token t JOIN "user" u ON u.id = t.user_id WHERE t.token_hash = ${hash}`);
    const [row] = (result as unknown as { rows: { email: string }[] }).rows;
    return row?.email ?? null;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export function createBruteForceProtection(config: Config, db: Database): BruteForceProtection {
  const store = config.redisUrl ? new RedisCounterStore(config.redisUrl, config.redisKeyPrefix) : new PostgresCounterStore(db);
  return new BruteForceProtection(store, db, config.bruteForce);
}
