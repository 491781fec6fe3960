/**
 * The audit log: security events with who did it (actor), to whom (target),
 * from where (IP, user agent) and when. Events are written in the transaction of
 * the change they record, so the log and the data never disagree. Details never
 * hold a secret: no password, hash or token, only what changed and why.
 */
import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { type PendingRow, pendingRow } from '../db/pending-row.js';
import { type AuditEventRow, auditEvents } from '../db/schema.js';
import { isStorableDate } from '../http/timestamps.js';
import type { Clock } from '../utils/clock.js';

export const AUDIT_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  /** A wrong current password (or none, where a recent sign-in was needed) on a change that takes over an account. */
  'reauth.failed',
  /** Wrong current passwords locked the password check of the email or password change (the login's lockout). */
  'reauth.locked',
  'refresh.refused',
  /** The first request over a rate limit in its window; sampled (see audit/sampler.ts). */
  'rate_limit.refused',
  'password.recovery_requested',
  'logout',
  'refresh.reuse_detected',
  'session.revoked',
  'password.changed',
  'password.reset',
  'email.changed',
  'email.verified',
  'email.restored',
  'user.signed_up',
  'admin.user_created',
  'admin.user_updated',
  'admin.user_deleted',
  'user.deleted_self',
  'private.user_created',
  'users.imported',
  /** A sign-in provider's identity joined an account (details.via: verified_email, signup or settings). */
  'identity.linked',
  'identity.unlinked',
  'passkey.registered',
  'passkey.removed',
  /** A passkey was verified and its user admitted (the door then writes login.succeeded). */
  'passkey.signed_in',
  /** A passkey ceremony refused: unknown or removed credential, bad signature, origin, RP ID or challenge. */
  'passkey.failed',
  /** A genuine signature whose counter did not move forward: a copy of the authenticator may exist. */
  'passkey.clone_suspected',
  'mfa.totp_enrolled',
  'mfa.totp_disabled',
  /** A wrong second-factor code: at the login step, an enrolment's confirmation, or a step-up. */
  'mfa.challenge_failed',
  'mfa.succeeded',
  'mfa.recovery_code_used',
  'mfa.recovery_codes_regenerated',
  'mfa.reset_by_admin',
  'mfa.device_remembered',
  'mfa.device_forgotten',
  /** A role given to a user (`details.role`); `superuser` too, however it was set. */
  'role.granted',
  'role.revoked',
  /** A custom role defined, redefined or renamed, deleted (`details.role`). */
  'role.created',
  'role.updated',
  'role.deleted',
  'org.created',
  'org.updated',
  'org.deleted',
  'org.member_added',
  'org.member_role_changed',
  /** A member removed, or one who left (`details.left`). */
  'org.member_removed',
  'org.invitation_sent',
  'org.invitation_revoked',
  'org.invitation_accepted',
  'org.domains_changed',
  /** Webhook endpoints (target: the endpoint; details: its URL, never a secret). */
  'webhook.endpoint_created',
  /** `details.changed`: url, description, event_types, enabled. */
  'webhook.endpoint_updated',
  'webhook.endpoint_deleted',
  'webhook.secret_rotated',
  /** Roster disabled it (`details.reason`: gone, a 410; failing, 5 days of failures). */
  'webhook.endpoint_disabled',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Where a request came from and who made it; built by routes, carried into services. */
export interface RequestOrigin {
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM_ORIGIN: RequestOrigin = { actorId: null, ip: null, userAgent: null };

export interface AuditEvent {
  type: AuditEventType;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  userId?: string;
  type?: AuditEventType;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: { at: Date; id: string };
}

export class AuditLog {
  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
  ) {}

  /** Told of each event `record` writes, in its transaction (the webhooks of audited events). */
  onRecorded: ((tx: Executor, event: AuditEvent) => Promise<void>) | null = null;

  async record(tx: Executor, origin: RequestOrigin, event: AuditEvent): Promise<void> {
    await tx.insert(auditEvents).values(this.row(origin, event));
    await this.onRecorded?.(tx, event);
  }

  /** The event as an INSERT not yet run, for a caller that writes it with other rows in one statement. */
  insertion(origin: RequestOrigin, event: AuditEvent): PendingRow<typeof auditEvents> {
    return pendingRow(this.db, auditEvents, this.row(origin, event));
  }

  private row(origin: RequestOrigin, event: AuditEvent) {
    return {
      at: this.clock.now(),
      type: event.type,
      actorId: origin.actorId,
      targetId: event.targetId ?? null,
      ip: origin.ip?.slice(0, 64) ?? null,
      userAgent: origin.userAgent?.slice(0, 512) ?? null,
      details: event.details ?? {},
    };
  }

  /** Newest first; `cursor` continues after the last event of the previous page. */
  async list(query: AuditQuery): Promise<AuditEventRow[]> {
    const conditions: (SQL | undefined)[] = [];
    if (query.userId) conditions.push(or(eq(auditEvents.actorId, query.userId), eq(auditEvents.targetId, query.userId)));
    if (query.type) conditions.push(eq(auditEvents.type, query.type));
    if (query.since) conditions.push(gte(auditEvents.at, query.since));
    if (query.until) conditions.push(lte(auditEvents.at, query.until));
    if (query.cursor) {
      conditions.push(sql`(${auditEvents.at}, ${auditEvents.id}) < (${query.cursor.at}, ${query.cursor.id})`);
    }
    return this.db
      .select()
      .from(auditEvents)
      .where(and(...conditions))
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(query.limit);
  }

  async purge(before: Date): Promise<void> {
    await this.db.delete(auditEvents).where(lt(auditEvents.at, before));
  }
}

/** An opaque page cursor: the last event's time and id. */
export function encodeAuditCursor(row: Pick<AuditEventRow, 'at' | 'id'>): string {
  return Buffer.from(`${row.at.toISOString()}|${row.id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The position in a cursor, or null for anything `encodeAuditCursor` cannot have
 * made: both parts are sent to the database, so a forged one must never reach it.
 */
export function decodeAuditCursor(cursor: string): { at: Date; id: string } | null {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 2) return null;
  const [at, id] = parts as [string, string];
  const date = new Date(at);
  if (!isStorableDate(date) || date.toISOString() !== at || !UUID.test(id)) return null;
  return { at: date, id: id.toLowerCase() };
}
