/**
 * Sessions: one per login, each with a chain of rotating refresh tokens (only
 * their SHA-256 is stored). Presenting a refresh token that was already used
 * revokes the whole session (someone replayed a stolen token), except within a
 * short grace window, so two tabs refreshing at once don't sign the user out.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
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
  | 'email_restored';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newRefreshToken = () => randomBytes(32).toString('base64url');

export class SessionsService {
  /** Called with the ids of sessions this process just changed, so its own cache forgets them at once. */
  onSessionsChanged: (ids: string[]) => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly lifetimeDays: number,
  ) {}

  /**
   * A new session for a login, not yet written: its session and refresh-token rows
   * come back as INSERTs, so the login writes them in one statement with its audit
   * event (see insertTogether).
   */
  open(userId: string, origin: SessionOrigin): NewSession & { inserts: SQLWrapper[] } {
    const now = this.clock.now();
    const session: SessionRow = {
      id: randomUUID(),
      userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: this.expiryFrom(now),
      // Every session is opened by a password login today.
      authenticatedAt: now,
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
        .set({ lastUsedAt: now, expiresAt: this.expiryFrom(now) })
        .where(eq(sessions.id, session.id))
        .returning();
      const refreshToken = await this.issueRefreshToken(tx, session.id);
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

  private async issueRefreshToken(tx: Executor, sessionId: string): Promise<string> {
    const token = newRefreshToken();
    await tx.insert(refreshTokens).values({ sessionId, tokenHash: hashToken(token), createdAt: this.clock.now() });
    return token;
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.lifetimeDays * 86_400_000);
  }
}
