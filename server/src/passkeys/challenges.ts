/**
 * The challenges of passkey ceremonies, kept server-side: each is issued for one
 * purpose (and one user, where the user is known), lives 5 minutes and works once.
 * Only its SHA-256 is stored. A challenge is found again by the one the browser
 * signed (in clientDataJSON), so a response can only be checked against the
 * challenge it actually answers, and using it deletes it in the same statement.
 */
import { createHash } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type ChallengePurpose, webauthnChallenges } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';

export const CHALLENGE_SECONDS = 5 * 60;

const hashChallenge = (challenge: string) => createHash('sha256').update(challenge).digest('hex');

/** Whom a challenge must have been issued to: a user, or nobody (a discoverable sign-in, named by its id). */
export type ChallengeBinding = { userId: string } | { challengeId: string };

export class ChallengeStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Stores a challenge just put in options; returns its id. */
  async remember(purpose: ChallengePurpose, userId: string | null, challenge: string): Promise<string> {
    const now = this.clock.now();
    const [row] = await this.db
      .insert(webauthnChallenges)
      .values({
        purpose,
        userId,
        challengeHash: hashChallenge(challenge),
        createdAt: now,
        expiresAt: new Date(now.getTime() + CHALLENGE_SECONDS * 1000),
      })
      .returning({ id: webauthnChallenges.id });
    return (row as { id: string }).id;
  }

  /**
   * Uses up `challenge` if it was issued for `purpose` and `binding` and has not expired:
   * true once, false for one unknown, used, expired, or issued to someone else.
   * Lookup is by the hash, so the comparison leaks nothing through timing.
   */
  async consume(purpose: ChallengePurpose, challenge: string, binding: ChallengeBinding): Promise<boolean> {
    const used = await this.db
      .delete(webauthnChallenges)
      .where(
        and(
          eq(webauthnChallenges.challengeHash, hashChallenge(challenge)),
          eq(webauthnChallenges.purpose, purpose),
          gt(webauthnChallenges.expiresAt, this.clock.now()),
          'userId' in binding
            ? eq(webauthnChallenges.userId, binding.userId)
            : and(eq(webauthnChallenges.id, binding.challengeId), isNull(webauthnChallenges.userId)),
        ),
      )
      .returning({ id: webauthnChallenges.id });
    return used.length === 1;
  }

  async purge(before: Date): Promise<void> {
    await this.db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, before));
  }
}
