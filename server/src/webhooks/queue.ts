/**
 * The webhook outbox seen by the workers. A claim takes, for each enabled endpoint
 * with nothing in flight, its oldest due delivery, under a lease: the endpoint rows
 * are locked `FOR NO KEY UPDATE SKIP LOCKED` while claiming and a delivery is only
 * claimed if its lease is still free when the update re-reads it, so two processes
 * never hold one delivery; a worker that dies mid-send loses its lease when it
 * expires, and another sends again with the same webhook-id (at least once).
 * One delivery in flight per endpoint keeps each endpoint's events in commit order,
 * except where a retry waits.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.js';
import { type WebhookEndpointRow, webhookDeliveries, webhookEndpoints } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';

export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  payload: string;
  attempts: number;
  endpoint: Pick<WebhookEndpointRow, 'url' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>;
}

/** What one attempt came to. */
export type AttemptResult =
  | { outcome: 'delivered'; status: number }
  /** 410: the receiver says the endpoint is gone for good. */
  | { outcome: 'gone'; status: number }
  | { outcome: 'failed'; status: number | null; error: string; retryAt: Date | null };

/** An endpoint failing this long, without a success, is disabled. */
export const FAILING_DISABLES_AFTER_MS = 5 * 86_400_000;

interface Row {
  id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  payload: string;
  attempts: number;
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

export class DeliveryQueue {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Claims at most one due delivery for each of up to `limit` endpoints, for `leaseMs`. */
  async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    const at = now.toISOString();
    const leaseEnd = new Date(now.getTime() + leaseMs).toISOString();
    const due = sql`d.status = 'pending' AND d.next_attempt_at <= ${at}::timestamptz
      AND (d.locked_until IS NULL OR d.locked_until <= ${at}::timestamptz)`;
    const result = await this.db.execute(sql`
      WITH ready AS (
        SELECT e.id FROM webhook_endpoint e
        WHERE e.enabled
          AND EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.endpoint_id = e.id AND ${due})
          AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.endpoint_id = e.id AND d.status = 'pending'
                          AND d.locked_until > ${at}::timestamptz)
        LIMIT ${limit}
        FOR NO KEY UPDATE SKIP LOCKED
      ), picked AS (
        SELECT (SELECT d.id FROM webhook_delivery d WHERE d.endpoint_id = ready.id AND ${due}
                ORDER BY d.seq LIMIT 1) AS id
        FROM ready
      )
      UPDATE webhook_delivery d SET locked_until = ${leaseEnd}::timestamptz
      FROM picked
      WHERE d.id = picked.id AND ${due}
      RETURNING d.id, d.endpoint_id, d.message_id, d.event_type, d.payload, d.attempts`);
    const rows = rowsOf<Row>(result);
    if (rows.length === 0) return [];
    const endpoints = await this.db
      .select()
      .from(webhookEndpoints)
      .where(
        sql`${webhookEndpoints.id} IN (${sql.join(
          rows.map((row) => sql`${row.endpoint_id}`),
          sql`, `,
        )})`,
      );
    const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    return rows.flatMap((row) => {
      const endpoint = byId.get(row.endpoint_id);
      if (!endpoint) return [];
      return [
        {
          id: row.id,
          endpointId: row.endpoint_id,
          messageId: row.message_id,
          eventType: row.event_type,
          payload: row.payload,
          attempts: Number(row.attempts),
          endpoint,
        },
      ];
    });
  }

  /**
   * Records an attempt. A 410 disables the endpoint; a failure starts (or continues)
   * the endpoint's failing run, and one that has lasted FAILING_DISABLES_AFTER_MS
   * disables it. Either disabling calls `onDisabled` in the same transaction.
   */
  async record(
    delivery: ClaimedDelivery,
    result: AttemptResult,
    onDisabled: (tx: Executor, endpoint: WebhookEndpointRow) => Promise<void>,
  ): Promise<void> {
    const now = this.clock.now();
    // The endpoint's row first, as a claim and a deletion lock them: no deadlock with either.
    await this.db.transaction(async (tx) => {
      const endpointWhere = eq(webhookEndpoints.id, delivery.endpointId);
      const common = {
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        lastAttemptAt: now,
        lastStatusCode: result.status,
        lockedUntil: null,
      };
      const where = eq(webhookDeliveries.id, delivery.id);
      if (result.outcome === 'delivered') {
        await tx.update(webhookEndpoints).set({ failingSince: null }).where(endpointWhere);
        await tx
          .update(webhookDeliveries)
          .set({ ...common, status: 'delivered', deliveredAt: now, lastError: null })
          .where(where);
        return;
      }
      if (result.outcome === 'gone') {
        const [disabled] = await tx
          .update(webhookEndpoints)
          .set({ enabled: false, disabledReason: 'gone', updatedAt: now })
          .where(and(endpointWhere, eq(webhookEndpoints.enabled, true)))
          .returning();
        if (disabled) await onDisabled(tx, disabled);
        await tx
          .update(webhookDeliveries)
          .set({ ...common, status: 'failed', lastError: 'the receiver answered 410 Gone: endpoint disabled' })
          .where(where);
        return;
      }
      const [endpoint] = await tx
        .update(webhookEndpoints)
        .set({ failingSince: sql`COALESCE(${webhookEndpoints.failingSince}, ${now.toISOString()}::timestamptz)` })
        .where(endpointWhere)
        .returning();
      await tx
        .update(webhookDeliveries)
        .set({
          ...common,
          lastError: result.error.slice(0, 500),
          ...(result.retryAt ? { nextAttemptAt: result.retryAt } : { status: 'failed' }),
        })
        .where(where);
      const failingFor = endpoint?.failingSince ? now.getTime() - endpoint.failingSince.getTime() : 0;
      if (endpoint?.enabled && failingFor >= FAILING_DISABLES_AFTER_MS) {
        const [disabled] = await tx
          .update(webhookEndpoints)
          .set({ enabled: false, disabledReason: 'failing', updatedAt: now })
          .where(endpointWhere)
          .returning();
        if (disabled) await onDisabled(tx, disabled);
      }
    });
  }

  /** A single-process database starts with no worker alive: every lease left is a dead one's. */
  async releaseAllLeases(): Promise<void> {
    await this.db.update(webhookDeliveries).set({ lockedUntil: null }).where(sql`${webhookDeliveries.lockedUntil} IS NOT NULL`);
  }

  /** Deletes delivered and failed deliveries created before `before`. */
  async purge(before: Date): Promise<void> {
    await this.db
      .delete(webhookDeliveries)
      .where(and(lt(webhookDeliveries.createdAt, before), sql`${webhookDeliveries.status} <> 'pending'`));
  }
}
