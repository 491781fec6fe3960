/**
 * Re-authentication: the caller proves again that they are the account's owner before a
 * change that could take the account over (its email, its password, a way in added or
 * removed). The proofs are the current password, a recent sign-in (RecentSignIn) and,
 * with MFA on, a second-factor code. Each route decides which proofs its change needs;
 * the checks, and the `reauth.failed` / `mfa.challenge_failed` record of every refusal,
 * are here once. The lockout counts the wrong answers separately (security/hooks.ts).
 */
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import type { Database } from '../db/client.js';
import type { UserRow } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { MfaService } from '../mfa/service.js';
import type { RecentSignIn } from '../users/recent-sign-in.js';
import type { UsersService } from '../users/service.js';

export type ReauthAction =
  | 'email_change'
  | 'password_change'
  | 'passkey_registration'
  | 'passkey_removal'
  | 'identity_link'
  | 'mfa_change';

export class Reauthentication {
  constructor(
    private readonly deps: {
      db: Database;
      audit: AuditLog;
      users: Pick<UsersService, 'passwordMatches'>;
      mfa: Pick<MfaService, 'verifyCode' | 'recordFailure'>;
      recentSignIn: RecentSignIn;
    },
  ) {}

  /** Whether the session signed in (not refreshed) within REAUTH_WINDOW_MINUTES. */
  isRecent(sessionId: string): Promise<boolean> {
    return this.deps.recentSignIn.isRecent(sessionId);
  }

  /** Records a refused re-authentication. */
  async refused(origin: RequestOrigin, userId: string, action: ReauthAction, reason: 'wrong_password' | 'not_recent') {
    await this.deps.audit.record(this.deps.db, origin, { type: 'reauth.failed', targetId: userId, details: { action, reason } });
  }

  /** The current password; a wrong one is recorded and answered `400 Incorrect password`. */
  async requirePassword(me: UserRow, password: string, origin: RequestOrigin, action: ReauthAction): Promise<void> {
    if (await this.deps.users.passwordMatches(me, password)) return;
    await this.refused(origin, me.id, action, 'wrong_password');
    throw new HttpError(400, Messages.incorrectPassword);
  }

  /** A second-factor code (TOTP or recovery); a wrong one is recorded and answered `400`. */
  async requireCode(me: UserRow, code: string, origin: RequestOrigin): Promise<void> {
    const { db, mfa } = this.deps;
    if (await db.transaction((tx) => mfa.verifyCode(tx, me, code, origin))) return;
    await mfa.recordFailure(db, me.id, origin, 'step_up');
    throw new HttpError(400, Messages.invalidMfaCode);
  }
}
