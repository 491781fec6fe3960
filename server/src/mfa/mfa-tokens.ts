/**
 * The token that carries a sign-in from its first factor to the second-factor step
 * (or, under MFA_REQUIRED, to the enrolment it asks for). 32 random bytes, only the
 * SHA-256 stored; bound to one user and to the proof that earned it; valid
 * MFA_TOKEN_MINUTES; spent by the step that opens the session; burnt after
 * MFA_TOKEN_MAX_FAILURES wrong codes, so one password cannot buy unlimited guesses.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { type MfaTokenPurpose, type MfaTokenRow, mfaTokens } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';

export const MFA_TOKEN_MINUTES = 5;
export const MFA_TOKEN_MAX_FAILURES = 5;
/** Longer than any token issued: anything else is not one, and is not hashed or looked up. */
const MAX_TOKEN_LENGTH = 100;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface FirstFactor {
  method: string;
  amr: string[];
}

export class MfaTokens {
  constructor(private readonly clock: Clock) {}

  /** A new token for `userId`, remembering the first factor's proof. */
  async issue(tx: Executor, userId: string, purpose: MfaTokenPurpose, proof: FirstFactor): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await tx.insert(mfaTokens).values({
      userId,
      tokenHash: hashToken(token),
      purpose,
      method: proof.method.slice(0, 64),
      amr: proof.amr,
      createdAt: now,
      expiresAt: new Date(now.getTime() + MFA_TOKEN_MINUTES * 60_000),
    });
    return token;
  }

  /** The live token of that purpose (unspent, unexpired, not burnt); `null` for anything else. */
  async find(tx: Executor, token: string, purpose: MfaTokenPurpose, forUpdate = false): Promise<MfaTokenRow | null> {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const query = tx
      .select()
      .from(mfaTokens)
      .where(
        and(
          eq(mfaTokens.tokenHash, hashToken(token)),
          eq(mfaTokens.purpose, purpose),
          isNull(mfaTokens.usedAt),
          gt(mfaTokens.expiresAt, this.clock.now()),
        ),
      );
    const [row] = forUpdate ? await query.for('update') : await query;
    return row ?? null;
  }

  /** The user a token (live or not) was issued to, for the lockout's account key; `null` if unknown. */
  async userOf(tx: Executor, token: string): Promise<string | null> {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const [row] = await tx
      .select({ userId: mfaTokens.userId })
      .from(mfaTokens)
      .where(eq(mfaTokens.tokenHash, hashToken(token)));
    return row?.userId ?? null;
  }

  /** Counts a wrong code; the last one allowed burns the token. */
  async recordFailure(tx: Executor, id: string): Promise<void> {
    await tx
      .update(mfaTokens)
      .set({
        failures: sql`${mfaTokens.failures} + 1`,
        usedAt: sql`CASE WHEN ${mfaTokens.failures} + 1 >= ${MFA_TOKEN_MAX_FAILURES} THEN ${this.clock.now().toISOString()}::timestamptz ELSE NULL END`,
      })
      .where(and(eq(mfaTokens.id, id), isNull(mfaTokens.usedAt)));
  }

  /** Spends the token; `false` if another request spent it first. */
  async spend(tx: Executor, id: string): Promise<boolean> {
    const spent = await tx
      .update(mfaTokens)
      .set({ usedAt: this.clock.now() })
      .where(and(eq(mfaTokens.id, id), isNull(mfaTokens.usedAt)))
      .returning({ id: mfaTokens.id });
    return spent.length > 0;
  }

  /** Every outstanding token of the user ends (their factors were reset). */
  async revokeAll(tx: Executor, userId: string): Promise<void> {
    await tx
      .update(mfaTokens)
      .set({ usedAt: this.clock.now() })
      .where(and(eq(mfaTokens.userId, userId), isNull(mfaTokens.usedAt)));
  }

  /** Deletes tokens that expired or were spent before `before`. */
  async purge(tx: Executor, before: Date): Promise<void> {
    await tx.delete(mfaTokens).where(or(lte(mfaTokens.expiresAt, before), lt(mfaTokens.usedAt, before)));
  }
}
