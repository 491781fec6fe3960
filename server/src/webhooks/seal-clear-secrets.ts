/**
 * The start-up step that seals the signing secrets still stored in clear (databases
 * from before secrets were sealed), so a dump taken after the first start of this
 * version holds none. Chosen over sealing each row only on its next write: an endpoint
 * that is never rotated would otherwise keep its secret in clear for ever.
 *
 * Idempotent (only `whsec_…` values are touched) and safe with several processes
 * starting at once, or with a rotation running meanwhile: each value is replaced only
 * if it is still the clear value that was read (compare-and-set), so a process that
 * loses the race changes nothing, and a newer secret is never overwritten.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { webhookEndpoints } from '../db/schema.js';
import { isClearSecret, type WebhookSecretBox } from './sealed-secrets.js';

export interface StoredSecretsReport {
  /** Values (current or previous secrets) this process sealed. */
  sealed: number;
  /** Endpoints with a sealed secret this SECRET_KEY cannot open: their deliveries are not sent. */
  unreadable: string[];
}

export async function sealClearSecrets(db: Database, box: WebhookSecretBox): Promise<StoredSecretsReport> {
  const rows = await db
    .select({ id: webhookEndpoints.id, secret: webhookEndpoints.secret, previousSecret: webhookEndpoints.previousSecret })
    .from(webhookEndpoints);
  let sealed = 0;
  const unreadable: string[] = [];
  for (const row of rows) {
    if (isClearSecret(row.secret)) {
      sealed += await sealIfStill(db, row.id, 'secret', row.secret, box);
    } else if (!box.opens(row.secret, row.id)) {
      unreadable.push(row.id);
    }
    if (row.previousSecret && isClearSecret(row.previousSecret)) {
      sealed += await sealIfStill(db, row.id, 'previousSecret', row.previousSecret, box);
    }
  }
  return { sealed, unreadable };
}

/** Seals one clear value if the row still holds it; 1 if this call sealed it. */
async function sealIfStill(
  db: Database,
  id: string,
  column: 'secret' | 'previousSecret',
  clear: string,
  box: WebhookSecretBox,
): Promise<number> {
  const updated = await db
    .update(webhookEndpoints)
    .set({ [column]: box.seal(clear, id) })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints[column], clear)))
    .returning({ id: webhookEndpoints.id });
  return updated.length;
}
