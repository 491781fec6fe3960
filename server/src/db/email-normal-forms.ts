/**
 * The part of migration 0008 that SQL cannot do: the normal form of addresses
 * that are not plain ASCII (IDNA, Unicode case mapping), computed by the same
 * function every lookup uses. migrate() runs it after the SQL migrations, under
 * their lock; when there is nothing to fill it costs one indexed read.
 */
import { asc, isNull, sql } from 'drizzle-orm';
import { normalizeEmail } from '../users/email-address.js';
import type { Database } from './client.js';
import { users } from './schema.js';

/** Fills `email_normalized` where it is NULL; returns how many rows it filled. */
export async function completeEmailNormalForms(db: Database): Promise<number> {
  const pending = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(isNull(users.emailNormalized))
    .orderBy(asc(users.createdAt), asc(users.id));
  if (pending.length === 0) return 0;
  await db.transaction(async (tx) => {
    // Earliest first, so that within a group of non-ASCII spellings the earliest account keeps the address.
    for (const row of pending) {
      const normalized = normalizeEmail(row.email);
      await tx.execute(sql`
        UPDATE "user" SET
          email_normalized = ${normalized},
          email_duplicate_rank = (
            SELECT coalesce(max(email_duplicate_rank) + 1, 0) FROM "user" WHERE email_normalized = ${normalized}
          )
        WHERE id = ${row.id} AND email_normalized IS NULL`);
    }
  });
  return pending.length;
}
