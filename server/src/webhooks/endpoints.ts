/**
 * Webhook endpoints and their deliveries, as superusers manage them (API, CLI,
 * web app). The signing secret is returned only by create and rotate, and stored
 * sealed (sealed-secrets.ts). Every change is audited in its own transaction.
 */
import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, sql } from 'drizzle-orm';
import { type AuditEventType, type AuditLog, type RequestOrigin, SYSTEM_ORIGIN } from '../audit/service.js';
import type { Database, Executor } from '../db/client.js';
import {
  type WebhookDeliveryRow,
  type WebhookDeliveryStatus,
  type WebhookEndpointRow,
  webhookDeliveries,
  webhookEndpoints,
} from '../db/schema.js';
import type { Clock } from '../utils/clock.js';
import type { WebhookEventType } from './event-types.js';
import type { WebhookEvents } from './events.js';
import { UnreadableSecretError, type WebhookSecretBox } from './sealed-secrets.js';
import { newSigningSecret } from './secrets.js';
import { type TargetRules, targetProblem } from './target.js';
import { WEBHOOK_CHANNEL } from './worker.js';

/** A rotated-out secret keeps signing this long, so receivers can switch without missing a message. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;

/** A URL the rules refuse; the message says why. */
export class TargetRefusedError extends Error {}

export interface EndpointInput {
  url: string;
  description?: string | null;
  /** `null`: every event type. */
  eventTypes?: WebhookEventType[] | null;
  enabled?: boolean;
}

/** Who made a change, for its audit record: a request's origin, or the CLI's (no actor, `via: "cli"`). */
export interface ChangedBy {
  origin: RequestOrigin;
  via?: 'cli';
}

export interface DeliveryQuery {
  skip: number;
  limit: number;
  status?: WebhookDeliveryStatus;
}

type WebhookAuditType = Extract<AuditEventType, `webhook.${string}`>;

/** A list given twice over is the same subscription; `null` (or nothing) is every type. */
function distinct(types: WebhookEventType[] | null | undefined): WebhookEventType[] | null {
  return types ? [...new Set(types)] : null;
}

/** The fields of a change, as the API names them, that differ from the row before it. */
function changedFields(before: WebhookEndpointRow, after: WebhookEndpointRow): string[] {
  const fields: [string, unknown, unknown][] = [
    ['url', before.url, after.url],
    ['description', before.description, after.description],
    ['event_types', JSON.stringify(before.eventTypes), JSON.stringify(after.eventTypes)],
    ['enabled', before.enabled, after.enabled],
  ];
  return fields.filter(([, was, is]) => was !== is).map(([name]) => name);
}

export class WebhookEndpoints {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly events: WebhookEvents,
    private readonly rules: TargetRules,
    private readonly box: WebhookSecretBox,
    private readonly audit: AuditLog,
  ) {}

  /** The new endpoint and its secret (shown this once). */
  async create(input: EndpointInput, by: ChangedBy): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    this.checkUrl(input.url);
    // The id is the sealed secret's associated data, so it is chosen before the insert.
    const id = randomUUID();
    const secret = newSigningSecret();
    const now = this.clock.now();
    const endpoint = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(webhookEndpoints)
        .values({
          id,
          url: input.url,
          description: input.description ?? null,
          eventTypes: distinct(input.eventTypes),
          enabled: input.enabled ?? true,
          secret: this.box.seal(secret, id),
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const created = row as WebhookEndpointRow;
      await this.record(tx, by, 'webhook.endpoint_created', created, {
        event_types: created.eventTypes,
        enabled: created.enabled,
      });
      return created;
    });
    return { endpoint, secret };
  }

  async list(skip: number, limit: number): Promise<{ rows: WebhookEndpointRow[]; count: number }> {
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(webhookEndpoints)
        .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
        .offset(skip)
        .limit(limit),
      this.db.select({ value: count() }).from(webhookEndpoints),
    ]);
    return { rows, count: Number(total?.value ?? 0) };
  }

  async get(id: string): Promise<WebhookEndpointRow | null> {
    const [row] = await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    return row ?? null;
  }

  /** Enabling an endpoint forgets why it was disabled and its failing run. */
  async update(id: string, changes: Partial<EndpointInput>, by: ChangedBy): Promise<WebhookEndpointRow | null> {
    if (changes.url !== undefined) this.checkUrl(changes.url);
    const values: Partial<typeof webhookEndpoints.$inferInsert> = { updatedAt: this.clock.now() };
    if (changes.url !== undefined) values.url = changes.url;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.eventTypes !== undefined) values.eventTypes = distinct(changes.eventTypes);
    if (changes.enabled !== undefined) values.enabled = changes.enabled;
    if (changes.enabled === true) Object.assign(values, { disabledReason: null, failingSince: null });
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for('update');
      if (!before) return null;
      const [after] = await tx.update(webhookEndpoints).set(values).where(eq(webhookEndpoints.id, id)).returning();
      if (!after) return null;
      const changed = changedFields(before, after);
      if (changed.length > 0) {
        await this.record(tx, by, 'webhook.endpoint_updated', after, {
          changed,
          ...(changed.includes('url') ? { previous_url: before.url } : {}),
          ...(changed.includes('event_types') ? { event_types: after.eventTypes } : {}),
          ...(changed.includes('enabled') ? { enabled: after.enabled } : {}),
        });
      }
      return after;
    });
    if (row && changes.enabled === true) await this.wakeWorkers();
    return row;
  }

  /** Deletes the endpoint and, with it, its deliveries (pending ones are never sent). */
  async delete(id: string, by: ChangedBy): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [deleted] = await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning();
      if (deleted) await this.record(tx, by, 'webhook.endpoint_deleted', deleted, {});
      return Boolean(deleted);
    });
  }

  /**
   * A new secret; the old one keeps signing for ROTATION_OVERLAP_MS beside it, sealed
   * again (which also seals one still stored in clear). An old secret this SECRET_KEY
   * cannot open is dropped rather than carried: it could never sign again, and the
   * rotation is how such an endpoint gets a working secret back (`previousExpiresAt`
   * is then `null`).
   */
  async rotateSecret(id: string, by: ChangedBy): Promise<{ secret: string; previousExpiresAt: Date | null } | null> {
    const secret = newSigningSecret();
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for('update');
      if (!before) return null;
      const previous = this.openOrNull(before.secret, id);
      const previousExpiresAt = previous ? new Date(now.getTime() + ROTATION_OVERLAP_MS) : null;
      const [after] = await tx
        .update(webhookEndpoints)
        .set({
          secret: this.box.seal(secret, id),
          previousSecret: previous ? this.box.seal(previous, id) : null,
          previousSecretExpiresAt: previousExpiresAt,
          updatedAt: now,
        })
        .where(eq(webhookEndpoints.id, id))
        .returning();
      await this.record(tx, by, 'webhook.secret_rotated', after ?? before, {
        previous_secret_expires_at: previousExpiresAt?.toISOString() ?? null,
      });
      return { secret, previousExpiresAt };
    });
  }

  /** For the delivery worker: an endpoint Roster disabled (410, or failing for days), audited in that transaction. */
  async recordDisabled(tx: Executor, endpoint: WebhookEndpointRow): Promise<void> {
    await this.record(tx, { origin: SYSTEM_ORIGIN }, 'webhook.endpoint_disabled', endpoint, {
      reason: endpoint.disabledReason,
    });
  }

  /** Queues a `ping` for the endpoint; `null` when there is no such endpoint. */
  async ping(id: string): Promise<WebhookDeliveryRow | null> {
    return this.db.transaction(async (tx) => {
      const [endpoint] = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
      if (!endpoint) return null;
      const deliveryId = await this.events.ping(tx, id);
      const [row] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      return row ?? null;
    });
  }

  async deliveries(endpointId: string, query: DeliveryQuery): Promise<{ rows: WebhookDeliveryRow[]; count: number }> {
    const where = and(
      eq(webhookDeliveries.endpointId, endpointId),
      query.status ? eq(webhookDeliveries.status, query.status) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(webhookDeliveries)
        .where(where)
        .orderBy(desc(webhookDeliveries.seq))
        .offset(query.skip)
        .limit(query.limit),
      this.db.select({ value: count() }).from(webhookDeliveries).where(where),
    ]);
    return { rows, count: Number(total?.value ?? 0) };
  }

  /**
   * Sends a delivery again now, with the same webhook-id: a failed or delivered one
   * gets one more attempt, a pending one is brought forward. `null` if not found.
   */
  async retry(endpointId: string, deliveryId: string): Promise<WebhookDeliveryRow | null> {
    const [row] = await this.db
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: this.clock.now() })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
      .returning();
    if (row) await this.wakeWorkers();
    return row ?? null;
  }

  private openOrNull(stored: string, id: string): string | null {
    try {
      return this.box.open(stored, id);
    } catch (error) {
      if (error instanceof UnreadableSecretError) return null;
      throw error;
    }
  }

  /** The audit record of a change: the endpoint and its URL, never a secret. */
  private async record(
    tx: Executor,
    by: ChangedBy,
    type: WebhookAuditType,
    endpoint: WebhookEndpointRow,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(tx, by.origin, {
      type,
      targetId: endpoint.id,
      details: { url: endpoint.url, ...details, ...(by.via ? { via: by.via } : {}) },
    });
  }

  private checkUrl(url: string): void {
    const problem = targetProblem(url, this.rules);
    if (problem) throw new TargetRefusedError(problem);
  }

  /** A change that makes deliveries due: every process's worker looks now rather than at its next poll. */
  private async wakeWorkers(): Promise<void> {
    await this.db.execute(sql`SELECT pg_notify(${WEBHOOK_CHANNEL}, '')`);
  }
}
