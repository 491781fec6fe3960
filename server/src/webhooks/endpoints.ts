/**
 * Webhook endpoints and their deliveries, as superusers manage them (API, CLI,
 * web app). The signing secret is returned only by create and rotate.
 */
import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
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

export interface DeliveryQuery {
  skip: number;
  limit: number;
  status?: WebhookDeliveryStatus;
}

/** A list given twice over is the same subscription; `null` (or nothing) is every type. */
function distinct(types: WebhookEventType[] | null | undefined): WebhookEventType[] | null {
  return types ? [...new Set(types)] : null;
}

export class WebhookEndpoints {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly events: WebhookEvents,
    private readonly rules: TargetRules,
  ) {}

  /** The new endpoint and its secret (shown this once). */
  async create(input: EndpointInput): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    this.checkUrl(input.url);
    const secret = newSigningSecret();
    const now = this.clock.now();
    const [endpoint] = await this.db
      .insert(webhookEndpoints)
      .values({
        url: input.url,
        description: input.description ?? null,
        eventTypes: distinct(input.eventTypes),
        enabled: input.enabled ?? true,
        secret,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return { endpoint: endpoint as WebhookEndpointRow, secret };
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
  async update(id: string, changes: Partial<EndpointInput>): Promise<WebhookEndpointRow | null> {
    if (changes.url !== undefined) this.checkUrl(changes.url);
    const values: Partial<typeof webhookEndpoints.$inferInsert> = { updatedAt: this.clock.now() };
    if (changes.url !== undefined) values.url = changes.url;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.eventTypes !== undefined) values.eventTypes = distinct(changes.eventTypes);
    if (changes.enabled !== undefined) values.enabled = changes.enabled;
    if (changes.enabled === true) Object.assign(values, { disabledReason: null, failingSince: null });
    const [row] = await this.db.update(webhookEndpoints).set(values).where(eq(webhookEndpoints.id, id)).returning();
    if (row && changes.enabled === true) await this.wakeWorkers();
    return row ?? null;
  }

  /** Deletes the endpoint and, with it, its deliveries (pending ones are never sent). */
  async delete(id: string): Promise<boolean> {
    const rows = await this.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning({ id: webhookEndpoints.id });
    return rows.length > 0;
  }

  /** A new secret; the old one keeps signing for ROTATION_OVERLAP_MS beside it. */
  async rotateSecret(id: string): Promise<{ secret: string; previousExpiresAt: Date } | null> {
    const secret = newSigningSecret();
    const now = this.clock.now();
    const previousExpiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
    const [row] = await this.db
      .update(webhookEndpoints)
      .set({
        secret,
        previousSecret: sql`${webhookEndpoints.secret}`,
        previousSecretExpiresAt: previousExpiresAt,
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, id))
      .returning({ id: webhookEndpoints.id });
    return row ? { secret, previousExpiresAt } : null;
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

  private checkUrl(url: string): void {
    const problem = targetProblem(url, this.rules);
    if (problem) throw new TargetRefusedError(problem);
  }

  /** A change that makes deliveries due: every process's worker looks now rather than at its next poll. */
  private async wakeWorkers(): Promise<void> {
    await this.db.execute(sql`SELECT pg_notify(${WEBHOOK_CHANNEL}, '')`);
  }
}
