/**
 * Webhook events, written to the outbox (webhook_delivery) in the transaction of
 * the change that causes them: one row per endpoint subscribed at that moment,
 * so a committed change always has its deliveries and a rolled-back one never.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { type UserRow, users } from '../db/schema.js';
import type { RevokeReason } from '../sessions/service.js';
import { changedFields } from '../users/changes.js';
import { toUserPublic } from '../users/public.js';
import type { UserChangeEvents } from '../users/service.js';
import type { Clock } from '../utils/clock.js';
import { PING_EVENT, type WebhookEventType } from './event-types.js';

/** The webhook-id header: one per event, shared by its endpoints and kept across retries. */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The request body, fixed when the event happens (retries send the same bytes). */
export function eventBody(type: string, at: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

export class WebhookEvents implements UserChangeEvents {
  constructor(private readonly clock: Clock) {}

  /**
   * Queues `type` for every enabled endpoint subscribed to it. `data` is the user
   * as the API shows it (never a hash, token or secret) and `extra`'s fields.
   */
  async emit(tx: Executor, type: WebhookEventType, user: UserRow, extra: Record<string, unknown> = {}): Promise<void> {
    await this.emitData(tx, type, { ...extra, ...toUserPublic(user) });
  }

  /** Queues `type` with `data` as it is, for an event that may concern no user (an organization's). */
  async emitData(tx: Executor, type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
    const now = this.clock.now();
    const body = eventBody(type, now, data);
    const at = now.toISOString();
    await tx.execute(sql`
      INSERT INTO webhook_delivery (endpoint_id, message_id, event_type, payload, next_attempt_at, created_at)
      SELECT id, ${newMessageId()}, ${type}, ${body}, ${at}::timestamptz, ${at}::timestamptz
      FROM webhook_endpoint
      WHERE enabled AND (event_types IS NULL OR ${type} = ANY(event_types))`);
  }

  /** A test event for one endpoint, whatever it subscribes to; returns the delivery's id. */
  async ping(tx: Executor, endpointId: string): Promise<string> {
    const now = this.clock.now();
    const body = eventBody(PING_EVENT, now, { endpoint_id: endpointId });
    const at = now.toISOString();
    const result = await tx.execute(sql`
      INSERT INTO webhook_delivery (endpoint_id, message_id, event_type, payload, next_attempt_at, created_at)
      VALUES (${endpointId}, ${newMessageId()}, ${PING_EVENT}, ${body}, ${at}::timestamptz, ${at}::timestamptz)
      RETURNING id`);
    return (result as unknown as { rows: { id: string }[] }).rows[0]?.id as string;
  }

  created(tx: Executor, user: UserRow): Promise<void> {
    return this.emit(tx, 'user.created', user);
  }

  /** One user.updated naming the changed fields, and an event for each change that has its own type. */
  async updated(tx: Executor, before: UserRow, after: UserRow): Promise<void> {
    const changed = changedFields(before, after);
    if (changed.length === 0) return;
    await this.emit(tx, 'user.updated', after, { changed });
    if (!before.isVerified && after.isVerified) await this.emit(tx, 'user.verified', after);
    if (before.isActive && !after.isActive) await this.emit(tx, 'user.deactivated', after);
    if (!before.isActive && after.isActive) await this.emit(tx, 'user.activated', after);
    if (before.hashedPassword !== after.hashedPassword) await this.emit(tx, 'user.password_changed', after);
    if (before.email !== after.email) await this.emit(tx, 'user.email_changed', after, { previous_email: before.email });
  }

  deleted(tx: Executor, user: UserRow): Promise<void> {
    return this.emit(tx, 'user.deleted', user);
  }

  /**
   * Sessions ended together. A sign-out everywhere is an event even when nothing was
   * open; a side effect (a new password, a deactivation) only when it ended something.
   */
  async sessionsRevoked(tx: Executor, userId: string, reason: RevokeReason, ended: number): Promise<void> {
    if (ended === 0 && reason !== 'user' && reason !== 'admin') return;
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (user) await this.emit(tx, 'session.revoked_all', user, { reason, sessions_ended: ended });
  }
}
