/**
 * A user's second factors: enrolling and removing TOTP, recovery codes, checking a
 * code, and an administrator's reset. Every change writes its audit event and the
 * owner's email in its own transaction, and keeps `user.mfa_enabled` in step with
 * the factors, so the login door reads one column.
 *
 * Second factors are a list (`SecondFactor`): TOTP and recovery codes here; the
 * passkey work adds its own. Whether MFA is on, and the `methods` a login offers,
 * come from that list.
 */
import { and, count, eq, isNotNull, isNull } from 'drizzle-orm';
import QRCode from 'qrcode';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import type { Database, Executor } from '../db/client.js';
import { mfaRecoveryCodes, mfaTotp, type UserRow, users } from '../db/schema.js';
import type { SessionsService } from '../sessions/service.js';
import type { AccountEmails } from '../users/account-emails.js';
import type { Clock } from '../utils/clock.js';
import type { MfaTokens } from './mfa-tokens.js';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import type { RememberedDevices } from './remembered-devices.js';
import { removeEveryFactor } from './reset.js';
import type { SecretBox } from './secret-box.js';
import { acceptedStep, newTotpSecret, normalizeTotpCode, totpUri } from './totp.js';

/** A kind of second factor: its name in a login's `methods`, and whether a user has one. */
export interface SecondFactor {
  name: string;
  /** Whether it counts towards `mfa_enabled` (recovery codes only back the others up). */
  enablesMfa: boolean;
  enrolled(tx: Executor, userId: string): Promise<boolean>;
}

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

export interface MfaStatus {
  totp: boolean;
  recoveryCodesLeft: number;
  passkeys: number;
}

/** Which factor a code proved. */
export type CodeKind = 'totp' | 'recovery_code';

/**
 * The seam for the passkey work: how many passkeys the user has. None yet; the passkey
 * module replaces it (and adds its SecondFactor) when it lands.
 */
export type PasskeyCounter = (tx: Executor, userId: string) => Promise<number>;
const noPasskeys: PasskeyCounter = async () => 0;

export class MfaService {
  readonly factors: SecondFactor[];
  countPasskeys: PasskeyCounter = noPasskeys;

  constructor(
    private readonly deps: {
      db: Database;
      clock: Clock;
      box: SecretBox;
      tokens: MfaTokens;
      devices: RememberedDevices;
      sessions: SessionsService;
      audit: AuditLog;
      emails: AccountEmails;
      /** PROJECT_NAME: the issuer an authenticator app shows. */
      issuer: string;
      /** Called with a user whose row changed here (mfa_enabled), so this process's cache forgets it at once. */
      onUserChanged: (id: string) => void;
    },
  ) {
    this.factors = [
      { name: 'totp', enablesMfa: true, enrolled: async (tx, userId) => (await this.confirmedTotp(tx, userId)) !== null },
      {
        name: 'recovery_code',
        enablesMfa: false,
        enrolled: async (tx, userId) => (await this.recoveryCodesLeft(tx, userId)) > 0,
      },
    ];
  }

  async status(userId: string): Promise<MfaStatus> {
    const { db } = this.deps;
    const [totp, recoveryCodesLeft, passkeys] = await Promise.all([
      this.confirmedTotp(db, userId),
      this.recoveryCodesLeft(db, userId),
      this.countPasskeys(db, userId),
    ]);
    return { totp: totp !== null, recoveryCodesLeft, passkeys };
  }

  /** The second factors a login may ask this user for, in the order a client should offer them. */
  async methods(tx: Executor, userId: string): Promise<string[]> {
    const enrolled = await Promise.all(this.factors.map((factor) => factor.enrolled(tx, userId)));
    return this.factors.filter((_, i) => enrolled[i]).map((factor) => factor.name);
  }

  /**
   * Starts (or restarts) a TOTP enrolment: a new secret, pending until confirmed with a
   * code. `null` if the user already has TOTP on (turn it off first).
   */
  async startTotp(user: UserRow, tx: Executor = this.deps.db): Promise<TotpEnrolment | null> {
    if (await this.confirmedTotp(tx, user.id)) return null;
    const secret = newTotpSecret();
    const secretEncrypted = this.deps.box.seal(secret, user.id);
    const now = this.deps.clock.now();
    await tx
      .insert(mfaTotp)
      .values({ userId: user.id, secretEncrypted, createdAt: now })
      .onConflictDoUpdate({ target: mfaTotp.userId, set: { secretEncrypted, createdAt: now, lastUsedStep: null } });
    const otpauthUri = totpUri(secret, this.deps.issuer, user.email);
    const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauthUri, qrSvg };
  }

  /**
   * Turns a pending TOTP on with a code from the app; answers the new recovery codes,
   * or `null` for a wrong code (or no pending enrolment). `tx` lets a caller confirm and
   * open a session in one transaction (the MFA_REQUIRED enrolment at login).
   */
  async confirmTotp(user: UserRow, code: string, origin: RequestOrigin, tx?: Executor): Promise<string[] | null> {
    const work = async (tx: Executor) => {
      const [pending] = await tx
        .select()
        .from(mfaTotp)
        .where(and(eq(mfaTotp.userId, user.id), isNull(mfaTotp.confirmedAt)))
        .for('update');
      if (!pending) return null;
      const secret = this.deps.box.open(pending.secretEncrypted, user.id);
      const step = acceptedStep(secret, code, this.deps.clock.now().getTime(), null);
      if (step === null) return null;
      await tx.update(mfaTotp).set({ confirmedAt: this.deps.clock.now(), lastUsedStep: step }).where(eq(mfaTotp.userId, user.id));
      const codes = await this.replaceRecoveryCodes(tx, user.id);
      await this.syncEnabled(tx, user.id);
      await this.deps.audit.record(
        tx,
        { ...origin, actorId: origin.actorId ?? user.id },
        { type: 'mfa.totp_enrolled', targetId: user.id },
      );
      await this.deps.emails.afterMfaChange(tx, user, 'totp_enrolled');
      return codes;
    };
    const codes = tx ? await work(tx) : await this.deps.db.transaction(work);
    if (codes) this.deps.onUserChanged(user.id);
    return codes;
  }

  /**
   * Checks a second-factor code: a TOTP code (each time step accepted once) or a
   * recovery code (each works once). Spends what it accepts; `null` for a wrong code.
   */
  async verifyCode(tx: Executor, user: UserRow, code: string, origin: RequestOrigin): Promise<CodeKind | null> {
    if (normalizeTotpCode(code) !== null) return (await this.verifyTotp(tx, user.id, code)) ? 'totp' : null;
    if (!looksLikeRecoveryCode(code)) return null;
    const [used] = await tx
      .update(mfaRecoveryCodes)
      .set({ usedAt: this.deps.clock.now() })
      .where(
        and(
          eq(mfaRecoveryCodes.userId, user.id),
          eq(mfaRecoveryCodes.codeHash, hashRecoveryCode(code)),
          isNull(mfaRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: mfaRecoveryCodes.id });
    if (!used) return null;
    const left = await this.recoveryCodesLeft(tx, user.id);
    await this.deps.audit.record(
      tx,
      { ...origin, actorId: origin.actorId ?? user.id },
      {
        type: 'mfa.recovery_code_used',
        targetId: user.id,
        details: { recovery_codes_left: left },
      },
    );
    await this.deps.emails.afterMfaChange(tx, user, 'recovery_code_used', left);
    return 'recovery_code';
  }

  /** A wrong code, for the audit log (the lockout counts it separately). */
  async recordFailure(
    tx: Executor,
    userId: string,
    origin: RequestOrigin,
    stage: 'login' | 'enrolment' | 'step_up',
  ): Promise<void> {
    await this.deps.audit.record(
      tx,
      { ...origin, actorId: origin.actorId ?? userId },
      {
        type: 'mfa.challenge_failed',
        targetId: userId,
        details: { stage },
      },
    );
  }

  /**
   * Turns TOTP off (the route has checked the password and a code). Without another
   * factor left, MFA is off: recovery codes go and every remembered device is forgotten.
   */
  async disableTotp(user: UserRow, origin: RequestOrigin): Promise<boolean> {
    const removed = await this.deps.db.transaction(async (tx) => {
      const gone = await tx.delete(mfaTotp).where(eq(mfaTotp.userId, user.id)).returning({ id: mfaTotp.userId });
      if (gone.length === 0) return false;
      const stillOn = await this.syncEnabled(tx, user.id);
      const devicesForgotten = stillOn ? 0 : await this.forgetFactorsBehind(tx, user.id);
      await this.deps.audit.record(tx, origin, {
        type: 'mfa.totp_disabled',
        targetId: user.id,
        details: { mfa_enabled: stillOn, devices_forgotten: devicesForgotten },
      });
      await this.deps.emails.afterMfaChange(tx, user, 'totp_disabled');
      return true;
    });
    if (removed) this.deps.onUserChanged(user.id);
    return removed;
  }

  /** A new set of ten recovery codes; the old ones stop working. */
  async regenerateRecoveryCodes(user: UserRow, origin: RequestOrigin): Promise<string[]> {
    return this.deps.db.transaction(async (tx) => {
      const codes = await this.replaceRecoveryCodes(tx, user.id);
      await this.deps.audit.record(tx, origin, { type: 'mfa.recovery_codes_regenerated', targetId: user.id });
      return codes;
    });
  }

  /**
   * An administrator's reset (API or CLI): every factor goes, every remembered device
   * and pending MFA token with them, every session ends, and the owner is told.
   */
  async resetByAdmin(user: UserRow, origin: RequestOrigin, keepSession?: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      await removeEveryFactor(tx, user.id, this.deps.tokens, this.deps.devices);
      const ended = await this.deps.sessions.revokeAll(tx, user.id, 'mfa_reset', keepSession);
      await this.deps.audit.record(tx, origin, {
        type: 'mfa.reset_by_admin',
        targetId: user.id,
        details: { sessions_ended: ended },
      });
      await this.deps.emails.afterMfaChange(tx, user, 'reset_by_admin');
    });
    this.deps.onUserChanged(user.id);
  }

  /** Sets `user.mfa_enabled` from the factors the user has; returns it. */
  async syncEnabled(tx: Executor, userId: string): Promise<boolean> {
    const counting = this.factors.filter((factor) => factor.enablesMfa);
    const enrolled = await Promise.all(counting.map((factor) => factor.enrolled(tx, userId)));
    const enabled = enrolled.some(Boolean);
    await tx.update(users).set({ mfaEnabled: enabled }).where(eq(users.id, userId));
    return enabled;
  }

  /**
   * After a factor kept outside this module (a passkey) was added or removed: `mfa_enabled`
   * follows, and with no factor left what only backs one up goes too. Returns whether MFA is on.
   */
  async factorsChanged(tx: Executor, userId: string): Promise<boolean> {
    const on = await this.syncEnabled(tx, userId);
    if (!on) await this.forgetFactorsBehind(tx, userId);
    return on;
  }

  /** Recovery codes and remembered devices: what only means something while MFA is on. Returns the devices forgotten. */
  private async forgetFactorsBehind(tx: Executor, userId: string): Promise<number> {
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    return this.deps.devices.forgetAll(tx, userId);
  }

  private async verifyTotp(tx: Executor, userId: string, code: string): Promise<boolean> {
    // Locked: two requests with the same code must not both pass the replay check.
    const [totp] = await tx
      .select()
      .from(mfaTotp)
      .where(and(eq(mfaTotp.userId, userId), isNotNull(mfaTotp.confirmedAt)))
      .for('update');
    if (!totp) return false;
    const secret = this.deps.box.open(totp.secretEncrypted, userId);
    const step = acceptedStep(secret, code, this.deps.clock.now().getTime(), totp.lastUsedStep);
    if (step === null) return false;
    const values: Partial<typeof mfaTotp.$inferInsert> = { lastUsedStep: step };
    // A secret sealed under an older key is sealed again under the current one as it is used.
    if (this.deps.box.isStale(totp.secretEncrypted)) values.secretEncrypted = this.deps.box.seal(secret, userId);
    await tx.update(mfaTotp).set(values).where(eq(mfaTotp.userId, userId));
    return true;
  }

  private async replaceRecoveryCodes(tx: Executor, userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    const now = this.deps.clock.now();
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    await tx.insert(mfaRecoveryCodes).values(codes.map((code) => ({ userId, codeHash: hashRecoveryCode(code), createdAt: now })));
    return codes;
  }

  private async confirmedTotp(tx: Executor, userId: string) {
    const [row] = await tx
      .select({ userId: mfaTotp.userId })
      .from(mfaTotp)
      .where(and(eq(mfaTotp.userId, userId), isNotNull(mfaTotp.confirmedAt)));
    return row ?? null;
  }

  private async recoveryCodesLeft(tx: Executor, userId: string): Promise<number> {
    const [row] = await tx
      .select({ value: count() })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
    return Number(row?.value ?? 0);
  }
}
