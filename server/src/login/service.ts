/**
 * The one door into an account. Every way in (a password, the second-factor step,
 * a passkey, a social provider) proves who the user is in its own route and then
 * asks `admit`: may this user have a session now? The rules live here, once
 * (active, verified when required; the second factor and what follows join them
 * here), so a rule added to the door holds on every path at once. `admit` also
 * opens the session and writes the audit event in the same statement, so no
 * session exists without its record; concurrent sign-ins share that statement
 * (db/group-commit.ts), and each is answered only once it has committed.
 */
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { GroupCommit } from '../db/group-commit.js';
import type { UserRow } from '../db/schema.js';
import { Messages } from '../errors.js';
import type { SessionsService } from '../sessions/service.js';
import type { LoginResult, UsersService } from '../users/service.js';
import { isUserGone } from '../users/user-gone.js';

/** How the user proved who they are. */
export interface SignInProof {
  /** For the audit log: `password`, and later `mfa`, `passkey`, `oauth:<provider>`. */
  method: string;
  /**
   * What was proved, as RFC 8176 authentication method references: `["pwd"]` for a password,
   * `["pwd","otp"]` after a TOTP step, `["hwk","user"]` for a passkey with user verification,
   * `["fed"]` for a social provider. The door decides from them whether a second factor is
   * still owed (the multi-factor issue); tokens and sessions carry them.
   */
  amr: string[];
}

/** Why a sign-in was refused: the reason for the audit log, the detail for the answer. */
export interface Refusal {
  reason: 'wrong_password' | 'unknown_email' | 'inactive' | 'unverified' | 'user_gone';
  /** The answer, as the contract words it. */
  detail: string;
  targetId: string | null;
}

/** A session just opened: what the route needs to answer with tokens. */
export interface SessionGrant {
  userId: string;
  sessionId: string;
  refreshToken: string;
  sessionExpiresAt: Date;
}

export type Admission = { outcome: 'signed-in'; user: UserRow; grant: SessionGrant } | { outcome: 'refused'; refusal: Refusal };

const PASSWORD_PROOF: SignInProof = { method: 'password', amr: ['pwd'] };

export class LoginService {
  constructor(
    private readonly deps: {
      db: Database;
      config: Config;
      users: UsersService;
      sessions: SessionsService;
      audit: AuditLog;
      /** Writes each sign-in's rows together with concurrent sign-ins' (one statement, one commit). */
      writes: GroupCommit;
    },
  ) {}

  /** A password login: checks the password (off the event loop), then the door. */
  async withPassword(email: string, password: string, origin: RequestOrigin): Promise<Admission> {
    const result = await this.deps.users.authenticate(email, password);
    const refusal = passwordRefusal(result);
    if (refusal) return this.refuse(refusal, origin, PASSWORD_PROOF);
    return this.admit((result as { user: UserRow }).user, PASSWORD_PROOF, origin);
  }

  /**
   * The door. `user` has proved who they are by `proof`; the rules decide whether
   * they may have a session now, and if so it is opened and audited.
   */
  async admit(user: UserRow, proof: SignInProof, origin: RequestOrigin): Promise<Admission> {
    const refusal = this.accountRefusal(user);
    if (refusal) return this.refuse(refusal, origin, proof);
    const started = this.deps.sessions.open(user.id, origin);
    const loggedIn = this.deps.audit.insertion(
      { ...origin, actorId: user.id },
      { type: 'login.succeeded', targetId: user.id, details: { session_id: started.session.id, method: proof.method } },
    );
    try {
      await this.deps.writes.write([...started.inserts, loggedIn]);
    } catch (error) {
      // The account was deleted while its proof was being checked: it no longer exists to sign in to.
      if (isUserGone(error)) {
        return { outcome: 'refused', refusal: { reason: 'user_gone', detail: Messages.incorrectLogin, targetId: null } };
      }
      throw error;
    }
    const grant = {
      userId: user.id,
      sessionId: started.session.id,
      refreshToken: started.refreshToken,
      sessionExpiresAt: started.session.expiresAt,
    };
    return { outcome: 'signed-in', user, grant };
  }

  /** The rules every path shares, whatever proved the user's identity. */
  private accountRefusal(user: UserRow): Refusal | null {
    if (!user.isActive) return { reason: 'inactive', detail: Messages.inactiveUser, targetId: user.id };
    if (this.deps.config.requireVerifiedLogin && !user.isVerified) {
      return { reason: 'unverified', detail: Messages.emailNotVerified, targetId: user.id };
    }
    return null;
  }

  private async refuse(refusal: Refusal, origin: RequestOrigin, proof: SignInProof): Promise<Admission> {
    // The reason stays in the audit log; the answer is the contract's.
    await this.deps.audit.record(this.deps.db, origin, {
      type: 'login.failed',
      targetId: refusal.targetId,
      details: { reason: refusal.reason, method: proof.method },
    });
    return { outcome: 'refused', refusal };
  }
}

/** A password check's refusal, before the door's own rules. */
function passwordRefusal(result: LoginResult): Refusal | null {
  switch (result.outcome) {
    case 'bad-credentials':
      return {
        reason: result.userId ? 'wrong_password' : 'unknown_email',
        detail: Messages.incorrectLogin,
        targetId: result.userId,
      };
    case 'inactive':
      return { reason: 'inactive', detail: Messages.inactiveUser, targetId: result.user.id };
    case 'ok':
      return null;
  }
}
