/** Mail to the superusers about their webhooks, through the outbox, in the caller's transaction. */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users, type WebhookEndpointRow } from '../db/schema.js';
import type { Outbox } from '../email/outbox.js';
import { type BrandInfo, webhookDisabledNotice } from '../email/templates.js';

export class WebhookNotices {
  constructor(
    private readonly outbox: Outbox,
    private readonly brand: BrandInfo,
    /** False when mail is off. */
    private readonly enabled: boolean,
  ) {}

  async disabledForFailing(tx: Executor, endpoint: WebhookEndpointRow): Promise<void> {
    if (!this.enabled) return;
    const admins = await tx
      .select({ email: users.email })
      .from(users)
      .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)));
    const since = endpoint.failingSince ?? endpoint.updatedAt;
    for (const admin of admins) {
      await this.outbox.enqueue(tx, 'webhook_disabled', admin.email, webhookDisabledNotice(this.brand, endpoint.url, since));
    }
  }
}
