/**
 * What else must happen, in the same transaction, when an account changes: its
 * emails, the audit record, and the sessions that must end. Routes pick the hook
 * for their action; the services run it inside their transaction.
 */
import type { AuditEvent, AuditLog, RequestOrigin } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import type { UserRow } from '../db/schema.js';
import type { RememberedDevices } from '../mfa/remembered-devices.js';
import type { SessionsService } from '../sessions/service.js';
import type { AccountEmails } from './account-emails.js';
import { changedFields } from './changes.js';
import type { AfterChange, AfterUpdate, AfterWrite } from './service.js';

export class AccountHooks {
  constructor(
    private readonly emails: AccountEmails,
    private readonly audit: AuditLog,
    private readonly sessions: SessionsService,
    /** A new password forgets every remembered device: the second step is asked again everywhere. */
    private readonly devices: RememberedDevices,
    /** Just-in-time membership of the organization that claimed the verified address's domain. */
    private readonly joinByDomain: (tx: Executor, user: UserRow, origin: RequestOrigin) => Promise<void> = async () => {},
  ) {}

  /**
   * `join` (a sign-up from an invitation link) may accept the invitation, which verifies the
   * account: it runs after the sign-up's own record, and a verified account is sent no link.
   */
  signedUp(origin: RequestOrigin, join?: (tx: Executor, user: UserRow) => Promise<UserRow>): AfterChange {
    return async (tx, user) => {
      await this.audit.record(tx, { ...origin, actorId: user.id }, { type: 'user.signed_up', targetId: user.id });
      const account = join ? await join(tx, user) : user;
      await this.emails.afterSignup(tx, account);
    };
  }

  createdByAdmin(origin: RequestOrigin): AfterChange {
    return async (tx, user) => {
      await this.emails.afterAdminCreate(tx, user);
      await this.audit.record(tx, origin, { type: 'admin.user_created', targetId: user.id, details: flags(user) });
    };
  }

  createdByPrivateRoute(origin: RequestOrigin): AfterChange {
    return async (tx, user) => {
      await this.audit.record(tx, origin, { type: 'private.user_created', targetId: user.id, details: flags(user) });
    };
  }

  /**
   * A user's change to their own name or email. A new address ends every other session (the one it was
   * changed from stays) and sends the old address a link that can undo it.
   */
  updatedBySelf(origin: RequestOrigin, currentSessionId: string): AfterUpdate {
    return async (tx, before, after) => {
      await this.emails.afterUpdate(tx, before, after, true);
      let ended: number | undefined;
      if (before.emailNormalized !== after.emailNormalized) {
        ended = await this.sessions.revokeAll(tx, after.id, 'email_changed', currentSessionId);
      }
      await this.recordEmailChange(tx, origin, before, after, ended);
    };
  }

  /** The old address took the account back: every session ends, the intruder's first. */
  emailRestored(origin: RequestOrigin): AfterUpdate {
    return async (tx, before, after) => {
      const ended = await this.sessions.revokeAll(tx, after.id, 'email_restored');
      await this.audit.record(
        tx,
        { ...origin, actorId: origin.actorId ?? after.id },
        { type: 'email.restored', targetId: after.id, details: { from: before.email, to: after.email, sessions_ended: ended } },
      );
    };
  }

  /** A superuser's change: a new password or a deactivation ends the user's sessions (all but the admin's own). */
  updatedByAdmin(origin: RequestOrigin, adminSessionId: string): AfterUpdate {
    return async (tx, before, after) => {
      await this.emails.afterUpdate(tx, before, after);
      const passwordChanged = before.hashedPassword !== after.hashedPassword;
      if (passwordChanged) {
        await this.emails.afterPasswordChange(tx, after, 'set_by_admin');
        await this.devices.forgetAll(tx, after.id);
      }
      const deactivated = before.isActive && !after.isActive;
      if (passwordChanged || deactivated) {
        await this.sessions.revokeAll(tx, after.id, deactivated ? 'deactivated' : 'password_changed', adminSessionId);
      }
      await this.audit.record(tx, origin, {
        type: 'admin.user_updated',
        targetId: after.id,
        details: { changed: changedFields(before, after), ...roleChanges(before, after) },
      });
      const superuserEvent = superuserRoleEvent(before, after);
      if (superuserEvent) await this.audit.record(tx, origin, superuserEvent);
      await this.recordEmailChange(tx, origin, before, after);
    };
  }

  /** Changing one's own password keeps the session it was changed from and ends the others. */
  passwordChanged(origin: RequestOrigin, user: UserRow, currentSessionId: string): AfterWrite {
    return async (tx) => {
      const ended = await this.sessions.revokeAll(tx, user.id, 'password_changed', currentSessionId);
      const forgotten = await this.devices.forgetAll(tx, user.id);
      await this.emails.afterPasswordChange(tx, user, 'changed');
      await this.audit.record(tx, origin, {
        type: 'password.changed',
        targetId: user.id,
        details: { sessions_ended: ended, devices_forgotten: forgotten },
      });
    };
  }

  /** A reset comes from someone who could not sign in: every session ends. */
  passwordReset(origin: RequestOrigin): AfterChange {
    return async (tx, user) => {
      const ended = await this.sessions.revokeAll(tx, user.id, 'password_changed');
      const forgotten = await this.devices.forgetAll(tx, user.id);
      await this.emails.afterPasswordChange(tx, user, 'reset');
      await this.audit.record(
        tx,
        { ...origin, actorId: user.id },
        { type: 'password.reset', targetId: user.id, details: { sessions_ended: ended, devices_forgotten: forgotten } },
      );
    };
  }

  emailVerified(origin: RequestOrigin): AfterChange {
    return async (tx, user) => {
      await this.audit.record(
        tx,
        { ...origin, actorId: origin.actorId ?? user.id },
        {
          type: 'email.verified',
          targetId: user.id,
          details: { email: user.email },
        },
      );
      await this.joinByDomain(tx, user, origin);
    };
  }

  deleted(origin: RequestOrigin, userId: string, bySelf: boolean): AfterWrite {
    return async (tx) => {
      await this.audit.record(tx, origin, { type: bySelf ? 'user.deleted_self' : 'admin.user_deleted', targetId: userId });
    };
  }

  private async recordEmailChange(
    tx: Executor,
    origin: RequestOrigin,
    before: UserRow,
    after: UserRow,
    sessionsEnded?: number,
  ): Promise<void> {
    if (before.email === after.email) return;
    await this.audit.record(tx, origin, {
      type: 'email.changed',
      targetId: after.id,
      details: { from: before.email, to: after.email, ...(sessionsEnded !== undefined && { sessions_ended: sessionsEnded }) },
    });
  }
}

/** `is_superuser` is the superuser role: setting it is a grant, clearing it a revocation. */
export function superuserRoleEvent(before: UserRow, after: UserRow): AuditEvent | null {
  if (before.isSuperuser === after.isSuperuser) return null;
  return { type: after.isSuperuser ? 'role.granted' : 'role.revoked', targetId: after.id, details: { role: 'superuser' } };
}

function flags(user: UserRow) {
  return { is_active: user.isActive, is_superuser: user.isSuperuser, is_verified: user.isVerified };
}

function roleChanges(before: UserRow, after: UserRow): Record<string, boolean> {
  const changes: Record<string, boolean> = {};
  if (!before.isSuperuser && after.isSuperuser) changes.promoted = true;
  if (before.isSuperuser && !after.isSuperuser) changes.demoted = true;
  if (!before.isActive && after.isActive) changes.activated = true;
  if (before.isActive && !after.isActive) changes.deactivated = true;
  return changes;
}
