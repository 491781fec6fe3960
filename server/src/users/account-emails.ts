/**
 * The emails around an account — verification, welcome, password reset, email
 * changed — each written to the outbox in the transaction of the change that
 * causes it, with its single-use token.
 */
import { eq } from 'drizzle-orm';
import type { OneTimeTokens } from '../auth/one-time-tokens.js';
import type { Database, Executor } from '../db/client.js';
import { type UserRow, users } from '../db/schema.js';
import type { Outbox } from '../email/outbox.js';
import {
  type BrandInfo,
  emailChangedNotice,
  type MfaChange,
  mfaChangedNotice,
  newAccountEmail,
  passwordChangedNotice,
  resetPasswordEmail,
  verifyEmail,
} from '../email/templates.js';
import type { Clock } from '../utils/clock.js';

/** Stands for the token in the preview's reset link; no token is ever issued for a preview. */
export const PREVIEW_TOKEN_PLACEHOLDER = 'preview-only-not-a-valid-token';

/** How long the link sent to the old address after an email change can put it back. */
export const EMAIL_RESTORE_DAYS = 7;

/** At most one verification email per user per this many seconds. */
export const VERIFICATION_RESEND_SECONDS = 60;

export type ResendResult =
  | { outcome: 'sent' }
  | { outcome: 'already-verified' }
  | { outcome: 'too-soon'; retryAfterSeconds: number };

export class AccountEmails {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly tokens: OneTimeTokens,
    private readonly brand: BrandInfo,
    private readonly tokenHours: number,
    private readonly clock: Clock,
    /** False when mail is off: nothing is written, no token is issued. */
    readonly enabled: boolean,
    /** EMAIL_VERIFICATION_ON_SIGNUP: false sends no verification link after sign-up (the template sends none). */
    private readonly verifyOnSignup = true,
  ) {}

  /** After sign-up: a link to verify the address. */
  async afterSignup(tx: Executor, user: UserRow): Promise<void> {
    if (!this.enabled || !this.verifyOnSignup || user.isVerified) return;
    await this.sendVerification(tx, user);
  }

  /** After an administrator creates an account: the welcome, with a verification link if needed. */
  async afterAdminCreate(tx: Executor, user: UserRow): Promise<void> {
    if (!this.enabled) return;
    const token = user.isVerified ? null : await this.tokens.issue(tx, user.id, 'email_verification', user.email);
    await this.outbox.enqueue(tx, 'new_account', user.email, newAccountEmail(this.brand, user.email, token, this.tokenHours));
  }

  /**
   * After an update: when the address changed, verify the new one and tell the old one. A change the user
   * made (`restorable`) gives the old address a link that puts it back (see UsersService.restoreEmail).
   */
  async afterUpdate(tx: Executor, before: UserRow, after: UserRow, restorable = false): Promise<void> {
    if (!this.enabled || before.emailNormalized === after.emailNormalized) return;
    if (!after.isVerified) await this.sendVerification(tx, after);
    const restore = restorable
      ? {
          token: await this.tokens.issue(tx, after.id, 'email_restore', before.email, EMAIL_RESTORE_DAYS * 24),
          validDays: EMAIL_RESTORE_DAYS,
        }
      : undefined;
    await this.outbox.enqueue(
      tx,
      'email_changed',
      before.email,
      emailChangedNotice(this.brand, before.email, after.email, restore),
    );
  }

  /** After the password changed by any route: the owner hears of it. */
  async afterPasswordChange(tx: Executor, user: UserRow, how: 'changed' | 'reset' | 'set_by_admin'): Promise<void> {
    if (!this.enabled) return;
    await this.outbox.enqueue(tx, 'password_changed', user.email, passwordChangedNotice(this.brand, user.email, how));
  }

  /** After a second factor changed or a recovery code was used: the owner hears of it. */
  async afterMfaChange(tx: Executor, user: UserRow, change: MfaChange, recoveryCodesLeft?: number): Promise<void> {
    if (!this.enabled) return;
    await this.outbox.enqueue(
      tx,
      `mfa_${change}`,
      user.email,
      mfaChangedNotice(this.brand, user.email, change, recoveryCodesLeft),
    );
  }

  /**
   * A password-recovery request, for an address that may or may not be an account.
   * Nothing about the address is looked up before the caller answers: the lookup
   * and the outbox write start on the next turn of the event loop, so the answer
   * takes the same path, and the same time, whether or not the account exists.
   * `drain` waits for requests still in flight (before the database closes).
   */
  requestPasswordReset(
    email: string,
    lookup: (email: string) => Promise<UserRow | null>,
    onError: (error: unknown) => void,
  ): void {
    const work: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        const user = await lookup(email);
        if (user) await this.sendPasswordReset(user);
      })
      .catch(onError)
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** A password-reset link for the account, if mail is on. */
  async sendPasswordReset(user: UserRow): Promise<void> {
    if (!this.enabled) return;
    await this.db.transaction(async (tx) => {
      const token = await this.tokens.issue(tx, user.id, 'password_reset', user.email);
      await this.outbox.enqueue(
        tx,
        'password_reset',
        user.email,
        resetPasswordEmail(this.brand, user.email, token, this.tokenHours),
      );
    });
  }

  /**
   * The reset email's HTML for the superuser preview; not sent. Its link holds a
   * placeholder, never a live token: a preview must not let whoever sees it (or a
   * stolen superuser token) take over the account without the owner's mailbox.
   */
  async previewPasswordReset(user: UserRow): Promise<string> {
    return resetPasswordEmail(this.brand, user.email, PREVIEW_TOKEN_PLACEHOLDER, this.tokenHours).html;
  }

  /** A new verification link, at most once a minute per user (the user row is locked to decide races). */
  async resendVerification(userId: string): Promise<ResendResult> {
    return this.db.transaction(async (tx) => {
      const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
      if (!user || user.isVerified) return { outcome: 'already-verified' as const };
      const last = await this.tokens.lastIssuedAt(tx, userId, 'email_verification');
      const elapsed = last ? (this.clock.now().getTime() - last.getTime()) / 1000 : Number.POSITIVE_INFINITY;
      if (elapsed < VERIFICATION_RESEND_SECONDS) {
        return { outcome: 'too-soon' as const, retryAfterSeconds: Math.max(1, Math.ceil(VERIFICATION_RESEND_SECONDS - elapsed)) };
      }
      await this.sendVerification(tx, user);
      return { outcome: 'sent' as const };
    });
  }

  private async sendVerification(tx: Executor, user: UserRow): Promise<void> {
    const token = await this.tokens.issue(tx, user.id, 'email_verification', user.email);
    await this.outbox.enqueue(tx, 'verify_email', user.email, verifyEmail(this.brand, user.email, token, this.tokenHours));
  }
}
