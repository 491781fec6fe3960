/**
 * What the API does around an account change that the CLI must do too, in the
 * same transaction: end the sessions of a user whose password changed or who was
 * deactivated, and leave a record in the audit log (no actor; `via: "cli"`). The CLI
 * never sends mail itself; the one notice it owes (an MFA reset) goes to the outbox,
 * which the running service sends.
 */
import { type AuditEvent, type AuditLog, SYSTEM_ORIGIN } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import type { UserRow } from '../db/schema.js';
import { MfaTokens } from '../mfa/mfa-tokens.js';
import { RememberedDevices } from '../mfa/remembered-devices.js';
import { removeEveryFactor } from '../mfa/reset.js';
import type { SessionsService } from '../sessions/service.js';
import type { AccountEmails } from '../users/account-emails.js';
import type { AfterChange, AfterUpdate, AfterWrite } from '../users/service.js';
import { systemClock } from '../utils/clock.js';
import type { BulkSession } from './bulk.js';

/** What a seed or an import did, for its audit record. */
export interface BulkImportDetails {
  command: 'seed' | 'import';
  /** The file, or "the template database". */
  source: string;
  created: number;
  items: number;
  [more: string]: unknown;
}

const VIA = { via: 'cli' };

export class CliAccountChanges {
  constructor(
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
    private readonly emails: Pick<AccountEmails, 'afterMfaChange'>,
  ) {
    this.mfaTokens = new MfaTokens(systemClock);
    // Forgetting needs no lifetime: the days only matter for remembering, which the CLI never does.
    this.devices = new RememberedDevices(systemClock, 0);
  }

  private readonly mfaTokens: MfaTokens;
  private readonly devices: RememberedDevices;

  created(): AfterChange {
    return (tx, user) => this.audit.record(tx, SYSTEM_ORIGIN, { type: 'admin.user_created', targetId: user.id, details: VIA });
  }

  updated(): AfterUpdate {
    return async (tx, before, after) => {
      const passwordChanged = before.hashedPassword !== after.hashedPassword;
      const deactivated = before.isActive && !after.isActive;
      if (passwordChanged || deactivated) {
        await this.sessions.revokeAll(tx, after.id, deactivated ? 'deactivated' : 'password_changed');
      }
      const changed = (['isActive', 'isSuperuser', 'isVerified', 'hashedPassword'] as const).filter(
        (f) => before[f] !== after[f],
      );
      await this.audit.record(tx, SYSTEM_ORIGIN, {
        type: 'admin.user_updated',
        targetId: after.id,
        details: { ...VIA, changed },
      });
    };
  }

  /**
   * `roster users reset-mfa`: every factor goes (as DELETE /users/{id}/mfa), every session ends, and the
   * owner is told through the outbox, which the running service sends.
   */
  async mfaReset(tx: Executor, user: UserRow): Promise<number> {
    await removeEveryFactor(tx, user.id, this.mfaTokens, this.devices);
    const ended = await this.sessions.revokeAll(tx, user.id, 'mfa_reset');
    await this.audit.record(tx, SYSTEM_ORIGIN, {
      type: 'mfa.reset_by_admin',
      targetId: user.id,
      details: { ...VIA, sessions_ended: ended },
    });
    await this.emails.afterMfaChange(tx, user, 'reset_by_admin');
    return ended;
  }

  deleted(userId: string): AfterWrite {
    return (tx) => this.audit.record(tx, SYSTEM_ORIGIN, { type: 'admin.user_deleted', targetId: userId, details: VIA });
  }

  /** A seed, in its transaction: one record for the whole run. */
  seeded(tx: Executor, details: BulkImportDetails): Promise<void> {
    return this.audit.record(tx, SYSTEM_ORIGIN, importedEvent(details));
  }

  /** An import, in its bulk session: one record for the whole run (not one per user: it can be a million). */
  async imported(session: BulkSession, details: BulkImportDetails): Promise<void> {
    const insert = this.audit.insertion(SYSTEM_ORIGIN, importedEvent(details)).toSQL();
    await session.query(insert.sql, insert.params);
  }
}

const importedEvent = (details: BulkImportDetails): AuditEvent => ({ type: 'users.imported', details: { ...VIA, ...details } });
