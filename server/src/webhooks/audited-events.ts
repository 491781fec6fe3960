/**
 * The audit log's events that are webhook events too (AUDITED_WEBHOOK_EVENTS): second
 * factors, passkeys, sign-in providers, roles and organizations. Each area audits its changes
 * in the transaction that makes them; writing the webhook beside that record gives it the same
 * guarantee as the user events (committed with the change, never for a rolled-back one) without
 * a second hook in every area. `data` is the user concerned as the API shows it, when the event
 * concerns one, with the event's details (which never hold a secret: see audit/service.ts).
 */
import { eq } from 'drizzle-orm';
import type { AuditEvent } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { users } from '../db/schema.js';
import { toUserPublic } from '../users/public.js';
import { AUDITED_WEBHOOK_EVENTS } from './event-types.js';
import type { WebhookEvents } from './events.js';

type AuditedWebhookEvent = (typeof AUDITED_WEBHOOK_EVENTS)[number];

const isWebhookEvent = (type: string): type is AuditedWebhookEvent =>
  (AUDITED_WEBHOOK_EVENTS as readonly string[]).includes(type);

/** For `AuditLog.onRecorded`: queues the webhook of an audited event that is one. */
export function webhooksForAuditedEvents(events: WebhookEvents) {
  return async (tx: Executor, event: AuditEvent): Promise<void> => {
    if (!isWebhookEvent(event.type)) return;
    // An organization's event targets the organization; only a user target has a user to show.
    const [user] = event.targetId ? await tx.select().from(users).where(eq(users.id, event.targetId)) : [];
    await events.emitData(tx, event.type, { ...event.details, ...(user ? toUserPublic(user) : {}) });
  };
}
