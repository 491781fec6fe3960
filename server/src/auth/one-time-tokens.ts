/**
 * Single-use tokens sent by email (password reset, email verification, email restore). The token
 * is 32 random bytes; only its SHA-256 is stored, so a database leak reveals no
 * usable link. Lookup is by that hash, which leaks nothing through timing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { type TokenPurpose, userTokens } from '../db/schema.js';
import { userGone } from '../users/user-gone.js';
import type { Clock } from '../utils/clock.js';

export interface RedeemedToken {
  userId: string;
  /** The address the token was sent to. */
  email: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class OneTimeTokens {
  constructor(
    private readonly clock: Clock,
    private readonly lifetimeHours: number,
  ) {}

  /** Issues a token for `email`, valid `lifetimeHours` (EMAIL_RESET_TOKEN_EXPIRE_HOURS unless given); returns the token to put in the email. */
  async issue(
    tx: Executor,
    userId: string,
    purpose: TokenPurpose,
    email: string,
    lifetimeHours = this.lifetimeHours,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await tx
      .insert(userTokens)
      .values({
        userId,
        purpose,
        email,
        tokenHash: hashToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + lifetimeHours * 3600_000),
      })
      .catch((error: unknown) => {
        throw userGone(error);
      });
    return token;
  }

  /**
   * Marks the token used and returns whom it was for; `null` if it is unknown,
   * expired, already used or for another purpose. One statement, so two
   * concurrent redemptions cannot both succeed.
   */
  async redeem(tx: Executor, purpose: TokenPurpose, token: string): Promise<RedeemedToken | null> {
    if (token.length > 200) return null;
    const now = this.clock.now();
    const [row] = await tx
      .update(userTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(userTokens.tokenHash, hashToken(token)),
          eq(userTokens.purpose, purpose),
          isNull(userTokens.usedAt),
          gt(userTokens.expiresAt, now),
        ),
      )
      .returning({ userId: userTokens.userId, email: userTokens.email });
    return row ?? null;
  }

  /** Ends every outstanding token of that purpose for the user (a password changed, an email changed). */
  async revokeAll(tx: Executor, userId: string, purpose: TokenPurpose): Promise<void> {
    await tx
      .update(userTokens)
      .set({ usedAt: this.clock.now() })
      .where(and(eq(userTokens.userId, userId), eq(userTokens.purpose, purpose), isNull(userTokens.usedAt)));
  }

  /** When the user was last sent a token of that purpose, if ever. */
  async lastIssuedAt(tx: Executor, userId: string, purpose: TokenPurpose): Promise<Date | null> {
    const [row] = await tx
      .select({ at: sql<Date>`max(${userTokens.createdAt})`.mapWith((v) => (v ? new Date(v) : null)) })
      .from(userTokens)
      .where(and(eq(userTokens.userId, userId), eq(userTokens.purpose, purpose)));
    return (row?.at as Date | null) ?? null;
  }

  /** Deletes tokens that expired or were used before `before`. */
  async purge(tx: Executor, before: Date): Promise<void> {
    await tx.delete(userTokens).where(or(lt(userTokens.expiresAt, before), lt(userTokens.usedAt, before)));
  }
}
