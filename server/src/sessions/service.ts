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
import { and, desc, eq, gt, isNull, lt, ne, or } from 'drizzle-orm';
import { Batcher, type GroupCommitOptions } from '../db/batcher.js';
import type { Database, Executor } from '../db/client.js';
import { type PendingRow, pendingRow } from '../db/pending-row.js';
import { refreshTokens, type SessionRow, sessions, type UserRow } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';
import { type PresentedToken, type RefreshedSession, type RefreshVerdict, refreshTogether } from './refresh-statement.js';
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
  | { outcome: 'ok'; user: Pick<UserRow, 'id' | 'isSuperuser'>; session: RefreshedSession; refreshToken: string }
  /** `user`: whose session a known token belonged to (revoked, expired, or the user inactive); `null` for an unknown token. */
  | { outcome: 'invalid'; user: Pick<UserRow, 'id'> | null }
  | { outcome: 'reuse-detected'; user: Pick<UserRow, 'id'>; session: Pick<SessionRow, 'id'> };

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
  /** How concurrent refreshes share a statement (default: those of the same event-loop turn). */
  groupCommit?: GroupCommitOptions;
}

export class SessionsService {
  /** Called with the ids of sessions this process just changed, so its own cache forgets them at once. */
  onSessionsChanged: (ids: string[]) => void = () => {};

  /** Runs in the transaction of every revokeAll (the webhook event); set once after construction. */
  onRevokedAll: (tx: Executor, userId: string, reason: RevokeReason, ended: number) => Promise<void> = async () => {};
  private readonly maxDays: number;
  private readonly successorKey: Buffer;
  private readonly refreshes: Batcher<PresentedToken, RefreshVerdict>;

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
    this.refreshes = new Batcher(
      (presented) =>
        refreshTogether(this.db, presented, {
          now: this.clock.now(),
          graceSeconds: REFRESH_GRACE_SECONDS,
          lifetimeSeconds: this.lifetimeDays * 86_400,
          maxSeconds: this.maxDays * 86_400,
        }),
      limits.groupCommit ?? { windowMs: 0 },
    );
  }

  /**
   * A new session for a login, not yet written: its session and refresh-token rows
   * come back as rows to insert, so the login writes them in one statement with its audit
   * event, and with other logins' rows (see group-commit.ts).
   */
  open(
    userId: string,
    origin: SessionOrigin,
    assurance: SessionAssurance = PASSWORD_ONLY,
  ): NewSession & { inserts: PendingRow[] } {
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
      activeOrgId: null,
    };
    const refreshToken = newRefreshToken();
    const inserts = [
      pendingRow(this.db, sessions, session),
      pendingRow(this.db, refreshTokens, { sessionId: session.id, tokenHash: hashToken(refreshToken), createdAt: now }),
    ];
    return { session, refreshToken, inserts };
  }

  /**
   * Rotates a refresh token, in one statement shared with the refreshes that arrive
   * together (refresh-statement.ts); answers once that statement has committed. The
   * reuse verdict is committed even though the caller answers with an error: a
   * replayed token must end its session.
   */
  async refresh(token: string): Promise<RefreshResult> {
    if (token.length === 0 || token.length > 200) return { outcome: 'invalid', user: null };
    const successor = this.successorOf(token);
    const verdict = await this.refreshes.submit({ tokenHash: hashToken(token), successorHash: hashToken(successor) });
    switch (verdict.outcome) {
      case 'invalid':
        return { outcome: 'invalid', user: verdict.userId === null ? null : { id: verdict.userId } };
      case 'reuse-detected':
        this.onSessionsChanged([verdict.sessionId]);
        return { outcome: 'reuse-detected', user: { id: verdict.userId }, session: { id: verdict.sessionId } };
      case 'ok':
        return {
          outcome: 'ok',
          user: { id: verdict.session.userId, isSuperuser: verdict.isSuperuser },
          session: verdict.session,
          refreshToken: successor,
        };
    }
  }

  /**
   * The session now asks for `activeOrgId` (or none) in its tokens, and gets a new refresh
   * token: the ones it had are spent (used after the grace window, they end the session, as
   * any replay does), so the session stays one chain. `null` if it no longer counts.
   */
  async reissue(sessionId: string, activeOrgId: string | null): Promise<{ session: SessionRow; refreshToken: string } | null> {
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      // Tokens before their session, the order a refresh locks them in (refresh-statement.ts):
      // the other order lets a switch and a refresh of the same session deadlock.
      await tx
        .select({ id: refreshTokens.id })
        .from(refreshTokens)
        .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.usedAt)))
        .orderBy(refreshTokens.id)
        .for('update');
      const [session] = await tx
        .update(sessions)
        .set({ activeOrgId })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
        .returning();
      if (!session) return null;
      await tx
        .update(refreshTokens)
        .set({ usedAt: now })
        .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.usedAt)));
      const refreshToken = newRefreshToken();
      await tx.insert(refreshTokens).values({ sessionId, tokenHash: hashToken(refreshToken), createdAt: now });
      return { session, refreshToken };
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
    await this.onRevokedAll(tx, userId, reason, revoked.length);
    this.onSessionsChanged(revoked.map((row) => row.id));
    return revoked.length;
  }

  /** Deletes sessions that ended before `before`. */
  async purge(before: Date): Promise<void> {
    await this.db.delete(sessions).where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)));
  }

  /**
   * The successor of `presented`: the same token each time it is asked for (a use
   * within the grace window finds it already stored and is answered it again).
   */
  private successorOf(presented: string): string {
    return createHmac('sha256', this.successorKey).update(presented).digest('base64url');
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
