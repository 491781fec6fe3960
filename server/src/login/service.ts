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

import { eq } from 'drizzle-orm';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import type { Config } from '../config.js';
import type { Database, Executor } from '../db/client.js';
import type { GroupCommit } from '../db/group-commit.js';
import { type MfaTokenPurpose, type UserRow, users } from '../db/schema.js';
import { Messages } from '../errors.js';
import type { FirstFactor, MfaTokens } from '../mfa/mfa-tokens.js';
import type { RememberedDevices } from '../mfa/remembered-devices.js';
import type { CodeKind, MfaService, TotpEnrolment } from '../mfa/service.js';
import type { AuthenticationResponseJSON } from '../passkeys/ceremonies.js';
import { PASSKEY_AMR, PasskeyRefused, type PasskeyService } from '../passkeys/service.js';
import type { TokenRoles } from '../roles/token-roles.js';
import type { SessionsService } from '../sessions/service.js';
import type { TokenGrant } from '../sessions/token-response.js';
import type { LoginResult, UsersService } from '../users/service.js';
import { isUserGone } from '../users/user-gone.js';
import { assuranceLevel, hasSecondFactor, joinAmr } from './assurance.js';

/** How the user proved who they are. */
export interface SignInProof {
  /** For the audit log: `password`, `password+totp`, `password+recovery_code`, and later `passkey`, `oauth:<provider>`. */
  method: string;
  /**
   * What was proved, as RFC 8176 authentication method references: `["pwd"]` for a password,
   * `["pwd","otp"]` after a TOTP step, `["hwk","user"]` for a passkey with user verification,
   * `["fed"]` for a social provider. The door decides from them whether a second factor is
   * still owed (see assurance.ts); tokens and sessions carry them.
   */
  amr: string[];
}

/** What else the request brought that the door weighs. */
export interface AdmitOptions {
  /** The remembered-device cookie the browser sent, if any: a remembered browser skips the second step. */
  rememberedDevice?: string | null;
}

/** Why a sign-in was refused: the reason for the audit log, the detail for the answer. */
export interface Refusal {
  reason: 'wrong_password' | 'unknown_email' | 'inactive' | 'unverified' | 'user_gone';
  /** The answer, as the contract words it. */
  detail: string;
  targetId: string | null;
}

/** A session just opened: what the route needs to answer with tokens. */
export type SessionGrant = TokenGrant;

export type Admission =
  | { outcome: 'signed-in'; user: UserRow; grant: SessionGrant }
  /** The user has a second factor and this proof did not include it: no session, a token for the second step. */
  | { outcome: 'second-factor-required'; user: UserRow; mfaToken: string; methods: string[] }
  /** MFA_REQUIRED applies and the user has no second factor: no session, a token that only serves the enrolment. */
  | { outcome: 'setup-required'; user: UserRow; mfaToken: string }
  | { outcome: 'refused'; refusal: Refusal };

/** The second step's outcome, before the door: its token is unknown (or spent, expired, burnt) or its code wrong. */
export type StepResult =
  | Admission
  | { outcome: 'invalid-mfa-token' }
  | { outcome: 'wrong-code' }
  /** A setup token presented when the user has TOTP on already (enrolled meanwhile). */
  | { outcome: 'already-enrolled' };

const PASSWORD_PROOF: SignInProof = { method: 'password', amr: ['pwd'] };
/** A passkey with user verification: something one has and something one knows or is, in one step. */
const PASSKEY_PROOF: SignInProof = { method: 'passkey', amr: PASSKEY_AMR };

/** What each second factor adds to a proof. */
const SECOND_FACTOR_PROOF: Record<CodeKind, SignInProof> = {
  totp: { method: 'totp', amr: ['otp'] },
  recovery_code: { method: 'recovery_code', amr: ['otp'] },
};

export class LoginService {
  constructor(
    private readonly deps: {
      db: Database;
      config: Config;
      users: UsersService;
      sessions: SessionsService;
      audit: AuditLog;
      mfa: MfaService;
      mfaTokens: MfaTokens;
      devices: RememberedDevices;
      /** The role names an access token carries (from the notified user cache: no read per sign-in). */
      tokenRoles: TokenRoles;
      /** Writes each sign-in's rows together with concurrent sign-ins' (one statement, one commit). */
      writes: GroupCommit;
      passkeys: PasskeyService;
    },
  ) {}

  /** A password login: checks the password (off the event loop), then the door. */
  async withPassword(email: string, password: string, origin: RequestOrigin, options: AdmitOptions = {}): Promise<Admission> {
    const result = await this.deps.users.authenticate(email, password);
    const refusal = passwordRefusal(result);
    if (refusal) return this.refuse(refusal, origin, PASSWORD_PROOF);
    return this.admit((result as { user: UserRow }).user, PASSWORD_PROOF, origin, options);
  }

  /** A sign-in with a passkey alone: the passkey names and verifies its user, then the door. Throws PasskeyRefused. */
  async withPasskey(challengeId: string, response: AuthenticationResponseJSON, origin: RequestOrigin): Promise<Admission> {
    const user = await this.deps.passkeys.verifySignIn(challengeId, response, origin);
    return this.admit(user, PASSKEY_PROOF, origin);
  }

  /**
   * The door. `user` has proved who they are by `proof`; the rules decide whether
   * they may have a session now, and if so it is opened and audited.
   */
  async admit(user: UserRow, proof: SignInProof, origin: RequestOrigin, options: AdmitOptions = {}): Promise<Admission> {
    const refusal = this.accountRefusal(user);
    if (refusal) return this.refuse(refusal, origin, proof);
    let rememberedDevice: string | null = null;
    if (!hasSecondFactor(proof.amr)) {
      if (user.mfaEnabled) {
        rememberedDevice = await this.deps.devices.recognise(this.deps.db, user.id, options.rememberedDevice);
        if (!rememberedDevice) {
          const { db, mfa, mfaTokens } = this.deps;
          const mfaToken = await mfaTokens.issue(db, user.id, 'challenge', proof).catch(refuseIfGone);
          if (mfaToken === null) return this.userGone();
          return { outcome: 'second-factor-required', user, mfaToken, methods: await mfa.methods(db, user.id) };
        }
      } else if (this.mfaRequiredFor(user)) {
        const mfaToken = await this.deps.mfaTokens.issue(this.deps.db, user.id, 'setup', proof).catch(refuseIfGone);
        if (mfaToken === null) return this.userGone();
        return { outcome: 'setup-required', user, mfaToken };
      }
    }
    const assurance = { amr: proof.amr, aal: assuranceLevel(proof.amr) };
    const started = this.deps.sessions.open(user.id, origin, assurance);
    const loggedIn = this.deps.audit.insertion(
      { ...origin, actorId: user.id },
      {
        type: 'login.succeeded',
        targetId: user.id,
        details: {
          session_id: started.session.id,
          method: proof.method,
          aal: assurance.aal,
          ...(rememberedDevice && { remembered_device: rememberedDevice }),
        },
      },
    );
    try {
      await this.deps.writes.write([...started.inserts, loggedIn]);
    } catch (error) {
      // The account was deleted while its proof was being checked: it no longer exists to sign in to.
      if (isUserGone(error)) return this.userGone();
      throw error;
    }
    const grant = {
      userId: user.id,
      sessionId: started.session.id,
      refreshToken: started.refreshToken,
      sessionExpiresAt: started.session.expiresAt,
      ...assurance,
      roles: await this.deps.tokenRoles(user),
    };
    return { outcome: 'signed-in', user, grant };
  }

  /**
   * The second step: `code` (a TOTP code or a recovery code) for the sign-in `mfaToken`
   * stands for. A right code spends the token and goes through the door with both proofs;
   * a wrong one counts against the token (MFA_TOKEN_MAX_FAILURES burn it). With
   * `rememberDevice`, a session also remembers the browser: `device` is its cookie.
   */
  async withSecondFactor(
    mfaToken: string,
    code: string,
    origin: RequestOrigin,
    rememberDevice = false,
  ): Promise<StepResult & { device?: { token: string; expiresAt: Date } }> {
    const { db, mfa, mfaTokens } = this.deps;
    const checked = await db.transaction(async (tx) => {
      const held = await this.heldToken(tx, mfaToken, 'challenge');
      if (!held) return { outcome: 'invalid-mfa-token' as const };
      const { token, user } = held;
      const kind = await mfa.verifyCode(tx, user, code, origin);
      if (!kind) return this.wrongCode(tx, token.id, user.id, origin, 'login');
      if (!(await mfaTokens.spend(tx, token.id))) return { outcome: 'invalid-mfa-token' as const };
      await this.deps.audit.record(
        tx,
        { ...origin, actorId: user.id },
        {
          type: 'mfa.succeeded',
          targetId: user.id,
          details: { method: kind },
        },
      );
      return { outcome: 'passed' as const, user, first: token as FirstFactor, kind };
    });
    if (checked.outcome !== 'passed') return checked;
    return this.afterSecondFactor(
      checked.user,
      withSecond(checked.first, SECOND_FACTOR_PROOF[checked.kind]),
      origin,
      rememberDevice,
    );
  }

  /**
   * The second step with a passkey: request options for the passkeys of the user `mfaToken`
   * stands for; `null` for a token that is not live. Throws PasskeyRefused when the user has none.
   */
  async passkeyStepOptions(mfaToken: string) {
    const { db, mfaTokens } = this.deps;
    const token = await mfaTokens.find(db, mfaToken, 'challenge');
    const user = token && (await userById(db, token.userId));
    if (!token || !user) return null;
    return this.deps.passkeys.secondFactorOptions(user);
  }

  /**
   * The second step with a passkey's answer (to the options of `passkeyStepOptions`). A refused
   * passkey counts against the token as a wrong code does, and is thrown as PasskeyRefused.
   */
  async withPasskeySecondFactor(
    mfaToken: string,
    response: AuthenticationResponseJSON,
    origin: RequestOrigin,
    rememberDevice = false,
  ): Promise<StepResult & { device?: { token: string; expiresAt: Date } }> {
    const { db, mfa, mfaTokens } = this.deps;
    const token = await mfaTokens.find(db, mfaToken, 'challenge');
    const user = token && (await userById(db, token.userId));
    if (!token || !user) return { outcome: 'invalid-mfa-token' };
    try {
      // Outside a transaction: the ceremony writes (the challenge, the counter) on its own.
      await this.deps.passkeys.verifySecondFactor(user, response, origin);
    } catch (error) {
      if (error instanceof PasskeyRefused) {
        await db.transaction(async (tx) => {
          await mfaTokens.recordFailure(tx, token.id);
          await mfa.recordFailure(tx, user.id, origin, 'login');
        });
      }
      throw error;
    }
    const spent = await db.transaction(async (tx) => {
      if (!(await mfaTokens.spend(tx, token.id))) return false;
      await this.deps.audit.record(
        tx,
        { ...origin, actorId: user.id },
        { type: 'mfa.succeeded', targetId: user.id, details: { method: 'passkey' } },
      );
      return true;
    });
    if (!spent) return { outcome: 'invalid-mfa-token' };
    return this.afterSecondFactor(user, withSecond(token as FirstFactor, PASSKEY_PROOF), origin, rememberDevice);
  }

  /** Both factors proved: the door, and with `rememberDevice` a remembered browser. */
  private async afterSecondFactor(
    user: UserRow,
    proof: SignInProof,
    origin: RequestOrigin,
    rememberDevice: boolean,
  ): Promise<Admission & { device?: { token: string; expiresAt: Date } }> {
    const admission = await this.admit(user, proof, origin);
    if (admission.outcome !== 'signed-in' || !rememberDevice || !this.deps.devices.enabled) return admission;
    const device = await this.deps.db.transaction(async (tx) => {
      const remembered = await this.deps.devices.remember(tx, user.id, origin);
      await this.deps.audit.record(
        tx,
        { ...origin, actorId: user.id },
        {
          type: 'mfa.device_remembered',
          targetId: user.id,
          details: { device_id: remembered.id, days: this.deps.devices.days },
        },
      );
      return remembered;
    });
    return { ...admission, device };
  }

  /** MFA_REQUIRED's enrolment, first half: a new pending TOTP for the user the setup token stands for. */
  async startRequiredEnrolment(mfaToken: string): Promise<{ outcome: 'enrolment'; enrolment: TotpEnrolment } | StepResult> {
    const { db, mfa } = this.deps;
    return db.transaction(async (tx) => {
      const held = await this.heldToken(tx, mfaToken, 'setup');
      if (!held) return { outcome: 'invalid-mfa-token' as const };
      const enrolment = await mfa.startTotp(held.user, tx);
      if (!enrolment) return { outcome: 'already-enrolled' as const };
      return { outcome: 'enrolment' as const, enrolment };
    });
  }

  /**
   * MFA_REQUIRED's enrolment, second half: a code from the new authenticator turns it on
   * and, the second factor thereby passed, the door opens a session. Answers the
   * admission and the new recovery codes.
   */
  async confirmRequiredEnrolment(
    mfaToken: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<StepResult | { outcome: 'enrolled'; grant: SessionGrant; recoveryCodes: string[] }> {
    const { db, mfa, mfaTokens } = this.deps;
    const checked = await db.transaction(async (tx) => {
      const held = await this.heldToken(tx, mfaToken, 'setup');
      if (!held) return { outcome: 'invalid-mfa-token' as const };
      const { token, user } = held;
      const recoveryCodes = await mfa.confirmTotp(user, code, origin, tx);
      if (!recoveryCodes) return this.wrongCode(tx, token.id, user.id, origin, 'enrolment');
      if (!(await mfaTokens.spend(tx, token.id))) return { outcome: 'invalid-mfa-token' as const };
      return { outcome: 'passed' as const, user: { ...user, mfaEnabled: true }, first: token as FirstFactor, recoveryCodes };
    });
    if (checked.outcome !== 'passed') return checked;
    const admission = await this.admit(checked.user, withSecond(checked.first, SECOND_FACTOR_PROOF.totp), origin);
    if (admission.outcome !== 'signed-in') return admission;
    return { outcome: 'enrolled', grant: admission.grant, recoveryCodes: checked.recoveryCodes };
  }

  /** The live token of that purpose, locked for the step, and its user; `null` for anything else. */
  private async heldToken(tx: Executor, mfaToken: string, purpose: MfaTokenPurpose) {
    const token = await this.deps.mfaTokens.find(tx, mfaToken, purpose, true);
    const user = token && (await userById(tx, token.userId));
    return token && user ? { token, user } : null;
  }

  /** A wrong code: counted against the token (the last allowed burns it) and audited. */
  private async wrongCode(tx: Executor, tokenId: string, userId: string, origin: RequestOrigin, stage: 'login' | 'enrolment') {
    await this.deps.mfaTokens.recordFailure(tx, tokenId);
    await this.deps.mfa.recordFailure(tx, userId, origin, stage);
    return { outcome: 'wrong-code' as const };
  }

  /** MFA_REQUIRED: whether this user must have a second factor to sign in. */
  private mfaRequiredFor(user: UserRow): boolean {
    const required = this.deps.config.mfaRequired;
    return required === 'all' || (required === 'superusers' && user.isSuperuser);
  }

  /** The rules every path shares, whatever proved the user's identity. */
  private accountRefusal(user: UserRow): Refusal | null {
    if (!user.isActive) return { reason: 'inactive', detail: Messages.inactiveUser, targetId: user.id };
    if (this.deps.config.requireVerifiedLogin && !user.isVerified) {
      return { reason: 'unverified', detail: Messages.emailNotVerified, targetId: user.id };
    }
    return null;
  }

  private userGone(): Admission {
    return { outcome: 'refused', refusal: { reason: 'user_gone', detail: Messages.incorrectLogin, targetId: null } };
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

/** The user, read in the step's transaction (PGlite has one connection: a read beside it would wait for it). */
async function userById(tx: Executor, id: string): Promise<UserRow | null> {
  const [user] = await tx.select().from(users).where(eq(users.id, id));
  return user ?? null;
}

/** The first factor's proof with the second's joined to it. */
function withSecond(first: FirstFactor, second: SignInProof): SignInProof {
  return { method: `${first.method}+${second.method}`, amr: joinAmr(first.amr, second.amr) };
}

/** An insert for a user deleted meanwhile: `null` (the door answers as if there were no account). */
function refuseIfGone(error: unknown): null {
  if (isUserGone(error)) return null;
  throw error;
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
