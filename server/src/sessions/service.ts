/**
 * Sessions: one per login, each with a chain of rotating refresh tokens (only
 * their SHA-256 is stored). Presenting a refresh token that was already used
 * revokes the whole session (someone replayed a stolen token), except within a
 * short grace window, so two tabs refreshing at once don't sign the user out.
 *
 * Within that window a repeated use gets the same successor as the first, not a
 * second one: the successor of a token is derived from it (an HMAC under a key
 * from SECRET_KEY), so it can be computed again without being stored in any
 * readable form, and one session never forks into two live chains. Only its
 * SHA-256 is stored, as for every refresh token.
 *
 * A session ends REFRESH_TOKEN_EXPIRE_DAYS after its last refresh, and at the
 * latest SESSION_MAX_DAYS after its login however often it is refreshed.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { and, desc, eq, gt, isNull, lt, ne, or, type SQLWrapper } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.js';
import { refreshTokens, type SessionRow, sessions, type UserRow, users } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';
import type { SessionState } from './session-cache.js';

/** How long a just-rotated refresh token still works (concurrent refreshes from one browser). */
export const REFRESH_GRACE_SECONDS = 30;

export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** What a session's sign-in proved: RFC 8176 method references and the assurance level they reach. */
export interface SessionAssurance {
  amr: string[];
  aal: number;
}

const PASSWORD_ONLY: SessionAssurance = { amr: ['pwd'], aal: 1 };

export interface NewSession {
  session: SessionRow;
  refreshToken: string;
}

export type RefreshResult =
  | { outcome: 'ok'; user: UserRow; session: SessionRow; refreshToken: string }
  | { outcome: 'invalid' }
  | { outcome: 'reuse-detected'; user: UserRow; session: SessionRow };

export type RevokeReason =
  | 'logout'
  | 'user'
  | 'admin'
  | 'password_changed'
  | 'deactivated'
  | 'refresh_reuse'
  | 'email_changed'
  | 'email_restored'
  | 'mfa_reset';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newRefreshToken = () => randomBytes(32).toString('base64url');

export interface SessionLimits {
  /** SESSION_MAX_DAYS: the absolute lifetime of a session (default 90). */
  maxDays?: number;
  /** SECRET_KEY, from which the key deriving successor tokens comes; every process must share it. */
  secretKey?: string;
}

export class SessionsService {
  /** Called with the ids of sessions this process just changed, so its own cache forgets them at once. */
  onSessionsChanged: (ids: string[]) => void = () => {};
  private readonly maxDays: number;
  private readonly successorKey: Buffer;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly lifetimeDays: number,
    limits: SessionLimits = {},
  ) {
    this.maxDays = limits.maxDays ?? 90;
    // A key of its own, so a successor is not an HMAC under the key that signs access tokens.
    this.successorKey = createHmac('sha256', limits.secretKey ?? randomBytes(32))
      .update('roster refresh-token successor')
      .digest();
  }

  /**
   * A new session for a login, not yet written: its session and refresh-token rows
   * come back as INSERTs, so the login writes them in one statement with its audit
   * event (see insertTogether).
   */
  open(
    userId: string,
    origin: SessionOrigin,
    assurance: SessionAssurance = PASSWORD_ONLY,
  ): NewSession & { inserts: SQLWrapper[] } {
    const now = this.clock.now();
    const session: SessionRow = {
      id: randomUUID(),
      userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: this.expiryFrom(now, now),
      // The sign-in that opens a session (a password, and a second factor when one was asked) is its latest.
      authenticatedAt: now,
      amr: assurance.amr,
      aal: assurance.aal,
      userAgent: origin.userAgent?.slice(0, 512) ?? null,
      ip: origin.ip?.slice(0, 64) ?? null,
      revokedAt: null,
      revokedReason: null,
    };
    const refreshToken = newRefreshToken();
    const inserts = [
      this.db.insert(sessions).values(session),
      this.db.insert(refreshTokens).values({ sessionId: session.id, tokenHash: hashToken(refreshToken), createdAt: now }),
    ];
    return { session, refreshToken, inserts };
  }

  /**
   * Rotates a refresh token. The reuse verdict is committed even though the
   * caller answers with an error: a replayed token must end its session.
   */
  async refresh(token: string): Promise<RefreshResult> {
    if (token.length === 0 || token.length > 200) return { outcome: 'invalid' };
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const [found] = await tx
        .select({ token: refreshTokens, session: sessions, user: users })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(refreshTokens.tokenHash, hashToken(token)))
        .for('update', { of: [refreshTokens, sessions] });
      if (!found) return { outcome: 'invalid' as const };
      const { session, user } = found;
      if (session.revokedAt || session.expiresAt <= now || !user.isActive) return { outcome: 'invalid' as const };
      if (this.absoluteEnd(session.createdAt) <= now) return { outcome: 'invalid' as const };

      const usedAt = found.token.usedAt;
      if (usedAt && now.getTime() - usedAt.getTime() > REFRESH_GRACE_SECONDS * 1000) {
        const [revoked] = await tx
          .update(sessions)
          .set({ revokedAt: now, revokedReason: 'refresh_reuse' })
          .where(eq(sessions.id, session.id))
          .returning();
        this.onSessionsChanged([session.id]);
        return { outcome: 'reuse-detected' as const, user, session: revoked as SessionRow };
      }
      if (!usedAt) await tx.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, found.token.id));
      const [updated] = await tx
        .update(sessions)
        .set({ lastUsedAt: now, expiresAt: this.expiryFrom(now, session.createdAt) })
        .where(eq(sessions.id, session.id))
        .returning();
      const refreshToken = await this.issueSuccessor(tx, session.id, token);
      return { outcome: 'ok' as const, user, session: updated as SessionRow, refreshToken };
    });
  }

  /** What an access token's check needs to know of its session; `null` if it does not exist. */
  async state(sessionId: string): Promise<SessionState | null> {
    const [row] = await this.db
      .select({ userId: sessions.userId, expiresAt: sessions.expiresAt, revokedAt: sessions.revokedAt })
      .from(sessions)
      .where(eq(sessions.id, sessionId));
    return row ?? null;
  }

  /** When the session last proved its user's password; `null` if there is no such session. */
  async authenticatedAt(sessionId: string): Promise<Date | null> {
    const [row] = await this.db.select({ at: sessions.authenticatedAt }).from(sessions).where(eq(sessions.id, sessionId));
    return row?.at ?? null;
  }

  /** A user's sessions that can still be used, newest first. */
  async listActive(userId: string): Promise<SessionRow[]> {
    return this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, this.clock.now())))
      .orderBy(desc(sessions.createdAt), desc(sessions.id));
  }

  /** Revokes one of the user's active sessions; returns whether there was one. */
  async revoke(tx: Executor, userId: string, sessionId: string, reason: RevokeReason): Promise<boolean> {
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    this.onSessionsChanged(revoked.map((row) => row.id));
    return revoked.length > 0;
  }

  /** Revokes every active session of the user but `keep` (if given); returns how many. */
  async revokeAll(tx: Executor, userId: string, reason: RevokeReason, keep?: string): Promise<number> {
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), keep ? ne(sessions.id, keep) : undefined))
      .returning({ id: sessions.id });
    this.onSessionsChanged(revoked.map((row) => row.id));
    return revoked.length;
  }

  /** Deletes sessions that ended before `before`. */
  async purge(before: Date): Promise<void> {
    await this.db.delete(sessions).where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)));
  }

  /**
   * The successor of `presented`: the same token each time it is asked for (a use
   * within the grace window finds it already stored and returns it again).
   */
  private async issueSuccessor(tx: Executor, sessionId: string, presented: string): Promise<string> {
    const token = createHmac('sha256', this.successorKey).update(presented).digest('base64url');
    await tx
      .insert(refreshTokens)
      .values({ sessionId, tokenHash: hashToken(token), createdAt: this.clock.now() })
      .onConflictDoNothing({ target: refreshTokens.tokenHash });
    return token;
  }

  /** REFRESH_TOKEN_EXPIRE_DAYS from now, but never past the session's absolute end. */
  private expiryFrom(now: Date, createdAt: Date): Date {
    const sliding = now.getTime() + this.lifetimeDays * 86_400_000;
    return new Date(Math.min(sliding, this.absoluteEnd(createdAt).getTime()));
  }

  private absoluteEnd(createdAt: Date): Date {
    return new Date(createdAt.getTime() + this.maxDays * 86_400_000);
  }
}
